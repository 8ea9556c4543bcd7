package store

import (
	"context"
	"crypto/sha256"
	"errors"
	"time"
)

// ErrReused is returned when a spent single-use credential (an
// authorization code or a refresh token) is presented again.
var ErrReused = errors.New("already used")

// MaxOAuthAppsPerOwner bounds the apps one user registers: each is a stored
// row anyone signed in can add (Roblox publishes no number; docs/compat.md).
// CreateOAuthApp answers ErrFull beyond it.
const MaxOAuthAppsPerOwner = 50

// OAuthHash is the stored form of an OAuth secret: a client secret, an
// authorization code or a refresh token. The secrets themselves are never
// stored.
type OAuthHash [sha256.Size]byte

// HashOAuthSecret returns the stored form of secret.
func HashOAuthSecret(secret string) OAuthHash { return sha256.Sum256([]byte(secret)) }

// UsedCodeRetention is how long a redeemed authorization code is
// remembered, so that a replay can be recognised (and what it issued
// revoked) rather than answered as merely unknown.
const UsedCodeRetention = 24 * time.Hour

// OAuthApp is a registered OAuth 2.0 client.
type OAuthApp struct {
	ClientID     string
	SecretHash   OAuthHash // zero for a public client
	Name         string
	OwnerID      int64    // the user who registered it
	RedirectURIs []string // matched exactly
	Scopes       []string // what the app may ask for
	Public       bool     // no secret; PKCE required
	Created      time.Time
}

// OAuthAuthorization is a user's consent to an app: the "aid" of its
// access tokens. A user has at most one live authorization per app; a new
// consent adds its scopes to it. Revoking it ends every token issued under
// it at once.
type OAuthAuthorization struct {
	ID       string
	UserID   int64
	ClientID string
	Scopes   []string
	Created  time.Time
	Updated  time.Time
	Revoked  time.Time // zero while live
}

// Live reports whether a has not been revoked.
func (a OAuthAuthorization) Live() bool { return a.Revoked.IsZero() }

// OAuthRequest is an authorization request (GET v1/authorize) from its
// creation until its code is redeemed, it expires, or the user denies it.
type OAuthRequest struct {
	ID                  string // random and unguessable: it travels in the consent page's URL
	ClientID            string
	RedirectURI         string
	Scopes              []string
	ResponseType        string
	State               string
	Nonce               string
	Prompt              []string
	CodeChallenge       string
	CodeChallengeMethod string
	// ClientAddr is where the request came from (an IP address; IPv6 by
	// its /64), so that pending requests can be bounded per address.
	ClientAddr string
	Created    time.Time
	Expires    time.Time

	// Set when the user approves.
	UserID          int64
	AuthTime        time.Time
	AuthorizationID string

	// Set when a code is issued.
	CodeExpires time.Time
}

// Approved reports whether the user has consented to r.
func (r OAuthRequest) Approved() bool { return r.UserID != 0 }

// OAuthRequestLimits bound the pending (not yet approved) authorization
// requests: anyone can create them, with a public client id, and each
// lives until it expires. Zero means no bound.
type OAuthRequestLimits struct {
	PerClient int // pending requests of one app, from every address
	PerAddr   int // pending requests from one ClientAddr, to every app
}

// OAuthSession is an "authorization session": the tokens issued by
// redeeming one authorization code and by refreshing them since, revoked
// as one (by the app through token/revoke, or when the code is replayed or
// a spent refresh token is presented again).
type OAuthSession struct {
	ID              string
	AuthorizationID string
	Scopes          []string // what the code granted
	Created         time.Time
	Revoked         time.Time // zero while live
}

// OAuthGrant is what stands behind a token: its session and authorization.
type OAuthGrant struct {
	Session       OAuthSession
	Authorization OAuthAuthorization
}

// Live reports whether neither the session nor the authorization has been
// revoked.
func (g OAuthGrant) Live() bool { return g.Session.Revoked.IsZero() && g.Authorization.Live() }

// OAuthRefreshToken is a stored refresh token. It can be spent once.
type OAuthRefreshToken struct {
	Hash      OAuthHash
	ID        string // the token's public id (the jti introspection shows)
	SessionID string
	Created   time.Time
	Expires   time.Time
	Used      time.Time // zero until spent
}

// OAuthAccessToken records an issued access token by its jti, so that it
// can be tied to its session and revoked before it expires.
type OAuthAccessToken struct {
	ID        string // the jti
	SessionID string
	Expires   time.Time
}

// OAuthStore keeps the OAuth 2.0 provider's state: apps, users'
// authorizations, pending requests and codes, sessions and tokens.
// Everything lives in the store, so replicas are stateless.
type OAuthStore interface {
	// CreateOAuthApp registers an app: ErrNotFound for an unknown owner,
	// ErrExists for a taken client id.
	CreateOAuthApp(ctx context.Context, a OAuthApp) error
	OAuthApp(ctx context.Context, clientID string) (OAuthApp, error)
	// OAuthApps lists the apps of one owner, or every app for ownerID 0,
	// oldest first.
	OAuthApps(ctx context.Context, ownerID int64) ([]OAuthApp, error)
	// SetOAuthAppSecret replaces an app's secret hash.
	SetOAuthAppSecret(ctx context.Context, clientID string, h OAuthHash) error
	// DeleteOAuthApp deletes an app with everything issued to it.
	DeleteOAuthApp(ctx context.Context, clientID string) error

	// CreateOAuthRequest stores r with no bound on pending requests.
	CreateOAuthRequest(ctx context.Context, r OAuthRequest) error
	// CreateOAuthRequestWithin stores r and keeps pending requests within
	// lim: when r's app or r.ClientAddr already has as many pending
	// requests as lim allows, the oldest of them are deleted to make room,
	// in the same step. r itself is always kept. (Evicting rather than
	// refusing lets a user retry through a flood, which evicts its own
	// requests first.)
	CreateOAuthRequestWithin(ctx context.Context, r OAuthRequest, lim OAuthRequestLimits) error
	// OAuthRequest returns a request that has not expired at now and has no
	// code yet; ErrNotFound otherwise.
	OAuthRequest(ctx context.Context, id string, now time.Time) (OAuthRequest, error)
	// ApproveOAuthRequest records userID's consent to the pending request
	// id: it creates the user's authorization of the app (with id
	// newAuthorizationID) or adds the request's scopes to the live one, and
	// returns the request with UserID, AuthTime and AuthorizationID set.
	// ErrNotFound if the request is unknown, expired at now, or already
	// approved.
	ApproveOAuthRequest(ctx context.Context, id string, userID int64, authTime, now time.Time, newAuthorizationID string) (OAuthRequest, error)
	// SetOAuthCode attaches an authorization code (its hash) to an approved
	// request that has none yet; ErrNotFound otherwise.
	SetOAuthCode(ctx context.Context, id string, code OAuthHash, expires time.Time) error
	// OAuthRequestByCode returns the request holding an unredeemed code,
	// expired or not. ErrReused if the code was redeemed already,
	// ErrNotFound if it is unknown.
	OAuthRequestByCode(ctx context.Context, code OAuthHash) (OAuthRequest, error)
	// RedeemOAuthCode spends a code exactly once: it removes the request
	// holding it, remembers the code as used, and starts session s under
	// the request's authorization. ErrReused if the code has been redeemed
	// already; ErrNotFound if it is unknown, expired at now, or its
	// authorization was revoked. s.AuthorizationID is taken from the
	// request.
	RedeemOAuthCode(ctx context.Context, code OAuthHash, s OAuthSession, now time.Time) (OAuthRequest, error)
	// RevokeOAuthCode revokes the session that redeeming code started (a
	// replay was seen); ErrNotFound if the code was never redeemed.
	RevokeOAuthCode(ctx context.Context, code OAuthHash, at time.Time) error
	DeleteOAuthRequest(ctx context.Context, id string) error

	OAuthAuthorization(ctx context.Context, id string) (OAuthAuthorization, error)
	// OAuthAuthorizations lists live authorizations: a user's (clientID
	// ""), an app's (userID 0), or one user's of one app; oldest first.
	OAuthAuthorizations(ctx context.Context, userID int64, clientID string) ([]OAuthAuthorization, error)
	// RevokeOAuthAuthorization ends an authorization and so every token
	// issued under it; ErrNotFound if it is unknown or already revoked.
	RevokeOAuthAuthorization(ctx context.Context, id string, at time.Time) error

	// RevokeOAuthSession ends one session's tokens. Revoking a revoked
	// session changes nothing.
	RevokeOAuthSession(ctx context.Context, id string, at time.Time) error

	AddOAuthAccessToken(ctx context.Context, t OAuthAccessToken) error
	// OAuthAccessToken returns the access token recorded under jti and the
	// grant behind it; ErrNotFound if unknown.
	OAuthAccessToken(ctx context.Context, jti string) (OAuthAccessToken, OAuthGrant, error)
	AddOAuthRefreshToken(ctx context.Context, t OAuthRefreshToken) error
	// OAuthRefreshToken returns a refresh token, spent or not, and the
	// grant behind it; ErrNotFound if unknown.
	OAuthRefreshToken(ctx context.Context, h OAuthHash) (OAuthRefreshToken, OAuthGrant, error)
	// RotateOAuthRefreshToken spends refresh token old and stores next in
	// the same session, in one step, and returns the grant. ErrReused if old
	// was spent already; ErrNotFound if it is unknown, expired at now, or
	// its grant is revoked. next.SessionID is taken from old.
	RotateOAuthRefreshToken(ctx context.Context, old OAuthHash, next OAuthRefreshToken, now time.Time) (OAuthGrant, error)

	// PurgeOAuth deletes what can no longer be used at now: expired
	// requests and tokens, used codes older than UsedCodeRetention, and
	// sessions left with none of them.
	PurgeOAuth(ctx context.Context, now time.Time) error
}

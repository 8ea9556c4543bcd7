package oauth

import (
	"context"
	"crypto"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/x509"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"slices"
	"strconv"
	"strings"
	"time"

	jose "github.com/go-jose/go-jose/v4"

	"github.com/invcloud/invcloud/internal/auth"
	"github.com/invcloud/invcloud/internal/store"
)

// signingKeySecret names the ES256 key (PKCS#8 DER) in the store.
const signingKeySecret = "oauth-es256-key"

// signingKey is the provider's ECDSA P-256 key. It satisfies op.SigningKey
// and op.Key (the latter with its public half).
type signingKey struct {
	priv   *ecdsa.PrivateKey
	kid    string
	signer jose.Signer
}

func loadSigningKey(ctx context.Context, s store.Store) (*signingKey, error) {
	der, err := s.Secret(ctx, signingKeySecret, func() ([]byte, error) {
		k, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
		if err != nil {
			return nil, err
		}
		return x509.MarshalPKCS8PrivateKey(k)
	})
	if err != nil {
		return nil, fmt.Errorf("oauth signing key: %w", err)
	}
	k, err := x509.ParsePKCS8PrivateKey(der)
	if err != nil {
		return nil, fmt.Errorf("oauth signing key: %w", err)
	}
	priv, ok := k.(*ecdsa.PrivateKey)
	if !ok || priv.Curve != elliptic.P256() {
		return nil, errors.New("oauth signing key: stored key is not ECDSA P-256")
	}
	// The key id is the JWK thumbprint (RFC 7638): stable for the key, the
	// same on every replica.
	thumb, err := (&jose.JSONWebKey{Key: &priv.PublicKey}).Thumbprint(crypto.SHA256)
	if err != nil {
		return nil, fmt.Errorf("oauth signing key: %w", err)
	}
	sk := &signingKey{priv: priv, kid: base64.RawURLEncoding.EncodeToString(thumb)}
	sk.signer, err = jose.NewSigner(jose.SigningKey{Algorithm: jose.ES256, Key: jose.JSONWebKey{Key: priv, KeyID: sk.kid}},
		(&jose.SignerOptions{}).WithType("JWT"))
	if err != nil {
		return nil, fmt.Errorf("oauth signing key: %w", err)
	}
	return sk, nil
}

// op.SigningKey
func (k *signingKey) SignatureAlgorithm() jose.SignatureAlgorithm { return jose.ES256 }
func (k *signingKey) Key() any                                    { return k.priv }
func (k *signingKey) ID() string                                  { return k.kid }

// publicKey is the JWKS entry.
type publicKey struct{ k *signingKey }

// op.Key
func (p publicKey) ID() string                         { return p.k.kid }
func (p publicKey) Algorithm() jose.SignatureAlgorithm { return jose.ES256 }
func (p publicKey) Use() string                        { return "sig" }
func (p publicKey) Key() any                           { return &p.k.priv.PublicKey }

// sign returns the compact JWS of claims.
func (k *signingKey) sign(claims any) (string, error) {
	payload, err := json.Marshal(claims)
	if err != nil {
		return "", err
	}
	jws, err := k.signer.Sign(payload)
	if err != nil {
		return "", fmt.Errorf("sign token: %w", err)
	}
	return jws.CompactSerialize()
}

// verify checks token's ES256 signature and decodes its claims into v.
func (k *signingKey) verify(token string, v any) error {
	jws, err := jose.ParseSigned(token, []jose.SignatureAlgorithm{jose.ES256})
	if err != nil {
		return err
	}
	payload, err := jws.Verify(&k.priv.PublicKey)
	if err != nil {
		return err
	}
	return json.Unmarshal(payload, v)
}

// looksLikeJWT reports whether token has the shape of a compact JWS.
func looksLikeJWT(token string) bool { return strings.Count(token, ".") == 2 }

// Token id prefixes, as in Roblox's tokens.
const (
	accessPrefix  = "AT."
	refreshPrefix = "RT."
	idPrefix      = "ID."
)

// accessClaims are an access token's claims, in the order of Roblox's
// (spec 5.3).
type accessClaims struct {
	Sub   string `json:"sub"`
	Aid   string `json:"aid"`
	Scope string `json:"scope"`
	Jti   string `json:"jti"`
	Nbf   int64  `json:"nbf"`
	Exp   int64  `json:"exp"`
	Iat   int64  `json:"iat"`
	Iss   string `json:"iss"`
	Aud   string `json:"aud"`
}

// idClaims are an ID token's claims, in the order of Roblox's (spec 5.3).
// The profile claims are present only when "profile" was granted.
type idClaims struct {
	Sub               string `json:"sub"`
	Name              string `json:"name,omitempty"`
	Nickname          string `json:"nickname,omitempty"`
	PreferredUsername string `json:"preferred_username,omitempty"`
	CreatedAt         int64  `json:"created_at,omitempty"`
	Profile           string `json:"profile,omitempty"`
	Nonce             string `json:"nonce,omitempty"`
	Jti               string `json:"jti"`
	Nbf               int64  `json:"nbf"`
	Exp               int64  `json:"exp"`
	Iat               int64  `json:"iat"`
	Iss               string `json:"iss"`
	Aud               string `json:"aud"`
}

// errInvalidToken is any token that does not verify; the wrapped text is
// for logs.
var errInvalidToken = errors.New("invalid token")

// parseAccess verifies an access token's signature, issuer and lifetime
// (not whether it was revoked).
func (p *Provider) parseAccess(token string, now time.Time) (*accessClaims, error) {
	var c accessClaims
	if err := p.key.verify(token, &c); err != nil {
		return nil, fmt.Errorf("%w: %v", errInvalidToken, err)
	}
	switch t := now.Unix(); {
	case !strings.HasPrefix(c.Jti, accessPrefix):
		return nil, fmt.Errorf("%w: not an access token", errInvalidToken)
	case c.Iss != p.issuer:
		return nil, fmt.Errorf("%w: issuer %q", errInvalidToken, c.Iss)
	case t >= c.Exp:
		return nil, fmt.Errorf("%w: expired", errInvalidToken)
	case t < c.Nbf:
		return nil, fmt.Errorf("%w: not yet valid", errInvalidToken)
	}
	return &c, nil
}

// verifyAccess verifies an access token and that its grant is still live.
func (p *Provider) verifyAccess(ctx context.Context, token string, now time.Time) (*accessClaims, store.OAuthGrant, error) {
	c, err := p.parseAccess(token, now)
	if err != nil {
		return nil, store.OAuthGrant{}, err
	}
	t, g, err := p.store.OAuthAccessToken(ctx, c.Jti)
	switch {
	case errors.Is(err, store.ErrNotFound):
		return nil, g, fmt.Errorf("%w: %s unknown (its app was deleted?)", errInvalidToken, c.Jti)
	case err != nil:
		return nil, g, err
	case !g.Live():
		return nil, g, fmt.Errorf("%w: %s revoked (authorization %s)", errInvalidToken, c.Jti, g.Authorization.ID)
	}
	if err := matchRecord(c, t, g); err != nil {
		return nil, g, err
	}
	return c, g, nil
}

// matchRecord checks an access token's claims against what was recorded
// when it was issued. The signature alone is not trusted: whoever holds
// the signing key (a leaked database file) could widen a real token's
// scope, audience or lifetime, so every claim that grants something must
// agree with the record.
func matchRecord(c *accessClaims, t store.OAuthAccessToken, g store.OAuthGrant) error {
	if g.Authorization.ID != c.Aid || strconv.FormatInt(g.Authorization.UserID, 10) != c.Sub ||
		g.Authorization.ClientID != c.Aud || c.Exp > t.Expires.Unix() {
		return fmt.Errorf("%w: %s does not match its record", errInvalidToken, c.Jti)
	}
	for _, sc := range strings.Fields(c.Scope) {
		// A refresh may narrow a session's scopes, never widen them, so
		// every token's scopes are among its session's.
		if !slices.Contains(g.Session.Scopes, sc) {
			return fmt.Errorf("%w: %s carries scope %q its session %s was not granted", errInvalidToken, c.Jti, sc, g.Session.ID)
		}
	}
	return nil
}

// VerifyAccessToken implements auth.TokenVerifier: Open Cloud endpoints
// accept access tokens whose authorization is live, with the scopes they
// carry. Invalid, expired and revoked tokens give *auth.Error.
func (p *Provider) VerifyAccessToken(ctx context.Context, token string) (*auth.Principal, error) {
	c, g, err := p.verifyAccess(ctx, token, p.now())
	if errors.Is(err, errInvalidToken) {
		return nil, &auth.Error{Reason: "OAuth access token: " + err.Error()}
	}
	if err != nil {
		return nil, err
	}
	return &auth.Principal{Kind: auth.KindOAuth, UserID: g.Authorization.UserID, Scopes: strings.Fields(c.Scope), AuthorizationID: g.Authorization.ID}, nil
}

// issued is the token endpoint's answer (spec 5.3).
type issued struct {
	AccessToken  string `json:"access_token"`
	RefreshToken string `json:"refresh_token"`
	TokenType    string `json:"token_type"`
	ExpiresIn    int64  `json:"expires_in"`
	IDToken      string `json:"id_token,omitempty"`
	Scope        string `json:"scope"`
}

// newRefreshToken returns a refresh token (without its session) and its
// secret.
func newRefreshToken(now time.Time) (store.OAuthRefreshToken, string) {
	secret := randomToken(48)
	return store.OAuthRefreshToken{
		Hash: store.HashOAuthSecret(secret), ID: randomID(refreshPrefix, 20),
		Created: now, Expires: now.Add(RefreshTokenLifetime),
	}, secret
}

// grantee is who and what tokens are issued for.
type grantee struct {
	SessionID       string
	AuthorizationID string
	UserID          int64
	ClientID        string
	Scopes          []string
	Nonce           string // ID tokens of the code exchange only
}

// tokens issues an access token (recorded in the store) and, when openid
// is among the scopes, an ID token.
func (p *Provider) tokens(ctx context.Context, g grantee, now time.Time) (*issued, error) {
	sub := strconv.FormatInt(g.UserID, 10)
	exp := now.Add(AccessTokenLifetime)
	at := accessClaims{Sub: sub, Aid: g.AuthorizationID, Scope: strings.Join(g.Scopes, " "), Jti: randomID(accessPrefix, 20),
		Nbf: now.Unix(), Exp: exp.Unix(), Iat: now.Unix(), Iss: p.issuer, Aud: g.ClientID}
	if err := p.store.AddOAuthAccessToken(ctx, store.OAuthAccessToken{ID: at.Jti, SessionID: g.SessionID, Expires: exp}); err != nil {
		return nil, err
	}
	out := &issued{TokenType: "Bearer", ExpiresIn: int64(AccessTokenLifetime/time.Second) - 1, Scope: at.Scope}
	var err error
	if out.AccessToken, err = p.key.sign(at); err != nil {
		return nil, err
	}
	if !slices.Contains(g.Scopes, scopeOpenID) {
		return out, nil
	}
	id := idClaims{Sub: sub, Nonce: g.Nonce, Jti: randomID(idPrefix, 20), Nbf: now.Unix(), Exp: now.Add(IDTokenLifetime).Unix(),
		Iat: now.Unix(), Iss: p.issuer, Aud: g.ClientID}
	if slices.Contains(g.Scopes, scopeProfile) {
		u, err := p.store.User(ctx, g.UserID)
		if err != nil {
			return nil, err
		}
		id.Name, id.Nickname, id.PreferredUsername = u.DisplayName, u.DisplayName, u.Name
		id.CreatedAt, id.Profile = u.Created.Unix(), profileURL(g.UserID)
	}
	if out.IDToken, err = p.key.sign(id); err != nil {
		return nil, err
	}
	return out, nil
}

// profileURL is a user's profile page, in Roblox's form: invcloud's user ids
// stand for Roblox's.
func profileURL(userID int64) string {
	return "https://www.roblox.com/users/" + strconv.FormatInt(userID, 10) + "/profile"
}

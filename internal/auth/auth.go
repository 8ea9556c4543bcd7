// Package auth turns request credentials into principals: who is calling,
// for which user, with which scopes. API keys are looked up by the SHA-256
// of their secret; the secret itself is never stored or logged.
package auth

import (
	"context"
	"crypto/subtle"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"net/http"
	"net/netip"
	"slices"
	"strings"
	"time"

	"github.com/invcloud/invcloud/internal/apikey"
	"github.com/invcloud/invcloud/internal/inventory"
	"github.com/invcloud/invcloud/internal/store"
)

// Kind is how a principal authenticated.
type Kind uint8

const (
	KindAPIKey Kind = iota + 1
	KindOAuth
)

// Principal is an authenticated caller.
type Principal struct {
	Kind   Kind
	UserID int64 // the user the credential acts for
	Scopes []string
	KeyID  int64 // API keys only
	// AuthorizationID is the OAuth grant a token belongs to (OAuth only);
	// quotas are counted per authorization.
	AuthorizationID string
}

// HasScope reports whether p carries scope.
func (p *Principal) HasScope(scope string) bool { return slices.Contains(p.Scopes, scope) }

// Viewer reduces p to what the inventory visibility rule needs.
func (p *Principal) Viewer() inventory.Viewer {
	return inventory.Viewer{UserID: p.UserID, InventoryRead: p.HasScope(apikey.ScopeInventoryRead)}
}

// Error is an authentication failure. Reason is for logs; clients get
// Roblox's generic gateway message.
type Error struct{ Reason string }

func (e *Error) Error() string { return "unauthenticated: " + e.Reason }

// KeyStore is what the authenticator needs from storage.
type KeyStore interface {
	APIKeyByHash(ctx context.Context, h apikey.Hash) (apikey.Key, error)
	TouchAPIKey(ctx context.Context, id int64, at time.Time) error
}

// TokenVerifier checks OAuth 2.0 access tokens (the OAuth provider does).
// An invalid, expired or revoked token gives *Error.
type TokenVerifier interface {
	VerifyAccessToken(ctx context.Context, token string) (*Principal, error)
}

// Authenticator checks credentials.
type Authenticator struct {
	keys   KeyStore
	tokens TokenVerifier // nil: Bearer tokens are refused
	now    func() time.Time
	log    *slog.Logger
}

// SetTokenVerifier enables "Authorization: Bearer" access tokens.
func (a *Authenticator) SetTokenVerifier(v TokenVerifier) { a.tokens = v }

// New returns an Authenticator. now may be nil for time.Now.
func New(keys KeyStore, now func() time.Time, log *slog.Logger) *Authenticator {
	if now == nil {
		now = time.Now
	}
	return &Authenticator{keys: keys, now: now, log: log}
}

// Now is the authenticator's clock.
func (a *Authenticator) Now() time.Time { return a.now() }

// touchEvery limits last-used writes to one per key per interval, so a busy
// key does not turn every read into a write.
const touchEvery = time.Minute

// LookupKey finds the key for secret and checks it may be used from addr.
// Disabled and expired keys are returned with an error so introspection can
// still describe them.
func (a *Authenticator) LookupKey(ctx context.Context, secret string, addr netip.Addr) (apikey.Key, error) {
	if secret == "" {
		return apikey.Key{}, &Error{Reason: "no API key"}
	}
	h := apikey.HashSecret(secret)
	k, err := a.keys.APIKeyByHash(ctx, h)
	if errors.Is(err, store.ErrNotFound) {
		return k, &Error{Reason: "unknown API key"}
	}
	if err != nil {
		return k, fmt.Errorf("look up api key: %w", err)
	}
	if subtle.ConstantTimeCompare(k.Hash[:], h[:]) != 1 {
		return apikey.Key{}, &Error{Reason: "unknown API key"}
	}
	if !k.Allows(addr) {
		// "ip not allowed" first: the operator reading the log needs the
		// cause, e.g. a key restricted to a network that excludes 127.0.0.1.
		return k, &Error{Reason: fmt.Sprintf("ip not allowed: API key %d used from %s, outside its allow list", k.ID, addr)}
	}
	return k, nil
}

// Authenticate resolves the request's credentials. It returns *Error when
// they are missing or invalid, and another error when storage fails.
func (a *Authenticator) Authenticate(r *http.Request) (*Principal, error) {
	ctx := r.Context()
	if authz := r.Header.Get("Authorization"); authz != "" && r.Header.Get("x-api-key") == "" {
		if scheme, token, _ := strings.Cut(authz, " "); strings.EqualFold(scheme, "Bearer") {
			if a.tokens == nil {
				return nil, &Error{Reason: "OAuth bearer tokens are not enabled"}
			}
			return a.tokens.VerifyAccessToken(ctx, strings.TrimSpace(token))
		}
	}
	k, err := a.LookupKey(ctx, r.Header.Get("x-api-key"), ClientAddr(r))
	if err != nil {
		return nil, err
	}
	now := a.now()
	switch {
	case !k.Enabled:
		return nil, &Error{Reason: fmt.Sprintf("API key %d is disabled", k.ID)}
	case k.Expired(now):
		return nil, &Error{Reason: fmt.Sprintf("API key %d expired", k.ID)}
	}
	if now.Sub(k.LastUsed) >= touchEvery {
		if err := a.keys.TouchAPIKey(ctx, k.ID, now); err != nil {
			a.log.WarnContext(ctx, "record api key use", "key_id", k.ID, "err", err)
		}
	}
	return &Principal{Kind: KindAPIKey, UserID: k.OwnerID, Scopes: k.Scopes, KeyID: k.ID}, nil
}

// ClientAddr is the caller's address as the connection shows it.
func ClientAddr(r *http.Request) netip.Addr {
	host, _, err := net.SplitHostPort(r.RemoteAddr)
	if err != nil {
		host = r.RemoteAddr
	}
	a, _ := netip.ParseAddr(host)
	return a.Unmap()
}

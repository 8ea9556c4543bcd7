package oauth

import (
	"context"
	"crypto/subtle"
	"errors"
	"fmt"
	"net"
	"net/http"
	"net/netip"
	"net/url"
	"strconv"
	"time"

	jose "github.com/go-jose/go-jose/v4"
	"github.com/zitadel/oidc/v3/pkg/oidc"
	"github.com/zitadel/oidc/v3/pkg/op"

	"github.com/invcloud/invcloud/internal/store"
)

// storage adapts the store to op.Storage. op calls it for the authorize
// endpoint (clients, requests, codes) and the JWKS; the token, introspection,
// revocation and userinfo endpoints are invcloud's own (see server), so the
// token-minting methods here are never reached.
type storage struct{ p *Provider }

var _ op.Storage = (*storage)(nil)

// authRequest is a stored request as op sees it.
type authRequest struct{ r store.OAuthRequest }

func (a *authRequest) GetID() string         { return a.r.ID }
func (a *authRequest) GetACR() string        { return "" }
func (a *authRequest) GetAMR() []string      { return []string{"pwd"} }
func (a *authRequest) GetAudience() []string { return []string{a.r.ClientID} }
func (a *authRequest) GetAuthTime() time.Time {
	return a.r.AuthTime
}
func (a *authRequest) GetClientID() string { return a.r.ClientID }
func (a *authRequest) GetCodeChallenge() *oidc.CodeChallenge {
	if a.r.CodeChallenge == "" {
		return nil
	}
	return &oidc.CodeChallenge{Challenge: a.r.CodeChallenge, Method: oidc.CodeChallengeMethod(a.r.CodeChallengeMethod)}
}
func (a *authRequest) GetNonce() string                   { return a.r.Nonce }
func (a *authRequest) GetRedirectURI() string             { return a.r.RedirectURI }
func (a *authRequest) GetResponseType() oidc.ResponseType { return oidc.ResponseType(a.r.ResponseType) }

// GetResponseMode is always the default: responses go in the query.
func (a *authRequest) GetResponseMode() oidc.ResponseMode { return "" }
func (a *authRequest) GetScopes() []string                { return a.r.Scopes }
func (a *authRequest) GetState() string                   { return a.r.State }
func (a *authRequest) GetSubject() string {
	if a.r.UserID == 0 {
		return ""
	}
	return strconv.FormatInt(a.r.UserID, 10)
}
func (a *authRequest) Done() bool { return a.r.Approved() }

// client is a stored app as op sees it.
type client struct{ app store.OAuthApp }

var _ op.Client = (*client)(nil)

func (c *client) GetID() string                    { return c.app.ClientID }
func (c *client) RedirectURIs() []string           { return c.app.RedirectURIs }
func (c *client) PostLogoutRedirectURIs() []string { return nil }

// ApplicationType and DevMode make op accept every registered URI
// (HTTPS, http on loopback, custom schemes: what Roblox allows).
// invcloud checks the redirect_uri first, and for an exact match, so op's
// looser loopback matching never applies.
func (c *client) ApplicationType() op.ApplicationType { return op.ApplicationTypeNative }
func (c *client) DevMode() bool                       { return true }
func (c *client) AuthMethod() oidc.AuthMethod {
	if c.app.Public {
		return oidc.AuthMethodNone
	}
	return oidc.AuthMethodBasic
}
func (c *client) ResponseTypes() []oidc.ResponseType {
	return []oidc.ResponseType{oidc.ResponseTypeCode, responseTypeNone}
}
func (c *client) GrantTypes() []oidc.GrantType {
	return []oidc.GrantType{oidc.GrantTypeCode, oidc.GrantTypeRefreshToken}
}
func (c *client) LoginURL(id string) string            { return consentPath + "?id=" + url.QueryEscape(id) }
func (c *client) AccessTokenType() op.AccessTokenType  { return op.AccessTokenTypeJWT }
func (c *client) IDTokenLifetime() time.Duration       { return IDTokenLifetime }
func (c *client) IDTokenUserinfoClaimsAssertion() bool { return true }
func (c *client) ClockSkew() time.Duration             { return 0 }
func (c *client) RestrictAdditionalIdTokenScopes() func([]string) []string {
	return func(s []string) []string { return s }
}
func (c *client) RestrictAdditionalAccessTokenScopes() func([]string) []string {
	return func(s []string) []string { return s }
}

// IsScopeAllowed lets every scope through op's filter: the authorize
// endpoint checks scopes itself, to refuse (invalid_scope) rather than drop
// what an app may not ask for.
func (c *client) IsScopeAllowed(string) bool { return true }

// responseTypeNone is Roblox's response_type=none: the user authorizes and
// is sent back with the state only.
const responseTypeNone oidc.ResponseType = "none"

// consentPath is the consent page; op sends the browser there with the
// request id.
const consentPath = "/oauth/consent"

// CreateAuthRequest stores a validated authorization request.
func (s *storage) CreateAuthRequest(ctx context.Context, ar *oidc.AuthRequest, _ string) (op.AuthRequest, error) {
	now := s.p.now()
	s.p.purge(ctx, now)
	r := store.OAuthRequest{
		ID: randomToken(32), ClientID: ar.ClientID, RedirectURI: ar.RedirectURI, Scopes: ar.Scopes,
		ResponseType: string(ar.ResponseType), State: ar.State, Nonce: ar.Nonce, Prompt: ar.Prompt,
		CodeChallenge: ar.CodeChallenge, CodeChallengeMethod: string(ar.CodeChallengeMethod),
		ClientAddr: requestAddr(ctx), Created: now, Expires: now.Add(RequestLifetime),
	}
	if err := s.p.store.CreateOAuthRequestWithin(ctx, r, s.p.limits); err != nil {
		return nil, fmt.Errorf("store authorization request: %w", err)
	}
	return &authRequest{r}, nil
}

func (s *storage) AuthRequestByID(ctx context.Context, id string) (op.AuthRequest, error) {
	r, err := s.p.store.OAuthRequest(ctx, id, s.p.now())
	if err != nil {
		return nil, err
	}
	return &authRequest{r}, nil
}

func (s *storage) AuthRequestByCode(ctx context.Context, code string) (op.AuthRequest, error) {
	r, err := s.p.store.OAuthRequestByCode(ctx, store.HashOAuthSecret(code))
	if err != nil {
		return nil, err
	}
	return &authRequest{r}, nil
}

// SaveAuthCode keeps the code's hash, valid for CodeLifetime.
func (s *storage) SaveAuthCode(ctx context.Context, id, code string) error {
	return s.p.store.SetOAuthCode(ctx, id, store.HashOAuthSecret(code), s.p.now().Add(CodeLifetime))
}

func (s *storage) DeleteAuthRequest(ctx context.Context, id string) error {
	return s.p.store.DeleteOAuthRequest(ctx, id)
}

var errNotUsed = errors.New("not used: invcloud serves this endpoint itself")

func (s *storage) CreateAccessToken(context.Context, op.TokenRequest) (string, time.Time, error) {
	return "", time.Time{}, errNotUsed
}

func (s *storage) CreateAccessAndRefreshTokens(context.Context, op.TokenRequest, string) (string, string, time.Time, error) {
	return "", "", time.Time{}, errNotUsed
}

func (s *storage) TokenRequestByRefreshToken(context.Context, string) (op.RefreshTokenRequest, error) {
	return nil, errNotUsed
}

func (s *storage) TerminateSession(context.Context, string, string) error { return errNotUsed }

func (s *storage) RevokeToken(context.Context, string, string, string) *oidc.Error {
	return oidc.ErrServerError().WithParent(errNotUsed)
}

func (s *storage) GetRefreshTokenInfo(context.Context, string, string) (string, string, error) {
	return "", "", op.ErrInvalidRefreshToken
}

func (s *storage) SigningKey(context.Context) (op.SigningKey, error) { return s.p.key, nil }

func (s *storage) SignatureAlgorithms(context.Context) ([]jose.SignatureAlgorithm, error) {
	return []jose.SignatureAlgorithm{jose.ES256}, nil
}

func (s *storage) KeySet(context.Context) ([]op.Key, error) { return []op.Key{publicKey{s.p.key}}, nil }

// GetClientByClientID returns the app; an unknown one is invalid_client.
func (s *storage) GetClientByClientID(ctx context.Context, clientID string) (op.Client, error) {
	app, err := s.p.store.OAuthApp(ctx, clientID)
	if errors.Is(err, store.ErrNotFound) {
		return nil, oidc.ErrInvalidClient().WithDescription("Unknown client_id.")
	}
	if err != nil {
		return nil, oidc.ErrServerError().WithParent(err)
	}
	return &client{app}, nil
}

// AuthorizeClientIDSecret checks a confidential client's secret.
func (s *storage) AuthorizeClientIDSecret(ctx context.Context, clientID, secret string) error {
	_, err := s.p.authenticateClient(ctx, clientID, secret, false)
	return err
}

func (s *storage) SetUserinfoFromScopes(context.Context, *oidc.UserInfo, string, string, []string) error {
	return nil
}

func (s *storage) SetUserinfoFromToken(context.Context, *oidc.UserInfo, string, string, string) error {
	return errNotUsed
}

func (s *storage) SetIntrospectionFromToken(context.Context, *oidc.IntrospectionResponse, string, string, string) error {
	return errNotUsed
}

func (s *storage) GetPrivateClaimsFromScopes(context.Context, string, string, []string) (map[string]any, error) {
	return nil, nil
}

func (s *storage) GetKeyByIDAndClientID(context.Context, string, string) (*jose.JSONWebKey, error) {
	return nil, errors.New("client assertions are not supported")
}

func (s *storage) ValidateJWTProfileScopes(context.Context, string, []string) ([]string, error) {
	return nil, errors.New("JWT profile grants are not supported")
}

func (s *storage) Health(ctx context.Context) error { return s.p.store.Ping(ctx) }

// authenticateClient finds the app and checks its secret in constant time.
// A public client needs no secret when allowPublic is set (and is refused
// otherwise). Failures are invalid_client.
func (p *Provider) authenticateClient(ctx context.Context, clientID, secret string, allowPublic bool) (store.OAuthApp, error) {
	bad := oidc.ErrInvalidClient().WithDescription("Invalid client_id or client_secret.")
	if clientID == "" {
		return store.OAuthApp{}, bad
	}
	app, err := p.store.OAuthApp(ctx, clientID)
	if errors.Is(err, store.ErrNotFound) {
		// Hash anyway, so an unknown id costs what a known one does.
		h := store.HashOAuthSecret(secret)
		subtle.ConstantTimeCompare(h[:], h[:])
		return app, bad
	}
	if err != nil {
		return app, oidc.ErrServerError().WithParent(err)
	}
	if app.Public {
		if allowPublic {
			return app, nil
		}
		return app, oidc.ErrInvalidClient().WithDescription("A public client cannot authenticate here.")
	}
	h := store.HashOAuthSecret(secret)
	if secret == "" || subtle.ConstantTimeCompare(h[:], app.SecretHash[:]) != 1 {
		return app, bad
	}
	return app, nil
}

// addrKey carries the authorize request's client address to
// CreateAuthRequest, which op calls with the request's context.
type addrKey struct{}

// withRequestAddr returns r with its client address in its context.
func withRequestAddr(r *http.Request) *http.Request {
	return r.WithContext(context.WithValue(r.Context(), addrKey{}, clientAddr(r.RemoteAddr)))
}

func requestAddr(ctx context.Context) string {
	a, _ := ctx.Value(addrKey{}).(string)
	return a
}

// clientAddr is the address pending requests are counted by: the peer's
// IP, an IPv6 one by its /64 (one host usually holds a whole /64).
func clientAddr(remote string) string {
	host, _, err := net.SplitHostPort(remote)
	if err != nil {
		host = remote
	}
	ip, err := netip.ParseAddr(host)
	if err != nil {
		return host
	}
	ip = ip.Unmap().WithZone("")
	if ip.Is6() {
		return netip.PrefixFrom(ip, 64).Masked().String()
	}
	return ip.String()
}

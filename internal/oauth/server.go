package oauth

import (
	"bytes"
	"context"
	"encoding/base64"
	"encoding/json"
	"errors"
	"net/http"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/zitadel/oidc/v3/pkg/oidc"
	"github.com/zitadel/oidc/v3/pkg/op"

	"github.com/invcloud/invcloud/internal/store"
)

// server is op's LegacyServer with the endpoints invcloud answers in
// Roblox's shapes: discovery (spec 5.6), the authorize checks op leaves to
// the implementation (exact redirect URIs, scopes, PKCE policy), the token
// grants (Roblox's token formats, single-use codes and refresh tokens),
// introspection, userinfo and revocation (spec 5.4, 5.5).
type server struct {
	*op.LegacyServer
	p *Provider
}

// Token endpoint statuses (docs/compat.md): a bad, expired, replayed or
// foreign code or refresh token is 401 (rblx-open-cloud reads a 401 as "the
// code is invalid, or has been used"); client authentication failures are
// 400, or 401 when the client used HTTP Basic (RFC 6749 5.2); malformed
// requests are 400.
func badGrant(desc string) error {
	return op.NewStatusError(oidc.ErrInvalidGrant().WithDescription("%s", desc), http.StatusUnauthorized)
}

func serverError(err error) error { return oidc.ErrServerError().WithParent(err) }

// clientError gives an invalid_client failure the status RFC 6749 5.2 asks
// for: 401 when the client authenticated with HTTP Basic.
func clientError(h http.Header, err error) error {
	var oe *oidc.Error
	if errors.As(err, &oe) && oe.ErrorType == oidc.InvalidClient && hasBasic(h) {
		return op.NewStatusError(err, http.StatusUnauthorized)
	}
	return err
}

func hasBasic(h http.Header) bool {
	scheme, _, _ := strings.Cut(h.Get("Authorization"), " ")
	return strings.EqualFold(scheme, "Basic")
}

type discovery struct {
	Issuer                            string   `json:"issuer"`
	AuthorizationEndpoint             string   `json:"authorization_endpoint"`
	TokenEndpoint                     string   `json:"token_endpoint"`
	IntrospectionEndpoint             string   `json:"introspection_endpoint"`
	RevocationEndpoint                string   `json:"revocation_endpoint"`
	ResourcesEndpoint                 string   `json:"resources_endpoint"`
	UserinfoEndpoint                  string   `json:"userinfo_endpoint"`
	JwksURI                           string   `json:"jwks_uri"`
	RegistrationEndpoint              string   `json:"registration_endpoint"`
	ServiceDocumentation              string   `json:"service_documentation"`
	ScopesSupported                   []string `json:"scopes_supported"`
	ResponseTypesSupported            []string `json:"response_types_supported"`
	SubjectTypesSupported             []string `json:"subject_types_supported"`
	IDTokenSigningAlgValuesSupported  []string `json:"id_token_signing_alg_values_supported"`
	ClaimsSupported                   []string `json:"claims_supported"`
	TokenEndpointAuthMethodsSupported []string `json:"token_endpoint_auth_methods_supported"`
}

// Discovery answers with Roblox's document (same keys, same order) and
// invcloud's URLs. Of Roblox's identity scopes and claims it lists those
// invcloud issues, in Roblox's order.
func (s *server) Discovery(context.Context, *op.Request[struct{}]) (*op.Response, error) {
	iss := s.p.issuer
	return op.NewResponse(discovery{
		Issuer:                            iss,
		AuthorizationEndpoint:             iss + "v1/authorize",
		TokenEndpoint:                     iss + "v1/token",
		IntrospectionEndpoint:             iss + "v1/token/introspect",
		RevocationEndpoint:                iss + "v1/token/revoke",
		ResourcesEndpoint:                 iss + "v1/token/resources",
		UserinfoEndpoint:                  iss + "v1/userinfo",
		JwksURI:                           iss + "v1/certs",
		RegistrationEndpoint:              s.p.base + "/dashboard/oauth-apps",
		ServiceDocumentation:              "https://create.roblox.com/docs/reference/cloud",
		ScopesSupported:                   []string{scopeOpenID, scopeProfile},
		ResponseTypesSupported:            []string{string(responseTypeNone), string(oidc.ResponseTypeCode)},
		SubjectTypesSupported:             []string{"public"},
		IDTokenSigningAlgValuesSupported:  []string{"ES256"},
		ClaimsSupported:                   []string{"sub", "iss", "aud", "exp", "iat", "nonce", "name", "nickname", "preferred_username", "created_at", "profile"},
		TokenEndpointAuthMethodsSupported: []string{string(oidc.AuthMethodPost), string(oidc.AuthMethodBasic)},
	}), nil
}

// VerifyAuthRequest finds the app and checks the redirect_uri is one of
// its own, exactly. Failures here are never redirected: the browser stays
// on invcloud.
func (s *server) VerifyAuthRequest(ctx context.Context, r *op.Request[oidc.AuthRequest]) (*op.ClientRequest[oidc.AuthRequest], error) {
	if err := checkSizes(r.Data); err != nil {
		return nil, err
	}
	if r.Data.ClientID == "" {
		return nil, oidc.ErrInvalidRequestRedirectURI().WithDescription("The client_id is missing.")
	}
	app, err := s.p.store.OAuthApp(ctx, r.Data.ClientID)
	if errors.Is(err, store.ErrNotFound) {
		return nil, oidc.ErrInvalidRequestRedirectURI().WithDescription("The client_id is not a registered app.")
	}
	if err != nil {
		return nil, serverError(err)
	}
	if r.Data.RedirectURI == "" {
		return nil, oidc.ErrInvalidRequestRedirectURI().WithDescription("The redirect_uri is missing.")
	}
	if !slices.Contains(app.RedirectURIs, r.Data.RedirectURI) {
		return nil, oidc.ErrInvalidRequestRedirectURI().WithDescription("The redirect_uri is not registered for this app.")
	}
	return &op.ClientRequest[oidc.AuthRequest]{Request: r, Client: &client{app}}, nil
}

// Bounds of what an authorize request may store (docs/compat.md). Real
// clients send far less: a state or nonce is a random value of a few dozen
// characters, and an app has at most a handful of scopes.
const (
	MaxStateLen         = 1024
	MaxNonceLen         = 1024
	MaxScopes           = 20
	MaxScopeLen         = 64
	MaxCodeChallengeLen = 128 // RFC 7636's longest verifier; S256 challenges are 43
	MaxPrompts          = 4   // none, login, consent, select_account
	MaxPromptLen        = 32
)

// checkSizes refuses a request larger than anything it may store, before
// anything is looked up. The refusal is never redirected: the state could
// not be sent back (echoing megabytes into a Location header is what this
// prevents), and no real client sends such a request.
func checkSizes(ar *oidc.AuthRequest) error {
	tooLong := func(what string, n int) error {
		return oidc.ErrInvalidRequestRedirectURI().WithDescription("The %s is too long (at most %d characters).", what, n)
	}
	switch {
	case len(ar.State) > MaxStateLen:
		return tooLong("state", MaxStateLen)
	case len(ar.Nonce) > MaxNonceLen:
		return tooLong("nonce", MaxNonceLen)
	case len(ar.RedirectURI) > MaxRedirectURILen:
		return tooLong("redirect_uri", MaxRedirectURILen)
	case len(ar.CodeChallenge) > MaxCodeChallengeLen:
		return tooLong("code_challenge", MaxCodeChallengeLen)
	case len(ar.Scopes) > MaxScopes:
		return oidc.ErrInvalidRequestRedirectURI().WithDescription("Too many scopes (at most %d).", MaxScopes)
	case len(ar.Prompt) > MaxPrompts:
		return oidc.ErrInvalidRequestRedirectURI().WithDescription("Too many prompt values (at most %d).", MaxPrompts)
	}
	for _, sc := range ar.Scopes {
		if len(sc) > MaxScopeLen {
			return oidc.ErrInvalidRequestRedirectURI().WithDescription("A scope is too long (at most %d characters).", MaxScopeLen)
		}
	}
	for _, pr := range ar.Prompt {
		if len(pr) > MaxPromptLen {
			return oidc.ErrInvalidRequestRedirectURI().WithDescription("A prompt value is too long (at most %d characters).", MaxPromptLen)
		}
	}
	return nil
}

// Authorize applies invcloud's policy to a request whose redirect_uri is
// known good (so its failures go back to the app): scopes must be the
// app's, "profile" needs "openid", and PKCE is S256 only, required for
// public clients.
func (s *server) Authorize(ctx context.Context, r *op.ClientRequest[oidc.AuthRequest]) (*op.Redirect, error) {
	app := r.Client.(*client).app
	var scopes []string
	for _, sc := range r.Data.Scopes {
		if slices.Contains(scopes, sc) {
			continue
		}
		if _, ok := LookupScope(sc); !ok || !slices.Contains(app.Scopes, sc) {
			return nil, oidc.ErrInvalidScope().WithDescription("The scope %q is not available to this app.", sc)
		}
		scopes = append(scopes, sc)
	}
	if slices.Contains(scopes, scopeProfile) && !slices.Contains(scopes, scopeOpenID) {
		return nil, oidc.ErrInvalidScope().WithDescription("The profile scope requires the openid scope.")
	}
	r.Data.Scopes = scopes
	challenge, method := r.Data.CodeChallenge, r.Data.CodeChallengeMethod
	switch {
	case challenge == "" && method != "":
		return nil, oidc.ErrInvalidRequest().WithDescription("code_challenge_method was given without a code_challenge.")
	case challenge == "" && app.Public && r.Data.ResponseType == oidc.ResponseTypeCode:
		return nil, oidc.ErrInvalidRequest().WithDescription("PKCE is required for public clients: send a code_challenge with code_challenge_method=S256.")
	case challenge != "" && method != oidc.CodeChallengeMethodS256:
		return nil, oidc.ErrInvalidRequest().WithDescription("The code_challenge_method must be S256.")
	case challenge != "" && !validChallenge(challenge):
		return nil, oidc.ErrInvalidRequest().WithDescription("The code_challenge must be the base64url-encoded SHA-256 of the code_verifier (43 characters).")
	}
	return s.LegacyServer.Authorize(ctx, r)
}

// validChallenge reports whether c is an unpadded base64url SHA-256.
func validChallenge(c string) bool {
	if len(c) != 43 {
		return false
	}
	for _, b := range []byte(c) {
		if !(b >= 'A' && b <= 'Z' || b >= 'a' && b <= 'z' || b >= '0' && b <= '9' || b == '-' || b == '_') {
			return false
		}
	}
	return true
}

// VerifyClient authenticates the client of the token and revocation
// endpoints: a confidential client by its secret (HTTP Basic or form),
// a public client by its id alone.
func (s *server) VerifyClient(ctx context.Context, r *op.Request[op.ClientCredentials]) (op.Client, error) {
	if r.Data.ClientAssertion != "" {
		return nil, clientError(r.Header, oidc.ErrInvalidClient().WithDescription("Client assertions are not supported."))
	}
	app, err := s.p.authenticateClient(ctx, r.Data.ClientID, r.Data.ClientSecret, true)
	if err != nil {
		return nil, clientError(r.Header, err)
	}
	return &client{app}, nil
}

// noRedirectURI stands for an absent redirect_uri in a code exchange:
// op requires one, Roblox's documented request has none (spec 5.3).
const noRedirectURI = "invcloud:no-redirect-uri"

// CodeExchange redeems an authorization code, once.
func (s *server) CodeExchange(ctx context.Context, r *op.ClientRequest[oidc.AccessTokenRequest]) (*op.Response, error) {
	p := s.p
	now := p.now()
	code := store.HashOAuthSecret(r.Data.Code)
	req, err := p.store.OAuthRequestByCode(ctx, code)
	switch {
	case errors.Is(err, store.ErrReused):
		p.replayedCode(ctx, code)
		return nil, badGrant("The authorization code has already been used. The tokens issued for it are revoked.")
	case errors.Is(err, store.ErrNotFound):
		return nil, badGrant("The authorization code is invalid.")
	case err != nil:
		return nil, serverError(err)
	}
	// Checks that change nothing come first: a failed attempt leaves the
	// code to its rightful client.
	if req.ClientID != r.Client.GetID() {
		return nil, badGrant("The authorization code was issued to another client.")
	}
	if !now.Before(req.CodeExpires) {
		return nil, badGrant("The authorization code has expired.")
	}
	if r.Data.RedirectURI != noRedirectURI && r.Data.RedirectURI != req.RedirectURI {
		return nil, oidc.ErrInvalidGrant().WithDescription("The redirect_uri does not match the authorization request.")
	}
	if req.CodeChallenge != "" || r.Data.CodeVerifier != "" {
		if err := op.AuthorizeCodeChallenge(r.Data.CodeVerifier, (&authRequest{req}).GetCodeChallenge()); err != nil {
			var oe *oidc.Error
			if errors.As(err, &oe) && oe.ErrorType == oidc.InvalidGrant {
				return nil, badGrant("The code_verifier does not match the code_challenge.")
			}
			return nil, err
		}
	} else if r.Client.AuthMethod() == oidc.AuthMethodNone {
		return nil, badGrant("PKCE is required for public clients.")
	}

	sess := store.OAuthSession{ID: randomToken(16), Scopes: req.Scopes, Created: now}
	req, err = p.store.RedeemOAuthCode(ctx, code, sess, now)
	switch {
	case errors.Is(err, store.ErrReused):
		p.replayedCode(ctx, code)
		return nil, badGrant("The authorization code has already been used. The tokens issued for it are revoked.")
	case errors.Is(err, store.ErrNotFound):
		return nil, badGrant("The authorization code is invalid or has expired, or the authorization was revoked.")
	case err != nil:
		return nil, serverError(err)
	}
	rt, secret := newRefreshToken(now)
	rt.SessionID = sess.ID
	if err := p.store.AddOAuthRefreshToken(ctx, rt); err != nil {
		return nil, serverError(err)
	}
	out, err := p.tokens(ctx, grantee{SessionID: sess.ID, AuthorizationID: req.AuthorizationID, UserID: req.UserID,
		ClientID: req.ClientID, Scopes: req.Scopes, Nonce: req.Nonce}, now)
	if err != nil {
		return nil, serverError(err)
	}
	out.RefreshToken = secret
	return op.NewResponse(out), nil
}

// replayedCode revokes what a code issued when it is presented again
// (RFC 6749 4.1.2).
func (p *Provider) replayedCode(ctx context.Context, code store.OAuthHash) {
	err := p.store.RevokeOAuthCode(ctx, code, p.now())
	if err != nil && !errors.Is(err, store.ErrNotFound) {
		p.log.ErrorContext(ctx, "revoke tokens of a replayed code", "err", err)
		return
	}
	p.log.WarnContext(ctx, "authorization code replayed: its session is revoked")
}

// RefreshToken spends a refresh token for a new access, refresh and ID
// token. A refresh token works once: presenting a spent one revokes its
// session (OAuth 2.0 Security BCP, refresh token rotation).
func (s *server) RefreshToken(ctx context.Context, r *op.ClientRequest[oidc.RefreshTokenRequest]) (*op.Response, error) {
	p := s.p
	now := p.now()
	old := store.HashOAuthSecret(r.Data.RefreshToken)
	tok, g, err := p.store.OAuthRefreshToken(ctx, old)
	switch {
	case errors.Is(err, store.ErrNotFound):
		return nil, badGrant("The refresh token is invalid.")
	case err != nil:
		return nil, serverError(err)
	case g.Authorization.ClientID != r.Client.GetID():
		return nil, badGrant("The refresh token was issued to another client.")
	case !tok.Used.IsZero():
		p.reusedRefreshToken(ctx, g.Session.ID, now)
		return nil, badGrant("The refresh token has already been used. Its session is revoked.")
	case !now.Before(tok.Expires):
		return nil, badGrant("The refresh token has expired.")
	case !g.Live():
		return nil, badGrant("The authorization was revoked.")
	}
	scopes := g.Session.Scopes
	if len(r.Data.Scopes) > 0 {
		var narrowed []string
		for _, sc := range scopes {
			if slices.Contains(r.Data.Scopes, sc) {
				narrowed = append(narrowed, sc)
			}
		}
		for _, sc := range r.Data.Scopes {
			if !slices.Contains(scopes, sc) {
				return nil, oidc.ErrInvalidScope().WithDescription("The scope %q was not granted.", sc)
			}
		}
		scopes = narrowed
	}
	next, secret := newRefreshToken(now)
	g, err = p.store.RotateOAuthRefreshToken(ctx, old, next, now)
	switch {
	case errors.Is(err, store.ErrReused):
		p.reusedRefreshToken(ctx, tok.SessionID, now)
		return nil, badGrant("The refresh token has already been used. Its session is revoked.")
	case errors.Is(err, store.ErrNotFound):
		return nil, badGrant("The refresh token is invalid or has expired, or the authorization was revoked.")
	case err != nil:
		return nil, serverError(err)
	}
	out, err := p.tokens(ctx, grantee{SessionID: g.Session.ID, AuthorizationID: g.Authorization.ID, UserID: g.Authorization.UserID,
		ClientID: g.Authorization.ClientID, Scopes: scopes}, now)
	if err != nil {
		return nil, serverError(err)
	}
	out.RefreshToken = secret
	return op.NewResponse(out), nil
}

func (p *Provider) reusedRefreshToken(ctx context.Context, sessionID string, now time.Time) {
	if err := p.store.RevokeOAuthSession(ctx, sessionID, now); err != nil {
		p.log.ErrorContext(ctx, "revoke session of a reused refresh token", "err", err)
		return
	}
	p.log.WarnContext(ctx, "spent refresh token presented again: its session is revoked")
}

// introspection is the introspect endpoint's answer (spec 5.4).
type introspection struct {
	Active    bool   `json:"active"`
	Jti       string `json:"jti,omitempty"`
	Iss       string `json:"iss,omitempty"`
	TokenType string `json:"token_type,omitempty"`
	ClientID  string `json:"client_id,omitempty"`
	Aud       string `json:"aud,omitempty"`
	Sub       string `json:"sub,omitempty"`
	Scope     string `json:"scope,omitempty"`
	Exp       int64  `json:"exp,omitempty"`
	Iat       int64  `json:"iat,omitempty"`
}

// Introspect describes an access, refresh or ID token issued to the
// calling client. As Roblox documents, an access token is active for its
// lifetime even after its authorization is revoked; a refresh token is
// active while it can be spent. Tokens of other clients are inactive.
func (s *server) Introspect(ctx context.Context, r *op.Request[op.IntrospectionRequest]) (*op.Response, error) {
	p := s.p
	app, err := p.authenticateClient(ctx, r.Data.ClientCredentials.ClientID, r.Data.ClientCredentials.ClientSecret, false)
	if err != nil {
		return nil, op.NewStatusError(err, http.StatusUnauthorized)
	}
	now := p.now()
	token := r.Data.Token
	inactive := op.NewResponse(introspection{})
	if looksLikeJWT(token) {
		var c idClaims // the claims every token of ours has
		var scope string
		if strings.HasPrefix(tokenJTI(token), accessPrefix) {
			ac, err := p.parseAccess(token, now)
			if err != nil {
				return inactive, nil
			}
			// Active for its lifetime even when revoked (Roblox), but only
			// as it was issued: a re-signed, widened token is not.
			t, g, err := p.store.OAuthAccessToken(ctx, ac.Jti)
			switch {
			case errors.Is(err, store.ErrNotFound):
				return inactive, nil
			case err != nil:
				return nil, serverError(err)
			case matchRecord(ac, t, g) != nil:
				return inactive, nil
			}
			c = idClaims{Sub: ac.Sub, Jti: ac.Jti, Exp: ac.Exp, Iat: ac.Iat, Iss: ac.Iss, Aud: ac.Aud}
			scope = ac.Scope
		} else if err := p.key.verify(token, &c); err != nil || !strings.HasPrefix(c.Jti, idPrefix) || c.Iss != p.issuer ||
			now.Unix() >= c.Exp || now.Unix() < c.Nbf {
			return inactive, nil
		}
		if c.Aud != app.ClientID {
			return inactive, nil
		}
		return op.NewResponse(introspection{Active: true, Jti: c.Jti, Iss: c.Iss, TokenType: "Bearer", ClientID: c.Aud, Aud: c.Aud,
			Sub: c.Sub, Scope: scope, Exp: c.Exp, Iat: c.Iat}), nil
	}
	tok, g, err := p.store.OAuthRefreshToken(ctx, store.HashOAuthSecret(token))
	if errors.Is(err, store.ErrNotFound) {
		return inactive, nil
	}
	if err != nil {
		return nil, serverError(err)
	}
	if g.Authorization.ClientID != app.ClientID || !tok.Used.IsZero() || !now.Before(tok.Expires) || !g.Live() {
		return inactive, nil
	}
	return op.NewResponse(introspection{Active: true, Jti: tok.ID, Iss: p.issuer, TokenType: "Bearer", ClientID: app.ClientID,
		Aud: app.ClientID, Sub: strconv.FormatInt(g.Authorization.UserID, 10), Scope: strings.Join(g.Session.Scopes, " "),
		Exp: tok.Expires.Unix(), Iat: tok.Created.Unix()}), nil
}

// tokenJTI reads a JWT's jti without verifying it, to tell access tokens
// from ID tokens before verification.
func tokenJTI(token string) string {
	parts := strings.Split(token, ".")
	if len(parts) != 3 {
		return ""
	}
	payload, err := base64.RawURLEncoding.DecodeString(parts[1])
	if err != nil {
		return ""
	}
	var c struct {
		Jti string `json:"jti"`
	}
	json.Unmarshal(payload, &c)
	return c.Jti
}

type userInfo struct {
	Sub string `json:"sub"`
}

type profileInfo struct {
	Sub               string  `json:"sub"`
	Name              string  `json:"name"`
	Nickname          string  `json:"nickname"`
	PreferredUsername string  `json:"preferred_username"`
	CreatedAt         int64   `json:"created_at"`
	Profile           string  `json:"profile"`
	Picture           *string `json:"picture"` // null: invcloud has no avatars
}

// UserInfo answers for a live access token granted openid: the user id,
// and with profile the names, creation time and profile URL (spec 5.5).
func (s *server) UserInfo(ctx context.Context, r *op.Request[oidc.UserInfoRequest]) (*op.Response, error) {
	p := s.p
	c, g, err := p.verifyAccess(ctx, r.Data.AccessToken, p.now())
	if errors.Is(err, errInvalidToken) {
		p.log.InfoContext(ctx, "userinfo refused", "reason", err.Error())
		return nil, op.NewStatusError(&oidc.Error{ErrorType: "invalid_token", Description: "The access token is invalid, expired or revoked."}, http.StatusUnauthorized)
	}
	if err != nil {
		return nil, serverError(err)
	}
	scopes := strings.Fields(c.Scope)
	if !slices.Contains(scopes, scopeOpenID) {
		return nil, op.NewStatusError(&oidc.Error{ErrorType: "insufficient_scope", Description: "The access token was not granted the openid scope."}, http.StatusForbidden)
	}
	if !slices.Contains(scopes, scopeProfile) {
		return op.NewResponse(userInfo{Sub: c.Sub}), nil
	}
	u, err := p.store.User(ctx, g.Authorization.UserID)
	if err != nil {
		return nil, serverError(err)
	}
	return op.NewResponse(profileInfo{Sub: c.Sub, Name: u.DisplayName, Nickname: u.DisplayName, PreferredUsername: u.Name,
		CreatedAt: u.Created.Unix(), Profile: profileURL(u.ID)}), nil
}

// Revocation ends the authorization session of a refresh token (or of an
// access token) issued to the calling client. As on Roblox, the answer is
// 200 with an empty body whatever the token was; a token of another client
// is left alone.
func (s *server) Revocation(ctx context.Context, r *op.ClientRequest[oidc.RevocationRequest]) (*op.Response, error) {
	p := s.p
	now := p.now()
	token, clientID := r.Data.Token, r.Client.GetID()
	var sessionID string
	if looksLikeJWT(token) {
		// An expired access token has nothing left to revoke.
		if c, err := p.parseAccess(token, now); err == nil && c.Aud == clientID {
			t, g, err := p.store.OAuthAccessToken(ctx, c.Jti)
			switch {
			case err == nil && matchRecord(c, t, g) == nil:
				sessionID = t.SessionID
			case err != nil && !errors.Is(err, store.ErrNotFound):
				return nil, serverError(err)
			}
		}
	} else {
		_, g, err := p.store.OAuthRefreshToken(ctx, store.HashOAuthSecret(token))
		switch {
		case err == nil && g.Authorization.ClientID == clientID:
			sessionID = g.Session.ID
		case err != nil && !errors.Is(err, store.ErrNotFound):
			return nil, serverError(err)
		}
	}
	if sessionID != "" {
		if err := p.store.RevokeOAuthSession(ctx, sessionID, now); err != nil {
			return nil, serverError(err)
		}
	}
	return op.NewResponse(nil), nil
}

// resourceInfo is one entry of token/resources (spec 5.4).
type resourceInfo struct {
	Owner struct {
		ID   string `json:"id"`
		Type string `json:"type"`
	} `json:"owner"`
	Resources struct {
		Universe struct {
			IDs []string `json:"ids"`
		} `json:"universe"`
		Creator struct {
			IDs []string `json:"ids"`
		} `json:"creator"`
	} `json:"resources"`
}

// resources answers POST v1/token/resources: which of the user's resources
// a live access token may reach. invcloud's scopes all act on the
// authorizing user's own resources ("U"); it has no universes.
func (p *Provider) resources(w http.ResponseWriter, r *http.Request) {
	ctx := r.Context()
	w.Header().Set("Cache-Control", "no-store")
	r.Body = http.MaxBytesReader(w, r.Body, 64<<10)
	if err := r.ParseForm(); err != nil {
		writeOAuthError(w, http.StatusBadRequest, "invalid_request", "The form could not be parsed.")
		return
	}
	id, secret, basic := r.BasicAuth()
	if basic {
		if r.PostForm.Get("client_id") != "" && r.PostForm.Get("client_id") != id || r.PostForm.Get("client_secret") != "" {
			writeOAuthError(w, http.StatusBadRequest, "invalid_request", "Use one client authentication method.")
			return
		}
	} else {
		id, secret = r.PostForm.Get("client_id"), r.PostForm.Get("client_secret")
	}
	app, err := p.authenticateClient(ctx, id, secret, false)
	if err != nil {
		var oe *oidc.Error
		if errors.As(err, &oe) && oe.ErrorType == oidc.ServerError {
			p.log.ErrorContext(ctx, "token resources", "err", err)
			writeOAuthError(w, http.StatusInternalServerError, "server_error", "")
			return
		}
		if basic {
			w.Header().Set("WWW-Authenticate", `Basic realm="invcloud"`)
		}
		desc := "Invalid client_id or client_secret."
		if oe != nil {
			desc = oe.Description
		}
		writeOAuthError(w, http.StatusUnauthorized, "invalid_client", desc)
		return
	}
	token := r.PostForm.Get("token")
	if token == "" {
		writeOAuthError(w, http.StatusBadRequest, "invalid_request", "The token is missing.")
		return
	}
	c, _, err := p.verifyAccess(ctx, token, p.now())
	if err == nil && c.Aud != app.ClientID {
		err = errInvalidToken
	}
	if errors.Is(err, errInvalidToken) {
		writeOAuthError(w, http.StatusUnauthorized, "invalid_token", "The access token is invalid, expired or revoked, or was issued to another client.")
		return
	}
	if err != nil {
		p.log.ErrorContext(ctx, "token resources", "err", err)
		writeOAuthError(w, http.StatusInternalServerError, "server_error", "")
		return
	}
	out := struct {
		ResourceInfos []resourceInfo `json:"resource_infos"`
	}{ResourceInfos: []resourceInfo{}}
	if slices.ContainsFunc(strings.Fields(c.Scope), func(s string) bool { return !isIdentity(s) }) {
		var ri resourceInfo
		ri.Owner.ID, ri.Owner.Type = c.Sub, "User"
		ri.Resources.Universe.IDs = []string{}
		ri.Resources.Creator.IDs = []string{"U"}
		out.ResourceInfos = append(out.ResourceInfos, ri)
	}
	writeJSON(w, http.StatusOK, out)
}

func writeJSON(w http.ResponseWriter, status int, v any) {
	var b bytes.Buffer
	json.NewEncoder(&b).Encode(v)
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(status)
	w.Write(b.Bytes())
}

// writeOAuthError writes an RFC 6749 error body.
func writeOAuthError(w http.ResponseWriter, status int, code, desc string) {
	writeJSON(w, status, struct {
		Error       string `json:"error"`
		Description string `json:"error_description,omitempty"`
	}{code, desc})
}

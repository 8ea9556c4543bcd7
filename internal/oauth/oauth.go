// Package oauth is invcloud's OAuth 2.0 / OpenID Connect provider, at the
// paths of Roblox's (apis.roblox.com/oauth/...): authorization code flow with
// PKCE, refresh token rotation, introspection, token resources, revocation,
// userinfo, discovery and JWKS, plus the consent, OAuth apps and authorized
// apps pages.
//
// The protocol is github.com/zitadel/oidc/v3/pkg/op's: request parsing and
// validation, client authentication, redirect URI and error redirects, PKCE
// verification and error bodies. invcloud supplies the storage (all of it in
// the store, so replicas are stateless), Roblox's token formats and the
// endpoints op lacks (token/resources) or shapes differently (discovery,
// introspection, userinfo).
package oauth

import (
	"context"
	"crypto/rand"
	"encoding/base64"
	"errors"
	"fmt"
	"log/slog"
	"math/big"
	"net/http"
	"net/url"
	"strings"
	"sync/atomic"
	"time"

	jose "github.com/go-jose/go-jose/v4"
	"github.com/zitadel/oidc/v3/pkg/op"

	"github.com/invcloud/invcloud/internal/routes"
	"github.com/invcloud/invcloud/internal/store"
	"github.com/invcloud/invcloud/internal/web"
)

// Lifetimes (spec 5.2, 5.3).
const (
	AccessTokenLifetime  = 15 * time.Minute
	RefreshTokenLifetime = 90 * 24 * time.Hour
	CodeLifetime         = time.Minute
	// IDTokenLifetime is inferred from Roblox's sample token (exp - iat).
	IDTokenLifetime = 10 * time.Hour
	// RequestLifetime is how long a user has to sign in and consent.
	RequestLifetime = 30 * time.Minute
)

// Config is what a Provider needs.
type Config struct {
	Store store.Store
	Site  *web.Site
	// PublicURL is where clients reach invcloud, e.g. "https://invcloud.example"
	// (no trailing slash needed). The issuer is PublicURL + "/oauth/".
	PublicURL string
	Log       *slog.Logger
	Now       func() time.Time // nil: time.Now
	// Pending bounds the authorization requests waiting for sign-in and
	// consent; a zero field takes its default (DefaultPendingPer...).
	Pending store.OAuthRequestLimits
}

// Default bounds of pending authorization requests (docs/compat.md):
// anyone can create them with a public client id and a registered redirect
// URI, and each lives RequestLifetime. Beyond a bound the oldest pending
// request of that address (or app) is evicted.
const (
	DefaultPendingPerAddr   = 100   // per client address (IPv6: per /64), all apps
	DefaultPendingPerClient = 10000 // per app, all addresses
)

// Provider is the OAuth 2.0 / OIDC provider.
type Provider struct {
	store  store.Store
	site   *web.Site
	log    *slog.Logger
	now    func() time.Time
	base   string // public URL, no trailing slash
	issuer string
	key    *signingKey
	limits store.OAuthRequestLimits
	op     *op.Provider
	srv    http.Handler // op's router, mounted under /oauth

	lastPurge atomic.Int64 // unix seconds
}

// New returns a Provider. The signing key is created on first start and
// kept in the store, so every replica signs with the same key.
func New(ctx context.Context, cfg Config) (*Provider, error) {
	if cfg.Now == nil {
		cfg.Now = time.Now
	}
	if cfg.Log == nil {
		cfg.Log = slog.New(slog.DiscardHandler)
	}
	base := strings.TrimRight(cfg.PublicURL, "/")
	if base == "" {
		base = "http://localhost"
	}
	u, err := url.Parse(base)
	if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" || u.RawQuery != "" || u.Fragment != "" {
		return nil, fmt.Errorf("public URL %q: want http(s)://host[:port][/path]", cfg.PublicURL)
	}
	key, err := loadSigningKey(ctx, cfg.Store)
	if err != nil {
		return nil, err
	}
	p := &Provider{store: cfg.Store, site: cfg.Site, log: cfg.Log, now: cfg.Now, base: base, issuer: base + "/oauth/", key: key,
		limits: cfg.Pending}
	if p.limits.PerAddr <= 0 {
		p.limits.PerAddr = DefaultPendingPerAddr
	}
	if p.limits.PerClient <= 0 {
		p.limits.PerClient = DefaultPendingPerClient
	}

	opts := []op.Option{op.WithCrypto(codeCrypto{}),
		op.WithIDTokenHintVerifierOpts(op.WithSupportedIDTokenHintSigningAlgorithms(string(jose.ES256)))}
	if u.Scheme == "http" {
		opts = append(opts, op.WithAllowInsecure())
	}
	p.op, err = op.NewProvider(&op.Config{
		CodeMethodS256:        true,
		AuthMethodPost:        true,
		GrantTypeRefreshToken: true,
	}, &storage{p}, op.StaticIssuer(p.issuer), opts...)
	if err != nil {
		return nil, fmt.Errorf("oauth provider: %w", err)
	}
	srv := &server{LegacyServer: op.NewLegacyServer(p.op, endpoints), p: p}
	// No CORS from op: its default reflects any origin with credentials.
	// protocol applies invcloud's policy (publicCORS) instead.
	p.srv = op.RegisterLegacyServer(srv, http.NotFound, op.WithServerCORSOptions(nil))
	return p, nil
}

// Paths under /oauth (spec 5.1).
var endpoints = op.Endpoints{
	Authorization: op.NewEndpoint("v1/authorize"),
	Token:         op.NewEndpoint("v1/token"),
	Introspection: op.NewEndpoint("v1/token/introspect"),
	Revocation:    op.NewEndpoint("v1/token/revoke"),
	Userinfo:      op.NewEndpoint("v1/userinfo"),
	JwksURI:       op.NewEndpoint("v1/certs"),
}

// Issuer is the provider's issuer: the public URL + "/oauth/".
func (p *Provider) Issuer() string { return p.issuer }

// Register adds the provider's endpoints and pages to mux.
func (p *Provider) Register(mux routes.Mux) {
	mux.Handle("/oauth/", p.protocol())
	mux.HandleFunc("POST /oauth/v1/token/resources", p.resources)
	mux.HandleFunc("/oauth/v1/token/resources", methodNotAllowed)
	mux.HandleFunc("GET /oauth/consent", p.consentPage)
	mux.HandleFunc("POST /oauth/consent", p.consent)
	mux.HandleFunc("GET /dashboard/oauth-apps", p.appsPage)
	mux.HandleFunc("POST /dashboard/oauth-apps", p.createApp)
	mux.HandleFunc("POST /dashboard/oauth-apps/{client_id}/{action}", p.appAction)
	mux.HandleFunc("GET /my/authorized-apps", p.authorizedApps)
	mux.HandleFunc("POST /my/authorized-apps/{id}/revoke", p.revokeAuthorization)
}

// purgeEvery spaces out the removal of expired requests and tokens.
const purgeEvery = time.Minute

// purge removes expired OAuth state, at most once per purgeEvery per
// process; failures are only logged.
func (p *Provider) purge(ctx context.Context, now time.Time) {
	last := p.lastPurge.Load()
	if now.Unix()-last < int64(purgeEvery/time.Second) || !p.lastPurge.CompareAndSwap(last, now.Unix()) {
		return
	}
	if err := p.store.PurgeOAuth(ctx, now); err != nil {
		p.log.WarnContext(ctx, "purge oauth state", "err", err)
	}
}

// randomToken returns n random bytes as unpadded base64url.
func randomToken(n int) string {
	b := make([]byte, n)
	rand.Read(b) // crypto/rand.Read never fails
	return base64.RawURLEncoding.EncodeToString(b)
}

const alnum = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789"

// randomID returns prefix and n random letters and digits: the form of
// Roblox's token ids ("AT.PnaVTzISy6bB9LnPbviL").
func randomID(prefix string, n int) string {
	b := make([]byte, n)
	max := big.NewInt(int64(len(alnum)))
	for i := range b {
		k, _ := rand.Int(rand.Reader, max)
		b[i] = alnum[k.Int64()]
	}
	return prefix + string(b)
}

// codeCrypto is op's Crypto for authorization codes: a code is a fresh
// random string, stored only as its hash and looked up by it, so nothing
// needs to be decrypted (invcloud's access tokens are JWTs, not op's
// encrypted opaque tokens).
type codeCrypto struct{}

func (codeCrypto) Encrypt(string) (string, error) { return randomToken(32), nil }

func (codeCrypto) Decrypt(string) (string, error) {
	return "", errors.New("invcloud issues no encrypted tokens")
}

func methodNotAllowed(w http.ResponseWriter, r *http.Request) {
	w.Header().Set("Allow", http.MethodPost)
	writeOAuthError(w, http.StatusMethodNotAllowed, "invalid_request", "Use POST.")
}

// Package server wires invcloud together: storage, authentication, the API
// surfaces and the HTTP lifecycle.
package server

import (
	"context"
	"crypto/rand"
	"errors"
	"fmt"
	"log/slog"
	"maps"
	"net"
	"net/http"
	"slices"
	"strings"
	"sync"
	"time"

	"github.com/invcloud/invcloud/internal/auth"
	"github.com/invcloud/invcloud/internal/groups"
	"github.com/invcloud/invcloud/internal/legacy"
	"github.com/invcloud/invcloud/internal/metrics"
	"github.com/invcloud/invcloud/internal/oauth"
	"github.com/invcloud/invcloud/internal/opencloud"
	"github.com/invcloud/invcloud/internal/pagetoken"
	"github.com/invcloud/invcloud/internal/ratelimit"
	"github.com/invcloud/invcloud/internal/routes"
	"github.com/invcloud/invcloud/internal/session"
	"github.com/invcloud/invcloud/internal/store"
	"github.com/invcloud/invcloud/internal/store/postgres"
	"github.com/invcloud/invcloud/internal/store/sqlite"
	"github.com/invcloud/invcloud/internal/users"
	"github.com/invcloud/invcloud/internal/web"
)

// OpenStore opens the store named by dsn: "sqlite:PATH" (or a bare path),
// or a PostgreSQL URL, "postgres://..." or "postgresql://...".
func OpenStore(ctx context.Context, dsn string) (store.Store, error) {
	switch {
	case strings.HasPrefix(dsn, "sqlite:"):
		return sqlite.Open(ctx, strings.TrimPrefix(dsn, "sqlite:"))
	case strings.HasPrefix(dsn, "postgres://"), strings.HasPrefix(dsn, "postgresql://"):
		return postgres.Open(ctx, dsn)
	case strings.Contains(dsn, "://"):
		scheme, _, _ := strings.Cut(dsn, "://")
		return nil, fmt.Errorf("unsupported database %q: use sqlite:PATH or postgres://", scheme+"://")
	default:
		return sqlite.Open(ctx, dsn)
	}
}

// Config is what a server needs.
type Config struct {
	Store store.Store
	Log   *slog.Logger
	Now   func() time.Time // nil: time.Now
	// SecureCookies marks cookies Secure (serving behind HTTPS).
	SecureCookies bool
	// KeyCacheTTL keeps API key lookups in memory this long (0: off). Other
	// processes' key changes are seen within it; this process's at once.
	KeyCacheTTL time.Duration
	// Quotas enforces per-endpoint quotas; nil: none.
	Quotas *ratelimit.Quotas
	// Metrics, if set, is served at /metrics and fed by every request.
	Metrics *metrics.Metrics
	// Ready are extra readiness checks for /readyz (e.g. Redis).
	Ready map[string]func(context.Context) error
	// ReadyTimeout bounds each readiness check on its own (0: 1 s).
	ReadyTimeout time.Duration
	// PublicURL is where clients reach the server (e.g.
	// "https://invcloud.example"); the OAuth issuer is PublicURL + "/oauth/".
	// Empty: "http://localhost".
	PublicURL string
}

// pageTokenSecret names the HMAC key of page tokens in the store, so every
// replica on one database signs alike.
const pageTokenSecret = "page-token-hmac-key"

// New returns the HTTP handler for every surface.
func New(ctx context.Context, cfg Config) (http.Handler, error) {
	if cfg.Log == nil {
		cfg.Log = slog.New(slog.DiscardHandler)
	}
	mux, _, err := assemble(ctx, cfg)
	if err != nil {
		return nil, err
	}
	return withLogging(cfg.Log, cfg.Metrics, mux), nil
}

// assemble builds every surface and mounts its routes on one mux; it also
// returns the routes as mounted, with their hosts.
func assemble(ctx context.Context, cfg Config) (*http.ServeMux, []hostRoute, error) {
	secret, err := cfg.Store.Secret(ctx, pageTokenSecret, func() ([]byte, error) {
		b := make([]byte, 32)
		_, err := rand.Read(b)
		return b, err
	})
	if err != nil {
		return nil, nil, fmt.Errorf("page token secret: %w", err)
	}
	tokens, err := pagetoken.New(secret)
	if err != nil {
		return nil, nil, err
	}
	st := cfg.Store
	if cfg.KeyCacheTTL > 0 {
		st = store.CacheKeys(st, cfg.KeyCacheTTL, cfg.Now)
	}
	if cfg.Metrics != nil {
		st = cfg.Metrics.Store(st)
	}
	authn := auth.New(st, cfg.Now, cfg.Log)
	oc := opencloud.New(st, authn, tokens, cfg.Log, opencloud.WithQuotas(cfg.Quotas))
	site, err := web.New(web.Config{Store: st, Log: cfg.Log, Now: cfg.Now, SecureCookies: cfg.SecureCookies})
	if err != nil {
		return nil, nil, err
	}
	provider, err := oauth.New(ctx, oauth.Config{Store: st, Site: site, PublicURL: cfg.PublicURL, Log: cfg.Log, Now: cfg.Now})
	if err != nil {
		return nil, nil, err
	}
	authn.SetTokenVerifier(provider)
	sessions := session.New(session.Config{Store: st, Log: cfg.Log, Now: cfg.Now, SecureCookies: cfg.SecureCookies})
	// Every surface, oldest first: where two hosts share a path, the older
	// keeps it and the newer answers when the Host header names it (mount).
	surfaces := []surface{
		{HostAPIs, oc.Register},
		{HostInventory, legacy.New(st, tokens, cfg.Log, cfg.Now).Register},
		{HostSite, site.Register},
		{HostSite, provider.Register}, // its /oauth/ paths are apis.roblox.com's
		{HostUsers, sessions.RegisterUsers},
		{HostAuth, sessions.RegisterAuth},
		{HostUsers, users.New(st, tokens, oc, cfg.Log).Register}, // its /cloud/ path is apis.roblox.com's
		{HostGroups, groups.New(st, tokens, cfg.Log).Register},
		{HostSite, func(mux routes.Mux) { own(mux, cfg) }},
	}
	rs, err := collect(surfaces)
	if err != nil {
		return nil, nil, err
	}
	mux, mounted, err := mount(rs)
	if err != nil {
		return nil, nil, fmt.Errorf("routes: %w", err)
	}
	return mux, mounted, nil
}

// own registers invcloud's probes, metrics and the JSON 404 of unknown
// paths.
func own(mux routes.Mux, cfg Config) {
	mux.HandleFunc("GET /healthz", func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "text/plain; charset=utf-8")
		w.Write([]byte("ok\n"))
	})
	mux.HandleFunc("GET /readyz", readyz(cfg))
	mux.HandleFunc("/", func(w http.ResponseWriter, r *http.Request) {
		opencloud.WriteGateway(w, http.StatusNotFound, "NotFound")
	})
	if cfg.Metrics != nil {
		mux.Handle("GET /metrics", cfg.Metrics.Handler())
	}
}

// readyz answers 200 when the store and every extra dependency answer, else
// 503. The checks run at once, each with its own timeout, so a dependency
// that hangs cannot make another look down; the body names each one's state:
//
//	unavailable: redis
//	redis: timeout
//	store: ok
//
// States are ok, timeout or error; the error itself (addresses and all) is
// logged, not served.
func readyz(cfg Config) http.HandlerFunc {
	timeout := cfg.ReadyTimeout
	if timeout <= 0 {
		timeout = time.Second
	}
	checks := map[string]func(context.Context) error{"store": cfg.Store.Ping}
	maps.Copy(checks, cfg.Ready)
	names := slices.Sorted(maps.Keys(checks))
	return func(w http.ResponseWriter, r *http.Request) {
		states := make([]string, len(names))
		var wg sync.WaitGroup
		for i, name := range names {
			wg.Go(func() {
				ctx, cancel := context.WithTimeout(r.Context(), timeout)
				defer cancel()
				err := checks[name](ctx)
				switch {
				case err == nil:
					states[i] = "ok"
					return
				case errors.Is(err, context.DeadlineExceeded) || ctx.Err() != nil || isTimeout(err):
					states[i] = "timeout"
				default:
					states[i] = "error"
				}
				cfg.Log.WarnContext(ctx, "not ready", "dependency", name, "state", states[i], "timeout", timeout, "err", err)
			})
		}
		wg.Wait()
		var failed []string
		var b strings.Builder
		for i, name := range names {
			fmt.Fprintf(&b, "%s: %s\n", name, states[i])
			if states[i] != "ok" {
				failed = append(failed, name)
			}
		}
		w.Header().Set("Content-Type", "text/plain; charset=utf-8")
		if len(failed) > 0 {
			w.WriteHeader(http.StatusServiceUnavailable)
			fmt.Fprintf(w, "unavailable: %s\n%s", strings.Join(failed, ", "), b.String())
			return
		}
		fmt.Fprintf(w, "ready\n%s", b.String())
	}
}

// maxHeaderBytes bounds the request line and headers. Roblox's URLs and
// headers are a few hundred bytes; net/http's default (1 MiB) let a single
// request carry a megabyte of query string into a handler.
const maxHeaderBytes = 64 << 10

// Serve serves h on ln until ctx ends, then shuts down gracefully, letting
// in-flight requests finish for up to grace.
func Serve(ctx context.Context, ln net.Listener, h http.Handler, log *slog.Logger, grace time.Duration) error {
	srv := &http.Server{
		Handler:           h,
		ReadHeaderTimeout: 10 * time.Second,
		MaxHeaderBytes:    maxHeaderBytes, // beyond it: 431, before any handler runs
		// Bodies are small (forms, JSON of a few KiB): a client trickling
		// one in must not hold a connection for ever.
		ReadTimeout:  30 * time.Second,
		WriteTimeout: 60 * time.Second,
		IdleTimeout:  2 * time.Minute,
		ErrorLog:     slog.NewLogLogger(log.Handler(), slog.LevelWarn),
		BaseContext:  func(net.Listener) context.Context { return context.WithoutCancel(ctx) },
	}
	errc := make(chan error, 1)
	go func() { errc <- srv.Serve(ln) }()
	select {
	case err := <-errc:
		return err
	case <-ctx.Done():
	}
	sctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), grace)
	defer cancel()
	if err := srv.Shutdown(sctx); err != nil {
		return fmt.Errorf("shutdown: %w", err)
	}
	if err := <-errc; !errors.Is(err, http.ErrServerClosed) {
		return err
	}
	return nil
}

// isTimeout reports a network timeout, such as go-redis's own read timeout,
// which fires before the check's deadline against a server that accepts
// connections and never answers.
func isTimeout(err error) bool {
	var ne net.Error
	return errors.As(err, &ne) && ne.Timeout()
}

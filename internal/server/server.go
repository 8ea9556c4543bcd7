// Package server wires invcloud together: storage, authentication, the API
// surfaces and the HTTP lifecycle.
package server

import (
	"context"
	"crypto/rand"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"net/http"
	"strings"
	"time"

	"github.com/invcloud/invcloud/internal/auth"
	"github.com/invcloud/invcloud/internal/opencloud"
	"github.com/invcloud/invcloud/internal/pagetoken"
	"github.com/invcloud/invcloud/internal/store"
	"github.com/invcloud/invcloud/internal/store/sqlite"
	"github.com/invcloud/invcloud/internal/web"
)

// OpenStore opens the store named by dsn: "sqlite:PATH" (or a bare path).
func OpenStore(ctx context.Context, dsn string) (store.Store, error) {
	switch {
	case strings.HasPrefix(dsn, "sqlite:"):
		return sqlite.Open(ctx, strings.TrimPrefix(dsn, "sqlite:"))
	case strings.Contains(dsn, "://"):
		scheme, _, _ := strings.Cut(dsn, "://")
		return nil, fmt.Errorf("unsupported database %q: only sqlite:PATH is available", scheme+"://")
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
}

// pageTokenSecret names the HMAC key of page tokens in the store, so every
// replica on one database signs alike.
const pageTokenSecret = "page-token-hmac-key"

// New returns the HTTP handler for every surface.
func New(ctx context.Context, cfg Config) (http.Handler, error) {
	if cfg.Log == nil {
		cfg.Log = slog.New(slog.DiscardHandler)
	}
	secret, err := cfg.Store.Secret(ctx, pageTokenSecret, func() ([]byte, error) {
		b := make([]byte, 32)
		_, err := rand.Read(b)
		return b, err
	})
	if err != nil {
		return nil, fmt.Errorf("page token secret: %w", err)
	}
	tokens, err := pagetoken.New(secret)
	if err != nil {
		return nil, err
	}
	authn := auth.New(cfg.Store, cfg.Now, cfg.Log)
	mux := http.NewServeMux()
	opencloud.New(cfg.Store, authn, tokens, cfg.Log).Register(mux)
	site, err := web.New(web.Config{Store: cfg.Store, Log: cfg.Log, Now: cfg.Now, SecureCookies: cfg.SecureCookies})
	if err != nil {
		return nil, err
	}
	site.Register(mux)
	mux.HandleFunc("GET /healthz", func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "text/plain; charset=utf-8")
		w.Write([]byte("ok\n"))
	})
	mux.HandleFunc("/", func(w http.ResponseWriter, r *http.Request) {
		opencloud.WriteGateway(w, http.StatusNotFound, "NotFound")
	})
	return withLogging(cfg.Log, mux), nil
}

// Serve serves h on ln until ctx ends, then shuts down gracefully, letting
// in-flight requests finish for up to grace.
func Serve(ctx context.Context, ln net.Listener, h http.Handler, log *slog.Logger, grace time.Duration) error {
	srv := &http.Server{
		Handler:           h,
		ReadHeaderTimeout: 10 * time.Second,
		IdleTimeout:       2 * time.Minute,
		ErrorLog:          slog.NewLogLogger(log.Handler(), slog.LevelWarn),
		BaseContext:       func(net.Listener) context.Context { return context.WithoutCancel(ctx) },
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

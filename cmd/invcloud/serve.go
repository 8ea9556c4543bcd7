package main

import (
	"context"
	"fmt"
	"io"
	"log/slog"
	"net"
	"strings"
	"time"

	"github.com/redis/go-redis/v9"
	"github.com/spf13/cobra"

	"github.com/invcloud/invcloud/internal/demo"
	"github.com/invcloud/invcloud/internal/metrics"
	"github.com/invcloud/invcloud/internal/ratelimit"
	"github.com/invcloud/invcloud/internal/server"
	"github.com/invcloud/invcloud/internal/store"
)

func (a *app) serveCmd() *cobra.Command {
	var addr string
	var withDemo bool
	var grace time.Duration
	var redisURL, rateLimits, quotaFail string
	var keyCache time.Duration
	var publicURL string
	var forceSecure bool
	cmd := mayCreateDatabase(&cobra.Command{
		Use:   "serve",
		Short: "Run the server",
		Args:  cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			ctx := cmd.Context()
			log := a.logger()
			// Libraries log through the same logger: the OAuth provider
			// through slog's default, go-redis through its own hook.
			slog.SetDefault(log)
			redis.SetLogger(redisLogger{log})
			s, err := a.open(ctx)
			if err != nil {
				return err
			}
			defer s.Close()
			if withDemo {
				if err := demo.Load(ctx, s, time.Now()); err != nil {
					return err
				}
			}
			cfg := server.Config{Store: s, Log: log, Metrics: metrics.New(), KeyCacheTTL: keyCache, Ready: map[string]func(context.Context) error{},
				SecureCookies: secureCookies(publicURL, forceSecure)}
			scale, err := ratelimit.ParseMode(rateLimits)
			if err != nil {
				return err
			}
			if quotaFail != "open" && quotaFail != "closed" {
				return fmt.Errorf("--quota-fail must be open or closed, not %q", quotaFail)
			}
			var lim ratelimit.Limiter = ratelimit.NewMemory(nil)
			if redisURL != "" {
				opt, err := redis.ParseURL(redisURL)
				if err != nil {
					return fmt.Errorf("--redis: %w", err)
				}
				ratelimit.FailFast(opt) // a dead Redis costs one short dial, then the breaker answers
				rdb := redis.NewClient(opt)
				defer rdb.Close()
				lim = ratelimit.NewRedis(rdb)
				cfg.Ready["redis"] = func(ctx context.Context) error { return rdb.Ping(ctx).Err() }
			}
			cfg.Quotas = ratelimit.New(lim, scale, quotaFail == "open", log)
			cfg.Quotas.Rejected = func(p ratelimit.Policy, oauth bool) { cfg.Metrics.QuotaRejected(p.Name, oauth) }
			_ = cfg.Quotas.Check(ctx) // warns when Redis does not answer; requests then fail open or closed at once
			ln, err := net.Listen("tcp", addr)
			if err != nil {
				return fmt.Errorf("listen: %w", err)
			}
			cfg.PublicURL = publicURL
			if cfg.PublicURL == "" {
				cfg.PublicURL = "http://" + ln.Addr().String()
			}
			if msg := unreachableIssuer(ln.Addr(), publicURL); msg != "" {
				log.WarnContext(ctx, msg, "addr", ln.Addr().String())
			}
			h, err := server.New(ctx, cfg)
			if err != nil {
				ln.Close()
				return err
			}
			log.InfoContext(ctx, "invcloud serving", "addr", ln.Addr().String(), "db", redact(a.db), "secure_cookies", cfg.SecureCookies)
			if withDemo {
				printDemo(cmd.OutOrStdout(), "http://"+ln.Addr().String(), publicURL)
			}
			return server.Serve(ctx, ln, h, log, grace)
		},
	})
	cmd.Flags().StringVar(&addr, "addr", "127.0.0.1:8080", "listen address")
	cmd.Flags().BoolVar(&withDemo, "demo", false, "load the demo data set (if absent) and print example requests")
	cmd.Flags().DurationVar(&grace, "shutdown-grace", 15*time.Second, "how long in-flight requests may run after a stop signal")
	cmd.Flags().DurationVar(&keyCache, "key-cache", time.Second, "how long API key lookups are cached in memory (0: off); other processes' key changes take up to this long to be seen")
	cmd.Flags().StringVar(&redisURL, "redis", "", "Redis URL (redis://host:6379/0) for quotas shared by every replica; default: in memory")
	cmd.Flags().StringVar(&rateLimits, "rate-limits", "roblox", "quotas: roblox (published limits), off, or xN (scaled, e.g. x10)")
	cmd.Flags().StringVar(&publicURL, "public-url", "", `URL clients reach this server at; the OAuth issuer is this + "/oauth/" (default "http://" + the listen address)`)
	cmd.Flags().BoolVar(&forceSecure, "secure-cookies", false, "mark cookies Secure even when --public-url is not https:// (TLS ends at a proxy in front)")
	cmd.Flags().StringVar(&quotaFail, "quota-fail", "open", "when Redis is unreachable: open (allow, and log) or closed (503 UNAVAILABLE)")
	return cmd
}

// secureCookies reports whether cookies must be marked Secure: the server is
// reached over HTTPS (so browsers must never send them in clear), or the
// operator says so.
func secureCookies(publicURL string, force bool) bool {
	return force || strings.HasPrefix(strings.ToLower(publicURL), "https://")
}

// unreachableIssuer is the warning for a server listening on a non-loopback
// address without --public-url: the OAuth issuer then names the listen
// address (http://0.0.0.0:8080/oauth/), which no client reaches by that
// name, so ID tokens and discovery documents point nowhere. "" when fine.
func unreachableIssuer(addr net.Addr, publicURL string) string {
	if publicURL != "" {
		return ""
	}
	tcp, ok := addr.(*net.TCPAddr)
	if !ok || tcp.IP.IsLoopback() {
		return ""
	}
	return fmt.Sprintf("the OAuth issuer http://%s/oauth/ will not be reachable by that name; pass --public-url with the URL clients use (e.g. https://inventory.example.com)", addr)
}

// redisLogger routes go-redis's log lines through the server's logger.
type redisLogger struct{ log *slog.Logger }

func (l redisLogger) Printf(ctx context.Context, format string, v ...any) {
	// go-redis logs only trouble (failed dials, bad connections) by default.
	l.log.WarnContext(ctx, strings.TrimSpace(fmt.Sprintf(format, v...)), "component", "go-redis")
}

// printDemo prints the demo's keys and example requests against base, the
// listen address; public, when given, is the address clients use instead
// (TLS may end in front of this server, so the examples keep base).
func printDemo(w io.Writer, base, public string) {
	k := demo.Keys
	if public != "" && public != base {
		fmt.Fprintf(w, "\ninvcloud is reached by clients at %s\n", public)
	}
	fmt.Fprintf(w, `
invcloud is serving demo data at %[1]s

Demo API keys (well-known secrets, for local use only):
  %[2]s   owner %[3]d, Inventory: Read
  %[4]s   owner %[5]d, no permissions
  %[6]s   owner %[7]d (private inventory), Inventory: Read

Try:
  # The inventory guide's ownership check: the user owns one of the three assets
  curl -s -H 'x-api-key: %[2]s' '%[1]s/cloud/v2/users/%[3]d/inventory-items?filter=assetIds=62724852,1028595,4773588762'

  # All collectibles of a public inventory, 5 per page
  curl -s -H 'x-api-key: %[4]s' '%[1]s/cloud/v2/users/%[5]d/inventory-items?maxPageSize=5&filter=onlyCollectibles=true;inventoryItemAssetTypes=*'

  # A private inventory, read with its owner's own key
  curl -s -H 'x-api-key: %[6]s' '%[1]s/cloud/v2/users/%[7]d/inventory-items'

  # ...and refused to anyone else
  curl -s -H 'x-api-key: %[4]s' '%[1]s/cloud/v2/users/%[7]d/inventory-items'

  # What a key may do
  curl -s -X POST -H 'Content-Type: application/json' -d '{"apiKey":"%[2]s"}' '%[1]s/api-keys/v1/introspect'

  # The legacy inventory.roblox.com API (anonymous where Roblox allows it)
  curl -s '%[1]s/v1/users/%[3]d/items/GamePass/777777/is-owned'
  curl -s '%[1]s/v1/users/%[5]d/assets/collectibles?limit=10'

Web pages: %[1]s/login  (every demo user's password is %[8]q, e.g. GuideUser, PrivatePat)

`, base, k[0].Secret, k[0].OwnerID, k[1].Secret, k[1].OwnerID, k[2].Secret, k[2].OwnerID, demo.Password)
}

func (a *app) demoCmd() *cobra.Command {
	cmd := &cobra.Command{Use: "demo", Short: "Demo data"}
	cmd.AddCommand(mayCreateDatabase(&cobra.Command{
		Use:   "load",
		Short: "Load the demo data set and demo API keys (idempotent)",
		Args:  cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			return a.withStore(cmd, func(ctx context.Context, s store.Store) error {
				if err := demo.Load(ctx, s, time.Now()); err != nil {
					return err
				}
				fmt.Fprintln(cmd.ErrOrStderr(), "demo data loaded")
				return nil
			})
		},
	}))
	return cmd
}

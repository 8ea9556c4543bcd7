package server

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/invcloud/invcloud/internal/account"
	"github.com/invcloud/invcloud/internal/demo"
	"github.com/invcloud/invcloud/internal/legacy"
	"github.com/invcloud/invcloud/internal/metrics"
	"github.com/invcloud/invcloud/internal/routes"
	"github.com/invcloud/invcloud/internal/store"
)

// wantShared are the routes answered only when the Host header names their
// host, because another host has the same path (see mount). None today:
// every Roblox path invcloud serves is unique across hosts, so a client
// changes only its base URL. A route that lands here needs a line in
// README ("Hosts") and docs/compat.md, since a client pointing every host
// at one base URL no longer reaches it.
var wantShared = []string{}

// demoServer is the real server's routes and handler on a demo store.
type demoServer struct {
	store   store.Store
	routes  []hostRoute
	mux     *http.ServeMux
	handler http.Handler
}

func newDemoServer(t *testing.T) *demoServer {
	t.Helper()
	ctx := context.Background()
	s, err := OpenStore(ctx, "sqlite:"+filepath.Join(t.TempDir(), "s.db"))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { s.Close() })
	if err := demo.Load(ctx, s, time.Now()); err != nil {
		t.Fatal(err)
	}
	// Metrics on, so /metrics is among the routes.
	cfg := Config{Store: s, Log: slog.New(slog.DiscardHandler), Metrics: metrics.New()}
	mux, rs, err := assemble(ctx, cfg)
	if err != nil {
		t.Fatal(err)
	}
	h, err := New(ctx, cfg)
	if err != nil {
		t.Fatal(err)
	}
	return &demoServer{store: s, routes: rs, mux: mux, handler: h}
}

// wildcard matches a ServeMux wildcard: {name}, {name...} or {$}.
var wildcard = regexp.MustCompile(`\{[^}]*\}`)

// sample is a request path the pattern's path matches: each wildcard
// filled with "1", {$} with nothing.
func sample(path string) string {
	return wildcard.ReplaceAllStringFunc(path, func(w string) string {
		if w == "{$}" {
			return ""
		}
		return "1"
	})
}

// shape is a pattern with its wildcards' names erased: two routes of one
// shape are the same route to ServeMux.
func shape(pattern string) string {
	return wildcard.ReplaceAllStringFunc(pattern, func(w string) string {
		if strings.HasSuffix(w, "...}") {
			return "{...}"
		}
		if w == "{$}" {
			return w
		}
		return "{}"
	})
}

// TestRouteCollisions registers every route of every surface, as the real
// server does, and fails if two hosts' routes would collide: the same
// method and path, or patterns ServeMux refuses side by side (it would
// panic at start), or a route whose own request another host's route
// answers (a more specific pattern shadowing it). Where a path collides,
// mount routes it by Host, and the route must be listed in wantShared.
func TestRouteCollisions(t *testing.T) {
	d := newDemoServer(t)
	hosts := map[string]int{}
	for _, r := range d.routes {
		hosts[r.Host]++
	}
	for _, h := range []string{HostAPIs, HostInventory, HostUsers, HostAuth, HostGroups, HostSite} {
		if hosts[h] == 0 {
			t.Errorf("no route of %s: the test no longer sees every surface (%v)", h, hosts)
		}
	}
	t.Logf("%d routes: %v", len(d.routes), hosts)

	// The same shape from two hosts.
	byShape := map[string]hostRoute{}
	for _, r := range d.routes {
		k := shape(r.Pattern)
		if o, ok := byShape[k]; ok && o.Host != r.Host {
			t.Errorf("%s %q and %s %q are the same route", o.Host, o.Pattern, r.Host, r.Pattern)
		}
		byShape[k] = r
	}
	// Patterns ServeMux refuses side by side, from two hosts.
	for i, a := range d.routes {
		for _, b := range d.routes[i+1:] {
			if a.Host != b.Host && conflicts(a.Pattern, b.Pattern) {
				t.Errorf("%s %q conflicts with %s %q", a.Host, a.Pattern, b.Host, b.Pattern)
			}
		}
	}
	// Each route's own request reaches its host.
	host := map[string]string{} // mounted pattern -> host
	for _, r := range d.routes {
		for _, p := range r.Mounted {
			host[p] = r.Host
		}
	}
	var shared []string
	for _, r := range d.routes {
		if r.Shared() {
			shared = append(shared, r.Host+" "+r.Pattern)
		}
		method, path, _ := splitPattern(r.Pattern)
		if method == "" {
			method = http.MethodPatch // a method-less pattern answers any
		}
		req := httptest.NewRequest(method, sample(path), nil)
		if names := hostNames(r.Host); r.Shared() {
			req.Host = names[0]
		}
		_, got := d.mux.Handler(req)
		if host[got] != r.Host {
			t.Errorf("%s %s (%s's %q) is answered by %s's %q", method, req.URL.Path, r.Host, r.Pattern, host[got], got)
		}
	}
	if !slices.Equal(shared, wantShared) {
		t.Errorf("routes answered only by Host: %q, want %q (list them in wantShared, README and docs/compat.md)", shared, wantShared)
	}
}

// TestMountHostRouting shows what mount does when two hosts do share a
// path (as groups.roblox.com's /v1/users/{userId}/... might one day): the
// older host keeps it for every Host, the newer answers when the Host
// header names it, by its Roblox name or NAME.localhost, any port.
func TestMountHostRouting(t *testing.T) {
	answer := func(s string) http.Handler {
		return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { io.WriteString(w, s) })
	}
	reg := func(rs ...routes.Route) func(routes.Mux) {
		return func(m routes.Mux) {
			for _, r := range rs {
				m.Handle(r.Pattern, r.Handler)
			}
		}
	}
	rs, err := collect([]surface{
		{HostInventory, reg(routes.Route{Pattern: "GET /v1/users/{userId}/roles", Handler: answer("inventory")})},
		{"groups.roblox.com", reg(
			routes.Route{Pattern: "GET /v1/users/{id}/roles", Handler: answer("groups")},
			routes.Route{Pattern: "GET /v1/groups/{id}", Handler: answer("groups only")},
		)},
	})
	if err != nil {
		t.Fatal(err)
	}
	mux, mounted, err := mount(rs)
	if err != nil {
		t.Fatal(err)
	}
	if !mounted[1].Shared() || mounted[0].Shared() || mounted[2].Shared() {
		t.Fatalf("shared: %v %v %v", mounted[0].Mounted, mounted[1].Mounted, mounted[2].Mounted)
	}
	for _, tc := range []struct{ host, path, want string }{
		{"127.0.0.1:8080", "/v1/users/7/roles", "inventory"},
		{"inventory.roblox.com", "/v1/users/7/roles", "inventory"},
		{"groups.roblox.com", "/v1/users/7/roles", "groups"},
		{"groups.localhost:8080", "/v1/users/7/roles", "groups"},
		{"groups.localhost", "/v1/users/7/roles", "groups"},
		{"127.0.0.1:8080", "/v1/groups/7", "groups only"}, // unshared paths need no Host
	} {
		req := httptest.NewRequest(http.MethodGet, tc.path, nil)
		req.Host = tc.host
		w := httptest.NewRecorder()
		mux.ServeHTTP(w, req)
		if w.Body.String() != tc.want {
			t.Errorf("Host %s %s: %q, want %q", tc.host, tc.path, w.Body, tc.want)
		}
	}

	// Two conflicting routes of one host are a bug, not a shared path;
	// invcloud's own pages have no Host name, so may not collide.
	for name, ss := range map[string][]surface{
		"one host": {{HostUsers, reg(routes.Route{Pattern: "GET /v1/x/{a}", Handler: answer("")}, routes.Route{Pattern: "GET /v1/x/{b}", Handler: answer("")})}},
		"own page": {{HostUsers, reg(routes.Route{Pattern: "GET /login", Handler: answer("")})}, {HostSite, reg(routes.Route{Pattern: "GET /login", Handler: answer("")})}},
	} {
		rs, err := collect(ss)
		if err != nil {
			t.Fatal(err)
		}
		if _, _, err := mount(rs); err == nil {
			t.Errorf("%s: mount accepted a collision", name)
		} else {
			t.Logf("%s: %v", name, err)
		}
	}
}

// csrfExempt are the legacy-style POSTs Roblox documents as needing no
// token ("Does not require X-CSRF-Token protection", spec 26.1, 26.2).
var csrfExempt = []string{"POST /v1/usernames/users", "POST /v1/users"}

// TestOnlyCSRFChallengeCarriesToken sends every route of every surface,
// every method a method-less route answers, with a live session's cookie
// (with and without its token) and with none: x-csrf-token appears only on
// the CSRF 403 (RoZod resends any request whose answer has it), and every
// state-changing call on a legacy-style host with a cookie and no token is
// that 403.
func TestOnlyCSRFChallengeCarriesToken(t *testing.T) {
	d := newDemoServer(t)
	ctx := context.Background()
	n := 0
	// newSession is a fresh session of GuideUser (a logout with the token
	// ends one) and its token.
	newSession := func() (cookie, token string) {
		n++
		cookie = fmt.Sprintf("%s%064X", account.CookiePrefix, n)
		secret := []byte(fmt.Sprint("csrf secret ", n))
		now := time.Now()
		err := d.store.CreateSession(ctx, store.Session{Hash: account.HashSessionToken(cookie), UserID: demo.GuideUser,
			CSRFSecret: secret, Created: now, Expires: now.Add(time.Hour)})
		if err != nil {
			t.Fatal(err)
		}
		return cookie, legacy.CSRFToken(secret, now)
	}
	legacyStyle := map[string]bool{HostInventory: true, HostUsers: true, HostAuth: true, HostGroups: true}
	requests := 0
	for _, r := range d.routes {
		method, path, _ := splitPattern(r.Pattern)
		methods := []string{method}
		if method == "" {
			methods = []string{http.MethodGet, http.MethodPost, http.MethodPut, http.MethodPatch, http.MethodDelete}
		}
		for _, m := range methods {
			for _, variant := range []string{"cookie", "cookie+token", "none"} {
				cookie, token := newSession()
				req := httptest.NewRequest(m, sample(path), nil)
				req.RemoteAddr = "192.0.2.10:5555"
				if names := hostNames(r.Host); r.Shared() {
					req.Host = names[0]
				}
				if variant != "none" {
					req.Header.Set("Cookie", account.CookieName+"="+cookie+";")
				}
				if variant == "cookie+token" {
					req.Header.Set("X-CSRF-TOKEN", token)
				}
				w := httptest.NewRecorder()
				d.handler.ServeHTTP(w, req)
				requests++
				what := fmt.Sprintf("%s %s (%s's %q) with %s: %d", m, req.URL.Path, r.Host, r.Pattern, variant, w.Code)
				if tok := w.Header().Values("X-Csrf-Token"); len(tok) > 0 && !isCSRFRefusal(w) {
					t.Errorf("%s carries x-csrf-token %q: only the CSRF 403 may (body %.200s)", what, tok, w.Body)
				}
				exempt := slices.Contains(csrfExempt, m+" "+path)
				// A method-less route is a 405 for the methods its path
				// lacks; whether the handshake or the 405 comes first is
				// undocumented (inventory's and auth's challenge first).
				fallback := method == "" && w.Code == http.StatusMethodNotAllowed
				if variant == "cookie" && legacyStyle[r.Host] && !exempt && !fallback && m != http.MethodGet && !isCSRFRefusal(w) {
					t.Errorf("%s: a state-changing call with a cookie and no token must be the CSRF 403 (body %.200s)", what, w.Body)
				}
				if exempt && isCSRFRefusal(w) {
					t.Errorf("%s: challenged, but Roblox documents it needs no token", what)
				}
			}
		}
	}
	t.Logf("%d routes, %d requests", len(d.routes), requests)
}

// isCSRFRefusal reports whether the response is the handshake's 403: the
// header, and either host style's body.
func isCSRFRefusal(w *httptest.ResponseRecorder) bool {
	if w.Code != http.StatusForbidden || w.Header().Get("X-Csrf-Token") == "" {
		return false
	}
	var env struct {
		Errors []struct {
			Code    int    `json:"code"`
			Message string `json:"message"`
		} `json:"errors"`
		Code    *int   `json:"code"`
		Message string `json:"message"`
	}
	if json.Unmarshal(w.Body.Bytes(), &env) != nil {
		return false
	}
	if len(env.Errors) == 1 {
		return env.Errors[0].Code == 0 && env.Errors[0].Message == legacy.MsgXSRFInvalid
	}
	return env.Code != nil && *env.Code == 0 && env.Message == legacy.MsgTokenValidation
}

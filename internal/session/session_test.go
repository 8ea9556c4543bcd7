package session_test

import (
	"context"
	"crypto/sha256"
	"errors"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/invcloud/invcloud/internal/account"
	"github.com/invcloud/invcloud/internal/demo"
	"github.com/invcloud/invcloud/internal/golden"
	"github.com/invcloud/invcloud/internal/inventory"
	"github.com/invcloud/invcloud/internal/legacy"
	"github.com/invcloud/invcloud/internal/pagetoken"
	"github.com/invcloud/invcloud/internal/session"
	"github.com/invcloud/invcloud/internal/store"
	"github.com/invcloud/invcloud/internal/store/sqlite"
)

var update = flag.Bool("update", false, "rewrite golden files")

const goldenDir = "testdata/golden"

// testNow is the fixed clock: tokens and cookies are deterministic, so the
// golden files are too.
var testNow = time.Date(2026, 6, 1, 12, 0, 0, 0, time.UTC)

// env is the session endpoints beside the legacy inventory ones (the
// state-changing call of the cookie flow) on a demo store, with a session
// per demo user.
type env struct {
	t       testing.TB
	store   *failingStore
	handler http.Handler
	mu      sync.Mutex
	now     time.Time
}

// failingStore fails DeleteSession on demand, and loses a user.
type failingStore struct {
	store.Store
	failDelete error
	lost       int64 // User answers ErrNotFound for this id
}

func (f *failingStore) User(ctx context.Context, id int64) (inventory.User, error) {
	if id == f.lost {
		return inventory.User{}, fmt.Errorf("user %d: %w", id, store.ErrNotFound)
	}
	return f.Store.User(ctx, id)
}

func (f *failingStore) DeleteSession(ctx context.Context, h account.TokenHash) error {
	if f.failDelete != nil {
		return f.failDelete
	}
	return f.Store.DeleteSession(ctx, h)
}

func newEnv(t testing.TB) *env {
	t.Helper()
	ctx := context.Background()
	s, err := sqlite.Open(ctx, filepath.Join(t.TempDir(), "test.db"))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { s.Close() })
	if err := demo.Load(ctx, s, testNow); err != nil {
		t.Fatal(err)
	}
	e := &env{t: t, store: &failingStore{Store: s}, now: testNow}
	for _, u := range demo.Set().Users {
		e.session(u.ID)
	}
	tokens, err := pagetoken.New([]byte("0123456789abcdef0123456789abcdef"))
	if err != nil {
		t.Fatal(err)
	}
	log := slog.New(slog.DiscardHandler)
	mux := http.NewServeMux()
	h := session.New(session.Config{Store: e.store, Log: log, Now: e.clock})
	h.RegisterUsers(mux)
	h.RegisterAuth(mux)
	legacy.New(e.store, tokens, log, e.clock).Register(mux)
	e.handler = mux
	return e
}

func (e *env) clock() time.Time {
	e.mu.Lock()
	defer e.mu.Unlock()
	return e.now
}

func (e *env) advance(d time.Duration) {
	e.mu.Lock()
	e.now = e.now.Add(d)
	e.mu.Unlock()
}

// cookie is the deterministic .ROBLOSECURITY value of user's test session.
func cookie(userID int64) string { return fmt.Sprintf("%s%064X", account.CookiePrefix, userID) }

func csrfSecret(userID int64) []byte {
	h := sha256.Sum256([]byte(fmt.Sprint("csrf ", userID)))
	return h[:]
}

// sessionDays is how long test sessions live.
const sessionDays = 30

func (e *env) session(userID int64) {
	e.t.Helper()
	err := e.store.CreateSession(context.Background(), store.Session{Hash: account.HashSessionToken(cookie(userID)), UserID: userID,
		CSRFSecret: csrfSecret(userID), Created: testNow, Expires: testNow.Add(sessionDays * 24 * time.Hour)})
	if err != nil {
		e.t.Fatal(err)
	}
}

// token is user's current X-CSRF-TOKEN.
func (e *env) token(userID int64) string { return legacy.CSRFToken(csrfSecret(userID), e.clock()) }

// req is a request as the clients send it: the cookie as noblox.js writes
// it (".ROBLOSECURITY=<value>;", trailing semicolon), no body unless given.
type req struct {
	method, target string
	cookie         string // the .ROBLOSECURITY value; "" for none
	token          string // X-CSRF-TOKEN; "" for none
	header         map[string]string
	body           string
}

type response struct {
	Status int
	Header http.Header
	Body   []byte
}

func (e *env) do(rq req) response {
	e.t.Helper()
	method := rq.method
	if method == "" {
		method = http.MethodGet
	}
	var body io.Reader
	if rq.body != "" {
		body = strings.NewReader(rq.body)
	}
	r := httptest.NewRequest(method, rq.target, body)
	if rq.cookie != "" {
		r.Header.Set("Cookie", account.CookieName+"="+rq.cookie+";")
	}
	if rq.token != "" {
		r.Header.Set("X-CSRF-TOKEN", rq.token)
	}
	for k, v := range rq.header {
		r.Header.Set(k, v)
	}
	w := httptest.NewRecorder()
	e.handler.ServeHTTP(w, r)
	res := w.Result()
	b, _ := io.ReadAll(res.Body)
	return response{Status: res.StatusCode, Header: res.Header, Body: b}
}

// live reports whether user's test session still authenticates.
func (e *env) live(userID int64) bool {
	e.t.Helper()
	return e.do(req{target: "/v1/users/authenticated", cookie: cookie(userID)}).Status == http.StatusOK
}

type goldenCase struct {
	name   string
	req    func(e *env) req
	setup  func(e *env)
	status int
	// live, when set, is whether the caller's session must survive.
	live *bool
	// age moves the clock after the request is built (a token gone stale).
	age time.Duration
}

var (
	ended    = new(bool)
	survives = func() *bool { b := true; return &b }()
)

// unknownCookie names no session: well formed, never issued.
var unknownCookie = account.CookiePrefix + strings.Repeat("AB", 32)

func goldenCases() []goldenCase {
	const guide = demo.GuideUser
	fixed := func(r req) func(*env) req { return func(*env) req { return r } }
	withToken := func(r req, as int64) func(*env) req {
		return func(e *env) req { r.token = e.token(as); return r }
	}
	logout := func(path string) req { return req{method: http.MethodPost, target: path, cookie: cookie(guide)} }
	return []goldenCase{
		// GET /v1/users/authenticated (spec 24)
		{name: "authenticated", req: fixed(req{target: "/v1/users/authenticated", cookie: cookie(guide)}), status: 200},
		{name: "authenticated-collector", req: fixed(req{target: "/v1/users/authenticated", cookie: cookie(demo.CollectorUser)}), status: 200},
		{name: "authenticated-401-no-cookie", req: fixed(req{target: "/v1/users/authenticated"}), status: 401},
		{name: "authenticated-401-unknown-cookie", req: fixed(req{target: "/v1/users/authenticated", cookie: unknownCookie}), status: 401},
		{name: "authenticated-401-expired", req: fixed(req{target: "/v1/users/authenticated", cookie: cookie(guide)}), status: 401,
			setup: func(e *env) { e.advance(sessionDays*24*time.Hour + time.Second) }},
		{name: "authenticated-401-user-deleted", req: fixed(req{target: "/v1/users/authenticated", cookie: cookie(demo.TraderUser)}), status: 401,
			// A session whose user is gone (deleted between the two reads):
			// the cookie must not stand for a missing user.
			setup: func(e *env) { e.store.lost = demo.TraderUser }},
		{name: "authenticated-403-csrf-post", req: fixed(req{method: http.MethodPost, target: "/v1/users/authenticated", cookie: cookie(guide)}), status: 403},
		{name: "authenticated-405-post", req: withToken(req{method: http.MethodPost, target: "/v1/users/authenticated", cookie: cookie(guide)}, guide), status: 405},

		// POST /v2/logout, /v1/logout (spec 25)
		{name: "logout-403-no-token", req: fixed(logout("/v2/logout")), status: 403, live: survives},
		{name: "logout-403-stale-token", req: withToken(logout("/v2/logout"), guide), status: 403, live: survives, age: 2 * legacy.CSRFRotation},
		{name: "logout-403-wrong-token", req: fixed(func() req { r := logout("/v2/logout"); r.token = "AAAAAAAAAAAA"; return r }()), status: 403, live: survives},
		{name: "logout-403-other-sessions-token", req: withToken(logout("/v2/logout"), demo.CollectorUser), status: 403, live: survives},
		{name: "logout-403-openblox-undefined", req: fixed(func() req { r := logout("/v2/logout"); r.token = "undefined"; return r }()), status: 403, live: survives},
		{name: "logout", req: withToken(logout("/v2/logout"), guide), status: 200, live: ended},
		{name: "logout-v1", req: withToken(logout("/v1/logout"), guide), status: 200, live: ended},
		{name: "logout-json-empty-body", req: withToken(func() req {
			r := logout("/v2/logout")
			r.header = map[string]string{"Content-Type": "application/json"}
			return r
		}(), guide), status: 200, live: ended},
		{name: "logout-401-no-cookie", req: fixed(req{method: http.MethodPost, target: "/v2/logout"}), status: 401},
		{name: "logout-403-unknown-cookie", req: fixed(req{method: http.MethodPost, target: "/v2/logout", cookie: unknownCookie}), status: 403},
		{name: "logout-401-unknown-cookie-token", req: func(e *env) req {
			return req{method: http.MethodPost, target: "/v2/logout", cookie: unknownCookie,
				token: legacy.CSRFToken(hashOf(unknownCookie), e.clock())}
		}, status: 401},
		{name: "logout-405-get", req: fixed(req{target: "/v2/logout", cookie: cookie(guide)}), status: 405, live: survives},
		{name: "logout-500", req: withToken(logout("/v2/logout"), guide), status: 500, live: survives,
			setup: func(e *env) { e.store.failDelete = errors.New("disk on fire") }},
	}
}

func hashOf(cookie string) []byte {
	h := account.HashSessionToken(cookie)
	return h[:]
}

func TestGolden(t *testing.T) {
	seen := map[string]bool{}
	for _, c := range goldenCases() {
		if seen[c.name] {
			t.Fatalf("duplicate case %s", c.name)
		}
		seen[c.name] = true
		t.Run(c.name, func(t *testing.T) {
			e := newEnv(t)
			if c.setup != nil {
				c.setup(e)
			}
			rq := c.req(e)
			e.advance(c.age)
			resp := e.do(rq)
			if resp.Status != c.status {
				t.Errorf("status %d, want %d (body %s)", resp.Status, c.status, resp.Body)
			}
			tok := resp.Header.Get("x-csrf-token")
			if (c.status == http.StatusForbidden) != (tok != "") {
				t.Errorf("status %d with x-csrf-token %q: only the CSRF 403 carries it", resp.Status, tok)
			}
			e.store.failDelete = nil
			if c.live != nil && e.live(demo.GuideUser) != *c.live {
				t.Errorf("session live = %v, want %v", !*c.live, *c.live)
			}
			checkGolden(t, c.name, resp)
		})
	}
}

// goldenHeaders are the response headers a golden file records.
var goldenHeaders = []string{"Content-Type", "Cache-Control", "Allow", "X-Csrf-Token", "Set-Cookie"}

func checkGolden(t *testing.T, name string, resp response) {
	t.Helper()
	golden.Files{Dir: goldenDir, Update: *update, Headers: goldenHeaders, ExactBody: true}.Check(t, name, resp.Status, resp.Header, resp.Body)
}

package legacy_test

import (
	"context"
	"crypto/sha256"
	"encoding/json"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"path/filepath"
	"sync"
	"testing"
	"time"

	"github.com/invcloud/invcloud/internal/account"
	"github.com/invcloud/invcloud/internal/auth"
	"github.com/invcloud/invcloud/internal/demo"
	"github.com/invcloud/invcloud/internal/inventory"
	"github.com/invcloud/invcloud/internal/legacy"
	"github.com/invcloud/invcloud/internal/opencloud"
	"github.com/invcloud/invcloud/internal/pagetoken"
	"github.com/invcloud/invcloud/internal/store"
	"github.com/invcloud/invcloud/internal/store/sqlite"
)

// testNow is the fixed clock of handler tests.
var testNow = time.Date(2026, 6, 1, 12, 0, 0, 0, time.UTC)

// env is the legacy handler (and the Open Cloud one, for comparisons) on a
// fresh SQLite store.
type env struct {
	t       testing.TB
	Store   store.Store
	Calls   *countingStore
	Handler http.Handler
	mu      sync.Mutex
	now     time.Time
}

// countingStore counts the listing reads and the writes that reach the
// store, to prove that refused requests read and change nothing.
type countingStore struct {
	store.Store
	mu            sync.Mutex
	reads, writes int
	failWrites    error // when set, writes fail with it
}

func (c *countingStore) read() {
	c.mu.Lock()
	c.reads++
	c.mu.Unlock()
}

func (c *countingStore) write() error {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.writes++
	return c.failWrites
}

func (c *countingStore) counts() (reads, writes int) {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.reads, c.writes
}

func (c *countingStore) ListInventory(ctx context.Context, userID int64, q inventory.Query, after inventory.Position, limit int) ([]inventory.Item, error) {
	c.read()
	return c.Store.ListInventory(ctx, userID, q, after, limit)
}

func (c *countingStore) UserCollectibles(ctx context.Context, userID int64, t int, types inventory.TypeSet, sp store.Span) ([]store.OwnedAsset, error) {
	c.read()
	return c.Store.UserCollectibles(ctx, userID, t, types, sp)
}

func (c *countingStore) UserAssets(ctx context.Context, userID int64, ts []int, sp store.Span) ([]store.OwnedAsset, error) {
	c.read()
	return c.Store.UserAssets(ctx, userID, ts, sp)
}

func (c *countingStore) CollectibleOwners(ctx context.Context, assetID, viewer int64, sp store.Span) ([]store.AssetOwner, error) {
	c.read()
	return c.Store.CollectibleOwners(ctx, assetID, viewer, sp)
}

func (c *countingStore) PlacesInTab(ctx context.Context, userID int64, tab store.PlacesTab, sp store.Span) ([]store.PlaceListing, error) {
	c.read()
	return c.Store.PlacesInTab(ctx, userID, tab, sp)
}

func (c *countingStore) AddToCollection(ctx context.Context, userID int64, item inventory.ItemRef, capacity int, at time.Time) error {
	if err := c.write(); err != nil {
		return err
	}
	return c.Store.AddToCollection(ctx, userID, item, capacity, at)
}

func (c *countingStore) RemoveFromCollection(ctx context.Context, userID int64, item inventory.ItemRef) error {
	if err := c.write(); err != nil {
		return err
	}
	return c.Store.RemoveFromCollection(ctx, userID, item)
}

func (c *countingStore) Revoke(ctx context.Context, userID int64, ref inventory.Ref) (int, error) {
	if err := c.write(); err != nil {
		return 0, err
	}
	return c.Store.Revoke(ctx, userID, ref)
}

// testSecret signs cursors in tests (and page tokens of the Open Cloud
// handler beside it).
var testSecret = []byte("0123456789abcdef0123456789abcdef")

func newEnv(t testing.TB) *env {
	t.Helper()
	ctx := context.Background()
	s, err := sqlite.Open(ctx, filepath.Join(t.TempDir(), "test.db"))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { s.Close() })
	tokens, err := pagetoken.New(testSecret)
	if err != nil {
		t.Fatal(err)
	}
	e := &env{t: t, Store: s, now: testNow}
	e.Calls = &countingStore{Store: s}
	log := slog.New(slog.DiscardHandler)
	mux := http.NewServeMux()
	legacy.New(e.Calls, tokens, log, e.clock).Register(mux)
	opencloud.New(s, auth.New(s, e.clock, log), tokens, log).Register(mux)
	e.Handler = mux
	return e
}

func (e *env) clock() time.Time {
	e.mu.Lock()
	defer e.mu.Unlock()
	return e.now
}

// advance moves the clock.
func (e *env) advance(d time.Duration) {
	e.mu.Lock()
	e.now = e.now.Add(d)
	e.mu.Unlock()
}

// demoEnv is an env holding the demo data set, with a session per user.
func demoEnv(t testing.TB) *env {
	t.Helper()
	e := newEnv(t)
	if err := demo.Load(context.Background(), e.Store, testNow); err != nil {
		t.Fatal(err)
	}
	for _, u := range demo.Set().Users {
		e.session(u.ID)
	}
	return e
}

// cookie is the deterministic .ROBLOSECURITY value of user's test session.
func cookie(userID int64) string { return fmt.Sprintf("%s%064X", account.CookiePrefix, userID) }

// csrfSecret is the CSRF secret of user's test session.
func csrfSecret(userID int64) []byte {
	h := sha256.Sum256([]byte(fmt.Sprint("csrf ", userID)))
	return h[:]
}

// session creates user's test session.
func (e *env) session(userID int64) {
	e.t.Helper()
	err := e.Store.CreateSession(context.Background(), store.Session{Hash: account.HashSessionToken(cookie(userID)), UserID: userID,
		CSRFSecret: csrfSecret(userID), Created: testNow, Expires: testNow.Add(30 * 24 * time.Hour)})
	if err != nil {
		e.t.Fatal(err)
	}
}

// token is user's current X-CSRF-TOKEN.
func (e *env) token(userID int64) string { return legacy.CSRFToken(csrfSecret(userID), e.clock()) }

// req describes a request: as a signed-in user (0: anonymous), with a
// valid CSRF token or not, and extra headers.
type req struct {
	method, target string
	as             int64
	csrf           bool
	header         map[string]string
}

// response is a recorded response.
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
	r := httptest.NewRequest(method, rq.target, nil)
	r.RemoteAddr = "192.0.2.10:5555"
	if rq.as != 0 {
		r.AddCookie(&http.Cookie{Name: account.CookieName, Value: cookie(rq.as)})
		if rq.csrf {
			r.Header.Set("X-CSRF-TOKEN", e.token(rq.as))
		}
	}
	for k, v := range rq.header {
		if k == "Cookie" {
			r.Header.Add(k, v)
			continue
		}
		r.Header.Set(k, v)
	}
	w := httptest.NewRecorder()
	e.Handler.ServeHTTP(w, r)
	body, _ := io.ReadAll(w.Result().Body)
	return response{Status: w.Code, Header: w.Result().Header, Body: body}
}

func (e *env) get(target string, as int64) response {
	e.t.Helper()
	return e.do(req{target: target, as: as})
}

// decode unmarshals the body into v.
func (r response) decode(t testing.TB, v any) {
	t.Helper()
	if err := json.Unmarshal(r.Body, v); err != nil {
		t.Fatalf("decode %s: %v", r.Body, err)
	}
}

// errorCode returns the code of a legacy error body, or -1.
func (r response) errorCode() int {
	var body struct {
		Errors []struct {
			Code int `json:"code"`
		} `json:"errors"`
	}
	if json.Unmarshal(r.Body, &body) != nil || len(body.Errors) != 1 {
		return -1
	}
	return body.Errors[0].Code
}

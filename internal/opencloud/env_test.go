package opencloud_test

import (
	"context"
	"encoding/json"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"path/filepath"
	"testing"
	"time"

	"github.com/invcloud/invcloud/internal/apikey"
	"github.com/invcloud/invcloud/internal/auth"
	"github.com/invcloud/invcloud/internal/inventory"
	"github.com/invcloud/invcloud/internal/opencloud"
	"github.com/invcloud/invcloud/internal/pagetoken"
	"github.com/invcloud/invcloud/internal/store"
	"github.com/invcloud/invcloud/internal/store/sqlite"
)

// testNow is the fixed clock of handler tests.
var testNow = time.Date(2026, 6, 1, 12, 0, 0, 0, time.UTC)

// env is an Open Cloud handler on a fresh SQLite store.
type env struct {
	t     testing.TB
	Store store.Store
	// Lists counts ListInventory calls, to prove refused requests read nothing.
	Lists   *countingStore
	Handler http.Handler
}

type countingStore struct {
	store.Store
	calls int
}

func (c *countingStore) ListInventory(ctx context.Context, userID int64, q inventory.Query, after inventory.Position, limit int) ([]inventory.Item, error) {
	c.calls++
	return c.Store.ListInventory(ctx, userID, q, after, limit)
}

func newEnv(t testing.TB) *env {
	t.Helper()
	ctx := context.Background()
	s, err := sqlite.Open(ctx, filepath.Join(t.TempDir(), "test.db"))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { s.Close() })
	tokens, err := pagetoken.New([]byte("0123456789abcdef0123456789abcdef"))
	if err != nil {
		t.Fatal(err)
	}
	cs := &countingStore{Store: s}
	log := slog.New(slog.DiscardHandler)
	a := auth.New(s, func() time.Time { return testNow }, log)
	mux := http.NewServeMux()
	opencloud.New(cs, a, tokens, log).Register(mux)
	return &env{t: t, Store: s, Lists: cs, Handler: mux}
}

// user creates a user.
func (e *env) user(id int64, vis inventory.Visibility) {
	e.t.Helper()
	err := e.Store.CreateUser(context.Background(), inventory.User{ID: id, Name: "user" + itoa(id), DisplayName: "User", Visibility: vis, Created: testNow})
	if err != nil {
		e.t.Fatal(err)
	}
}

// key creates an API key for owner and returns its secret.
func (e *env) key(owner int64, mod func(*apikey.Key), scopes ...string) string {
	e.t.Helper()
	secret, err := apikey.NewSecret()
	if err != nil {
		e.t.Fatal(err)
	}
	k := apikey.Key{OwnerID: owner, Name: "test", Hash: apikey.HashSecret(secret), Scopes: scopes, Enabled: true, Created: testNow}
	if mod != nil {
		mod(&k)
	}
	if _, err := e.Store.CreateAPIKey(context.Background(), k); err != nil {
		e.t.Fatal(err)
	}
	return secret
}

// response is a recorded response.
type response struct {
	Status int
	Header http.Header
	Body   []byte
}

// get performs GET target with an x-api-key header (if key is not empty).
func (e *env) get(target, key string) response {
	e.t.Helper()
	r := httptest.NewRequest(http.MethodGet, target, nil)
	r.RemoteAddr = "192.0.2.10:5555"
	if key != "" {
		r.Header.Set("x-api-key", key)
	}
	return e.do(r)
}

func (e *env) do(r *http.Request) response {
	e.t.Helper()
	w := httptest.NewRecorder()
	e.Handler.ServeHTTP(w, r)
	body, _ := io.ReadAll(w.Result().Body)
	return response{Status: w.Code, Header: w.Result().Header, Body: body}
}

// decode unmarshals the body into v.
func (r response) decode(t testing.TB, v any) {
	t.Helper()
	if err := json.Unmarshal(r.Body, v); err != nil {
		t.Fatalf("decode %s: %v", r.Body, err)
	}
}

func itoa(n int64) string {
	b, _ := json.Marshal(n)
	return string(b)
}

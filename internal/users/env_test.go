package users_test

import (
	"context"
	"errors"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/invcloud/invcloud/internal/apikey"
	"github.com/invcloud/invcloud/internal/auth"
	"github.com/invcloud/invcloud/internal/demo"
	"github.com/invcloud/invcloud/internal/opencloud"
	"github.com/invcloud/invcloud/internal/pagetoken"
	"github.com/invcloud/invcloud/internal/ratelimit"
	"github.com/invcloud/invcloud/internal/store"
	"github.com/invcloud/invcloud/internal/store/sqlite"
	"github.com/invcloud/invcloud/internal/users"
)

// testNow is the fixed clock of the tests.
var testNow = time.Date(2026, 6, 1, 12, 0, 0, 0, time.UTC)

var testSecret = []byte("0123456789abcdef0123456789abcdef")

// API keys of the tests, owned by GuideUser.
const (
	keyNone     = "users-test-key-no-scopes-000000000000001"
	keyAdvanced = "users-test-key-user-advanced-read-0000002"
	keySocial   = "users-test-key-user-social-read-000000003"
	keyBoth     = "users-test-key-advanced-and-social-000004"
)

// OAuth bearer tokens the fake verifier accepts.
var bearers = map[string]auth.Principal{
	"oauth-plain":    {Kind: auth.KindOAuth, UserID: demo.CollectorUser, AuthorizationID: "authz-plain"},
	"oauth-advanced": {Kind: auth.KindOAuth, UserID: demo.CollectorUser, AuthorizationID: "authz-adv", Scopes: []string{users.ScopeAdvancedRead}},
}

type fakeVerifier struct{}

func (fakeVerifier) VerifyAccessToken(_ context.Context, token string) (*auth.Principal, error) {
	p, ok := bearers[token]
	if !ok {
		return nil, &auth.Error{Reason: "unknown token"}
	}
	return &p, nil
}

// failingStore fails every lookup with err.
type failingStore struct {
	store.Store
	err error
}

func (f failingStore) UsersByName(context.Context, []string) ([]store.User, error) { return nil, f.err }

// env is the users handler (and the Open Cloud gate) over a SQLite store
// holding the demo users, created one by one so every profile field is
// stored whatever the bulk import keeps.
type env struct {
	t       testing.TB
	Store   store.Store
	Handler http.Handler
}

func newEnv(t testing.TB, wrap func(store.Store) store.Store) *env {
	t.Helper()
	ctx := context.Background()
	s, err := sqlite.Open(ctx, filepath.Join(t.TempDir(), "test.db"))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { s.Close() })
	for _, u := range demo.Set().Users {
		if err := s.CreateUser(ctx, u); err != nil {
			t.Fatal(err)
		}
	}
	for i, k := range []struct {
		secret string
		scopes []string
	}{
		{keyNone, nil},
		{keyAdvanced, []string{users.ScopeAdvancedRead}},
		{keySocial, []string{users.ScopeSocialRead}},
		{keyBoth, []string{users.ScopeAdvancedRead, users.ScopeSocialRead, apikey.ScopeInventoryRead}},
	} {
		_, err := s.CreateAPIKey(ctx, apikey.Key{OwnerID: demo.GuideUser, Name: "test " + string(rune('a'+i)),
			Hash: apikey.HashSecret(k.secret), Scopes: k.scopes, Enabled: true, Created: testNow})
		if err != nil {
			t.Fatal(err)
		}
	}
	tokens, err := pagetoken.New(testSecret)
	if err != nil {
		t.Fatal(err)
	}
	var st store.Store = s
	if wrap != nil {
		st = wrap(s)
	}
	log := slog.New(slog.DiscardHandler)
	clock := func() time.Time { return testNow }
	authn := auth.New(s, clock, log)
	authn.SetTokenVerifier(fakeVerifier{})
	q := ratelimit.New(ratelimit.NewMemory(clock), 1, false, log)
	oc := opencloud.New(st, authn, tokens, log, opencloud.WithQuotas(q))
	mux := http.NewServeMux()
	oc.Register(mux)
	users.New(st, tokens, oc, log).Register(mux)
	return &env{t: t, Store: s, Handler: mux}
}

// req is a request: a method (GET when empty), a target, a body, headers.
type req struct {
	method, target, body string
	header               map[string]string
	remote               string // RemoteAddr; "" is 192.0.2.10:5555
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
	r.RemoteAddr = "192.0.2.10:5555"
	if rq.remote != "" {
		r.RemoteAddr = rq.remote
	}
	for k, v := range rq.header {
		r.Header.Set(k, v)
	}
	w := httptest.NewRecorder()
	e.Handler.ServeHTTP(w, r)
	b, _ := io.ReadAll(w.Result().Body)
	return response{Status: w.Code, Header: w.Result().Header, Body: b}
}

var errDisk = errors.New("disk on fire")

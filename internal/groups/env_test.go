package groups_test

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"path/filepath"
	"testing"
	"time"

	"github.com/invcloud/invcloud/internal/demo"
	"github.com/invcloud/invcloud/internal/groups"
	"github.com/invcloud/invcloud/internal/inventory"
	"github.com/invcloud/invcloud/internal/pagetoken"
	"github.com/invcloud/invcloud/internal/store"
	"github.com/invcloud/invcloud/internal/store/postgres"
	"github.com/invcloud/invcloud/internal/store/sqlite"
	"github.com/invcloud/invcloud/internal/testsvc"
)

var testNow = time.Date(2026, 6, 1, 12, 0, 0, 0, time.UTC)

var testSecret = []byte("0123456789abcdef0123456789abcdef")

// The bare group: no owner, no shout, locked and verified, with a role of
// its own (a role id the demo group does not have).
const (
	bareGroup      int64 = 7000001
	bareRoleGuest  int64 = 47000001
	bareRoleMember int64 = 47000002
	// extraMembers join the demo group's member role in every env.
	extraMembers = 3
)

// failingStore fails every group read with err.
type failingStore struct {
	store.Store
	err error
}

func (f failingStore) Group(context.Context, int64) (store.Group, error) { return store.Group{}, f.err }

// downStore is a store that does not answer at all: its Ping fails too.
type downStore struct{ failingStore }

func (d downStore) Ping(context.Context) error { return d.err }

// env is the groups handler over a SQLite store holding the demo data set
// (demo group 5850082) and the bare group.
type env struct {
	t       testing.TB
	Store   store.Store
	Handler http.Handler
}

func newEnv(t testing.TB, wrap func(store.Store) store.Store) *env {
	t.Helper()
	return newEnvOn(t, "sqlite", wrap)
}

// engines are the backends the handler tests run on; PostgreSQL's run
// skips unless INVCLOUD_TEST_POSTGRES is set.
var engines = []string{"sqlite", "postgres"}

// newEnvOn is newEnv on the named engine.
func newEnvOn(t testing.TB, engine string, wrap func(store.Store) store.Store) *env {
	t.Helper()
	ctx := context.Background()
	var s store.Store
	var err error
	if engine == "postgres" {
		s, err = postgres.Open(ctx, testsvc.PostgresSchema(t))
	} else {
		s, err = sqlite.Open(ctx, filepath.Join(t.TempDir(), "test.db"))
	}
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { s.Close() })
	if err := demo.Load(ctx, s, testNow); err != nil {
		t.Fatal(err)
	}
	_, _, err = s.CreateGroup(ctx, store.Group{ID: bareGroup, Name: "Abandoned Works", Description: "Nobody owns this.",
		Locked: true, Verified: true, Created: testNow.Add(-time.Hour), Updated: testNow.Add(-time.Hour)},
		[]store.GroupRole{
			{ID: bareRoleGuest, Name: "Guest", Rank: store.GuestRank},
			{ID: bareRoleMember, Name: "Fan", Description: "Still here.", Rank: 10},
		})
	if err != nil {
		t.Fatal(err)
	}
	// Three more members, so the member role has a second page.
	for i := int64(1); i <= extraMembers; i++ {
		u := inventory.User{ID: 3000000000 + i, Name: fmt.Sprintf("GroupPager%02d", i), DisplayName: "Page Turner",
			Created: testNow, Visibility: inventory.VisibilityEveryone}
		if err := s.CreateUser(ctx, u); err != nil {
			t.Fatal(err)
		}
		if _, err := s.AddGroupMember(ctx, demo.GroupID, u.ID, demo.GroupRoleMember, testNow.Add(time.Duration(i)*time.Minute)); err != nil {
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
	mux := http.NewServeMux()
	groups.New(st, tokens, slog.New(slog.DiscardHandler)).Register(mux)
	return &env{t: t, Store: s, Handler: mux}
}

type req struct {
	target string
	header map[string]string
}

type response struct {
	Status int
	Header http.Header
	Body   []byte
}

func (e *env) do(rq req) response {
	e.t.Helper()
	r := httptest.NewRequest(http.MethodGet, rq.target, nil)
	r.RemoteAddr = "192.0.2.10:5555"
	for k, v := range rq.header {
		r.Header.Set(k, v)
	}
	w := httptest.NewRecorder()
	e.Handler.ServeHTTP(w, r)
	b, _ := io.ReadAll(w.Result().Body)
	return response{Status: w.Code, Header: w.Result().Header, Body: b}
}

func (e *env) get(target string) response { return e.do(req{target: target}) }

// decode unmarshals a 200 body.
func decode[T any](t testing.TB, r response) T {
	t.Helper()
	var v T
	if r.Status != http.StatusOK {
		t.Fatalf("%d %s", r.Status, r.Body)
	}
	if err := json.Unmarshal(r.Body, &v); err != nil {
		t.Fatalf("%v: %s", err, r.Body)
	}
	return v
}

var errDisk = errors.New("disk on fire")

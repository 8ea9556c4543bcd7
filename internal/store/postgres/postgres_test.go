package postgres_test

import (
	"context"
	"sync"
	"testing"

	"github.com/invcloud/invcloud/internal/inventory"
	"github.com/invcloud/invcloud/internal/store"
	"github.com/invcloud/invcloud/internal/store/postgres"
	"github.com/invcloud/invcloud/internal/store/storetest"
	"github.com/invcloud/invcloud/internal/testsvc"
)

// open opens a store on a fresh schema of the test database, closed and
// dropped when the test ends.
func open(t *testing.T) store.Store {
	t.Helper()
	return openDSN(t, testsvc.PostgresSchema(t))
}

func openDSN(t *testing.T, dsn string) *postgres.Store {
	t.Helper()
	s, err := postgres.Open(context.Background(), dsn)
	if err != nil {
		t.Fatalf("Open: %v", err)
	}
	t.Cleanup(func() {
		if err := s.Close(); err != nil {
			t.Errorf("Close: %v", err)
		}
	})
	return s
}

func TestConformance(t *testing.T) {
	testsvc.Postgres(t)
	storetest.Run(t, open)
}

func TestConformanceAccounts(t *testing.T) {
	testsvc.Postgres(t)
	storetest.RunAccounts(t, open)
}

func TestConformanceOAuth(t *testing.T) {
	testsvc.Postgres(t)
	storetest.RunOAuth(t, open)
}

func TestConformanceImport(t *testing.T) {
	testsvc.Postgres(t)
	storetest.RunImport(t, open)
}

// TestConcurrentOpen opens empty schemas from several replicas at once: the
// migration lock lets one migrate while the others wait, and every Open
// succeeds. (Without the lock, a round fails now and then with a duplicate
// CREATE TABLE: hence several rounds.)
func TestConcurrentOpen(t *testing.T) {
	for round := range 3 {
		dsn := testsvc.PostgresSchema(t)
		const n = 8
		stores := make([]*postgres.Store, n)
		errs := make([]error, n)
		var wg sync.WaitGroup
		start := make(chan struct{})
		for i := range n {
			wg.Go(func() {
				<-start
				stores[i], errs[i] = postgres.Open(context.Background(), dsn)
			})
		}
		close(start)
		wg.Wait()
		for i := range n {
			if errs[i] != nil {
				t.Fatalf("round %d: concurrent Open %d: %v", round, i, errs[i])
			}
			t.Cleanup(func() { stores[i].Close() })
		}
		ctx := context.Background()
		var versions, rows int64
		if err := stores[0].Pool().QueryRow(ctx, `SELECT count(*), count(DISTINCT version_id) FROM goose_db_version WHERE version_id > 0`).Scan(&rows, &versions); err != nil {
			t.Fatal(err)
		}
		if rows != versions || rows < 2 {
			t.Errorf("goose_db_version has %d rows for %d versions", rows, versions)
		}
		// All replicas see one database.
		if err := stores[1].CreateUser(ctx, inventory.User{ID: 1, Name: "one", Visibility: inventory.VisibilityEveryone}); err != nil {
			t.Fatal(err)
		}
		for i, s := range stores {
			if _, err := s.User(ctx, 1); err != nil {
				t.Errorf("replica %d: %v", i, err)
			}
		}
		if round > 0 {
			continue
		}
		// Opening again changes nothing.
		again := openDSN(t, dsn)
		var rows2 int64
		if err := again.Pool().QueryRow(ctx, `SELECT count(*) FROM goose_db_version WHERE version_id > 0`).Scan(&rows2); err != nil {
			t.Fatal(err)
		}
		if rows2 != rows {
			t.Errorf("reopening added migration rows: %d, then %d", rows, rows2)
		}
	}
}

// TestMissingSchema reports a search_path that names no schema clearly.
func TestMissingSchema(t *testing.T) {
	dsn := testsvc.WithSearchPath(testsvc.Postgres(t), "invcloud_no_such_schema")
	s, err := postgres.Open(context.Background(), dsn)
	if err == nil {
		s.Close()
		t.Fatal("Open with a search_path naming no schema succeeded")
	}
	t.Log(err)
}

func TestConformanceLegacy(t *testing.T) {
	testsvc.Postgres(t)
	storetest.RunLegacy(t, open)
}

package store_test

import (
	"context"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"testing"

	"github.com/invcloud/invcloud/internal/store"
	"github.com/invcloud/invcloud/internal/store/postgres"
	"github.com/invcloud/invcloud/internal/store/sqlite"
	"github.com/invcloud/invcloud/internal/store/storetest"
	"github.com/invcloud/invcloud/internal/testsvc"
)

// engines open fresh stores of each engine, closed when the test ends;
// PostgreSQL in a scratch schema, skipped (or failed, in CI) without one.
var engines = map[string]func(t *testing.T) store.Store{
	"sqlite": func(t *testing.T) store.Store {
		s, err := sqlite.Open(context.Background(), filepath.Join(t.TempDir(), "copy.db"))
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { s.Close() })
		return s
	},
	"postgres": func(t *testing.T) store.Store {
		s, err := postgres.Open(context.Background(), testsvc.PostgresSchema(t))
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { s.Close() })
		return s
	},
}

// exec runs SQL on a store's own database.
func exec(t *testing.T, s store.Store, q string) {
	t.Helper()
	var err error
	switch s := s.(type) {
	case *sqlite.Store:
		_, err = s.DB().Exec(q)
	case *postgres.Store:
		_, err = s.Pool().Exec(context.Background(), q)
	default:
		t.Fatalf("exec on %T", s)
	}
	if err != nil {
		t.Fatalf("%s: %v", q, err)
	}
}

func TestCopy(t *testing.T) {
	for _, pair := range [][2]string{{"sqlite", "sqlite"}, {"sqlite", "postgres"}, {"postgres", "sqlite"}, {"postgres", "postgres"}} {
		t.Run(pair[0]+"-"+pair[1], func(t *testing.T) {
			if slices.Contains(pair[:], "postgres") {
				testsvc.Postgres(t)
			}
			storetest.RunCopy(t, engines[pair[0]], engines[pair[1]])
		})
	}
}

func TestParity(t *testing.T) {
	for _, name := range []string{"sqlite", "postgres"} {
		t.Run(name, func(t *testing.T) {
			if name == "postgres" {
				testsvc.Postgres(t)
			}
			storetest.RunParity(t, engines[name], exec)
		})
	}
}

// TestMigrationVersions checks that both migration trees end at the same
// version, and that from 00006 on every version is in both: a version
// number means the same change on either engine (an empty file where one
// has nothing to do).
func TestMigrationVersions(t *testing.T) {
	versions := func(dir string) []int {
		entries, err := os.ReadDir(dir)
		if err != nil {
			t.Fatal(err)
		}
		var out []int
		for _, e := range entries {
			num, _, ok := strings.Cut(e.Name(), "_")
			v, err := strconv.Atoi(num)
			if !ok || err != nil || !strings.HasSuffix(e.Name(), ".sql") {
				t.Errorf("%s/%s: not a NNNNN_name.sql migration", dir, e.Name())
				continue
			}
			out = append(out, v)
		}
		return out
	}
	lite, pg := versions("sqlite/migrations"), versions("postgres/migrations")
	if len(lite) == 0 || len(pg) == 0 {
		t.Fatalf("no migrations: sqlite %v, postgres %v", lite, pg)
	}
	if a, b := slices.Max(lite), slices.Max(pg); a != b {
		t.Errorf("the latest migration is %05d in sqlite, %05d in postgres: add the same version to both trees", a, b)
	}
	const aligned = 6 // the versions before were numbered per tree
	for _, tree := range []struct {
		name        string
		have, other []int
	}{{"sqlite", lite, pg}, {"postgres", pg, lite}} {
		for _, v := range tree.have {
			if v >= aligned && !slices.Contains(tree.other, v) {
				t.Errorf("migration %05d of %s has no counterpart in the other tree", v, tree.name)
			}
		}
	}
}

package sqlite_test

import (
	"context"
	"errors"
	"path/filepath"
	"testing"
	"time"

	"github.com/invcloud/invcloud/internal/apikey"
	"github.com/invcloud/invcloud/internal/inventory"
	"github.com/invcloud/invcloud/internal/seed"
	"github.com/invcloud/invcloud/internal/store"
	"github.com/invcloud/invcloud/internal/store/sqlite"
	"github.com/invcloud/invcloud/internal/store/storetest"
)

func open(t testing.TB, path string) *sqlite.Store {
	t.Helper()
	s, err := sqlite.Open(context.Background(), path)
	if err != nil {
		t.Fatalf("Open(%s): %v", path, err)
	}
	return s
}

func TestConformance(t *testing.T) {
	storetest.Run(t, func(t *testing.T) store.Store {
		s := open(t, filepath.Join(t.TempDir(), "test.db"))
		t.Cleanup(func() {
			if err := s.Close(); err != nil {
				t.Errorf("Close: %v", err)
			}
		})
		return s
	})
}

func TestPragmas(t *testing.T) {
	s := open(t, filepath.Join(t.TempDir(), "pragma.db"))
	defer s.Close()
	var mode string
	var fk int
	if err := s.DB().QueryRow(`PRAGMA journal_mode`).Scan(&mode); err != nil {
		t.Fatal(err)
	}
	if err := s.DB().QueryRow(`PRAGMA foreign_keys`).Scan(&fk); err != nil {
		t.Fatal(err)
	}
	if mode != "wal" || fk != 1 {
		t.Errorf("journal_mode %q, foreign_keys %d; want wal, 1", mode, fk)
	}
}

func migrationRows(t *testing.T, s *sqlite.Store) (rows, version int64) {
	t.Helper()
	err := s.DB().QueryRow(`SELECT COUNT(*), COALESCE(MAX(version_id), 0) FROM goose_db_version`).Scan(&rows, &version)
	if err != nil {
		t.Fatal(err)
	}
	return rows, version
}

// TestReopen checks that data survives closing and reopening the file, and
// that reopening (which runs the migrations again) changes nothing.
func TestReopen(t *testing.T) {
	ctx := context.Background()
	now := time.Date(2026, 6, 1, 12, 0, 0, 0, time.UTC)
	path := filepath.Join(t.TempDir(), "reopen.db")

	s := open(t, path)
	if err := s.CreateUser(ctx, inventory.User{ID: 1, Name: "one", DisplayName: "One", Created: now, Visibility: inventory.VisibilityFriends}); err != nil {
		t.Fatal(err)
	}
	if err := s.PutAsset(ctx, inventory.Asset{ID: 10, Name: "Limited", LegacyType: 8, Collectible: true,
		CollectibleItemID: "11111111-2222-4333-8444-555555555555", Serialized: true, Created: now}); err != nil {
		t.Fatal(err)
	}
	if err := s.PutBadge(ctx, inventory.Badge{ID: 20, Name: "b"}); err != nil {
		t.Fatal(err)
	}
	var granted []inventory.Item
	for _, ref := range []inventory.Ref{{Kind: inventory.KindAsset, ID: 10}, {Kind: inventory.KindBadge, ID: 20}} {
		it, err := s.Grant(ctx, 1, ref, now)
		if err != nil {
			t.Fatal(err)
		}
		granted = append(granted, it)
	}
	hash := apikey.HashSecret("reopen")
	keyID, err := s.CreateAPIKey(ctx, apikey.Key{OwnerID: 1, Name: "k", Hash: hash, Scopes: []string{apikey.ScopeInventoryRead}, Enabled: true, Created: now})
	if err != nil {
		t.Fatal(err)
	}
	secret, err := s.Secret(ctx, "tokens", func() ([]byte, error) { return []byte("s3cret"), nil })
	if err != nil {
		t.Fatal(err)
	}
	rows0, version0 := migrationRows(t, s)
	if version0 < 1 {
		t.Fatalf("migration version %d after Open", version0)
	}
	if err := s.Close(); err != nil {
		t.Fatal(err)
	}

	for round := range 3 {
		s := open(t, path)
		if rows, version := migrationRows(t, s); rows != rows0 || version != version0 {
			t.Errorf("round %d: goose_db_version has %d rows, version %d; want %d, %d", round, rows, version, rows0, version0)
		}
		u, err := s.User(ctx, 1)
		if err != nil || u.Name != "one" || u.Visibility != inventory.VisibilityFriends {
			t.Errorf("round %d: User = %+v, %v", round, u, err)
		}
		items, err := s.ListInventory(ctx, 1, inventory.Everything, inventory.Start, 10)
		if err != nil {
			t.Fatal(err)
		}
		if len(items) != len(granted) {
			t.Fatalf("round %d: %d items, want %d", round, len(items), len(granted))
		}
		for i := range items {
			a, b := items[i], granted[i]
			if a.Kind != b.Kind || a.ID != b.ID || a.AssetID != b.AssetID || !a.AddTime.Equal(b.AddTime) ||
				(a.Collectible == nil) != (b.Collectible == nil) || (a.Collectible != nil && *a.Collectible != *b.Collectible) {
				t.Errorf("round %d: item %d = %+v, want %+v", round, i, a, b)
			}
		}
		k, err := s.APIKeyByHash(ctx, hash)
		if err != nil || k.ID != keyID || !k.Enabled {
			t.Errorf("round %d: APIKeyByHash = %+v, %v", round, k, err)
		}
		got, err := s.Secret(ctx, "tokens", func() ([]byte, error) { return []byte("other"), nil })
		if err != nil || string(got) != string(secret) {
			t.Errorf("round %d: Secret = %q, %v; want %q", round, got, err, secret)
		}
		// Writing still works after the migrations ran again, and serials
		// carry on from the stored copies.
		it, err := s.Grant(ctx, 1, inventory.Ref{Kind: inventory.KindAsset, ID: 10}, now)
		if err != nil {
			t.Fatal(err)
		}
		if want := int64(round + 2); it.Collectible == nil || it.Collectible.SerialNumber != want {
			t.Errorf("round %d: serial after reopen = %+v, want %d", round, it.Collectible, want)
		}
		badge := granted[len(granted)-1]
		granted = append(granted[:len(granted)-1:len(granted)-1], it, badge) // assets, then the badge
		if _, err := s.Grant(ctx, 1, inventory.Ref{Kind: inventory.KindBadge, ID: 20}, now); !errors.Is(err, store.ErrExists) {
			t.Errorf("round %d: second badge grant: %v, want ErrExists", round, err)
		}
		if err := s.Close(); err != nil {
			t.Fatal(err)
		}
	}
}

// TestTwoHandles checks that two stores open on one file (replicas) see each
// other's writes and share secrets.
func TestTwoHandles(t *testing.T) {
	ctx := context.Background()
	path := filepath.Join(t.TempDir(), "shared.db")
	a := open(t, path)
	defer a.Close()
	b := open(t, path)
	defer b.Close()
	sa, err := a.Secret(ctx, "x", func() ([]byte, error) { return []byte("from a"), nil })
	if err != nil {
		t.Fatal(err)
	}
	sb, err := b.Secret(ctx, "x", func() ([]byte, error) { return []byte("from b"), nil })
	if err != nil {
		t.Fatal(err)
	}
	if string(sa) != "from a" || string(sb) != "from a" {
		t.Errorf("secrets %q and %q, want both %q", sa, sb, "from a")
	}
	if err := a.CreateUser(ctx, inventory.User{ID: 7, Name: "seven", Visibility: inventory.VisibilityEveryone}); err != nil {
		t.Fatal(err)
	}
	if _, err := b.User(ctx, 7); err != nil {
		t.Errorf("user written through a not visible through b: %v", err)
	}
}

// TestSeedTwice seeds a second set of users (another --first-user-id) into
// a seeded database: they must get their assets.
func TestSeedTwice(t *testing.T) {
	ctx := context.Background()
	s := open(t, filepath.Join(t.TempDir(), "seed.db"))
	defer s.Close()
	const users, perUser = 3, 100
	for _, first := range []int64{seed.DefaultFirstUserID, seed.DefaultFirstUserID + 1_000_000} {
		st, err := seed.Generate(ctx, s, seed.Options{Users: users, ItemsPerUser: perUser, Seed: 1, FirstUserID: first})
		if err != nil {
			t.Fatal(err)
		}
		if st.Ownerships != users*perUser {
			t.Fatalf("first user %d: Stats.Ownerships = %d, want %d", first, st.Ownerships, users*perUser)
		}
		for u := range int64(users) {
			items, err := s.ListInventory(ctx, first+u, inventory.Everything, inventory.Start, 1000)
			if err != nil {
				t.Fatal(err)
			}
			if len(items) != perUser {
				t.Errorf("user %d owns %d items, want %d", first+u, len(items), perUser)
			}
		}
	}
}

func TestConformanceAccounts(t *testing.T) {
	open := func(t *testing.T) store.Store {
		s := open(t, filepath.Join(t.TempDir(), "test.db"))
		t.Cleanup(func() {
			if err := s.Close(); err != nil {
				t.Errorf("Close: %v", err)
			}
		})
		return s
	}
	storetest.RunAccounts(t, open)
	t.Run("Import", func(t *testing.T) { storetest.RunImport(t, open) })
}

func TestConformanceOAuth(t *testing.T) {
	storetest.RunOAuth(t, func(t *testing.T) store.Store {
		s := open(t, filepath.Join(t.TempDir(), "test.db"))
		t.Cleanup(func() {
			if err := s.Close(); err != nil {
				t.Errorf("Close: %v", err)
			}
		})
		return s
	})
}

func TestConformanceLegacy(t *testing.T) {
	storetest.RunLegacy(t, func(t *testing.T) store.Store {
		s := open(t, filepath.Join(t.TempDir(), "test.db"))
		t.Cleanup(func() {
			if err := s.Close(); err != nil {
				t.Errorf("Close: %v", err)
			}
		})
		return s
	})
}

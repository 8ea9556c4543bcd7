package sqlite_test

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"sync"
	"testing"

	"github.com/invcloud/invcloud/internal/inventory"
	"github.com/invcloud/invcloud/internal/seed"
	"github.com/invcloud/invcloud/internal/store"
	"github.com/invcloud/invcloud/internal/store/sqlite"
)

// The benchmark data set: seed.Generate's 1000 users with 100 items each
// (100,000 ownership rows), plus a few "whale" users with 10,000 items each
// so that a page from the middle of an inventory is really deep.
const (
	benchUsers        = 1000
	benchItemsPerUser = 100
	whales            = 4
	whaleItems        = 10_000
	whaleFirstUserID  = 4_000_000_000
	whaleFirstInst    = 900_000_000_000
	seedAssetBase     = 10_000_000_000 // seed's first catalog asset id
	seedBadgeBase     = 20_000_000_000 // seed's first catalog badge id
)

// benchUser is what the benchmarks need to know about one user.
type benchUser struct {
	id int64
	// check are 3 sorted asset ids: 2 owned, 1 in the catalog but not owned.
	check []int64
	// mid is the position of the middle item of the inventory.
	mid inventory.Position
}

var bench struct {
	once   sync.Once
	dir    string
	store  *sqlite.Store
	users  []benchUser
	whales []benchUser
	rows   int // ownership rows in the store
	err    error
}

func TestMain(m *testing.M) {
	code := m.Run()
	if bench.store != nil {
		bench.store.Close()
	}
	if bench.dir != "" {
		os.RemoveAll(bench.dir)
	}
	os.Exit(code)
}

// countRows returns the number of ownership rows in s.
func countRows(s *sqlite.Store) (int, error) {
	var n int
	err := s.DB().QueryRow(`SELECT (SELECT count(*) FROM user_assets) + (SELECT count(*) FROM user_badges)
		+ (SELECT count(*) FROM user_game_passes) + (SELECT count(*) FROM user_private_servers)`).Scan(&n)
	return n, err
}

// seeded returns the shared benchmark store, building it on first use.
func seeded(b *testing.B) *sqlite.Store {
	b.Helper()
	bench.once.Do(func() { bench.err = buildBench() })
	if bench.err != nil {
		b.Fatal(bench.err)
	}
	return bench.store
}

func buildBench() error {
	ctx := context.Background()
	dir, err := os.MkdirTemp("", "invcloud-bench-")
	if err != nil {
		return err
	}
	bench.dir = dir
	s, err := sqlite.Open(ctx, filepath.Join(dir, "bench.db"))
	if err != nil {
		return err
	}
	bench.store = s
	st, err := seed.Generate(ctx, s, seed.Options{Users: benchUsers, ItemsPerUser: benchItemsPerUser, Seed: 1})
	if err != nil {
		return err
	}
	n, err := countRows(s)
	if err != nil {
		return err
	}
	if st.Ownerships < 100_000 || n != st.Ownerships {
		return fmt.Errorf("seed wrote %d ownership rows (store holds %d), want at least 100,000", st.Ownerships, n)
	}
	if err := addWhales(ctx, s); err != nil {
		return err
	}
	if bench.rows, err = countRows(s); err != nil {
		return err
	}
	if want := n + whales*whaleItems; bench.rows != want {
		return fmt.Errorf("store holds %d ownership rows after adding whales, want %d", bench.rows, want)
	}
	for u := range benchUsers {
		bu, err := describe(ctx, s, seed.DefaultFirstUserID+int64(u))
		if err != nil {
			return err
		}
		bench.users = append(bench.users, bu)
	}
	for w := range whales {
		bu, err := describe(ctx, s, whaleFirstUserID+int64(w))
		if err != nil {
			return err
		}
		bench.whales = append(bench.whales, bu)
	}
	return nil
}

// addWhales imports whale users owning runs of seed's catalog: 9,000 assets
// and 1,000 badges each.
func addWhales(ctx context.Context, s store.Store) error {
	var b store.Batch
	inst := int64(whaleFirstInst)
	for w := range whales {
		uid := whaleFirstUserID + int64(w)
		b.Users = append(b.Users, inventory.User{ID: uid, Name: fmt.Sprintf("whale%d", w), Visibility: inventory.VisibilityEveryone})
		for i := range whaleItems - whaleItems/10 {
			id := seedAssetBase + int64((w*1000+i)%20_000)
			a, err := s.Asset(ctx, id)
			if err != nil {
				return err
			}
			it := inventory.Item{Kind: inventory.KindAsset, ID: inst, AssetID: id, AssetType: inventory.AssetTypeForLegacy(a.LegacyType, false)}
			if a.Collectible {
				var u [16]byte
				u[0], u[1], u[2] = byte(inst), byte(inst>>8), byte(inst>>16)
				it.Collectible = &inventory.Collectible{ItemID: a.CollectibleItemID, InstanceID: inventory.FormatUUID(u), State: inventory.CollectibleStateAvailable}
			}
			inst++
			b.Ownerships = append(b.Ownerships, store.Ownership{UserID: uid, Item: it})
		}
		for i := range whaleItems / 10 {
			b.Ownerships = append(b.Ownerships, store.Ownership{UserID: uid, Item: inventory.Item{Kind: inventory.KindBadge, ID: seedBadgeBase + int64(i)}})
		}
	}
	return s.Import(ctx, b)
}

// describe lists a user's whole inventory and picks the ids the
// benchmarks query.
func describe(ctx context.Context, s store.Store, uid int64) (benchUser, error) {
	items, err := s.ListInventory(ctx, uid, inventory.Everything, inventory.Start, 1<<20)
	if err != nil {
		return benchUser{}, err
	}
	var owned []int64
	for _, it := range items {
		if it.Kind == inventory.KindAsset {
			owned = append(owned, it.AssetID)
		}
	}
	if len(owned) < 2 {
		return benchUser{}, fmt.Errorf("user %d owns %d assets", uid, len(owned))
	}
	slices.Sort(owned)
	var notOwned int64
	for id := int64(seedAssetBase); ; id++ {
		if _, found := slices.BinarySearch(owned, id); !found {
			notOwned = id
			break
		}
	}
	check := []int64{owned[0], owned[len(owned)/2], notOwned}
	slices.Sort(check)
	return benchUser{id: uid, check: check, mid: inventory.Next(items[len(items)/2-1])}, nil
}

// BenchmarkOwnershipCheck3 is "does the user own any of these 3 assets?":
// an assetIds query with 2 owned ids and 1 not owned.
func BenchmarkOwnershipCheck3(b *testing.B) {
	s := seeded(b)
	ctx := context.Background()
	b.ReportAllocs()
	i := 0
	for b.Loop() {
		u := bench.users[i%len(bench.users)]
		i++
		q := inventory.Query{Assets: inventory.Selector{Include: true, IDs: u.check}, Types: inventory.AllTypes}
		items, err := s.ListInventory(ctx, u.id, q, inventory.Start, 11)
		if err != nil {
			b.Fatal(err)
		}
		if len(items) != 2 {
			b.Fatalf("user %d, ids %v: %d items, want 2", u.id, u.check, len(items))
		}
	}
}

// BenchmarkPage100 is the first page of 100 of a whole inventory (limit 101,
// as the API asks for one item more than the page).
func BenchmarkPage100(b *testing.B) {
	s := seeded(b)
	ctx := context.Background()
	b.ReportAllocs()
	i := 0
	for b.Loop() {
		u := bench.users[i%len(bench.users)]
		i++
		items, err := s.ListInventory(ctx, u.id, inventory.Everything, inventory.Start, 101)
		if err != nil {
			b.Fatal(err)
		}
		if len(items) != benchItemsPerUser {
			b.Fatalf("user %d: %d items, want %d", u.id, len(items), benchItemsPerUser)
		}
	}
}

// BenchmarkPage100Deep is a page of 100 (limit 101) starting from the
// middle of an inventory: of a 10,000-item whale inventory, and of a
// 100-item seed inventory (which has only 50 items left there).
func BenchmarkPage100Deep(b *testing.B) {
	for _, tt := range []struct {
		name  string
		users func() []benchUser
		want  int
	}{
		{"whale10k", func() []benchUser { return bench.whales }, 101},
		{"seed100", func() []benchUser { return bench.users }, benchItemsPerUser / 2},
	} {
		b.Run(tt.name, func(b *testing.B) {
			s := seeded(b)
			ctx := context.Background()
			users := tt.users()
			b.ReportAllocs()
			i := 0
			for b.Loop() {
				u := users[i%len(users)]
				i++
				items, err := s.ListInventory(ctx, u.id, inventory.Everything, u.mid, 101)
				if err != nil {
					b.Fatal(err)
				}
				if len(items) != tt.want {
					b.Fatalf("user %d after %+v: %d items, want %d", u.id, u.mid, len(items), tt.want)
				}
			}
		})
	}
}

// BenchmarkSeedImport measures seed.Generate into a fresh SQLite file:
// 2000 users of 100 items, 200,000 ownership rows an op. Opening the file
// (and migrating it) and closing it are not timed.
func BenchmarkSeedImport(b *testing.B) {
	const users, perUser = 2000, 100
	ctx := context.Background()
	dir := b.TempDir()
	b.ReportAllocs()
	rows, op := 0, 0
	for b.Loop() {
		b.StopTimer()
		path := filepath.Join(dir, fmt.Sprintf("seed%d.db", op))
		op++
		s, err := sqlite.Open(ctx, path)
		if err != nil {
			b.Fatal(err)
		}
		b.StartTimer()
		st, err := seed.Generate(ctx, s, seed.Options{Users: users, ItemsPerUser: perUser, Seed: 1})
		if err != nil {
			b.Fatal(err)
		}
		b.StopTimer()
		if n, err := countRows(s); err != nil || n != st.Ownerships || n != users*perUser {
			b.Fatalf("seeded %d rows, store holds %d (%v), want %d", st.Ownerships, n, err, users*perUser)
		}
		rows += st.Ownerships
		s.Close()
		for _, suffix := range []string{"", "-wal", "-shm"} {
			os.Remove(path + suffix)
		}
		b.StartTimer()
	}
	b.ReportMetric(float64(rows)/b.Elapsed().Seconds(), "rows/s")
}

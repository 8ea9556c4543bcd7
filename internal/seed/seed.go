// Package seed generates large deterministic data sets for benchmarks and
// load tests: N users with M items each over a fixed catalog.
package seed

import (
	"context"
	"fmt"
	"math/rand/v2"
	"strconv"
	"time"

	"github.com/invcloud/invcloud/internal/inventory"
	"github.com/invcloud/invcloud/internal/store"
)

// Options shape a data set. The same options always give the same data.
type Options struct {
	Users        int
	ItemsPerUser int
	Seed         uint64
	// FirstUserID is the id of the first user; the rest follow it.
	FirstUserID int64
	// Progress, if set, is called after each batch with rows written so far.
	Progress func(rows int)
}

// Catalog sizes.
const (
	catalogAssets  = 20_000
	catalogBadges  = 2_000
	catalogPasses  = 500
	catalogServers = 200
	// Instance ids are userID*instancesPerUser + n: clear of demo data and
	// of other seed runs with other user ranges.
	instancesPerUser = 1_000_000
	batchRows        = 50_000
)

// DefaultFirstUserID keeps seeded users clear of demo users.
const DefaultFirstUserID = 3_000_000_000

var epoch = time.Date(2025, 1, 1, 0, 0, 0, 0, time.UTC)

// Stats reports what Generate wrote.
type Stats struct {
	Users, Ownerships int
}

// Generate writes the data set into s in batches.
func Generate(ctx context.Context, s store.Store, o Options) (Stats, error) {
	if o.FirstUserID == 0 {
		o.FirstUserID = DefaultFirstUserID
	}
	if o.ItemsPerUser >= instancesPerUser {
		return Stats{}, fmt.Errorf("seed: at most %d items per user", instancesPerUser-1)
	}
	r := rand.New(rand.NewPCG(o.Seed, 0x1c0de))
	var cat store.Batch
	types := inventory.AllTypes.Without(inventory.AssetTypeUnspecified).Without(inventory.AssetTypeCreatedPlace).Types()
	// The catalog grows with the largest inventory so a whale owns distinct assets.
	nAssets := max(catalogAssets, o.ItemsPerUser)
	for i := range nAssets {
		t := types[i%len(types)]
		a := inventory.Asset{ID: 10_000_000_000 + int64(i), Name: "Seed Asset " + strconv.Itoa(i), LegacyType: t.LegacyID(), Created: epoch}
		if i%20 == 0 {
			var b [16]byte
			for j := range b {
				b[j] = byte(r.Uint32())
			}
			a.Collectible, a.CollectibleItemID, a.Serialized = true, inventory.FormatUUID(b), i%40 == 0
		}
		cat.Assets = append(cat.Assets, a)
	}
	for i := range catalogBadges {
		cat.Badges = append(cat.Badges, inventory.Badge{ID: 20_000_000_000 + int64(i), Name: "Seed Badge " + strconv.Itoa(i)})
	}
	for i := range catalogPasses {
		cat.GamePasses = append(cat.GamePasses, inventory.GamePass{ID: 30_000_000_000 + int64(i), Name: "Seed Pass " + strconv.Itoa(i)})
	}
	for i := range catalogServers {
		cat.PrivateServers = append(cat.PrivateServers, inventory.PrivateServer{ID: 40_000_000_000 + int64(i), Name: "Seed Server " + strconv.Itoa(i)})
	}
	if err := s.Import(ctx, cat); err != nil {
		return Stats{}, fmt.Errorf("seed catalog: %w", err)
	}

	var st Stats
	batch := store.Batch{}
	flush := func() error {
		if err := s.Import(ctx, batch); err != nil {
			return fmt.Errorf("seed: %w", err)
		}
		st.Users += len(batch.Users)
		st.Ownerships += len(batch.Ownerships)
		if o.Progress != nil {
			o.Progress(st.Ownerships)
		}
		batch = store.Batch{Users: batch.Users[:0], Ownerships: batch.Ownerships[:0]}
		return nil
	}
	vis := []inventory.Visibility{inventory.VisibilityEveryone, inventory.VisibilityEveryone, inventory.VisibilityEveryone, inventory.VisibilityFriends, inventory.VisibilityNoOne}
	for u := range o.Users {
		id := o.FirstUserID + int64(u)
		batch.Users = append(batch.Users, inventory.User{
			ID: id, Name: "seed" + strconv.FormatInt(id, 10), DisplayName: "Seed User " + strconv.Itoa(u),
			Visibility: vis[u%len(vis)], Created: epoch,
		})
		// Most items are assets; a few are badges, passes and servers. Each
		// kind takes a run of consecutive catalog entries from a random
		// start, so no user owns one non-collectible twice.
		n := o.ItemsPerUser
		badges := min(n/10, catalogBadges)
		passes := min(n/50, catalogPasses)
		servers := min(n/200, catalogServers)
		assets := min(n-badges-passes-servers, nAssets)
		start := r.IntN(nAssets)
		instance := id * instancesPerUser
		for i := range assets {
			a := cat.Assets[(start+i)%nAssets]
			it := inventory.Item{Kind: inventory.KindAsset, ID: instance, AssetID: a.ID,
				AssetType: inventory.AssetTypeForLegacy(a.LegacyType, false), AddTime: epoch.Add(time.Duration(i) * time.Minute)}
			instance++
			if a.Collectible {
				var b [16]byte
				for j := range b {
					b[j] = byte(r.Uint32())
				}
				it.Collectible = &inventory.Collectible{ItemID: a.CollectibleItemID, InstanceID: inventory.FormatUUID(b), State: inventory.CollectibleStateAvailable}
				if a.Serialized {
					it.Collectible.SerialNumber = int64(u)*int64(n) + int64(i) + 1
				}
			}
			batch.Ownerships = append(batch.Ownerships, store.Ownership{UserID: id, Item: it})
		}
		for _, k := range []struct {
			kind  inventory.Kind
			count int
			base  int64
			size  int
		}{
			{inventory.KindBadge, badges, 20_000_000_000, catalogBadges},
			{inventory.KindGamePass, passes, 30_000_000_000, catalogPasses},
			{inventory.KindPrivateServer, servers, 40_000_000_000, catalogServers},
		} {
			start := r.IntN(k.size)
			for i := range k.count {
				batch.Ownerships = append(batch.Ownerships, store.Ownership{UserID: id, Item: inventory.Item{
					Kind: k.kind, ID: k.base + int64((start+i)%k.size), AddTime: epoch,
				}})
			}
		}
		if len(batch.Ownerships) >= batchRows {
			if err := flush(); err != nil {
				return st, err
			}
		}
	}
	if len(batch.Users) > 0 || len(batch.Ownerships) > 0 {
		if err := flush(); err != nil {
			return st, err
		}
	}
	return st, nil
}

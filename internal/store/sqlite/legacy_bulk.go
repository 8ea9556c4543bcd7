package sqlite

import (
	"context"
	"database/sql"
	"fmt"

	"github.com/invcloud/invcloud/internal/store"
)

// importLegacy writes the legacy rows of a batch, skipping those present.
func importLegacy(ctx context.Context, tx *sql.Tx, b store.LegacyBatch) error {
	for _, e := range b.PlaceEntries {
		if e.Position <= 0 {
			return fmt.Errorf("import: place %d in tab %d of user %d needs a position", e.PlaceID, e.Tab, e.UserID)
		}
	}
	type pair struct{ a, b int64 }
	var bundleAssets, packageAssets []pair
	for _, x := range b.Bundles {
		for _, a := range x.AssetIDs {
			bundleAssets = append(bundleAssets, pair{x.ID, a})
		}
	}
	for _, x := range b.Packages {
		for _, a := range x.AssetIDs {
			packageAssets = append(packageAssets, pair{x.PackageID, a})
		}
	}
	steps := []struct {
		what string
		in   *inserter
		n    int
		row  func(i int, a []any) []any
	}{
		{"friends", newInserter(ctx, tx, "friends", "user_id", "friend_id", "created_at"), 2 * len(b.Friends),
			func(i int, a []any) []any {
				f := b.Friends[i/2]
				if i%2 == 1 {
					f.A, f.B = f.B, f.A
				}
				return append(a, f.A, f.B, f.Created.UnixMilli())
			}},
		{"bundles", newInserter(ctx, tx, "bundles", "id", "name", "bundle_type", "creator_user_id", "created_at"), len(b.Bundles),
			func(i int, a []any) []any {
				x := b.Bundles[i]
				return append(a, x.ID, x.Name, int(x.Type), x.CreatorID, x.Created.UnixMilli())
			}},
		{"bundle assets", newInserter(ctx, tx, "bundle_assets", "bundle_id", "asset_id"), len(bundleAssets),
			func(i int, a []any) []any { return append(a, bundleAssets[i].a, bundleAssets[i].b) }},
		{"bundle ownerships", newInserter(ctx, tx, "user_bundles", "user_id", "bundle_id", "added_at"), len(b.BundleOwnerships),
			func(i int, a []any) []any {
				x := b.BundleOwnerships[i]
				return append(a, x.UserID, x.BundleID, millis(x.Added))
			}},
		{"package assets", newInserter(ctx, tx, "package_assets", "package_id", "asset_id"), len(packageAssets),
			func(i int, a []any) []any { return append(a, packageAssets[i].a, packageAssets[i].b) }},
		{"asset prices", newInserter(ctx, tx, "asset_prices", "asset_id", "recent_average_price", "original_price", "asset_stock"), len(b.AssetPrices),
			func(i int, a []any) []any {
				x := b.AssetPrices[i]
				return append(a, x.AssetID, x.RecentAveragePrice, optInt(x.OriginalPrice), optInt(x.AssetStock))
			}},
		{"places", newInserter(ctx, tx, "places", "asset_id", "universe_id", "price_in_robux"), len(b.Places),
			func(i int, a []any) []any {
				x := b.Places[i]
				return append(a, x.AssetID, x.UniverseID, optInt(x.PriceInRobux))
			}},
		{"place tabs", newInserter(ctx, tx, "place_tabs", "user_id", "tab", "position", "place_id", "added_at"), len(b.PlaceEntries),
			func(i int, a []any) []any {
				x := b.PlaceEntries[i]
				return append(a, x.UserID, int(x.Tab), x.Position, x.PlaceID, millis(x.Added))
			}},
		{"favorites", newInserter(ctx, tx, "favorites", "user_id", "item_type", "item_id", "added_at"), len(b.Favorites),
			func(i int, a []any) []any {
				x := b.Favorites[i]
				return append(a, x.UserID, int(x.Item.Type), x.Item.ID, millis(x.Added))
			}},
		{"collections", newInserter(ctx, tx, "collections", "user_id", "item_type", "item_id", "added_at"), len(b.Collections),
			func(i int, a []any) []any {
				x := b.Collections[i]
				return append(a, x.UserID, int(x.Item.Type), x.Item.ID, x.Added.UnixMilli())
			}},
	}
	for _, st := range steps {
		if err := st.in.insert(st.n, st.row); err != nil {
			return fmt.Errorf("import %s: %w", st.what, err)
		}
	}
	return nil
}

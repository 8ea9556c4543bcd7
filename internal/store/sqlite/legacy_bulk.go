package sqlite

import (
	"context"
	"database/sql"
	"fmt"

	"github.com/invcloud/invcloud/internal/inventory"
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

// legacyExportSteps are the Export steps of the legacy tables, each in key
// order.
func legacyExportSteps(ctx context.Context, tx *sql.Tx, fn func(store.Batch) error) []struct {
	what string
	run  func() error
} {
	emit := func(lb store.LegacyBatch) error { return fn(store.Batch{LegacyBatch: lb}) }
	return []struct {
		what string
		run  func() error
	}{
		{"friends", func() error {
			return exportTable(ctx, tx, `SELECT user_id, friend_id, created_at FROM friends WHERE user_id < friend_id ORDER BY user_id, friend_id`,
				func(r *sql.Rows) (f store.Friendship, err error) {
					var created int64
					err = r.Scan(&f.A, &f.B, &created)
					f.Created = fromMillis(sql.NullInt64{Int64: created, Valid: true})
					return f, err
				},
				func(v []store.Friendship) error { return emit(store.LegacyBatch{Friends: v}) })
		}},
		{"bundles", func() error {
			contents, err := groupedIDs(ctx, tx, `SELECT bundle_id, asset_id FROM bundle_assets ORDER BY bundle_id, asset_id`)
			if err != nil {
				return err
			}
			return exportTable(ctx, tx, `SELECT id, name, bundle_type, creator_user_id, created_at FROM bundles ORDER BY id`,
				func(r *sql.Rows) (x store.Bundle, err error) {
					var typ int
					var created int64
					err = r.Scan(&x.ID, &x.Name, &typ, &x.CreatorID, &created)
					x.Type, x.Created, x.AssetIDs = inventory.BundleType(typ), fromMillis(sql.NullInt64{Int64: created, Valid: true}), contents[x.ID]
					return x, err
				},
				func(v []store.Bundle) error { return emit(store.LegacyBatch{Bundles: v}) })
		}},
		{"bundle ownerships", func() error {
			return exportTable(ctx, tx, `SELECT user_id, bundle_id, added_at FROM user_bundles ORDER BY user_id, bundle_id`,
				func(r *sql.Rows) (x store.BundleOwnership, err error) {
					var added sql.NullInt64
					err = r.Scan(&x.UserID, &x.BundleID, &added)
					x.Added = fromMillis(added)
					return x, err
				},
				func(v []store.BundleOwnership) error { return emit(store.LegacyBatch{BundleOwnerships: v}) })
		}},
		{"packages", func() error {
			contents, err := groupedIDs(ctx, tx, `SELECT package_id, asset_id FROM package_assets ORDER BY package_id, asset_id`)
			if err != nil || len(contents) == 0 {
				return err
			}
			ids, err := queryIDs(ctx, tx, `SELECT DISTINCT package_id FROM package_assets ORDER BY package_id`)
			if err != nil {
				return err
			}
			v := make([]store.PackageContents, len(ids))
			for i, id := range ids {
				v[i] = store.PackageContents{PackageID: id, AssetIDs: contents[id]}
			}
			return emit(store.LegacyBatch{Packages: v})
		}},
		{"asset prices", func() error {
			return exportTable(ctx, tx, `SELECT asset_id, recent_average_price, original_price, asset_stock FROM asset_prices ORDER BY asset_id`,
				func(r *sql.Rows) (x store.AssetPrice, err error) {
					var orig, stock sql.NullInt64
					err = r.Scan(&x.AssetID, &x.RecentAveragePrice, &orig, &stock)
					x.OriginalPrice, x.AssetStock = ptrOf(orig), ptrOf(stock)
					return x, err
				},
				func(v []store.AssetPrice) error { return emit(store.LegacyBatch{AssetPrices: v}) })
		}},
		{"places", func() error {
			return exportTable(ctx, tx, `SELECT asset_id, universe_id, price_in_robux FROM places ORDER BY asset_id`,
				func(r *sql.Rows) (x store.Place, err error) {
					var price sql.NullInt64
					err = r.Scan(&x.AssetID, &x.UniverseID, &price)
					x.PriceInRobux = ptrOf(price)
					return x, err
				},
				func(v []store.Place) error { return emit(store.LegacyBatch{Places: v}) })
		}},
		{"place tabs", func() error {
			return exportTable(ctx, tx, `SELECT user_id, tab, position, place_id, added_at FROM place_tabs ORDER BY user_id, tab, position`,
				func(r *sql.Rows) (x store.PlaceEntry, err error) {
					var tab int
					var added sql.NullInt64
					err = r.Scan(&x.UserID, &tab, &x.Position, &x.PlaceID, &added)
					x.Tab, x.Added = store.PlacesTab(tab), fromMillis(added)
					return x, err
				},
				func(v []store.PlaceEntry) error { return emit(store.LegacyBatch{PlaceEntries: v}) })
		}},
		{"favorites", func() error {
			return exportTable(ctx, tx, `SELECT user_id, item_type, item_id, added_at FROM favorites ORDER BY user_id, item_type, item_id`,
				scanUserItem, func(v []store.UserItem) error { return emit(store.LegacyBatch{Favorites: v}) })
		}},
		{"collections", func() error {
			return exportTable(ctx, tx, `SELECT user_id, item_type, item_id, added_at FROM collections ORDER BY user_id, item_type, item_id`,
				scanUserItem, func(v []store.UserItem) error { return emit(store.LegacyBatch{Collections: v}) })
		}},
	}
}

func scanUserItem(r *sql.Rows) (x store.UserItem, err error) {
	var typ int
	var added sql.NullInt64
	err = r.Scan(&x.UserID, &typ, &x.Item.ID, &added)
	x.Item.Type, x.Added = inventory.ItemType(typ), fromMillis(added)
	return x, err
}

// groupedIDs reads (key, id) rows into a map of id lists.
func groupedIDs(ctx context.Context, tx *sql.Tx, q string) (map[int64][]int64, error) {
	rows, err := tx.QueryContext(ctx, q)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	m := map[int64][]int64{}
	for rows.Next() {
		var k, v int64
		if err := rows.Scan(&k, &v); err != nil {
			return nil, err
		}
		m[k] = append(m[k], v)
	}
	return m, rows.Err()
}

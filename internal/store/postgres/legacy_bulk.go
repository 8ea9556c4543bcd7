package postgres

import (
	"context"
	"fmt"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgtype"

	"github.com/invcloud/invcloud/internal/inventory"
	"github.com/invcloud/invcloud/internal/store"
)

var (
	insertFriends       = unnestInsert("friends", "user_id bigint", "friend_id bigint", "created_at bigint")
	insertBundles       = unnestInsert("bundles", "id bigint", "name text", "bundle_type integer", "creator_user_id bigint", "created_at bigint")
	insertBundleAssets  = unnestInsert("bundle_assets", "bundle_id bigint", "asset_id bigint")
	insertUserBundles   = unnestInsert("user_bundles", "user_id bigint", "bundle_id bigint", "added_at bigint")
	insertPackageAssets = unnestInsert("package_assets", "package_id bigint", "asset_id bigint")
	insertAssetPrices   = unnestInsert("asset_prices", "asset_id bigint", "recent_average_price bigint", "original_price bigint", "asset_stock bigint")
	insertPlaces        = unnestInsert("places", "asset_id bigint", "universe_id bigint", "price_in_robux bigint")
	insertPlaceTabs     = unnestInsert("place_tabs", "user_id bigint", "tab integer", "position bigint", "place_id bigint", "added_at bigint")
	insertFavorites     = unnestInsert("favorites", "user_id bigint", "item_type integer", "item_id bigint", "added_at bigint")
	insertCollections   = unnestInsert("collections", "user_id bigint", "item_type integer", "item_id bigint", "added_at bigint")
)

// importLegacy writes the legacy rows of a batch, skipping those present.
func importLegacy(ctx context.Context, tx pgx.Tx, b store.LegacyBatch) error {
	for _, e := range b.PlaceEntries {
		if e.Position <= 0 {
			return fmt.Errorf("place %d in tab %d of user %d needs a position", e.PlaceID, e.Tab, e.UserID)
		}
	}
	var fa, fb, fc []int64
	for _, f := range b.Friends {
		fa, fb, fc = append(fa, f.A, f.B), append(fb, f.B, f.A), append(fc, f.Created.UnixMilli(), f.Created.UnixMilli())
	}
	var baB, baA, paP, paA []int64
	for _, x := range b.Bundles {
		for _, a := range x.AssetIDs {
			baB, baA = append(baB, x.ID), append(baA, a)
		}
	}
	for _, x := range b.Packages {
		for _, a := range x.AssetIDs {
			paP, paA = append(paP, x.PackageID), append(paA, a)
		}
	}
	userItems := func(v []store.UserItem) []any {
		return []any{column(v, func(x store.UserItem) int64 { return x.UserID }), column(v, func(x store.UserItem) int32 { return int32(x.Item.Type) }),
			column(v, func(x store.UserItem) int64 { return x.Item.ID }), column(v, func(x store.UserItem) pgtype.Int8 { return millis(x.Added) })}
	}
	steps := []struct {
		what string
		q    string
		n    int
		args []any
	}{
		{"friends", insertFriends, len(fa), []any{fa, fb, fc}},
		{"bundles", insertBundles, len(b.Bundles), []any{
			column(b.Bundles, func(x store.Bundle) int64 { return x.ID }), column(b.Bundles, func(x store.Bundle) string { return x.Name }),
			column(b.Bundles, func(x store.Bundle) int32 { return int32(x.Type) }), column(b.Bundles, func(x store.Bundle) int64 { return x.CreatorID }),
			column(b.Bundles, func(x store.Bundle) int64 { return x.Created.UnixMilli() })}},
		{"bundle assets", insertBundleAssets, len(baB), []any{baB, baA}},
		{"bundle ownerships", insertUserBundles, len(b.BundleOwnerships), []any{
			column(b.BundleOwnerships, func(x store.BundleOwnership) int64 { return x.UserID }),
			column(b.BundleOwnerships, func(x store.BundleOwnership) int64 { return x.BundleID }),
			column(b.BundleOwnerships, func(x store.BundleOwnership) pgtype.Int8 { return millis(x.Added) })}},
		{"package assets", insertPackageAssets, len(paP), []any{paP, paA}},
		{"asset prices", insertAssetPrices, len(b.AssetPrices), []any{
			column(b.AssetPrices, func(x store.AssetPrice) int64 { return x.AssetID }),
			column(b.AssetPrices, func(x store.AssetPrice) int64 { return x.RecentAveragePrice }),
			column(b.AssetPrices, func(x store.AssetPrice) pgtype.Int8 { return pgOpt(x.OriginalPrice) }),
			column(b.AssetPrices, func(x store.AssetPrice) pgtype.Int8 { return pgOpt(x.AssetStock) })}},
		{"places", insertPlaces, len(b.Places), []any{
			column(b.Places, func(x store.Place) int64 { return x.AssetID }), column(b.Places, func(x store.Place) int64 { return x.UniverseID }),
			column(b.Places, func(x store.Place) pgtype.Int8 { return pgOpt(x.PriceInRobux) })}},
		{"place tabs", insertPlaceTabs, len(b.PlaceEntries), []any{
			column(b.PlaceEntries, func(x store.PlaceEntry) int64 { return x.UserID }),
			column(b.PlaceEntries, func(x store.PlaceEntry) int32 { return int32(x.Tab) }),
			column(b.PlaceEntries, func(x store.PlaceEntry) int64 { return x.Position }),
			column(b.PlaceEntries, func(x store.PlaceEntry) int64 { return x.PlaceID }),
			column(b.PlaceEntries, func(x store.PlaceEntry) pgtype.Int8 { return millis(x.Added) })}},
		{"favorites", insertFavorites, len(b.Favorites), userItems(b.Favorites)},
		{"collections", insertCollections, len(b.Collections), userItems(b.Collections)},
	}
	for _, st := range steps {
		if st.n == 0 {
			continue
		}
		if _, err := tx.Exec(ctx, st.q, st.args...); err != nil {
			return fmt.Errorf("%s: %w", st.what, err)
		}
	}
	return nil
}

// exportLegacy is the Export steps of the legacy tables, each in key order
// (as the SQLite store exports them).
func exportLegacy(ctx context.Context, tx pgx.Tx, fn func(store.Batch) error) []exportStep {
	emit := func(lb store.LegacyBatch) error { return fn(store.Batch{LegacyBatch: lb}) }
	userItems := func(table string) func() error {
		return func() error {
			return exportTable(ctx, tx, `SELECT user_id, item_type, item_id, added_at FROM `+table+` ORDER BY user_id, item_type, item_id`,
				func(r pgx.Rows) (x store.UserItem, err error) {
					var typ int32
					var added pgtype.Int8
					err = r.Scan(&x.UserID, &typ, &x.Item.ID, &added)
					x.Item.Type, x.Added = inventory.ItemType(typ), fromMillis(added)
					return x, err
				},
				func(v []store.UserItem) error {
					if table == "favorites" {
						return emit(store.LegacyBatch{Favorites: v})
					}
					return emit(store.LegacyBatch{Collections: v})
				})
		}
	}
	return []exportStep{
		{"friends", func() error {
			return exportTable(ctx, tx, `SELECT user_id, friend_id, created_at FROM friends WHERE user_id < friend_id ORDER BY user_id, friend_id`,
				func(r pgx.Rows) (f store.Friendship, err error) {
					var created int64
					err = r.Scan(&f.A, &f.B, &created)
					f.Created = fromMillisNotNull(created)
					return f, err
				},
				func(v []store.Friendship) error { return emit(store.LegacyBatch{Friends: v}) })
		}},
		{"bundles", func() error {
			contents, err := pgGrouped(ctx, tx, `SELECT bundle_id, asset_id FROM bundle_assets ORDER BY bundle_id, asset_id`)
			if err != nil {
				return err
			}
			return exportTable(ctx, tx, `SELECT id, name, bundle_type, creator_user_id, created_at FROM bundles ORDER BY id`,
				func(r pgx.Rows) (x store.Bundle, err error) {
					var typ int32
					var created int64
					err = r.Scan(&x.ID, &x.Name, &typ, &x.CreatorID, &created)
					x.Type, x.Created, x.AssetIDs = inventory.BundleType(typ), fromMillisNotNull(created), contents[x.ID]
					return x, err
				},
				func(v []store.Bundle) error { return emit(store.LegacyBatch{Bundles: v}) })
		}},
		{"bundle ownerships", func() error {
			return exportTable(ctx, tx, `SELECT user_id, bundle_id, added_at FROM user_bundles ORDER BY user_id, bundle_id`,
				func(r pgx.Rows) (x store.BundleOwnership, err error) {
					var added pgtype.Int8
					err = r.Scan(&x.UserID, &x.BundleID, &added)
					x.Added = fromMillis(added)
					return x, err
				},
				func(v []store.BundleOwnership) error { return emit(store.LegacyBatch{BundleOwnerships: v}) })
		}},
		{"packages", func() error {
			contents, err := pgGrouped(ctx, tx, `SELECT package_id, asset_id FROM package_assets ORDER BY package_id, asset_id`)
			if err != nil || len(contents) == 0 {
				return err
			}
			ids, err := pgIDs(ctx, tx, `SELECT DISTINCT package_id FROM package_assets ORDER BY package_id`)
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
				func(r pgx.Rows) (x store.AssetPrice, err error) {
					var orig, stock pgtype.Int8
					err = r.Scan(&x.AssetID, &x.RecentAveragePrice, &orig, &stock)
					x.OriginalPrice, x.AssetStock = pgPtr(orig), pgPtr(stock)
					return x, err
				},
				func(v []store.AssetPrice) error { return emit(store.LegacyBatch{AssetPrices: v}) })
		}},
		{"places", func() error {
			return exportTable(ctx, tx, `SELECT asset_id, universe_id, price_in_robux FROM places ORDER BY asset_id`,
				func(r pgx.Rows) (x store.Place, err error) {
					var price pgtype.Int8
					err = r.Scan(&x.AssetID, &x.UniverseID, &price)
					x.PriceInRobux = pgPtr(price)
					return x, err
				},
				func(v []store.Place) error { return emit(store.LegacyBatch{Places: v}) })
		}},
		{"place tabs", func() error {
			return exportTable(ctx, tx, `SELECT user_id, tab, position, place_id, added_at FROM place_tabs ORDER BY user_id, tab, position`,
				func(r pgx.Rows) (x store.PlaceEntry, err error) {
					var tab int32
					var added pgtype.Int8
					err = r.Scan(&x.UserID, &tab, &x.Position, &x.PlaceID, &added)
					x.Tab, x.Added = store.PlacesTab(tab), fromMillis(added)
					return x, err
				},
				func(v []store.PlaceEntry) error { return emit(store.LegacyBatch{PlaceEntries: v}) })
		}},
		{"favorites", userItems("favorites")},
		{"collections", userItems("collections")},
	}
}

func pgGrouped(ctx context.Context, tx pgx.Tx, q string) (map[int64][]int64, error) {
	rows, err := tx.Query(ctx, q)
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

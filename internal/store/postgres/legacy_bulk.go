package postgres

import (
	"context"
	"fmt"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgtype"

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

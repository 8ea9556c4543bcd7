package postgres

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgconn"
	"github.com/jackc/pgx/v5/pgtype"

	"github.com/invcloud/invcloud/internal/inventory"
	"github.com/invcloud/invcloud/internal/store"
)

// legacyDB is what the legacy queries run on: the pool or a transaction.
type legacyDB interface {
	Exec(ctx context.Context, sql string, args ...any) (pgconn.CommandTag, error)
	Query(ctx context.Context, sql string, args ...any) (pgx.Rows, error)
	QueryRow(ctx context.Context, sql string, args ...any) pgx.Row
}

// ---- friends ----

// AddFriend implements store.LegacyStore.
func (s *Store) AddFriend(ctx context.Context, a, b int64, at time.Time) error {
	if a == b {
		return fmt.Errorf("add friend: user %d cannot befriend themselves", a)
	}
	err := pgx.BeginFunc(ctx, s.pool, func(tx pgx.Tx) error {
		_, err := tx.Exec(ctx, `INSERT INTO friends (user_id, friend_id, created_at) VALUES ($1, $2, $3), ($2, $1, $3)`, a, b, at.UnixMilli())
		return err
	})
	switch {
	case isUnique(err):
		return fmt.Errorf("users %d and %d are friends already: %w", a, b, store.ErrExists)
	case isForeignKey(err):
		return fmt.Errorf("add friend %d of %d: user: %w", b, a, store.ErrNotFound)
	case err != nil:
		return fmt.Errorf("add friend %d of %d: %w", b, a, err)
	}
	return nil
}

// RemoveFriend implements store.LegacyStore.
func (s *Store) RemoveFriend(ctx context.Context, a, b int64) error {
	tag, err := s.pool.Exec(ctx, `DELETE FROM friends WHERE (user_id = $1 AND friend_id = $2) OR (user_id = $2 AND friend_id = $1)`, a, b)
	return affected(tag, err, fmt.Sprintf("friendship of users %d and %d", a, b))
}

// AreFriends implements store.LegacyStore.
func (s *Store) AreFriends(ctx context.Context, a, b int64) (bool, error) {
	ok, err := pgExists(ctx, s.pool, `SELECT 1 FROM friends WHERE user_id = $1 AND friend_id = $2`, a, b)
	if err != nil {
		return false, fmt.Errorf("read friendship of users %d and %d: %w", a, b, err)
	}
	return ok, nil
}

// Friends implements store.LegacyStore.
func (s *Store) Friends(ctx context.Context, userID int64) ([]int64, error) {
	ids, err := pgIDs(ctx, s.pool, `SELECT friend_id FROM friends WHERE user_id = $1 ORDER BY friend_id`, userID)
	if err != nil {
		return nil, fmt.Errorf("friends of user %d: %w", userID, err)
	}
	return ids, nil
}

// ---- bundles and packages ----

// PutBundle implements store.LegacyStore.
func (s *Store) PutBundle(ctx context.Context, b store.Bundle) error {
	err := pgx.BeginFunc(ctx, s.pool, func(tx pgx.Tx) error {
		_, err := tx.Exec(ctx, `INSERT INTO bundles (id, name, bundle_type, creator_user_id, created_at) VALUES ($1, $2, $3, $4, $5)
			ON CONFLICT (id) DO UPDATE SET name = excluded.name, bundle_type = excluded.bundle_type,
			  creator_user_id = excluded.creator_user_id, created_at = excluded.created_at`,
			b.ID, b.Name, int(b.Type), b.CreatorID, b.Created.UnixMilli())
		if err != nil {
			return err
		}
		if _, err := tx.Exec(ctx, `DELETE FROM bundle_assets WHERE bundle_id = $1`, b.ID); err != nil {
			return err
		}
		_, err = tx.Exec(ctx, `INSERT INTO bundle_assets (bundle_id, asset_id) SELECT $1, unnest($2::bigint[]) ON CONFLICT DO NOTHING`, b.ID, b.AssetIDs)
		return err
	})
	if isForeignKey(err) {
		return fmt.Errorf("put bundle %d: asset: %w", b.ID, store.ErrNotFound)
	}
	if err != nil {
		return fmt.Errorf("put bundle %d: %w", b.ID, err)
	}
	return nil
}

// Bundle implements store.LegacyStore.
func (s *Store) Bundle(ctx context.Context, id int64) (store.Bundle, error) {
	b := store.Bundle{ID: id}
	var typ int32
	var created int64
	err := s.pool.QueryRow(ctx, `SELECT name, bundle_type, creator_user_id, created_at FROM bundles WHERE id = $1`, id).
		Scan(&b.Name, &typ, &b.CreatorID, &created)
	if err != nil {
		return b, notFound(err, fmt.Sprintf("bundle %d", id))
	}
	b.Type, b.Created = inventory.BundleType(typ), fromMillisNotNull(created)
	b.AssetIDs, err = pgIDs(ctx, s.pool, `SELECT asset_id FROM bundle_assets WHERE bundle_id = $1 ORDER BY asset_id`, id)
	if err != nil {
		return b, fmt.Errorf("read bundle %d: %w", id, err)
	}
	return b, nil
}

// GrantBundle implements store.LegacyStore.
func (s *Store) GrantBundle(ctx context.Context, userID, bundleID int64, at time.Time) error {
	_, err := s.pool.Exec(ctx, `INSERT INTO user_bundles (user_id, bundle_id, added_at) VALUES ($1, $2, $3)`, userID, bundleID, millis(at))
	switch {
	case isUnique(err):
		return fmt.Errorf("user %d already owns bundle %d: %w", userID, bundleID, store.ErrExists)
	case isForeignKey(err):
		return fmt.Errorf("grant bundle %d to user %d: %w", bundleID, userID, store.ErrNotFound)
	case err != nil:
		return fmt.Errorf("grant bundle %d to user %d: %w", bundleID, userID, err)
	}
	return nil
}

// RevokeBundle implements store.LegacyStore.
func (s *Store) RevokeBundle(ctx context.Context, userID, bundleID int64) error {
	tag, err := s.pool.Exec(ctx, `DELETE FROM user_bundles WHERE user_id = $1 AND bundle_id = $2`, userID, bundleID)
	return affected(tag, err, fmt.Sprintf("bundle %d of user %d", bundleID, userID))
}

// OwnsBundle implements store.LegacyStore.
func (s *Store) OwnsBundle(ctx context.Context, userID, bundleID int64) (bool, error) {
	return pgExists(ctx, s.pool, `SELECT 1 FROM user_bundles WHERE user_id = $1 AND bundle_id = $2`, userID, bundleID)
}

// PutPackage implements store.LegacyStore.
func (s *Store) PutPackage(ctx context.Context, p store.PackageContents) error {
	err := pgx.BeginFunc(ctx, s.pool, func(tx pgx.Tx) error {
		if _, err := tx.Exec(ctx, `DELETE FROM package_assets WHERE package_id = $1`, p.PackageID); err != nil {
			return err
		}
		_, err := tx.Exec(ctx, `INSERT INTO package_assets (package_id, asset_id) SELECT $1, unnest($2::bigint[]) ON CONFLICT DO NOTHING`, p.PackageID, p.AssetIDs)
		return err
	})
	if isForeignKey(err) {
		return fmt.Errorf("put package %d: asset: %w", p.PackageID, store.ErrNotFound)
	}
	if err != nil {
		return fmt.Errorf("put package %d: %w", p.PackageID, err)
	}
	return nil
}

// PackageAssets implements store.LegacyStore.
func (s *Store) PackageAssets(ctx context.Context, packageID int64) ([]int64, error) {
	ids, err := pgIDs(ctx, s.pool, `SELECT asset_id FROM package_assets WHERE package_id = $1 ORDER BY asset_id`, packageID)
	if err != nil {
		return nil, fmt.Errorf("package %d: %w", packageID, err)
	}
	return ids, nil
}

// PutAssetPrice implements store.LegacyStore.
func (s *Store) PutAssetPrice(ctx context.Context, p store.AssetPrice) error {
	_, err := s.pool.Exec(ctx, `INSERT INTO asset_prices (asset_id, recent_average_price, original_price, asset_stock) VALUES ($1, $2, $3, $4)
		ON CONFLICT (asset_id) DO UPDATE SET recent_average_price = excluded.recent_average_price,
		  original_price = excluded.original_price, asset_stock = excluded.asset_stock`,
		p.AssetID, p.RecentAveragePrice, pgOpt(p.OriginalPrice), pgOpt(p.AssetStock))
	if isForeignKey(err) {
		return fmt.Errorf("put price of asset %d: %w", p.AssetID, store.ErrNotFound)
	}
	if err != nil {
		return fmt.Errorf("put price of asset %d: %w", p.AssetID, err)
	}
	return nil
}

// AssetByCollectibleItem implements store.LegacyStore.
func (s *Store) AssetByCollectibleItem(ctx context.Context, itemID string) (inventory.Asset, error) {
	var id int64
	err := s.pool.QueryRow(ctx, `SELECT id FROM assets WHERE collectible_item_id = $1`, itemID).Scan(&id)
	if err != nil {
		return inventory.Asset{}, notFound(err, fmt.Sprintf("collectible item %q", itemID))
	}
	return s.Asset(ctx, id)
}

// ---- places ----

// PutPlace implements store.LegacyStore.
func (s *Store) PutPlace(ctx context.Context, p store.Place) error {
	_, err := s.pool.Exec(ctx, `INSERT INTO places (asset_id, universe_id, price_in_robux) VALUES ($1, $2, $3)
		ON CONFLICT (asset_id) DO UPDATE SET universe_id = excluded.universe_id, price_in_robux = excluded.price_in_robux`,
		p.AssetID, p.UniverseID, pgOpt(p.PriceInRobux))
	if isForeignKey(err) {
		return fmt.Errorf("put place %d: %w", p.AssetID, store.ErrNotFound)
	}
	if err != nil {
		return fmt.Errorf("put place %d: %w", p.AssetID, err)
	}
	return nil
}

// AddPlaceToTab implements store.LegacyStore. The user's row is locked so
// that concurrent appends to one tab take positions one after the other.
func (s *Store) AddPlaceToTab(ctx context.Context, userID int64, tab store.PlacesTab, placeID int64, at time.Time) error {
	err := pgx.BeginFunc(ctx, s.pool, func(tx pgx.Tx) error {
		if _, err := tx.Exec(ctx, `SELECT 1 FROM users WHERE id = $1 FOR UPDATE`, userID); err != nil {
			return err
		}
		_, err := tx.Exec(ctx, `INSERT INTO place_tabs (user_id, tab, position, place_id, added_at)
			SELECT $1, $2, COALESCE(MAX(position), 0) + 1, $3, $4 FROM place_tabs WHERE user_id = $1 AND tab = $2`,
			userID, int(tab), placeID, millis(at))
		return err
	})
	switch {
	case isUnique(err):
		return fmt.Errorf("place %d is in tab %d of user %d already: %w", placeID, tab, userID, store.ErrExists)
	case isForeignKey(err):
		return fmt.Errorf("add place %d to tab %d of user %d: %w", placeID, tab, userID, store.ErrNotFound)
	case err != nil:
		return fmt.Errorf("add place %d to tab %d of user %d: %w", placeID, tab, userID, err)
	}
	return nil
}

// RemovePlaceFromTab implements store.LegacyStore.
func (s *Store) RemovePlaceFromTab(ctx context.Context, userID int64, tab store.PlacesTab, placeID int64) error {
	tag, err := s.pool.Exec(ctx, `DELETE FROM place_tabs WHERE user_id = $1 AND tab = $2 AND place_id = $3`, userID, int(tab), placeID)
	return affected(tag, err, fmt.Sprintf("place %d in tab %d of user %d", placeID, tab, userID))
}

// PlacesInTab implements store.LegacyStore.
func (s *Store) PlacesInTab(ctx context.Context, userID int64, tab store.PlacesTab, sp store.Span) ([]store.PlaceListing, error) {
	cond, order := pgSpan(sp, "pt.position", 3)
	rows, err := s.pool.Query(ctx, `SELECT pt.position, pl.asset_id, pl.universe_id, pl.price_in_robux, a.name, a.creator_user_id, COALESCE(u.name, '')
		FROM place_tabs pt JOIN places pl ON pl.asset_id = pt.place_id JOIN assets a ON a.id = pl.asset_id
		LEFT JOIN users u ON u.id = a.creator_user_id
		WHERE pt.user_id = $1 AND pt.tab = $2`+cond+order+` LIMIT $4`, userID, int(tab), sp.From, sp.Limit)
	if err != nil {
		return nil, fmt.Errorf("places in tab %d of user %d: %w", tab, userID, err)
	}
	defer rows.Close()
	var out []store.PlaceListing
	for rows.Next() {
		var p store.PlaceListing
		var price pgtype.Int8
		if err := rows.Scan(&p.Position, &p.Place.AssetID, &p.Place.UniverseID, &price, &p.Name, &p.CreatorID, &p.CreatorName); err != nil {
			return nil, fmt.Errorf("places in tab %d of user %d: %w", tab, userID, err)
		}
		p.Place.PriceInRobux = pgPtr(price)
		out = append(out, p)
	}
	return out, rows.Err()
}

// ---- favorites and collections ----

func pgCheckItem(ctx context.Context, db legacyDB, item inventory.ItemRef) error {
	var table string
	switch item.Type {
	case inventory.ItemAsset:
		table = "assets"
	case inventory.ItemBundle:
		table = "bundles"
	default:
		return fmt.Errorf("%s: only assets and bundles can be listed", item)
	}
	ok, err := pgExists(ctx, db, `SELECT 1 FROM `+table+` WHERE id = $1`, item.ID)
	if err != nil {
		return err
	}
	if !ok {
		return fmt.Errorf("%s: %w", item, store.ErrNotFound)
	}
	return nil
}

// AddFavorite implements store.LegacyStore.
func (s *Store) AddFavorite(ctx context.Context, userID int64, item inventory.ItemRef, at time.Time) error {
	err := pgx.BeginFunc(ctx, s.pool, func(tx pgx.Tx) error {
		if err := pgCheckItem(ctx, tx, item); err != nil {
			return err
		}
		_, err := tx.Exec(ctx, `INSERT INTO favorites (user_id, item_type, item_id, added_at) VALUES ($1, $2, $3, $4)`,
			userID, int(item.Type), item.ID, millis(at))
		return err
	})
	switch {
	case isUnique(err):
		return fmt.Errorf("%s is a favorite of user %d already: %w", item, userID, store.ErrExists)
	case isForeignKey(err):
		return fmt.Errorf("add favorite %s of user %d: %w", item, userID, store.ErrNotFound)
	case err != nil:
		return fmt.Errorf("add favorite %s of user %d: %w", item, userID, err)
	}
	return nil
}

// RemoveFavorite implements store.LegacyStore.
func (s *Store) RemoveFavorite(ctx context.Context, userID int64, item inventory.ItemRef) error {
	tag, err := s.pool.Exec(ctx, `DELETE FROM favorites WHERE user_id = $1 AND item_type = $2 AND item_id = $3`, userID, int(item.Type), item.ID)
	return affected(tag, err, fmt.Sprintf("favorite %s of user %d", item, userID))
}

// FavoriteTypes implements store.LegacyStore.
func (s *Store) FavoriteTypes(ctx context.Context, userID int64) ([]int, []inventory.BundleType, error) {
	at, err := pgIDs(ctx, s.pool, `SELECT DISTINCT a.asset_type_id::bigint FROM favorites f JOIN assets a ON a.id = f.item_id
		WHERE f.user_id = $1 AND f.item_type = 0 ORDER BY 1`, userID)
	if err != nil {
		return nil, nil, fmt.Errorf("favorite types of user %d: %w", userID, err)
	}
	bt, err := pgIDs(ctx, s.pool, `SELECT DISTINCT b.bundle_type::bigint FROM favorites f JOIN bundles b ON b.id = f.item_id
		WHERE f.user_id = $1 AND f.item_type = 3 ORDER BY 1`, userID)
	if err != nil {
		return nil, nil, fmt.Errorf("favorite types of user %d: %w", userID, err)
	}
	assetTypes := make([]int, len(at))
	for i, t := range at {
		assetTypes[i] = int(t)
	}
	bundleTypes := make([]inventory.BundleType, len(bt))
	for i, t := range bt {
		bundleTypes[i] = inventory.BundleType(t)
	}
	return assetTypes, bundleTypes, nil
}

// Collection implements store.LegacyStore.
func (s *Store) Collection(ctx context.Context, userID int64) ([]store.UserItem, error) {
	rows, err := s.pool.Query(ctx, `SELECT item_type, item_id, added_at FROM collections WHERE user_id = $1
		ORDER BY added_at, item_type, item_id`, userID)
	if err != nil {
		return nil, fmt.Errorf("collection of user %d: %w", userID, err)
	}
	defer rows.Close()
	var out []store.UserItem
	for rows.Next() {
		it := store.UserItem{UserID: userID}
		var typ int32
		var added pgtype.Int8
		if err := rows.Scan(&typ, &it.Item.ID, &added); err != nil {
			return nil, fmt.Errorf("collection of user %d: %w", userID, err)
		}
		it.Item.Type, it.Added = inventory.ItemType(typ), fromMillis(added)
		out = append(out, it)
	}
	return out, rows.Err()
}

// AddToCollection implements store.LegacyStore. The user's row is locked,
// so concurrent adds cannot overfill the collection.
func (s *Store) AddToCollection(ctx context.Context, userID int64, item inventory.ItemRef, capacity int, at time.Time) error {
	err := pgx.BeginFunc(ctx, s.pool, func(tx pgx.Tx) error {
		tag, err := tx.Exec(ctx, `SELECT 1 FROM users WHERE id = $1 FOR UPDATE`, userID)
		if err != nil {
			return err
		}
		if tag.RowsAffected() == 0 {
			return fmt.Errorf("user %d: %w", userID, store.ErrNotFound)
		}
		there, err := pgExists(ctx, tx, `SELECT 1 FROM collections WHERE user_id = $1 AND item_type = $2 AND item_id = $3`, userID, int(item.Type), item.ID)
		if err != nil {
			return err
		}
		if there {
			return fmt.Errorf("%s is in the collection of user %d already: %w", item, userID, store.ErrExists)
		}
		var n int
		if err := tx.QueryRow(ctx, `SELECT count(*) FROM collections WHERE user_id = $1`, userID).Scan(&n); err != nil {
			return err
		}
		if n >= capacity {
			return fmt.Errorf("the collection of user %d holds %d items: %w", userID, n, store.ErrFull)
		}
		if err := pgCheckItem(ctx, tx, item); err != nil {
			return err
		}
		_, err = tx.Exec(ctx, `INSERT INTO collections (user_id, item_type, item_id, added_at) VALUES ($1, $2, $3, $4)`,
			userID, int(item.Type), item.ID, at.UnixMilli())
		return err
	})
	switch {
	case isForeignKey(err):
		return fmt.Errorf("add %s to the collection of user %d: %w", item, userID, store.ErrNotFound)
	case err != nil:
		return fmt.Errorf("add %s to the collection of user %d: %w", item, userID, err)
	}
	return nil
}

// RemoveFromCollection implements store.LegacyStore.
func (s *Store) RemoveFromCollection(ctx context.Context, userID int64, item inventory.ItemRef) error {
	tag, err := s.pool.Exec(ctx, `DELETE FROM collections WHERE user_id = $1 AND item_type = $2 AND item_id = $3`, userID, int(item.Type), item.ID)
	return affected(tag, err, fmt.Sprintf("%s in the collection of user %d", item, userID))
}

// ---- listings ----

const pgOwnedColumns = `ua.user_id, ua.instance_id, ua.asset_id, ua.asset_type, ua.serial_number, ua.collectible_instance_id,
	ua.collectible_state, ua.added_at, a.name, a.asset_type_id, a.creator_user_id, a.collectible_item_id, a.serialized,
	a.created_at, p.asset_id, p.recent_average_price, p.original_price, p.asset_stock`

const pgOwnedFrom = ` FROM user_assets ua JOIN assets a ON a.id = ua.asset_id LEFT JOIN asset_prices p ON p.asset_id = ua.asset_id`

// pgSpan returns the keyset condition and order of sp on col, whose bound
// is parameter $n.
func pgSpan(sp store.Span, col string, n int) (cond, order string) {
	p := fmt.Sprintf("$%d::bigint", n)
	if sp.Desc {
		return ` AND (` + p + ` = 0 OR ` + col + ` < ` + p + `)`, ` ORDER BY ` + col + ` DESC`
	}
	return ` AND ` + col + ` > ` + p, ` ORDER BY ` + col
}

func pgScanOwned(r pgx.Row, extra ...any) (store.OwnedAsset, error) {
	var (
		o                            store.OwnedAsset
		assetType, legacyType        int32
		serial, state, added         pgtype.Int8
		collInstance, collItem       pgtype.Text
		created                      int64
		priceAsset, avg, orig, stock pgtype.Int8
	)
	dest := []any{&o.UserID, &o.Item.ID, &o.Item.AssetID, &assetType, &serial, &collInstance, &state, &added,
		&o.Asset.Name, &legacyType, &o.Asset.CreatorID, &collItem, &o.Asset.Serialized, &created,
		&priceAsset, &avg, &orig, &stock}
	if err := r.Scan(append(dest, extra...)...); err != nil {
		return o, err
	}
	o.Item.Kind = inventory.KindAsset
	o.Item.AssetType = inventory.AssetType(assetType)
	o.Item.AddTime = fromMillis(added)
	if collInstance.Valid {
		o.Item.Collectible = &inventory.Collectible{ItemID: collItem.String, InstanceID: collInstance.String,
			State: inventory.CollectibleState(state.Int64), SerialNumber: serial.Int64}
	}
	o.Asset.ID, o.Asset.LegacyType = o.Item.AssetID, int(legacyType)
	o.Asset.Collectible, o.Asset.CollectibleItemID = collItem.Valid, collItem.String
	o.Asset.Created = fromMillisNotNull(created)
	if priceAsset.Valid {
		o.Price = store.AssetPrice{AssetID: priceAsset.Int64, RecentAveragePrice: avg.Int64, OriginalPrice: pgPtr(orig), AssetStock: pgPtr(stock)}
	}
	return o, nil
}

func (s *Store) pgListOwned(ctx context.Context, q string, args ...any) ([]store.OwnedAsset, error) {
	rows, err := s.pool.Query(ctx, q, args...)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []store.OwnedAsset
	for rows.Next() {
		o, err := pgScanOwned(rows)
		if err != nil {
			return nil, err
		}
		out = append(out, o)
	}
	return out, rows.Err()
}

// UserCollectibles implements store.LegacyStore.
func (s *Store) UserCollectibles(ctx context.Context, userID int64, legacyType int, types inventory.TypeSet, sp store.Span) ([]store.OwnedAsset, error) {
	cond, order := pgSpan(sp, "ua.instance_id", 2)
	out, err := s.pgListOwned(ctx, `SELECT `+pgOwnedColumns+pgOwnedFrom+` WHERE ua.user_id = $1 AND ua.collectible_instance_id IS NOT NULL
		AND ($3::integer = 0 OR a.asset_type_id = $3::integer) AND (($5::bigint >> ua.asset_type) & 1) = 1`+cond+order+` LIMIT $4`,
		userID, sp.From, legacyType, sp.Limit, int64(types))
	if err != nil {
		return nil, fmt.Errorf("collectibles of user %d: %w", userID, err)
	}
	return out, nil
}

// UserAssets implements store.LegacyStore.
func (s *Store) UserAssets(ctx context.Context, userID int64, legacyTypes []int, sp store.Span) ([]store.OwnedAsset, error) {
	types := make([]int32, len(legacyTypes))
	for i, t := range legacyTypes {
		types[i] = int32(t)
	}
	cond, order := pgSpan(sp, "ua.instance_id", 2)
	out, err := s.pgListOwned(ctx, `SELECT `+pgOwnedColumns+pgOwnedFrom+` WHERE ua.user_id = $1
		AND a.asset_type_id = ANY($3::integer[])`+cond+order+` LIMIT $4`, userID, sp.From, types, sp.Limit)
	if err != nil {
		return nil, fmt.Errorf("assets of user %d: %w", userID, err)
	}
	return out, nil
}

// CollectibleOwners implements store.LegacyStore.
func (s *Store) CollectibleOwners(ctx context.Context, assetID, viewerID int64, sp store.Span) ([]store.AssetOwner, error) {
	cond, order := pgSpan(sp, "ua.instance_id", 2)
	rows, err := s.pool.Query(ctx, `SELECT `+pgOwnedColumns+`, u.name, u.display_name, u.created_at, u.visibility,
		EXISTS (SELECT 1 FROM friends f WHERE f.user_id = $3 AND f.friend_id = ua.user_id)`+pgOwnedFrom+`
		JOIN users u ON u.id = ua.user_id
		WHERE ua.asset_id = $1 AND ua.collectible_instance_id IS NOT NULL`+cond+order+` LIMIT $4`, assetID, sp.From, viewerID, sp.Limit)
	if err != nil {
		return nil, fmt.Errorf("owners of asset %d: %w", assetID, err)
	}
	defer rows.Close()
	var out []store.AssetOwner
	for rows.Next() {
		var o store.AssetOwner
		var created int64
		var vis string
		o.OwnedAsset, err = pgScanOwned(rows, &o.Owner.Name, &o.Owner.DisplayName, &created, &vis, &o.ViewerIsFriend)
		if err != nil {
			return nil, fmt.Errorf("owners of asset %d: %w", assetID, err)
		}
		o.Owner.ID, o.Owner.Created, o.Owner.Visibility = o.UserID, fromMillisNotNull(created), inventory.Visibility(vis)
		out = append(out, o)
	}
	return out, rows.Err()
}

// ---- helpers ----

func pgExists(ctx context.Context, db legacyDB, q string, args ...any) (bool, error) {
	var one int
	err := db.QueryRow(ctx, q, args...).Scan(&one)
	if errors.Is(err, pgx.ErrNoRows) {
		return false, nil
	}
	return err == nil, err
}

func pgIDs(ctx context.Context, db legacyDB, q string, args ...any) ([]int64, error) {
	rows, err := db.Query(ctx, q, args...)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []int64
	for rows.Next() {
		var n int64
		if err := rows.Scan(&n); err != nil {
			return nil, err
		}
		out = append(out, n)
	}
	return out, rows.Err()
}

func pgOpt(p *int64) pgtype.Int8 {
	if p == nil {
		return pgtype.Int8{}
	}
	return pgtype.Int8{Int64: *p, Valid: true}
}

func pgPtr(n pgtype.Int8) *int64 {
	if !n.Valid {
		return nil
	}
	return &n.Int64
}

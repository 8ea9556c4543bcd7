package sqlite

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/invcloud/invcloud/internal/inventory"
	"github.com/invcloud/invcloud/internal/store"
)

// ---- friends ----

// AddFriend implements store.LegacyStore.
func (s *Store) AddFriend(ctx context.Context, a, b int64, at time.Time) error {
	if a == b {
		return fmt.Errorf("add friend: user %d cannot befriend themselves", a)
	}
	err := s.inTx(ctx, func(tx *sql.Tx) error {
		for _, p := range [][2]int64{{a, b}, {b, a}} {
			if _, err := tx.ExecContext(ctx, `INSERT INTO friends (user_id, friend_id, created_at) VALUES (?, ?, ?)`, p[0], p[1], at.UnixMilli()); err != nil {
				return err
			}
		}
		return nil
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
	res, err := s.db.ExecContext(ctx, `DELETE FROM friends WHERE (user_id = ?1 AND friend_id = ?2) OR (user_id = ?2 AND friend_id = ?1)`, a, b)
	return affected(res, err, fmt.Sprintf("friendship of users %d and %d", a, b))
}

// AreFriends implements store.LegacyStore.
func (s *Store) AreFriends(ctx context.Context, a, b int64) (bool, error) {
	var one int
	err := s.db.QueryRowContext(ctx, `SELECT 1 FROM friends WHERE user_id = ? AND friend_id = ?`, a, b).Scan(&one)
	if errors.Is(err, sql.ErrNoRows) {
		return false, nil
	}
	if err != nil {
		return false, fmt.Errorf("read friendship of users %d and %d: %w", a, b, err)
	}
	return true, nil
}

// Friends implements store.LegacyStore.
func (s *Store) Friends(ctx context.Context, userID int64) ([]int64, error) {
	ids, err := queryIDs(ctx, s.db, `SELECT friend_id FROM friends WHERE user_id = ? ORDER BY friend_id`, userID)
	if err != nil {
		return nil, fmt.Errorf("friends of user %d: %w", userID, err)
	}
	return ids, nil
}

// ---- bundles and packages ----

// PutBundle implements store.LegacyStore.
func (s *Store) PutBundle(ctx context.Context, b store.Bundle) error {
	err := s.inTx(ctx, func(tx *sql.Tx) error {
		_, err := tx.ExecContext(ctx, `INSERT INTO bundles (id, name, bundle_type, creator_user_id, created_at) VALUES (?, ?, ?, ?, ?)
			ON CONFLICT (id) DO UPDATE SET name = excluded.name, bundle_type = excluded.bundle_type,
			  creator_user_id = excluded.creator_user_id, created_at = excluded.created_at`,
			b.ID, b.Name, int(b.Type), b.CreatorID, b.Created.UnixMilli())
		if err != nil {
			return err
		}
		if _, err := tx.ExecContext(ctx, `DELETE FROM bundle_assets WHERE bundle_id = ?`, b.ID); err != nil {
			return err
		}
		for _, a := range b.AssetIDs {
			if _, err := tx.ExecContext(ctx, `INSERT INTO bundle_assets (bundle_id, asset_id) VALUES (?, ?) ON CONFLICT DO NOTHING`, b.ID, a); err != nil {
				return err
			}
		}
		return nil
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
	var typ int
	var created int64
	err := s.db.QueryRowContext(ctx, `SELECT name, bundle_type, creator_user_id, created_at FROM bundles WHERE id = ?`, id).
		Scan(&b.Name, &typ, &b.CreatorID, &created)
	if err != nil {
		return b, notFound(err, fmt.Sprintf("bundle %d", id))
	}
	b.Type, b.Created = inventory.BundleType(typ), time.UnixMilli(created).UTC()
	b.AssetIDs, err = queryIDs(ctx, s.db, `SELECT asset_id FROM bundle_assets WHERE bundle_id = ? ORDER BY asset_id`, id)
	if err != nil {
		return b, fmt.Errorf("read bundle %d: %w", id, err)
	}
	return b, nil
}

// GrantBundle implements store.LegacyStore.
func (s *Store) GrantBundle(ctx context.Context, userID, bundleID int64, at time.Time) error {
	_, err := s.db.ExecContext(ctx, `INSERT INTO user_bundles (user_id, bundle_id, added_at) VALUES (?, ?, ?)`, userID, bundleID, millis(at))
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
	res, err := s.db.ExecContext(ctx, `DELETE FROM user_bundles WHERE user_id = ? AND bundle_id = ?`, userID, bundleID)
	return affected(res, err, fmt.Sprintf("bundle %d of user %d", bundleID, userID))
}

// OwnsBundle implements store.LegacyStore.
func (s *Store) OwnsBundle(ctx context.Context, userID, bundleID int64) (bool, error) {
	return rowExists(ctx, s.db, `SELECT 1 FROM user_bundles WHERE user_id = ? AND bundle_id = ?`, userID, bundleID)
}

// PutPackage implements store.LegacyStore.
func (s *Store) PutPackage(ctx context.Context, p store.PackageContents) error {
	err := s.inTx(ctx, func(tx *sql.Tx) error {
		if _, err := tx.ExecContext(ctx, `DELETE FROM package_assets WHERE package_id = ?`, p.PackageID); err != nil {
			return err
		}
		for _, a := range p.AssetIDs {
			if _, err := tx.ExecContext(ctx, `INSERT INTO package_assets (package_id, asset_id) VALUES (?, ?) ON CONFLICT DO NOTHING`, p.PackageID, a); err != nil {
				return err
			}
		}
		return nil
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
	ids, err := queryIDs(ctx, s.db, `SELECT asset_id FROM package_assets WHERE package_id = ? ORDER BY asset_id`, packageID)
	if err != nil {
		return nil, fmt.Errorf("package %d: %w", packageID, err)
	}
	return ids, nil
}

// PutAssetPrice implements store.LegacyStore.
func (s *Store) PutAssetPrice(ctx context.Context, p store.AssetPrice) error {
	_, err := s.db.ExecContext(ctx, `INSERT INTO asset_prices (asset_id, recent_average_price, original_price, asset_stock) VALUES (?, ?, ?, ?)
		ON CONFLICT (asset_id) DO UPDATE SET recent_average_price = excluded.recent_average_price,
		  original_price = excluded.original_price, asset_stock = excluded.asset_stock`,
		p.AssetID, p.RecentAveragePrice, optInt(p.OriginalPrice), optInt(p.AssetStock))
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
	err := s.db.QueryRowContext(ctx, `SELECT id FROM assets WHERE collectible_item_id = ?`, itemID).Scan(&id)
	if err != nil {
		return inventory.Asset{}, notFound(err, fmt.Sprintf("collectible item %q", itemID))
	}
	return s.Asset(ctx, id)
}

// ---- places ----

// PutPlace implements store.LegacyStore.
func (s *Store) PutPlace(ctx context.Context, p store.Place) error {
	_, err := s.db.ExecContext(ctx, `INSERT INTO places (asset_id, universe_id, price_in_robux) VALUES (?, ?, ?)
		ON CONFLICT (asset_id) DO UPDATE SET universe_id = excluded.universe_id, price_in_robux = excluded.price_in_robux`,
		p.AssetID, p.UniverseID, optInt(p.PriceInRobux))
	if isForeignKey(err) {
		return fmt.Errorf("put place %d: %w", p.AssetID, store.ErrNotFound)
	}
	if err != nil {
		return fmt.Errorf("put place %d: %w", p.AssetID, err)
	}
	return nil
}

// AddPlaceToTab implements store.LegacyStore.
func (s *Store) AddPlaceToTab(ctx context.Context, userID int64, tab store.PlacesTab, placeID int64, at time.Time) error {
	err := s.inTx(ctx, func(tx *sql.Tx) error {
		_, err := tx.ExecContext(ctx, `INSERT INTO place_tabs (user_id, tab, position, place_id, added_at)
			SELECT ?1, ?2, COALESCE(MAX(position), 0) + 1, ?3, ?4 FROM place_tabs WHERE user_id = ?1 AND tab = ?2`,
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
	res, err := s.db.ExecContext(ctx, `DELETE FROM place_tabs WHERE user_id = ? AND tab = ? AND place_id = ?`, userID, int(tab), placeID)
	return affected(res, err, fmt.Sprintf("place %d in tab %d of user %d", placeID, tab, userID))
}

const placeColumns = `pt.position, pl.asset_id, pl.universe_id, pl.price_in_robux, a.name, a.creator_user_id, COALESCE(u.name, '')
	FROM place_tabs pt JOIN places pl ON pl.asset_id = pt.place_id JOIN assets a ON a.id = pl.asset_id
	LEFT JOIN users u ON u.id = a.creator_user_id`

// PlacesInTab implements store.LegacyStore.
func (s *Store) PlacesInTab(ctx context.Context, userID int64, tab store.PlacesTab, sp store.Span) ([]store.PlaceListing, error) {
	q := `SELECT ` + placeColumns + ` WHERE pt.user_id = ?1 AND pt.tab = ?2 AND pt.position > ?3 ORDER BY pt.position`
	if sp.Desc {
		q = `SELECT ` + placeColumns + ` WHERE pt.user_id = ?1 AND pt.tab = ?2 AND (?3 = 0 OR pt.position < ?3) ORDER BY pt.position DESC`
	}
	rows, err := s.db.QueryContext(ctx, q, userID, int(tab), sp.From)
	if err != nil {
		return nil, fmt.Errorf("places in tab %d of user %d: %w", tab, userID, err)
	}
	defer rows.Close()
	var out []store.PlaceListing
	for len(out) < sp.Limit && rows.Next() {
		var p store.PlaceListing
		var price sql.NullInt64
		if err := rows.Scan(&p.Position, &p.Place.AssetID, &p.Place.UniverseID, &price, &p.Name, &p.CreatorID, &p.CreatorName); err != nil {
			return nil, fmt.Errorf("places in tab %d of user %d: %w", tab, userID, err)
		}
		p.Place.PriceInRobux = ptrOf(price)
		out = append(out, p)
	}
	return out, rows.Err()
}

// ---- favorites and collections ----

// checkItem fails with ErrNotFound unless the asset or bundle exists.
func checkItem(ctx context.Context, q rowQuerier, item inventory.ItemRef) error {
	var table string
	switch item.Type {
	case inventory.ItemAsset:
		table = "assets"
	case inventory.ItemBundle:
		table = "bundles"
	default:
		return fmt.Errorf("%s: only assets and bundles can be listed", item)
	}
	ok, err := rowExists(ctx, q, `SELECT 1 FROM `+table+` WHERE id = ?`, item.ID)
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
	err := s.inTx(ctx, func(tx *sql.Tx) error {
		if err := checkItem(ctx, tx, item); err != nil {
			return err
		}
		_, err := tx.ExecContext(ctx, `INSERT INTO favorites (user_id, item_type, item_id, added_at) VALUES (?, ?, ?, ?)`,
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
	res, err := s.db.ExecContext(ctx, `DELETE FROM favorites WHERE user_id = ? AND item_type = ? AND item_id = ?`, userID, int(item.Type), item.ID)
	return affected(res, err, fmt.Sprintf("favorite %s of user %d", item, userID))
}

// FavoriteTypes implements store.LegacyStore.
func (s *Store) FavoriteTypes(ctx context.Context, userID int64) ([]int, []inventory.BundleType, error) {
	at, err := queryIDs(ctx, s.db, `SELECT DISTINCT a.asset_type_id FROM favorites f JOIN assets a ON a.id = f.item_id
		WHERE f.user_id = ? AND f.item_type = 0 ORDER BY 1`, userID)
	if err != nil {
		return nil, nil, fmt.Errorf("favorite types of user %d: %w", userID, err)
	}
	bt, err := queryIDs(ctx, s.db, `SELECT DISTINCT b.bundle_type FROM favorites f JOIN bundles b ON b.id = f.item_id
		WHERE f.user_id = ? AND f.item_type = 3 ORDER BY 1`, userID)
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
	rows, err := s.db.QueryContext(ctx, `SELECT item_type, item_id, added_at FROM collections WHERE user_id = ?
		ORDER BY added_at, item_type, item_id`, userID)
	if err != nil {
		return nil, fmt.Errorf("collection of user %d: %w", userID, err)
	}
	defer rows.Close()
	var out []store.UserItem
	for rows.Next() {
		it := store.UserItem{UserID: userID}
		var typ int
		var added sql.NullInt64
		if err := rows.Scan(&typ, &it.Item.ID, &added); err != nil {
			return nil, fmt.Errorf("collection of user %d: %w", userID, err)
		}
		it.Item.Type, it.Added = inventory.ItemType(typ), fromMillis(added)
		out = append(out, it)
	}
	return out, rows.Err()
}

// AddToCollection implements store.LegacyStore.
func (s *Store) AddToCollection(ctx context.Context, userID int64, item inventory.ItemRef, capacity int, at time.Time) error {
	err := s.inTx(ctx, func(tx *sql.Tx) error {
		there, err := rowExists(ctx, tx, `SELECT 1 FROM collections WHERE user_id = ? AND item_type = ? AND item_id = ?`, userID, int(item.Type), item.ID)
		if err != nil {
			return err
		}
		if there {
			return fmt.Errorf("%s is in the collection of user %d already: %w", item, userID, store.ErrExists)
		}
		var n int
		if err := tx.QueryRowContext(ctx, `SELECT count(*) FROM collections WHERE user_id = ?`, userID).Scan(&n); err != nil {
			return err
		}
		if n >= capacity {
			return fmt.Errorf("the collection of user %d holds %d items: %w", userID, n, store.ErrFull)
		}
		if err := checkItem(ctx, tx, item); err != nil {
			return err
		}
		_, err = tx.ExecContext(ctx, `INSERT INTO collections (user_id, item_type, item_id, added_at) VALUES (?, ?, ?, ?)`,
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
	res, err := s.db.ExecContext(ctx, `DELETE FROM collections WHERE user_id = ? AND item_type = ? AND item_id = ?`, userID, int(item.Type), item.ID)
	return affected(res, err, fmt.Sprintf("%s in the collection of user %d", item, userID))
}

// ---- listings ----

const ownedColumns = `ua.user_id, ua.instance_id, ua.asset_id, ua.asset_type, ua.serial_number, ua.collectible_instance_id,
	ua.collectible_state, ua.added_at, a.name, a.asset_type_id, a.creator_user_id, a.collectible_item_id, a.serialized,
	a.created_at, p.asset_id, p.recent_average_price, p.original_price, p.asset_stock`

const ownedFrom = ` FROM user_assets ua JOIN assets a ON a.id = ua.asset_id LEFT JOIN asset_prices p ON p.asset_id = ua.asset_id`

// span returns the keyset condition and order of sp on column col, whose
// bound is parameter ?n.
func spanSQL(sp store.Span, col string, n int) (cond, order string) {
	p := fmt.Sprintf("?%d", n)
	if sp.Desc {
		return ` AND (` + p + ` = 0 OR ` + col + ` < ` + p + `)`, ` ORDER BY ` + col + ` DESC`
	}
	return ` AND ` + col + ` > ` + p, ` ORDER BY ` + col
}

func scanOwned(r interface{ Scan(...any) error }, extra ...any) (store.OwnedAsset, error) {
	var (
		o                       store.OwnedAsset
		assetType               int64
		serial, state, added    sql.NullInt64
		collInstance, collItem  sql.NullString
		created                 int64
		priceAsset, orig, stock sql.NullInt64
		avg                     sql.NullInt64
	)
	dest := []any{&o.UserID, &o.Item.ID, &o.Item.AssetID, &assetType, &serial, &collInstance, &state, &added,
		&o.Asset.Name, &o.Asset.LegacyType, &o.Asset.CreatorID, &collItem, &o.Asset.Serialized, &created,
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
	o.Asset.ID = o.Item.AssetID
	o.Asset.Collectible, o.Asset.CollectibleItemID = collItem.Valid, collItem.String
	o.Asset.Created = time.UnixMilli(created).UTC()
	if priceAsset.Valid {
		o.Price = store.AssetPrice{AssetID: priceAsset.Int64, RecentAveragePrice: avg.Int64, OriginalPrice: ptrOf(orig), AssetStock: ptrOf(stock)}
	}
	return o, nil
}

func (s *Store) listOwned(ctx context.Context, sp store.Span, q string, args ...any) ([]store.OwnedAsset, error) {
	rows, err := s.db.QueryContext(ctx, q, args...)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	out := make([]store.OwnedAsset, 0, min(sp.Limit, 128))
	for len(out) < sp.Limit && rows.Next() {
		o, err := scanOwned(rows)
		if err != nil {
			return nil, err
		}
		out = append(out, o)
	}
	return out, rows.Err()
}

// UserCollectibles implements store.LegacyStore. It walks the partial
// index of collectible instances (user_assets_collectible).
func (s *Store) UserCollectibles(ctx context.Context, userID int64, legacyType int, types inventory.TypeSet, sp store.Span) ([]store.OwnedAsset, error) {
	cond, order := spanSQL(sp, "ua.instance_id", 2)
	from := strings.Replace(ownedFrom, "user_assets ua", "user_assets ua INDEXED BY user_assets_collectible", 1)
	q := `SELECT ` + ownedColumns + from + ` WHERE ua.user_id = ?1 AND ua.collectible_instance_id IS NOT NULL
		AND (?3 = 0 OR a.asset_type_id = ?3) AND (?4 >> ua.asset_type) & 1 = 1` + cond + order
	out, err := s.listOwned(ctx, sp, q, userID, sp.From, legacyType, int64(types))
	if err != nil {
		return nil, fmt.Errorf("collectibles of user %d: %w", userID, err)
	}
	return out, nil
}

// UserAssets implements store.LegacyStore.
func (s *Store) UserAssets(ctx context.Context, userID int64, legacyTypes []int, sp store.Span) ([]store.OwnedAsset, error) {
	ids := make([]int64, len(legacyTypes))
	for i, t := range legacyTypes {
		ids[i] = int64(t)
	}
	cond, order := spanSQL(sp, "ua.instance_id", 2)
	q := `SELECT ` + ownedColumns + ownedFrom + ` WHERE ua.user_id = ?1
		AND a.asset_type_id IN (SELECT value FROM json_each(?3))` + cond + order
	out, err := s.listOwned(ctx, sp, q, userID, sp.From, jsonIDs(ids))
	if err != nil {
		return nil, fmt.Errorf("assets of user %d: %w", userID, err)
	}
	return out, nil
}

// CollectibleOwners implements store.LegacyStore. It walks the partial
// index user_assets_collectible_by_asset.
func (s *Store) CollectibleOwners(ctx context.Context, assetID, viewerID int64, sp store.Span) ([]store.AssetOwner, error) {
	cond, order := spanSQL(sp, "ua.instance_id", 2)
	from := strings.Replace(ownedFrom, "user_assets ua", "user_assets ua INDEXED BY user_assets_collectible_by_asset", 1)
	q := `SELECT ` + ownedColumns + `, u.name, u.display_name, u.created_at, u.visibility,
		EXISTS (SELECT 1 FROM friends f WHERE f.user_id = ?3 AND f.friend_id = ua.user_id)` + from + `
		JOIN users u ON u.id = ua.user_id
		WHERE ua.asset_id = ?1 AND ua.collectible_instance_id IS NOT NULL` + cond + order
	rows, err := s.db.QueryContext(ctx, q, assetID, sp.From, viewerID)
	if err != nil {
		return nil, fmt.Errorf("owners of asset %d: %w", assetID, err)
	}
	defer rows.Close()
	out := make([]store.AssetOwner, 0, min(sp.Limit, 128))
	for len(out) < sp.Limit && rows.Next() {
		var o store.AssetOwner
		var created int64
		var vis string
		o.OwnedAsset, err = scanOwned(rows, &o.Owner.Name, &o.Owner.DisplayName, &created, &vis, &o.ViewerIsFriend)
		if err != nil {
			return nil, fmt.Errorf("owners of asset %d: %w", assetID, err)
		}
		o.Owner.ID, o.Owner.Created, o.Owner.Visibility = o.UserID, time.UnixMilli(created).UTC(), inventory.Visibility(vis)
		out = append(out, o)
	}
	return out, rows.Err()
}

// ---- helpers ----

type rowQuerier interface {
	QueryContext(ctx context.Context, q string, args ...any) (*sql.Rows, error)
	QueryRowContext(ctx context.Context, q string, args ...any) *sql.Row
}

func rowExists(ctx context.Context, q rowQuerier, query string, args ...any) (bool, error) {
	var one int
	err := q.QueryRowContext(ctx, query, args...).Scan(&one)
	if errors.Is(err, sql.ErrNoRows) {
		return false, nil
	}
	return err == nil, err
}

func queryIDs(ctx context.Context, q rowQuerier, query string, args ...any) ([]int64, error) {
	rows, err := q.QueryContext(ctx, query, args...)
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

func optInt(p *int64) sql.NullInt64 {
	if p == nil {
		return sql.NullInt64{}
	}
	return sql.NullInt64{Int64: *p, Valid: true}
}

func ptrOf(n sql.NullInt64) *int64 {
	if !n.Valid {
		return nil
	}
	return &n.Int64
}

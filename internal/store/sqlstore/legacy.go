package sqlstore

import (
	"context"
	"fmt"
	"strconv"
	"strings"
	"time"

	"github.com/invcloud/invcloud/internal/inventory"
	"github.com/invcloud/invcloud/internal/store"
)

// The store.LegacyStore methods: what the inventory.roblox.com endpoints
// keep beyond the Open Cloud inventory.

// ---- friends ----

// AddFriend implements store.LegacyStore. A friendship is two rows, one
// each way, written by one statement.
func (s *Store) AddFriend(ctx context.Context, a, b int64, at time.Time) error {
	if a == b {
		return fmt.Errorf("add friend: user %d cannot befriend themselves", a)
	}
	_, err := s.db.Exec(ctx, `INSERT INTO friends (user_id, friend_id, created_at) VALUES ($1, $2, $3), ($2, $1, $3)`, a, b, at.UnixMilli())
	switch {
	case s.d.IsUnique(err):
		return fmt.Errorf("users %d and %d are friends already: %w", a, b, store.ErrExists)
	case s.d.IsForeignKey(err):
		return fmt.Errorf("add friend %d of %d: user: %w", b, a, store.ErrNotFound)
	case err != nil:
		return fmt.Errorf("add friend %d of %d: %w", b, a, err)
	}
	return nil
}

// RemoveFriend implements store.LegacyStore.
func (s *Store) RemoveFriend(ctx context.Context, a, b int64) error {
	n, err := s.db.Exec(ctx, `DELETE FROM friends WHERE (user_id = $1 AND friend_id = $2) OR (user_id = $2 AND friend_id = $1)`, a, b)
	return affected(n, err, fmt.Sprintf("friendship of users %d and %d", a, b))
}

// AreFriends implements store.LegacyStore.
func (s *Store) AreFriends(ctx context.Context, a, b int64) (bool, error) {
	ok, err := exists(ctx, s.db, `SELECT 1 FROM friends WHERE user_id = $1 AND friend_id = $2`, a, b)
	if err != nil {
		return false, fmt.Errorf("read friendship of users %d and %d: %w", a, b, err)
	}
	return ok, nil
}

// Friends implements store.LegacyStore.
func (s *Store) Friends(ctx context.Context, userID int64) ([]int64, error) {
	ids, err := queryInt64s(ctx, s.db, `SELECT friend_id FROM friends WHERE user_id = $1 ORDER BY friend_id`, userID)
	if err != nil {
		return nil, fmt.Errorf("friends of user %d: %w", userID, err)
	}
	return ids, nil
}

// ---- bundles and packages ----

// PutBundle implements store.LegacyStore.
func (s *Store) PutBundle(ctx context.Context, b store.Bundle) error {
	err := s.tx(ctx, func(q Querier) error {
		_, err := q.Exec(ctx, `INSERT INTO bundles (id, name, bundle_type, creator_user_id, created_at) VALUES ($1, $2, $3, $4, $5)
			ON CONFLICT (id) DO UPDATE SET name = excluded.name, bundle_type = excluded.bundle_type,
			  creator_user_id = excluded.creator_user_id, created_at = excluded.created_at`,
			b.ID, b.Name, int(b.Type), b.CreatorID, b.Created.UnixMilli())
		if err != nil {
			return err
		}
		if _, err := q.Exec(ctx, `DELETE FROM bundle_assets WHERE bundle_id = $1`, b.ID); err != nil {
			return err
		}
		return insertContents(ctx, q, "bundle_assets (bundle_id, asset_id)", b.ID, b.AssetIDs)
	})
	if s.d.IsForeignKey(err) {
		return fmt.Errorf("put bundle %d: asset: %w", b.ID, store.ErrNotFound)
	}
	if err != nil {
		return fmt.Errorf("put bundle %d: %w", b.ID, err)
	}
	return nil
}

// contentsChunk bounds the rows of one insertContents statement, far below
// either engine's parameter limit.
const contentsChunk = 500

// insertContents inserts the rows (parent, id) for each id into table
// ("name (parent_col, id_col)"), a chunk of rows per statement; duplicate
// ids are skipped.
func insertContents(ctx context.Context, q Querier, table string, parent int64, ids []int64) error {
	for len(ids) > 0 {
		chunk := ids[:min(len(ids), contentsChunk)]
		ids = ids[len(chunk):]
		var b strings.Builder
		b.WriteString("INSERT INTO " + table + " VALUES ")
		args := make([]any, 1, len(chunk)+1)
		args[0] = parent
		for i, id := range chunk {
			if i > 0 {
				b.WriteString(", ")
			}
			b.WriteString("($1, $" + strconv.Itoa(i+2) + ")")
			args = append(args, id)
		}
		b.WriteString(" ON CONFLICT DO NOTHING")
		if _, err := q.Exec(ctx, b.String(), args...); err != nil {
			return err
		}
	}
	return nil
}

// Bundle implements store.LegacyStore.
func (s *Store) Bundle(ctx context.Context, id int64) (store.Bundle, error) {
	b := store.Bundle{ID: id}
	var typ int
	var created int64
	err := s.db.QueryRow(ctx, `SELECT name, bundle_type, creator_user_id, created_at FROM bundles WHERE id = $1`, id).
		Scan(&b.Name, &typ, &b.CreatorID, &created)
	if err != nil {
		return b, notFound(err, fmt.Sprintf("bundle %d", id))
	}
	b.Type, b.Created = inventory.BundleType(typ), timeOf(created)
	b.AssetIDs, err = queryInt64s(ctx, s.db, `SELECT asset_id FROM bundle_assets WHERE bundle_id = $1 ORDER BY asset_id`, id)
	if err != nil {
		return b, fmt.Errorf("read bundle %d: %w", id, err)
	}
	return b, nil
}

// GrantBundle implements store.LegacyStore.
func (s *Store) GrantBundle(ctx context.Context, userID, bundleID int64, at time.Time) error {
	_, err := s.db.Exec(ctx, `INSERT INTO user_bundles (user_id, bundle_id, added_at) VALUES ($1, $2, $3)`, userID, bundleID, millis(at))
	switch {
	case s.d.IsUnique(err):
		return fmt.Errorf("user %d already owns bundle %d: %w", userID, bundleID, store.ErrExists)
	case s.d.IsForeignKey(err):
		return fmt.Errorf("grant bundle %d to user %d: %w", bundleID, userID, store.ErrNotFound)
	case err != nil:
		return fmt.Errorf("grant bundle %d to user %d: %w", bundleID, userID, err)
	}
	return nil
}

// RevokeBundle implements store.LegacyStore.
func (s *Store) RevokeBundle(ctx context.Context, userID, bundleID int64) error {
	n, err := s.db.Exec(ctx, `DELETE FROM user_bundles WHERE user_id = $1 AND bundle_id = $2`, userID, bundleID)
	return affected(n, err, fmt.Sprintf("bundle %d of user %d", bundleID, userID))
}

// OwnsBundle implements store.LegacyStore.
func (s *Store) OwnsBundle(ctx context.Context, userID, bundleID int64) (bool, error) {
	return exists(ctx, s.db, `SELECT 1 FROM user_bundles WHERE user_id = $1 AND bundle_id = $2`, userID, bundleID)
}

// PutPackage implements store.LegacyStore.
func (s *Store) PutPackage(ctx context.Context, p store.PackageContents) error {
	err := s.tx(ctx, func(q Querier) error {
		if _, err := q.Exec(ctx, `DELETE FROM package_assets WHERE package_id = $1`, p.PackageID); err != nil {
			return err
		}
		return insertContents(ctx, q, "package_assets (package_id, asset_id)", p.PackageID, p.AssetIDs)
	})
	if s.d.IsForeignKey(err) {
		return fmt.Errorf("put package %d: asset: %w", p.PackageID, store.ErrNotFound)
	}
	if err != nil {
		return fmt.Errorf("put package %d: %w", p.PackageID, err)
	}
	return nil
}

// PackageAssets implements store.LegacyStore.
func (s *Store) PackageAssets(ctx context.Context, packageID int64) ([]int64, error) {
	ids, err := queryInt64s(ctx, s.db, `SELECT asset_id FROM package_assets WHERE package_id = $1 ORDER BY asset_id`, packageID)
	if err != nil {
		return nil, fmt.Errorf("package %d: %w", packageID, err)
	}
	return ids, nil
}

// PutAssetPrice implements store.LegacyStore.
func (s *Store) PutAssetPrice(ctx context.Context, p store.AssetPrice) error {
	_, err := s.db.Exec(ctx, `INSERT INTO asset_prices (asset_id, recent_average_price, original_price, asset_stock) VALUES ($1, $2, $3, $4)
		ON CONFLICT (asset_id) DO UPDATE SET recent_average_price = excluded.recent_average_price,
		  original_price = excluded.original_price, asset_stock = excluded.asset_stock`,
		p.AssetID, p.RecentAveragePrice, optInt(p.OriginalPrice), optInt(p.AssetStock))
	if s.d.IsForeignKey(err) {
		return fmt.Errorf("put price of asset %d: %w", p.AssetID, store.ErrNotFound)
	}
	if err != nil {
		return fmt.Errorf("put price of asset %d: %w", p.AssetID, err)
	}
	return nil
}

// AssetByCollectibleItem implements store.LegacyStore.
func (s *Store) AssetByCollectibleItem(ctx context.Context, itemID string) (inventory.Asset, error) {
	a := inventory.Asset{Collectible: true, CollectibleItemID: itemID}
	var created int64
	err := s.db.QueryRow(ctx, `SELECT id, name, asset_type_id, creator_user_id, serialized, created_at FROM assets WHERE collectible_item_id = $1`, itemID).
		Scan(&a.ID, &a.Name, &a.LegacyType, &a.CreatorID, &a.Serialized, &created)
	if err != nil {
		return inventory.Asset{}, notFound(err, fmt.Sprintf("collectible item %q", itemID))
	}
	a.Created = timeOf(created)
	return a, nil
}

// ---- places ----

// PutPlace implements store.LegacyStore.
func (s *Store) PutPlace(ctx context.Context, p store.Place) error {
	_, err := s.db.Exec(ctx, `INSERT INTO places (asset_id, universe_id, price_in_robux) VALUES ($1, $2, $3)
		ON CONFLICT (asset_id) DO UPDATE SET universe_id = excluded.universe_id, price_in_robux = excluded.price_in_robux`,
		p.AssetID, p.UniverseID, optInt(p.PriceInRobux))
	if s.d.IsForeignKey(err) {
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
	err := s.tx(ctx, func(q Querier) error {
		if lock := s.d.RowLock.NoKeyUpdate; lock != "" {
			// No user: the insert's foreign key reports it.
			if _, err := exists(ctx, q, `SELECT 1 FROM users WHERE id = $1`+lock, userID); err != nil {
				return err
			}
		}
		_, err := q.Exec(ctx, `INSERT INTO place_tabs (user_id, tab, position, place_id, added_at)
			SELECT $1, $2, COALESCE(MAX(position), 0) + 1, $3, $4 FROM place_tabs WHERE user_id = $1 AND tab = $2`,
			userID, int(tab), placeID, millis(at))
		return err
	})
	switch {
	case s.d.IsUnique(err):
		return fmt.Errorf("place %d is in tab %d of user %d already: %w", placeID, tab, userID, store.ErrExists)
	case s.d.IsForeignKey(err):
		return fmt.Errorf("add place %d to tab %d of user %d: %w", placeID, tab, userID, store.ErrNotFound)
	case err != nil:
		return fmt.Errorf("add place %d to tab %d of user %d: %w", placeID, tab, userID, err)
	}
	return nil
}

// RemovePlaceFromTab implements store.LegacyStore.
func (s *Store) RemovePlaceFromTab(ctx context.Context, userID int64, tab store.PlacesTab, placeID int64) error {
	n, err := s.db.Exec(ctx, `DELETE FROM place_tabs WHERE user_id = $1 AND tab = $2 AND place_id = $3`, userID, int(tab), placeID)
	return affected(n, err, fmt.Sprintf("place %d in tab %d of user %d", placeID, tab, userID))
}

// PlacesInTab implements store.LegacyStore.
func (s *Store) PlacesInTab(ctx context.Context, userID int64, tab store.PlacesTab, sp store.Span) ([]store.PlaceListing, error) {
	cond, order := spanSQL(sp, "pt.position", 3)
	q, args := s.page(`SELECT pt.position, pl.asset_id, pl.universe_id, pl.price_in_robux, a.name, a.creator_user_id, COALESCE(u.name, '')
		FROM place_tabs pt JOIN places pl ON pl.asset_id = pt.place_id JOIN assets a ON a.id = pl.asset_id
		LEFT JOIN users u ON u.id = a.creator_user_id
		WHERE pt.user_id = $1 AND pt.tab = $2`+cond+order, sp.Limit, userID, int(tab), sp.From)
	rows, err := s.db.Query(ctx, q, args...)
	if err != nil {
		return nil, fmt.Errorf("places in tab %d of user %d: %w", tab, userID, err)
	}
	defer rows.Close()
	var out []store.PlaceListing
	for len(out) < sp.Limit && rows.Next() {
		var p store.PlaceListing
		if err := rows.Scan(&p.Position, &p.Place.AssetID, &p.Place.UniverseID, &p.Place.PriceInRobux, &p.Name, &p.CreatorID, &p.CreatorName); err != nil {
			return nil, fmt.Errorf("places in tab %d of user %d: %w", tab, userID, err)
		}
		out = append(out, p)
	}
	return out, rows.Err()
}

// ---- favorites and collections ----

// checkItem fails with ErrNotFound unless the asset or bundle exists.
func checkItem(ctx context.Context, q Querier, item inventory.ItemRef) error {
	var table string
	switch item.Type {
	case inventory.ItemAsset:
		table = "assets"
	case inventory.ItemBundle:
		table = "bundles"
	default:
		return fmt.Errorf("%s: only assets and bundles can be listed", item)
	}
	ok, err := exists(ctx, q, `SELECT 1 FROM `+table+` WHERE id = $1`, item.ID)
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
	err := s.tx(ctx, func(q Querier) error {
		if err := checkItem(ctx, q, item); err != nil {
			return err
		}
		_, err := q.Exec(ctx, `INSERT INTO favorites (user_id, item_type, item_id, added_at) VALUES ($1, $2, $3, $4)`,
			userID, int(item.Type), item.ID, millis(at))
		return err
	})
	switch {
	case s.d.IsUnique(err):
		return fmt.Errorf("%s is a favorite of user %d already: %w", item, userID, store.ErrExists)
	case s.d.IsForeignKey(err):
		return fmt.Errorf("add favorite %s of user %d: %w", item, userID, store.ErrNotFound)
	case err != nil:
		return fmt.Errorf("add favorite %s of user %d: %w", item, userID, err)
	}
	return nil
}

// RemoveFavorite implements store.LegacyStore.
func (s *Store) RemoveFavorite(ctx context.Context, userID int64, item inventory.ItemRef) error {
	n, err := s.db.Exec(ctx, `DELETE FROM favorites WHERE user_id = $1 AND item_type = $2 AND item_id = $3`, userID, int(item.Type), item.ID)
	return affected(n, err, fmt.Sprintf("favorite %s of user %d", item, userID))
}

// FavoriteTypes implements store.LegacyStore.
func (s *Store) FavoriteTypes(ctx context.Context, userID int64) ([]int, []inventory.BundleType, error) {
	at, err := queryInt64s(ctx, s.db, `SELECT DISTINCT a.asset_type_id FROM favorites f JOIN assets a ON a.id = f.item_id
		WHERE f.user_id = $1 AND f.item_type = 0 ORDER BY 1`, userID)
	if err != nil {
		return nil, nil, fmt.Errorf("favorite types of user %d: %w", userID, err)
	}
	bt, err := queryInt64s(ctx, s.db, `SELECT DISTINCT b.bundle_type FROM favorites f JOIN bundles b ON b.id = f.item_id
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
	rows, err := s.db.Query(ctx, `SELECT item_type, item_id, added_at FROM collections WHERE user_id = $1
		ORDER BY added_at, item_type, item_id`, userID)
	if err != nil {
		return nil, fmt.Errorf("collection of user %d: %w", userID, err)
	}
	defer rows.Close()
	var out []store.UserItem
	for rows.Next() {
		it := store.UserItem{UserID: userID}
		var typ int
		var added *int64
		if err := rows.Scan(&typ, &it.Item.ID, &added); err != nil {
			return nil, fmt.Errorf("collection of user %d: %w", userID, err)
		}
		it.Item.Type, it.Added = inventory.ItemType(typ), timeOrZero(added)
		out = append(out, it)
	}
	return out, rows.Err()
}

// AddToCollection implements store.LegacyStore. The user's row is locked,
// so concurrent adds cannot overfill the collection.
func (s *Store) AddToCollection(ctx context.Context, userID int64, item inventory.ItemRef, capacity int, at time.Time) error {
	err := s.tx(ctx, func(q Querier) error {
		if err := mustExist(ctx, q, fmt.Sprintf("user %d", userID), `SELECT 1 FROM users WHERE id = $1`+s.d.RowLock.NoKeyUpdate, userID); err != nil {
			return err
		}
		there, err := exists(ctx, q, `SELECT 1 FROM collections WHERE user_id = $1 AND item_type = $2 AND item_id = $3`, userID, int(item.Type), item.ID)
		if err != nil {
			return err
		}
		if there {
			return fmt.Errorf("%s is in the collection of user %d already: %w", item, userID, store.ErrExists)
		}
		var n int
		if err := q.QueryRow(ctx, `SELECT count(*) FROM collections WHERE user_id = $1`, userID).Scan(&n); err != nil {
			return err
		}
		if n >= capacity {
			return fmt.Errorf("the collection of user %d holds %d items: %w", userID, n, store.ErrFull)
		}
		if err := checkItem(ctx, q, item); err != nil {
			return err
		}
		_, err = q.Exec(ctx, `INSERT INTO collections (user_id, item_type, item_id, added_at) VALUES ($1, $2, $3, $4)`,
			userID, int(item.Type), item.ID, at.UnixMilli())
		return err
	})
	switch {
	case s.d.IsForeignKey(err):
		return fmt.Errorf("add %s to the collection of user %d: %w", item, userID, store.ErrNotFound)
	case err != nil:
		return fmt.Errorf("add %s to the collection of user %d: %w", item, userID, err)
	}
	return nil
}

// RemoveFromCollection implements store.LegacyStore.
func (s *Store) RemoveFromCollection(ctx context.Context, userID int64, item inventory.ItemRef) error {
	n, err := s.db.Exec(ctx, `DELETE FROM collections WHERE user_id = $1 AND item_type = $2 AND item_id = $3`, userID, int(item.Type), item.ID)
	return affected(n, err, fmt.Sprintf("%s in the collection of user %d", item, userID))
}

// ---- listings ----

// ownedColumns reads NULL as 0 where 0 means the same (no serial, no price
// row), which saves the scan an allocation per column and row.
const ownedColumns = `ua.user_id, ua.instance_id, ua.asset_id, ua.asset_type, COALESCE(ua.serial_number, 0), ua.collectible_instance_id,
	COALESCE(ua.collectible_state, 0), ua.added_at, a.name, a.asset_type_id, a.creator_user_id, a.collectible_item_id, a.serialized,
	a.created_at, COALESCE(p.asset_id, 0), COALESCE(p.recent_average_price, 0), p.original_price, p.asset_stock`

const ownedJoins = ` JOIN assets a ON a.id = ua.asset_id LEFT JOIN asset_prices p ON p.asset_id = ua.asset_id`

// ownedFrom joins instances to their asset and price, walking the index
// of user_assets named (where the dialect pins one).
func (s *Store) ownedFrom(index string) string {
	return ` FROM user_assets ua` + s.d.IndexedBy(index) + ownedJoins
}

// spanSQL returns the keyset condition and order of sp on column col, whose
// bound is parameter $n.
func spanSQL(sp store.Span, col string, n int) (cond, order string) {
	p := "CAST($" + strconv.Itoa(n) + " AS BIGINT)"
	if sp.Desc {
		return ` AND (` + p + ` = 0 OR ` + col + ` < ` + p + `)`, ` ORDER BY ` + col + ` DESC`
	}
	return ` AND ` + col + ` > ` + p, ` ORDER BY ` + col
}

// page appends the dialect's LIMIT clause, and its parameter after args,
// to q; a dialect without one stops reading at limit rows instead.
func (s *Store) page(q string, limit int, args ...any) (string, []any) {
	if l := s.d.Limit(len(args) + 1); l != "" {
		return q + l, append(args, limit)
	}
	return q, args
}

func scanOwned(r Row, extra ...any) (store.OwnedAsset, error) {
	var (
		o                      store.OwnedAsset
		assetType              int
		state                  int64
		added                  *int64
		collInstance, collItem *string
		created                int64
	)
	var c inventory.Collectible
	dest := []any{&o.UserID, &o.Item.ID, &o.Item.AssetID, &assetType, &c.SerialNumber, &collInstance, &state, &added,
		&o.Asset.Name, &o.Asset.LegacyType, &o.Asset.CreatorID, &collItem, &o.Asset.Serialized, &created,
		&o.Price.AssetID, &o.Price.RecentAveragePrice, &o.Price.OriginalPrice, &o.Price.AssetStock}
	if err := r.Scan(append(dest, extra...)...); err != nil {
		return o, err
	}
	o.Item.Kind = inventory.KindAsset
	o.Item.AssetType = inventory.AssetType(assetType)
	o.Item.AddTime = timeOrZero(added)
	if collItem != nil {
		o.Asset.Collectible, o.Asset.CollectibleItemID = true, *collItem
	}
	if collInstance != nil {
		c.ItemID, c.InstanceID, c.State = o.Asset.CollectibleItemID, *collInstance, inventory.CollectibleState(state)
		o.Item.Collectible = &c
	}
	o.Asset.ID = o.Item.AssetID
	o.Asset.Created = timeOf(created)
	return o, nil
}

func (s *Store) listOwned(ctx context.Context, limit int, q string, args ...any) ([]store.OwnedAsset, error) {
	rows, err := s.db.Query(ctx, q, args...)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	out := make([]store.OwnedAsset, 0, min(limit, 128))
	for len(out) < limit && rows.Next() {
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
	q, args := s.page(`SELECT `+ownedColumns+s.ownedFrom("user_assets_collectible")+`
		WHERE ua.user_id = $1 AND ua.collectible_instance_id IS NOT NULL
		AND (CAST($3 AS INTEGER) = 0 OR a.asset_type_id = CAST($3 AS INTEGER))
		AND ((CAST($4 AS BIGINT) >> ua.asset_type) & 1) = 1`+cond+order,
		sp.Limit, userID, sp.From, legacyType, int64(types))
	out, err := s.listOwned(ctx, sp.Limit, q, args...)
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
	q, args := s.page(`SELECT `+ownedColumns+` FROM user_assets ua`+ownedJoins+` WHERE ua.user_id = $1
		AND a.asset_type_id `+s.d.InInt64s(3)+cond+order, sp.Limit, userID, sp.From, s.d.Int64s(ids))
	out, err := s.listOwned(ctx, sp.Limit, q, args...)
	if err != nil {
		return nil, fmt.Errorf("assets of user %d: %w", userID, err)
	}
	return out, nil
}

// CollectibleOwners implements store.LegacyStore. It walks the partial
// index of collectible instances by asset (user_assets_collectible_by_asset).
func (s *Store) CollectibleOwners(ctx context.Context, assetID, viewerID int64, sp store.Span) ([]store.AssetOwner, error) {
	cond, order := spanSQL(sp, "ua.instance_id", 2)
	q, args := s.page(`SELECT `+ownedColumns+`, u.name, u.display_name, u.created_at, u.visibility,
		EXISTS (SELECT 1 FROM friends f WHERE f.user_id = $3 AND f.friend_id = ua.user_id)`+s.ownedFrom("user_assets_collectible_by_asset")+`
		JOIN users u ON u.id = ua.user_id
		WHERE ua.asset_id = $1 AND ua.collectible_instance_id IS NOT NULL`+cond+order, sp.Limit, assetID, sp.From, viewerID)
	rows, err := s.db.Query(ctx, q, args...)
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
		o.Owner.ID, o.Owner.Created, o.Owner.Visibility = o.UserID, timeOf(created), inventory.Visibility(vis)
		out = append(out, o)
	}
	return out, rows.Err()
}

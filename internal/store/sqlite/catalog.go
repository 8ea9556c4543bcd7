package sqlite

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"time"

	"github.com/invcloud/invcloud/internal/inventory"
	"github.com/invcloud/invcloud/internal/store"
)

// PutAsset implements store.Store.
func (s *Store) PutAsset(ctx context.Context, a inventory.Asset) error {
	var item sql.NullString
	if a.Collectible {
		item = sql.NullString{String: a.CollectibleItemID, Valid: true}
	}
	_, err := s.db.ExecContext(ctx, `INSERT INTO assets (id, name, asset_type_id, creator_user_id, collectible_item_id, serialized, created_at)
		VALUES (?, ?, ?, ?, ?, ?, ?)
		ON CONFLICT (id) DO UPDATE SET name = excluded.name, asset_type_id = excluded.asset_type_id,
		  creator_user_id = excluded.creator_user_id, collectible_item_id = excluded.collectible_item_id,
		  serialized = excluded.serialized`,
		a.ID, a.Name, a.LegacyType, a.CreatorID, item, a.Serialized, a.Created.UnixMilli())
	if err != nil {
		return fmt.Errorf("put asset %d: %w", a.ID, err)
	}
	return nil
}

// Asset implements store.Store.
func (s *Store) Asset(ctx context.Context, id int64) (inventory.Asset, error) {
	a := inventory.Asset{ID: id}
	var item sql.NullString
	var created int64
	err := s.db.QueryRowContext(ctx, `SELECT name, asset_type_id, creator_user_id, collectible_item_id, serialized, created_at FROM assets WHERE id = ?`, id).
		Scan(&a.Name, &a.LegacyType, &a.CreatorID, &item, &a.Serialized, &created)
	if errors.Is(err, sql.ErrNoRows) {
		return a, fmt.Errorf("asset %d: %w", id, store.ErrNotFound)
	}
	if err != nil {
		return a, fmt.Errorf("read asset %d: %w", id, err)
	}
	a.Collectible, a.CollectibleItemID = item.Valid, item.String
	a.Created = time.UnixMilli(created).UTC()
	return a, nil
}

func (s *Store) putNamed(ctx context.Context, table string, id int64, name string, universe int64) error {
	_, err := s.db.ExecContext(ctx, `INSERT INTO `+table+` (id, name, universe_id) VALUES (?, ?, ?)
		ON CONFLICT (id) DO UPDATE SET name = excluded.name, universe_id = excluded.universe_id`, id, name, universe)
	if err != nil {
		return fmt.Errorf("put %s %d: %w", table, id, err)
	}
	return nil
}

// PutBadge implements store.Store.
func (s *Store) PutBadge(ctx context.Context, b inventory.Badge) error {
	return s.putNamed(ctx, "badges", b.ID, b.Name, b.UniverseID)
}

// PutGamePass implements store.Store.
func (s *Store) PutGamePass(ctx context.Context, p inventory.GamePass) error {
	return s.putNamed(ctx, "game_passes", p.ID, p.Name, p.UniverseID)
}

// PutPrivateServer implements store.Store.
func (s *Store) PutPrivateServer(ctx context.Context, p inventory.PrivateServer) error {
	return s.putNamed(ctx, "private_servers", p.ID, p.Name, p.UniverseID)
}

// CatalogItems implements store.Store.
func (s *Store) CatalogItems(ctx context.Context, kind inventory.Kind, after int64, limit int) ([]store.CatalogItem, error) {
	return s.catalog(ctx, kind, `id > ? ORDER BY id LIMIT ?`, after, limit)
}

// CatalogItem implements store.Store.
func (s *Store) CatalogItem(ctx context.Context, ref inventory.Ref) (store.CatalogItem, error) {
	items, err := s.catalog(ctx, ref.Kind, `id = ?`, ref.ID)
	if err != nil {
		return store.CatalogItem{}, err
	}
	if len(items) == 0 {
		return store.CatalogItem{}, fmt.Errorf("%s: %w", ref, store.ErrNotFound)
	}
	return items[0], nil
}

// catalog reads catalog rows of one kind matching where.
func (s *Store) catalog(ctx context.Context, kind inventory.Kind, where string, args ...any) ([]store.CatalogItem, error) {
	table, ok := catalogTables[kind]
	if !ok {
		return nil, fmt.Errorf("catalog: unknown kind %d", kind)
	}
	q := `SELECT id, name, universe_id, 0, 0, NULL, 0, 0 FROM ` + table + ` WHERE ` + where
	if kind == inventory.KindAsset {
		q = `SELECT id, name, 0, asset_type_id, creator_user_id, collectible_item_id, serialized, created_at FROM assets WHERE ` + where
	}
	rows, err := s.db.QueryContext(ctx, q, args...)
	if err != nil {
		return nil, fmt.Errorf("read %s: %w", table, err)
	}
	defer rows.Close()
	var items []store.CatalogItem
	for rows.Next() {
		var c store.CatalogItem
		var collItem sql.NullString
		var created int64
		a := &c.Asset
		if err := rows.Scan(&a.ID, &a.Name, &c.UniverseID, &a.LegacyType, &a.CreatorID, &collItem, &a.Serialized, &created); err != nil {
			return nil, fmt.Errorf("read %s: %w", table, err)
		}
		c.Ref, c.Name = inventory.Ref{Kind: kind, ID: a.ID}, a.Name
		if kind == inventory.KindAsset {
			a.Collectible, a.CollectibleItemID = collItem.Valid, collItem.String
			a.Created = time.UnixMilli(created).UTC()
		} else {
			c.Asset = inventory.Asset{}
		}
		items = append(items, c)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("read %s: %w", table, err)
	}
	return items, nil
}

var catalogTables = map[inventory.Kind]string{
	inventory.KindAsset:         "assets",
	inventory.KindBadge:         "badges",
	inventory.KindGamePass:      "game_passes",
	inventory.KindPrivateServer: "private_servers",
}

// Grant implements store.Store.
func (s *Store) Grant(ctx context.Context, userID int64, ref inventory.Ref, at time.Time) (inventory.Item, error) {
	items, err := s.GrantAll(ctx, userID, []inventory.Ref{ref}, at)
	if err != nil {
		return inventory.Item{}, err
	}
	return items[0], nil
}

// GrantAll implements store.Store.
func (s *Store) GrantAll(ctx context.Context, userID int64, refs []inventory.Ref, at time.Time) ([]inventory.Item, error) {
	items := make([]inventory.Item, 0, len(refs))
	err := s.inTx(ctx, func(tx *sql.Tx) error {
		var one int
		if err := tx.QueryRowContext(ctx, `SELECT 1 FROM users WHERE id = ?`, userID).Scan(&one); err != nil {
			return notFound(err, fmt.Sprintf("user %d", userID))
		}
		for _, ref := range refs {
			it, err := grantOne(ctx, tx, userID, ref, at)
			if err != nil {
				return err
			}
			items = append(items, it)
		}
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("grant to user %d: %w", userID, err)
	}
	return items, nil
}

// grantOne grants ref inside tx; the caller has checked the user exists.
// Its errors name the ref.
func grantOne(ctx context.Context, tx *sql.Tx, userID int64, ref inventory.Ref, at time.Time) (inventory.Item, error) {
	it := inventory.Item{Kind: ref.Kind, ID: ref.ID, AddTime: at.UTC().Truncate(time.Millisecond)}
	table, ok := catalogTables[ref.Kind]
	if !ok {
		return it, fmt.Errorf("%s: unknown kind", ref)
	}
	var one int
	if err := tx.QueryRowContext(ctx, `SELECT 1 FROM `+table+` WHERE id = ?`, ref.ID).Scan(&one); err != nil {
		return it, notFound(err, ref.String())
	}
	if ref.Kind == inventory.KindAsset {
		if err := grantAsset(ctx, tx, userID, ref.ID, &it); err != nil {
			return it, fmt.Errorf("%s: %w", ref, err)
		}
		return it, nil
	}
	t := otherTables[ref.Kind]
	_, err := tx.ExecContext(ctx, `INSERT INTO `+t[0]+` (user_id, `+t[1]+`, added_at) VALUES (?, ?, ?)`, userID, ref.ID, millis(it.AddTime))
	switch {
	case isUnique(err):
		return it, fmt.Errorf("user %d already owns %s: %w", userID, ref, store.ErrExists)
	case err != nil:
		return it, fmt.Errorf("%s: %w", ref, err)
	}
	return it, nil
}

func grantAsset(ctx context.Context, tx *sql.Tx, userID, assetID int64, it *inventory.Item) error {
	var legacyType, creator int64
	var collItem sql.NullString
	var serialized bool
	err := tx.QueryRowContext(ctx, `SELECT asset_type_id, creator_user_id, collectible_item_id, serialized FROM assets WHERE id = ?`, assetID).
		Scan(&legacyType, &creator, &collItem, &serialized)
	if err != nil {
		return err
	}
	if !collItem.Valid {
		var one int
		err := tx.QueryRowContext(ctx, `SELECT 1 FROM user_assets WHERE user_id = ? AND asset_id = ?`, userID, assetID).Scan(&one)
		if err == nil {
			return fmt.Errorf("user %d already owns it: %w", userID, store.ErrExists)
		}
		if !errors.Is(err, sql.ErrNoRows) {
			return err
		}
	}
	if err := tx.QueryRowContext(ctx, `UPDATE sequences SET value = value + 1 WHERE name = 'user_asset_instance' RETURNING value`).Scan(&it.ID); err != nil {
		return err
	}
	it.AssetID = assetID
	it.AssetType = inventory.AssetTypeForLegacy(int(legacyType), creator == userID)
	var serial, state sql.NullInt64
	var collInstance sql.NullString
	if collItem.Valid {
		c := &inventory.Collectible{ItemID: collItem.String, InstanceID: inventory.NewUUID(), State: inventory.CollectibleStateAvailable}
		if serialized {
			if err := tx.QueryRowContext(ctx, `UPDATE assets SET last_serial = last_serial + 1 WHERE id = ? RETURNING last_serial`, assetID).Scan(&c.SerialNumber); err != nil {
				return err
			}
			serial = sql.NullInt64{Int64: c.SerialNumber, Valid: true}
		}
		collInstance = sql.NullString{String: c.InstanceID, Valid: true}
		state = sql.NullInt64{Int64: int64(c.State), Valid: true}
		it.Collectible = c
	}
	_, err = tx.ExecContext(ctx, `INSERT INTO user_assets (user_id, instance_id, asset_id, asset_type, serial_number, collectible_instance_id, collectible_state, added_at)
		VALUES (?, ?, ?, ?, ?, ?, ?, ?)`, userID, it.ID, assetID, int(it.AssetType), serial, collInstance, state, millis(it.AddTime))
	return err
}

// Revoke implements store.Store.
func (s *Store) Revoke(ctx context.Context, userID int64, ref inventory.Ref) (int, error) {
	var q string
	switch ref.Kind {
	case inventory.KindAsset:
		q = `DELETE FROM user_assets WHERE user_id = ? AND asset_id = ?`
	default:
		t, ok := otherTables[ref.Kind]
		if !ok {
			return 0, fmt.Errorf("revoke %s: unknown kind", ref)
		}
		q = `DELETE FROM ` + t[0] + ` WHERE user_id = ? AND ` + t[1] + ` = ?`
	}
	var n int64
	err := s.inTx(ctx, func(tx *sql.Tx) error {
		res, err := tx.ExecContext(ctx, q, userID, ref.ID)
		if err != nil {
			return err
		}
		if n, err = res.RowsAffected(); err != nil || n == 0 {
			return err
		}
		if ref.Kind == inventory.KindAsset {
			// An asset no longer owned can't stay in the owner's collection.
			_, err = tx.ExecContext(ctx, `DELETE FROM collections WHERE user_id = ? AND item_type = ? AND item_id = ?`,
				userID, int(inventory.ItemAsset), ref.ID)
		}
		return err
	})
	if err != nil {
		return 0, fmt.Errorf("revoke %s from user %d: %w", ref, userID, err)
	}
	if n == 0 {
		return 0, fmt.Errorf("user %d does not own %s: %w", userID, ref, store.ErrNotFound)
	}
	return int(n), nil
}

func notFound(err error, what string) error {
	if errors.Is(err, sql.ErrNoRows) {
		return fmt.Errorf("%s: %w", what, store.ErrNotFound)
	}
	return fmt.Errorf("read %s: %w", what, err)
}

// Names implements store.Store.
func (s *Store) Names(ctx context.Context, kind inventory.Kind, ids []int64) (map[int64]string, error) {
	table, ok := catalogTables[kind]
	if !ok {
		return nil, fmt.Errorf("names: unknown kind %d", kind)
	}
	rows, err := s.db.QueryContext(ctx, `SELECT id, name FROM `+table+` WHERE id IN (SELECT value FROM json_each(?))`, jsonIDs(ids))
	if err != nil {
		return nil, fmt.Errorf("names of %s: %w", kind, err)
	}
	defer rows.Close()
	names := make(map[int64]string, len(ids))
	for rows.Next() {
		var id int64
		var name string
		if err := rows.Scan(&id, &name); err != nil {
			return nil, fmt.Errorf("names of %s: %w", kind, err)
		}
		names[id] = name
	}
	return names, rows.Err()
}

// Counts implements store.Store.
func (s *Store) Counts(ctx context.Context, userID int64) (map[inventory.Kind]int, error) {
	var n [4]int
	err := s.db.QueryRowContext(ctx, `SELECT
		(SELECT count(*) FROM user_assets WHERE user_id = ?1),
		(SELECT count(*) FROM user_badges WHERE user_id = ?1),
		(SELECT count(*) FROM user_game_passes WHERE user_id = ?1),
		(SELECT count(*) FROM user_private_servers WHERE user_id = ?1)`, userID).Scan(&n[0], &n[1], &n[2], &n[3])
	if err != nil {
		return nil, fmt.Errorf("count inventory of user %d: %w", userID, err)
	}
	return map[inventory.Kind]int{
		inventory.KindAsset: n[0], inventory.KindBadge: n[1], inventory.KindGamePass: n[2], inventory.KindPrivateServer: n[3],
	}, nil
}

// raiseCounters keeps the instance and serial counters ahead of imported
// rows, so later grants never reuse an imported id or serial.
func raiseCounters(ctx context.Context, tx *sql.Tx, rows []store.Ownership) error {
	var maxInstance int64
	serials := map[int64]int64{}
	for _, r := range rows {
		if r.Item.Kind != inventory.KindAsset {
			continue
		}
		maxInstance = max(maxInstance, r.Item.ID)
		if c := r.Item.Collectible; c != nil && c.SerialNumber > serials[r.Item.AssetID] {
			serials[r.Item.AssetID] = c.SerialNumber
		}
	}
	if _, err := tx.ExecContext(ctx, `UPDATE sequences SET value = max(value, ?) WHERE name = 'user_asset_instance'`, maxInstance); err != nil {
		return fmt.Errorf("raise instance counter: %w", err)
	}
	for asset, serial := range serials {
		if _, err := tx.ExecContext(ctx, `UPDATE assets SET last_serial = max(last_serial, ?) WHERE id = ?`, serial, asset); err != nil {
			return fmt.Errorf("raise serial counter of asset %d: %w", asset, err)
		}
	}
	return nil
}

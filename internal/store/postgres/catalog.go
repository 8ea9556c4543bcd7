package postgres

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgtype"

	"github.com/invcloud/invcloud/internal/inventory"
	"github.com/invcloud/invcloud/internal/store"
)

// PutAsset implements store.Store.
func (s *Store) PutAsset(ctx context.Context, a inventory.Asset) error {
	var item pgtype.Text
	if a.Collectible {
		item = pgtype.Text{String: a.CollectibleItemID, Valid: true}
	}
	_, err := s.pool.Exec(ctx, `INSERT INTO assets (id, name, asset_type_id, creator_user_id, collectible_item_id, serialized, created_at)
		VALUES ($1, $2, $3, $4, $5, $6, $7)
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
	var item pgtype.Text
	var created int64
	err := s.pool.QueryRow(ctx, `SELECT name, asset_type_id, creator_user_id, collectible_item_id, serialized, created_at FROM assets WHERE id = $1`, id).
		Scan(&a.Name, &a.LegacyType, &a.CreatorID, &item, &a.Serialized, &created)
	if err != nil {
		return a, notFound(err, fmt.Sprintf("asset %d", id))
	}
	a.Collectible, a.CollectibleItemID = item.Valid, item.String
	a.Created = fromMillisNotNull(created)
	return a, nil
}

func (s *Store) putNamed(ctx context.Context, table string, id int64, name string, universe int64) error {
	_, err := s.pool.Exec(ctx, `INSERT INTO `+table+` (id, name, universe_id) VALUES ($1, $2, $3)
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
	return s.catalog(ctx, kind, `id > $1 ORDER BY id LIMIT $2`, after, limit)
}

// CatalogItem implements store.Store.
func (s *Store) CatalogItem(ctx context.Context, ref inventory.Ref) (store.CatalogItem, error) {
	items, err := s.catalog(ctx, ref.Kind, `id = $1`, ref.ID)
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
	q := `SELECT id, name, universe_id, 0, 0::bigint, NULL::text, false, 0::bigint FROM ` + table + ` WHERE ` + where
	if kind == inventory.KindAsset {
		q = `SELECT id, name, 0::bigint, asset_type_id, creator_user_id, collectible_item_id, serialized, created_at FROM assets WHERE ` + where
	}
	rows, err := s.pool.Query(ctx, q, args...)
	if err != nil {
		return nil, fmt.Errorf("read %s: %w", table, err)
	}
	defer rows.Close()
	var items []store.CatalogItem
	for rows.Next() {
		var c store.CatalogItem
		var collItem pgtype.Text
		var created int64
		a := &c.Asset
		if err := rows.Scan(&a.ID, &a.Name, &c.UniverseID, &a.LegacyType, &a.CreatorID, &collItem, &a.Serialized, &created); err != nil {
			return nil, fmt.Errorf("read %s: %w", table, err)
		}
		c.Ref, c.Name = inventory.Ref{Kind: kind, ID: a.ID}, a.Name
		if kind == inventory.KindAsset {
			a.Collectible, a.CollectibleItemID = collItem.Valid, collItem.String
			a.Created = fromMillisNotNull(created)
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

// otherTables names the ownership table and item column of each kind but
// assets.
var otherTables = map[inventory.Kind][2]string{
	inventory.KindBadge:         {"user_badges", "badge_id"},
	inventory.KindGamePass:      {"user_game_passes", "game_pass_id"},
	inventory.KindPrivateServer: {"user_private_servers", "private_server_id"},
}

// Grant implements store.Store; see GrantAll.
//
// Concurrency: instance ids come from the user_assets_instance_id_seq
// sequence (nextval never hands a value out twice, whatever the
// transactions do) and serial numbers from a counter on the asset's row
// (UPDATE ... RETURNING, whose row lock queues concurrent grants of one
// asset until the first commits). A grant of an asset first takes the
// user_assets table in ROW EXCLUSIVE mode, as its INSERT would, so that it
// waits for an Import that is raising the sequence past imported ids (Import
// holds SHARE ROW EXCLUSIVE), then locks the user's row FOR NO KEY UPDATE so
// that grants to one user run one at a time and the "already owns" check of a
// non-collectible holds. Lock order is always table, user row, asset row.
// Badges, passes and servers rely on their primary keys.
func (s *Store) Grant(ctx context.Context, userID int64, ref inventory.Ref, at time.Time) (inventory.Item, error) {
	items, err := s.GrantAll(ctx, userID, []inventory.Ref{ref}, at)
	if err != nil {
		return inventory.Item{}, err
	}
	return items[0], nil
}

// GrantAll implements store.Store, with Grant's locks (taken once, before
// the first ref, so the lock order holds for any mix of kinds).
func (s *Store) GrantAll(ctx context.Context, userID int64, refs []inventory.Ref, at time.Time) ([]inventory.Item, error) {
	items := make([]inventory.Item, 0, len(refs))
	err := pgx.BeginFunc(ctx, s.pool, func(tx pgx.Tx) error {
		var one int
		userQuery := `SELECT 1 FROM users WHERE id = $1`
		if slices.ContainsFunc(refs, func(r inventory.Ref) bool { return r.Kind == inventory.KindAsset }) {
			if _, err := tx.Exec(ctx, `LOCK TABLE user_assets IN ROW EXCLUSIVE MODE`); err != nil {
				return err
			}
			userQuery += ` FOR NO KEY UPDATE`
		}
		if err := tx.QueryRow(ctx, userQuery, userID).Scan(&one); err != nil {
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

// grantOne grants ref inside tx, after GrantAll's locks. Its errors name
// the ref.
func grantOne(ctx context.Context, tx pgx.Tx, userID int64, ref inventory.Ref, at time.Time) (inventory.Item, error) {
	it := inventory.Item{Kind: ref.Kind, ID: ref.ID, AddTime: at.UTC().Truncate(time.Millisecond)}
	table, ok := catalogTables[ref.Kind]
	if !ok {
		return it, fmt.Errorf("%s: unknown kind", ref)
	}
	if ref.Kind == inventory.KindAsset {
		if err := grantAsset(ctx, tx, userID, ref, &it); err != nil {
			if errors.Is(err, store.ErrNotFound) || errors.Is(err, store.ErrExists) {
				return it, err
			}
			return it, fmt.Errorf("%s: %w", ref, err)
		}
		return it, nil
	}
	var one int
	if err := tx.QueryRow(ctx, `SELECT 1 FROM `+table+` WHERE id = $1`, ref.ID).Scan(&one); err != nil {
		return it, notFound(err, ref.String())
	}
	t := otherTables[ref.Kind]
	tag, err := tx.Exec(ctx, `INSERT INTO `+t[0]+` (user_id, `+t[1]+`, added_at) VALUES ($1, $2, $3) ON CONFLICT DO NOTHING`,
		userID, ref.ID, millis(it.AddTime))
	switch {
	case isForeignKey(err): // deleted meanwhile
		return it, fmt.Errorf("%s: %w", ref, store.ErrNotFound)
	case err != nil:
		return it, fmt.Errorf("%s: %w", ref, err)
	case tag.RowsAffected() == 0:
		return it, fmt.Errorf("user %d already owns %s: %w", userID, ref, store.ErrExists)
	}
	return it, nil
}

func grantAsset(ctx context.Context, tx pgx.Tx, userID int64, ref inventory.Ref, it *inventory.Item) error {
	var legacyType int
	var creator int64
	var collItem pgtype.Text
	var serialized bool
	err := tx.QueryRow(ctx, `SELECT asset_type_id, creator_user_id, collectible_item_id, serialized FROM assets WHERE id = $1`, ref.ID).
		Scan(&legacyType, &creator, &collItem, &serialized)
	if err != nil {
		return notFound(err, ref.String())
	}
	if !collItem.Valid {
		var owned bool
		if err := tx.QueryRow(ctx, `SELECT EXISTS (SELECT 1 FROM user_assets WHERE user_id = $1 AND asset_id = $2)`, userID, ref.ID).Scan(&owned); err != nil {
			return err
		}
		if owned {
			return fmt.Errorf("user %d already owns %s: %w", userID, ref, store.ErrExists)
		}
	}
	it.AssetID = ref.ID
	it.AssetType = inventory.AssetTypeForLegacy(legacyType, creator == userID)
	var serial, state pgtype.Int8
	var collInstance pgtype.Text
	if collItem.Valid {
		c := &inventory.Collectible{ItemID: collItem.String, InstanceID: inventory.NewUUID(), State: inventory.CollectibleStateAvailable}
		if serialized {
			if err := tx.QueryRow(ctx, `UPDATE assets SET last_serial = last_serial + 1 WHERE id = $1 RETURNING last_serial`, ref.ID).Scan(&c.SerialNumber); err != nil {
				return err
			}
			serial = pgtype.Int8{Int64: c.SerialNumber, Valid: true}
		}
		collInstance = pgtype.Text{String: c.InstanceID, Valid: true}
		state = pgtype.Int8{Int64: int64(c.State), Valid: true}
		it.Collectible = c
	}
	return tx.QueryRow(ctx, `INSERT INTO user_assets (user_id, asset_id, asset_type, serial_number, collectible_instance_id, collectible_state, added_at)
		VALUES ($1, $2, $3, $4, $5, $6, $7) RETURNING instance_id`,
		userID, ref.ID, int(it.AssetType), serial, collInstance, state, millis(it.AddTime)).Scan(&it.ID)
}

// Revoke implements store.Store.
func (s *Store) Revoke(ctx context.Context, userID int64, ref inventory.Ref) (int, error) {
	var q string
	switch ref.Kind {
	case inventory.KindAsset:
		q = `DELETE FROM user_assets WHERE user_id = $1 AND asset_id = $2`
	default:
		t, ok := otherTables[ref.Kind]
		if !ok {
			return 0, fmt.Errorf("revoke %s: unknown kind", ref)
		}
		q = `DELETE FROM ` + t[0] + ` WHERE user_id = $1 AND ` + t[1] + ` = $2`
	}
	var n int64
	err := pgx.BeginFunc(ctx, s.pool, func(tx pgx.Tx) error {
		tag, err := tx.Exec(ctx, q, userID, ref.ID)
		if err != nil {
			return err
		}
		if n = tag.RowsAffected(); n == 0 || ref.Kind != inventory.KindAsset {
			return nil
		}
		// An asset no longer owned can't stay in the owner's collection.
		_, err = tx.Exec(ctx, `DELETE FROM collections WHERE user_id = $1 AND item_type = $2 AND item_id = $3`,
			userID, int(inventory.ItemAsset), ref.ID)
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

// Names implements store.Store.
func (s *Store) Names(ctx context.Context, kind inventory.Kind, ids []int64) (map[int64]string, error) {
	table, ok := catalogTables[kind]
	if !ok {
		return nil, fmt.Errorf("names: unknown kind %d", kind)
	}
	names := make(map[int64]string, len(ids))
	if len(ids) == 0 {
		return names, nil
	}
	rows, err := s.pool.Query(ctx, `SELECT id, name FROM `+table+` WHERE id = ANY($1::bigint[])`, ids)
	if err != nil {
		return nil, fmt.Errorf("names of %s: %w", kind, err)
	}
	defer rows.Close()
	for rows.Next() {
		var id int64
		var name string
		if err := rows.Scan(&id, &name); err != nil {
			return nil, fmt.Errorf("names of %s: %w", kind, err)
		}
		names[id] = name
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("names of %s: %w", kind, err)
	}
	return names, nil
}

// Counts implements store.Store.
func (s *Store) Counts(ctx context.Context, userID int64) (map[inventory.Kind]int, error) {
	var n [4]int
	err := s.pool.QueryRow(ctx, `SELECT
		(SELECT count(*) FROM user_assets WHERE user_id = $1),
		(SELECT count(*) FROM user_badges WHERE user_id = $1),
		(SELECT count(*) FROM user_game_passes WHERE user_id = $1),
		(SELECT count(*) FROM user_private_servers WHERE user_id = $1)`, userID).Scan(&n[0], &n[1], &n[2], &n[3])
	if err != nil {
		return nil, fmt.Errorf("count inventory of user %d: %w", userID, err)
	}
	return map[inventory.Kind]int{
		inventory.KindAsset: n[0], inventory.KindBadge: n[1], inventory.KindGamePass: n[2], inventory.KindPrivateServer: n[3],
	}, nil
}

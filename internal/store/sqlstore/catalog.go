package sqlstore

import (
	"context"
	"fmt"

	"github.com/invcloud/invcloud/internal/inventory"
	"github.com/invcloud/invcloud/internal/store"
)

// catalogTables names the catalog table of each kind.
var catalogTables = map[inventory.Kind]string{
	inventory.KindAsset:         "assets",
	inventory.KindBadge:         "badges",
	inventory.KindGamePass:      "game_passes",
	inventory.KindPrivateServer: "private_servers",
}

// OtherTables names the ownership table and item column of each kind but
// assets.
var OtherTables = map[inventory.Kind][2]string{
	inventory.KindBadge:         {"user_badges", "badge_id"},
	inventory.KindGamePass:      {"user_game_passes", "game_pass_id"},
	inventory.KindPrivateServer: {"user_private_servers", "private_server_id"},
}

// PutAsset implements store.Store.
func (s *Store) PutAsset(ctx context.Context, a inventory.Asset) error {
	var item any
	if a.Collectible {
		item = a.CollectibleItemID
	}
	_, err := s.db.Exec(ctx, `INSERT INTO assets (id, name, asset_type_id, creator_user_id, collectible_item_id, serialized, created_at)
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
	var item *string
	var created int64
	err := s.db.QueryRow(ctx, `SELECT name, asset_type_id, creator_user_id, collectible_item_id, serialized, created_at FROM assets WHERE id = $1`, id).
		Scan(&a.Name, &a.LegacyType, &a.CreatorID, &item, &a.Serialized, &created)
	if err != nil {
		return a, notFound(err, fmt.Sprintf("asset %d", id))
	}
	if item != nil {
		a.Collectible, a.CollectibleItemID = true, *item
	}
	a.Created = timeOf(created)
	return a, nil
}

func (s *Store) putNamed(ctx context.Context, table string, id int64, name string, universe int64) error {
	_, err := s.db.Exec(ctx, `INSERT INTO `+table+` (id, name, universe_id) VALUES ($1, $2, $3)
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

// catalog reads catalog rows of one kind matching where. Every kind is
// read into the asset's columns; the casts give PostgreSQL the types of
// the constants.
func (s *Store) catalog(ctx context.Context, kind inventory.Kind, where string, args ...any) ([]store.CatalogItem, error) {
	table, ok := catalogTables[kind]
	if !ok {
		return nil, fmt.Errorf("catalog: unknown kind %d", kind)
	}
	q := `SELECT id, name, universe_id, 0, CAST(0 AS BIGINT), CAST(NULL AS TEXT), false, CAST(0 AS BIGINT) FROM ` + table + ` WHERE ` + where
	if kind == inventory.KindAsset {
		q = `SELECT id, name, CAST(0 AS BIGINT), asset_type_id, creator_user_id, collectible_item_id, serialized, created_at FROM assets WHERE ` + where
	}
	rows, err := s.db.Query(ctx, q, args...)
	if err != nil {
		return nil, fmt.Errorf("read %s: %w", table, err)
	}
	defer rows.Close()
	var items []store.CatalogItem
	for rows.Next() {
		var c store.CatalogItem
		var collItem *string
		var created int64
		a := &c.Asset
		if err := rows.Scan(&a.ID, &a.Name, &c.UniverseID, &a.LegacyType, &a.CreatorID, &collItem, &a.Serialized, &created); err != nil {
			return nil, fmt.Errorf("read %s: %w", table, err)
		}
		c.Ref, c.Name = inventory.Ref{Kind: kind, ID: a.ID}, a.Name
		if kind == inventory.KindAsset {
			if collItem != nil {
				a.Collectible, a.CollectibleItemID = true, *collItem
			}
			a.Created = timeOf(created)
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
	rows, err := s.db.Query(ctx, `SELECT id, name FROM `+table+` WHERE id `+s.d.InInt64s(1), s.d.Int64s(ids))
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
	err := s.db.QueryRow(ctx, `SELECT
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

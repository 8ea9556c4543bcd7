package postgres

import (
	"context"
	"fmt"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgtype"

	"github.com/invcloud/invcloud/internal/inventory"
)

// The listing queries. Their text is fixed, so pgx prepares each once per
// connection: ID lists travel as one bigint[] parameter, asset types as a
// bit set ($3, bit n set: asset type n selected). Each is one range scan of
// a primary key (user_id, item key) in listing order, stopped by LIMIT; a
// list of asset ids walks the (user_id, asset_id) index instead and sorts
// the few hits.
const (
	assetColumns = `ua.instance_id, ua.asset_id, ua.asset_type, ua.serial_number,
	ua.collectible_instance_id, ua.collectible_state, ua.added_at, a.collectible_item_id`

	listAssets = `SELECT ` + assetColumns + `
		FROM user_assets ua JOIN assets a ON a.id = ua.asset_id
		WHERE ua.user_id = $1 AND ua.instance_id > $2 AND (($3::bigint >> ua.asset_type) & 1) = 1
		  AND (NOT $4::boolean OR ua.collectible_instance_id IS NOT NULL)
		ORDER BY ua.instance_id LIMIT $5`
	listAssetIDs = `SELECT ` + assetColumns + `
		FROM user_assets ua JOIN assets a ON a.id = ua.asset_id
		WHERE ua.user_id = $1 AND ua.asset_id = ANY($6::bigint[])
		  AND ua.instance_id > $2 AND (($3::bigint >> ua.asset_type) & 1) = 1
		  AND (NOT $4::boolean OR ua.collectible_instance_id IS NOT NULL)
		ORDER BY ua.instance_id LIMIT $5`
)

var listOthers, listOtherIDs = func() (all, ids map[inventory.Kind]string) {
	all, ids = map[inventory.Kind]string{}, map[inventory.Kind]string{}
	for k, t := range otherTables {
		all[k] = fmt.Sprintf(`SELECT %[2]s, added_at FROM %[1]s
			WHERE user_id = $1 AND %[2]s > $2 ORDER BY %[2]s LIMIT $3`, t[0], t[1])
		ids[k] = fmt.Sprintf(`SELECT %[2]s, added_at FROM %[1]s
			WHERE user_id = $1 AND %[2]s > $2 AND %[2]s = ANY($4::bigint[]) ORDER BY %[2]s LIMIT $3`, t[0], t[1])
	}
	return all, ids
}()

// ListInventory implements store.Store: one indexed range query per kind,
// starting at the position's kind, until the page is full.
func (s *Store) ListInventory(ctx context.Context, userID int64, q inventory.Query, after inventory.Position, limit int) ([]inventory.Item, error) {
	items := make([]inventory.Item, 0, min(max(limit, 0), 128))
	for _, k := range inventory.Kinds {
		if k < after.Kind || len(items) >= limit {
			continue
		}
		sel := q.Selector(k)
		if !sel.Include || (sel.IDs != nil && len(sel.IDs) == 0) {
			continue
		}
		var cursor int64
		if k == after.Kind {
			cursor = after.After
		}
		var err error
		if k == inventory.KindAsset {
			items, err = s.listAssets(ctx, items, userID, q, sel, cursor, limit-len(items))
		} else {
			items, err = s.listOthers(ctx, items, k, userID, sel, cursor, limit-len(items))
		}
		if err != nil {
			return nil, fmt.Errorf("list %s of user %d: %w", k, userID, err)
		}
	}
	return items, nil
}

func (s *Store) listAssets(ctx context.Context, items []inventory.Item, userID int64, q inventory.Query, sel inventory.Selector, cursor int64, n int) ([]inventory.Item, error) {
	if q.Types == 0 {
		return items, nil
	}
	var rows pgx.Rows
	var err error
	if sel.IDs != nil {
		rows, err = s.pool.Query(ctx, listAssetIDs, userID, cursor, int64(q.Types), q.OnlyCollectibles, n, sel.IDs)
	} else {
		rows, err = s.pool.Query(ctx, listAssets, userID, cursor, int64(q.Types), q.OnlyCollectibles, n)
	}
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	for rows.Next() {
		it, err := scanAsset(rows)
		if err != nil {
			return nil, err
		}
		items = append(items, it)
	}
	return items, rows.Err()
}

func scanAsset(row pgx.Row) (inventory.Item, error) {
	var (
		it                     = inventory.Item{Kind: inventory.KindAsset}
		assetType              int32
		serial, state, add     pgtype.Int8
		collInstance, collItem pgtype.Text
	)
	if err := row.Scan(&it.ID, &it.AssetID, &assetType, &serial, &collInstance, &state, &add, &collItem); err != nil {
		return it, err
	}
	it.AssetType = inventory.AssetType(assetType)
	it.AddTime = fromMillis(add)
	if collInstance.Valid {
		it.Collectible = &inventory.Collectible{
			ItemID:       collItem.String,
			InstanceID:   collInstance.String,
			State:        inventory.CollectibleState(state.Int64),
			SerialNumber: serial.Int64,
		}
	}
	return it, nil
}

func (s *Store) listOthers(ctx context.Context, items []inventory.Item, k inventory.Kind, userID int64, sel inventory.Selector, cursor int64, n int) ([]inventory.Item, error) {
	var rows pgx.Rows
	var err error
	if sel.IDs != nil {
		rows, err = s.pool.Query(ctx, listOtherIDs[k], userID, cursor, n, sel.IDs)
	} else {
		rows, err = s.pool.Query(ctx, listOthers[k], userID, cursor, n)
	}
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	for rows.Next() {
		it := inventory.Item{Kind: k}
		var add pgtype.Int8
		if err := rows.Scan(&it.ID, &add); err != nil {
			return nil, err
		}
		it.AddTime = fromMillis(add)
		items = append(items, it)
	}
	return items, rows.Err()
}

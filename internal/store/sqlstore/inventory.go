package sqlstore

import (
	"context"
	"fmt"

	"github.com/invcloud/invcloud/internal/inventory"
)

// listing holds the listing queries, built once from the dialect: their
// text never changes (ID lists travel as one parameter, asset types as a
// bit set, $3: bit n set means asset type n is selected), so each engine
// prepares each once per connection. Each is one range scan of a primary
// key (user_id, item key) in listing order; a list of asset ids walks the
// (user_id, asset_id) index instead and sorts the few hits.
type listing struct {
	assets, assetIDs string
	others, otherIDs map[inventory.Kind]string
	// limited says the queries end in LIMIT, bound to their last
	// parameter; without it that parameter is not passed (SQLite refuses a
	// parameter past the last one a query names).
	limited bool
}

const assetColumns = `ua.instance_id, ua.asset_id, ua.asset_type, ua.serial_number,
	ua.collectible_instance_id, ua.collectible_state, ua.added_at, a.collectible_item_id`

func newListing(d Dialect) listing {
	const where = `
		WHERE ua.user_id = $1 AND ua.instance_id > $2 AND ((CAST($3 AS BIGINT) >> ua.asset_type) & 1) = 1
		  AND (NOT CAST($4 AS BOOLEAN) OR ua.collectible_instance_id IS NOT NULL)`
	l := listing{
		assets: `SELECT ` + assetColumns + ` FROM user_assets ua JOIN assets a ON a.id = ua.asset_id` + where +
			` ORDER BY ua.instance_id` + d.Limit(5),
		assetIDs: `SELECT ` + assetColumns + ` FROM user_assets ua JOIN assets a ON a.id = ua.asset_id` + where +
			` AND ua.asset_id ` + d.InInt64s(5) + ` ORDER BY ua.instance_id` + d.Limit(6),
		others:   map[inventory.Kind]string{},
		otherIDs: map[inventory.Kind]string{},
		limited:  d.Limit(1) != "",
	}
	for k, t := range OtherTables {
		l.others[k] = fmt.Sprintf(`SELECT %[2]s, added_at FROM %[1]s
			WHERE user_id = $1 AND %[2]s > $2 ORDER BY %[2]s`, t[0], t[1]) + d.Limit(3)
		l.otherIDs[k] = fmt.Sprintf(`SELECT %[2]s, added_at FROM %[1]s
			WHERE user_id = $1 AND %[2]s > $2 AND %[2]s %[3]s ORDER BY %[2]s`, t[0], t[1], d.InInt64s(3)) + d.Limit(4)
	}
	return l
}

// ListInventory implements store.Store (ListKinds).
func (s *Store) ListInventory(ctx context.Context, userID int64, q inventory.Query, after inventory.Position, limit int) ([]inventory.Item, error) {
	return ListKinds(userID, q, after, limit,
		func(items []inventory.Item, sel inventory.Selector, cursor int64, n int) ([]inventory.Item, error) {
			return s.listAssets(ctx, items, userID, q, sel, cursor, n)
		},
		func(items []inventory.Item, k inventory.Kind, sel inventory.Selector, cursor int64, n int) ([]inventory.Item, error) {
			return s.listOthers(ctx, items, k, userID, sel, cursor, n)
		})
}

// ListKinds is a page of a user's inventory, the walk SQLite's direct
// readers share: one indexed range query per kind (assets or others, each
// appending at most n items past cursor), starting at the position's kind,
// until the page is full. Reading stops at the page's end whether or not
// the engine took the LIMIT (Dialect.Limit).
func ListKinds(userID int64, q inventory.Query, after inventory.Position, limit int,
	assets func(items []inventory.Item, sel inventory.Selector, cursor int64, n int) ([]inventory.Item, error),
	others func(items []inventory.Item, k inventory.Kind, sel inventory.Selector, cursor int64, n int) ([]inventory.Item, error),
) ([]inventory.Item, error) {
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
			if q.Types != 0 {
				items, err = assets(items, sel, cursor, limit-len(items))
			}
		} else {
			items, err = others(items, k, sel, cursor, limit-len(items))
		}
		if err != nil {
			return nil, fmt.Errorf("list %s of user %d: %w", k, userID, err)
		}
	}
	return items, nil
}

func (s *Store) listAssets(ctx context.Context, items []inventory.Item, userID int64, q inventory.Query, sel inventory.Selector, cursor int64, n int) ([]inventory.Item, error) {
	query, args := s.list.assets, []any{userID, cursor, int64(q.Types), q.OnlyCollectibles}
	if sel.IDs != nil {
		query, args = s.list.assetIDs, append(args, s.d.Int64s(sel.IDs))
	}
	if s.list.limited {
		args = append(args, n)
	}
	rows, err := s.db.Query(ctx, query, args...)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	for stop := len(items) + n; len(items) < stop && rows.Next(); {
		it, err := scanAsset(rows)
		if err != nil {
			return nil, err
		}
		items = append(items, it)
	}
	return items, rows.Err()
}

// scanAsset reads a row of assetColumns.
func scanAsset(row Row) (inventory.Item, error) {
	var (
		it                     = inventory.Item{Kind: inventory.KindAsset}
		assetType              int32
		serial, state, add     *int64
		collInstance, collItem *string
	)
	if err := row.Scan(&it.ID, &it.AssetID, &assetType, &serial, &collInstance, &state, &add, &collItem); err != nil {
		return it, err
	}
	it.AssetType = inventory.AssetType(assetType)
	it.AddTime = timeOrZero(add)
	if collInstance != nil {
		c := &inventory.Collectible{InstanceID: *collInstance}
		if collItem != nil {
			c.ItemID = *collItem
		}
		if state != nil {
			c.State = inventory.CollectibleState(*state)
		}
		if serial != nil {
			c.SerialNumber = *serial
		}
		it.Collectible = c
	}
	return it, nil
}

func (s *Store) listOthers(ctx context.Context, items []inventory.Item, k inventory.Kind, userID int64, sel inventory.Selector, cursor int64, n int) ([]inventory.Item, error) {
	query, args := s.list.others[k], []any{userID, cursor}
	if sel.IDs != nil {
		query, args = s.list.otherIDs[k], append(args, s.d.Int64s(sel.IDs))
	}
	if s.list.limited {
		args = append(args, n)
	}
	rows, err := s.db.Query(ctx, query, args...)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	for stop := len(items) + n; len(items) < stop && rows.Next(); {
		it := inventory.Item{Kind: k}
		var add *int64
		if err := rows.Scan(&it.ID, &add); err != nil {
			return nil, err
		}
		it.AddTime = timeOrZero(add)
		items = append(items, it)
	}
	return items, rows.Err()
}

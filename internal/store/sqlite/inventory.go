package sqlite

import (
	"context"
	"fmt"
	"time"

	"github.com/ncruces/go-sqlite3"

	"github.com/invcloud/invcloud/internal/inventory"
	"github.com/invcloud/invcloud/internal/store/sqlstore"
)

// The hot-path queries. Their text is fixed, so each reader prepares them
// once: ID lists travel as one JSON array parameter and asset types as a bit
// set (?3: bit n set means asset type n is selected). They carry no LIMIT
// parameter: SQLite re-prepares a statement whose bound LIMIT changes
// (measured: +17µs a query), so the caller stops after n rows instead; the
// scans stream in index order, so nothing past n is read.
const (
	assetColumns = `ua.instance_id, ua.asset_id, ua.asset_type, ua.serial_number,
	ua.collectible_instance_id, ua.collectible_state, ua.added_at, a.collectible_item_id`

	userQuery = `SELECT name, display_name, created_at, visibility, banned, description FROM users WHERE id = ?`

	assetsQuery = `SELECT ` + assetColumns + `
		FROM user_assets ua JOIN assets a ON a.id = ua.asset_id
		WHERE ua.user_id = ?1 AND ua.instance_id > ?2 AND (?3 >> ua.asset_type) & 1 = 1
		  AND (?4 = 0 OR ua.collectible_instance_id IS NOT NULL)
		ORDER BY ua.instance_id`

	// A handful of ids: walk the (user, asset) index, then sort the few hits.
	assetIDsQuery = `SELECT ` + assetColumns + `
		FROM user_assets ua INDEXED BY user_assets_owned JOIN assets a ON a.id = ua.asset_id
		WHERE ua.user_id = ?1 AND ua.asset_id IN (SELECT value FROM json_each(?5))
		  AND ua.instance_id > ?2 AND (?3 >> ua.asset_type) & 1 = 1
		  AND (?4 = 0 OR ua.collectible_instance_id IS NOT NULL)
		ORDER BY ua.instance_id`
)

func othersQuery(k inventory.Kind) string {
	t := sqlstore.OtherTables[k]
	return fmt.Sprintf(`SELECT %[2]s, added_at FROM %[1]s
		WHERE user_id = ?1 AND %[2]s > ?2 ORDER BY %[2]s`, t[0], t[1])
}

func otherIDsQuery(k inventory.Kind) string {
	t := sqlstore.OtherTables[k]
	return fmt.Sprintf(`SELECT %[2]s, added_at FROM %[1]s
		WHERE user_id = ?1 AND %[2]s > ?2 AND %[2]s IN (SELECT value FROM json_each(?3))
		ORDER BY %[2]s`, t[0], t[1])
}

// ListInventory implements store.Store on the direct-connection readers
// (page of 100: 88 -> 46 µs, 404 -> 19 allocs against database/sql, measured):
// one indexed range query per kind, starting at the position's kind, until
// the page is full.
func (s *Store) ListInventory(ctx context.Context, userID int64, q inventory.Query, after inventory.Position, limit int) ([]inventory.Item, error) {
	if s.readers == nil {
		return s.Store.ListInventory(ctx, userID, q, after, limit)
	}
	return sqlstore.ListKinds(userID, q, after, limit,
		func(items []inventory.Item, sel inventory.Selector, cursor int64, n int) ([]inventory.Item, error) {
			return s.listAssets(ctx, items, userID, q, sel, cursor, n)
		},
		func(items []inventory.Item, k inventory.Kind, sel inventory.Selector, cursor int64, n int) ([]inventory.Item, error) {
			return s.listOthers(ctx, items, k, userID, sel, cursor, n)
		})
}

func (s *Store) listAssets(ctx context.Context, items []inventory.Item, userID int64, q inventory.Query, sel inventory.Selector, cursor int64, n int) ([]inventory.Item, error) {
	only := 0
	if q.OnlyCollectibles {
		only = 1
	}
	err := s.readers.with(ctx, func(r *reader) error {
		st, args := r.assets, []any{userID, cursor, int64(q.Types), only}
		if sel.IDs != nil {
			st, args = r.assetIDs, append(args, jsonIDs(sel.IDs))
		}
		stop := len(items) + n
		return run(st, func() bool {
			items = append(items, scanAsset(st))
			return len(items) < stop
		}, args...)
	})
	return items, err
}

// scanAsset reads the current row of an asset listing (assetColumns).
func scanAsset(st *sqlite3.Stmt) inventory.Item {
	it := inventory.Item{Kind: inventory.KindAsset, ID: st.ColumnInt64(0), AssetID: st.ColumnInt64(1),
		AssetType: inventory.AssetType(st.ColumnInt64(2)), AddTime: columnTime(st, 6)}
	if st.ColumnType(4) != sqlite3.NULL {
		it.Collectible = &inventory.Collectible{
			ItemID:       st.ColumnText(7),
			InstanceID:   st.ColumnText(4),
			State:        inventory.CollectibleState(st.ColumnInt64(5)),
			SerialNumber: st.ColumnInt64(3), // 0 when NULL
		}
	}
	return it
}

// columnTime reads a millisecond time column, the zero time for NULL.
func columnTime(st *sqlite3.Stmt, col int) time.Time {
	if st.ColumnType(col) == sqlite3.NULL {
		return time.Time{}
	}
	return time.UnixMilli(st.ColumnInt64(col)).UTC()
}

func (s *Store) listOthers(ctx context.Context, items []inventory.Item, k inventory.Kind, userID int64, sel inventory.Selector, cursor int64, n int) ([]inventory.Item, error) {
	err := s.readers.with(ctx, func(r *reader) error {
		st, args := r.others[k], []any{userID, cursor}
		if sel.IDs != nil {
			st, args = r.otherIDs[k], append(args, jsonIDs(sel.IDs))
		}
		stop := len(items) + n
		return run(st, func() bool {
			items = append(items, inventory.Item{Kind: k, ID: st.ColumnInt64(0), AddTime: columnTime(st, 1)})
			return len(items) < stop
		}, args...)
	})
	return items, err
}

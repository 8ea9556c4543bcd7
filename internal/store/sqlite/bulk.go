package sqlite

import (
	"context"
	"database/sql"
	"fmt"
	"strings"

	"github.com/invcloud/invcloud/internal/inventory"
	"github.com/invcloud/invcloud/internal/store"
)

// bulkRows is how many rows one INSERT carries: enough to amortise the
// statement, few enough to stay far under SQLite's parameter limit.
const bulkRows = 256

// inserter batches rows of one table into multi-row INSERTs.
type inserter struct {
	ctx   context.Context
	tx    *sql.Tx
	head  string // INSERT INTO t (cols) VALUES
	tuple string // (?,?,...)
	cols  int
	stmts map[int]*sql.Stmt
}

func newInserter(ctx context.Context, tx *sql.Tx, table string, cols ...string) *inserter {
	return &inserter{
		ctx: ctx, tx: tx, cols: len(cols), stmts: map[int]*sql.Stmt{},
		head:  "INSERT INTO " + table + " (" + strings.Join(cols, ", ") + ") VALUES ",
		tuple: "(" + strings.TrimSuffix(strings.Repeat("?,", len(cols)), ",") + ")",
	}
}

// insert writes n rows whose values row(i) appends to args.
func (in *inserter) insert(n int, row func(i int, args []any) []any) error {
	defer func() {
		for _, st := range in.stmts {
			st.Close()
		}
	}()
	args := make([]any, 0, bulkRows*in.cols)
	for done := 0; done < n; {
		k := min(n-done, bulkRows)
		st := in.stmts[k]
		if st == nil {
			q := in.head + strings.TrimSuffix(strings.Repeat(in.tuple+",", k), ",") + " ON CONFLICT DO NOTHING"
			var err error
			if st, err = in.tx.PrepareContext(in.ctx, q); err != nil {
				return err
			}
			in.stmts[k] = st
		}
		args = args[:0]
		for i := done; i < done+k; i++ {
			args = row(i, args)
		}
		if _, err := st.ExecContext(in.ctx, args...); err != nil {
			return err
		}
		done += k
	}
	return nil
}

// Import implements store.Store with multi-row INSERTs in one transaction.
func (s *Store) Import(ctx context.Context, b store.Batch) error {
	byKind := map[inventory.Kind][]store.Ownership{}
	for _, r := range b.Ownerships {
		if !r.Item.Kind.Valid() {
			return fmt.Errorf("import: invalid kind %d", r.Item.Kind)
		}
		if r.Item.ID <= 0 {
			return fmt.Errorf("import: %s of user %d needs an id", r.Item.Kind, r.UserID)
		}
		byKind[r.Item.Kind] = append(byKind[r.Item.Kind], r)
	}
	if err := validateAccounts(b); err != nil {
		return err
	}
	return s.inTx(ctx, func(tx *sql.Tx) error {
		err := newInserter(ctx, tx, "users", "id", "name", "display_name", "created_at", "visibility").
			insert(len(b.Users), func(i int, a []any) []any {
				u := b.Users[i]
				return append(a, u.ID, u.Name, u.DisplayName, u.Created.UnixMilli(), string(u.Visibility))
			})
		if err != nil {
			return fmt.Errorf("import users: %w", err)
		}
		err = newInserter(ctx, tx, "assets", "id", "name", "asset_type_id", "creator_user_id", "collectible_item_id", "serialized", "created_at").
			insert(len(b.Assets), func(i int, a []any) []any {
				x := b.Assets[i]
				var item sql.NullString
				if x.Collectible {
					item = sql.NullString{String: x.CollectibleItemID, Valid: true}
				}
				return append(a, x.ID, x.Name, x.LegacyType, x.CreatorID, item, x.Serialized, x.Created.UnixMilli())
			})
		if err != nil {
			return fmt.Errorf("import assets: %w", err)
		}
		named := []struct {
			table string
			n     int
			at    func(i int) (int64, string, int64)
		}{
			{"badges", len(b.Badges), func(i int) (int64, string, int64) { x := b.Badges[i]; return x.ID, x.Name, x.UniverseID }},
			{"game_passes", len(b.GamePasses), func(i int) (int64, string, int64) { x := b.GamePasses[i]; return x.ID, x.Name, x.UniverseID }},
			{"private_servers", len(b.PrivateServers), func(i int) (int64, string, int64) {
				x := b.PrivateServers[i]
				return x.ID, x.Name, x.UniverseID
			}},
		}
		for _, t := range named {
			err := newInserter(ctx, tx, t.table, "id", "name", "universe_id").insert(t.n, func(i int, a []any) []any {
				id, name, u := t.at(i)
				return append(a, id, name, u)
			})
			if err != nil {
				return fmt.Errorf("import %s: %w", t.table, err)
			}
		}
		for _, k := range inventory.Kinds {
			if err := importOwnerships(ctx, tx, k, byKind[k]); err != nil {
				return fmt.Errorf("import %s ownerships: %w", k, err)
			}
		}
		if err := raiseCounters(ctx, tx, b.Ownerships); err != nil {
			return err
		}
		if err := importLegacy(ctx, tx, b.LegacyBatch); err != nil {
			return err
		}
		return importAccounts(ctx, tx, b)
	})
}

func importOwnerships(ctx context.Context, tx *sql.Tx, k inventory.Kind, rows []store.Ownership) error {
	if k != inventory.KindAsset {
		t := otherTables[k]
		return newInserter(ctx, tx, t[0], "user_id", t[1], "added_at").insert(len(rows), func(i int, a []any) []any {
			r := rows[i]
			return append(a, r.UserID, r.Item.ID, millis(r.Item.AddTime))
		})
	}
	return newInserter(ctx, tx, "user_assets", "user_id", "instance_id", "asset_id", "asset_type",
		"serial_number", "collectible_instance_id", "collectible_state", "added_at").
		insert(len(rows), func(i int, a []any) []any {
			r := rows[i]
			it := r.Item
			var serial, state sql.NullInt64
			var inst sql.NullString
			if c := it.Collectible; c != nil {
				inst = sql.NullString{String: c.InstanceID, Valid: true}
				state = sql.NullInt64{Int64: int64(c.State), Valid: true}
				if c.SerialNumber > 0 {
					serial = sql.NullInt64{Int64: c.SerialNumber, Valid: true}
				}
			}
			return append(a, r.UserID, it.ID, it.AssetID, int(it.AssetType), serial, inst, state, millis(it.AddTime))
		})
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

package sqlite

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"strings"

	"github.com/invcloud/invcloud/internal/store"
	"github.com/invcloud/invcloud/internal/store/sqlstore"
)

// bulk is SQLite's bulk writer (sqlstore.Bulk).
type bulk struct{}

// bulkRows is how many rows one INSERT carries: enough to amortise the
// statement, few enough to stay far under SQLite's parameter limit.
const bulkRows = 256

// Insert implements sqlstore.Bulk with multi-row INSERTs of bulkRows rows,
// each size prepared once a call, past the adapter's $n rewriting.
func (bulk) Insert(ctx context.Context, q sqlstore.Querier, t *store.Table, n int, row func(i int, r []any)) error {
	tx, ok := q.(*sqlTx)
	if !ok {
		return errors.New("bulk insert outside a transaction")
	}
	cols := len(t.Cols)
	head := "INSERT INTO " + t.Name + " (" + t.ColumnNames() + ") VALUES "
	tuple := "(" + strings.TrimSuffix(strings.Repeat("?,", cols), ",") + ")"
	stmts := map[int]*sql.Stmt{}
	defer func() {
		for _, st := range stmts {
			st.Close()
		}
	}()
	args := make([]any, bulkRows*cols)
	for done := 0; done < n; {
		k := min(n-done, bulkRows)
		st := stmts[k]
		if st == nil {
			q := head + strings.TrimSuffix(strings.Repeat(tuple+",", k), ",") + " ON CONFLICT DO NOTHING"
			var err error
			if st, err = tx.tx.PrepareContext(ctx, q); err != nil {
				return err
			}
			stmts[k] = st
		}
		a := args[:k*cols]
		clear(a)
		for i := range k {
			row(done+i, a[i*cols:(i+1)*cols:(i+1)*cols])
		}
		if _, err := st.ExecContext(ctx, a...); err != nil {
			return err
		}
		done += k
	}
	return nil
}

// RaiseCounters implements sqlstore.Bulk. SQLite's rowid keys need no
// resync: a new row takes the largest id plus one.
func (bulk) RaiseCounters(ctx context.Context, q sqlstore.Querier, values map[string]int64) error {
	for _, c := range store.Counters {
		// The largest id present counts too: a counter below it would
		// hand that id out again.
		stmt := `INSERT INTO sequences (name, value) VALUES ($1, max($2, (SELECT coalesce(max(` + c.Column + `), 0) FROM ` + c.Table + `)))
			ON CONFLICT (name) DO UPDATE SET value = max(value, excluded.value)`
		if _, err := q.Exec(ctx, stmt, c.Name, values[c.Name]); err != nil {
			return fmt.Errorf("counter %s: %w", c.Name, err)
		}
	}
	return nil
}

// Counters implements sqlstore.Bulk: the rows of the sequences table.
func (bulk) Counters(ctx context.Context, q sqlstore.Querier) (map[string]int64, error) {
	out := map[string]int64{}
	for _, c := range store.Counters {
		var v int64
		err := q.QueryRow(ctx, `SELECT value FROM sequences WHERE name = $1`, c.Name).Scan(&v)
		if err != nil && !errors.Is(err, sql.ErrNoRows) {
			return nil, fmt.Errorf("counter %s: %w", c.Name, err)
		}
		out[c.Name] = v
	}
	return out, nil
}

// Schema implements sqlstore.Bulk from sqlite_master and
// pragma_table_xinfo. Booleans are INTEGER columns here, so INTEGER holds
// both kinds; a primary key column is never NULL to invcloud.
func (bulk) Schema(ctx context.Context, q sqlstore.Querier) ([]store.SchemaColumn, error) {
	rows, err := q.Query(ctx, `SELECT m.name, c.name, c.type, c."notnull", c.pk
		FROM sqlite_master m, pragma_table_xinfo(m.name) c
		WHERE m.type = 'table' AND m.name NOT LIKE 'sqlite\_%' ESCAPE '\'
		ORDER BY m.name, c.cid`)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []store.SchemaColumn
	for rows.Next() {
		var c store.SchemaColumn
		var notNull, pk int
		if err := rows.Scan(&c.Table, &c.Column, &c.Type, &notNull, &pk); err != nil {
			return nil, err
		}
		switch strings.ToUpper(c.Type) {
		case "INTEGER":
			c.Kinds = []store.Kind{store.KindInt, store.KindBool}
		case "TEXT":
			c.Kinds = []store.Kind{store.KindText}
		case "BLOB":
			c.Kinds = []store.Kind{store.KindBlob}
		}
		c.Nullable = notNull == 0 && pk == 0
		out = append(out, c)
	}
	return out, rows.Err()
}

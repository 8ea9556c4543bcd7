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

// Tables returns the store's table-level access (store.TableStore), what
// `invcloud migrate` copies and checks with.
func (s *Store) Tables() store.TableStore { return tableStore{db: s.db, q: s.q} }

type tableStore struct {
	db *sql.DB
	q  *sqlDB
}

// Snapshot implements store.TableStore: a read-only (deferred) transaction
// sees one WAL snapshot from its first read to its end.
func (ts tableStore) Snapshot(ctx context.Context, fn func(store.TableReader) error) error {
	tx, err := ts.db.BeginTx(ctx, &sql.TxOptions{ReadOnly: true})
	if err != nil {
		return fmt.Errorf("begin: %w", err)
	}
	defer tx.Rollback()
	return fn(tableReader{tx: tx})
}

type tableReader struct{ tx *sql.Tx }

// selectRows is the query reading t in key order. SQLite compares text
// keys bytewise (the columns' BINARY collation), like "C" in PostgreSQL.
func selectRows(t *store.Table) string {
	return "SELECT " + t.ColumnNames() + " FROM " + t.Name + " ORDER BY " + strings.Join(t.Key, ", ")
}

// Rows implements store.TableReader.
func (r tableReader) Rows(ctx context.Context, t *store.Table, batch int, fn func([][]any) error) error {
	rows, err := r.tx.QueryContext(ctx, selectRows(t))
	if err != nil {
		return err
	}
	defer rows.Close()
	// Scanning into the kind's type fails on a value of another type (a
	// non-STRICT column holding text where an int belongs) rather than
	// hashing it differently from the other engine.
	ints, texts, bools := make([]sql.NullInt64, len(t.Cols)), make([]sql.NullString, len(t.Cols)), make([]sql.NullBool, len(t.Cols))
	blobs := make([][]byte, len(t.Cols))
	dest := make([]any, len(t.Cols))
	for i, c := range t.Cols {
		switch c.Kind {
		case store.KindInt:
			dest[i] = &ints[i]
		case store.KindText:
			dest[i] = &texts[i]
		case store.KindBool:
			dest[i] = &bools[i]
		case store.KindBlob:
			dest[i] = &blobs[i]
		}
	}
	n := len(t.Cols)
	var (
		out  [][]any
		vals []any // rows are carved from chunks of this
	)
	for rows.Next() {
		if err := rows.Scan(dest...); err != nil {
			return err
		}
		if len(vals) < n {
			vals = make([]any, 1024*n)
		}
		row := vals[:n:n]
		vals = vals[n:]
		for i, c := range t.Cols {
			switch c.Kind {
			case store.KindInt:
				if ints[i].Valid {
					row[i] = ints[i].Int64
				}
			case store.KindText:
				if texts[i].Valid {
					row[i] = texts[i].String
				}
			case store.KindBool:
				if bools[i].Valid {
					row[i] = bools[i].Bool
				}
			case store.KindBlob:
				if blobs[i] != nil {
					row[i] = blobs[i]
				} else if !c.Nullable {
					row[i] = []byte{}
				}
			}
		}
		if out == nil {
			out = make([][]any, 0, min(batch, 1024))
		}
		out = append(out, row)
		if len(out) == batch {
			if err := fn(out); err != nil {
				return err
			}
			out = nil
		}
	}
	if err := rows.Err(); err != nil {
		return err
	}
	if len(out) > 0 {
		return fn(out)
	}
	return nil
}

// Counters implements store.TableReader: the rows of the sequences table.
func (r tableReader) Counters(ctx context.Context) (map[string]int64, error) {
	out := map[string]int64{}
	for _, c := range store.Counters {
		var v int64
		err := r.tx.QueryRowContext(ctx, `SELECT value FROM sequences WHERE name = ?`, c.Name).Scan(&v)
		if err != nil && !errors.Is(err, sql.ErrNoRows) {
			return nil, fmt.Errorf("counter %s: %w", c.Name, err)
		}
		out[c.Name] = v
	}
	return out, nil
}

// HasRows implements store.TableStore.
func (ts tableStore) HasRows(ctx context.Context, t *store.Table) (bool, error) {
	var ok bool
	err := ts.db.QueryRowContext(ctx, `SELECT EXISTS (SELECT 1 FROM `+t.Name+`)`).Scan(&ok)
	return ok, err
}

// WriteRows implements store.TableStore: bulk.Insert in one transaction.
func (ts tableStore) WriteRows(ctx context.Context, t *store.Table, rows [][]any) error {
	return ts.q.Tx(ctx, sqlstore.TxOptions{}, func(q sqlstore.Querier) error {
		return bulk{}.Insert(ctx, q, t, len(rows), func(i int, r []any) { copy(r, rows[i]) })
	})
}

// RaiseCounters implements store.TableStore: bulk.RaiseCounters in one
// transaction.
func (ts tableStore) RaiseCounters(ctx context.Context, values map[string]int64) error {
	return ts.q.Tx(ctx, sqlstore.TxOptions{}, func(q sqlstore.Querier) error { return bulk{}.RaiseCounters(ctx, q, values) })
}

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

// Schema implements store.TableStore from sqlite_master and
// pragma_table_xinfo. Booleans are INTEGER columns here, so INTEGER holds
// both kinds; a primary key column is never NULL to invcloud.
func (ts tableStore) Schema(ctx context.Context) ([]store.SchemaColumn, error) {
	rows, err := ts.db.QueryContext(ctx, `SELECT m.name, c.name, c.type, c."notnull", c.pk
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

package sqlstore

import (
	"context"
	"fmt"
	"strings"

	"github.com/invcloud/invcloud/internal/store"
)

// Tables returns the store's table-level access (store.TableStore), what
// `invcloud migrate` copies and checks with: the reads are shared SQL, the
// writes, counters and schema the engine's Bulk.
func (s *Store) Tables() store.TableStore { return tableStore{s} }

type tableStore struct{ s *Store }

// Snapshot implements store.TableStore: a read-only transaction of one
// snapshot (REPEATABLE READ READ ONLY on PostgreSQL, a deferred read
// transaction on SQLite: one WAL snapshot from its first read to its end).
func (ts tableStore) Snapshot(ctx context.Context, fn func(store.TableReader) error) error {
	return ts.s.db.Tx(ctx, TxOptions{Snapshot: true}, func(q Querier) error { return fn(tableReader{ts.s, q}) })
}

// HasRows implements store.TableStore.
func (ts tableStore) HasRows(ctx context.Context, t *store.Table) (bool, error) {
	var ok bool
	err := ts.s.db.QueryRow(ctx, `SELECT EXISTS (SELECT 1 FROM `+t.Name+`)`).Scan(&ok)
	return ok, err
}

// WriteRows implements store.TableStore: Bulk.Insert in one transaction.
func (ts tableStore) WriteRows(ctx context.Context, t *store.Table, rows [][]any) error {
	return ts.s.tx(ctx, func(q Querier) error {
		return ts.s.bulk.Insert(ctx, q, t, len(rows), func(i int, r []any) { copy(r, rows[i]) })
	})
}

// RaiseCounters implements store.TableStore: Bulk.RaiseCounters in one
// transaction.
func (ts tableStore) RaiseCounters(ctx context.Context, values map[string]int64) error {
	return ts.s.tx(ctx, func(q Querier) error { return ts.s.bulk.RaiseCounters(ctx, q, values) })
}

// Schema implements store.TableStore.
func (ts tableStore) Schema(ctx context.Context) ([]store.SchemaColumn, error) {
	return ts.s.bulk.Schema(ctx, ts.s.db)
}

type tableReader struct {
	s *Store
	q Querier
}

// Counters implements store.TableReader.
func (r tableReader) Counters(ctx context.Context) (map[string]int64, error) {
	return r.s.bulk.Counters(ctx, r.q)
}

// Rows implements store.TableReader: SELECT in key order, text keys
// bytewise on both engines (Dialect.Bytewise). Each value is scanned as the
// driver decodes it and checked against its column's kind (canonical), so
// a value of another type (a non-STRICT SQLite column holding text where an
// int belongs) fails the copy rather than hashing differently.
func (r tableReader) Rows(ctx context.Context, t *store.Table, batch int, fn func([][]any) error) error {
	keys := make([]string, len(t.Key))
	for i, k := range t.Key {
		keys[i] = k
		if t.Col(k).Kind == store.KindText {
			keys[i] += r.s.d.Bytewise
		}
	}
	rows, err := r.q.Query(ctx, "SELECT "+t.ColumnNames()+" FROM "+t.Name+" ORDER BY "+strings.Join(keys, ", "))
	if err != nil {
		return err
	}
	defer rows.Close()
	n := len(t.Cols)
	vals := make([]any, n)
	dest := make([]any, n)
	for i := range vals {
		dest[i] = &vals[i]
	}
	var (
		out   [][]any
		chunk []any // rows are carved from chunks of this
	)
	for rows.Next() {
		clear(vals)
		if err := rows.Scan(dest...); err != nil {
			return err
		}
		if len(chunk) < n {
			chunk = make([]any, 1024*n)
		}
		row := chunk[:n:n]
		chunk = chunk[n:]
		for i := range t.Cols {
			if row[i], err = canonical(&t.Cols[i], vals[i]); err != nil {
				return fmt.Errorf("column %s: %w", t.Cols[i].Name, err)
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

// canonical is a value as a driver decoded it, as its column's kind holds
// it (see store.Kind): SQLite's 0 and 1 are bools in a bool column,
// PostgreSQL's integer and smallint int64s, a NOT NULL blob never nil.
func canonical(c *store.Column, v any) (any, error) {
	switch x := v.(type) {
	case nil:
		if c.Kind == store.KindBlob && !c.Nullable {
			return []byte{}, nil
		}
		return nil, nil
	case int64:
		switch {
		case c.Kind == store.KindInt:
			return x, nil
		case c.Kind == store.KindBool && (x == 0 || x == 1):
			return x == 1, nil
		}
	case int32:
		if c.Kind == store.KindInt {
			return int64(x), nil
		}
	case int16:
		if c.Kind == store.KindInt {
			return int64(x), nil
		}
	case bool:
		if c.Kind == store.KindBool {
			return x, nil
		}
	case string:
		if c.Kind == store.KindText {
			return x, nil
		}
	case []byte:
		if c.Kind == store.KindBlob {
			if x == nil {
				return canonical(c, nil)
			}
			return x, nil
		}
	}
	return nil, fmt.Errorf("a %T value where %s belongs", v, c.Kind)
}

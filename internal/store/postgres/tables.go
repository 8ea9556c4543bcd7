package postgres

import (
	"context"
	"fmt"
	"strconv"
	"strings"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgtype"
	"github.com/jackc/pgx/v5/pgxpool"

	"github.com/invcloud/invcloud/internal/store"
)

// Tables returns the store's table-level access (store.TableStore), what
// `invcloud migrate` copies and checks with.
func (s *Store) Tables() store.TableStore { return tableStore{pool: s.pool} }

type tableStore struct{ pool *pgxpool.Pool }

// Snapshot implements store.TableStore: a REPEATABLE READ, READ ONLY
// transaction.
func (ts tableStore) Snapshot(ctx context.Context, fn func(store.TableReader) error) error {
	tx, err := ts.pool.BeginTx(ctx, pgx.TxOptions{IsoLevel: pgx.RepeatableRead, AccessMode: pgx.ReadOnly})
	if err != nil {
		return fmt.Errorf("begin: %w", err)
	}
	defer tx.Rollback(ctx)
	return fn(tableReader{tx: tx})
}

type tableReader struct{ tx pgx.Tx }

// selectRows is the query reading t in key order, text keys bytewise
// (COLLATE "C") as SQLite orders them.
func selectRows(t *store.Table) string {
	keys := make([]string, len(t.Key))
	for i, k := range t.Key {
		keys[i] = k
		if t.Col(k).Kind == store.KindText {
			keys[i] += ` COLLATE "C"`
		}
	}
	return "SELECT " + t.ColumnNames() + " FROM " + t.Name + " ORDER BY " + strings.Join(keys, ", ")
}

// Rows implements store.TableReader.
func (r tableReader) Rows(ctx context.Context, t *store.Table, batch int, fn func([][]any) error) error {
	rows, err := r.tx.Query(ctx, selectRows(t))
	if err != nil {
		return err
	}
	defer rows.Close()
	n := len(t.Cols)
	ints, texts, bools := make([]pgtype.Int8, n), make([]pgtype.Text, n), make([]pgtype.Bool, n)
	blobs := make([][]byte, n)
	dest := make([]any, n)
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
				if blobs[i] != nil || !c.Nullable {
					row[i] = nonNil(blobs[i])
				}
				blobs[i] = nil // pgx reuses a non-nil slice's array
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

// sequenceOf returns the sequence behind an identity column.
func sequenceOf(ctx context.Context, q interface {
	QueryRow(context.Context, string, ...any) pgx.Row
}, table, column string) (string, error) {
	var seq *string
	if err := q.QueryRow(ctx, `SELECT pg_get_serial_sequence($1, $2)`, table, column).Scan(&seq); err != nil {
		return "", err
	}
	if seq == nil {
		return "", fmt.Errorf("%s.%s has no sequence", table, column)
	}
	return *seq, nil
}

// lastValue is the last value a sequence handed out, 0 for none. The name
// comes from the catalog (pg_get_serial_sequence), quoted as needed.
func lastValue(ctx context.Context, q interface {
	QueryRow(context.Context, string, ...any) pgx.Row
}, seq string) (int64, error) {
	var v int64
	err := q.QueryRow(ctx, `SELECT CASE WHEN is_called THEN last_value ELSE 0 END FROM `+seq).Scan(&v)
	return v, err
}

// Counters implements store.TableReader: the identity sequences'.
func (r tableReader) Counters(ctx context.Context) (map[string]int64, error) {
	out := map[string]int64{}
	for _, c := range store.Counters {
		seq, err := sequenceOf(ctx, r.tx, c.Table, c.Column)
		if err != nil {
			return nil, fmt.Errorf("counter %s: %w", c.Name, err)
		}
		if out[c.Name], err = lastValue(ctx, r.tx, seq); err != nil {
			return nil, fmt.Errorf("counter %s: %w", c.Name, err)
		}
	}
	return out, nil
}

// HasRows implements store.TableStore.
func (ts tableStore) HasRows(ctx context.Context, t *store.Table) (bool, error) {
	var ok bool
	err := ts.pool.QueryRow(ctx, `SELECT EXISTS (SELECT 1 FROM `+t.Name+`)`).Scan(&ok)
	return ok, err
}

// arrayTypes are the parameter types of each kind's column arrays.
var arrayTypes = map[store.Kind]string{store.KindInt: "bigint[]", store.KindText: "text[]", store.KindBool: "boolean[]", store.KindBlob: "bytea[]"}

// insertRows is INSERT INTO t (cols) SELECT * FROM unnest($1::bigint[], ...)
// ON CONFLICT DO NOTHING: one statement of binary column arrays, whatever
// the row count, and a constant text for pgx's statement cache. (COPY is
// not resume-safe: it has no ON CONFLICT.)
func insertRows(t *store.Table) string {
	params := make([]string, len(t.Cols))
	for i, c := range t.Cols {
		params[i] = "$" + strconv.Itoa(i+1) + "::" + arrayTypes[c.Kind]
	}
	return "INSERT INTO " + t.Name + " (" + t.ColumnNames() + ") SELECT * FROM unnest(" + strings.Join(params, ", ") + ") ON CONFLICT DO NOTHING"
}

// WriteRows implements store.TableStore: each column travels as one typed
// array (NULL-able ones as pgtype values), bulkRows rows a statement.
func (ts tableStore) WriteRows(ctx context.Context, t *store.Table, rows [][]any) error {
	q := insertRows(t)
	return pgx.BeginFunc(ctx, ts.pool, func(tx pgx.Tx) error {
		return chunks(len(rows), func(lo, hi int) error {
			args, err := columnArrays(t, rows[lo:hi])
			if err != nil {
				return err
			}
			_, err = tx.Exec(ctx, q, args...)
			return err
		})
	})
}

// columnArrays turns rows into one typed slice per column.
func columnArrays(t *store.Table, rows [][]any) ([]any, error) {
	args := make([]any, len(t.Cols))
	for i, c := range t.Cols {
		var err error
		switch {
		case c.Kind == store.KindInt && !c.Nullable:
			args[i], err = columnOf(rows, i, func(v any) (int64, bool) { x, ok := v.(int64); return x, ok })
		case c.Kind == store.KindInt:
			args[i], err = columnOf(rows, i, func(v any) (pgtype.Int8, bool) {
				x, ok := v.(int64)
				return pgtype.Int8{Int64: x, Valid: ok}, ok || v == nil
			})
		case c.Kind == store.KindText && !c.Nullable:
			args[i], err = columnOf(rows, i, func(v any) (string, bool) { x, ok := v.(string); return x, ok })
		case c.Kind == store.KindText:
			args[i], err = columnOf(rows, i, func(v any) (pgtype.Text, bool) {
				x, ok := v.(string)
				return pgtype.Text{String: x, Valid: ok}, ok || v == nil
			})
		case c.Kind == store.KindBool && !c.Nullable:
			args[i], err = columnOf(rows, i, func(v any) (bool, bool) { x, ok := v.(bool); return x, ok })
		case c.Kind == store.KindBool:
			args[i], err = columnOf(rows, i, func(v any) (pgtype.Bool, bool) {
				x, ok := v.(bool)
				return pgtype.Bool{Bool: x, Valid: ok}, ok || v == nil
			})
		case c.Kind == store.KindBlob:
			// A nil []byte is NULL, an empty one an empty value.
			args[i], err = columnOf(rows, i, func(v any) ([]byte, bool) { x, ok := v.([]byte); return x, ok || (v == nil && c.Nullable) })
		}
		if err != nil {
			return nil, fmt.Errorf("column %s: %w", c.Name, err)
		}
	}
	return args, nil
}

// columnOf collects value i of every row, converted by conv.
func columnOf[T any](rows [][]any, i int, conv func(any) (T, bool)) ([]T, error) {
	out := make([]T, len(rows))
	for r, row := range rows {
		v, ok := conv(row[i])
		if !ok {
			return nil, fmt.Errorf("row %d: unexpected value %T", r, row[i])
		}
		out[r] = v
	}
	return out, nil
}

// RaiseCounters implements store.TableStore. Every identity column's
// sequence moves past the largest id present (and a counter's past its
// value), never back. The tables are locked (SHARE ROW EXCLUSIVE) first:
// no nextval runs between reading a sequence and setting it.
func (ts tableStore) RaiseCounters(ctx context.Context, values map[string]int64) error {
	return pgx.BeginFunc(ctx, ts.pool, func(tx pgx.Tx) error {
		rows, err := tx.Query(ctx, `SELECT table_name, column_name FROM information_schema.columns
			WHERE table_schema = current_schema() AND is_identity = 'YES' ORDER BY table_name, column_name`)
		if err != nil {
			return err
		}
		type col struct{ table, column string }
		idents, err := pgx.CollectRows(rows, func(r pgx.CollectableRow) (c col, err error) {
			err = r.Scan(&c.table, &c.column)
			return c, err
		})
		if err != nil {
			return fmt.Errorf("identity columns: %w", err)
		}
		for _, c := range store.Counters {
			found := false
			for _, id := range idents {
				found = found || (id.table == c.Table && id.column == c.Column)
			}
			if !found {
				return fmt.Errorf("counter %s: %s.%s is not an identity column", c.Name, c.Table, c.Column)
			}
		}
		for _, id := range idents {
			if _, err := tx.Exec(ctx, `LOCK TABLE `+pgx.Identifier{id.table}.Sanitize()+` IN SHARE ROW EXCLUSIVE MODE`); err != nil {
				return err
			}
			seq, err := sequenceOf(ctx, tx, id.table, id.column)
			if err != nil {
				return err
			}
			var want int64
			if err := tx.QueryRow(ctx, `SELECT coalesce(max(`+pgx.Identifier{id.column}.Sanitize()+`), 0) FROM `+pgx.Identifier{id.table}.Sanitize()).Scan(&want); err != nil {
				return err
			}
			for _, c := range store.Counters {
				if c.Table == id.table && c.Column == id.column {
					want = max(want, values[c.Name])
				}
			}
			last, err := lastValue(ctx, tx, seq)
			if err != nil {
				return err
			}
			if want > last {
				if _, err := tx.Exec(ctx, `SELECT setval($1::regclass, $2)`, seq, want); err != nil {
					return fmt.Errorf("raise %s: %w", seq, err)
				}
			}
		}
		return nil
	})
}

// Schema implements store.TableStore from information_schema.columns, in
// the schema the store works in.
func (ts tableStore) Schema(ctx context.Context) ([]store.SchemaColumn, error) {
	rows, err := ts.pool.Query(ctx, `SELECT table_name, column_name, data_type, is_nullable = 'YES'
		FROM information_schema.columns WHERE table_schema = current_schema() ORDER BY table_name, ordinal_position`)
	if err != nil {
		return nil, err
	}
	return pgx.CollectRows(rows, func(r pgx.CollectableRow) (c store.SchemaColumn, err error) {
		if err = r.Scan(&c.Table, &c.Column, &c.Type, &c.Nullable); err != nil {
			return c, err
		}
		switch c.Type {
		case "bigint", "integer", "smallint":
			c.Kinds = []store.Kind{store.KindInt}
		case "text":
			c.Kinds = []store.Kind{store.KindText}
		case "boolean":
			c.Kinds = []store.Kind{store.KindBool}
		case "bytea":
			c.Kinds = []store.Kind{store.KindBlob}
		}
		return c, nil
	})
}

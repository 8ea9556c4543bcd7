package postgres

import (
	"context"
	"fmt"
	"slices"
	"strconv"
	"strings"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgtype"

	"github.com/invcloud/invcloud/internal/store"
	"github.com/invcloud/invcloud/internal/store/sqlstore"
)

// sequenceOf returns the sequence behind an identity column.
func sequenceOf(ctx context.Context, q sqlstore.Querier, table, column string) (string, error) {
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
func lastValue(ctx context.Context, q sqlstore.Querier, seq string) (int64, error) {
	var v int64
	err := q.QueryRow(ctx, `SELECT CASE WHEN is_called THEN last_value ELSE 0 END FROM `+seq).Scan(&v)
	return v, err
}

// Counters implements sqlstore.Bulk: the identity sequences'.
func (bulk) Counters(ctx context.Context, q sqlstore.Querier) (map[string]int64, error) {
	out := map[string]int64{}
	for _, c := range store.Counters {
		seq, err := sequenceOf(ctx, q, c.Table, c.Column)
		if err != nil {
			return nil, fmt.Errorf("counter %s: %w", c.Name, err)
		}
		if out[c.Name], err = lastValue(ctx, q, seq); err != nil {
			return nil, fmt.Errorf("counter %s: %w", c.Name, err)
		}
	}
	return out, nil
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

// bulk is PostgreSQL's bulk writer (sqlstore.Bulk).
type bulk struct{}

// bulkRows is how many rows one INSERT carries: each column travels as one
// binary array parameter, unnested on the server.
const bulkRows = 50_000

// Insert implements sqlstore.Bulk: each column travels as one typed array
// (NULL-able ones as pgtype values), bulkRows rows a statement.
func (bulk) Insert(ctx context.Context, q sqlstore.Querier, t *store.Table, n int, row func(i int, r []any)) error {
	stmt := insertRows(t)
	r := make([]any, len(t.Cols))
	for lo := 0; lo < n; lo += bulkRows {
		hi := min(n, lo+bulkRows)
		args := make([]any, len(t.Cols))
		for c, col := range t.Cols {
			args[c] = newArray(col, hi-lo)
		}
		for i := lo; i < hi; i++ {
			clear(r)
			row(i, r)
			for c, col := range t.Cols {
				if !setArray(args[c], i-lo, r[c], col.Nullable) {
					return fmt.Errorf("column %s, row %d: unexpected value %T", col.Name, i, r[c])
				}
			}
		}
		if _, err := q.Exec(ctx, stmt, args...); err != nil {
			return err
		}
	}
	return nil
}

// newArray returns the typed slice of n values a column travels in.
func newArray(c store.Column, n int) any {
	switch {
	case c.Kind == store.KindInt && !c.Nullable:
		return make([]int64, n)
	case c.Kind == store.KindInt:
		return make([]pgtype.Int8, n)
	case c.Kind == store.KindText && !c.Nullable:
		return make([]string, n)
	case c.Kind == store.KindText:
		return make([]pgtype.Text, n)
	case c.Kind == store.KindBool && !c.Nullable:
		return make([]bool, n)
	case c.Kind == store.KindBool:
		return make([]pgtype.Bool, n)
	}
	return make([][]byte, n) // a nil []byte is NULL, an empty one an empty value
}

// setArray sets value j of a newArray slice to the canonical value v,
// reporting whether v is of the column's kind (nil only if nullable).
func setArray(a any, j int, v any, nullable bool) bool {
	switch a := a.(type) {
	case []int64:
		x, ok := v.(int64)
		a[j] = x
		return ok
	case []pgtype.Int8:
		x, ok := v.(int64)
		a[j] = pgtype.Int8{Int64: x, Valid: ok}
		return ok || v == nil
	case []string:
		x, ok := v.(string)
		a[j] = x
		return ok
	case []pgtype.Text:
		x, ok := v.(string)
		a[j] = pgtype.Text{String: x, Valid: ok}
		return ok || v == nil
	case []bool:
		x, ok := v.(bool)
		a[j] = x
		return ok
	case []pgtype.Bool:
		x, ok := v.(bool)
		a[j] = pgtype.Bool{Bool: x, Valid: ok}
		return ok || v == nil
	case [][]byte:
		x, ok := v.([]byte)
		a[j] = x
		return ok || (v == nil && nullable)
	}
	return false
}

// RaiseCounters implements sqlstore.Bulk. Every identity column's sequence
// moves past the largest id present (and a counter's past its value),
// never back. The tables are locked (SHARE ROW EXCLUSIVE, in name order)
// first: no nextval runs between reading a sequence and setting it.
func (bulk) RaiseCounters(ctx context.Context, q sqlstore.Querier, values map[string]int64) error {
	rows, err := q.Query(ctx, `SELECT table_name, column_name FROM information_schema.columns
		WHERE table_schema = current_schema() AND is_identity = 'YES' ORDER BY table_name, column_name`)
	if err != nil {
		return err
	}
	type col struct{ table, column string }
	var idents []col
	for rows.Next() {
		var c col
		if err := rows.Scan(&c.table, &c.column); err != nil {
			rows.Close()
			return err
		}
		idents = append(idents, c)
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return fmt.Errorf("identity columns: %w", err)
	}
	for _, c := range store.Counters {
		if !slices.Contains(idents, col{c.Table, c.Column}) {
			return fmt.Errorf("counter %s: %s.%s is not an identity column", c.Name, c.Table, c.Column)
		}
	}
	for _, id := range idents {
		table, column := pgx.Identifier{id.table}.Sanitize(), pgx.Identifier{id.column}.Sanitize()
		if _, err := q.Exec(ctx, `LOCK TABLE `+table+` IN SHARE ROW EXCLUSIVE MODE`); err != nil {
			return err
		}
		seq, err := sequenceOf(ctx, q, id.table, id.column)
		if err != nil {
			return err
		}
		var want int64
		if err := q.QueryRow(ctx, `SELECT coalesce(max(`+column+`), 0) FROM `+table).Scan(&want); err != nil {
			return err
		}
		for _, c := range store.Counters {
			if c.Table == id.table && c.Column == id.column {
				want = max(want, values[c.Name])
			}
		}
		last, err := lastValue(ctx, q, seq)
		if err != nil {
			return err
		}
		if want > last {
			if _, err := q.Exec(ctx, `SELECT setval($1::regclass, $2)`, seq, want); err != nil {
				return fmt.Errorf("raise %s: %w", seq, err)
			}
		}
	}
	return nil
}

// Schema implements sqlstore.Bulk from information_schema.columns, in
// the schema the store works in.
func (bulk) Schema(ctx context.Context, q sqlstore.Querier) ([]store.SchemaColumn, error) {
	rows, err := q.Query(ctx, `SELECT table_name, column_name, data_type, is_nullable = 'YES'
		FROM information_schema.columns WHERE table_schema = current_schema() ORDER BY table_name, ordinal_position`)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []store.SchemaColumn
	for rows.Next() {
		var c store.SchemaColumn
		if err := rows.Scan(&c.Table, &c.Column, &c.Type, &c.Nullable); err != nil {
			return nil, err
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
		out = append(out, c)
	}
	return out, rows.Err()
}

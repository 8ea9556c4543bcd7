package sqlite

import (
	"context"
	"database/sql"
	"fmt"
	"sync"
	"sync/atomic"

	"github.com/invcloud/invcloud/internal/store/sqlstore"
)

// sqlDB is the shared store's road to SQLite: database/sql with every query
// text rewritten from $n to ?n placeholders. It is the only road: passed
// straight to SQLite, $2 is a named parameter numbered by first appearance,
// so "SELECT $2, $1" would bind silently wrong.
type sqlDB struct {
	sql    *sql.DB
	rebind *rebinder
}

var _ sqlstore.DB = (*sqlDB)(nil)

func newDB(s *sql.DB) *sqlDB { return &sqlDB{sql: s, rebind: &rebinder{}} }

func (d *sqlDB) Exec(ctx context.Context, q string, args ...any) (int64, error) {
	return execResult(d.sql.ExecContext(ctx, d.rebind.sql(q), args...))
}

func (d *sqlDB) Query(ctx context.Context, q string, args ...any) (sqlstore.Rows, error) {
	return queryRows(d.sql.QueryContext(ctx, d.rebind.sql(q), args...))
}

func (d *sqlDB) QueryRow(ctx context.Context, q string, args ...any) sqlstore.Row {
	return d.sql.QueryRowContext(ctx, d.rebind.sql(q), args...)
}

func (d *sqlDB) Ping(ctx context.Context) error { return d.sql.PingContext(ctx) }

func (d *sqlDB) Close() error { return d.sql.Close() }

// Tx begins a transaction as database/sql does by default: the driver
// takes the write lock at BEGIN for a read-write one.
func (d *sqlDB) Tx(ctx context.Context, o sqlstore.TxOptions, fn func(sqlstore.Querier) error) error {
	var opts *sql.TxOptions
	if o.Snapshot {
		opts = &sql.TxOptions{ReadOnly: true}
	}
	t, err := d.sql.BeginTx(ctx, opts)
	if err != nil {
		return fmt.Errorf("begin: %w", err)
	}
	if err := fn(&sqlTx{tx: t, rebind: d.rebind}); err != nil {
		t.Rollback()
		return err
	}
	if err := t.Commit(); err != nil {
		return fmt.Errorf("commit: %w", err)
	}
	return nil
}

type sqlTx struct {
	tx     *sql.Tx
	rebind *rebinder
}

func (t *sqlTx) Exec(ctx context.Context, q string, args ...any) (int64, error) {
	return execResult(t.tx.ExecContext(ctx, t.rebind.sql(q), args...))
}

func (t *sqlTx) Query(ctx context.Context, q string, args ...any) (sqlstore.Rows, error) {
	return queryRows(t.tx.QueryContext(ctx, t.rebind.sql(q), args...))
}

func (t *sqlTx) QueryRow(ctx context.Context, q string, args ...any) sqlstore.Row {
	return t.tx.QueryRowContext(ctx, t.rebind.sql(q), args...)
}

func execResult(res sql.Result, err error) (int64, error) {
	if err != nil {
		return 0, err
	}
	return res.RowsAffected()
}

func queryRows(r *sql.Rows, err error) (sqlstore.Rows, error) {
	if err != nil {
		return nil, err
	}
	return rows{r}, nil
}

// rows drops the error of Close: database/sql reports one only for a
// driver failing to finalise, and Err has the query's own.
type rows struct{ *sql.Rows }

func (r rows) Close() { r.Rows.Close() }

// maxRebinds bounds the rebind cache. Query texts are constants, or
// constants joined with fragments from fixed sets (table names, dialect
// clauses), so the cache holds a few hundred entries; the bound only guards
// against a caller that one day builds SQL from data, which then pays the
// rewrite (tens of nanoseconds) on every call instead of growing the map.
const maxRebinds = 4096

// rebinder rewrites $n placeholders to ?n, once per query text.
type rebinder struct {
	cache sync.Map // string -> string
	n     atomic.Int64
}

func (r *rebinder) sql(q string) string {
	if v, ok := r.cache.Load(q); ok {
		return v.(string)
	}
	out := rebind(q)
	if r.n.Load() < maxRebinds {
		if _, loaded := r.cache.LoadOrStore(q, out); !loaded {
			r.n.Add(1)
		}
	}
	return out
}

// rebind returns q with each $n placeholder written ?n, leaving quoted
// text ('...', "...") and comments alone. Both forms are the same length,
// so the rewrite is a byte-for-byte copy.
func rebind(q string) string {
	var b []byte // nil until the first placeholder
	for i := 0; i < len(q); i++ {
		switch c := q[i]; {
		case c == '\'' || c == '"':
			// A doubled quote inside ('it''s') closes and reopens: same result.
			for i++; i < len(q) && q[i] != c; i++ {
			}
		case c == '-' && i+1 < len(q) && q[i+1] == '-':
			for i += 2; i < len(q) && q[i] != '\n'; i++ {
			}
		case c == '/' && i+1 < len(q) && q[i+1] == '*':
			for i += 2; i+1 < len(q) && !(q[i] == '*' && q[i+1] == '/'); i++ {
			}
			i++
		case c == '$' && i+1 < len(q) && q[i+1] >= '0' && q[i+1] <= '9':
			if b == nil {
				b = []byte(q)
			}
			b[i] = '?'
		}
	}
	if b == nil {
		return q
	}
	return string(b)
}

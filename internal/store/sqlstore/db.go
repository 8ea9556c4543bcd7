package sqlstore

import "context"

// Querier is what shared SQL runs on: the pool or a transaction, of either
// driver. Placeholders are $1..$n; the SQLite adapter rewrites them to
// ?1..?n (once per query text), so a value may be used twice.
type Querier interface {
	// Exec runs a statement and reports how many rows it changed.
	Exec(ctx context.Context, sql string, args ...any) (rowsAffected int64, err error)
	Query(ctx context.Context, sql string, args ...any) (Rows, error)
	// QueryRow defers errors to Scan; no row is sql.ErrNoRows on both
	// drivers (pgx.ErrNoRows wraps it).
	QueryRow(ctx context.Context, sql string, args ...any) Row
}

// Rows is a result set; pgx.Rows satisfies it as it is.
type Rows interface {
	Next() bool
	Scan(dest ...any) error
	Err() error
	Close()
}

// Row is one result row.
type Row interface {
	Scan(dest ...any) error
}

// TxOptions says how to begin a transaction.
type TxOptions struct {
	// Snapshot asks for one consistent read-only view: REPEATABLE READ READ
	// ONLY on PostgreSQL, a deferred (read) transaction on SQLite.
	Snapshot bool
}

// DB is a database handle of either driver.
type DB interface {
	Querier
	// Tx runs fn in a transaction, committing when it returns nil and
	// rolling back otherwise. On SQLite a read-write transaction takes the
	// write lock at BEGIN, so a read-then-write never fails with
	// SQLITE_BUSY halfway.
	Tx(ctx context.Context, o TxOptions, fn func(Querier) error) error
	Ping(ctx context.Context) error
	Close() error
}

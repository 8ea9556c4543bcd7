package postgres

import (
	"context"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgxpool"

	"github.com/invcloud/invcloud/internal/store/sqlstore"
)

// pgxDB is the shared store's road to PostgreSQL: pgx's native pool, renamed.
// Query texts pass unchanged, so pgx's per-connection statement cache keys
// on the same constant text; pgx.Rows and pgx.Row already are
// sqlstore.Rows and sqlstore.Row.
type pgxDB struct{ pool *pgxpool.Pool }

var _ sqlstore.DB = pgxDB{}

func (d pgxDB) Exec(ctx context.Context, q string, args ...any) (int64, error) {
	tag, err := d.pool.Exec(ctx, q, args...)
	return tag.RowsAffected(), err
}

func (d pgxDB) Query(ctx context.Context, q string, args ...any) (sqlstore.Rows, error) {
	rows, err := d.pool.Query(ctx, q, args...)
	if err != nil {
		return nil, err
	}
	return rows, nil
}

func (d pgxDB) QueryRow(ctx context.Context, q string, args ...any) sqlstore.Row {
	return d.pool.QueryRow(ctx, q, args...)
}

func (d pgxDB) Ping(ctx context.Context) error { return d.pool.Ping(ctx) }

func (d pgxDB) Close() error {
	d.pool.Close()
	return nil
}

// Tx runs fn in a READ COMMITTED transaction (the shared SQL takes the row
// and table locks it needs), or a REPEATABLE READ READ ONLY one for a
// snapshot.
func (d pgxDB) Tx(ctx context.Context, o sqlstore.TxOptions, fn func(sqlstore.Querier) error) error {
	var opts pgx.TxOptions
	if o.Snapshot {
		opts = pgx.TxOptions{IsoLevel: pgx.RepeatableRead, AccessMode: pgx.ReadOnly}
	}
	return pgx.BeginTxFunc(ctx, d.pool, opts, func(t pgx.Tx) error { return fn(pgxTx{t}) })
}

type pgxTx struct{ tx pgx.Tx }

func (t pgxTx) Exec(ctx context.Context, q string, args ...any) (int64, error) {
	tag, err := t.tx.Exec(ctx, q, args...)
	return tag.RowsAffected(), err
}

func (t pgxTx) Query(ctx context.Context, q string, args ...any) (sqlstore.Rows, error) {
	rows, err := t.tx.Query(ctx, q, args...)
	if err != nil {
		return nil, err
	}
	return rows, nil
}

func (t pgxTx) QueryRow(ctx context.Context, q string, args ...any) sqlstore.Row {
	return t.tx.QueryRow(ctx, q, args...)
}

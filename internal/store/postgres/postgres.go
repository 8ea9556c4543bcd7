// Package postgres is the Store for several stateless replicas: PostgreSQL
// through pgx's native interface and a pgxpool connection pool.
//
// The DSN is a pgx connection string (postgres://user@host:5432/db?...).
// Runtime parameters travel in it too: search_path=SCHEMA keeps invcloud's
// tables in a schema of their own (it must exist), and pool_max_conns sizes
// the pool. Behind PgBouncer in transaction pooling mode, add
// default_query_exec_mode=simple_protocol: the default caches prepared
// statements per connection.
package postgres

import (
	"context"
	"database/sql"
	"embed"
	"fmt"
	"hash/fnv"
	"io/fs"

	"github.com/jackc/pgx/v5/pgxpool"
	"github.com/jackc/pgx/v5/stdlib"
	"github.com/pressly/goose/v3"
	"github.com/pressly/goose/v3/lock"

	"github.com/invcloud/invcloud/internal/store"
	"github.com/invcloud/invcloud/internal/store/sqlstore"
)

//go:embed migrations/*.sql
var migrations embed.FS

// Store is a store.Store on PostgreSQL: the shared SQL store on a pgx pool.
type Store struct {
	*sqlstore.Store
	pool *pgxpool.Pool
}

var _ store.Store = (*Store)(nil)

// Open connects to the database named by dsn and applies pending
// migrations. Replicas may open one database at once: the migrations run
// under a session-level advisory lock, one per schema.
func Open(ctx context.Context, dsn string) (*Store, error) {
	cfg, err := pgxpool.ParseConfig(dsn)
	if err != nil {
		return nil, fmt.Errorf("postgres: %w", err)
	}
	db := stdlib.OpenDB(*cfg.ConnConfig.Copy())
	err = migrate(ctx, db)
	if cerr := db.Close(); err == nil && cerr != nil {
		err = fmt.Errorf("postgres migrations: close: %w", cerr)
	}
	if err != nil {
		return nil, err
	}
	pool, err := pgxpool.NewWithConfig(ctx, cfg)
	if err != nil {
		return nil, fmt.Errorf("postgres: %w", err)
	}
	if err := pool.Ping(ctx); err != nil {
		pool.Close()
		return nil, fmt.Errorf("postgres: %w", err)
	}
	return &Store{Store: sqlstore.New(dialect, pgxDB{pool}, bulk{}), pool: pool}, nil
}

// migrate applies the embedded migrations with goose. goose's Postgres
// session locker takes an advisory lock around them, so replicas starting
// together apply each migration once; the lock id is derived from the
// schema, so installations in different schemas of one database do not wait
// for each other.
func migrate(ctx context.Context, db *sql.DB) error {
	var schema sql.NullString
	if err := db.QueryRowContext(ctx, `SELECT current_schema()`).Scan(&schema); err != nil {
		return fmt.Errorf("postgres: %w", err)
	}
	if !schema.Valid {
		var path string
		_ = db.QueryRowContext(ctx, `SHOW search_path`).Scan(&path)
		return fmt.Errorf("postgres: no schema to create tables in: search_path %q names none that exists", path)
	}
	h := fnv.New64a()
	h.Write([]byte("invcloud migrations\x00" + schema.String))
	locker, err := lock.NewPostgresSessionLocker(lock.WithLockID(int64(h.Sum64())), lock.WithLockTimeout(1, 600))
	if err != nil {
		return fmt.Errorf("postgres migrations: %w", err)
	}
	sub, err := fs.Sub(migrations, "migrations")
	if err != nil {
		return err
	}
	p, err := goose.NewProvider(goose.DialectPostgres, db, sub, goose.WithSessionLocker(locker))
	if err != nil {
		return fmt.Errorf("postgres migrations: %w", err)
	}
	if _, err := p.Up(ctx); err != nil {
		return fmt.Errorf("postgres migrate up (schema %s): %w", schema.String, err)
	}
	return nil
}

// Pool exposes the pool for tests and benchmarks of this package.
func (s *Store) Pool() *pgxpool.Pool { return s.pool }

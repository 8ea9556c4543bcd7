// Package sqlstore is the one implementation of store.Store in plain SQL,
// run by both engines through a small query interface (db.go): database/sql
// for SQLite, pgx for PostgreSQL. What differs between them is one Dialect
// value; a backend embeds *Store and overrides only what it measured faster
// on its own (SQLite's user lookup and listings on direct connections).
package sqlstore

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"time"

	"github.com/invcloud/invcloud/internal/store"
)

// Store implements store.Store in shared SQL.
type Store struct {
	db   DB
	d    Dialect
	bulk Bulk
	list listing
}

// New returns the shared store over db, speaking d, writing in bulk with b.
func New(d Dialect, db DB, b Bulk) *Store {
	return &Store{db: db, d: d, bulk: b, list: newListing(d)}
}

// Ping checks the database answers.
func (s *Store) Ping(ctx context.Context) error { return s.db.Ping(ctx) }

// Close closes the database.
func (s *Store) Close() error { return s.db.Close() }

// Secret implements store.Store.
func (s *Store) Secret(ctx context.Context, name string, gen func() ([]byte, error)) ([]byte, error) {
	const read = `SELECT value FROM settings WHERE name = $1`
	var v []byte
	err := s.db.QueryRow(ctx, read, name).Scan(&v)
	if err == nil {
		return v, nil
	}
	if !errors.Is(err, sql.ErrNoRows) {
		return nil, fmt.Errorf("read secret %s: %w", name, err)
	}
	if v, err = gen(); err != nil {
		return nil, err
	}
	// Another process or replica may have raced us: keep whichever landed first.
	if _, err := s.db.Exec(ctx, `INSERT INTO settings (name, value) VALUES ($1, $2) ON CONFLICT DO NOTHING`, name, v); err != nil {
		return nil, fmt.Errorf("store secret %s: %w", name, err)
	}
	if err := s.db.QueryRow(ctx, read, name).Scan(&v); err != nil {
		return nil, fmt.Errorf("read secret %s: %w", name, err)
	}
	return v, nil
}

// tx runs fn in a read-write transaction.
func (s *Store) tx(ctx context.Context, fn func(Querier) error) error {
	return s.db.Tx(ctx, TxOptions{}, fn)
}

// lockTable takes table in mode where the engine needs it.
func (s *Store) lockTable(ctx context.Context, q Querier, table, mode string) error {
	stmt := s.d.LockTable(table, mode)
	if stmt == "" {
		return nil
	}
	if _, err := q.Exec(ctx, stmt); err != nil {
		return fmt.Errorf("lock %s: %w", table, err)
	}
	return nil
}

// notFound turns "no row" into store.ErrNotFound naming what, and wraps
// any other error as a failed read of it.
func notFound(err error, what string) error {
	if errors.Is(err, sql.ErrNoRows) {
		return fmt.Errorf("%s: %w", what, store.ErrNotFound)
	}
	return fmt.Errorf("read %s: %w", what, err)
}

// affected is the result of an UPDATE or DELETE of one thing, what: an
// error, store.ErrNotFound when no row matched, or nil.
func affected(n int64, err error, what string) error {
	if err != nil {
		return fmt.Errorf("update %s: %w", what, err)
	}
	if n == 0 {
		return fmt.Errorf("%s: %w", what, store.ErrNotFound)
	}
	return nil
}

// mustExist runs a one-row query (SELECT 1 ... [lock]) and reports
// store.ErrNotFound naming what when it finds no row.
func mustExist(ctx context.Context, q Querier, what, query string, args ...any) error {
	var one int
	if err := q.QueryRow(ctx, query, args...).Scan(&one); err != nil {
		return notFound(err, what)
	}
	return nil
}

// exists reports whether a query (SELECT 1 ...) returns a row.
func exists(ctx context.Context, q Querier, query string, args ...any) (bool, error) {
	var one int
	err := q.QueryRow(ctx, query, args...).Scan(&one)
	switch {
	case errors.Is(err, sql.ErrNoRows):
		return false, nil
	case err != nil:
		return false, err
	}
	return true, nil
}

// queryInt64s returns the one int64 column of a query's rows.
func queryInt64s(ctx context.Context, q Querier, query string, args ...any) ([]int64, error) {
	rows, err := q.Query(ctx, query, args...)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var ids []int64
	for rows.Next() {
		var id int64
		if err := rows.Scan(&id); err != nil {
			return nil, err
		}
		ids = append(ids, id)
	}
	return ids, rows.Err()
}

// millis is a time as a parameter: Unix milliseconds, NULL (nil) for the
// zero time. Both drivers bind a nil interface as NULL.
func millis(t time.Time) any {
	if t.IsZero() {
		return nil
	}
	return t.UnixMilli()
}

// timeOf reads a NOT NULL millisecond column.
func timeOf(ms int64) time.Time { return time.UnixMilli(ms).UTC() }

// timeOrZero reads a NULL-able millisecond column scanned into a *int64:
// the zero time for NULL.
func timeOrZero(ms *int64) time.Time {
	if ms == nil {
		return time.Time{}
	}
	return time.UnixMilli(*ms).UTC()
}

// optInt is an optional integer as a parameter, NULL for nil.
func optInt(p *int64) any {
	if p == nil {
		return nil
	}
	return *p
}

// intOrNull is n as a parameter, NULL for 0.
func intOrNull(n int64) any {
	if n == 0 {
		return nil
	}
	return n
}

// textOrNull is s as a parameter, NULL for "".
func textOrNull(s string) any {
	if s == "" {
		return nil
	}
	return s
}

// nonNil keeps an empty value from becoming NULL in a NOT NULL column.
func nonNil(b []byte) []byte {
	if b == nil {
		return []byte{}
	}
	return b
}

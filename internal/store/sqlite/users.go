package sqlite

import (
	"context"
	"database/sql"
	"errors"
	"fmt"

	"github.com/invcloud/invcloud/internal/inventory"
	"github.com/invcloud/invcloud/internal/store"
)

// CreateUser implements store.Store.
func (s *Store) CreateUser(ctx context.Context, u inventory.User) error {
	_, err := s.db.ExecContext(ctx, `INSERT INTO users (id, name, display_name, created_at, visibility) VALUES (?, ?, ?, ?, ?)`,
		u.ID, u.Name, u.DisplayName, u.Created.UnixMilli(), string(u.Visibility))
	if isUnique(err) {
		return fmt.Errorf("user %d (%s): %w", u.ID, u.Name, store.ErrExists)
	}
	if err != nil {
		return fmt.Errorf("create user %d: %w", u.ID, err)
	}
	return nil
}

// User implements store.Store.
func (s *Store) User(ctx context.Context, id int64) (inventory.User, error) {
	u := inventory.User{ID: id}
	var created int64
	var vis string
	err := s.stmts.user.QueryRowContext(ctx, id).
		Scan(&u.Name, &u.DisplayName, &created, &vis)
	if errors.Is(err, sql.ErrNoRows) {
		return u, fmt.Errorf("user %d: %w", id, store.ErrNotFound)
	}
	if err != nil {
		return u, fmt.Errorf("read user %d: %w", id, err)
	}
	u.Created = fromMillis(sql.NullInt64{Int64: created, Valid: true})
	u.Visibility = inventory.Visibility(vis)
	return u, nil
}

// SetVisibility implements store.Store.
func (s *Store) SetVisibility(ctx context.Context, id int64, v inventory.Visibility) error {
	res, err := s.db.ExecContext(ctx, `UPDATE users SET visibility = ? WHERE id = ?`, string(v), id)
	return affected(res, err, fmt.Sprintf("user %d", id))
}

func affected(res sql.Result, err error, what string) error {
	if err != nil {
		return fmt.Errorf("update %s: %w", what, err)
	}
	n, err := res.RowsAffected()
	if err != nil {
		return fmt.Errorf("update %s: %w", what, err)
	}
	if n == 0 {
		return fmt.Errorf("%s: %w", what, store.ErrNotFound)
	}
	return nil
}

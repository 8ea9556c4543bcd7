package sqlite

import (
	"context"
	"database/sql"
	"fmt"
	"time"

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
	found := false
	err := s.readers.with(ctx, func(r *reader) error {
		return run(r.user, func() bool {
			found = true
			u.Name, u.DisplayName = r.user.ColumnText(0), r.user.ColumnText(1)
			u.Created = time.UnixMilli(r.user.ColumnInt64(2)).UTC()
			u.Visibility = inventory.Visibility(r.user.ColumnText(3))
			return false
		}, id)
	})
	if err != nil {
		return u, fmt.Errorf("read user %d: %w", id, err)
	}
	if !found {
		return u, fmt.Errorf("user %d: %w", id, store.ErrNotFound)
	}
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

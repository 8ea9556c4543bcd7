package sqlite

import (
	"context"
	"fmt"
	"time"

	"github.com/invcloud/invcloud/internal/inventory"
	"github.com/invcloud/invcloud/internal/store"
)

// User implements store.Store on a direct-connection reader: database/sql
// cost as much as SQLite itself for this one-row read on every request.
func (s *Store) User(ctx context.Context, id int64) (inventory.User, error) {
	if s.readers == nil {
		return s.Store.User(ctx, id)
	}
	u := inventory.User{ID: id}
	found := false
	err := s.readers.with(ctx, func(r *reader) error {
		return run(r.user, func() bool {
			found = true
			u.Name, u.DisplayName = r.user.ColumnText(0), r.user.ColumnText(1)
			u.Created = time.UnixMilli(r.user.ColumnInt64(2)).UTC()
			u.Visibility = inventory.Visibility(r.user.ColumnText(3))
			u.Banned, u.Description = r.user.ColumnBool(4), r.user.ColumnText(5)
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

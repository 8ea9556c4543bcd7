package sqlstore

import (
	"context"
	"fmt"

	"github.com/invcloud/invcloud/internal/inventory"
	"github.com/invcloud/invcloud/internal/store"
)

// CreateUser implements store.Store.
func (s *Store) CreateUser(ctx context.Context, u inventory.User) error {
	_, err := s.db.Exec(ctx, `INSERT INTO users (id, name, display_name, created_at, visibility) VALUES ($1, $2, $3, $4, $5)`,
		u.ID, u.Name, u.DisplayName, u.Created.UnixMilli(), string(u.Visibility))
	if s.d.IsUnique(err) {
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
	err := s.db.QueryRow(ctx, `SELECT name, display_name, created_at, visibility FROM users WHERE id = $1`, id).
		Scan(&u.Name, &u.DisplayName, &created, &vis)
	if err != nil {
		return u, notFound(err, fmt.Sprintf("user %d", id))
	}
	u.Created, u.Visibility = timeOf(created), inventory.Visibility(vis)
	return u, nil
}

// SetVisibility implements store.Store.
func (s *Store) SetVisibility(ctx context.Context, id int64, v inventory.Visibility) error {
	n, err := s.db.Exec(ctx, `UPDATE users SET visibility = $1 WHERE id = $2`, string(v), id)
	return affected(n, err, fmt.Sprintf("user %d", id))
}

// Users implements store.Store.
func (s *Store) Users(ctx context.Context, after int64, limit int) ([]inventory.User, error) {
	rows, err := s.db.Query(ctx, `SELECT id, name, display_name, created_at, visibility FROM users WHERE id > $1 ORDER BY id LIMIT $2`, after, limit)
	if err != nil {
		return nil, fmt.Errorf("list users: %w", err)
	}
	defer rows.Close()
	users := make([]inventory.User, 0, min(limit, 1000))
	for rows.Next() {
		var u inventory.User
		var created int64
		var vis string
		if err := rows.Scan(&u.ID, &u.Name, &u.DisplayName, &created, &vis); err != nil {
			return nil, fmt.Errorf("list users: %w", err)
		}
		u.Created, u.Visibility = timeOf(created), inventory.Visibility(vis)
		users = append(users, u)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("list users: %w", err)
	}
	return users, nil
}

// userDeletionCounts counts, for $1, what deleting the user takes with it.
const userDeletionCounts = `SELECT
	(SELECT count(*) FROM user_assets WHERE user_id = $1) + (SELECT count(*) FROM user_badges WHERE user_id = $1) +
	(SELECT count(*) FROM user_game_passes WHERE user_id = $1) + (SELECT count(*) FROM user_private_servers WHERE user_id = $1) +
	(SELECT count(*) FROM user_bundles WHERE user_id = $1),
	(SELECT count(*) FROM api_keys WHERE owner_user_id = $1),
	(SELECT count(*) FROM sessions WHERE user_id = $1),
	(SELECT count(*) FROM oauth_apps WHERE owner_user_id = $1),
	(SELECT count(*) FROM oauth_authorizations WHERE user_id = $1
	   OR client_id IN (SELECT client_id FROM oauth_apps WHERE owner_user_id = $1)),
	(SELECT count(*) FROM friends WHERE user_id = $1)`

// DeleteUser implements store.Store. Every table that names a user does so
// through a foreign key with ON DELETE CASCADE (the migrations say so, and
// the conformance suite checks the rows are gone), so one DELETE removes
// the user's rows. The counts are taken first in the same transaction,
// after locking the user's row FOR UPDATE where the engine needs it: that
// conflicts with the key-share locks inserts of dependent rows take, so the
// counts match what the DELETE removes.
func (s *Store) DeleteUser(ctx context.Context, id int64) (store.UserDeletion, error) {
	var d store.UserDeletion
	err := s.tx(ctx, func(q Querier) error {
		if err := mustExist(ctx, q, fmt.Sprintf("user %d", id), `SELECT 1 FROM users WHERE id = $1`+s.d.RowLock.Update, id); err != nil {
			return err
		}
		if err := q.QueryRow(ctx, userDeletionCounts, id).Scan(&d.Items, &d.APIKeys, &d.Sessions,
			&d.OAuthApps, &d.OAuthAuthorizations, &d.Friends); err != nil {
			return fmt.Errorf("count rows: %w", err)
		}
		_, err := q.Exec(ctx, `DELETE FROM users WHERE id = $1`, id)
		return err
	})
	if err != nil {
		return store.UserDeletion{}, fmt.Errorf("delete user %d: %w", id, err)
	}
	return d, nil
}

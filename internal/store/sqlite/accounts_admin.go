package sqlite

import (
	"context"
	"database/sql"
	"fmt"
	"time"

	"github.com/invcloud/invcloud/internal/inventory"
	"github.com/invcloud/invcloud/internal/store"
)

// Users implements store.Store.
func (s *Store) Users(ctx context.Context, after int64, limit int) ([]inventory.User, error) {
	rows, err := s.db.QueryContext(ctx, `SELECT id, name, display_name, created_at, visibility FROM users WHERE id > ? ORDER BY id LIMIT ?`, after, limit)
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
		u.Created, u.Visibility = time.UnixMilli(created).UTC(), inventory.Visibility(vis)
		users = append(users, u)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("list users: %w", err)
	}
	return users, nil
}

// userDeletionCounts counts, for ?1, what deleting the user takes with it.
const userDeletionCounts = `SELECT
	(SELECT count(*) FROM user_assets WHERE user_id = ?1) + (SELECT count(*) FROM user_badges WHERE user_id = ?1) +
	(SELECT count(*) FROM user_game_passes WHERE user_id = ?1) + (SELECT count(*) FROM user_private_servers WHERE user_id = ?1) +
	(SELECT count(*) FROM user_bundles WHERE user_id = ?1),
	(SELECT count(*) FROM api_keys WHERE owner_user_id = ?1),
	(SELECT count(*) FROM sessions WHERE user_id = ?1),
	(SELECT count(*) FROM oauth_apps WHERE owner_user_id = ?1),
	(SELECT count(*) FROM oauth_authorizations WHERE user_id = ?1
	   OR client_id IN (SELECT client_id FROM oauth_apps WHERE owner_user_id = ?1)),
	(SELECT count(*) FROM friends WHERE user_id = ?1)`

// DeleteUser implements store.Store. Every table that names a user does so
// through a foreign key with ON DELETE CASCADE (the migrations say so, and
// the conformance suite checks the rows are gone), so one DELETE removes
// the user's rows; the counts are taken first in the same transaction.
func (s *Store) DeleteUser(ctx context.Context, id int64) (store.UserDeletion, error) {
	var d store.UserDeletion
	err := s.inTx(ctx, func(tx *sql.Tx) error {
		var one int
		if err := tx.QueryRowContext(ctx, `SELECT 1 FROM users WHERE id = ?`, id).Scan(&one); err != nil {
			return notFound(err, fmt.Sprintf("user %d", id))
		}
		if err := tx.QueryRowContext(ctx, userDeletionCounts, id).Scan(&d.Items, &d.APIKeys, &d.Sessions,
			&d.OAuthApps, &d.OAuthAuthorizations, &d.Friends); err != nil {
			return fmt.Errorf("count rows: %w", err)
		}
		_, err := tx.ExecContext(ctx, `DELETE FROM users WHERE id = ?`, id)
		return err
	})
	if err != nil {
		return store.UserDeletion{}, fmt.Errorf("delete user %d: %w", id, err)
	}
	return d, nil
}

package sqlstore

import (
	"context"
	"fmt"
	"unicode/utf8"

	"github.com/invcloud/invcloud/internal/inventory"
	"github.com/invcloud/invcloud/internal/store"
)

// CreateUser implements store.Store.
func (s *Store) CreateUser(ctx context.Context, u inventory.User) error {
	if n := utf8.RuneCountInString(u.Description); n > inventory.MaxDescriptionLen {
		return fmt.Errorf("create user %d: description of %d characters, the limit is %d", u.ID, n, inventory.MaxDescriptionLen)
	}
	_, err := s.db.Exec(ctx, `INSERT INTO users (id, name, display_name, created_at, visibility, banned, description)
		VALUES ($1, $2, $3, $4, $5, $6, $7)`,
		u.ID, u.Name, u.DisplayName, u.Created.UnixMilli(), string(u.Visibility), u.Banned, u.Description)
	if s.d.IsUnique(err) {
		return fmt.Errorf("user %d (%s): %w", u.ID, u.Name, store.ErrExists)
	}
	if err != nil {
		return fmt.Errorf("create user %d: %w", u.ID, err)
	}
	return nil
}

// userColumns are the columns scanUser reads, in its order.
const userColumns = `id, name, display_name, created_at, visibility, banned, description`

func scanUser(r Row) (inventory.User, error) {
	var u inventory.User
	var created int64
	var vis string
	if err := r.Scan(&u.ID, &u.Name, &u.DisplayName, &created, &vis, &u.Banned, &u.Description); err != nil {
		return u, err
	}
	u.Created, u.Visibility = timeOf(created), inventory.Visibility(vis)
	return u, nil
}

// User implements store.Store.
func (s *Store) User(ctx context.Context, id int64) (inventory.User, error) {
	u, err := scanUser(s.db.QueryRow(ctx, `SELECT `+userColumns+` FROM users WHERE id = $1`, id))
	if err != nil {
		return inventory.User{ID: id}, notFound(err, fmt.Sprintf("user %d", id))
	}
	return u, nil
}

// SetVisibility implements store.Store.
func (s *Store) SetVisibility(ctx context.Context, id int64, v inventory.Visibility) error {
	n, err := s.db.Exec(ctx, `UPDATE users SET visibility = $1 WHERE id = $2`, string(v), id)
	return affected(n, err, fmt.Sprintf("user %d", id))
}

// SetBanned implements store.UserProfiles.
func (s *Store) SetBanned(ctx context.Context, id int64, banned bool) error {
	n, err := s.db.Exec(ctx, `UPDATE users SET banned = $1 WHERE id = $2`, banned, id)
	return affected(n, err, fmt.Sprintf("user %d", id))
}

// SetDescription implements store.UserProfiles.
func (s *Store) SetDescription(ctx context.Context, id int64, description string) error {
	if n := utf8.RuneCountInString(description); n > inventory.MaxDescriptionLen {
		return fmt.Errorf("user %d: description of %d characters, the limit is %d", id, n, inventory.MaxDescriptionLen)
	}
	n, err := s.db.Exec(ctx, `UPDATE users SET description = $1 WHERE id = $2`, description, id)
	return affected(n, err, fmt.Sprintf("user %d", id))
}

// Users implements store.Store.
func (s *Store) Users(ctx context.Context, after int64, limit int) ([]inventory.User, error) {
	users, err := s.queryUsers(ctx, limit, `SELECT `+userColumns+` FROM users WHERE id > $1 ORDER BY id LIMIT $2`, after, limit)
	if err != nil {
		return nil, fmt.Errorf("list users: %w", err)
	}
	return users, nil
}

// queryUsers runs a query of userColumns and reads up to limit rows.
func (s *Store) queryUsers(ctx context.Context, limit int, q string, args ...any) ([]inventory.User, error) {
	rows, err := s.db.Query(ctx, q, args...)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	users := make([]inventory.User, 0, min(limit, 1000))
	for len(users) < limit && rows.Next() {
		u, err := scanUser(rows)
		if err != nil {
			return nil, err
		}
		users = append(users, u)
	}
	return users, rows.Err()
}

// UsersByID implements store.UserLookup.
func (s *Store) UsersByID(ctx context.Context, ids []int64) ([]inventory.User, error) {
	if len(ids) == 0 {
		return []inventory.User{}, nil
	}
	users, err := s.queryUsers(ctx, len(ids), `SELECT `+userColumns+` FROM users WHERE id `+s.d.InInt64s(1)+` ORDER BY id`, s.d.Int64s(ids))
	if err != nil {
		return nil, fmt.Errorf("users by id: %w", err)
	}
	return users, nil
}

// UsersByName implements store.UserLookup. The names are folded to ASCII
// lower case here, so the dialect's NameIn compares them through the same
// index as NameIs.
func (s *Store) UsersByName(ctx context.Context, names []string) ([]inventory.User, error) {
	if len(names) == 0 {
		return []inventory.User{}, nil
	}
	folded := make([]string, len(names))
	for i, n := range names {
		folded[i] = store.FoldASCII(n)
	}
	users, err := s.queryUsers(ctx, len(names), `SELECT `+userColumns+` FROM users WHERE `+s.d.NameIn(1)+` ORDER BY id`, s.d.Texts(folded))
	if err != nil {
		return nil, fmt.Errorf("users by name: %w", err)
	}
	return users, nil
}

// SearchUsers implements store.UserLookup: a keyset walk of the users by
// id, testing each name and display name. A substring match cannot use an
// index, so the walk reads users until the page is full; the page bound
// (100) keeps it short unless the keyword is rare.
func (s *Store) SearchUsers(ctx context.Context, keyword string, sp store.Span) ([]inventory.User, error) {
	pattern := "%" + store.EscapeLike(store.FoldASCII(keyword)) + "%"
	cond, order := spanSQL(sp, "id", 2)
	q, args := s.page(`SELECT `+userColumns+` FROM users WHERE NOT banned AND (`+s.d.Contains("name", 1)+` OR `+
		s.d.Contains("display_name", 1)+`)`+cond+order, sp.Limit, pattern, sp.From)
	users, err := s.queryUsers(ctx, sp.Limit, q, args...)
	if err != nil {
		return nil, fmt.Errorf("search users: %w", err)
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

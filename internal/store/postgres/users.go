package postgres

import (
	"context"
	"fmt"
	"time"

	"github.com/jackc/pgx/v5/pgtype"

	"github.com/invcloud/invcloud/internal/account"
	"github.com/invcloud/invcloud/internal/inventory"
	"github.com/invcloud/invcloud/internal/store"
)

// CreateUser implements store.Store.
func (s *Store) CreateUser(ctx context.Context, u inventory.User) error {
	_, err := s.pool.Exec(ctx, `INSERT INTO users (id, name, display_name, created_at, visibility) VALUES ($1, $2, $3, $4, $5)`,
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
	err := s.pool.QueryRow(ctx, `SELECT name, display_name, created_at, visibility FROM users WHERE id = $1`, id).
		Scan(&u.Name, &u.DisplayName, &created, &vis)
	if err != nil {
		return u, notFound(err, fmt.Sprintf("user %d", id))
	}
	u.Created = fromMillisNotNull(created)
	u.Visibility = inventory.Visibility(vis)
	return u, nil
}

// SetVisibility implements store.Store.
func (s *Store) SetVisibility(ctx context.Context, id int64, v inventory.Visibility) error {
	tag, err := s.pool.Exec(ctx, `UPDATE users SET visibility = $1 WHERE id = $2`, string(v), id)
	return affected(tag, err, fmt.Sprintf("user %d", id))
}

// SetPassword implements store.AccountStore.
func (s *Store) SetPassword(ctx context.Context, userID int64, hash string) error {
	tag, err := s.pool.Exec(ctx, `UPDATE users SET password_hash = $1 WHERE id = $2`, hash, userID)
	return affected(tag, err, fmt.Sprintf("user %d", userID))
}

// Credentials implements store.AccountStore. Names compare ignoring ASCII
// case, through the users_name index.
func (s *Store) Credentials(ctx context.Context, username string) (int64, string, error) {
	var id int64
	var hash pgtype.Text
	err := s.pool.QueryRow(ctx, `SELECT id, password_hash FROM users WHERE lower(name COLLATE "C") = lower($1::text COLLATE "C")`, username).
		Scan(&id, &hash)
	if err != nil {
		return 0, "", notFound(err, fmt.Sprintf("user %q", username))
	}
	return id, hash.String, nil
}

// CreateSession implements store.AccountStore.
func (s *Store) CreateSession(ctx context.Context, ss store.Session) error {
	_, err := s.pool.Exec(ctx, `INSERT INTO sessions (id_hash, user_id, csrf_secret, created_at, expires_at) VALUES ($1, $2, $3, $4, $5)`,
		ss.Hash[:], ss.UserID, ss.CSRFSecret, ss.Created.UnixMilli(), ss.Expires.UnixMilli())
	switch {
	case isForeignKey(err):
		return fmt.Errorf("create session: user %d: %w", ss.UserID, store.ErrNotFound)
	case err != nil:
		return fmt.Errorf("create session: %w", err)
	}
	return nil
}

// Session implements store.AccountStore.
func (s *Store) Session(ctx context.Context, h account.TokenHash, now time.Time) (store.Session, error) {
	ss := store.Session{Hash: h}
	var created, expires int64
	err := s.pool.QueryRow(ctx, `SELECT user_id, csrf_secret, created_at, expires_at FROM sessions WHERE id_hash = $1 AND expires_at > $2`,
		h[:], now.UnixMilli()).Scan(&ss.UserID, &ss.CSRFSecret, &created, &expires)
	if err != nil {
		return ss, notFound(err, "session")
	}
	ss.Created, ss.Expires = fromMillisNotNull(created), fromMillisNotNull(expires)
	return ss, nil
}

// DeleteSession implements store.AccountStore.
func (s *Store) DeleteSession(ctx context.Context, h account.TokenHash) error {
	if _, err := s.pool.Exec(ctx, `DELETE FROM sessions WHERE id_hash = $1`, h[:]); err != nil {
		return fmt.Errorf("delete session: %w", err)
	}
	return nil
}

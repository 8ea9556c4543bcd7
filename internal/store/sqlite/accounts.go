package sqlite

import (
	"context"
	"database/sql"
	"fmt"
	"time"

	"github.com/invcloud/invcloud/internal/account"
	"github.com/invcloud/invcloud/internal/store"
)

// SetPassword implements store.AccountStore.
func (s *Store) SetPassword(ctx context.Context, userID int64, hash string) error {
	res, err := s.db.ExecContext(ctx, `UPDATE users SET password_hash = ? WHERE id = ?`, hash, userID)
	return affected(res, err, fmt.Sprintf("user %d", userID))
}

// Credentials implements store.AccountStore.
func (s *Store) Credentials(ctx context.Context, username string) (int64, string, error) {
	var id int64
	var hash sql.NullString
	err := s.db.QueryRowContext(ctx, `SELECT id, password_hash FROM users WHERE name = ?`, username).Scan(&id, &hash)
	if err != nil {
		return 0, "", notFound(err, fmt.Sprintf("user %q", username))
	}
	return id, hash.String, nil
}

// CreateSession implements store.AccountStore.
func (s *Store) CreateSession(ctx context.Context, ss store.Session) error {
	_, err := s.db.ExecContext(ctx, `INSERT INTO sessions (id_hash, user_id, csrf_secret, created_at, expires_at) VALUES (?, ?, ?, ?, ?)`,
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
	err := s.db.QueryRowContext(ctx, `SELECT user_id, csrf_secret, created_at, expires_at FROM sessions WHERE id_hash = ? AND expires_at > ?`,
		h[:], now.UnixMilli()).Scan(&ss.UserID, &ss.CSRFSecret, &created, &expires)
	if err != nil {
		return ss, notFound(err, "session")
	}
	ss.Created, ss.Expires = time.UnixMilli(created).UTC(), time.UnixMilli(expires).UTC()
	return ss, nil
}

// DeleteSession implements store.AccountStore.
func (s *Store) DeleteSession(ctx context.Context, h account.TokenHash) error {
	if _, err := s.db.ExecContext(ctx, `DELETE FROM sessions WHERE id_hash = ?`, h[:]); err != nil {
		return fmt.Errorf("delete session: %w", err)
	}
	return nil
}

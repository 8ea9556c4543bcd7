package sqlstore

import (
	"context"
	"fmt"
	"time"

	"github.com/invcloud/invcloud/internal/account"
	"github.com/invcloud/invcloud/internal/store"
)

// SetPassword implements store.AccountStore.
func (s *Store) SetPassword(ctx context.Context, userID int64, hash string) error {
	n, err := s.db.Exec(ctx, `UPDATE users SET password_hash = $1 WHERE id = $2`, hash, userID)
	return affected(n, err, fmt.Sprintf("user %d", userID))
}

// Credentials implements store.AccountStore. Names compare ignoring ASCII
// case, through an index (Dialect.NameIs).
func (s *Store) Credentials(ctx context.Context, username string) (int64, string, error) {
	var id int64
	var hash *string
	err := s.db.QueryRow(ctx, `SELECT id, password_hash FROM users WHERE `+s.d.NameIs, username).Scan(&id, &hash)
	if err != nil {
		return 0, "", notFound(err, fmt.Sprintf("user %q", username))
	}
	if hash == nil {
		return id, "", nil
	}
	return id, *hash, nil
}

// CreateSession implements store.AccountStore.
func (s *Store) CreateSession(ctx context.Context, ss store.Session) error {
	_, err := s.db.Exec(ctx, `INSERT INTO sessions (id_hash, user_id, csrf_secret, created_at, expires_at) VALUES ($1, $2, $3, $4, $5)`,
		ss.Hash[:], ss.UserID, ss.CSRFSecret, ss.Created.UnixMilli(), ss.Expires.UnixMilli())
	switch {
	case s.d.IsForeignKey(err):
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
	err := s.db.QueryRow(ctx, `SELECT user_id, csrf_secret, created_at, expires_at FROM sessions WHERE id_hash = $1 AND expires_at > $2`,
		h[:], now.UnixMilli()).Scan(&ss.UserID, &ss.CSRFSecret, &created, &expires)
	if err != nil {
		return ss, notFound(err, "session")
	}
	ss.Created, ss.Expires = timeOf(created), timeOf(expires)
	return ss, nil
}

// DeleteSession implements store.AccountStore.
func (s *Store) DeleteSession(ctx context.Context, h account.TokenHash) error {
	if _, err := s.db.Exec(ctx, `DELETE FROM sessions WHERE id_hash = $1`, h[:]); err != nil {
		return fmt.Errorf("delete session: %w", err)
	}
	return nil
}

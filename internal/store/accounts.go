package store

import (
	"context"
	"time"

	"github.com/invcloud/invcloud/internal/account"
)

// Session is a signed-in browser session. Only the hash of its cookie is
// stored.
type Session struct {
	Hash       account.TokenHash
	UserID     int64
	CSRFSecret []byte // per-session key of form CSRF tokens
	Created    time.Time
	Expires    time.Time
}

// AccountStore keeps passwords and sessions.
type AccountStore interface {
	// SetPassword stores a password hash for a user; ErrNotFound if none.
	SetPassword(ctx context.Context, userID int64, hash string) error
	// Credentials finds a user by name (case-insensitively) and returns its
	// id and password hash ("" when none is set); ErrNotFound if none.
	Credentials(ctx context.Context, username string) (userID int64, hash string, err error)

	CreateSession(ctx context.Context, s Session) error
	// Session returns an unexpired session; ErrNotFound otherwise.
	Session(ctx context.Context, h account.TokenHash, now time.Time) (Session, error)
	DeleteSession(ctx context.Context, h account.TokenHash) error
}

package sqlite

import (
	"context"
	"database/sql"
	"fmt"
	"net/netip"
	"strings"
	"time"

	"github.com/invcloud/invcloud/internal/apikey"
	"github.com/invcloud/invcloud/internal/store"
)

const apiKeyColumns = `id, owner_user_id, name, secret_hash, scopes, allow_ips, expires_at, enabled, created_at, last_used_at`

// CreateAPIKey implements store.Store.
func (s *Store) CreateAPIKey(ctx context.Context, k apikey.Key) (int64, error) {
	ips := make([]string, len(k.AllowIPs))
	for i, p := range k.AllowIPs {
		ips[i] = p.String()
	}
	res, err := s.db.ExecContext(ctx, `INSERT INTO api_keys (owner_user_id, name, secret_hash, scopes, allow_ips, expires_at, enabled, created_at)
		VALUES (?, ?, ?, ?, ?, ?, ?, ?)`,
		k.OwnerID, k.Name, k.Hash[:], strings.Join(k.Scopes, " "), strings.Join(ips, " "), millis(k.Expires), k.Enabled, k.Created.UnixMilli())
	switch {
	case isForeignKey(err):
		return 0, fmt.Errorf("create api key: user %d: %w", k.OwnerID, store.ErrNotFound)
	case isUnique(err):
		return 0, fmt.Errorf("create api key: %w", store.ErrExists)
	case err != nil:
		return 0, fmt.Errorf("create api key: %w", err)
	}
	return res.LastInsertId()
}

func scanKey(row interface{ Scan(...any) error }) (apikey.Key, error) {
	var (
		k             apikey.Key
		hash          []byte
		scopes, ips   string
		expires, used sql.NullInt64
		created       int64
	)
	if err := row.Scan(&k.ID, &k.OwnerID, &k.Name, &hash, &scopes, &ips, &expires, &k.Enabled, &created, &used); err != nil {
		return k, err
	}
	copy(k.Hash[:], hash)
	k.Scopes = strings.Fields(scopes)
	for _, f := range strings.Fields(ips) {
		p, err := netip.ParsePrefix(f)
		if err != nil {
			return k, fmt.Errorf("api key %d: stored prefix %q: %w", k.ID, f, err)
		}
		k.AllowIPs = append(k.AllowIPs, p)
	}
	k.Expires, k.LastUsed = fromMillis(expires), fromMillis(used)
	k.Created = time.UnixMilli(created).UTC()
	return k, nil
}

// APIKeyByHash implements store.Store.
func (s *Store) APIKeyByHash(ctx context.Context, h apikey.Hash) (apikey.Key, error) {
	k, err := scanKey(s.stmts.apiKeyByHash.QueryRowContext(ctx, h[:]))
	if err != nil {
		return k, notFound(err, "api key")
	}
	return k, nil
}

// APIKeys implements store.Store.
func (s *Store) APIKeys(ctx context.Context, ownerID int64) ([]apikey.Key, error) {
	rows, err := s.db.QueryContext(ctx, `SELECT `+apiKeyColumns+` FROM api_keys WHERE ?1 = 0 OR owner_user_id = ?1 ORDER BY id`, ownerID)
	if err != nil {
		return nil, fmt.Errorf("list api keys: %w", err)
	}
	defer rows.Close()
	var keys []apikey.Key
	for rows.Next() {
		k, err := scanKey(rows)
		if err != nil {
			return nil, fmt.Errorf("list api keys: %w", err)
		}
		keys = append(keys, k)
	}
	return keys, rows.Err()
}

// SetAPIKeyEnabled implements store.Store.
func (s *Store) SetAPIKeyEnabled(ctx context.Context, id int64, enabled bool) error {
	res, err := s.db.ExecContext(ctx, `UPDATE api_keys SET enabled = ? WHERE id = ?`, enabled, id)
	return affected(res, err, fmt.Sprintf("api key %d", id))
}

// DeleteAPIKey implements store.Store.
func (s *Store) DeleteAPIKey(ctx context.Context, id int64) error {
	res, err := s.db.ExecContext(ctx, `DELETE FROM api_keys WHERE id = ?`, id)
	return affected(res, err, fmt.Sprintf("api key %d", id))
}

// TouchAPIKey implements store.Store.
func (s *Store) TouchAPIKey(ctx context.Context, id int64, at time.Time) error {
	res, err := s.db.ExecContext(ctx, `UPDATE api_keys SET last_used_at = ? WHERE id = ?`, at.UnixMilli(), id)
	return affected(res, err, fmt.Sprintf("api key %d", id))
}

// SetAPIKeyHash implements store.Store.
func (s *Store) SetAPIKeyHash(ctx context.Context, id int64, h apikey.Hash) error {
	res, err := s.db.ExecContext(ctx, `UPDATE api_keys SET secret_hash = ? WHERE id = ?`, h[:], id)
	return affected(res, err, fmt.Sprintf("api key %d", id))
}

package sqlstore

import (
	"context"
	"errors"
	"fmt"
	"net/netip"
	"strings"
	"time"

	"github.com/invcloud/invcloud/internal/apikey"
	"github.com/invcloud/invcloud/internal/store"
)

const apiKeyColumns = `id, owner_user_id, name, secret_hash, scopes, allow_ips, expires_at, enabled, created_at, last_used_at`

// Scopes and allow lists are stored as space-separated text.
func joinIPs(ps []netip.Prefix) string {
	ips := make([]string, len(ps))
	for i, p := range ps {
		ips[i] = p.String()
	}
	return strings.Join(ips, " ")
}

// roomFor locks the owner's row (so concurrent creations count one after
// another) and refuses with ErrFull when owner already has max rows in
// table, whose owner column is owner_user_id.
func (s *Store) roomFor(ctx context.Context, q Querier, table string, owner int64, max int) error {
	if err := mustExist(ctx, q, fmt.Sprintf("user %d", owner), `SELECT 1 FROM users WHERE id = $1`+s.d.RowLock.NoKeyUpdate, owner); err != nil {
		return err
	}
	var n int
	if err := q.QueryRow(ctx, `SELECT count(*) FROM `+table+` WHERE owner_user_id = $1`, owner).Scan(&n); err != nil {
		return fmt.Errorf("count %s of user %d: %w", table, owner, err)
	}
	if n >= max {
		return fmt.Errorf("user %d has %d, the most allowed: %w", owner, n, store.ErrFull)
	}
	return nil
}

// CreateAPIKey implements store.Store.
func (s *Store) CreateAPIKey(ctx context.Context, k apikey.Key) (int64, error) {
	var id int64
	err := s.tx(ctx, func(q Querier) error {
		if err := s.roomFor(ctx, q, "api_keys", k.OwnerID, apikey.MaxPerUser); err != nil {
			return err
		}
		return q.QueryRow(ctx, `INSERT INTO api_keys (owner_user_id, name, secret_hash, scopes, allow_ips, expires_at, enabled, created_at)
		VALUES ($1, $2, $3, $4, $5, $6, $7, $8) RETURNING id`,
			k.OwnerID, k.Name, k.Hash[:], strings.Join(k.Scopes, " "), joinIPs(k.AllowIPs), millis(k.Expires), k.Enabled, k.Created.UnixMilli()).
			Scan(&id)
	})
	switch {
	case errors.Is(err, store.ErrFull), errors.Is(err, store.ErrNotFound):
		return 0, fmt.Errorf("create api key: %w", err)
	case s.d.IsForeignKey(err):
		return 0, fmt.Errorf("create api key: user %d: %w", k.OwnerID, store.ErrNotFound)
	case s.d.IsUnique(err):
		return 0, fmt.Errorf("create api key: %w", store.ErrExists)
	case err != nil:
		return 0, fmt.Errorf("create api key: %w", err)
	}
	return id, nil
}

func scanKey(row Row) (apikey.Key, error) {
	var (
		k             apikey.Key
		hash          []byte
		scopes, ips   string
		expires, used *int64
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
	k.Expires, k.LastUsed, k.Created = timeOrZero(expires), timeOrZero(used), timeOf(created)
	return k, nil
}

// APIKeyByHash implements store.Store.
func (s *Store) APIKeyByHash(ctx context.Context, h apikey.Hash) (apikey.Key, error) {
	k, err := scanKey(s.db.QueryRow(ctx, `SELECT `+apiKeyColumns+` FROM api_keys WHERE secret_hash = $1`, h[:]))
	if err != nil {
		return k, notFound(err, "api key")
	}
	return k, nil
}

// APIKeys implements store.Store.
func (s *Store) APIKeys(ctx context.Context, ownerID int64) ([]apikey.Key, error) {
	rows, err := s.db.Query(ctx, `SELECT `+apiKeyColumns+` FROM api_keys WHERE CAST($1 AS BIGINT) = 0 OR owner_user_id = $1 ORDER BY id`, ownerID)
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
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("list api keys: %w", err)
	}
	return keys, nil
}

// SetAPIKeyEnabled implements store.Store.
func (s *Store) SetAPIKeyEnabled(ctx context.Context, id int64, enabled bool) error {
	n, err := s.db.Exec(ctx, `UPDATE api_keys SET enabled = $1 WHERE id = $2`, enabled, id)
	return affected(n, err, fmt.Sprintf("api key %d", id))
}

// DeleteAPIKey implements store.Store.
func (s *Store) DeleteAPIKey(ctx context.Context, id int64) error {
	n, err := s.db.Exec(ctx, `DELETE FROM api_keys WHERE id = $1`, id)
	return affected(n, err, fmt.Sprintf("api key %d", id))
}

// TouchAPIKey implements store.Store.
func (s *Store) TouchAPIKey(ctx context.Context, id int64, at time.Time) error {
	n, err := s.db.Exec(ctx, `UPDATE api_keys SET last_used_at = $1 WHERE id = $2`, at.UnixMilli(), id)
	return affected(n, err, fmt.Sprintf("api key %d", id))
}

// SetAPIKeyHash implements store.Store.
func (s *Store) SetAPIKeyHash(ctx context.Context, id int64, h apikey.Hash) error {
	n, err := s.db.Exec(ctx, `UPDATE api_keys SET secret_hash = $1 WHERE id = $2`, h[:], id)
	return affected(n, err, fmt.Sprintf("api key %d", id))
}

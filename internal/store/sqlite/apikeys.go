package sqlite

import (
	"database/sql"
	"fmt"
	"net/netip"
	"strings"
	"time"

	"github.com/invcloud/invcloud/internal/apikey"
)

// apiKeyColumns and scanKey serve export.go until the generic copy replaces it.
const apiKeyColumns = `id, owner_user_id, name, secret_hash, scopes, allow_ips, expires_at, enabled, created_at, last_used_at`

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

package postgres

import (
	"context"
	"fmt"
	"maps"
	"net/netip"
	"slices"
	"strconv"
	"strings"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgtype"

	"github.com/invcloud/invcloud/internal/inventory"
	"github.com/invcloud/invcloud/internal/store"
)

// bulkRows is how many rows one INSERT carries: each column travels as one
// binary array parameter, unnested on the server.
const bulkRows = 50_000

// unnestInsert returns INSERT INTO table (cols) SELECT * FROM unnest($1::t1[],
// ...) ON CONFLICT DO NOTHING, for cols given as "name type".
func unnestInsert(table string, cols ...string) string {
	names := make([]string, len(cols))
	params := make([]string, len(cols))
	for i, c := range cols {
		name, typ, _ := strings.Cut(c, " ")
		names[i] = name
		params[i] = "$" + strconv.Itoa(i+1) + "::" + typ + "[]"
	}
	return "INSERT INTO " + table + " (" + strings.Join(names, ", ") + ") SELECT * FROM unnest(" +
		strings.Join(params, ", ") + ") ON CONFLICT DO NOTHING"
}

var (
	insertUsers  = unnestInsert("users", "id bigint", "name text", "display_name text", "created_at bigint", "visibility text")
	insertAssets = unnestInsert("assets", "id bigint", "name text", "asset_type_id integer", "creator_user_id bigint",
		"collectible_item_id text", "serialized boolean", "created_at bigint")
	insertUserAssets = unnestInsert("user_assets", "user_id bigint", "instance_id bigint", "asset_id bigint", "asset_type integer",
		"serial_number bigint", "collectible_instance_id text", "collectible_state integer", "added_at bigint")
	insertAPIKeys = unnestInsert("api_keys", "id bigint", "owner_user_id bigint", "name text", "secret_hash bytea", "scopes text",
		"allow_ips text", "expires_at bigint", "enabled boolean", "created_at bigint", "last_used_at bigint")
	insertSessions = unnestInsert("sessions", "id_hash bytea", "user_id bigint", "csrf_secret bytea", "created_at bigint", "expires_at bigint")
	insertSettings = unnestInsert("settings", "name text", "value bytea")

	insertOAuthApps = unnestInsert("oauth_apps", "client_id text", "secret_hash bytea", "name text", "owner_user_id bigint",
		"redirect_uris text", "scopes text", "public boolean", "created_at bigint")
	insertOAuthAuthorizations = unnestInsert("oauth_authorizations", "id text", "user_id bigint", "client_id text", "scopes text",
		"created_at bigint", "updated_at bigint", "revoked_at bigint")
	insertOAuthRequests = unnestInsert("oauth_requests", "id text", "client_id text", "redirect_uri text", "scopes text",
		"response_type text", "state text", "nonce text", "prompt text", "code_challenge text", "code_challenge_method text",
		"created_at bigint", "expires_at bigint", "user_id bigint", "auth_time bigint", "authorization_id text", "code_hash bytea",
		"code_expires_at bigint")
	insertOAuthSessions      = unnestInsert("oauth_sessions", "id text", "authorization_id text", "scopes text", "created_at bigint", "revoked_at bigint")
	insertOAuthUsedCodes     = unnestInsert("oauth_used_codes", "code_hash bytea", "session_id text", "used_at bigint")
	insertOAuthRefreshTokens = unnestInsert("oauth_refresh_tokens", "hash bytea", "id text", "session_id text", "created_at bigint",
		"expires_at bigint", "used_at bigint")
	insertOAuthAccessTokens = unnestInsert("oauth_access_tokens", "id text", "session_id text", "expires_at bigint")
)

// chunks calls fn for consecutive ranges of at most bulkRows of n rows.
func chunks(n int, fn func(lo, hi int) error) error {
	for lo := 0; lo < n; lo += bulkRows {
		if err := fn(lo, min(n, lo+bulkRows)); err != nil {
			return err
		}
	}
	return nil
}

// Import implements store.Store: every table's rows go in one multi-row
// INSERT ... SELECT FROM unnest(arrays) ON CONFLICT DO NOTHING, all in one
// transaction.
//
// Imported rows carry their own instance and key ids, so Import raises the
// instance-id and api-key-id sequences past them. It first locks the tables
// whose sequence it raises in SHARE ROW EXCLUSIVE mode: that waits for every
// running Grant or CreateAPIKey (ROW EXCLUSIVE) to commit and holds new ones
// until Import commits, so no nextval runs between reading a sequence and
// setting it.
func (s *Store) Import(ctx context.Context, b store.Batch) error {
	byKind := map[inventory.Kind][]store.Ownership{}
	for _, r := range b.Ownerships {
		if !r.Item.Kind.Valid() {
			return fmt.Errorf("import: invalid kind %d", r.Item.Kind)
		}
		if r.Item.ID <= 0 {
			return fmt.Errorf("import: %s of user %d needs an id", r.Item.Kind, r.UserID)
		}
		byKind[r.Item.Kind] = append(byKind[r.Item.Kind], r)
	}
	for _, k := range b.APIKeys {
		if k.ID <= 0 {
			return fmt.Errorf("import: api key %q of user %d needs an id", k.Name, k.OwnerID)
		}
	}
	return pgx.BeginFunc(ctx, s.pool, func(tx pgx.Tx) error {
		assets := byKind[inventory.KindAsset]
		if len(assets) > 0 || b.LastInstanceID > 0 {
			if _, err := tx.Exec(ctx, `LOCK TABLE user_assets IN SHARE ROW EXCLUSIVE MODE`); err != nil {
				return fmt.Errorf("import: %w", err)
			}
		}
		if len(b.APIKeys) > 0 {
			if _, err := tx.Exec(ctx, `LOCK TABLE api_keys IN SHARE ROW EXCLUSIVE MODE`); err != nil {
				return fmt.Errorf("import: %w", err)
			}
		}
		steps := []struct {
			what string
			run  func() error
		}{
			{"users", func() error { return importUsers(ctx, tx, b.Users) }},
			{"assets", func() error { return importAssets(ctx, tx, b.Assets) }},
			{"badges", func() error {
				return importNamed(ctx, tx, "badges", len(b.Badges), func(i int) (int64, string, int64) {
					x := b.Badges[i]
					return x.ID, x.Name, x.UniverseID
				})
			}},
			{"game_passes", func() error {
				return importNamed(ctx, tx, "game_passes", len(b.GamePasses), func(i int) (int64, string, int64) {
					x := b.GamePasses[i]
					return x.ID, x.Name, x.UniverseID
				})
			}},
			{"private_servers", func() error {
				return importNamed(ctx, tx, "private_servers", len(b.PrivateServers), func(i int) (int64, string, int64) {
					x := b.PrivateServers[i]
					return x.ID, x.Name, x.UniverseID
				})
			}},
			{"asset ownerships", func() error { return importUserAssets(ctx, tx, assets) }},
		}
		for _, k := range inventory.Kinds[1:] {
			steps = append(steps, struct {
				what string
				run  func() error
			}{k.String() + " ownerships", func() error { return importOthers(ctx, tx, k, byKind[k]) }})
		}
		steps = append(steps, []struct {
			what string
			run  func() error
		}{
			{"counters", func() error { return raiseCounters(ctx, tx, b, assets) }},
			{"api keys", func() error { return importAPIKeys(ctx, tx, b) }},
			{"passwords", func() error { return importPasswords(ctx, tx, b.Passwords) }},
			{"sessions", func() error { return importSessions(ctx, tx, b.Sessions) }},
			{"oauth", func() error { return importOAuth(ctx, tx, b) }},
			{"legacy", func() error { return importLegacy(ctx, tx, b.LegacyBatch) }},
			{"secrets", func() error { return importSecrets(ctx, tx, b.Secrets) }},
		}...)
		for _, st := range steps {
			if err := st.run(); err != nil {
				return fmt.Errorf("import %s: %w", st.what, err)
			}
		}
		return nil
	})
}

func importUsers(ctx context.Context, tx pgx.Tx, us []inventory.User) error {
	return chunks(len(us), func(lo, hi int) error {
		n := hi - lo
		ids, created := make([]int64, n), make([]int64, n)
		names, display, vis := make([]string, n), make([]string, n), make([]string, n)
		for i, u := range us[lo:hi] {
			ids[i], names[i], display[i], created[i], vis[i] = u.ID, u.Name, u.DisplayName, u.Created.UnixMilli(), string(u.Visibility)
		}
		_, err := tx.Exec(ctx, insertUsers, ids, names, display, created, vis)
		return err
	})
}

func importAssets(ctx context.Context, tx pgx.Tx, as []inventory.Asset) error {
	return chunks(len(as), func(lo, hi int) error {
		n := hi - lo
		ids, creators, created := make([]int64, n), make([]int64, n), make([]int64, n)
		names, items := make([]string, n), make([]pgtype.Text, n)
		types, serialized := make([]int32, n), make([]bool, n)
		for i, a := range as[lo:hi] {
			ids[i], names[i], types[i], creators[i], serialized[i], created[i] = a.ID, a.Name, int32(a.LegacyType), a.CreatorID, a.Serialized, a.Created.UnixMilli()
			if a.Collectible {
				items[i] = pgtype.Text{String: a.CollectibleItemID, Valid: true}
			}
		}
		_, err := tx.Exec(ctx, insertAssets, ids, names, types, creators, items, serialized, created)
		return err
	})
}

func importNamed(ctx context.Context, tx pgx.Tx, table string, count int, at func(i int) (int64, string, int64)) error {
	q := unnestInsert(table, "id bigint", "name text", "universe_id bigint")
	return chunks(count, func(lo, hi int) error {
		n := hi - lo
		ids, names, universes := make([]int64, n), make([]string, n), make([]int64, n)
		for i := range n {
			ids[i], names[i], universes[i] = at(lo + i)
		}
		_, err := tx.Exec(ctx, q, ids, names, universes)
		return err
	})
}

func importUserAssets(ctx context.Context, tx pgx.Tx, rows []store.Ownership) error {
	return chunks(len(rows), func(lo, hi int) error {
		n := hi - lo
		users, instances, assets := make([]int64, n), make([]int64, n), make([]int64, n)
		types := make([]int32, n)
		serials, states, added := make([]pgtype.Int8, n), make([]pgtype.Int4, n), make([]pgtype.Int8, n)
		collInstances := make([]pgtype.Text, n)
		for i, r := range rows[lo:hi] {
			it := r.Item
			users[i], instances[i], assets[i], types[i], added[i] = r.UserID, it.ID, it.AssetID, int32(it.AssetType), millis(it.AddTime)
			if c := it.Collectible; c != nil {
				collInstances[i] = pgtype.Text{String: c.InstanceID, Valid: true}
				states[i] = pgtype.Int4{Int32: int32(c.State), Valid: true}
				if c.SerialNumber > 0 {
					serials[i] = pgtype.Int8{Int64: c.SerialNumber, Valid: true}
				}
			}
		}
		_, err := tx.Exec(ctx, insertUserAssets, users, instances, assets, types, serials, collInstances, states, added)
		return err
	})
}

func importOthers(ctx context.Context, tx pgx.Tx, k inventory.Kind, rows []store.Ownership) error {
	t := otherTables[k]
	q := unnestInsert(t[0], "user_id bigint", t[1]+" bigint", "added_at bigint")
	return chunks(len(rows), func(lo, hi int) error {
		n := hi - lo
		users, ids, added := make([]int64, n), make([]int64, n), make([]pgtype.Int8, n)
		for i, r := range rows[lo:hi] {
			users[i], ids[i], added[i] = r.UserID, r.Item.ID, millis(r.Item.AddTime)
		}
		_, err := tx.Exec(ctx, q, users, ids, added)
		return err
	})
}

// raiseCounters raises the instance-id sequence and the assets' serial
// counters to the batch's rows and counters (never lowering them), so that
// Grant never hands out an imported id or serial again. The caller holds
// user_assets in SHARE ROW EXCLUSIVE mode when the batch has asset rows or
// an instance counter.
func raiseCounters(ctx context.Context, tx pgx.Tx, b store.Batch, assets []store.Ownership) error {
	last := b.LastInstanceID
	serials := maps.Clone(b.LastSerials)
	if serials == nil {
		serials = map[int64]int64{}
	}
	for _, r := range assets {
		last = max(last, r.Item.ID)
		if c := r.Item.Collectible; c != nil && c.SerialNumber > serials[r.Item.AssetID] {
			serials[r.Item.AssetID] = c.SerialNumber
		}
	}
	if last > 0 {
		// The last value handed out is last_value once nextval has run, and
		// none (0) before: setval only ever moves it up.
		_, err := tx.Exec(ctx, `SELECT setval('user_assets_instance_id_seq', $1::bigint)
			FROM user_assets_instance_id_seq WHERE $1::bigint > CASE WHEN is_called THEN last_value ELSE 0 END`, last)
		if err != nil {
			return err
		}
	}
	if len(serials) > 0 {
		ids := slices.Sorted(maps.Keys(serials))
		ns := make([]int64, len(ids))
		for i, id := range ids {
			ns[i] = serials[id]
		}
		_, err := tx.Exec(ctx, `UPDATE assets a SET last_serial = s.n
			FROM unnest($1::bigint[], $2::bigint[]) AS s(id, n) WHERE a.id = s.id AND a.last_serial < s.n`, ids, ns)
		if err != nil {
			return err
		}
	}
	return nil
}

func importAPIKeys(ctx context.Context, tx pgx.Tx, b store.Batch) error {
	keys := b.APIKeys
	if len(keys) == 0 {
		return nil
	}
	err := chunks(len(keys), func(lo, hi int) error {
		n := hi - lo
		ids, owners, created := make([]int64, n), make([]int64, n), make([]int64, n)
		names, scopes, ips := make([]string, n), make([]string, n), make([]string, n)
		hashes := make([][]byte, n)
		expires, used := make([]pgtype.Int8, n), make([]pgtype.Int8, n)
		enabled := make([]bool, n)
		for i, k := range keys[lo:hi] {
			ids[i], owners[i], names[i], hashes[i] = k.ID, k.OwnerID, k.Name, k.Hash[:]
			scopes[i], ips[i] = strings.Join(k.Scopes, " "), joinIPs(k.AllowIPs)
			expires[i], enabled[i], created[i], used[i] = millis(k.Expires), k.Enabled, k.Created.UnixMilli(), millis(k.LastUsed)
		}
		_, err := tx.Exec(ctx, insertAPIKeys, ids, owners, names, hashes, scopes, ips, expires, enabled, created, used)
		return err
	})
	if err != nil {
		return err
	}
	// New keys get ids past the imported ones (api_keys is locked).
	_, err = tx.Exec(ctx, `SELECT setval('api_keys_id_seq', m)
		FROM (SELECT max(id) AS m FROM api_keys) x, api_keys_id_seq s
		WHERE x.m > CASE WHEN s.is_called THEN s.last_value ELSE 0 END`)
	return err
}

func importPasswords(ctx context.Context, tx pgx.Tx, pw map[int64]string) error {
	if len(pw) == 0 {
		return nil
	}
	ids := slices.Sorted(maps.Keys(pw))
	return chunks(len(ids), func(lo, hi int) error {
		hashes := make([]string, hi-lo)
		for i, id := range ids[lo:hi] {
			hashes[i] = pw[id]
		}
		_, err := tx.Exec(ctx, `UPDATE users u SET password_hash = p.hash
			FROM unnest($1::bigint[], $2::text[]) AS p(id, hash) WHERE u.id = p.id AND u.password_hash IS NULL`, ids[lo:hi], hashes)
		return err
	})
}

func importSessions(ctx context.Context, tx pgx.Tx, ss []store.Session) error {
	return chunks(len(ss), func(lo, hi int) error {
		n := hi - lo
		hashes, csrf := make([][]byte, n), make([][]byte, n)
		users, created, expires := make([]int64, n), make([]int64, n), make([]int64, n)
		for i, s := range ss[lo:hi] {
			hashes[i], users[i], csrf[i], created[i], expires[i] = s.Hash[:], s.UserID, nonNil(s.CSRFSecret), s.Created.UnixMilli(), s.Expires.UnixMilli()
		}
		_, err := tx.Exec(ctx, insertSessions, hashes, users, csrf, created, expires)
		return err
	})
}

func importSecrets(ctx context.Context, tx pgx.Tx, secrets map[string][]byte) error {
	if len(secrets) == 0 {
		return nil
	}
	names := slices.Sorted(maps.Keys(secrets))
	values := make([][]byte, len(names))
	for i, n := range names {
		values[i] = nonNil(secrets[n])
	}
	_, err := tx.Exec(ctx, insertSettings, names, values)
	return err
}

// joinIPs is an allow list as stored: space-separated prefixes.
func joinIPs(ps []netip.Prefix) string {
	ips := make([]string, len(ps))
	for i, p := range ps {
		ips[i] = p.String()
	}
	return strings.Join(ips, " ")
}

// column collects the values of one column of a table's rows.
func column[T, V any](rows []T, f func(T) V) []V {
	out := make([]V, len(rows))
	for i, r := range rows {
		out[i] = f(r)
	}
	return out
}

func text(s string) pgtype.Text { return pgtype.Text{String: s, Valid: s != ""} }

func int8OrNull(n int64) pgtype.Int8 { return pgtype.Int8{Int64: n, Valid: n != 0} }

// importOAuth writes the OAuth rows of a batch, parents first, skipping rows
// already present. The tables are small: one INSERT each.
func importOAuth(ctx context.Context, tx pgx.Tx, b store.Batch) error {
	type insert struct {
		q    string
		n    int
		args func() []any
	}
	apps, auths, reqs, sess := b.OAuthApps, b.OAuthAuthorizations, b.OAuthRequests, b.OAuthSessions
	used, refresh, access := b.OAuthUsedCodes, b.OAuthRefreshTokens, b.OAuthAccessTokens
	for _, in := range []insert{
		{insertOAuthApps, len(apps), func() []any {
			return []any{
				column(apps, func(a store.OAuthApp) string { return a.ClientID }),
				column(apps, func(a store.OAuthApp) []byte { return hashOrNil(a.SecretHash) }),
				column(apps, func(a store.OAuthApp) string { return a.Name }),
				column(apps, func(a store.OAuthApp) int64 { return a.OwnerID }),
				column(apps, func(a store.OAuthApp) string { return joinLines(a.RedirectURIs) }),
				column(apps, func(a store.OAuthApp) string { return strings.Join(a.Scopes, " ") }),
				column(apps, func(a store.OAuthApp) bool { return a.Public }),
				column(apps, func(a store.OAuthApp) int64 { return a.Created.UnixMilli() }),
			}
		}},
		{insertOAuthAuthorizations, len(auths), func() []any {
			return []any{
				column(auths, func(a store.OAuthAuthorization) string { return a.ID }),
				column(auths, func(a store.OAuthAuthorization) int64 { return a.UserID }),
				column(auths, func(a store.OAuthAuthorization) string { return a.ClientID }),
				column(auths, func(a store.OAuthAuthorization) string { return strings.Join(a.Scopes, " ") }),
				column(auths, func(a store.OAuthAuthorization) int64 { return a.Created.UnixMilli() }),
				column(auths, func(a store.OAuthAuthorization) int64 { return a.Updated.UnixMilli() }),
				column(auths, func(a store.OAuthAuthorization) pgtype.Int8 { return millis(a.Revoked) }),
			}
		}},
		{insertOAuthRequests, len(reqs), func() []any {
			return []any{
				column(reqs, func(r store.OAuthRequestRow) string { return r.ID }),
				column(reqs, func(r store.OAuthRequestRow) string { return r.ClientID }),
				column(reqs, func(r store.OAuthRequestRow) string { return r.RedirectURI }),
				column(reqs, func(r store.OAuthRequestRow) string { return strings.Join(r.Scopes, " ") }),
				column(reqs, func(r store.OAuthRequestRow) string { return r.ResponseType }),
				column(reqs, func(r store.OAuthRequestRow) string { return r.State }),
				column(reqs, func(r store.OAuthRequestRow) string { return r.Nonce }),
				column(reqs, func(r store.OAuthRequestRow) string { return strings.Join(r.Prompt, " ") }),
				column(reqs, func(r store.OAuthRequestRow) string { return r.CodeChallenge }),
				column(reqs, func(r store.OAuthRequestRow) string { return r.CodeChallengeMethod }),
				column(reqs, func(r store.OAuthRequestRow) int64 { return r.Created.UnixMilli() }),
				column(reqs, func(r store.OAuthRequestRow) int64 { return r.Expires.UnixMilli() }),
				column(reqs, func(r store.OAuthRequestRow) pgtype.Int8 { return int8OrNull(r.UserID) }),
				column(reqs, func(r store.OAuthRequestRow) pgtype.Int8 { return millis(r.AuthTime) }),
				column(reqs, func(r store.OAuthRequestRow) pgtype.Text { return text(r.AuthorizationID) }),
				column(reqs, func(r store.OAuthRequestRow) []byte { return hashOrNil(r.Code) }),
				column(reqs, func(r store.OAuthRequestRow) pgtype.Int8 { return millis(r.CodeExpires) }),
			}
		}},
		{insertOAuthSessions, len(sess), func() []any {
			return []any{
				column(sess, func(s store.OAuthSession) string { return s.ID }),
				column(sess, func(s store.OAuthSession) string { return s.AuthorizationID }),
				column(sess, func(s store.OAuthSession) string { return strings.Join(s.Scopes, " ") }),
				column(sess, func(s store.OAuthSession) int64 { return s.Created.UnixMilli() }),
				column(sess, func(s store.OAuthSession) pgtype.Int8 { return millis(s.Revoked) }),
			}
		}},
		{insertOAuthUsedCodes, len(used), func() []any {
			return []any{
				column(used, func(c store.OAuthUsedCode) []byte { return c.Hash[:] }),
				column(used, func(c store.OAuthUsedCode) string { return c.SessionID }),
				column(used, func(c store.OAuthUsedCode) int64 { return c.Used.UnixMilli() }),
			}
		}},
		{insertOAuthRefreshTokens, len(refresh), func() []any {
			return []any{
				column(refresh, func(t store.OAuthRefreshToken) []byte { return t.Hash[:] }),
				column(refresh, func(t store.OAuthRefreshToken) string { return t.ID }),
				column(refresh, func(t store.OAuthRefreshToken) string { return t.SessionID }),
				column(refresh, func(t store.OAuthRefreshToken) int64 { return t.Created.UnixMilli() }),
				column(refresh, func(t store.OAuthRefreshToken) int64 { return t.Expires.UnixMilli() }),
				column(refresh, func(t store.OAuthRefreshToken) pgtype.Int8 { return millis(t.Used) }),
			}
		}},
		{insertOAuthAccessTokens, len(access), func() []any {
			return []any{
				column(access, func(t store.OAuthAccessToken) string { return t.ID }),
				column(access, func(t store.OAuthAccessToken) string { return t.SessionID }),
				column(access, func(t store.OAuthAccessToken) int64 { return t.Expires.UnixMilli() }),
			}
		}},
	} {
		if in.n == 0 {
			continue
		}
		if _, err := tx.Exec(ctx, in.q, in.args()...); err != nil {
			return err
		}
	}
	return nil
}

package sqlite

import (
	"context"
	"database/sql"
	"fmt"
	"maps"
	"slices"
	"strings"

	"github.com/invcloud/invcloud/internal/apikey"
	"github.com/invcloud/invcloud/internal/inventory"
	"github.com/invcloud/invcloud/internal/store"
)

// exportRows is the most rows of one table an exported batch carries.
const exportRows = 50_000

// exportTable streams the rows of q, scanned by scan, to emit in slices of
// at most exportRows.
func exportTable[T any](ctx context.Context, tx *sql.Tx, q string, scan func(*sql.Rows) (T, error), emit func([]T) error) error {
	rows, err := tx.QueryContext(ctx, q)
	if err != nil {
		return err
	}
	defer rows.Close()
	var batch []T
	for rows.Next() {
		v, err := scan(rows)
		if err != nil {
			return err
		}
		if batch == nil {
			batch = make([]T, 0, 1024)
		}
		batch = append(batch, v)
		if len(batch) == exportRows {
			if err := emit(batch); err != nil {
				return err
			}
			batch = nil
		}
	}
	if err := rows.Err(); err != nil {
		return err
	}
	if len(batch) > 0 {
		return emit(batch)
	}
	return nil
}

// Export implements store.Store, reading one snapshot (a read transaction).
func (s *Store) Export(ctx context.Context, fn func(b store.Batch) error) error {
	tx, err := s.db.BeginTx(ctx, &sql.TxOptions{ReadOnly: true})
	if err != nil {
		return fmt.Errorf("export: begin: %w", err)
	}
	defer tx.Rollback()
	steps := []struct {
		what string
		run  func() error
	}{
		{"users", func() error {
			return exportTable(ctx, tx, `SELECT id, name, display_name, created_at, visibility FROM users ORDER BY id`,
				func(r *sql.Rows) (inventory.User, error) {
					var u inventory.User
					var created int64
					var vis string
					err := r.Scan(&u.ID, &u.Name, &u.DisplayName, &created, &vis)
					u.Created, u.Visibility = fromMillis(sql.NullInt64{Int64: created, Valid: true}), inventory.Visibility(vis)
					return u, err
				},
				func(v []inventory.User) error { return fn(store.Batch{Users: v}) })
		}},
		{"assets", func() error {
			return exportTable(ctx, tx, `SELECT id, name, asset_type_id, creator_user_id, collectible_item_id, serialized, created_at FROM assets ORDER BY id`,
				func(r *sql.Rows) (inventory.Asset, error) {
					var a inventory.Asset
					var item sql.NullString
					var created int64
					err := r.Scan(&a.ID, &a.Name, &a.LegacyType, &a.CreatorID, &item, &a.Serialized, &created)
					a.Collectible, a.CollectibleItemID = item.Valid, item.String
					a.Created = fromMillis(sql.NullInt64{Int64: created, Valid: true})
					return a, err
				},
				func(v []inventory.Asset) error { return fn(store.Batch{Assets: v}) })
		}},
		{"badges", func() error {
			return exportTable(ctx, tx, `SELECT id, name, universe_id FROM badges ORDER BY id`,
				func(r *sql.Rows) (x inventory.Badge, err error) {
					err = r.Scan(&x.ID, &x.Name, &x.UniverseID)
					return x, err
				},
				func(v []inventory.Badge) error { return fn(store.Batch{Badges: v}) })
		}},
		{"game passes", func() error {
			return exportTable(ctx, tx, `SELECT id, name, universe_id FROM game_passes ORDER BY id`,
				func(r *sql.Rows) (x inventory.GamePass, err error) {
					err = r.Scan(&x.ID, &x.Name, &x.UniverseID)
					return x, err
				},
				func(v []inventory.GamePass) error { return fn(store.Batch{GamePasses: v}) })
		}},
		{"private servers", func() error {
			return exportTable(ctx, tx, `SELECT id, name, universe_id FROM private_servers ORDER BY id`,
				func(r *sql.Rows) (x inventory.PrivateServer, err error) {
					err = r.Scan(&x.ID, &x.Name, &x.UniverseID)
					return x, err
				},
				func(v []inventory.PrivateServer) error { return fn(store.Batch{PrivateServers: v}) })
		}},
		{"asset ownerships", func() error {
			return exportTable(ctx, tx, `SELECT ua.user_id, `+assetColumns+`
				FROM user_assets ua JOIN assets a ON a.id = ua.asset_id ORDER BY ua.user_id, ua.instance_id`,
				func(r *sql.Rows) (store.Ownership, error) {
					o := store.Ownership{Item: inventory.Item{Kind: inventory.KindAsset}}
					var (
						assetType              int64
						serial, state, add     sql.NullInt64
						collInstance, collItem sql.NullString
					)
					err := r.Scan(&o.UserID, &o.Item.ID, &o.Item.AssetID, &assetType, &serial, &collInstance, &state, &add, &collItem)
					o.Item.AssetType, o.Item.AddTime = inventory.AssetType(assetType), fromMillis(add)
					if collInstance.Valid {
						o.Item.Collectible = &inventory.Collectible{ItemID: collItem.String, InstanceID: collInstance.String,
							State: inventory.CollectibleState(state.Int64), SerialNumber: serial.Int64}
					}
					return o, err
				},
				func(v []store.Ownership) error { return fn(store.Batch{Ownerships: v}) })
		}},
	}
	for _, k := range inventory.Kinds[1:] {
		t := otherTables[k]
		steps = append(steps, struct {
			what string
			run  func() error
		}{k.String() + " ownerships", func() error {
			return exportTable(ctx, tx, fmt.Sprintf(`SELECT user_id, %[2]s, added_at FROM %[1]s ORDER BY user_id, %[2]s`, t[0], t[1]),
				func(r *sql.Rows) (store.Ownership, error) {
					o := store.Ownership{Item: inventory.Item{Kind: k}}
					var add sql.NullInt64
					err := r.Scan(&o.UserID, &o.Item.ID, &add)
					o.Item.AddTime = fromMillis(add)
					return o, err
				},
				func(v []store.Ownership) error { return fn(store.Batch{Ownerships: v}) })
		}})
	}
	steps = append(steps, []struct {
		what string
		run  func() error
	}{
		{"counters", func() error {
			b := store.Batch{LastSerials: map[int64]int64{}}
			if err := tx.QueryRowContext(ctx, `SELECT value FROM sequences WHERE name = 'user_asset_instance'`).Scan(&b.LastInstanceID); err != nil {
				return err
			}
			rows, err := tx.QueryContext(ctx, `SELECT id, last_serial FROM assets WHERE last_serial > 0 ORDER BY id`)
			if err != nil {
				return err
			}
			defer rows.Close()
			for rows.Next() {
				var id, n int64
				if err := rows.Scan(&id, &n); err != nil {
					return err
				}
				b.LastSerials[id] = n
			}
			if err := rows.Err(); err != nil {
				return err
			}
			return fn(b)
		}},
		{"api keys", func() error {
			return exportTable(ctx, tx, `SELECT `+apiKeyColumns+` FROM api_keys ORDER BY id`,
				func(r *sql.Rows) (apikey.Key, error) { return scanKey(r) },
				func(v []apikey.Key) error { return fn(store.Batch{APIKeys: v}) })
		}},
		{"passwords", func() error {
			type pw struct {
				id   int64
				hash string
			}
			return exportTable(ctx, tx, `SELECT id, password_hash FROM users WHERE password_hash IS NOT NULL ORDER BY id`,
				func(r *sql.Rows) (p pw, err error) { err = r.Scan(&p.id, &p.hash); return p, err },
				func(v []pw) error {
					m := make(map[int64]string, len(v))
					for _, p := range v {
						m[p.id] = p.hash
					}
					return fn(store.Batch{Passwords: m})
				})
		}},
		{"sessions", func() error {
			return exportTable(ctx, tx, `SELECT id_hash, user_id, csrf_secret, created_at, expires_at FROM sessions ORDER BY id_hash`,
				func(r *sql.Rows) (store.Session, error) {
					var ss store.Session
					var h []byte
					var created, expires int64
					if err := r.Scan(&h, &ss.UserID, &ss.CSRFSecret, &created, &expires); err != nil {
						return ss, err
					}
					if len(h) != len(ss.Hash) {
						return ss, fmt.Errorf("session hash of %d bytes", len(h))
					}
					copy(ss.Hash[:], h)
					ss.Created = fromMillis(sql.NullInt64{Int64: created, Valid: true})
					ss.Expires = fromMillis(sql.NullInt64{Int64: expires, Valid: true})
					return ss, nil
				},
				func(v []store.Session) error { return fn(store.Batch{Sessions: v}) })
		}},
	}...)
	steps = append(steps, s.exportOAuth(ctx, tx, fn)...)
	steps = append(steps, []struct {
		what string
		run  func() error
	}{
		{"settings", func() error {
			type kv struct {
				name  string
				value []byte
			}
			return exportTable(ctx, tx, `SELECT name, value FROM settings ORDER BY name`,
				func(r *sql.Rows) (x kv, err error) { err = r.Scan(&x.name, &x.value); return x, err },
				func(v []kv) error {
					m := make(map[string][]byte, len(v))
					for _, x := range v {
						m[x.name] = x.value
					}
					return fn(store.Batch{Secrets: m})
				})
		}},
	}...)
	steps = append(steps, legacyExportSteps(ctx, tx, fn)...)
	for _, st := range steps {
		if err := st.run(); err != nil {
			return fmt.Errorf("export %s: %w", st.what, err)
		}
	}
	return nil
}

type exportStep = struct {
	what string
	run  func() error
}

func (s *Store) exportOAuth(ctx context.Context, tx *sql.Tx, fn func(store.Batch) error) []exportStep {
	hash := func(b []byte) (h store.OAuthHash, err error) {
		if b == nil {
			return h, nil
		}
		if len(b) != len(h) {
			return h, fmt.Errorf("hash of %d bytes", len(b))
		}
		copy(h[:], b)
		return h, nil
	}
	return []exportStep{
		{"oauth apps", func() error {
			return exportTable(ctx, tx, `SELECT `+oauthAppColumns+` FROM oauth_apps ORDER BY client_id`,
				func(r *sql.Rows) (store.OAuthApp, error) { return scanOAuthApp(r) },
				func(v []store.OAuthApp) error { return fn(store.Batch{OAuthApps: v}) })
		}},
		{"oauth authorizations", func() error {
			return exportTable(ctx, tx, `SELECT `+oauthAuthorizationColumns+` FROM oauth_authorizations ORDER BY id`,
				func(r *sql.Rows) (store.OAuthAuthorization, error) { return scanOAuthAuthorization(r) },
				func(v []store.OAuthAuthorization) error { return fn(store.Batch{OAuthAuthorizations: v}) })
		}},
		{"oauth requests", func() error {
			return exportTable(ctx, tx, `SELECT `+oauthRequestColumns+`, code_hash FROM oauth_requests ORDER BY id`,
				func(r *sql.Rows) (store.OAuthRequestRow, error) {
					var row store.OAuthRequestRow
					var code []byte
					var err error
					row.OAuthRequest, err = scanOAuthRequest(scanTail{r, &code})
					if err != nil {
						return row, err
					}
					row.Code, err = hash(code)
					return row, err
				},
				func(v []store.OAuthRequestRow) error { return fn(store.Batch{OAuthRequests: v}) })
		}},
		{"oauth sessions", func() error {
			return exportTable(ctx, tx, `SELECT id, authorization_id, scopes, created_at, revoked_at FROM oauth_sessions ORDER BY id`,
				func(r *sql.Rows) (store.OAuthSession, error) {
					var ss store.OAuthSession
					var scps string
					var created int64
					var revoked sql.NullInt64
					err := r.Scan(&ss.ID, &ss.AuthorizationID, &scps, &created, &revoked)
					ss.Scopes = strings.Fields(scps)
					ss.Created, ss.Revoked = fromMillis(sql.NullInt64{Int64: created, Valid: true}), fromMillis(revoked)
					return ss, err
				},
				func(v []store.OAuthSession) error { return fn(store.Batch{OAuthSessions: v}) })
		}},
		{"oauth used codes", func() error {
			return exportTable(ctx, tx, `SELECT code_hash, session_id, used_at FROM oauth_used_codes ORDER BY code_hash`,
				func(r *sql.Rows) (store.OAuthUsedCode, error) {
					var c store.OAuthUsedCode
					var h []byte
					var used int64
					if err := r.Scan(&h, &c.SessionID, &used); err != nil {
						return c, err
					}
					c.Used = fromMillis(sql.NullInt64{Int64: used, Valid: true})
					var err error
					c.Hash, err = hash(h)
					return c, err
				},
				func(v []store.OAuthUsedCode) error { return fn(store.Batch{OAuthUsedCodes: v}) })
		}},
		{"oauth refresh tokens", func() error {
			return exportTable(ctx, tx, `SELECT hash, id, session_id, created_at, expires_at, used_at FROM oauth_refresh_tokens ORDER BY hash`,
				func(r *sql.Rows) (store.OAuthRefreshToken, error) {
					var t store.OAuthRefreshToken
					var h []byte
					var created, expires int64
					var used sql.NullInt64
					if err := r.Scan(&h, &t.ID, &t.SessionID, &created, &expires, &used); err != nil {
						return t, err
					}
					t.Created = fromMillis(sql.NullInt64{Int64: created, Valid: true})
					t.Expires = fromMillis(sql.NullInt64{Int64: expires, Valid: true})
					t.Used = fromMillis(used)
					var err error
					t.Hash, err = hash(h)
					return t, err
				},
				func(v []store.OAuthRefreshToken) error { return fn(store.Batch{OAuthRefreshTokens: v}) })
		}},
		{"oauth access tokens", func() error {
			return exportTable(ctx, tx, `SELECT id, session_id, expires_at FROM oauth_access_tokens ORDER BY id`,
				func(r *sql.Rows) (store.OAuthAccessToken, error) {
					var t store.OAuthAccessToken
					var expires int64
					err := r.Scan(&t.ID, &t.SessionID, &expires)
					t.Expires = fromMillis(sql.NullInt64{Int64: expires, Valid: true})
					return t, err
				},
				func(v []store.OAuthAccessToken) error { return fn(store.Batch{OAuthAccessTokens: v}) })
		}},
	}
}

// scanTail scans a row with extra trailing columns into tail.
type scanTail struct {
	r    *sql.Rows
	tail *[]byte
}

func (s scanTail) Scan(dest ...any) error { return s.r.Scan(append(dest, s.tail)...) }

func nullString(s string) sql.NullString { return sql.NullString{String: s, Valid: s != ""} }

func nullInt(n int64) sql.NullInt64 { return sql.NullInt64{Int64: n, Valid: n != 0} }

// importOAuth writes the OAuth rows of a batch, skipping those present.
func importOAuth(ctx context.Context, tx *sql.Tx, b store.Batch) error {
	err := newInserter(ctx, tx, "oauth_apps", "client_id", "secret_hash", "name", "owner_user_id", "redirect_uris", "scopes", "public", "created_at").
		insert(len(b.OAuthApps), func(i int, a []any) []any {
			x := b.OAuthApps[i]
			return append(a, x.ClientID, hashOrNil(x.SecretHash), x.Name, x.OwnerID, joinLines(x.RedirectURIs), strings.Join(x.Scopes, " "), x.Public, x.Created.UnixMilli())
		})
	if err != nil {
		return fmt.Errorf("import oauth apps: %w", err)
	}
	err = newInserter(ctx, tx, "oauth_authorizations", "id", "user_id", "client_id", "scopes", "created_at", "updated_at", "revoked_at").
		insert(len(b.OAuthAuthorizations), func(i int, a []any) []any {
			x := b.OAuthAuthorizations[i]
			return append(a, x.ID, x.UserID, x.ClientID, strings.Join(x.Scopes, " "), x.Created.UnixMilli(), x.Updated.UnixMilli(), millis(x.Revoked))
		})
	if err != nil {
		return fmt.Errorf("import oauth authorizations: %w", err)
	}
	err = newInserter(ctx, tx, "oauth_requests", "id", "client_id", "redirect_uri", "scopes", "response_type", "state", "nonce", "prompt",
		"code_challenge", "code_challenge_method", "created_at", "expires_at", "user_id", "auth_time", "authorization_id", "code_hash", "code_expires_at").
		insert(len(b.OAuthRequests), func(i int, a []any) []any {
			x := b.OAuthRequests[i]
			return append(a, x.ID, x.ClientID, x.RedirectURI, strings.Join(x.Scopes, " "), x.ResponseType, x.State, x.Nonce, strings.Join(x.Prompt, " "),
				x.CodeChallenge, x.CodeChallengeMethod, x.Created.UnixMilli(), x.Expires.UnixMilli(), nullInt(x.UserID), millis(x.AuthTime),
				nullString(x.AuthorizationID), hashOrNil(x.Code), millis(x.CodeExpires))
		})
	if err != nil {
		return fmt.Errorf("import oauth requests: %w", err)
	}
	err = newInserter(ctx, tx, "oauth_sessions", "id", "authorization_id", "scopes", "created_at", "revoked_at").
		insert(len(b.OAuthSessions), func(i int, a []any) []any {
			x := b.OAuthSessions[i]
			return append(a, x.ID, x.AuthorizationID, strings.Join(x.Scopes, " "), x.Created.UnixMilli(), millis(x.Revoked))
		})
	if err != nil {
		return fmt.Errorf("import oauth sessions: %w", err)
	}
	err = newInserter(ctx, tx, "oauth_used_codes", "code_hash", "session_id", "used_at").
		insert(len(b.OAuthUsedCodes), func(i int, a []any) []any {
			x := b.OAuthUsedCodes[i]
			return append(a, x.Hash[:], x.SessionID, x.Used.UnixMilli())
		})
	if err != nil {
		return fmt.Errorf("import oauth used codes: %w", err)
	}
	err = newInserter(ctx, tx, "oauth_refresh_tokens", "hash", "id", "session_id", "created_at", "expires_at", "used_at").
		insert(len(b.OAuthRefreshTokens), func(i int, a []any) []any {
			x := b.OAuthRefreshTokens[i]
			return append(a, x.Hash[:], x.ID, x.SessionID, x.Created.UnixMilli(), x.Expires.UnixMilli(), millis(x.Used))
		})
	if err != nil {
		return fmt.Errorf("import oauth refresh tokens: %w", err)
	}
	err = newInserter(ctx, tx, "oauth_access_tokens", "id", "session_id", "expires_at").
		insert(len(b.OAuthAccessTokens), func(i int, a []any) []any {
			x := b.OAuthAccessTokens[i]
			return append(a, x.ID, x.SessionID, x.Expires.UnixMilli())
		})
	if err != nil {
		return fmt.Errorf("import oauth access tokens: %w", err)
	}
	return nil
}

// validateAccounts checks the account rows of a batch before Import starts.
func validateAccounts(b store.Batch) error {
	for _, k := range b.APIKeys {
		if k.ID <= 0 {
			return fmt.Errorf("import: api key %q of user %d needs an id", k.Name, k.OwnerID)
		}
	}
	return nil
}

// importAccounts raises the Grant counters to the batch's, and writes its
// API keys, passwords, sessions and secrets, skipping those already present.
func importAccounts(ctx context.Context, tx *sql.Tx, b store.Batch) error {
	if b.LastInstanceID > 0 {
		if _, err := tx.ExecContext(ctx, `UPDATE sequences SET value = max(value, ?) WHERE name = 'user_asset_instance'`, b.LastInstanceID); err != nil {
			return fmt.Errorf("import instance counter: %w", err)
		}
	}
	if len(b.LastSerials) > 0 {
		st, err := tx.PrepareContext(ctx, `UPDATE assets SET last_serial = max(last_serial, ?) WHERE id = ?`)
		if err != nil {
			return fmt.Errorf("import serial counters: %w", err)
		}
		defer st.Close()
		for _, id := range slices.Sorted(maps.Keys(b.LastSerials)) {
			if _, err := st.ExecContext(ctx, b.LastSerials[id], id); err != nil {
				return fmt.Errorf("import serial counter of asset %d: %w", id, err)
			}
		}
	}
	err := newInserter(ctx, tx, "api_keys", "id", "owner_user_id", "name", "secret_hash", "scopes", "allow_ips",
		"expires_at", "enabled", "created_at", "last_used_at").
		insert(len(b.APIKeys), func(i int, a []any) []any {
			k := b.APIKeys[i]
			ips := make([]string, len(k.AllowIPs))
			for j, p := range k.AllowIPs {
				ips[j] = p.String()
			}
			return append(a, k.ID, k.OwnerID, k.Name, k.Hash[:], strings.Join(k.Scopes, " "), strings.Join(ips, " "),
				millis(k.Expires), k.Enabled, k.Created.UnixMilli(), millis(k.LastUsed))
		})
	if err != nil {
		return fmt.Errorf("import api keys: %w", err)
	}
	if len(b.Passwords) > 0 {
		st, err := tx.PrepareContext(ctx, `UPDATE users SET password_hash = ? WHERE id = ? AND password_hash IS NULL`)
		if err != nil {
			return fmt.Errorf("import passwords: %w", err)
		}
		defer st.Close()
		for _, id := range slices.Sorted(maps.Keys(b.Passwords)) {
			if _, err := st.ExecContext(ctx, b.Passwords[id], id); err != nil {
				return fmt.Errorf("import password of user %d: %w", id, err)
			}
		}
	}
	err = newInserter(ctx, tx, "sessions", "id_hash", "user_id", "csrf_secret", "created_at", "expires_at").
		insert(len(b.Sessions), func(i int, a []any) []any {
			ss := b.Sessions[i]
			return append(a, ss.Hash[:], ss.UserID, nonNil(ss.CSRFSecret), ss.Created.UnixMilli(), ss.Expires.UnixMilli())
		})
	if err != nil {
		return fmt.Errorf("import sessions: %w", err)
	}
	if err := importOAuth(ctx, tx, b); err != nil {
		return err
	}
	names := slices.Sorted(maps.Keys(b.Secrets))
	err = newInserter(ctx, tx, "settings", "name", "value").insert(len(names), func(i int, a []any) []any {
		return append(a, names[i], nonNil(b.Secrets[names[i]]))
	})
	if err != nil {
		return fmt.Errorf("import secrets: %w", err)
	}
	return nil
}

// nonNil keeps an empty BLOB from becoming NULL in a NOT NULL column.
func nonNil(b []byte) []byte {
	if b == nil {
		return []byte{}
	}
	return b
}

// SchemaTables implements store.TableLister.
func (s *Store) SchemaTables(ctx context.Context) ([]string, error) {
	rows, err := s.db.QueryContext(ctx, `SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite\_%' ESCAPE '\' ORDER BY name`)
	if err != nil {
		return nil, fmt.Errorf("list tables: %w", err)
	}
	defer rows.Close()
	var names []string
	for rows.Next() {
		var n string
		if err := rows.Scan(&n); err != nil {
			return nil, fmt.Errorf("list tables: %w", err)
		}
		names = append(names, n)
	}
	return names, rows.Err()
}

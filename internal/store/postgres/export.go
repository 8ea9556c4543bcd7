package postgres

import (
	"context"
	"fmt"
	"strings"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgtype"

	"github.com/invcloud/invcloud/internal/apikey"
	"github.com/invcloud/invcloud/internal/inventory"
	"github.com/invcloud/invcloud/internal/store"
)

// exportRows is the most rows of one table an exported batch carries.
const exportRows = 50_000

// exportTable streams the rows of q, scanned by scan, to emit in slices of
// at most exportRows.
func exportTable[T any](ctx context.Context, tx pgx.Tx, q string, scan func(pgx.Rows) (T, error), emit func([]T) error) error {
	rows, err := tx.Query(ctx, q)
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

type exportStep struct {
	what string
	run  func() error
}

// Export implements store.Store, reading one snapshot: a REPEATABLE READ,
// READ ONLY transaction.
func (s *Store) Export(ctx context.Context, fn func(b store.Batch) error) error {
	tx, err := s.pool.BeginTx(ctx, pgx.TxOptions{IsoLevel: pgx.RepeatableRead, AccessMode: pgx.ReadOnly})
	if err != nil {
		return fmt.Errorf("export: begin: %w", err)
	}
	defer tx.Rollback(ctx)
	steps := []exportStep{
		{"users", func() error {
			return exportTable(ctx, tx, `SELECT id, name, display_name, created_at, visibility FROM users ORDER BY id`,
				func(r pgx.Rows) (inventory.User, error) {
					var u inventory.User
					var created int64
					var vis string
					err := r.Scan(&u.ID, &u.Name, &u.DisplayName, &created, &vis)
					u.Created, u.Visibility = fromMillisNotNull(created), inventory.Visibility(vis)
					return u, err
				},
				func(v []inventory.User) error { return fn(store.Batch{Users: v}) })
		}},
		{"assets", func() error {
			return exportTable(ctx, tx, `SELECT id, name, asset_type_id, creator_user_id, collectible_item_id, serialized, created_at FROM assets ORDER BY id`,
				func(r pgx.Rows) (inventory.Asset, error) {
					var a inventory.Asset
					var item pgtype.Text
					var created int64
					err := r.Scan(&a.ID, &a.Name, &a.LegacyType, &a.CreatorID, &item, &a.Serialized, &created)
					a.Collectible, a.CollectibleItemID = item.Valid, item.String
					a.Created = fromMillisNotNull(created)
					return a, err
				},
				func(v []inventory.Asset) error { return fn(store.Batch{Assets: v}) })
		}},
		{"badges", func() error {
			return exportTable(ctx, tx, `SELECT id, name, universe_id FROM badges ORDER BY id`,
				func(r pgx.Rows) (x inventory.Badge, err error) {
					err = r.Scan(&x.ID, &x.Name, &x.UniverseID)
					return x, err
				},
				func(v []inventory.Badge) error { return fn(store.Batch{Badges: v}) })
		}},
		{"game passes", func() error {
			return exportTable(ctx, tx, `SELECT id, name, universe_id FROM game_passes ORDER BY id`,
				func(r pgx.Rows) (x inventory.GamePass, err error) {
					err = r.Scan(&x.ID, &x.Name, &x.UniverseID)
					return x, err
				},
				func(v []inventory.GamePass) error { return fn(store.Batch{GamePasses: v}) })
		}},
		{"private servers", func() error {
			return exportTable(ctx, tx, `SELECT id, name, universe_id FROM private_servers ORDER BY id`,
				func(r pgx.Rows) (x inventory.PrivateServer, err error) {
					err = r.Scan(&x.ID, &x.Name, &x.UniverseID)
					return x, err
				},
				func(v []inventory.PrivateServer) error { return fn(store.Batch{PrivateServers: v}) })
		}},
		{"asset ownerships", func() error {
			return exportTable(ctx, tx, `SELECT ua.user_id, `+assetColumns+`
				FROM user_assets ua JOIN assets a ON a.id = ua.asset_id ORDER BY ua.user_id, ua.instance_id`,
				func(r pgx.Rows) (store.Ownership, error) {
					var (
						o                      = store.Ownership{Item: inventory.Item{Kind: inventory.KindAsset}}
						assetType              int32
						serial, state, add     pgtype.Int8
						collInstance, collItem pgtype.Text
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
		steps = append(steps, exportStep{k.String() + " ownerships", func() error {
			return exportTable(ctx, tx, fmt.Sprintf(`SELECT user_id, %[2]s, added_at FROM %[1]s ORDER BY user_id, %[2]s`, t[0], t[1]),
				func(r pgx.Rows) (store.Ownership, error) {
					o := store.Ownership{Item: inventory.Item{Kind: k}}
					var add pgtype.Int8
					err := r.Scan(&o.UserID, &o.Item.ID, &add)
					o.Item.AddTime = fromMillis(add)
					return o, err
				},
				func(v []store.Ownership) error { return fn(store.Batch{Ownerships: v}) })
		}})
	}
	steps = append(steps, []exportStep{
		{"counters", func() error {
			b := store.Batch{LastSerials: map[int64]int64{}}
			err := tx.QueryRow(ctx, `SELECT CASE WHEN is_called THEN last_value ELSE 0 END FROM user_assets_instance_id_seq`).Scan(&b.LastInstanceID)
			if err != nil {
				return err
			}
			rows, err := tx.Query(ctx, `SELECT id, last_serial FROM assets WHERE last_serial > 0 ORDER BY id`)
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
				func(r pgx.Rows) (apikey.Key, error) { return scanKey(r) },
				func(v []apikey.Key) error { return fn(store.Batch{APIKeys: v}) })
		}},
		{"passwords", func() error {
			type pw struct {
				id   int64
				hash string
			}
			return exportTable(ctx, tx, `SELECT id, password_hash FROM users WHERE password_hash IS NOT NULL ORDER BY id`,
				func(r pgx.Rows) (p pw, err error) { err = r.Scan(&p.id, &p.hash); return p, err },
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
				func(r pgx.Rows) (store.Session, error) {
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
					ss.Created, ss.Expires = fromMillisNotNull(created), fromMillisNotNull(expires)
					return ss, nil
				},
				func(v []store.Session) error { return fn(store.Batch{Sessions: v}) })
		}},
	}...)
	steps = append(steps, exportOAuth(ctx, tx, fn)...)
	steps = append(steps, []exportStep{
		{"settings", func() error {
			type kv struct {
				name  string
				value []byte
			}
			return exportTable(ctx, tx, `SELECT name, value FROM settings ORDER BY name`,
				func(r pgx.Rows) (x kv, err error) { err = r.Scan(&x.name, &x.value); return x, err },
				func(v []kv) error {
					m := make(map[string][]byte, len(v))
					for _, x := range v {
						m[x.name] = x.value
					}
					return fn(store.Batch{Secrets: m})
				})
		}},
	}...)
	steps = append(steps, exportLegacy(ctx, tx, fn)...)
	for _, st := range steps {
		if err := st.run(); err != nil {
			return fmt.Errorf("export %s: %w", st.what, err)
		}
	}
	return nil
}

func oauthHash(b []byte) (h store.OAuthHash, err error) {
	if b == nil {
		return h, nil
	}
	if len(b) != len(h) {
		return h, fmt.Errorf("hash of %d bytes", len(b))
	}
	copy(h[:], b)
	return h, nil
}

// scanTail scans a row with one extra trailing column into tail.
type scanTail struct {
	r    pgx.Rows
	tail any
}

func (s scanTail) Scan(dest ...any) error { return s.r.Scan(append(dest, s.tail)...) }

func exportOAuth(ctx context.Context, tx pgx.Tx, fn func(store.Batch) error) []exportStep {
	return []exportStep{
		{"oauth apps", func() error {
			return exportTable(ctx, tx, `SELECT `+oauthAppColumns+` FROM oauth_apps ORDER BY client_id COLLATE "C"`,
				func(r pgx.Rows) (store.OAuthApp, error) { return scanOAuthApp(r) },
				func(v []store.OAuthApp) error { return fn(store.Batch{OAuthApps: v}) })
		}},
		{"oauth authorizations", func() error {
			return exportTable(ctx, tx, `SELECT `+oauthAuthorizationColumns+` FROM oauth_authorizations ORDER BY id COLLATE "C"`,
				func(r pgx.Rows) (store.OAuthAuthorization, error) { return scanOAuthAuthorization(r) },
				func(v []store.OAuthAuthorization) error { return fn(store.Batch{OAuthAuthorizations: v}) })
		}},
		{"oauth requests", func() error {
			return exportTable(ctx, tx, `SELECT `+oauthRequestColumns+`, code_hash FROM oauth_requests ORDER BY id COLLATE "C"`,
				func(r pgx.Rows) (store.OAuthRequestRow, error) {
					var row store.OAuthRequestRow
					var code []byte
					var err error
					if row.OAuthRequest, err = scanOAuthRequest(scanTail{r, &code}); err != nil {
						return row, err
					}
					row.Code, err = oauthHash(code)
					return row, err
				},
				func(v []store.OAuthRequestRow) error { return fn(store.Batch{OAuthRequests: v}) })
		}},
		{"oauth sessions", func() error {
			return exportTable(ctx, tx, `SELECT id, authorization_id, scopes, created_at, revoked_at FROM oauth_sessions ORDER BY id COLLATE "C"`,
				func(r pgx.Rows) (store.OAuthSession, error) {
					var ss store.OAuthSession
					var scps string
					var created int64
					var revoked pgtype.Int8
					err := r.Scan(&ss.ID, &ss.AuthorizationID, &scps, &created, &revoked)
					ss.Scopes = strings.Fields(scps)
					ss.Created, ss.Revoked = fromMillisNotNull(created), fromMillis(revoked)
					return ss, err
				},
				func(v []store.OAuthSession) error { return fn(store.Batch{OAuthSessions: v}) })
		}},
		{"oauth used codes", func() error {
			return exportTable(ctx, tx, `SELECT code_hash, session_id, used_at FROM oauth_used_codes ORDER BY code_hash`,
				func(r pgx.Rows) (store.OAuthUsedCode, error) {
					var c store.OAuthUsedCode
					var h []byte
					var used int64
					if err := r.Scan(&h, &c.SessionID, &used); err != nil {
						return c, err
					}
					c.Used = fromMillisNotNull(used)
					var err error
					c.Hash, err = oauthHash(h)
					return c, err
				},
				func(v []store.OAuthUsedCode) error { return fn(store.Batch{OAuthUsedCodes: v}) })
		}},
		{"oauth refresh tokens", func() error {
			return exportTable(ctx, tx, `SELECT hash, id, session_id, created_at, expires_at, used_at FROM oauth_refresh_tokens ORDER BY hash`,
				func(r pgx.Rows) (store.OAuthRefreshToken, error) {
					var t store.OAuthRefreshToken
					var h []byte
					var created, expires int64
					var used pgtype.Int8
					if err := r.Scan(&h, &t.ID, &t.SessionID, &created, &expires, &used); err != nil {
						return t, err
					}
					t.Created, t.Expires, t.Used = fromMillisNotNull(created), fromMillisNotNull(expires), fromMillis(used)
					var err error
					t.Hash, err = oauthHash(h)
					return t, err
				},
				func(v []store.OAuthRefreshToken) error { return fn(store.Batch{OAuthRefreshTokens: v}) })
		}},
		{"oauth access tokens", func() error {
			return exportTable(ctx, tx, `SELECT id, session_id, expires_at FROM oauth_access_tokens ORDER BY id COLLATE "C"`,
				func(r pgx.Rows) (store.OAuthAccessToken, error) {
					var t store.OAuthAccessToken
					var expires int64
					err := r.Scan(&t.ID, &t.SessionID, &expires)
					t.Expires = fromMillisNotNull(expires)
					return t, err
				},
				func(v []store.OAuthAccessToken) error { return fn(store.Batch{OAuthAccessTokens: v}) })
		}},
	}
}

// SchemaTables implements store.TableLister: the tables of the schema the
// store works in.
func (s *Store) SchemaTables(ctx context.Context) ([]string, error) {
	rows, err := s.pool.Query(ctx, `SELECT tablename FROM pg_tables WHERE schemaname = current_schema() ORDER BY tablename`)
	if err != nil {
		return nil, fmt.Errorf("list tables: %w", err)
	}
	names, err := pgx.CollectRows(rows, pgx.RowTo[string])
	if err != nil {
		return nil, fmt.Errorf("list tables: %w", err)
	}
	return names, nil
}

package postgres

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgconn"
	"github.com/jackc/pgx/v5/pgtype"

	"github.com/invcloud/invcloud/internal/store"
)

// Lists are stored as in SQLite: redirect URIs one per line (they cannot
// hold a line break), scopes and prompts space separated. Text ids sort
// under the "C" collation, bytewise, as SQLite sorts them.

func joinLines(v []string) string { return strings.Join(v, "\n") }

func splitLines(s string) []string {
	if s == "" {
		return nil
	}
	return strings.Split(s, "\n")
}

func hashOrNil(h store.OAuthHash) []byte {
	if h == (store.OAuthHash{}) {
		return nil
	}
	return h[:]
}

const oauthAppColumns = `client_id, secret_hash, name, owner_user_id, redirect_uris, scopes, public, created_at`

// CreateOAuthApp implements store.OAuthStore.
func (s *Store) CreateOAuthApp(ctx context.Context, a store.OAuthApp) error {
	_, err := s.pool.Exec(ctx, `INSERT INTO oauth_apps (`+oauthAppColumns+`) VALUES ($1, $2, $3, $4, $5, $6, $7, $8)`,
		a.ClientID, hashOrNil(a.SecretHash), a.Name, a.OwnerID, joinLines(a.RedirectURIs), strings.Join(a.Scopes, " "), a.Public, a.Created.UnixMilli())
	switch {
	case isForeignKey(err):
		return fmt.Errorf("create oauth app: user %d: %w", a.OwnerID, store.ErrNotFound)
	case isUnique(err):
		return fmt.Errorf("create oauth app %s: %w", a.ClientID, store.ErrExists)
	case err != nil:
		return fmt.Errorf("create oauth app: %w", err)
	}
	return nil
}

func scanOAuthApp(row pgx.Row) (store.OAuthApp, error) {
	var (
		a               store.OAuthApp
		hash            []byte
		redirects, scps string
		created         int64
	)
	if err := row.Scan(&a.ClientID, &hash, &a.Name, &a.OwnerID, &redirects, &scps, &a.Public, &created); err != nil {
		return a, err
	}
	copy(a.SecretHash[:], hash)
	a.RedirectURIs, a.Scopes = splitLines(redirects), strings.Fields(scps)
	a.Created = fromMillisNotNull(created)
	return a, nil
}

// OAuthApp implements store.OAuthStore.
func (s *Store) OAuthApp(ctx context.Context, clientID string) (store.OAuthApp, error) {
	a, err := scanOAuthApp(s.pool.QueryRow(ctx, `SELECT `+oauthAppColumns+` FROM oauth_apps WHERE client_id = $1`, clientID))
	if err != nil {
		return a, notFound(err, "oauth app")
	}
	return a, nil
}

// OAuthApps implements store.OAuthStore.
func (s *Store) OAuthApps(ctx context.Context, ownerID int64) ([]store.OAuthApp, error) {
	rows, err := s.pool.Query(ctx, `SELECT `+oauthAppColumns+` FROM oauth_apps WHERE $1::bigint = 0 OR owner_user_id = $1
		ORDER BY created_at, client_id COLLATE "C"`, ownerID)
	if err != nil {
		return nil, fmt.Errorf("list oauth apps: %w", err)
	}
	defer rows.Close()
	var apps []store.OAuthApp
	for rows.Next() {
		a, err := scanOAuthApp(rows)
		if err != nil {
			return nil, fmt.Errorf("list oauth apps: %w", err)
		}
		apps = append(apps, a)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("list oauth apps: %w", err)
	}
	return apps, nil
}

// SetOAuthAppSecret implements store.OAuthStore.
func (s *Store) SetOAuthAppSecret(ctx context.Context, clientID string, h store.OAuthHash) error {
	tag, err := s.pool.Exec(ctx, `UPDATE oauth_apps SET secret_hash = $1 WHERE client_id = $2`, hashOrNil(h), clientID)
	return affected(tag, err, "oauth app "+clientID)
}

// DeleteOAuthApp implements store.OAuthStore.
func (s *Store) DeleteOAuthApp(ctx context.Context, clientID string) error {
	tag, err := s.pool.Exec(ctx, `DELETE FROM oauth_apps WHERE client_id = $1`, clientID)
	return affected(tag, err, "oauth app "+clientID)
}

const oauthRequestColumns = `id, client_id, redirect_uri, scopes, response_type, state, nonce, prompt, code_challenge,
	code_challenge_method, created_at, expires_at, user_id, auth_time, authorization_id, code_expires_at, client_addr`

// CreateOAuthRequest implements store.OAuthStore.
func (s *Store) CreateOAuthRequest(ctx context.Context, r store.OAuthRequest) error {
	return s.CreateOAuthRequestWithin(ctx, r, store.OAuthRequestLimits{})
}

// oauthRequestLock serialises bounded request creation across replicas,
// so that concurrent requests cannot each see room for one more: a
// transaction-scoped advisory lock (creating a request is three short
// statements).
const oauthRequestLock = 0x696e76636c6f7564 // "invcloud"

// CreateOAuthRequestWithin implements store.OAuthStore. The evictions come
// first and leave room for r.
func (s *Store) CreateOAuthRequestWithin(ctx context.Context, r store.OAuthRequest, lim store.OAuthRequestLimits) error {
	return pgx.BeginFunc(ctx, s.pool, func(tx pgx.Tx) error {
		if lim.PerAddr > 0 || lim.PerClient > 0 {
			if _, err := tx.Exec(ctx, `SELECT pg_advisory_xact_lock($1)`, int64(oauthRequestLock)); err != nil {
				return fmt.Errorf("create oauth request: lock: %w", err)
			}
		}
		for _, e := range []struct {
			col, val string
			max      int
		}{{"client_addr", r.ClientAddr, lim.PerAddr}, {"client_id", r.ClientID, lim.PerClient}} {
			if e.max <= 0 {
				continue
			}
			if _, err := tx.Exec(ctx, `DELETE FROM oauth_requests WHERE id IN (SELECT id FROM oauth_requests
				WHERE `+e.col+` = $1 AND user_id IS NULL ORDER BY created_at DESC, id DESC OFFSET $2)`, e.val, e.max-1); err != nil {
				return fmt.Errorf("create oauth request: evict by %s: %w", e.col, err)
			}
		}
		_, err := tx.Exec(ctx, `INSERT INTO oauth_requests (id, client_id, redirect_uri, scopes, response_type, state, nonce,
			prompt, code_challenge, code_challenge_method, created_at, expires_at, client_addr)
			VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13)`,
			r.ID, r.ClientID, r.RedirectURI, strings.Join(r.Scopes, " "), r.ResponseType, r.State, r.Nonce,
			strings.Join(r.Prompt, " "), r.CodeChallenge, r.CodeChallengeMethod, r.Created.UnixMilli(), r.Expires.UnixMilli(), r.ClientAddr)
		switch {
		case isForeignKey(err):
			return fmt.Errorf("create oauth request: app %s: %w", r.ClientID, store.ErrNotFound)
		case isUnique(err):
			return fmt.Errorf("create oauth request: %w", store.ErrExists)
		case err != nil:
			return fmt.Errorf("create oauth request: %w", err)
		}
		return nil
	})
}

func scanOAuthRequest(row pgx.Row) (store.OAuthRequest, error) {
	var (
		r                     store.OAuthRequest
		scps, prompt          string
		created, expires      int64
		userID                pgtype.Int8
		authTime, codeExpires pgtype.Int8
		authorization         pgtype.Text
	)
	err := row.Scan(&r.ID, &r.ClientID, &r.RedirectURI, &scps, &r.ResponseType, &r.State, &r.Nonce, &prompt, &r.CodeChallenge,
		&r.CodeChallengeMethod, &created, &expires, &userID, &authTime, &authorization, &codeExpires, &r.ClientAddr)
	if err != nil {
		return r, err
	}
	r.Scopes, r.Prompt = strings.Fields(scps), strings.Fields(prompt)
	r.Created, r.Expires = fromMillisNotNull(created), fromMillisNotNull(expires)
	r.UserID, r.AuthorizationID = userID.Int64, authorization.String
	r.AuthTime, r.CodeExpires = fromMillis(authTime), fromMillis(codeExpires)
	return r, nil
}

// OAuthRequest implements store.OAuthStore.
func (s *Store) OAuthRequest(ctx context.Context, id string, now time.Time) (store.OAuthRequest, error) {
	r, err := scanOAuthRequest(s.pool.QueryRow(ctx, `SELECT `+oauthRequestColumns+` FROM oauth_requests
		WHERE id = $1 AND expires_at > $2 AND code_hash IS NULL`, id, now.UnixMilli()))
	if err != nil {
		return r, notFound(err, "oauth request")
	}
	return r, nil
}

// ApproveOAuthRequest implements store.OAuthStore. The request's row lock
// (its UPDATE) makes one approval win; the user's row, locked next, queues
// approvals by one user, so two requests of one app cannot both create a
// live authorization.
func (s *Store) ApproveOAuthRequest(ctx context.Context, id string, userID int64, authTime, now time.Time, newAuthorizationID string) (store.OAuthRequest, error) {
	var r store.OAuthRequest
	err := pgx.BeginFunc(ctx, s.pool, func(tx pgx.Tx) error {
		var clientID, scps string
		err := tx.QueryRow(ctx, `UPDATE oauth_requests SET user_id = $1, auth_time = $2
			WHERE id = $3 AND user_id IS NULL AND code_hash IS NULL AND expires_at > $4 RETURNING client_id, scopes`,
			userID, authTime.UnixMilli(), id, now.UnixMilli()).Scan(&clientID, &scps)
		if err != nil {
			if isForeignKey(err) {
				return fmt.Errorf("approve oauth request: user %d: %w", userID, store.ErrNotFound)
			}
			return notFound(err, "oauth request")
		}
		var one int
		if err := tx.QueryRow(ctx, `SELECT 1 FROM users WHERE id = $1 FOR NO KEY UPDATE`, userID).Scan(&one); err != nil {
			return notFound(err, fmt.Sprintf("user %d", userID))
		}
		var authID, had string
		err = tx.QueryRow(ctx, `SELECT id, scopes FROM oauth_authorizations WHERE user_id = $1 AND client_id = $2 AND revoked_at IS NULL`,
			userID, clientID).Scan(&authID, &had)
		switch {
		case errors.Is(err, pgx.ErrNoRows):
			authID = newAuthorizationID
			_, err = tx.Exec(ctx, `INSERT INTO oauth_authorizations (id, user_id, client_id, scopes, created_at, updated_at)
				VALUES ($1, $2, $3, $4, $5, $6)`, authID, userID, clientID, scps, now.UnixMilli(), now.UnixMilli())
		case err == nil:
			_, err = tx.Exec(ctx, `UPDATE oauth_authorizations SET scopes = $1, updated_at = $2 WHERE id = $3`,
				strings.Join(unionScopes(strings.Fields(had), strings.Fields(scps)), " "), now.UnixMilli(), authID)
		}
		if err != nil {
			return fmt.Errorf("approve oauth request: authorization: %w", err)
		}
		r, err = scanOAuthRequest(tx.QueryRow(ctx, `UPDATE oauth_requests SET authorization_id = $1 WHERE id = $2 RETURNING `+oauthRequestColumns, authID, id))
		if err != nil {
			return fmt.Errorf("approve oauth request: %w", err)
		}
		return nil
	})
	return r, err
}

// unionScopes returns a followed by the scopes of b that a lacks.
func unionScopes(a, b []string) []string {
	out := slices.Clone(a)
	for _, s := range b {
		if !slices.Contains(out, s) {
			out = append(out, s)
		}
	}
	return out
}

// SetOAuthCode implements store.OAuthStore. The request then lives as long
// as its code.
func (s *Store) SetOAuthCode(ctx context.Context, id string, code store.OAuthHash, expires time.Time) error {
	tag, err := s.pool.Exec(ctx, `UPDATE oauth_requests SET code_hash = $1, code_expires_at = $2, expires_at = $2
		WHERE id = $3 AND user_id IS NOT NULL AND code_hash IS NULL`, code[:], expires.UnixMilli(), id)
	return affected(tag, err, "approved oauth request "+id)
}

// OAuthRequestByCode implements store.OAuthStore.
func (s *Store) OAuthRequestByCode(ctx context.Context, code store.OAuthHash) (store.OAuthRequest, error) {
	r, err := scanOAuthRequest(s.pool.QueryRow(ctx, `SELECT `+oauthRequestColumns+` FROM oauth_requests WHERE code_hash = $1`, code[:]))
	if errors.Is(err, pgx.ErrNoRows) {
		return r, s.usedCode(ctx, code)
	}
	if err != nil {
		return r, fmt.Errorf("read oauth code: %w", err)
	}
	return r, nil
}

// usedCode returns ErrReused if code was redeemed, else ErrNotFound.
func (s *Store) usedCode(ctx context.Context, code store.OAuthHash) error {
	var one int
	err := s.pool.QueryRow(ctx, `SELECT 1 FROM oauth_used_codes WHERE code_hash = $1`, code[:]).Scan(&one)
	switch {
	case err == nil:
		return fmt.Errorf("oauth code: %w", store.ErrReused)
	case errors.Is(err, pgx.ErrNoRows):
		return fmt.Errorf("oauth code: %w", store.ErrNotFound)
	default:
		return fmt.Errorf("read oauth code: %w", err)
	}
}

// RedeemOAuthCode implements store.OAuthStore. Of concurrent redemptions
// the first DELETE wins; the others wait on the row, find it gone, and
// report the code as reused.
func (s *Store) RedeemOAuthCode(ctx context.Context, code store.OAuthHash, ss store.OAuthSession, now time.Time) (store.OAuthRequest, error) {
	var r store.OAuthRequest
	var gone bool
	err := pgx.BeginFunc(ctx, s.pool, func(tx pgx.Tx) error {
		var err error
		r, err = scanOAuthRequest(tx.QueryRow(ctx, `DELETE FROM oauth_requests WHERE code_hash = $1 AND code_expires_at > $2
			RETURNING `+oauthRequestColumns, code[:], now.UnixMilli()))
		if errors.Is(err, pgx.ErrNoRows) {
			gone = true
			return nil
		}
		if err != nil {
			return fmt.Errorf("redeem oauth code: %w", err)
		}
		var revoked pgtype.Int8
		err = tx.QueryRow(ctx, `SELECT revoked_at FROM oauth_authorizations WHERE id = $1`, r.AuthorizationID).Scan(&revoked)
		if err != nil {
			return notFound(err, "oauth authorization")
		}
		if revoked.Valid {
			return fmt.Errorf("oauth authorization %s revoked: %w", r.AuthorizationID, store.ErrNotFound)
		}
		if _, err := tx.Exec(ctx, `INSERT INTO oauth_sessions (id, authorization_id, scopes, created_at) VALUES ($1, $2, $3, $4)`,
			ss.ID, r.AuthorizationID, strings.Join(ss.Scopes, " "), ss.Created.UnixMilli()); err != nil {
			return fmt.Errorf("redeem oauth code: session: %w", err)
		}
		if _, err := tx.Exec(ctx, `INSERT INTO oauth_used_codes (code_hash, session_id, used_at) VALUES ($1, $2, $3)`,
			code[:], ss.ID, now.UnixMilli()); err != nil {
			return fmt.Errorf("redeem oauth code: %w", err)
		}
		return nil
	})
	if err != nil {
		return store.OAuthRequest{}, err
	}
	if gone {
		return store.OAuthRequest{}, s.usedCode(ctx, code)
	}
	return r, nil
}

// RevokeOAuthCode implements store.OAuthStore.
func (s *Store) RevokeOAuthCode(ctx context.Context, code store.OAuthHash, at time.Time) error {
	tag, err := s.pool.Exec(ctx, `UPDATE oauth_sessions SET revoked_at = COALESCE(revoked_at, $1)
		WHERE id = (SELECT session_id FROM oauth_used_codes WHERE code_hash = $2)`, at.UnixMilli(), code[:])
	return affected(tag, err, "redeemed oauth code")
}

// DeleteOAuthRequest implements store.OAuthStore.
func (s *Store) DeleteOAuthRequest(ctx context.Context, id string) error {
	tag, err := s.pool.Exec(ctx, `DELETE FROM oauth_requests WHERE id = $1`, id)
	return affected(tag, err, "oauth request")
}

const oauthAuthorizationColumns = `id, user_id, client_id, scopes, created_at, updated_at, revoked_at`

func scanOAuthAuthorization(row pgx.Row) (store.OAuthAuthorization, error) {
	var (
		a                store.OAuthAuthorization
		scps             string
		created, updated int64
		revoked          pgtype.Int8
	)
	if err := row.Scan(&a.ID, &a.UserID, &a.ClientID, &scps, &created, &updated, &revoked); err != nil {
		return a, err
	}
	a.Scopes = strings.Fields(scps)
	a.Created, a.Updated, a.Revoked = fromMillisNotNull(created), fromMillisNotNull(updated), fromMillis(revoked)
	return a, nil
}

// OAuthAuthorization implements store.OAuthStore.
func (s *Store) OAuthAuthorization(ctx context.Context, id string) (store.OAuthAuthorization, error) {
	a, err := scanOAuthAuthorization(s.pool.QueryRow(ctx, `SELECT `+oauthAuthorizationColumns+` FROM oauth_authorizations WHERE id = $1`, id))
	if err != nil {
		return a, notFound(err, "oauth authorization")
	}
	return a, nil
}

// OAuthAuthorizations implements store.OAuthStore.
func (s *Store) OAuthAuthorizations(ctx context.Context, userID int64, clientID string) ([]store.OAuthAuthorization, error) {
	rows, err := s.pool.Query(ctx, `SELECT `+oauthAuthorizationColumns+` FROM oauth_authorizations
		WHERE revoked_at IS NULL AND ($1::bigint = 0 OR user_id = $1) AND ($2::text = '' OR client_id = $2)
		ORDER BY created_at, id COLLATE "C"`, userID, clientID)
	if err != nil {
		return nil, fmt.Errorf("list oauth authorizations: %w", err)
	}
	defer rows.Close()
	var out []store.OAuthAuthorization
	for rows.Next() {
		a, err := scanOAuthAuthorization(rows)
		if err != nil {
			return nil, fmt.Errorf("list oauth authorizations: %w", err)
		}
		out = append(out, a)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("list oauth authorizations: %w", err)
	}
	return out, nil
}

// RevokeOAuthAuthorization implements store.OAuthStore.
func (s *Store) RevokeOAuthAuthorization(ctx context.Context, id string, at time.Time) error {
	tag, err := s.pool.Exec(ctx, `UPDATE oauth_authorizations SET revoked_at = $1 WHERE id = $2 AND revoked_at IS NULL`, at.UnixMilli(), id)
	return affected(tag, err, "oauth authorization "+id)
}

// RevokeOAuthSession implements store.OAuthStore.
func (s *Store) RevokeOAuthSession(ctx context.Context, id string, at time.Time) error {
	if _, err := s.pool.Exec(ctx, `UPDATE oauth_sessions SET revoked_at = $1 WHERE id = $2 AND revoked_at IS NULL`, at.UnixMilli(), id); err != nil {
		return fmt.Errorf("revoke oauth session: %w", err)
	}
	return nil
}

// grantColumns read an OAuthGrant from oauth_sessions s joined with
// oauth_authorizations a.
const grantColumns = `s.id, s.authorization_id, s.scopes, s.created_at, s.revoked_at,
	a.id, a.user_id, a.client_id, a.scopes, a.created_at, a.updated_at, a.revoked_at`

func scanGrant(dest []any) (func() store.OAuthGrant, []any) {
	var (
		g                            store.OAuthGrant
		sScopes, aScopes             string
		sCreated, aCreated, aUpdated int64
		sRevoked, aRevoked           pgtype.Int8
	)
	cols := []any{&g.Session.ID, &g.Session.AuthorizationID, &sScopes, &sCreated, &sRevoked,
		&g.Authorization.ID, &g.Authorization.UserID, &g.Authorization.ClientID, &aScopes, &aCreated, &aUpdated, &aRevoked}
	return func() store.OAuthGrant {
		g.Session.Scopes, g.Authorization.Scopes = strings.Fields(sScopes), strings.Fields(aScopes)
		g.Session.Created, g.Session.Revoked = fromMillisNotNull(sCreated), fromMillis(sRevoked)
		g.Authorization.Created, g.Authorization.Updated = fromMillisNotNull(aCreated), fromMillisNotNull(aUpdated)
		g.Authorization.Revoked = fromMillis(aRevoked)
		return g
	}, append(dest, cols...)
}

// AddOAuthAccessToken implements store.OAuthStore.
func (s *Store) AddOAuthAccessToken(ctx context.Context, t store.OAuthAccessToken) error {
	_, err := s.pool.Exec(ctx, `INSERT INTO oauth_access_tokens (id, session_id, expires_at) VALUES ($1, $2, $3)`,
		t.ID, t.SessionID, t.Expires.UnixMilli())
	switch {
	case isForeignKey(err):
		return fmt.Errorf("add access token: session %s: %w", t.SessionID, store.ErrNotFound)
	case isUnique(err):
		return fmt.Errorf("add access token: %w", store.ErrExists)
	case err != nil:
		return fmt.Errorf("add access token: %w", err)
	}
	return nil
}

// OAuthAccessToken implements store.OAuthStore.
func (s *Store) OAuthAccessToken(ctx context.Context, jti string) (store.OAuthAccessToken, store.OAuthGrant, error) {
	t := store.OAuthAccessToken{ID: jti}
	var expires int64
	grant, dest := scanGrant([]any{&t.SessionID, &expires})
	err := s.pool.QueryRow(ctx, `SELECT t.session_id, t.expires_at, `+grantColumns+` FROM oauth_access_tokens t
		JOIN oauth_sessions s ON s.id = t.session_id JOIN oauth_authorizations a ON a.id = s.authorization_id
		WHERE t.id = $1`, jti).Scan(dest...)
	if err != nil {
		return t, store.OAuthGrant{}, notFound(err, "access token")
	}
	t.Expires = fromMillisNotNull(expires)
	return t, grant(), nil
}

type execer interface {
	Exec(ctx context.Context, sql string, args ...any) (pgconn.CommandTag, error)
}

// AddOAuthRefreshToken implements store.OAuthStore.
func (s *Store) AddOAuthRefreshToken(ctx context.Context, t store.OAuthRefreshToken) error {
	return addRefreshToken(ctx, s.pool, t)
}

func addRefreshToken(ctx context.Context, db execer, t store.OAuthRefreshToken) error {
	_, err := db.Exec(ctx, `INSERT INTO oauth_refresh_tokens (hash, id, session_id, created_at, expires_at, used_at) VALUES ($1, $2, $3, $4, $5, $6)`,
		t.Hash[:], t.ID, t.SessionID, t.Created.UnixMilli(), t.Expires.UnixMilli(), millis(t.Used))
	switch {
	case isForeignKey(err):
		return fmt.Errorf("add refresh token: session %s: %w", t.SessionID, store.ErrNotFound)
	case isUnique(err):
		return fmt.Errorf("add refresh token: %w", store.ErrExists)
	case err != nil:
		return fmt.Errorf("add refresh token: %w", err)
	}
	return nil
}

// OAuthRefreshToken implements store.OAuthStore.
func (s *Store) OAuthRefreshToken(ctx context.Context, h store.OAuthHash) (store.OAuthRefreshToken, store.OAuthGrant, error) {
	t := store.OAuthRefreshToken{Hash: h}
	var created, expires int64
	var used pgtype.Int8
	grant, dest := scanGrant([]any{&t.ID, &t.SessionID, &created, &expires, &used})
	err := s.pool.QueryRow(ctx, `SELECT t.id, t.session_id, t.created_at, t.expires_at, t.used_at, `+grantColumns+`
		FROM oauth_refresh_tokens t JOIN oauth_sessions s ON s.id = t.session_id JOIN oauth_authorizations a ON a.id = s.authorization_id
		WHERE t.hash = $1`, h[:]).Scan(dest...)
	if err != nil {
		return t, store.OAuthGrant{}, notFound(err, "refresh token")
	}
	t.Created, t.Expires, t.Used = fromMillisNotNull(created), fromMillisNotNull(expires), fromMillis(used)
	return t, grant(), nil
}

// RotateOAuthRefreshToken implements store.OAuthStore. Of concurrent
// rotations of one token the first UPDATE wins; the others wait on the row
// and, re-checking used_at, find it spent.
func (s *Store) RotateOAuthRefreshToken(ctx context.Context, old store.OAuthHash, next store.OAuthRefreshToken, now time.Time) (store.OAuthGrant, error) {
	var g store.OAuthGrant
	var spent bool
	err := pgx.BeginFunc(ctx, s.pool, func(tx pgx.Tx) error {
		err := tx.QueryRow(ctx, `UPDATE oauth_refresh_tokens SET used_at = $1 WHERE hash = $2 AND used_at IS NULL AND expires_at > $1
			RETURNING session_id`, now.UnixMilli(), old[:]).Scan(&next.SessionID)
		if errors.Is(err, pgx.ErrNoRows) {
			spent = true
			return nil
		}
		if err != nil {
			return fmt.Errorf("rotate refresh token: %w", err)
		}
		grant, dest := scanGrant(nil)
		err = tx.QueryRow(ctx, `SELECT `+grantColumns+` FROM oauth_sessions s JOIN oauth_authorizations a ON a.id = s.authorization_id
			WHERE s.id = $1`, next.SessionID).Scan(dest...)
		if err != nil {
			return notFound(err, "oauth session")
		}
		if g = grant(); !g.Live() {
			return fmt.Errorf("refresh token: grant revoked: %w", store.ErrNotFound)
		}
		return addRefreshToken(ctx, tx, next)
	})
	if err != nil {
		return store.OAuthGrant{}, err
	}
	if spent {
		var used pgtype.Int8
		err := s.pool.QueryRow(ctx, `SELECT used_at FROM oauth_refresh_tokens WHERE hash = $1`, old[:]).Scan(&used)
		switch {
		case err == nil && used.Valid:
			return g, fmt.Errorf("refresh token: %w", store.ErrReused)
		case err == nil || errors.Is(err, pgx.ErrNoRows):
			return g, fmt.Errorf("refresh token: %w", store.ErrNotFound)
		default:
			return g, fmt.Errorf("read refresh token: %w", err)
		}
	}
	return g, nil
}

// PurgeOAuth implements store.OAuthStore.
func (s *Store) PurgeOAuth(ctx context.Context, now time.Time) error {
	ms := now.UnixMilli()
	for _, q := range []struct {
		sql string
		arg int64
	}{
		{`DELETE FROM oauth_requests WHERE expires_at <= $1`, ms},
		{`DELETE FROM oauth_access_tokens WHERE expires_at <= $1`, ms},
		{`DELETE FROM oauth_refresh_tokens WHERE expires_at <= $1`, ms},
		{`DELETE FROM oauth_used_codes WHERE used_at <= $1`, now.Add(-store.UsedCodeRetention).UnixMilli()},
		{`DELETE FROM oauth_sessions WHERE created_at <= $1
			AND NOT EXISTS (SELECT 1 FROM oauth_refresh_tokens t WHERE t.session_id = oauth_sessions.id)
			AND NOT EXISTS (SELECT 1 FROM oauth_access_tokens t WHERE t.session_id = oauth_sessions.id)
			AND NOT EXISTS (SELECT 1 FROM oauth_used_codes c WHERE c.session_id = oauth_sessions.id)`, ms},
	} {
		if _, err := s.pool.Exec(ctx, q.sql, q.arg); err != nil {
			return fmt.Errorf("purge oauth: %w", err)
		}
	}
	return nil
}

package sqlite

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/invcloud/invcloud/internal/store"
)

// Lists are stored as text: redirect URIs one per line (they cannot hold a
// line break), scopes and prompts space separated.
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
	_, err := s.db.ExecContext(ctx, `INSERT INTO oauth_apps (`+oauthAppColumns+`) VALUES (?, ?, ?, ?, ?, ?, ?, ?)`,
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

func scanOAuthApp(row interface{ Scan(...any) error }) (store.OAuthApp, error) {
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
	a.Created = time.UnixMilli(created).UTC()
	return a, nil
}

// OAuthApp implements store.OAuthStore.
func (s *Store) OAuthApp(ctx context.Context, clientID string) (store.OAuthApp, error) {
	a, err := scanOAuthApp(s.db.QueryRowContext(ctx, `SELECT `+oauthAppColumns+` FROM oauth_apps WHERE client_id = ?`, clientID))
	if err != nil {
		return a, notFound(err, "oauth app")
	}
	return a, nil
}

// OAuthApps implements store.OAuthStore.
func (s *Store) OAuthApps(ctx context.Context, ownerID int64) ([]store.OAuthApp, error) {
	rows, err := s.db.QueryContext(ctx, `SELECT `+oauthAppColumns+` FROM oauth_apps WHERE ?1 = 0 OR owner_user_id = ?1 ORDER BY created_at, client_id`, ownerID)
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
	return apps, rows.Err()
}

// SetOAuthAppSecret implements store.OAuthStore.
func (s *Store) SetOAuthAppSecret(ctx context.Context, clientID string, h store.OAuthHash) error {
	res, err := s.db.ExecContext(ctx, `UPDATE oauth_apps SET secret_hash = ? WHERE client_id = ?`, hashOrNil(h), clientID)
	return affected(res, err, "oauth app "+clientID)
}

// DeleteOAuthApp implements store.OAuthStore.
func (s *Store) DeleteOAuthApp(ctx context.Context, clientID string) error {
	res, err := s.db.ExecContext(ctx, `DELETE FROM oauth_apps WHERE client_id = ?`, clientID)
	return affected(res, err, "oauth app "+clientID)
}

const oauthRequestColumns = `id, client_id, redirect_uri, scopes, response_type, state, nonce, prompt, code_challenge,
	code_challenge_method, created_at, expires_at, user_id, auth_time, authorization_id, code_expires_at, client_addr`

// CreateOAuthRequest implements store.OAuthStore.
func (s *Store) CreateOAuthRequest(ctx context.Context, r store.OAuthRequest) error {
	return s.CreateOAuthRequestWithin(ctx, r, store.OAuthRequestLimits{})
}

// CreateOAuthRequestWithin implements store.OAuthStore. The evictions come
// first (a write, so the transaction holds the write lock from the start)
// and leave room for r.
func (s *Store) CreateOAuthRequestWithin(ctx context.Context, r store.OAuthRequest, lim store.OAuthRequestLimits) error {
	return s.inTx(ctx, func(tx *sql.Tx) error {
		for _, e := range []struct {
			col, val string
			max      int
		}{{"client_addr", r.ClientAddr, lim.PerAddr}, {"client_id", r.ClientID, lim.PerClient}} {
			if e.max <= 0 {
				continue
			}
			if _, err := tx.ExecContext(ctx, `DELETE FROM oauth_requests WHERE id IN (SELECT id FROM oauth_requests
				WHERE `+e.col+` = ? AND user_id IS NULL ORDER BY created_at DESC, id DESC LIMIT -1 OFFSET ?)`, e.val, e.max-1); err != nil {
				return fmt.Errorf("create oauth request: evict by %s: %w", e.col, err)
			}
		}
		_, err := tx.ExecContext(ctx, `INSERT INTO oauth_requests (id, client_id, redirect_uri, scopes, response_type, state, nonce,
			prompt, code_challenge, code_challenge_method, created_at, expires_at, client_addr) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
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

func scanOAuthRequest(row interface{ Scan(...any) error }) (store.OAuthRequest, error) {
	var (
		r                     store.OAuthRequest
		scps, prompt          string
		created, expires      int64
		userID                sql.NullInt64
		authTime, codeExpires sql.NullInt64
		authorization         sql.NullString
	)
	err := row.Scan(&r.ID, &r.ClientID, &r.RedirectURI, &scps, &r.ResponseType, &r.State, &r.Nonce, &prompt, &r.CodeChallenge,
		&r.CodeChallengeMethod, &created, &expires, &userID, &authTime, &authorization, &codeExpires, &r.ClientAddr)
	if err != nil {
		return r, err
	}
	r.Scopes, r.Prompt = strings.Fields(scps), strings.Fields(prompt)
	r.Created, r.Expires = time.UnixMilli(created).UTC(), time.UnixMilli(expires).UTC()
	r.UserID, r.AuthorizationID = userID.Int64, authorization.String
	r.AuthTime, r.CodeExpires = fromMillis(authTime), fromMillis(codeExpires)
	return r, nil
}

// OAuthRequest implements store.OAuthStore.
func (s *Store) OAuthRequest(ctx context.Context, id string, now time.Time) (store.OAuthRequest, error) {
	r, err := scanOAuthRequest(s.db.QueryRowContext(ctx, `SELECT `+oauthRequestColumns+` FROM oauth_requests
		WHERE id = ? AND expires_at > ? AND code_hash IS NULL`, id, now.UnixMilli()))
	if err != nil {
		return r, notFound(err, "oauth request")
	}
	return r, nil
}

// ApproveOAuthRequest implements store.OAuthStore.
func (s *Store) ApproveOAuthRequest(ctx context.Context, id string, userID int64, authTime, now time.Time, newAuthorizationID string) (store.OAuthRequest, error) {
	var r store.OAuthRequest
	err := s.inTx(ctx, func(tx *sql.Tx) error {
		// The first statement writes, so the transaction holds the write
		// lock from the start.
		var clientID, scps string
		err := tx.QueryRowContext(ctx, `UPDATE oauth_requests SET user_id = ?, auth_time = ?
			WHERE id = ? AND user_id IS NULL AND code_hash IS NULL AND expires_at > ? RETURNING client_id, scopes`,
			userID, authTime.UnixMilli(), id, now.UnixMilli()).Scan(&clientID, &scps)
		if err != nil {
			if isForeignKey(err) {
				return fmt.Errorf("approve oauth request: user %d: %w", userID, store.ErrNotFound)
			}
			return notFound(err, "oauth request")
		}
		var authID, had string
		err = tx.QueryRowContext(ctx, `SELECT id, scopes FROM oauth_authorizations WHERE user_id = ? AND client_id = ? AND revoked_at IS NULL`,
			userID, clientID).Scan(&authID, &had)
		switch {
		case errors.Is(err, sql.ErrNoRows):
			authID = newAuthorizationID
			_, err = tx.ExecContext(ctx, `INSERT INTO oauth_authorizations (id, user_id, client_id, scopes, created_at, updated_at)
				VALUES (?, ?, ?, ?, ?, ?)`, authID, userID, clientID, scps, now.UnixMilli(), now.UnixMilli())
		case err == nil:
			_, err = tx.ExecContext(ctx, `UPDATE oauth_authorizations SET scopes = ?, updated_at = ? WHERE id = ?`,
				strings.Join(unionScopes(strings.Fields(had), strings.Fields(scps)), " "), now.UnixMilli(), authID)
		}
		if err != nil {
			return fmt.Errorf("approve oauth request: authorization: %w", err)
		}
		if _, err := tx.ExecContext(ctx, `UPDATE oauth_requests SET authorization_id = ? WHERE id = ?`, authID, id); err != nil {
			return fmt.Errorf("approve oauth request: %w", err)
		}
		r, err = scanOAuthRequest(tx.QueryRowContext(ctx, `SELECT `+oauthRequestColumns+` FROM oauth_requests WHERE id = ?`, id))
		return err
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
	res, err := s.db.ExecContext(ctx, `UPDATE oauth_requests SET code_hash = ?, code_expires_at = ?, expires_at = ?
		WHERE id = ? AND user_id IS NOT NULL AND code_hash IS NULL`, code[:], expires.UnixMilli(), expires.UnixMilli(), id)
	return affected(res, err, "approved oauth request "+id)
}

// OAuthRequestByCode implements store.OAuthStore.
func (s *Store) OAuthRequestByCode(ctx context.Context, code store.OAuthHash) (store.OAuthRequest, error) {
	r, err := scanOAuthRequest(s.db.QueryRowContext(ctx, `SELECT `+oauthRequestColumns+` FROM oauth_requests WHERE code_hash = ?`, code[:]))
	if errors.Is(err, sql.ErrNoRows) {
		return r, s.usedCode(ctx, s.db, code)
	}
	if err != nil {
		return r, fmt.Errorf("read oauth code: %w", err)
	}
	return r, nil
}

// usedCode returns ErrReused if code was redeemed, else ErrNotFound.
func (s *Store) usedCode(ctx context.Context, q interface {
	QueryRowContext(context.Context, string, ...any) *sql.Row
}, code store.OAuthHash) error {
	var one int
	err := q.QueryRowContext(ctx, `SELECT 1 FROM oauth_used_codes WHERE code_hash = ?`, code[:]).Scan(&one)
	switch {
	case err == nil:
		return fmt.Errorf("oauth code: %w", store.ErrReused)
	case errors.Is(err, sql.ErrNoRows):
		return fmt.Errorf("oauth code: %w", store.ErrNotFound)
	default:
		return fmt.Errorf("read oauth code: %w", err)
	}
}

// RedeemOAuthCode implements store.OAuthStore.
func (s *Store) RedeemOAuthCode(ctx context.Context, code store.OAuthHash, ss store.OAuthSession, now time.Time) (store.OAuthRequest, error) {
	var r store.OAuthRequest
	var gone bool
	err := s.inTx(ctx, func(tx *sql.Tx) error {
		var err error
		r, err = scanOAuthRequest(tx.QueryRowContext(ctx, `DELETE FROM oauth_requests WHERE code_hash = ? AND code_expires_at > ?
			RETURNING `+oauthRequestColumns, code[:], now.UnixMilli()))
		if errors.Is(err, sql.ErrNoRows) {
			gone = true
			return nil
		}
		if err != nil {
			return fmt.Errorf("redeem oauth code: %w", err)
		}
		var revoked sql.NullInt64
		err = tx.QueryRowContext(ctx, `SELECT revoked_at FROM oauth_authorizations WHERE id = ?`, r.AuthorizationID).Scan(&revoked)
		if err != nil {
			return notFound(err, "oauth authorization")
		}
		if revoked.Valid {
			return fmt.Errorf("oauth authorization %s revoked: %w", r.AuthorizationID, store.ErrNotFound)
		}
		if _, err := tx.ExecContext(ctx, `INSERT INTO oauth_sessions (id, authorization_id, scopes, created_at) VALUES (?, ?, ?, ?)`,
			ss.ID, r.AuthorizationID, strings.Join(ss.Scopes, " "), ss.Created.UnixMilli()); err != nil {
			return fmt.Errorf("redeem oauth code: session: %w", err)
		}
		if _, err := tx.ExecContext(ctx, `INSERT INTO oauth_used_codes (code_hash, session_id, used_at) VALUES (?, ?, ?)`,
			code[:], ss.ID, now.UnixMilli()); err != nil {
			return fmt.Errorf("redeem oauth code: %w", err)
		}
		return nil
	})
	if err != nil {
		return store.OAuthRequest{}, err
	}
	if gone {
		return store.OAuthRequest{}, s.usedCode(ctx, s.db, code)
	}
	return r, nil
}

// RevokeOAuthCode implements store.OAuthStore.
func (s *Store) RevokeOAuthCode(ctx context.Context, code store.OAuthHash, at time.Time) error {
	res, err := s.db.ExecContext(ctx, `UPDATE oauth_sessions SET revoked_at = COALESCE(revoked_at, ?)
		WHERE id = (SELECT session_id FROM oauth_used_codes WHERE code_hash = ?)`, at.UnixMilli(), code[:])
	return affected(res, err, "redeemed oauth code")
}

// DeleteOAuthRequest implements store.OAuthStore.
func (s *Store) DeleteOAuthRequest(ctx context.Context, id string) error {
	res, err := s.db.ExecContext(ctx, `DELETE FROM oauth_requests WHERE id = ?`, id)
	return affected(res, err, "oauth request")
}

const oauthAuthorizationColumns = `id, user_id, client_id, scopes, created_at, updated_at, revoked_at`

func scanOAuthAuthorization(row interface{ Scan(...any) error }) (store.OAuthAuthorization, error) {
	var (
		a                store.OAuthAuthorization
		scps             string
		created, updated int64
		revoked          sql.NullInt64
	)
	if err := row.Scan(&a.ID, &a.UserID, &a.ClientID, &scps, &created, &updated, &revoked); err != nil {
		return a, err
	}
	a.Scopes = strings.Fields(scps)
	a.Created, a.Updated, a.Revoked = time.UnixMilli(created).UTC(), time.UnixMilli(updated).UTC(), fromMillis(revoked)
	return a, nil
}

// OAuthAuthorization implements store.OAuthStore.
func (s *Store) OAuthAuthorization(ctx context.Context, id string) (store.OAuthAuthorization, error) {
	a, err := scanOAuthAuthorization(s.db.QueryRowContext(ctx, `SELECT `+oauthAuthorizationColumns+` FROM oauth_authorizations WHERE id = ?`, id))
	if err != nil {
		return a, notFound(err, "oauth authorization")
	}
	return a, nil
}

// OAuthAuthorizations implements store.OAuthStore.
func (s *Store) OAuthAuthorizations(ctx context.Context, userID int64, clientID string) ([]store.OAuthAuthorization, error) {
	rows, err := s.db.QueryContext(ctx, `SELECT `+oauthAuthorizationColumns+` FROM oauth_authorizations
		WHERE revoked_at IS NULL AND (?1 = 0 OR user_id = ?1) AND (?2 = '' OR client_id = ?2) ORDER BY created_at, id`, userID, clientID)
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
	return out, rows.Err()
}

// RevokeOAuthAuthorization implements store.OAuthStore.
func (s *Store) RevokeOAuthAuthorization(ctx context.Context, id string, at time.Time) error {
	res, err := s.db.ExecContext(ctx, `UPDATE oauth_authorizations SET revoked_at = ? WHERE id = ? AND revoked_at IS NULL`, at.UnixMilli(), id)
	return affected(res, err, "oauth authorization "+id)
}

// RevokeOAuthSession implements store.OAuthStore.
func (s *Store) RevokeOAuthSession(ctx context.Context, id string, at time.Time) error {
	if _, err := s.db.ExecContext(ctx, `UPDATE oauth_sessions SET revoked_at = ? WHERE id = ? AND revoked_at IS NULL`, at.UnixMilli(), id); err != nil {
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
		sRevoked, aRevoked           sql.NullInt64
	)
	cols := []any{&g.Session.ID, &g.Session.AuthorizationID, &sScopes, &sCreated, &sRevoked,
		&g.Authorization.ID, &g.Authorization.UserID, &g.Authorization.ClientID, &aScopes, &aCreated, &aUpdated, &aRevoked}
	return func() store.OAuthGrant {
		g.Session.Scopes, g.Authorization.Scopes = strings.Fields(sScopes), strings.Fields(aScopes)
		g.Session.Created, g.Session.Revoked = time.UnixMilli(sCreated).UTC(), fromMillis(sRevoked)
		g.Authorization.Created, g.Authorization.Updated = time.UnixMilli(aCreated).UTC(), time.UnixMilli(aUpdated).UTC()
		g.Authorization.Revoked = fromMillis(aRevoked)
		return g
	}, append(dest, cols...)
}

// AddOAuthAccessToken implements store.OAuthStore.
func (s *Store) AddOAuthAccessToken(ctx context.Context, t store.OAuthAccessToken) error {
	_, err := s.db.ExecContext(ctx, `INSERT INTO oauth_access_tokens (id, session_id, expires_at) VALUES (?, ?, ?)`,
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
	err := s.db.QueryRowContext(ctx, `SELECT t.session_id, t.expires_at, `+grantColumns+` FROM oauth_access_tokens t
		JOIN oauth_sessions s ON s.id = t.session_id JOIN oauth_authorizations a ON a.id = s.authorization_id
		WHERE t.id = ?`, jti).Scan(dest...)
	if err != nil {
		return t, store.OAuthGrant{}, notFound(err, "access token")
	}
	t.Expires = time.UnixMilli(expires).UTC()
	return t, grant(), nil
}

// AddOAuthRefreshToken implements store.OAuthStore.
func (s *Store) AddOAuthRefreshToken(ctx context.Context, t store.OAuthRefreshToken) error {
	return addRefreshToken(ctx, s.db, t)
}

func addRefreshToken(ctx context.Context, db interface {
	ExecContext(context.Context, string, ...any) (sql.Result, error)
}, t store.OAuthRefreshToken) error {
	_, err := db.ExecContext(ctx, `INSERT INTO oauth_refresh_tokens (hash, id, session_id, created_at, expires_at, used_at) VALUES (?, ?, ?, ?, ?, ?)`,
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
	var used sql.NullInt64
	grant, dest := scanGrant([]any{&t.ID, &t.SessionID, &created, &expires, &used})
	err := s.db.QueryRowContext(ctx, `SELECT t.id, t.session_id, t.created_at, t.expires_at, t.used_at, `+grantColumns+`
		FROM oauth_refresh_tokens t JOIN oauth_sessions s ON s.id = t.session_id JOIN oauth_authorizations a ON a.id = s.authorization_id
		WHERE t.hash = ?`, h[:]).Scan(dest...)
	if err != nil {
		return t, store.OAuthGrant{}, notFound(err, "refresh token")
	}
	t.Created, t.Expires, t.Used = time.UnixMilli(created).UTC(), time.UnixMilli(expires).UTC(), fromMillis(used)
	return t, grant(), nil
}

// RotateOAuthRefreshToken implements store.OAuthStore.
func (s *Store) RotateOAuthRefreshToken(ctx context.Context, old store.OAuthHash, next store.OAuthRefreshToken, now time.Time) (store.OAuthGrant, error) {
	var g store.OAuthGrant
	var spent bool
	err := s.inTx(ctx, func(tx *sql.Tx) error {
		err := tx.QueryRowContext(ctx, `UPDATE oauth_refresh_tokens SET used_at = ? WHERE hash = ? AND used_at IS NULL AND expires_at > ?
			RETURNING session_id`, now.UnixMilli(), old[:], now.UnixMilli()).Scan(&next.SessionID)
		if errors.Is(err, sql.ErrNoRows) {
			spent = true
			return nil
		}
		if err != nil {
			return fmt.Errorf("rotate refresh token: %w", err)
		}
		grant, dest := scanGrant(nil)
		err = tx.QueryRowContext(ctx, `SELECT `+grantColumns+` FROM oauth_sessions s JOIN oauth_authorizations a ON a.id = s.authorization_id
			WHERE s.id = ?`, next.SessionID).Scan(dest...)
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
		var used sql.NullInt64
		err := s.db.QueryRowContext(ctx, `SELECT used_at FROM oauth_refresh_tokens WHERE hash = ?`, old[:]).Scan(&used)
		switch {
		case err == nil && used.Valid:
			return g, fmt.Errorf("refresh token: %w", store.ErrReused)
		case err == nil || errors.Is(err, sql.ErrNoRows):
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
		{`DELETE FROM oauth_requests WHERE expires_at <= ?`, ms},
		{`DELETE FROM oauth_access_tokens WHERE expires_at <= ?`, ms},
		{`DELETE FROM oauth_refresh_tokens WHERE expires_at <= ?`, ms},
		{`DELETE FROM oauth_used_codes WHERE used_at <= ?`, now.Add(-store.UsedCodeRetention).UnixMilli()},
		{`DELETE FROM oauth_sessions WHERE created_at <= ?
			AND NOT EXISTS (SELECT 1 FROM oauth_refresh_tokens t WHERE t.session_id = oauth_sessions.id)
			AND NOT EXISTS (SELECT 1 FROM oauth_access_tokens t WHERE t.session_id = oauth_sessions.id)
			AND NOT EXISTS (SELECT 1 FROM oauth_used_codes c WHERE c.session_id = oauth_sessions.id)`, ms},
	} {
		if _, err := s.db.ExecContext(ctx, q.sql, q.arg); err != nil {
			return fmt.Errorf("purge oauth: %w", err)
		}
	}
	return nil
}

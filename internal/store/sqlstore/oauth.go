package sqlstore

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

// hashOrNil is a hash as a parameter, NULL for the zero hash (a public
// client's secret, a request's code before it has one).
func hashOrNil(h store.OAuthHash) []byte {
	if h == (store.OAuthHash{}) {
		return nil
	}
	return h[:]
}

const oauthAppColumns = `client_id, secret_hash, name, owner_user_id, redirect_uris, scopes, public, created_at`

// CreateOAuthApp implements store.OAuthStore.
func (s *Store) CreateOAuthApp(ctx context.Context, a store.OAuthApp) error {
	err := s.tx(ctx, func(q Querier) error {
		if err := s.roomFor(ctx, q, "oauth_apps", a.OwnerID, store.MaxOAuthAppsPerOwner); err != nil {
			return err
		}
		_, err := q.Exec(ctx, `INSERT INTO oauth_apps (`+oauthAppColumns+`) VALUES ($1, $2, $3, $4, $5, $6, $7, $8)`,
			a.ClientID, hashOrNil(a.SecretHash), a.Name, a.OwnerID, joinLines(a.RedirectURIs), strings.Join(a.Scopes, " "), a.Public, a.Created.UnixMilli())
		return err
	})
	switch {
	case errors.Is(err, store.ErrFull), errors.Is(err, store.ErrNotFound):
		return fmt.Errorf("create oauth app: %w", err)
	case s.d.IsForeignKey(err):
		return fmt.Errorf("create oauth app: user %d: %w", a.OwnerID, store.ErrNotFound)
	case s.d.IsUnique(err):
		return fmt.Errorf("create oauth app %s: %w", a.ClientID, store.ErrExists)
	case err != nil:
		return fmt.Errorf("create oauth app: %w", err)
	}
	return nil
}

func scanOAuthApp(row Row) (store.OAuthApp, error) {
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
	a.Created = timeOf(created)
	return a, nil
}

// OAuthApp implements store.OAuthStore.
func (s *Store) OAuthApp(ctx context.Context, clientID string) (store.OAuthApp, error) {
	a, err := scanOAuthApp(s.db.QueryRow(ctx, `SELECT `+oauthAppColumns+` FROM oauth_apps WHERE client_id = $1`, clientID))
	if err != nil {
		return a, notFound(err, "oauth app")
	}
	return a, nil
}

// OAuthApps implements store.OAuthStore.
func (s *Store) OAuthApps(ctx context.Context, ownerID int64) ([]store.OAuthApp, error) {
	rows, err := s.db.Query(ctx, `SELECT `+oauthAppColumns+` FROM oauth_apps WHERE CAST($1 AS BIGINT) = 0 OR owner_user_id = $1
		ORDER BY created_at, client_id`+s.d.Bytewise, ownerID)
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
	n, err := s.db.Exec(ctx, `UPDATE oauth_apps SET secret_hash = $1 WHERE client_id = $2`, hashOrNil(h), clientID)
	return affected(n, err, "oauth app "+clientID)
}

// DeleteOAuthApp implements store.OAuthStore.
func (s *Store) DeleteOAuthApp(ctx context.Context, clientID string) error {
	n, err := s.db.Exec(ctx, `DELETE FROM oauth_apps WHERE client_id = $1`, clientID)
	return affected(n, err, "oauth app "+clientID)
}

const oauthRequestColumns = `id, client_id, redirect_uri, scopes, response_type, state, nonce, prompt, code_challenge,
	code_challenge_method, created_at, expires_at, user_id, auth_time, authorization_id, code_expires_at, client_addr`

// CreateOAuthRequest implements store.OAuthStore.
func (s *Store) CreateOAuthRequest(ctx context.Context, r store.OAuthRequest) error {
	return s.CreateOAuthRequestWithin(ctx, r, store.OAuthRequestLimits{})
}

// oauthRequestLock names the lock that serialises bounded request creation
// across replicas, so that concurrent requests cannot each see room for one
// more (Dialect.XactLock; SQLite's BEGIN already serialises writers).
const oauthRequestLock = 0x696e76636c6f7564 // "invcloud"

// CreateOAuthRequestWithin implements store.OAuthStore. The evictions come
// first and leave room for r: of the pending requests sharing r's address
// (or app), all but the newest max-1 go.
func (s *Store) CreateOAuthRequestWithin(ctx context.Context, r store.OAuthRequest, lim store.OAuthRequestLimits) error {
	return s.tx(ctx, func(q Querier) error {
		if (lim.PerAddr > 0 || lim.PerClient > 0) && s.d.XactLock != "" {
			if _, err := q.Exec(ctx, s.d.XactLock, int64(oauthRequestLock)); err != nil {
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
			// The newest max-1 pending requests stay; the one at that offset, if
			// any, is the newest to go, and every older one goes with it. The
			// probe is an index-only walk of at most max entries (migration 7),
			// and below the bound it finds nothing and deletes nothing.
			var cutAt int64
			var cutID string
			err := q.QueryRow(ctx, `SELECT created_at, id FROM oauth_requests WHERE `+e.col+` = $1 AND user_id IS NULL
				ORDER BY created_at DESC, id`+s.d.Bytewise+` DESC LIMIT 1 OFFSET $2`, e.val, e.max-1).Scan(&cutAt, &cutID)
			if errors.Is(err, sql.ErrNoRows) {
				continue
			}
			if err != nil {
				return fmt.Errorf("create oauth request: find the oldest by %s: %w", e.col, err)
			}
			if _, err := q.Exec(ctx, `DELETE FROM oauth_requests WHERE `+e.col+` = $1 AND user_id IS NULL
				AND (created_at < $2 OR (created_at = $2 AND id`+s.d.Bytewise+` <= $3))`, e.val, cutAt, cutID); err != nil {
				return fmt.Errorf("create oauth request: evict by %s: %w", e.col, err)
			}
		}
		_, err := q.Exec(ctx, `INSERT INTO oauth_requests (id, client_id, redirect_uri, scopes, response_type, state, nonce,
			prompt, code_challenge, code_challenge_method, created_at, expires_at, client_addr)
			VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13)`,
			r.ID, r.ClientID, r.RedirectURI, strings.Join(r.Scopes, " "), r.ResponseType, r.State, r.Nonce,
			strings.Join(r.Prompt, " "), r.CodeChallenge, r.CodeChallengeMethod, r.Created.UnixMilli(), r.Expires.UnixMilli(), r.ClientAddr)
		switch {
		case s.d.IsForeignKey(err):
			return fmt.Errorf("create oauth request: app %s: %w", r.ClientID, store.ErrNotFound)
		case s.d.IsUnique(err):
			return fmt.Errorf("create oauth request: %w", store.ErrExists)
		case err != nil:
			return fmt.Errorf("create oauth request: %w", err)
		}
		return nil
	})
}

func scanOAuthRequest(row Row) (store.OAuthRequest, error) {
	var (
		r                     store.OAuthRequest
		scps, prompt          string
		created, expires      int64
		userID                *int64
		authTime, codeExpires *int64
		authorization         *string
	)
	err := row.Scan(&r.ID, &r.ClientID, &r.RedirectURI, &scps, &r.ResponseType, &r.State, &r.Nonce, &prompt, &r.CodeChallenge,
		&r.CodeChallengeMethod, &created, &expires, &userID, &authTime, &authorization, &codeExpires, &r.ClientAddr)
	if err != nil {
		return r, err
	}
	r.Scopes, r.Prompt = strings.Fields(scps), strings.Fields(prompt)
	r.Created, r.Expires = timeOf(created), timeOf(expires)
	if userID != nil {
		r.UserID = *userID
	}
	if authorization != nil {
		r.AuthorizationID = *authorization
	}
	r.AuthTime, r.CodeExpires = timeOrZero(authTime), timeOrZero(codeExpires)
	return r, nil
}

// OAuthRequest implements store.OAuthStore.
func (s *Store) OAuthRequest(ctx context.Context, id string, now time.Time) (store.OAuthRequest, error) {
	r, err := scanOAuthRequest(s.db.QueryRow(ctx, `SELECT `+oauthRequestColumns+` FROM oauth_requests
		WHERE id = $1 AND expires_at > $2 AND code_hash IS NULL`, id, now.UnixMilli()))
	if err != nil {
		return r, notFound(err, "oauth request")
	}
	return r, nil
}

// ApproveOAuthRequest implements store.OAuthStore. The request's UPDATE
// comes first: on SQLite the transaction so holds the write lock from the
// start; on PostgreSQL the request's row lock makes one approval win, and
// the user's row, locked next, queues approvals by one user, so two
// requests of one app cannot both create a live authorization.
func (s *Store) ApproveOAuthRequest(ctx context.Context, id string, userID int64, authTime, now time.Time, newAuthorizationID string) (store.OAuthRequest, error) {
	var r store.OAuthRequest
	err := s.tx(ctx, func(q Querier) error {
		var clientID, scps string
		err := q.QueryRow(ctx, `UPDATE oauth_requests SET user_id = $1, auth_time = $2
			WHERE id = $3 AND user_id IS NULL AND code_hash IS NULL AND expires_at > $4 RETURNING client_id, scopes`,
			userID, authTime.UnixMilli(), id, now.UnixMilli()).Scan(&clientID, &scps)
		if err != nil {
			if s.d.IsForeignKey(err) {
				return fmt.Errorf("approve oauth request: user %d: %w", userID, store.ErrNotFound)
			}
			return notFound(err, "oauth request")
		}
		if err := mustExist(ctx, q, fmt.Sprintf("user %d", userID),
			`SELECT 1 FROM users WHERE id = $1`+s.d.RowLock.NoKeyUpdate, userID); err != nil {
			return err
		}
		var authID, had string
		err = q.QueryRow(ctx, `SELECT id, scopes FROM oauth_authorizations WHERE user_id = $1 AND client_id = $2 AND revoked_at IS NULL`,
			userID, clientID).Scan(&authID, &had)
		switch {
		case errors.Is(err, sql.ErrNoRows):
			authID = newAuthorizationID
			_, err = q.Exec(ctx, `INSERT INTO oauth_authorizations (id, user_id, client_id, scopes, created_at, updated_at)
				VALUES ($1, $2, $3, $4, $5, $5)`, authID, userID, clientID, scps, now.UnixMilli())
		case err == nil:
			_, err = q.Exec(ctx, `UPDATE oauth_authorizations SET scopes = $1, updated_at = $2 WHERE id = $3`,
				strings.Join(unionScopes(strings.Fields(had), strings.Fields(scps)), " "), now.UnixMilli(), authID)
		}
		if err != nil {
			return fmt.Errorf("approve oauth request: authorization: %w", err)
		}
		r, err = scanOAuthRequest(q.QueryRow(ctx, `UPDATE oauth_requests SET authorization_id = $1 WHERE id = $2
			RETURNING `+oauthRequestColumns, authID, id))
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
	n, err := s.db.Exec(ctx, `UPDATE oauth_requests SET code_hash = $1, code_expires_at = $2, expires_at = $2
		WHERE id = $3 AND user_id IS NOT NULL AND code_hash IS NULL`, code[:], expires.UnixMilli(), id)
	return affected(n, err, "approved oauth request "+id)
}

// OAuthRequestByCode implements store.OAuthStore.
func (s *Store) OAuthRequestByCode(ctx context.Context, code store.OAuthHash) (store.OAuthRequest, error) {
	r, err := scanOAuthRequest(s.db.QueryRow(ctx, `SELECT `+oauthRequestColumns+` FROM oauth_requests WHERE code_hash = $1`, code[:]))
	if errors.Is(err, sql.ErrNoRows) {
		return r, s.usedCode(ctx, code)
	}
	if err != nil {
		return r, fmt.Errorf("read oauth code: %w", err)
	}
	return r, nil
}

// usedCode returns ErrReused if code was redeemed, else ErrNotFound.
func (s *Store) usedCode(ctx context.Context, code store.OAuthHash) error {
	used, err := exists(ctx, s.db, `SELECT 1 FROM oauth_used_codes WHERE code_hash = $1`, code[:])
	switch {
	case err != nil:
		return fmt.Errorf("read oauth code: %w", err)
	case used:
		return fmt.Errorf("oauth code: %w", store.ErrReused)
	default:
		return fmt.Errorf("oauth code: %w", store.ErrNotFound)
	}
}

// RedeemOAuthCode implements store.OAuthStore. Of concurrent redemptions
// the first DELETE wins; the others wait (on SQLite at BEGIN, on PostgreSQL
// on the row), find it gone, and report the code as reused.
func (s *Store) RedeemOAuthCode(ctx context.Context, code store.OAuthHash, ss store.OAuthSession, now time.Time) (store.OAuthRequest, error) {
	var r store.OAuthRequest
	var gone bool
	err := s.tx(ctx, func(q Querier) error {
		var err error
		r, err = scanOAuthRequest(q.QueryRow(ctx, `DELETE FROM oauth_requests WHERE code_hash = $1 AND code_expires_at > $2
			RETURNING `+oauthRequestColumns, code[:], now.UnixMilli()))
		if errors.Is(err, sql.ErrNoRows) {
			gone = true
			return nil
		}
		if err != nil {
			return fmt.Errorf("redeem oauth code: %w", err)
		}
		var revoked *int64
		err = q.QueryRow(ctx, `SELECT revoked_at FROM oauth_authorizations WHERE id = $1`, r.AuthorizationID).Scan(&revoked)
		if err != nil {
			return notFound(err, "oauth authorization")
		}
		if revoked != nil {
			return fmt.Errorf("oauth authorization %s revoked: %w", r.AuthorizationID, store.ErrNotFound)
		}
		if _, err := q.Exec(ctx, `INSERT INTO oauth_sessions (id, authorization_id, scopes, created_at) VALUES ($1, $2, $3, $4)`,
			ss.ID, r.AuthorizationID, strings.Join(ss.Scopes, " "), ss.Created.UnixMilli()); err != nil {
			return fmt.Errorf("redeem oauth code: session: %w", err)
		}
		if _, err := q.Exec(ctx, `INSERT INTO oauth_used_codes (code_hash, session_id, used_at) VALUES ($1, $2, $3)`,
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
	n, err := s.db.Exec(ctx, `UPDATE oauth_sessions SET revoked_at = COALESCE(revoked_at, $1)
		WHERE id = (SELECT session_id FROM oauth_used_codes WHERE code_hash = $2)`, at.UnixMilli(), code[:])
	return affected(n, err, "redeemed oauth code")
}

// DeleteOAuthRequest implements store.OAuthStore.
func (s *Store) DeleteOAuthRequest(ctx context.Context, id string) error {
	n, err := s.db.Exec(ctx, `DELETE FROM oauth_requests WHERE id = $1`, id)
	return affected(n, err, "oauth request")
}

const oauthAuthorizationColumns = `id, user_id, client_id, scopes, created_at, updated_at, revoked_at`

func scanOAuthAuthorization(row Row) (store.OAuthAuthorization, error) {
	var (
		a                store.OAuthAuthorization
		scps             string
		created, updated int64
		revoked          *int64
	)
	if err := row.Scan(&a.ID, &a.UserID, &a.ClientID, &scps, &created, &updated, &revoked); err != nil {
		return a, err
	}
	a.Scopes = strings.Fields(scps)
	a.Created, a.Updated, a.Revoked = timeOf(created), timeOf(updated), timeOrZero(revoked)
	return a, nil
}

// OAuthAuthorization implements store.OAuthStore.
func (s *Store) OAuthAuthorization(ctx context.Context, id string) (store.OAuthAuthorization, error) {
	a, err := scanOAuthAuthorization(s.db.QueryRow(ctx, `SELECT `+oauthAuthorizationColumns+` FROM oauth_authorizations WHERE id = $1`, id))
	if err != nil {
		return a, notFound(err, "oauth authorization")
	}
	return a, nil
}

// OAuthAuthorizations implements store.OAuthStore.
func (s *Store) OAuthAuthorizations(ctx context.Context, userID int64, clientID string) ([]store.OAuthAuthorization, error) {
	rows, err := s.db.Query(ctx, `SELECT `+oauthAuthorizationColumns+` FROM oauth_authorizations
		WHERE revoked_at IS NULL AND (CAST($1 AS BIGINT) = 0 OR user_id = $1) AND (CAST($2 AS TEXT) = '' OR client_id = $2)
		ORDER BY created_at, id`+s.d.Bytewise, userID, clientID)
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
	n, err := s.db.Exec(ctx, `UPDATE oauth_authorizations SET revoked_at = $1 WHERE id = $2 AND revoked_at IS NULL`, at.UnixMilli(), id)
	return affected(n, err, "oauth authorization "+id)
}

// RevokeOAuthSession implements store.OAuthStore.
func (s *Store) RevokeOAuthSession(ctx context.Context, id string, at time.Time) error {
	if _, err := s.db.Exec(ctx, `UPDATE oauth_sessions SET revoked_at = $1 WHERE id = $2 AND revoked_at IS NULL`, at.UnixMilli(), id); err != nil {
		return fmt.Errorf("revoke oauth session: %w", err)
	}
	return nil
}

// grantColumns read an OAuthGrant from oauth_sessions s joined with
// oauth_authorizations a.
const grantColumns = `s.id, s.authorization_id, s.scopes, s.created_at, s.revoked_at,
	a.id, a.user_id, a.client_id, a.scopes, a.created_at, a.updated_at, a.revoked_at`

// scanGrant appends grantColumns' destinations to dest and returns the
// grant they make once scanned.
func scanGrant(dest []any) (func() store.OAuthGrant, []any) {
	var (
		g                            store.OAuthGrant
		sScopes, aScopes             string
		sCreated, aCreated, aUpdated int64
		sRevoked, aRevoked           *int64
	)
	cols := []any{&g.Session.ID, &g.Session.AuthorizationID, &sScopes, &sCreated, &sRevoked,
		&g.Authorization.ID, &g.Authorization.UserID, &g.Authorization.ClientID, &aScopes, &aCreated, &aUpdated, &aRevoked}
	return func() store.OAuthGrant {
		g.Session.Scopes, g.Authorization.Scopes = strings.Fields(sScopes), strings.Fields(aScopes)
		g.Session.Created, g.Session.Revoked = timeOf(sCreated), timeOrZero(sRevoked)
		g.Authorization.Created, g.Authorization.Updated = timeOf(aCreated), timeOf(aUpdated)
		g.Authorization.Revoked = timeOrZero(aRevoked)
		return g
	}, append(dest, cols...)
}

// AddOAuthAccessToken implements store.OAuthStore.
func (s *Store) AddOAuthAccessToken(ctx context.Context, t store.OAuthAccessToken) error {
	_, err := s.db.Exec(ctx, `INSERT INTO oauth_access_tokens (id, session_id, expires_at) VALUES ($1, $2, $3)`,
		t.ID, t.SessionID, t.Expires.UnixMilli())
	switch {
	case s.d.IsForeignKey(err):
		return fmt.Errorf("add access token: session %s: %w", t.SessionID, store.ErrNotFound)
	case s.d.IsUnique(err):
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
	err := s.db.QueryRow(ctx, `SELECT t.session_id, t.expires_at, `+grantColumns+` FROM oauth_access_tokens t
		JOIN oauth_sessions s ON s.id = t.session_id JOIN oauth_authorizations a ON a.id = s.authorization_id
		WHERE t.id = $1`, jti).Scan(dest...)
	if err != nil {
		return t, store.OAuthGrant{}, notFound(err, "access token")
	}
	t.Expires = timeOf(expires)
	return t, grant(), nil
}

// AddOAuthRefreshToken implements store.OAuthStore.
func (s *Store) AddOAuthRefreshToken(ctx context.Context, t store.OAuthRefreshToken) error {
	return s.addRefreshToken(ctx, s.db, t)
}

func (s *Store) addRefreshToken(ctx context.Context, q Querier, t store.OAuthRefreshToken) error {
	_, err := q.Exec(ctx, `INSERT INTO oauth_refresh_tokens (hash, id, session_id, created_at, expires_at, used_at) VALUES ($1, $2, $3, $4, $5, $6)`,
		t.Hash[:], t.ID, t.SessionID, t.Created.UnixMilli(), t.Expires.UnixMilli(), millis(t.Used))
	switch {
	case s.d.IsForeignKey(err):
		return fmt.Errorf("add refresh token: session %s: %w", t.SessionID, store.ErrNotFound)
	case s.d.IsUnique(err):
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
	var used *int64
	grant, dest := scanGrant([]any{&t.ID, &t.SessionID, &created, &expires, &used})
	err := s.db.QueryRow(ctx, `SELECT t.id, t.session_id, t.created_at, t.expires_at, t.used_at, `+grantColumns+`
		FROM oauth_refresh_tokens t JOIN oauth_sessions s ON s.id = t.session_id JOIN oauth_authorizations a ON a.id = s.authorization_id
		WHERE t.hash = $1`, h[:]).Scan(dest...)
	if err != nil {
		return t, store.OAuthGrant{}, notFound(err, "refresh token")
	}
	t.Created, t.Expires, t.Used = timeOf(created), timeOf(expires), timeOrZero(used)
	return t, grant(), nil
}

// RotateOAuthRefreshToken implements store.OAuthStore. Of concurrent
// rotations of one token the first UPDATE wins; the others wait (on SQLite
// at BEGIN, on PostgreSQL on the row) and, re-checking used_at, find it
// spent.
func (s *Store) RotateOAuthRefreshToken(ctx context.Context, old store.OAuthHash, next store.OAuthRefreshToken, now time.Time) (store.OAuthGrant, error) {
	var g store.OAuthGrant
	var spent bool
	err := s.tx(ctx, func(q Querier) error {
		err := q.QueryRow(ctx, `UPDATE oauth_refresh_tokens SET used_at = $1 WHERE hash = $2 AND used_at IS NULL AND expires_at > $1
			RETURNING session_id`, now.UnixMilli(), old[:]).Scan(&next.SessionID)
		if errors.Is(err, sql.ErrNoRows) {
			spent = true
			return nil
		}
		if err != nil {
			return fmt.Errorf("rotate refresh token: %w", err)
		}
		grant, dest := scanGrant(nil)
		err = q.QueryRow(ctx, `SELECT `+grantColumns+` FROM oauth_sessions s JOIN oauth_authorizations a ON a.id = s.authorization_id
			WHERE s.id = $1`, next.SessionID).Scan(dest...)
		if err != nil {
			return notFound(err, "oauth session")
		}
		if g = grant(); !g.Live() {
			return fmt.Errorf("refresh token: grant revoked: %w", store.ErrNotFound)
		}
		return s.addRefreshToken(ctx, q, next)
	})
	if err != nil {
		return store.OAuthGrant{}, err
	}
	if spent {
		var used *int64
		err := s.db.QueryRow(ctx, `SELECT used_at FROM oauth_refresh_tokens WHERE hash = $1`, old[:]).Scan(&used)
		switch {
		case err == nil && used != nil:
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
		{`DELETE FROM oauth_requests WHERE expires_at <= $1`, ms},
		{`DELETE FROM oauth_access_tokens WHERE expires_at <= $1`, ms},
		{`DELETE FROM oauth_refresh_tokens WHERE expires_at <= $1`, ms},
		{`DELETE FROM oauth_used_codes WHERE used_at <= $1`, now.Add(-store.UsedCodeRetention).UnixMilli()},
		{`DELETE FROM oauth_sessions WHERE created_at <= $1
			AND NOT EXISTS (SELECT 1 FROM oauth_refresh_tokens t WHERE t.session_id = oauth_sessions.id)
			AND NOT EXISTS (SELECT 1 FROM oauth_access_tokens t WHERE t.session_id = oauth_sessions.id)
			AND NOT EXISTS (SELECT 1 FROM oauth_used_codes c WHERE c.session_id = oauth_sessions.id)`, ms},
	} {
		if _, err := s.db.Exec(ctx, q.sql, q.arg); err != nil {
			return fmt.Errorf("purge oauth: %w", err)
		}
	}
	return nil
}

package postgres

import (
	"strings"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgtype"

	"github.com/invcloud/invcloud/internal/store"
)

// The OAuth store is shared (sqlstore/oauth.go). What stays here is what
// export.go and the bulk import still use, until the generic copy replaces
// them.

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

const oauthRequestColumns = `id, client_id, redirect_uri, scopes, response_type, state, nonce, prompt, code_challenge,
	code_challenge_method, created_at, expires_at, user_id, auth_time, authorization_id, code_expires_at, client_addr`

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

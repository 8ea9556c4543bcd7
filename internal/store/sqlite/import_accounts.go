package sqlite

import (
	"context"
	"database/sql"
	"fmt"
	"maps"
	"slices"
	"strings"

	"github.com/invcloud/invcloud/internal/store"
)

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

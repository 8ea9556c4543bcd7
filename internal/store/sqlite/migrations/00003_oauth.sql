-- +goose Up
-- OAuth 2.0 provider state. Secrets (client secrets, codes, refresh
-- tokens) are kept only as SHA-256 hashes.
CREATE TABLE oauth_apps (
    client_id     TEXT PRIMARY KEY,
    secret_hash   BLOB,                -- NULL for public clients
    name          TEXT NOT NULL,
    owner_user_id INTEGER NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    redirect_uris TEXT NOT NULL,       -- one per line
    scopes        TEXT NOT NULL,       -- space separated
    public        INTEGER NOT NULL,
    created_at    INTEGER NOT NULL
);
CREATE INDEX oauth_apps_owner ON oauth_apps (owner_user_id);

-- A user's consent to an app; at most one live row per (user, app).
CREATE TABLE oauth_authorizations (
    id         TEXT PRIMARY KEY,
    user_id    INTEGER NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    client_id  TEXT NOT NULL REFERENCES oauth_apps (client_id) ON DELETE CASCADE,
    scopes     TEXT NOT NULL,
    created_at INTEGER NOT NULL,
    updated_at INTEGER NOT NULL,
    revoked_at INTEGER
);
CREATE UNIQUE INDEX oauth_authorizations_live ON oauth_authorizations (user_id, client_id) WHERE revoked_at IS NULL;
CREATE INDEX oauth_authorizations_client ON oauth_authorizations (client_id);

-- Pending authorization requests, then their codes until redeemed.
CREATE TABLE oauth_requests (
    id                    TEXT PRIMARY KEY,
    client_id             TEXT NOT NULL REFERENCES oauth_apps (client_id) ON DELETE CASCADE,
    redirect_uri          TEXT NOT NULL,
    scopes                TEXT NOT NULL,
    response_type         TEXT NOT NULL,
    state                 TEXT NOT NULL,
    nonce                 TEXT NOT NULL,
    prompt                TEXT NOT NULL,
    code_challenge        TEXT NOT NULL,
    code_challenge_method TEXT NOT NULL,
    created_at            INTEGER NOT NULL,
    expires_at            INTEGER NOT NULL,
    user_id               INTEGER REFERENCES users (id) ON DELETE CASCADE,
    auth_time             INTEGER,
    authorization_id      TEXT REFERENCES oauth_authorizations (id) ON DELETE CASCADE,
    code_hash             BLOB UNIQUE,
    code_expires_at       INTEGER
);
CREATE INDEX oauth_requests_expires ON oauth_requests (expires_at);

-- Authorization sessions: the tokens of one code redemption and its refreshes.
CREATE TABLE oauth_sessions (
    id               TEXT PRIMARY KEY,
    authorization_id TEXT NOT NULL REFERENCES oauth_authorizations (id) ON DELETE CASCADE,
    scopes           TEXT NOT NULL,
    created_at       INTEGER NOT NULL,
    revoked_at       INTEGER
);
CREATE INDEX oauth_sessions_authorization ON oauth_sessions (authorization_id);

-- Redeemed codes, remembered to recognise replays.
CREATE TABLE oauth_used_codes (
    code_hash  BLOB PRIMARY KEY,
    session_id TEXT NOT NULL REFERENCES oauth_sessions (id) ON DELETE CASCADE,
    used_at    INTEGER NOT NULL
);
CREATE INDEX oauth_used_codes_session ON oauth_used_codes (session_id);
CREATE INDEX oauth_used_codes_used ON oauth_used_codes (used_at);

CREATE TABLE oauth_refresh_tokens (
    hash       BLOB PRIMARY KEY,
    id         TEXT NOT NULL UNIQUE,
    session_id TEXT NOT NULL REFERENCES oauth_sessions (id) ON DELETE CASCADE,
    created_at INTEGER NOT NULL,
    expires_at INTEGER NOT NULL,
    used_at    INTEGER
);
CREATE INDEX oauth_refresh_tokens_session ON oauth_refresh_tokens (session_id);
CREATE INDEX oauth_refresh_tokens_expires ON oauth_refresh_tokens (expires_at);

CREATE TABLE oauth_access_tokens (
    id         TEXT PRIMARY KEY,
    session_id TEXT NOT NULL REFERENCES oauth_sessions (id) ON DELETE CASCADE,
    expires_at INTEGER NOT NULL
);
CREATE INDEX oauth_access_tokens_session ON oauth_access_tokens (session_id);
CREATE INDEX oauth_access_tokens_expires ON oauth_access_tokens (expires_at);

-- +goose Down
DROP TABLE oauth_access_tokens;
DROP TABLE oauth_refresh_tokens;
DROP TABLE oauth_used_codes;
DROP TABLE oauth_sessions;
DROP TABLE oauth_requests;
DROP TABLE oauth_authorizations;
DROP TABLE oauth_apps;

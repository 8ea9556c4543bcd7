-- +goose Up
CREATE TABLE settings (
    name  TEXT PRIMARY KEY,
    value BLOB NOT NULL
);

CREATE TABLE users (
    id           INTEGER PRIMARY KEY,
    name         TEXT NOT NULL UNIQUE COLLATE NOCASE,
    display_name TEXT NOT NULL,
    created_at   INTEGER NOT NULL,
    visibility   TEXT NOT NULL CHECK (visibility IN ('everyone', 'friends', 'noone'))
);

-- Catalog.
CREATE TABLE assets (
    id                  INTEGER PRIMARY KEY,
    name                TEXT NOT NULL,
    asset_type_id       INTEGER NOT NULL,
    creator_user_id     INTEGER NOT NULL DEFAULT 0,
    collectible_item_id TEXT,
    serialized          INTEGER NOT NULL DEFAULT 0,
    created_at          INTEGER NOT NULL
);
CREATE TABLE badges (
    id          INTEGER PRIMARY KEY,
    name        TEXT NOT NULL,
    universe_id INTEGER NOT NULL DEFAULT 0
);
CREATE TABLE game_passes (
    id          INTEGER PRIMARY KEY,
    name        TEXT NOT NULL,
    universe_id INTEGER NOT NULL DEFAULT 0
);
CREATE TABLE private_servers (
    id          INTEGER PRIMARY KEY,
    name        TEXT NOT NULL,
    universe_id INTEGER NOT NULL DEFAULT 0
);

-- Ownership. Each table is clustered on (user_id, item key), the listing
-- order, so a page is one range scan. asset_type is the Open Cloud enum
-- value as the owner sees it (created vs purchased place).
CREATE TABLE user_assets (
    user_id                 INTEGER NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    instance_id             INTEGER NOT NULL,
    asset_id                INTEGER NOT NULL REFERENCES assets (id),
    asset_type              INTEGER NOT NULL,
    serial_number           INTEGER,
    collectible_instance_id TEXT,
    collectible_state       INTEGER,
    added_at                INTEGER,
    PRIMARY KEY (user_id, instance_id)
) WITHOUT ROWID;
CREATE UNIQUE INDEX user_assets_instance ON user_assets (instance_id);
CREATE INDEX user_assets_owned ON user_assets (user_id, asset_id);
-- Serial numbers and (later) the asset owners listing walk an asset's copies.
CREATE INDEX user_assets_by_asset ON user_assets (asset_id, instance_id);

CREATE TABLE user_badges (
    user_id  INTEGER NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    badge_id INTEGER NOT NULL REFERENCES badges (id),
    added_at INTEGER,
    PRIMARY KEY (user_id, badge_id)
) WITHOUT ROWID;
CREATE TABLE user_game_passes (
    user_id      INTEGER NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    game_pass_id INTEGER NOT NULL REFERENCES game_passes (id),
    added_at     INTEGER,
    PRIMARY KEY (user_id, game_pass_id)
) WITHOUT ROWID;
CREATE TABLE user_private_servers (
    user_id           INTEGER NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    private_server_id INTEGER NOT NULL REFERENCES private_servers (id),
    added_at          INTEGER,
    PRIMARY KEY (user_id, private_server_id)
) WITHOUT ROWID;

CREATE TABLE api_keys (
    id            INTEGER PRIMARY KEY,
    owner_user_id INTEGER NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    name          TEXT NOT NULL,
    secret_hash   BLOB NOT NULL UNIQUE,
    scopes        TEXT NOT NULL,
    allow_ips     TEXT NOT NULL,
    expires_at    INTEGER,
    enabled       INTEGER NOT NULL,
    created_at    INTEGER NOT NULL,
    last_used_at  INTEGER
);
CREATE INDEX api_keys_owner ON api_keys (owner_user_id);

-- +goose Down
DROP TABLE api_keys;
DROP TABLE user_private_servers;
DROP TABLE user_game_passes;
DROP TABLE user_badges;
DROP TABLE user_assets;
DROP TABLE private_servers;
DROP TABLE game_passes;
DROP TABLE badges;
DROP TABLE assets;
DROP TABLE users;
DROP TABLE settings;

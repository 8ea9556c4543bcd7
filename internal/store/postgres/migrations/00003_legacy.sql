-- +goose Up
-- What the legacy inventory.roblox.com endpoints read, as in SQLite's
-- 00005_legacy.sql.

-- Friendship is symmetric: both directions are stored.
CREATE TABLE friends (
    user_id    BIGINT NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    friend_id  BIGINT NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    created_at BIGINT NOT NULL,
    PRIMARY KEY (user_id, friend_id),
    CHECK (user_id <> friend_id)
);

CREATE TABLE bundles (
    id              BIGINT PRIMARY KEY,
    name            TEXT NOT NULL,
    bundle_type     INTEGER NOT NULL,
    creator_user_id BIGINT NOT NULL DEFAULT 0,
    created_at      BIGINT NOT NULL
);
CREATE TABLE bundle_assets (
    bundle_id BIGINT NOT NULL REFERENCES bundles (id) ON DELETE CASCADE,
    asset_id  BIGINT NOT NULL REFERENCES assets (id),
    PRIMARY KEY (bundle_id, asset_id)
);
CREATE TABLE user_bundles (
    user_id   BIGINT NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    bundle_id BIGINT NOT NULL REFERENCES bundles (id),
    added_at  BIGINT,
    PRIMARY KEY (user_id, bundle_id)
);

CREATE TABLE package_assets (
    package_id BIGINT NOT NULL REFERENCES assets (id) ON DELETE CASCADE,
    asset_id   BIGINT NOT NULL REFERENCES assets (id),
    PRIMARY KEY (package_id, asset_id)
);

CREATE TABLE asset_prices (
    asset_id             BIGINT PRIMARY KEY REFERENCES assets (id) ON DELETE CASCADE,
    recent_average_price BIGINT NOT NULL,
    original_price       BIGINT,
    asset_stock          BIGINT
);

CREATE TABLE places (
    asset_id       BIGINT PRIMARY KEY REFERENCES assets (id) ON DELETE CASCADE,
    universe_id    BIGINT NOT NULL,
    price_in_robux BIGINT
);
CREATE TABLE place_tabs (
    user_id  BIGINT NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    tab      INTEGER NOT NULL CHECK (tab BETWEEN 0 AND 5),
    position BIGINT NOT NULL,
    place_id BIGINT NOT NULL REFERENCES places (asset_id) ON DELETE CASCADE,
    added_at BIGINT,
    PRIMARY KEY (user_id, tab, position)
);
CREATE UNIQUE INDEX place_tabs_place ON place_tabs (user_id, tab, place_id);

CREATE TABLE favorites (
    user_id   BIGINT NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    item_type INTEGER NOT NULL,
    item_id   BIGINT NOT NULL,
    added_at  BIGINT,
    PRIMARY KEY (user_id, item_type, item_id)
);
CREATE TABLE collections (
    user_id   BIGINT NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    item_type INTEGER NOT NULL,
    item_id   BIGINT NOT NULL,
    added_at  BIGINT NOT NULL,
    PRIMARY KEY (user_id, item_type, item_id)
);

-- The collectibles listing walks only collectible instances (the owners
-- listings use user_assets_by_asset, which this schema kept).
CREATE INDEX user_assets_collectible ON user_assets (user_id, instance_id) WHERE collectible_instance_id IS NOT NULL;
CREATE INDEX assets_collectible_item ON assets (collectible_item_id) WHERE collectible_item_id IS NOT NULL;

-- +goose Down
DROP INDEX assets_collectible_item;
DROP INDEX user_assets_collectible;
DROP TABLE collections;
DROP TABLE favorites;
DROP TABLE place_tabs;
DROP TABLE places;
DROP TABLE asset_prices;
DROP TABLE package_assets;
DROP TABLE user_bundles;
DROP TABLE bundle_assets;
DROP TABLE bundles;
DROP TABLE friends;

-- +goose Up
-- What the legacy inventory.roblox.com endpoints read beyond the Open Cloud
-- inventory.

-- Friendship is symmetric: both directions are stored, so "is B a friend
-- of A" and "A's friends" are each one primary-key lookup.
CREATE TABLE friends (
    user_id    INTEGER NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    friend_id  INTEGER NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    created_at INTEGER NOT NULL,
    PRIMARY KEY (user_id, friend_id),
    CHECK (user_id <> friend_id)
) WITHOUT ROWID;

CREATE TABLE bundles (
    id              INTEGER PRIMARY KEY,
    name            TEXT NOT NULL,
    bundle_type     INTEGER NOT NULL,
    creator_user_id INTEGER NOT NULL DEFAULT 0,
    created_at      INTEGER NOT NULL
);
CREATE TABLE bundle_assets (
    bundle_id INTEGER NOT NULL REFERENCES bundles (id) ON DELETE CASCADE,
    asset_id  INTEGER NOT NULL REFERENCES assets (id),
    PRIMARY KEY (bundle_id, asset_id)
) WITHOUT ROWID;
CREATE TABLE user_bundles (
    user_id   INTEGER NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    bundle_id INTEGER NOT NULL REFERENCES bundles (id),
    added_at  INTEGER,
    PRIMARY KEY (user_id, bundle_id)
) WITHOUT ROWID;

-- Contents of package assets (legacy type 32).
CREATE TABLE package_assets (
    package_id INTEGER NOT NULL REFERENCES assets (id) ON DELETE CASCADE,
    asset_id   INTEGER NOT NULL REFERENCES assets (id),
    PRIMARY KEY (package_id, asset_id)
) WITHOUT ROWID;

-- Economy data of collectibles; NULL is "unknown" (null on the wire).
CREATE TABLE asset_prices (
    asset_id             INTEGER PRIMARY KEY REFERENCES assets (id) ON DELETE CASCADE,
    recent_average_price INTEGER NOT NULL,
    original_price       INTEGER,
    asset_stock          INTEGER
);

-- Game data of place assets, and the tabs of users' places inventories.
CREATE TABLE places (
    asset_id       INTEGER PRIMARY KEY REFERENCES assets (id) ON DELETE CASCADE,
    universe_id    INTEGER NOT NULL,
    price_in_robux INTEGER
);
CREATE TABLE place_tabs (
    user_id  INTEGER NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    tab      INTEGER NOT NULL CHECK (tab BETWEEN 0 AND 5),
    position INTEGER NOT NULL,
    place_id INTEGER NOT NULL REFERENCES places (asset_id) ON DELETE CASCADE,
    added_at INTEGER,
    PRIMARY KEY (user_id, tab, position)
) WITHOUT ROWID;
CREATE UNIQUE INDEX place_tabs_place ON place_tabs (user_id, tab, place_id);

-- Favorites and collections hold assets (item_type 0) and bundles (3).
CREATE TABLE favorites (
    user_id   INTEGER NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    item_type INTEGER NOT NULL,
    item_id   INTEGER NOT NULL,
    added_at  INTEGER,
    PRIMARY KEY (user_id, item_type, item_id)
) WITHOUT ROWID;
CREATE TABLE collections (
    user_id   INTEGER NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    item_type INTEGER NOT NULL,
    item_id   INTEGER NOT NULL,
    added_at  INTEGER NOT NULL,
    PRIMARY KEY (user_id, item_type, item_id)
) WITHOUT ROWID;

-- The collectibles listing and the owners listings walk only collectible
-- instances: partial indexes keep them off the bulk-import path of the
-- (far more numerous) ordinary assets that 00004 sped up by dropping
-- user_assets_by_asset.
CREATE INDEX user_assets_collectible ON user_assets (user_id, instance_id) WHERE collectible_instance_id IS NOT NULL;
CREATE INDEX user_assets_collectible_by_asset ON user_assets (asset_id, instance_id) WHERE collectible_instance_id IS NOT NULL;
CREATE INDEX assets_collectible_item ON assets (collectible_item_id) WHERE collectible_item_id IS NOT NULL;

-- +goose Down
DROP INDEX assets_collectible_item;
DROP INDEX user_assets_collectible_by_asset;
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

-- +goose Up
-- Groups (Open Cloud v2 Groups and groups.roblox.com): the group, its roles,
-- memberships, pending join requests and the shout. Text limits are
-- Roblox's, in characters (SQLite's length() of TEXT counts characters).
--
-- The rules that span rows are kept by the store (sqlstore/groups.go), in
-- the transaction that writes: a membership never holds the guest role
-- (rank 0), and the owner, when there is one, holds the rank-255 role.

-- owner_user_id is NULL for an abandoned group (Roblox then omits owner);
-- deleting the owner's account abandons the group.
CREATE TABLE groups (
    id            INTEGER PRIMARY KEY,
    name          TEXT NOT NULL CHECK (length(name) BETWEEN 1 AND 50),
    description   TEXT NOT NULL DEFAULT '' CHECK (length(description) <= 1000),
    owner_user_id INTEGER REFERENCES users (id) ON DELETE SET NULL,
    public_entry  INTEGER NOT NULL DEFAULT 0 CHECK (public_entry IN (0, 1)),
    locked        INTEGER NOT NULL DEFAULT 0 CHECK (locked IN (0, 1)),
    verified      INTEGER NOT NULL DEFAULT 0 CHECK (verified IN (0, 1)),
    created_at    INTEGER NOT NULL,
    updated_at    INTEGER NOT NULL
) STRICT;
CREATE INDEX groups_owner ON groups (owner_user_id) WHERE owner_user_id IS NOT NULL;

-- Ranks are unique within a group (as on Roblox); the unique index is also
-- the roles listing (by rank) and "the lowest non-guest role" of an accepted
-- join request. permissions is a bit set: bit i is the i-th permission of
-- store.PermissionNames (the order of spec 3.2's GroupRole_RolePermissions),
-- one integer rather than 30 boolean columns or a JSON text, so a new
-- permission Roblox adds is a new name in Go and no migration, and a check
-- is one AND.
CREATE TABLE group_roles (
    id          INTEGER PRIMARY KEY,
    group_id    INTEGER NOT NULL REFERENCES groups (id) ON DELETE CASCADE,
    name        TEXT NOT NULL CHECK (length(name) BETWEEN 1 AND 100),
    description TEXT NOT NULL DEFAULT '' CHECK (length(description) <= 1000),
    rank        INTEGER NOT NULL CHECK (rank BETWEEN 0 AND 255),
    permissions INTEGER NOT NULL DEFAULT 0 CHECK (permissions >= 0),
    created_at  INTEGER NOT NULL,
    updated_at  INTEGER NOT NULL,
    UNIQUE (group_id, rank),
    UNIQUE (group_id, id)
) STRICT;

-- One role per membership, of the same group (the composite key). The key
-- is the members listing of a group (keyset by user id); by_user is a
-- user's groups; by_role the listing filtered by role.
CREATE TABLE group_memberships (
    group_id   INTEGER NOT NULL REFERENCES groups (id) ON DELETE CASCADE,
    user_id    INTEGER NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    role_id    INTEGER NOT NULL,
    created_at INTEGER NOT NULL,
    updated_at INTEGER NOT NULL,
    PRIMARY KEY (group_id, user_id),
    FOREIGN KEY (group_id, role_id) REFERENCES group_roles (group_id, id)
) STRICT, WITHOUT ROWID;
CREATE INDEX group_memberships_by_user ON group_memberships (user_id, group_id);
CREATE INDEX group_memberships_by_role ON group_memberships (group_id, role_id, user_id);

-- A join request's id is the requesting user's id.
CREATE TABLE group_join_requests (
    group_id   INTEGER NOT NULL REFERENCES groups (id) ON DELETE CASCADE,
    user_id    INTEGER NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    created_at INTEGER NOT NULL,
    PRIMARY KEY (group_id, user_id)
) STRICT, WITHOUT ROWID;
CREATE INDEX group_join_requests_by_user ON group_join_requests (user_id, group_id);

-- At most one shout per group; the poster stays NULL when unknown (or
-- deleted).
CREATE TABLE group_shouts (
    group_id       INTEGER PRIMARY KEY REFERENCES groups (id) ON DELETE CASCADE,
    content        TEXT NOT NULL CHECK (length(content) <= 255),
    poster_user_id INTEGER REFERENCES users (id) ON DELETE SET NULL,
    created_at     INTEGER NOT NULL,
    updated_at     INTEGER NOT NULL
) STRICT;

-- +goose Down
DROP TABLE group_shouts;
DROP TABLE group_join_requests;
DROP TABLE group_memberships;
DROP TABLE group_roles;
DROP TABLE groups;

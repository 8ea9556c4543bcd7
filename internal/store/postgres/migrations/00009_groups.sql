-- +goose Up
-- Groups, as in SQLite's 00009_groups.sql (the comments there explain the
-- columns and keys). length() of text counts characters here too.
CREATE TABLE groups (
    id            BIGINT PRIMARY KEY,
    name          TEXT NOT NULL CHECK (length(name) BETWEEN 1 AND 50),
    description   TEXT NOT NULL DEFAULT '' CHECK (length(description) <= 1000),
    owner_user_id BIGINT REFERENCES users (id) ON DELETE SET NULL,
    public_entry  BOOLEAN NOT NULL DEFAULT false,
    locked        BOOLEAN NOT NULL DEFAULT false,
    verified      BOOLEAN NOT NULL DEFAULT false,
    created_at    BIGINT NOT NULL,
    updated_at    BIGINT NOT NULL
);
CREATE INDEX groups_owner ON groups (owner_user_id) WHERE owner_user_id IS NOT NULL;

-- permissions: a bit set, bit i the i-th name of store.PermissionNames.
CREATE TABLE group_roles (
    id          BIGINT PRIMARY KEY,
    group_id    BIGINT NOT NULL REFERENCES groups (id) ON DELETE CASCADE,
    name        TEXT NOT NULL CHECK (length(name) BETWEEN 1 AND 100),
    description TEXT NOT NULL DEFAULT '' CHECK (length(description) <= 1000),
    rank        INTEGER NOT NULL CHECK (rank BETWEEN 0 AND 255),
    permissions BIGINT NOT NULL DEFAULT 0 CHECK (permissions >= 0),
    created_at  BIGINT NOT NULL,
    updated_at  BIGINT NOT NULL,
    UNIQUE (group_id, rank),
    UNIQUE (group_id, id)
);

CREATE TABLE group_memberships (
    group_id   BIGINT NOT NULL REFERENCES groups (id) ON DELETE CASCADE,
    user_id    BIGINT NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    role_id    BIGINT NOT NULL,
    created_at BIGINT NOT NULL,
    updated_at BIGINT NOT NULL,
    PRIMARY KEY (group_id, user_id),
    FOREIGN KEY (group_id, role_id) REFERENCES group_roles (group_id, id)
);
CREATE INDEX group_memberships_by_user ON group_memberships (user_id, group_id);
CREATE INDEX group_memberships_by_role ON group_memberships (group_id, role_id, user_id);

CREATE TABLE group_join_requests (
    group_id   BIGINT NOT NULL REFERENCES groups (id) ON DELETE CASCADE,
    user_id    BIGINT NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    created_at BIGINT NOT NULL,
    PRIMARY KEY (group_id, user_id)
);
CREATE INDEX group_join_requests_by_user ON group_join_requests (user_id, group_id);

CREATE TABLE group_shouts (
    group_id       BIGINT PRIMARY KEY REFERENCES groups (id) ON DELETE CASCADE,
    content        TEXT NOT NULL CHECK (length(content) <= 255),
    poster_user_id BIGINT REFERENCES users (id) ON DELETE SET NULL,
    created_at     BIGINT NOT NULL,
    updated_at     BIGINT NOT NULL
);

-- +goose Down
DROP TABLE group_shouts;
DROP TABLE group_join_requests;
DROP TABLE group_memberships;
DROP TABLE group_roles;
DROP TABLE groups;

-- +goose Up
-- users.roblox.com's user lookups: a terminated (banned) flag and the
-- profile description (Roblox's 1,000-character "About" text).
ALTER TABLE users ADD COLUMN banned INTEGER NOT NULL DEFAULT 0 CHECK (banned IN (0, 1));
ALTER TABLE users ADD COLUMN description TEXT NOT NULL DEFAULT '' CHECK (length(description) <= 1000);

-- +goose Down
ALTER TABLE users DROP COLUMN description;
ALTER TABLE users DROP COLUMN banned;

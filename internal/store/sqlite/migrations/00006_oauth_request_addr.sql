-- +goose Up
-- Pending authorization requests are bounded per app and per client
-- address (internal/oauth): the address is kept, and both bounds are
-- counted over the not yet approved requests, newest first.
ALTER TABLE oauth_requests ADD COLUMN client_addr TEXT NOT NULL DEFAULT '';
CREATE INDEX oauth_requests_pending_addr ON oauth_requests (client_addr, created_at) WHERE user_id IS NULL;
CREATE INDEX oauth_requests_pending_client ON oauth_requests (client_id, created_at) WHERE user_id IS NULL;

-- +goose Down
DROP INDEX oauth_requests_pending_client;
DROP INDEX oauth_requests_pending_addr;
ALTER TABLE oauth_requests DROP COLUMN client_addr;

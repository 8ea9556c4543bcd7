-- +goose Up
-- Eviction of the oldest pending authorization requests walks these indexes
-- in (created_at, id) order: with id in the index that is an index-only walk
-- instead of a sort of every pending row inside the write transaction.
DROP INDEX oauth_requests_pending_addr;
DROP INDEX oauth_requests_pending_client;
CREATE INDEX oauth_requests_pending_addr ON oauth_requests (client_addr, created_at, id COLLATE "C") WHERE user_id IS NULL;
CREATE INDEX oauth_requests_pending_client ON oauth_requests (client_id, created_at, id COLLATE "C") WHERE user_id IS NULL;

-- +goose Down
DROP INDEX oauth_requests_pending_client;
DROP INDEX oauth_requests_pending_addr;
CREATE INDEX oauth_requests_pending_addr ON oauth_requests (client_addr, created_at) WHERE user_id IS NULL;
CREATE INDEX oauth_requests_pending_client ON oauth_requests (client_id, created_at) WHERE user_id IS NULL;

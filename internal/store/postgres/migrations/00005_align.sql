-- +goose Up
-- Nothing to do: this version only lines the PostgreSQL tree up with the
-- SQLite one. Until here the trees were numbered apart (SQLite's 00002
-- accounts and 00004 sequences are in PostgreSQL's 00001, and SQLite's
-- 00006 client_addr is PostgreSQL's 00004); from 00007 on a version
-- number means the same change in both trees, with an empty file like this
-- one where an engine has nothing to do (internal/store/copy_test.go checks
-- both trees end at the same version).
SELECT 1;

-- +goose Down
SELECT 1;

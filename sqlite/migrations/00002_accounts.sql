-- Accounts and their API tokens (package api). Only a SHA-256 hash of each
-- token is stored; times are Unix milliseconds.

-- +goose Up
CREATE TABLE accounts (
    id          INTEGER PRIMARY KEY,
    name        TEXT NOT NULL,
    role        TEXT NOT NULL,
    participant TEXT NOT NULL DEFAULT '',
    kind        TEXT NOT NULL DEFAULT '',
    created     INTEGER NOT NULL
);

CREATE TABLE tokens (
    id         INTEGER PRIMARY KEY,
    account_id INTEGER NOT NULL REFERENCES accounts (id),
    name       TEXT NOT NULL,
    hash       BLOB NOT NULL UNIQUE,
    created    INTEGER NOT NULL,
    revoked    INTEGER
);
CREATE INDEX tokens_account ON tokens (account_id);

-- +goose Down
DROP TABLE tokens;
DROP TABLE accounts;

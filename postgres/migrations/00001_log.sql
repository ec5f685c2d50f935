-- The tamper-evident log (package ledger), as in the SQLite schema but with
-- PostgreSQL's types. The entry bytes in entries.data are authoritative;
-- kind, participant, key_name and body_hash are copies kept for lookups
-- and for refusing replays.

-- +goose Up
CREATE TABLE log_info (
    id           INTEGER PRIMARY KEY CHECK (id = 1),
    origin       TEXT NOT NULL,
    verifier_key TEXT NOT NULL
);

CREATE TABLE entries (
    idx         BIGINT PRIMARY KEY,
    kind        TEXT NOT NULL,
    participant TEXT NOT NULL,
    key_name    TEXT NOT NULL,
    body_hash   BYTEA NOT NULL UNIQUE,
    data        BYTEA NOT NULL
);
CREATE INDEX entries_participant ON entries (participant, kind);

-- tlog stored hashes, keyed by tlog storage index (tlog.StoredHashIndex).
CREATE TABLE hashes (
    id   BIGINT PRIMARY KEY,
    hash BYTEA NOT NULL
);

-- Every checkpoint the log has signed; the one with the largest size is the
-- latest, and its size is the number of entries.
CREATE TABLE checkpoints (
    size BIGINT PRIMARY KEY,
    root BYTEA NOT NULL,
    note TEXT NOT NULL
);

-- The key registry, derived from the log's "key" entries.
CREATE TABLE keys (
    name          TEXT PRIMARY KEY,
    participant   TEXT NOT NULL,
    public_key    TEXT NOT NULL,
    registered_at BIGINT NOT NULL,
    revoked_from  BIGINT NOT NULL DEFAULT 0
);
CREATE INDEX keys_participant ON keys (participant);

-- +goose Down
DROP TABLE keys;
DROP TABLE checkpoints;
DROP TABLE hashes;
DROP TABLE entries;
DROP TABLE log_info;

-- The expert forum (package forum, docs/forum.md). Times are Unix
-- milliseconds; structured values (a delegation's members, a rule, a
-- package of measures, an assessment, a decision, Delphi round
-- statistics) are JSON text.

-- +goose Up
CREATE TABLE forums (
    id          INTEGER PRIMARY KEY,
    title       TEXT NOT NULL,
    description TEXT NOT NULL DEFAULT '',
    created     INTEGER NOT NULL
);

CREATE TABLE forum_sessions (
    id       INTEGER PRIMARY KEY,
    forum_id INTEGER NOT NULL REFERENCES forums (id),
    title    TEXT NOT NULL,
    created  INTEGER NOT NULL
);

CREATE TABLE forum_delegations (
    id          INTEGER PRIMARY KEY,
    forum_id    INTEGER NOT NULL REFERENCES forums (id),
    participant TEXT NOT NULL,
    kind        TEXT NOT NULL,
    name        TEXT NOT NULL,
    head        TEXT NOT NULL,
    members     TEXT NOT NULL,
    status      TEXT NOT NULL,
    created     INTEGER NOT NULL,
    updated     INTEGER NOT NULL
);
CREATE INDEX forum_delegations_forum ON forum_delegations (forum_id, participant);

CREATE TABLE forum_experts (
    id          INTEGER PRIMARY KEY,
    forum_id    INTEGER NOT NULL REFERENCES forums (id),
    account_id  INTEGER NOT NULL REFERENCES accounts (id),
    name        TEXT NOT NULL,
    affiliation TEXT NOT NULL DEFAULT '',
    created     INTEGER NOT NULL,
    UNIQUE (forum_id, account_id)
);

CREATE TABLE forum_items (
    id          INTEGER PRIMARY KEY,
    forum_id    INTEGER NOT NULL REFERENCES forums (id),
    session_id  INTEGER NOT NULL REFERENCES forum_sessions (id),
    title       TEXT NOT NULL,
    description TEXT NOT NULL DEFAULT '',
    rule        TEXT NOT NULL,
    status      TEXT NOT NULL,
    created     INTEGER NOT NULL
);
CREATE INDEX forum_items_session ON forum_items (session_id);

CREATE TABLE forum_versions (
    item_id     INTEGER NOT NULL REFERENCES forum_items (id),
    number      INTEGER NOT NULL,
    kind        TEXT NOT NULL,
    participant TEXT NOT NULL DEFAULT '',
    account_id  INTEGER NOT NULL,
    title       TEXT NOT NULL,
    text        TEXT NOT NULL,
    package     TEXT,
    assessment  TEXT,
    created     INTEGER NOT NULL,
    PRIMARY KEY (item_id, number)
);

CREATE TABLE forum_comments (
    id          INTEGER PRIMARY KEY,
    item_id     INTEGER NOT NULL REFERENCES forum_items (id),
    account_id  INTEGER NOT NULL,
    author      TEXT NOT NULL,
    participant TEXT NOT NULL DEFAULT '',
    text        TEXT NOT NULL,
    created     INTEGER NOT NULL
);
CREATE INDEX forum_comments_item ON forum_comments (item_id);

CREATE TABLE forum_speakers (
    id          INTEGER PRIMARY KEY,
    item_id     INTEGER NOT NULL REFERENCES forum_items (id),
    account_id  INTEGER NOT NULL,
    name        TEXT NOT NULL,
    participant TEXT NOT NULL DEFAULT '',
    requested   INTEGER NOT NULL,
    done        INTEGER NOT NULL DEFAULT 0
);
CREATE INDEX forum_speakers_item ON forum_speakers (item_id);

CREATE TABLE forum_positions (
    id             INTEGER PRIMARY KEY,
    item_id        INTEGER NOT NULL REFERENCES forum_items (id),
    version        INTEGER NOT NULL,
    participant    TEXT NOT NULL,
    stance         TEXT NOT NULL,
    statement_kind TEXT NOT NULL DEFAULT '',
    statement      TEXT NOT NULL DEFAULT '',
    time           INTEGER NOT NULL,
    log_index      INTEGER NOT NULL UNIQUE,
    key_name       TEXT NOT NULL DEFAULT ''
);
CREATE INDEX forum_positions_item ON forum_positions (item_id);

CREATE TABLE forum_decisions (
    item_id   INTEGER PRIMARY KEY REFERENCES forum_items (id),
    decision  TEXT NOT NULL,
    log_index INTEGER NOT NULL UNIQUE
);

CREATE TABLE forum_questions (
    id          INTEGER PRIMARY KEY,
    forum_id    INTEGER NOT NULL REFERENCES forums (id),
    parameter   TEXT NOT NULL,
    text        TEXT NOT NULL,
    unit        TEXT NOT NULL DEFAULT '',
    min         REAL NOT NULL,
    max         REAL NOT NULL,
    stop        TEXT NOT NULL,
    round       INTEGER NOT NULL,
    status      TEXT NOT NULL,
    rounds      TEXT NOT NULL,
    stop_reason TEXT NOT NULL DEFAULT '',
    created     INTEGER NOT NULL
);
CREATE INDEX forum_questions_forum ON forum_questions (forum_id);

CREATE TABLE forum_answers (
    question_id INTEGER NOT NULL REFERENCES forum_questions (id),
    round       INTEGER NOT NULL,
    expert_id   INTEGER NOT NULL REFERENCES forum_experts (id),
    value       REAL NOT NULL,
    time        INTEGER NOT NULL,
    PRIMARY KEY (question_id, round, expert_id)
);

-- +goose Down
DROP TABLE forum_answers;
DROP TABLE forum_questions;
DROP TABLE forum_decisions;
DROP TABLE forum_positions;
DROP TABLE forum_speakers;
DROP TABLE forum_comments;
DROP TABLE forum_versions;
DROP TABLE forum_items;
DROP TABLE forum_experts;
DROP TABLE forum_delegations;
DROP TABLE forum_sessions;
DROP TABLE forums;

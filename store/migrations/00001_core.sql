-- +goose Up
-- meta holds settings the store itself needs (the data key's check value).
CREATE TABLE meta (
    key   TEXT PRIMARY KEY,
    value TEXT NOT NULL
);

-- requests is the request log: one row per handled event. It never holds a
-- raw id, a name or text: person is a keyed hash, topic/detail are ids.
CREATE TABLE requests (
    id        INTEGER PRIMARY KEY,
    update_id INTEGER NOT NULL,
    at        INTEGER NOT NULL, -- Unix ms, UTC
    person    TEXT    NOT NULL,
    kind      TEXT    NOT NULL,
    flow      TEXT    NOT NULL DEFAULT '',
    topic     TEXT    NOT NULL DEFAULT '',
    detail    TEXT    NOT NULL DEFAULT '',
    lang      TEXT    NOT NULL DEFAULT '',
    campaign  TEXT    NOT NULL DEFAULT '',
    modulo    TEXT    NOT NULL DEFAULT '',
    UNIQUE (update_id, person)
);
CREATE INDEX requests_at ON requests (at);
CREATE INDEX requests_person ON requests (person);

-- +goose Down
DROP TABLE requests;
DROP TABLE meta;

-- +goose Up
-- shelters is the office's shelter directory, as last imported from a
-- directory file (store/albergues.csv is the seed). The checks repeat the
-- import's validation so that no path can store an impossible entry.
CREATE TABLE shelters (
    id          TEXT    PRIMARY KEY,
    position    INTEGER NOT NULL,            -- order in the file
    name        TEXT    NOT NULL CHECK (name <> ''),
    city        TEXT    NOT NULL CHECK (city <> ''),
    state       TEXT    NOT NULL CHECK (state <> ''),
    address     TEXT    NOT NULL DEFAULT '', -- '' = not known
    lat         REAL    NOT NULL CHECK (lat BETWEEN -90 AND 90),
    lon         REAL    NOT NULL CHECK (lon BETWEEN -180 AND 180),
    exact       INTEGER NOT NULL CHECK (exact IN (0, 1)),
    phone       TEXT    NOT NULL DEFAULT '',
    populations TEXT    NOT NULL DEFAULT '', -- codes separated by ';', '' = not known
    services    TEXT    NOT NULL DEFAULT '',
    notes       TEXT    NOT NULL DEFAULT '',
    capacity    TEXT    NOT NULL DEFAULT '',
    verified    TEXT    NOT NULL CHECK (verified GLOB '[0-9][0-9][0-9][0-9]-[0-9][0-9]-[0-9][0-9]'),
    source      TEXT    NOT NULL CHECK (source <> ''),
    imported_at INTEGER NOT NULL             -- Unix ms, UTC
);

-- shelter_status is every status staff reported, newest last; the bot
-- shows the newest with its age. by is "cli" or a keyed hash of a staff
-- member, never a raw id.
CREATE TABLE shelter_status (
    id         INTEGER PRIMARY KEY,
    shelter_id TEXT    NOT NULL REFERENCES shelters (id) ON DELETE CASCADE,
    status     TEXT    NOT NULL CHECK (status IN ('open', 'full', 'closed')),
    at         INTEGER NOT NULL, -- Unix ms, UTC
    by         TEXT    NOT NULL
);
CREATE INDEX shelter_status_latest ON shelter_status (shelter_id, at, id);

-- +goose Down
DROP TABLE shelter_status;
DROP TABLE shelters;

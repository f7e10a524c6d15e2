-- +goose Up
-- denuncias are the reports people file through the bot. Codes (category,
-- municipality, perpetrator...) are plain so the office can count them;
-- what the person wrote, the place they typed and the chat to contact them
-- are sealed (AES-GCM under ACERCATE_DATA_KEY, bound to their row by the
-- associated data "denuncia:<folio>:<column>").
CREATE TABLE denuncias (
    id               INTEGER PRIMARY KEY,
    folio            TEXT    NOT NULL UNIQUE, -- DEN-YYYY-NNNNNN
    -- source is the person's hash and the confirming update id: filing
    -- the same confirmation again (after a crash) finds this row.
    source           TEXT    NOT NULL UNIQUE,
    created          INTEGER NOT NULL, -- Unix ms, UTC
    updated          INTEGER NOT NULL,
    status           TEXT    NOT NULL DEFAULT 'received'
                     CHECK (status IN ('received', 'en_revision', 'canalizada', 'cerrada')),
    category         TEXT    NOT NULL,
    occurred         TEXT    NOT NULL, -- today, yesterday, week, earlier, date
    occurred_on      TEXT    NOT NULL DEFAULT '', -- YYYY-MM-DD when known
    municipality     TEXT    NOT NULL,
    place            TEXT    NOT NULL DEFAULT '', -- sealed; a typed place
    perpetrator      TEXT    NOT NULL,
    perpetrator_which TEXT   NOT NULL DEFAULT '',
    lang             TEXT    NOT NULL DEFAULT '',
    campaign         TEXT    NOT NULL DEFAULT '',
    modulo           TEXT    NOT NULL DEFAULT '',
    person           TEXT    NOT NULL, -- keyed hash, for /folio
    text             TEXT    NOT NULL DEFAULT '', -- sealed
    contact          TEXT    NOT NULL DEFAULT ''  -- sealed chat id; '' = anonymous
);
CREATE INDEX denuncias_person ON denuncias (person);
CREATE INDEX denuncias_created ON denuncias (created);
CREATE INDEX denuncias_status ON denuncias (status);

-- denuncia_photos are the photos' file ids, sealed ("denuncia:<folio>:photo:<n>").
CREATE TABLE denuncia_photos (
    denuncia INTEGER NOT NULL REFERENCES denuncias (id) ON DELETE CASCADE,
    n        INTEGER NOT NULL,
    file     TEXT    NOT NULL,
    PRIMARY KEY (denuncia, n)
);

-- folio_counters hold the last folio number given each year. Numbers come
-- from here, not from the denuncias present, so a folio is never given
-- twice even after a denuncia is erased.
CREATE TABLE folio_counters (
    year INTEGER PRIMARY KEY,
    last INTEGER NOT NULL
);

-- outbox holds announcements for staff (a new denuncia) written in the
-- same transaction as what they announce; the staff relay drains it, so
-- none is lost when the process stops between the two.
CREATE TABLE outbox (
    id           INTEGER PRIMARY KEY,
    kind         TEXT    NOT NULL, -- "denuncia.new"
    ref          TEXT    NOT NULL, -- a folio, a ticket id
    created      INTEGER NOT NULL,
    delivered_at INTEGER,
    attempts     INTEGER NOT NULL DEFAULT 0,
    UNIQUE (kind, ref)
);
CREATE INDEX outbox_pending ON outbox (delivered_at, id);

-- audit is the append-only record of who did what with people's records
-- (staff reading a denuncia, changing its status). Rows are never changed
-- or deleted: the triggers refuse it.
CREATE TABLE audit (
    id     INTEGER PRIMARY KEY,
    at     INTEGER NOT NULL,
    actor  TEXT    NOT NULL, -- "cli:ana", "staff:<hash>"
    action TEXT    NOT NULL, -- "denuncia.view"
    object TEXT    NOT NULL DEFAULT '', -- a folio
    detail TEXT    NOT NULL DEFAULT ''
);
CREATE INDEX audit_at ON audit (at);
-- +goose StatementBegin
CREATE TRIGGER audit_no_update BEFORE UPDATE ON audit
BEGIN
    SELECT RAISE(ABORT, 'audit is append-only');
END;
-- +goose StatementEnd
-- +goose StatementBegin
CREATE TRIGGER audit_no_delete BEFORE DELETE ON audit
BEGIN
    SELECT RAISE(ABORT, 'audit is append-only');
END;
-- +goose StatementEnd

-- +goose Down
DROP TRIGGER audit_no_delete;
DROP TRIGGER audit_no_update;
DROP TABLE audit;
DROP TABLE outbox;
DROP TABLE folio_counters;
DROP TABLE denuncia_photos;
DROP TABLE denuncias;

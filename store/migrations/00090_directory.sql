-- +goose Up
-- directory is the office's reference directory (consulates, SRE lines,
-- search commissions, Casa Chiapas, municipal contacts, legal aid...), as
-- last imported from a directory file (store/directory.csv is the seed).
-- The checks repeat the import's validation so that no path can store an
-- impossible entry. confirmed/confirmed_by are set only when the office
-- itself checked the entry: the bot says "revisado" only then.
CREATE TABLE directory (
    id           TEXT    PRIMARY KEY,
    position     INTEGER NOT NULL,             -- order in the file
    kind         TEXT    NOT NULL CHECK (kind IN ('consulate', 'mexican_consulate', 'sre_line',
                     'search_commission', 'families_committee', 'family_links', 'casa_chiapas',
                     'municipal_contact', 'state_office', 'legal_aid', 'un_agency', 'paisano')),
    name         TEXT    NOT NULL CHECK (name <> ''),
    place        TEXT    NOT NULL DEFAULT '',  -- '' = not known / everywhere
    place_key    TEXT    NOT NULL DEFAULT '',
    country      TEXT    NOT NULL DEFAULT '',
    phones       TEXT    NOT NULL DEFAULT '',  -- "number (label); number", as in the file
    address      TEXT    NOT NULL DEFAULT '',
    hours        TEXT    NOT NULL DEFAULT '',
    url          TEXT    NOT NULL DEFAULT '',
    status       TEXT    NOT NULL CHECK (status IN ('open', 'closed', 'unknown')),
    notes        TEXT    NOT NULL DEFAULT '',
    source       TEXT    NOT NULL CHECK (source <> ''),
    source_date  TEXT    NOT NULL DEFAULT '',  -- the source's date: YYYY, YYYY-MM, YYYY-MM-DD, '' = undated
    confirmed    TEXT    NOT NULL DEFAULT '' CHECK (confirmed = '' OR confirmed GLOB '[0-9][0-9][0-9][0-9]-[0-9][0-9]-[0-9][0-9]'),
    confirmed_by TEXT    NOT NULL DEFAULT '' CHECK ((confirmed = '') = (confirmed_by = '')),
    imported_at  INTEGER NOT NULL              -- Unix ms, UTC
);
CREATE INDEX directory_kind ON directory (kind, place_key, position);

-- +goose Down
DROP TABLE directory;

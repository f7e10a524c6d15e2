-- +goose Up
-- Rollups that let the weekly report read a whole week without scanning
-- its request-log rows (a busy week of half a million rows took seconds):
-- request_days counts rows per Mexico City day and kind, person_weeks
-- lists who was there each week and under which attribution and language.
-- A trigger keeps them, so every writer of the request log is covered, and
-- a duplicate row (INSERT OR IGNORE) touches neither. Days and weeks use
-- Mexico City's fixed UTC−6 (no daylight saving since October 2022):
-- day = floor((unix seconds − 21600) / 86400), week = (day + 3) / 7, the
-- week starting Monday (1 January 1970 was a Thursday). hours.Zone is the
-- reference; store/report_test.go checks the rollups give the same report
-- as the request log. topic/detail are kept only where the report reads
-- them, as in ReportData's scan of the log.
CREATE TABLE request_days (
    day      INTEGER NOT NULL,
    flow     TEXT    NOT NULL,
    topic    TEXT    NOT NULL,
    detail   TEXT    NOT NULL,
    lang     TEXT    NOT NULL,
    campaign TEXT    NOT NULL,
    modulo   TEXT    NOT NULL,
    n        INTEGER NOT NULL,
    PRIMARY KEY (day, flow, topic, detail, lang, campaign, modulo)
) WITHOUT ROWID;

CREATE TABLE person_weeks (
    week     INTEGER NOT NULL,
    person   TEXT    NOT NULL,
    lang     TEXT    NOT NULL,
    campaign TEXT    NOT NULL,
    modulo   TEXT    NOT NULL,
    PRIMARY KEY (week, person, lang, campaign, modulo)
) WITHOUT ROWID;
CREATE INDEX person_weeks_person ON person_weeks (person, week);

-- The trigger that keeps them and their first fill from the request log
-- are made by the store at open from the one definition of what a request
-- counts as (flows.RequestKinds, store/kinds.go); a database that ran an
-- earlier text of this migration has them already, and the store replaces
-- its trigger with the generated one.

-- +goose Down
DROP TRIGGER IF EXISTS report_rollups;
DROP TABLE person_weeks;
DROP TABLE request_days;

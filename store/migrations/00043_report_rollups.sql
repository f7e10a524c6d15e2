-- +goose Up
-- Rollups that let the weekly report read a whole week without scanning
-- its request-log rows (a busy week of half a million rows took seconds):
-- request_days counts rows per Mexico City day and kind, person_weeks
-- lists who was there each week and under which attribution and language.
-- Triggers keep them, so every writer of the request log is covered, and a
-- duplicate row (INSERT OR IGNORE) touches neither. Days and weeks use
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

-- +goose StatementBegin
CREATE TRIGGER report_rollups AFTER INSERT ON requests
BEGIN
    INSERT INTO request_days (day, flow, topic, detail, lang, campaign, modulo, n)
    VALUES ((NEW.at / 1000 - 21600) / 86400, NEW.flow,
            CASE WHEN NEW.flow IN ('rights', 'albergues', 'emergency', 'human') THEN NEW.topic ELSE '' END,
            CASE WHEN (NEW.flow = 'albergues' AND NEW.topic = 'search') OR NEW.flow = 'emergency'
                      OR (NEW.flow = 'rights' AND NEW.detail = '') THEN NEW.detail ELSE '-' END,
            NEW.lang, NEW.campaign, NEW.modulo, 1)
    ON CONFLICT (day, flow, topic, detail, lang, campaign, modulo) DO UPDATE SET n = n + 1;
    INSERT OR IGNORE INTO person_weeks (week, person, lang, campaign, modulo)
    VALUES (((NEW.at / 1000 - 21600) / 86400 + 3) / 7, NEW.person, NEW.lang, NEW.campaign, NEW.modulo);
END;
-- +goose StatementEnd

INSERT INTO request_days (day, flow, topic, detail, lang, campaign, modulo, n)
SELECT (at / 1000 - 21600) / 86400, flow,
       CASE WHEN flow IN ('rights', 'albergues', 'emergency', 'human') THEN topic ELSE '' END,
       CASE WHEN (flow = 'albergues' AND topic = 'search') OR flow = 'emergency'
                 OR (flow = 'rights' AND detail = '') THEN detail ELSE '-' END,
       lang, campaign, modulo, count(*)
FROM requests GROUP BY 1, 2, 3, 4, 5, 6, 7;

INSERT OR IGNORE INTO person_weeks (week, person, lang, campaign, modulo)
SELECT ((at / 1000 - 21600) / 86400 + 3) / 7, person, lang, campaign, modulo FROM requests;

-- +goose Down
DROP TRIGGER report_rollups;
DROP TABLE person_weeks;
DROP TABLE request_days;

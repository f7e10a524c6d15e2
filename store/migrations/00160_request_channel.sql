-- +goose Up
-- The request log records the channel each request came through
-- (flows.Address.Channel: "telegram", "web"), for the weekly report's
-- channel breakdown. Every row before this migration came through Telegram
-- (the terminal chat logs to its own throwaway database), so they take
-- that default.
ALTER TABLE requests ADD COLUMN channel TEXT NOT NULL DEFAULT 'telegram';

-- channel_days counts request-log rows per Mexico City day and channel;
-- person_channel_weeks lists who came through each channel each week, so a
-- person is counted once per channel (and once overall, in person_weeks).
-- Days and weeks as in migration 00043. The writers of the request log
-- keep them (store/kinds.go, rollupSQL).
CREATE TABLE channel_days (
    day     INTEGER NOT NULL,
    channel TEXT    NOT NULL,
    n       INTEGER NOT NULL,
    PRIMARY KEY (day, channel)
) WITHOUT ROWID;

CREATE TABLE person_channel_weeks (
    week    INTEGER NOT NULL,
    channel TEXT    NOT NULL,
    person  TEXT    NOT NULL,
    PRIMARY KEY (week, channel, person)
) WITHOUT ROWID;
CREATE INDEX person_channel_weeks_person ON person_channel_weeks (person, week);

-- The request log there is, counted once here (a store that filled its
-- rollups already does not fill them again at open).
INSERT INTO channel_days (day, channel, n)
    SELECT (at / 1000 - 21600) / 86400, channel, count(*) FROM requests GROUP BY 1, 2;
INSERT OR IGNORE INTO person_channel_weeks (week, channel, person)
    SELECT ((at / 1000 - 21600) / 86400 + 3) / 7, channel, person FROM requests;

-- +goose Down
DROP TABLE person_channel_weeks;
DROP TABLE channel_days;
ALTER TABLE requests DROP COLUMN channel;

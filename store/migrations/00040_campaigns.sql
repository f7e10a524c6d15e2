-- +goose Up
-- modulos are the office's information módulos in border towns. A módulo's
-- code is what its deep link carries (t.me/<bot>?start=m-<code>) and what
-- the request log's modulo column holds. staff_chat is the Telegram group
-- where its escalations go (NULL: the default ACERCATE_STAFF_CHAT);
-- staff_users the Telegram user ids allowed to act for it, comma-separated
-- ('' = those of ACERCATE_STAFF_USERS).
CREATE TABLE modulos (
    code        TEXT    PRIMARY KEY CHECK (code GLOB '[a-z0-9]*' AND length(code) BETWEEN 1 AND 62),
    name        TEXT    NOT NULL CHECK (name <> ''),
    staff_chat  INTEGER,
    staff_users TEXT    NOT NULL DEFAULT '',
    created_at  INTEGER NOT NULL -- Unix ms, UTC
);

-- campaigns are the office's promotion campaigns (trípticos, carteles,
-- lonas, fairs, radio); the deep link printed on them carries c-<code>.
CREATE TABLE campaigns (
    code       TEXT    PRIMARY KEY CHECK (code GLOB '[a-z0-9]*' AND length(code) BETWEEN 1 AND 62),
    name       TEXT    NOT NULL CHECK (name <> ''),
    modulo     TEXT    REFERENCES modulos (code),
    starts     TEXT    NOT NULL DEFAULT '' CHECK (starts = '' OR starts GLOB '[0-9][0-9][0-9][0-9]-[0-9][0-9]-[0-9][0-9]'),
    created_at INTEGER NOT NULL
);

-- attribution is each person's first and last touch: the first and the
-- latest /start link (c-<campaign> or m-<módulo>) they came through.
-- person is the keyed hash the request log uses; nothing else is kept.
-- The trigger below fills it from the request log, so every way a /start
-- row is written (the engine, a flow's own transaction) is covered, and a
-- row ignored as a duplicate (INSERT OR IGNORE) does not touch it.
CREATE TABLE attribution (
    person     TEXT    PRIMARY KEY,
    first_code TEXT    NOT NULL, -- "c-feria", "m-tapachula"
    first_at   INTEGER NOT NULL,
    last_code  TEXT    NOT NULL,
    last_at    INTEGER NOT NULL
);

-- +goose StatementBegin
CREATE TRIGGER attribution_touch AFTER INSERT ON requests
WHEN NEW.topic IN ('first', 'start') AND NEW.detail IN ('c', 'm')
     AND (NEW.campaign <> '' OR NEW.modulo <> '')
BEGIN
    INSERT INTO attribution (person, first_code, first_at, last_code, last_at)
    VALUES (NEW.person,
            CASE WHEN NEW.campaign <> '' THEN 'c-' || NEW.campaign ELSE 'm-' || NEW.modulo END, NEW.at,
            CASE WHEN NEW.campaign <> '' THEN 'c-' || NEW.campaign ELSE 'm-' || NEW.modulo END, NEW.at)
    ON CONFLICT (person) DO UPDATE SET
        first_code = CASE WHEN excluded.first_at < attribution.first_at THEN excluded.first_code ELSE attribution.first_code END,
        first_at   = min(attribution.first_at, excluded.first_at),
        last_code  = CASE WHEN excluded.last_at >= attribution.last_at THEN excluded.last_code ELSE attribution.last_code END,
        last_at    = max(attribution.last_at, excluded.last_at);
END;
-- +goose StatementEnd

-- Touches logged before this migration.
INSERT INTO attribution (person, first_code, first_at, last_code, last_at)
SELECT person,
       (SELECT CASE WHEN r2.campaign <> '' THEN 'c-' || r2.campaign ELSE 'm-' || r2.modulo END
          FROM requests r2 WHERE r2.person = r.person AND r2.topic IN ('first', 'start') AND r2.detail IN ('c', 'm')
           AND (r2.campaign <> '' OR r2.modulo <> '') ORDER BY r2.at, r2.id LIMIT 1),
       min(at),
       (SELECT CASE WHEN r2.campaign <> '' THEN 'c-' || r2.campaign ELSE 'm-' || r2.modulo END
          FROM requests r2 WHERE r2.person = r.person AND r2.topic IN ('first', 'start') AND r2.detail IN ('c', 'm')
           AND (r2.campaign <> '' OR r2.modulo <> '') ORDER BY r2.at DESC, r2.id DESC LIMIT 1),
       max(at)
FROM requests r
WHERE topic IN ('first', 'start') AND detail IN ('c', 'm') AND (campaign <> '' OR modulo <> '')
GROUP BY person;

-- report_goals are the office's yearly goals and counts kept by hand
-- (acercate meta set KEY VALUE --year Y): goal.campaigns, goal.modulos,
-- goal.workshops, goal.people, done.workshops.
CREATE TABLE report_goals (
    year  INTEGER NOT NULL,
    key   TEXT    NOT NULL,
    value INTEGER NOT NULL CHECK (value >= 0),
    PRIMARY KEY (year, key)
);

-- report_deliveries make the weekly summary go out once per week however
-- many replicas run: a replica claims a week (a lease until lease_until),
-- delivers, and marks it sent; a lease that expired unsent may be taken
-- over by another replica.
CREATE TABLE report_deliveries (
    week        TEXT    PRIMARY KEY, -- "2026-W47"
    owner       TEXT    NOT NULL,
    lease_until INTEGER NOT NULL,
    attempts    INTEGER NOT NULL DEFAULT 1,
    sent_at     INTEGER
);

-- The weekly report reads a week's rows by time; these cover its queries
-- so it never touches the table itself over a million rows.
CREATE INDEX requests_report ON requests (at, person, flow, topic, detail, lang, campaign, modulo);
CREATE INDEX requests_person_at ON requests (person, at);
CREATE INDEX denuncias_report ON denuncias (created, category, municipality, perpetrator, lang, campaign, modulo);

-- +goose Down
DROP INDEX denuncias_report;
DROP INDEX requests_person_at;
DROP INDEX requests_report;
DROP TABLE report_deliveries;
DROP TABLE report_goals;
DROP TRIGGER attribution_touch;
DROP TABLE attribution;
DROP TABLE campaigns;
DROP TABLE modulos;

-- +goose Up
-- person_years holds, per calendar year in Mexico City, each person who
-- made a request and when first: the "people attended this year" the
-- weekly report sets against the office's goal is then a count over an
-- index, not a distinct count over a year of the request log. Filled by a
-- trigger so every writer of the request log is covered. Mexico City has
-- been UTC−6 all year since October 2022 (no daylight saving), which the
-- year expression relies on; hours.Zone is the reference and
-- store/report_test.go checks the two agree at the year's edges.
CREATE TABLE person_years (
    year     INTEGER NOT NULL,
    person   TEXT    NOT NULL,
    first_at INTEGER NOT NULL,
    PRIMARY KEY (year, person)
) WITHOUT ROWID;
CREATE INDEX person_years_first ON person_years (year, first_at);

-- +goose StatementBegin
CREATE TRIGGER person_years_touch AFTER INSERT ON requests
BEGIN
    INSERT INTO person_years (year, person, first_at)
    VALUES (CAST(strftime('%Y', NEW.at / 1000, 'unixepoch', '-6 hours') AS INTEGER), NEW.person, NEW.at)
    ON CONFLICT (year, person) DO UPDATE SET first_at = excluded.first_at
    WHERE excluded.first_at < person_years.first_at;
END;
-- +goose StatementEnd

INSERT INTO person_years (year, person, first_at)
SELECT CAST(strftime('%Y', at / 1000, 'unixepoch', '-6 hours') AS INTEGER), person, min(at)
FROM requests GROUP BY 1, 2;

-- +goose Down
DROP TRIGGER person_years_touch;
DROP TABLE person_years;

-- +goose Up
-- person_years is counted by the writers of the request log, once per
-- transaction for all the rows it inserted (store/kinds.go, rollupSQL),
-- as request_days, person_weeks and person_kind_weeks are: the per-row
-- trigger cost more than the row itself on the bot's hot path.
DROP TRIGGER person_years_touch;

-- +goose Down
-- +goose StatementBegin
CREATE TRIGGER person_years_touch AFTER INSERT ON requests
BEGIN
    INSERT INTO person_years (year, person, first_at)
    VALUES (CAST(strftime('%Y', NEW.at / 1000, 'unixepoch', '-6 hours') AS INTEGER), NEW.person, NEW.at)
    ON CONFLICT (year, person) DO UPDATE SET first_at = excluded.first_at
    WHERE excluded.first_at < person_years.first_at;
END;
-- +goose StatementEnd

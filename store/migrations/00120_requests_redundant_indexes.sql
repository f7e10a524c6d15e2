-- +goose Up
-- requests_at (at) and requests_person (person) are prefixes of
-- requests_report (at, person, …) and requests_person_at (person, at),
-- which serve every query they served (the report's week, retention's
-- "at < ?", erasure's "person = ?"): each logged request paid for two
-- more index entries, one of them at a random place (a person's hash), so
-- one more page written per row at every commit.
DROP INDEX requests_at;
DROP INDEX requests_person;

-- +goose Down
CREATE INDEX requests_at ON requests (at);
CREATE INDEX requests_person ON requests (person);

-- +goose Up
-- leases say which process runs a job that must run once even when two
-- `acercate serve` share this database (a rolling deploy's overlap): the
-- staff desk is "desk". owner is a random id per process; expires_at (Unix
-- ms, UTC) is when another process may take the lease over if the owner
-- stopped renewing it.
CREATE TABLE leases (
    name       TEXT PRIMARY KEY,
    owner      TEXT    NOT NULL,
    expires_at INTEGER NOT NULL
);

-- +goose Down
DROP TABLE leases;

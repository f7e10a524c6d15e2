-- +goose Up
-- erasures remember, for a short while, that a person erased their data
-- (/borrar), so that an update of theirs handled again afterwards (a
-- polling batch retried because another chat's reply failed) records
-- nothing about them. tombstone is a keyed hash of the person made for
-- this table alone ("erasure" key), which no other table holds: it links
-- to nothing. update_id is the last update the erasure covers; at is when
-- it happened (Unix ms, UTC). Rows older than two days are purged: by
-- then Telegram no longer redelivers those updates.
CREATE TABLE erasures (
    tombstone TEXT    PRIMARY KEY,
    update_id INTEGER NOT NULL,
    at        INTEGER NOT NULL
);
CREATE INDEX erasures_at ON erasures (at);

-- +goose Down
DROP TABLE erasures;

-- +goose Up
-- shown_status is the status a ticket's announcement in the staff group
-- shows: when the ticket is taken or closed the desk edits the
-- announcement (the Take button goes) and records it here. Tickets from
-- before start as shown, so upgrading edits no old messages.
ALTER TABLE tickets ADD COLUMN shown_status TEXT NOT NULL DEFAULT 'open';
UPDATE tickets SET shown_status = status;
CREATE INDEX tickets_shown ON tickets (id) WHERE shown_status <> status;

-- +goose Down
DROP INDEX tickets_shown;
ALTER TABLE tickets DROP COLUMN shown_status;

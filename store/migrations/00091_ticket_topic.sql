-- +goose Up
-- topic tags the kind of case a ticket is, for staff (flows.TicketTopics:
-- 'families' is the office's attention to Chiapanecos abroad and their
-- families); '' for a ticket opened from the menu.
ALTER TABLE tickets ADD COLUMN topic TEXT NOT NULL DEFAULT '' CHECK (topic IN ('', 'families'));

-- +goose Down
ALTER TABLE tickets DROP COLUMN topic;

-- +goose Up
-- parts records which parts of a week's summary (text, chart, CSV) reached
-- the coordinators, so a delivery retried after a failure half-way sends
-- only what is missing.
ALTER TABLE report_deliveries ADD COLUMN parts INTEGER NOT NULL DEFAULT 0;

-- +goose Down
ALTER TABLE report_deliveries DROP COLUMN parts;

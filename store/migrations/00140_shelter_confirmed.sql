-- +goose Up
-- The office's own check of a shelter, set by `acercate albergues confirm
-- ID --by NAME` (and cleared by --undo): the day and who, as the
-- directory's confirmed/confirmed_by. The bot says "revisado por la
-- oficina" only of a row that has them; every other row shows its
-- source's date. An import that changes what a shelter's entry says
-- clears its confirmation (the office checked other facts).
ALTER TABLE shelters ADD COLUMN confirmed TEXT NOT NULL DEFAULT ''
    CHECK (confirmed = '' OR confirmed GLOB '[0-9][0-9][0-9][0-9]-[0-9][0-9]-[0-9][0-9]');
ALTER TABLE shelters ADD COLUMN confirmed_by TEXT NOT NULL DEFAULT ''
    CHECK ((confirmed = '') = (confirmed_by = ''));

-- +goose Down
ALTER TABLE shelters DROP COLUMN confirmed_by;
ALTER TABLE shelters DROP COLUMN confirmed;

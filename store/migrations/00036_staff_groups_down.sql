-- +goose Up
-- staff_groups_down are the staff groups the desk could not deliver to
-- (the bot was removed from the group, Telegram down): a row while the
-- group is unreachable, removed by the first delivery that gets through.
-- The desk holds the group's messages and tries again at next_at, waiting
-- twice as long after each failure up to 10 minutes; `acercate staff
-- groups` shows it. error is a kind of error ("blocked"), never text.
-- Times are Unix ms, UTC.
CREATE TABLE staff_groups_down (
    chat     INTEGER PRIMARY KEY,
    failures INTEGER NOT NULL,
    error    TEXT    NOT NULL,
    since    INTEGER NOT NULL,
    next_at  INTEGER NOT NULL
);

-- +goose Down
DROP TABLE staff_groups_down;

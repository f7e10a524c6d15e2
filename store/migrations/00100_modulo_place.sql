-- +goose Up
-- Where a módulo is, as the office records it (acercate modulo add/place):
-- the address and opening hours a person is shown, and its location (both
-- NULL when not recorded). The bot says it does not know where a módulo
-- is when neither an address nor a location is recorded.
ALTER TABLE modulos ADD COLUMN address TEXT NOT NULL DEFAULT '';
ALTER TABLE modulos ADD COLUMN hours TEXT NOT NULL DEFAULT '';
ALTER TABLE modulos ADD COLUMN lat REAL CHECK (lat IS NULL OR lat BETWEEN -90 AND 90);
ALTER TABLE modulos ADD COLUMN lon REAL CHECK (lon IS NULL OR lon BETWEEN -180 AND 180);

-- +goose Down
ALTER TABLE modulos DROP COLUMN lon;
ALTER TABLE modulos DROP COLUMN lat;
ALTER TABLE modulos DROP COLUMN hours;
ALTER TABLE modulos DROP COLUMN address;

-- +goose Up
-- A shelter's approximate point may be its own area (a locality FACTS gives,
-- such as Pakal-Ná for Palenque's Casa del Caminante) rather than a city
-- centre: then the bot gives the distance, as approximate, with the area's
-- name; from a city centre it gives none ("en Tapachula"). Only with
-- exact = 0.
ALTER TABLE shelters ADD COLUMN area INTEGER NOT NULL DEFAULT 0 CHECK (area IN (0, 1));

-- +goose Down
ALTER TABLE shelters DROP COLUMN area;

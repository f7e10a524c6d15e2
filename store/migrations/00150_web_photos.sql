-- +goose Up
-- web_photos are the photos a visitor attaches to a denuncia in the web
-- chat. Telegram keeps its photos and gives us a file id (denuncia_photos
-- keeps it); a browser gives us the bytes, so they are kept here: cleaned
-- of their metadata (decoded and encoded again), sealed (AES-GCM under
-- ACERCATE_DATA_KEY, associated data "web_photo:<token>"). The draft in
-- Redis and, once filed, denuncia_photos carry only "web:<token>", as a
-- Telegram draft carries a file id. A table of their own because a photo
-- exists before its denuncia does (while the draft is open, denuncia is
-- NULL), and the flows stay channel-neutral.
CREATE TABLE web_photos (
    id       INTEGER PRIMARY KEY,
    token    TEXT    NOT NULL UNIQUE, -- random; the photo's id is "web:<token>"
    person   TEXT    NOT NULL,        -- keyed hash of the visitor, as denuncias.person; '' once erased
    created  INTEGER NOT NULL,        -- Unix ms
    seen     INTEGER NOT NULL,        -- last time its draft was seen alive (Unix ms)
    denuncia INTEGER REFERENCES denuncias (id) ON DELETE CASCADE, -- NULL while in a draft
    type     TEXT    NOT NULL,        -- image/jpeg, image/png
    data     BLOB    NOT NULL         -- sealed
);
CREATE INDEX web_photos_drafts ON web_photos (person) WHERE denuncia IS NULL;
CREATE INDEX web_photos_denuncia ON web_photos (denuncia) WHERE denuncia IS NOT NULL;

-- +goose Down
DROP TABLE web_photos;

-- +goose Up
-- staff_posts are messages the bot posted in a staff group that it must
-- delete later: a denuncia shown with /denuncia (text, photos) is deleted
-- after ACERCATE_DENUNCIA_VIEW_TTL, so it does not stay in the group;
-- what it posted about a person who erased their data (/borrar) is due at
-- once (Telegram lets a bot delete its messages for 48 hours).
-- chat is the staff group's id (a group, not a person); delete_at Unix ms.
CREATE TABLE staff_posts (
    chat      INTEGER NOT NULL,
    message   INTEGER NOT NULL,
    delete_at INTEGER NOT NULL,
    PRIMARY KEY (chat, message)
);
CREATE INDEX staff_posts_due ON staff_posts (delete_at);

-- +goose Down
DROP TABLE staff_posts;

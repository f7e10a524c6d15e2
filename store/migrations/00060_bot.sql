-- +goose Up
-- blocked_chats are the chats whose person blocked the bot (Telegram's
-- 403): nothing is sent to them until the person writes again. chat is the
-- keyed hash of the chat id, never the id.
CREATE TABLE blocked_chats (
    chat TEXT PRIMARY KEY,
    at   INTEGER NOT NULL -- Unix ms, UTC
);

-- +goose Down
DROP TABLE blocked_chats;

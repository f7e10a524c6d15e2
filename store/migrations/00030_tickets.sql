-- +goose Up
-- tickets are conversations a person asked to have with the módulo staff
-- ("Hablar con una persona"). A ticket's public id is "T" + id; ids come
-- from AUTOINCREMENT so one is never given twice, even after erasure.
-- Nothing here says who the person is: person is a keyed hash, and the
-- chat to answer them in is sealed (AES-GCM, associated data
-- "ticket:<source>:chat"). Times are Unix ms, UTC.
CREATE TABLE tickets (
    id                INTEGER PRIMARY KEY AUTOINCREMENT,
    -- source is the person's hash and the opening update id: opening the
    -- same ticket again (an update handled again after a crash) finds it.
    source            TEXT    NOT NULL UNIQUE,
    person            TEXT    NOT NULL,
    chat              TEXT    NOT NULL, -- sealed chat id
    lang              TEXT    NOT NULL DEFAULT '',
    modulo            TEXT    NOT NULL DEFAULT '',
    campaign          TEXT    NOT NULL DEFAULT '',
    staff_chat        INTEGER NOT NULL, -- the staff group it was sent to
    priority          TEXT    NOT NULL DEFAULT 'normal' CHECK (priority IN ('normal', 'urgent')),
    status            TEXT    NOT NULL DEFAULT 'open' CHECK (status IN ('open', 'taken', 'closed')),
    taken_by          TEXT    NOT NULL DEFAULT '', -- keyed hash of a staff member
    closed_by         TEXT    NOT NULL DEFAULT '', -- "person" or a staff hash
    out_of_hours      INTEGER NOT NULL DEFAULT 0,
    opened_at         INTEGER NOT NULL,
    taken_at          INTEGER,
    first_response_at INTEGER, -- first staff reply relayed to the person
    closed_at         INTEGER,
    announced_at      INTEGER, -- last time it was posted to the staff group
    announcements     INTEGER NOT NULL DEFAULT 0,
    group_message     INTEGER NOT NULL DEFAULT 0 -- the first announcement's message id
);
CREATE INDEX tickets_person ON tickets (person, status);
CREATE INDEX tickets_status ON tickets (status, priority, opened_at);
CREATE INDEX tickets_opened ON tickets (opened_at);

-- ticket_messages map messages in a staff group to tickets, so a staff
-- member's reply to any of them reaches the right person.
CREATE TABLE ticket_messages (
    chat    INTEGER NOT NULL,
    message INTEGER NOT NULL,
    ticket  INTEGER NOT NULL REFERENCES tickets (id) ON DELETE CASCADE,
    PRIMARY KEY (chat, message)
);
CREATE INDEX ticket_messages_ticket ON ticket_messages (ticket);

-- relays are every message passed between a person and the staff: "in"
-- from the person to the group, "out" from staff to the person (and
-- notices, such as "the conversation was closed"). The content is sealed
-- ("relay:<source>"); the desk delivers pending ones, retries failures with
-- backoff, and marks a relay failed after the last attempt.
CREATE TABLE relays (
    id           INTEGER PRIMARY KEY,
    ticket       INTEGER NOT NULL REFERENCES tickets (id) ON DELETE CASCADE,
    source       TEXT    NOT NULL UNIQUE, -- the event it came from
    direction    TEXT    NOT NULL CHECK (direction IN ('in', 'out')),
    kind         TEXT    NOT NULL, -- text, photo, location, notice
    body         TEXT    NOT NULL, -- sealed JSON
    by           TEXT    NOT NULL DEFAULT '', -- staff hash for "out"
    reply_to     INTEGER NOT NULL DEFAULT 0, -- staff message to answer on failure
    at           INTEGER NOT NULL,
    status       TEXT    NOT NULL DEFAULT 'pending' CHECK (status IN ('pending', 'delivered', 'failed')),
    attempts     INTEGER NOT NULL DEFAULT 0,
    next_at      INTEGER NOT NULL,
    delivered_at INTEGER,
    message      INTEGER NOT NULL DEFAULT 0, -- the delivered message's id
    error        TEXT    NOT NULL DEFAULT '', -- a kind of error, never text
    reported     INTEGER NOT NULL DEFAULT 0  -- a failure was shown to staff
);
CREATE INDEX relays_pending ON relays (status, next_at);
CREATE INDEX relays_ticket ON relays (ticket);

-- ticket_notes are staff's internal notes (/nota, /cerrar with a note),
-- never sent to the person; sealed ("note:<ticket>:<n>").
CREATE TABLE ticket_notes (
    id     INTEGER PRIMARY KEY,
    ticket INTEGER NOT NULL REFERENCES tickets (id) ON DELETE CASCADE,
    at     INTEGER NOT NULL,
    by     TEXT    NOT NULL,
    body   TEXT    NOT NULL
);
CREATE INDEX ticket_notes_ticket ON ticket_notes (ticket);

-- +goose Down
DROP TABLE ticket_notes;
DROP TABLE relays;
DROP TABLE ticket_messages;
DROP TABLE tickets;

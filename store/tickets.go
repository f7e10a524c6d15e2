package store

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"sort"
	"strconv"
	"time"

	"github.com/acercate/acercate/flows"
)

// Tickets keeps the conversations people have with the módulo staff: it
// implements flows.Tickets. The chat to answer a person in and every
// relayed message and note are sealed; what the weekly summary counts
// (language, attribution, priority, times) is plain.
type Tickets struct{ db *DB }

// Tickets returns the store's tickets.
func (s *DB) Tickets() *Tickets { return &Tickets{db: s} }

func ticketChatAAD(source string) string { return "ticket:" + source + ":chat" }
func relayAAD(source string) string      { return "relay:" + source }
func noteAAD(ticket int64, at int64) string {
	return "note:" + strconv.FormatInt(ticket, 10) + ":" + strconv.FormatInt(at, 10)
}

// relayBody is a relay's sealed content.
type relayBody struct {
	Text  string          `json:"t,omitempty"`
	Photo string          `json:"p,omitempty"`
	Loc   *flows.Location `json:"l,omitempty"`
}

const ticketColumns = `id, source, person, chat, lang, modulo, campaign, staff_chat, priority, status,
	taken_by, closed_by, out_of_hours, opened_at, taken_at, first_response_at, closed_at, announced_at,
	announcements, group_message, topic`

func (t *Tickets) scan(row scanner) (flows.Ticket, error) {
	var k flows.Ticket
	var source, chat string
	var ooh int
	var opened int64
	var taken, first, closed, announced sql.NullInt64
	err := row.Scan(&k.ID, &source, &k.Person, &chat, &k.Lang, &k.Modulo, &k.Campaign, &k.StaffChat,
		&k.Priority, &k.Status, &k.TakenBy, &k.ClosedBy, &ooh, &opened, &taken, &first, &closed, &announced,
		&k.Announcements, &k.GroupMessage, &k.Topic)
	if errors.Is(err, sql.ErrNoRows) {
		return k, flows.ErrNoTicket
	}
	if err != nil {
		return k, fmt.Errorf("read ticket: %w", err)
	}
	k.OutOfHours = ooh != 0
	k.OpenedAt = fromMillis(opened)
	opt := func(v sql.NullInt64) time.Time {
		if !v.Valid {
			return time.Time{}
		}
		return fromMillis(v.Int64)
	}
	k.TakenAt, k.FirstResponseAt, k.ClosedAt, k.AnnouncedAt = opt(taken), opt(first), opt(closed), opt(announced)
	if chat == "" {
		return k, nil // purged: a closed ticket that keeps only its times
	}
	plain, err := t.db.keys.OpenString(chat, ticketChatAAD(source))
	if err != nil {
		return k, fmt.Errorf("open chat of T%d: %w", k.ID, err)
	}
	if k.Chat, err = flows.ParseAddress(plain); err != nil {
		return k, fmt.Errorf("chat of T%d: %w", k.ID, err)
	}
	return k, nil
}

// Open implements flows.Tickets.
func (t *Tickets) Open(ctx context.Context, n flows.NewTicket, first *flows.Relay, r flows.Request) (flows.Ticket, error) {
	if n.Source == "" || n.Person == "" || n.Chat.IsZero() {
		return flows.Ticket{}, errors.New("open ticket: source, person and chat are required")
	}
	if n.Priority == "" {
		n.Priority = flows.PriorityNormal
	}
	var id int64
	err := t.db.tx(ctx, func(tx *sql.Tx) error {
		err := tx.QueryRowContext(ctx, `SELECT id FROM tickets WHERE source = ?`, n.Source).Scan(&id)
		if err == nil {
			return nil
		}
		if !errors.Is(err, sql.ErrNoRows) {
			return err
		}
		ooh := 0
		if n.OutOfHours {
			ooh = 1
		}
		chat := t.db.keys.SealString(n.Chat.Key(), ticketChatAAD(n.Source))
		res, err := tx.ExecContext(ctx, `INSERT INTO tickets (source, person, chat, lang, modulo, campaign,
			staff_chat, priority, out_of_hours, opened_at, topic) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
			n.Source, n.Person, chat, n.Lang, n.Modulo, n.Campaign, n.StaffChat, n.Priority, ooh, millis(n.At), n.Topic)
		if err != nil {
			return fmt.Errorf("insert ticket: %w", err)
		}
		if id, err = res.LastInsertId(); err != nil {
			return err
		}
		if first != nil {
			first.Ticket = id
			if err := insertRelay(ctx, tx, t.db, *first); err != nil {
				return err
			}
		}
		return logRequest(ctx, tx, r)
	})
	if err != nil {
		return flows.Ticket{}, fmt.Errorf("open ticket: %w", err)
	}
	if first != nil {
		first.Ticket = id
	}
	return t.Get(ctx, id)
}

// insertRelay records a relay unless its source was recorded before.
func insertRelay(ctx context.Context, tx *sql.Tx, db *DB, r flows.Relay) error {
	if r.Source == "" || r.Ticket == 0 {
		return errors.New("relay: source and ticket are required")
	}
	body, err := json.Marshal(relayBody{Text: r.Text, Photo: r.PhotoID, Loc: r.Location})
	if err != nil {
		return err
	}
	at := millis(r.At)
	res, err := tx.ExecContext(ctx, `INSERT OR IGNORE INTO relays (ticket, source, direction, kind, body, by,
		reply_to, at, next_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)`,
		r.Ticket, r.Source, r.Direction, r.Kind, db.keys.SealString(string(body), relayAAD(r.Source)),
		r.By, r.ReplyTo, at, at)
	if err != nil {
		return fmt.Errorf("record relay: %w", err)
	}
	if n, _ := res.RowsAffected(); n == 1 && r.Direction == flows.RelayOut && r.By != "" {
		if _, err := tx.ExecContext(ctx, `UPDATE tickets SET first_response_at = ?
			WHERE id = ? AND first_response_at IS NULL`, at, r.Ticket); err != nil {
			return fmt.Errorf("first response: %w", err)
		}
	}
	return nil
}

// Current implements flows.Tickets.
func (t *Tickets) Current(ctx context.Context, person string) (flows.Ticket, error) {
	return t.scan(t.db.db.QueryRowContext(ctx, `SELECT `+ticketColumns+` FROM tickets
		WHERE person = ? AND status IN ('open', 'taken') ORDER BY id DESC LIMIT 1`, person))
}

// Get implements flows.Tickets.
func (t *Tickets) Get(ctx context.Context, id int64) (flows.Ticket, error) {
	return t.scan(t.db.db.QueryRowContext(ctx, `SELECT `+ticketColumns+` FROM tickets WHERE id = ?`, id))
}

// Relay implements flows.Tickets.
func (t *Tickets) Relay(ctx context.Context, r flows.Relay) error {
	return t.db.tx(ctx, func(tx *sql.Tx) error { return insertRelay(ctx, tx, t.db, r) })
}

// Take implements flows.Tickets with one conditional UPDATE, so of two
// staff members taking a ticket at once exactly one changes the row.
func (t *Tickets) Take(ctx context.Context, id int64, by string, at time.Time) (flows.Ticket, error) {
	var n int64
	err := t.db.tx(ctx, func(tx *sql.Tx) error {
		res, err := tx.ExecContext(ctx, `UPDATE tickets SET status = 'taken', taken_by = ?, taken_at = ?
			WHERE id = ? AND status = 'open'`, by, millis(at), id)
		if err != nil {
			return fmt.Errorf("take T%d: %w", id, err)
		}
		if n, _ = res.RowsAffected(); n == 1 {
			return auditTx(ctx, tx, ticketAudit(at, by, "ticket.take", id))
		}
		return nil
	})
	if err != nil {
		return flows.Ticket{}, err
	}
	k, err := t.Get(ctx, id)
	if err != nil {
		return k, err
	}
	if n == 1 {
		return k, nil
	}
	if k.Status == flows.TicketClosed {
		return k, flows.ErrTicketClosed
	}
	return k, flows.ErrTicketTaken
}

// Close implements flows.Tickets.
func (t *Tickets) Close(ctx context.Context, id int64, by string, at time.Time, notice *flows.Relay) (flows.Ticket, error) {
	err := t.db.tx(ctx, func(tx *sql.Tx) error {
		res, err := tx.ExecContext(ctx, `UPDATE tickets SET status = 'closed', closed_by = ?, closed_at = ?
			WHERE id = ? AND status IN ('open', 'taken')`, by, millis(at), id)
		if err != nil {
			return fmt.Errorf("close T%d: %w", id, err)
		}
		if n, _ := res.RowsAffected(); n == 0 {
			var st string
			if err := tx.QueryRowContext(ctx, `SELECT status FROM tickets WHERE id = ?`, id).Scan(&st); errors.Is(err, sql.ErrNoRows) {
				return flows.ErrNoTicket
			}
			return flows.ErrTicketClosed
		}
		if err := auditTx(ctx, tx, ticketAudit(at, by, "ticket.close", id)); err != nil {
			return err
		}
		if notice != nil {
			notice.Ticket = id
			return insertRelay(ctx, tx, t.db, *notice)
		}
		return nil
	})
	if err != nil {
		return flows.Ticket{}, err
	}
	return t.Get(ctx, id)
}

// Urgent implements flows.Tickets.
func (t *Tickets) Urgent(ctx context.Context, id int64) error {
	_, err := t.db.db.ExecContext(ctx, `UPDATE tickets SET priority = 'urgent'
		WHERE id = ? AND status IN ('open', 'taken')`, id)
	if err != nil {
		return fmt.Errorf("urgent T%d: %w", id, err)
	}
	return nil
}

// Note implements flows.Tickets.
func (t *Tickets) Note(ctx context.Context, id int64, by, text string, at time.Time) error {
	if _, err := t.Get(ctx, id); err != nil {
		return err
	}
	ms := millis(at)
	_, err := t.db.db.ExecContext(ctx, `INSERT INTO ticket_notes (ticket, at, by, body) VALUES (?, ?, ?, ?)`,
		id, ms, by, t.db.keys.SealString(text, noteAAD(id, ms)))
	if err != nil {
		return fmt.Errorf("note T%d: %w", id, err)
	}
	return nil
}

// TicketNote is an internal note, opened.
type TicketNote struct {
	At       time.Time
	By, Text string
}

// Notes returns a ticket's notes, oldest first.
func (t *Tickets) Notes(ctx context.Context, id int64) ([]TicketNote, error) {
	rows, err := t.db.db.QueryContext(ctx, `SELECT at, by, body FROM ticket_notes WHERE ticket = ? ORDER BY id`, id)
	if err != nil {
		return nil, fmt.Errorf("notes of T%d: %w", id, err)
	}
	defer rows.Close()
	var out []TicketNote
	for rows.Next() {
		var n TicketNote
		var at int64
		var body string
		if err := rows.Scan(&at, &n.By, &body); err != nil {
			return nil, err
		}
		if n.Text, err = t.db.keys.OpenString(body, noteAAD(id, at)); err != nil {
			return nil, fmt.Errorf("open note of T%d: %w", id, err)
		}
		n.At = fromMillis(at)
		out = append(out, n)
	}
	return out, rows.Err()
}

// Active implements flows.Tickets.
func (t *Tickets) Active(ctx context.Context, staffChat int64) ([]flows.Ticket, error) {
	rows, err := t.db.db.QueryContext(ctx, `SELECT `+ticketColumns+` FROM tickets
		WHERE status IN ('open', 'taken') AND (? = 0 OR staff_chat = ?)
		ORDER BY status = 'taken', priority = 'normal', opened_at, id`, staffChat, staffChat)
	if err != nil {
		return nil, fmt.Errorf("active tickets: %w", err)
	}
	return t.scanAll(rows)
}

func (t *Tickets) scanAll(rows *sql.Rows) ([]flows.Ticket, error) {
	defer rows.Close()
	var out []flows.Ticket
	for rows.Next() {
		k, err := t.scan(rows)
		if err != nil {
			return nil, err
		}
		out = append(out, k)
	}
	return out, rows.Err()
}

// ByMessage implements flows.Tickets.
func (t *Tickets) ByMessage(ctx context.Context, chat, message int64) (int64, error) {
	var id int64
	err := t.db.db.QueryRowContext(ctx, `SELECT ticket FROM ticket_messages WHERE chat = ? AND message = ?`,
		chat, message).Scan(&id)
	if errors.Is(err, sql.ErrNoRows) {
		return 0, flows.ErrNoTicket
	}
	if err != nil {
		return 0, fmt.Errorf("ticket of message: %w", err)
	}
	return id, nil
}

// MapMessage records that a staff group message belongs to a ticket.
func (t *Tickets) MapMessage(ctx context.Context, chat, message, ticket int64) error {
	_, err := t.db.db.ExecContext(ctx, `INSERT OR REPLACE INTO ticket_messages (chat, message, ticket) VALUES (?, ?, ?)`,
		chat, message, ticket)
	if err != nil {
		return fmt.Errorf("map message to T%d: %w", ticket, err)
	}
	return nil
}

// Wait implements flows.Tickets: the open tickets ahead, and the median
// first-response time of the tickets opened in the last 14 days (when at
// least 3 were answered; fewer say nothing honest).
func (t *Tickets) Wait(ctx context.Context, now time.Time) (flows.WaitEstimate, error) {
	var w flows.WaitEstimate
	if err := t.db.db.QueryRowContext(ctx, `SELECT count(*) FROM tickets WHERE status = 'open'`).Scan(&w.Ahead); err != nil {
		return w, fmt.Errorf("wait: %w", err)
	}
	rows, err := t.db.db.QueryContext(ctx, `SELECT first_response_at - opened_at FROM tickets
		WHERE first_response_at IS NOT NULL AND opened_at >= ?`, millis(now.Add(-14*24*time.Hour)))
	if err != nil {
		return w, fmt.Errorf("wait: %w", err)
	}
	defer rows.Close()
	var ds []int64
	for rows.Next() {
		var d int64
		if err := rows.Scan(&d); err != nil {
			return w, err
		}
		ds = append(ds, d)
	}
	if err := rows.Err(); err != nil {
		return w, err
	}
	if len(ds) >= 3 {
		sort.Slice(ds, func(i, j int) bool { return ds[i] < ds[j] })
		w.Typical = time.Duration(ds[len(ds)/2]) * time.Millisecond
	}
	return w, nil
}

// TicketTiming is a ticket's response figures for the weekly summary.
type TicketTiming struct {
	ID                        int64
	Priority, Modulo, Lang    string
	OpenedAt                  time.Time
	FirstResponse, Resolution time.Duration // zero when it has not happened
}

// TicketTimes returns the first-response and resolution times of the
// tickets opened in [from, to), oldest first.
func (t *Tickets) TicketTimes(ctx context.Context, from, to time.Time) ([]TicketTiming, error) {
	rows, err := t.db.db.QueryContext(ctx, `SELECT id, priority, modulo, lang, opened_at,
		COALESCE(first_response_at - opened_at, 0), COALESCE(closed_at - opened_at, 0)
		FROM tickets WHERE opened_at >= ? AND opened_at < ? ORDER BY opened_at, id`, millis(from), millis(to))
	if err != nil {
		return nil, fmt.Errorf("ticket times: %w", err)
	}
	defer rows.Close()
	var out []TicketTiming
	for rows.Next() {
		var x TicketTiming
		var opened, first, res int64
		if err := rows.Scan(&x.ID, &x.Priority, &x.Modulo, &x.Lang, &opened, &first, &res); err != nil {
			return nil, err
		}
		x.OpenedAt = fromMillis(opened)
		x.FirstResponse, x.Resolution = time.Duration(first)*time.Millisecond, time.Duration(res)*time.Millisecond
		out = append(out, x)
	}
	return out, rows.Err()
}

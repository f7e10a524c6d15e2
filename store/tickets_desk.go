package store

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"strconv"
	"strings"
	"time"

	"github.com/acercate/acercate/flows"
)

// This file is what the staff desk (package desk) needs besides
// flows.Tickets: which tickets to announce or re-announce, which relays to
// deliver, and recording what became of each.

// ToAnnounce returns tickets never posted to their staff group, urgent
// first, then oldest first. A ticket the person closed before it was
// posted is posted too: staff see who asked, and its messages (the
// "person left" notice included) are threaded under it, not left waiting.
func (t *Tickets) ToAnnounce(ctx context.Context, limit int) ([]flows.Ticket, error) {
	rows, err := t.db.db.QueryContext(ctx, `SELECT `+ticketColumns+` FROM tickets
		WHERE announced_at IS NULL
		ORDER BY priority = 'normal', opened_at, id LIMIT ?`, limit)
	if err != nil {
		return nil, fmt.Errorf("tickets to announce: %w", err)
	}
	return t.scanAll(rows)
}

// ToReannounce returns urgent tickets still open whose last announcement
// is older than before, oldest first.
func (t *Tickets) ToReannounce(ctx context.Context, before time.Time, limit int) ([]flows.Ticket, error) {
	rows, err := t.db.db.QueryContext(ctx, `SELECT `+ticketColumns+` FROM tickets
		WHERE status = 'open' AND priority = 'urgent' AND announced_at IS NOT NULL AND announced_at <= ?
		ORDER BY opened_at, id LIMIT ?`, millis(before), limit)
	if err != nil {
		return nil, fmt.Errorf("tickets to re-announce: %w", err)
	}
	return t.scanAll(rows)
}

// Announced records that a ticket was posted to its staff group as
// message; the first post's message id becomes the ticket's thread.
func (t *Tickets) Announced(ctx context.Context, id, chat, message int64, at time.Time) error {
	return t.db.tx(ctx, func(tx *sql.Tx) error {
		if _, err := tx.ExecContext(ctx, `UPDATE tickets SET announced_at = ?, announcements = announcements + 1,
			group_message = CASE WHEN group_message = 0 THEN ? ELSE group_message END WHERE id = ?`,
			millis(at), message, id); err != nil {
			return fmt.Errorf("announced T%d: %w", id, err)
		}
		if message == 0 {
			return nil
		}
		_, err := tx.ExecContext(ctx, `INSERT OR REPLACE INTO ticket_messages (chat, message, ticket) VALUES (?, ?, ?)`,
			chat, message, id)
		return err
	})
}

// PendingRelays returns relays due for delivery at now, oldest first.
func (t *Tickets) PendingRelays(ctx context.Context, now time.Time, limit int) ([]flows.Relay, error) {
	rows, err := t.db.db.QueryContext(ctx, `SELECT id, ticket, source, direction, kind, body, by, reply_to, at,
		status, attempts, message, error FROM relays WHERE status = 'pending' AND next_at <= ?
		ORDER BY id LIMIT ?`, millis(now), limit)
	if err != nil {
		return nil, fmt.Errorf("pending relays: %w", err)
	}
	return t.scanRelays(rows)
}

// FailedUnreported returns relays that failed for good and were not yet
// shown to staff.
func (t *Tickets) FailedUnreported(ctx context.Context, limit int) ([]flows.Relay, error) {
	rows, err := t.db.db.QueryContext(ctx, `SELECT id, ticket, source, direction, kind, body, by, reply_to, at,
		status, attempts, message, error FROM relays WHERE status = 'failed' AND reported = 0
		ORDER BY id LIMIT ?`, limit)
	if err != nil {
		return nil, fmt.Errorf("failed relays: %w", err)
	}
	return t.scanRelays(rows)
}

// Relays returns a ticket's relays, oldest first (tests, exports).
func (t *Tickets) Relays(ctx context.Context, ticket int64) ([]flows.Relay, error) {
	rows, err := t.db.db.QueryContext(ctx, `SELECT id, ticket, source, direction, kind, body, by, reply_to, at,
		status, attempts, message, error FROM relays WHERE ticket = ? ORDER BY id`, ticket)
	if err != nil {
		return nil, fmt.Errorf("relays of T%d: %w", ticket, err)
	}
	return t.scanRelays(rows)
}

// FirstRelay returns a ticket's first relay (what the person wrote to
// open it), or nil when it has none: one row opened, not the whole
// conversation.
func (t *Tickets) FirstRelay(ctx context.Context, ticket int64) (*flows.Relay, error) {
	rows, err := t.db.db.QueryContext(ctx, `SELECT id, ticket, source, direction, kind, body, by, reply_to, at,
		status, attempts, message, error FROM relays WHERE ticket = ? ORDER BY id LIMIT 1`, ticket)
	if err != nil {
		return nil, fmt.Errorf("first relay of T%d: %w", ticket, err)
	}
	list, err := t.scanRelays(rows)
	if err != nil || len(list) == 0 {
		return nil, err
	}
	return &list[0], nil
}

func (t *Tickets) scanRelays(rows *sql.Rows) ([]flows.Relay, error) {
	defer rows.Close()
	var out []flows.Relay
	for rows.Next() {
		var r flows.Relay
		var body string
		var at int64
		if err := rows.Scan(&r.ID, &r.Ticket, &r.Source, &r.Direction, &r.Kind, &body, &r.By, &r.ReplyTo, &at,
			&r.Status, &r.Attempts, &r.Message, &r.Error); err != nil {
			return nil, err
		}
		r.At = fromMillis(at)
		plain, err := t.db.keys.OpenString(body, relayAAD(r.Source))
		if err != nil {
			return nil, fmt.Errorf("open relay %d: %w", r.ID, err)
		}
		var b relayBody
		if err := json.Unmarshal([]byte(plain), &b); err != nil {
			return nil, fmt.Errorf("relay %d: %w", r.ID, err)
		}
		r.Text, r.PhotoID, r.Location = b.Text, b.Photo, b.Loc
		out = append(out, r)
	}
	return out, rows.Err()
}

// RelayDelivered records that a relay reached its chat as message.
func (t *Tickets) RelayDelivered(ctx context.Context, id, message int64, at time.Time) error {
	_, err := t.db.db.ExecContext(ctx, `UPDATE relays SET status = 'delivered', attempts = attempts + 1,
		delivered_at = ?, message = ?, error = '' WHERE id = ?`, millis(at), message, id)
	if err != nil {
		return fmt.Errorf("relay %d delivered: %w", id, err)
	}
	return nil
}

// RelayAttemptFailed records a failed attempt: the relay is tried again at
// next, or, when next is zero, marked failed for good. kind is a kind of
// error ("blocked", "network"), never message text.
func (t *Tickets) RelayAttemptFailed(ctx context.Context, id int64, kind string, next time.Time) error {
	status, nextAt := "pending", millis(next)
	if next.IsZero() {
		status, nextAt = "failed", 0
	}
	_, err := t.db.db.ExecContext(ctx, `UPDATE relays SET attempts = attempts + 1, error = ?, status = ?,
		next_at = CASE WHEN ? = 0 THEN next_at ELSE ? END WHERE id = ?`, kind, status, nextAt, nextAt, id)
	if err != nil {
		return fmt.Errorf("relay %d failed: %w", id, err)
	}
	return nil
}

// RelayReported records that a relay's failure was shown to staff.
func (t *Tickets) RelayReported(ctx context.Context, id int64) error {
	_, err := t.db.db.ExecContext(ctx, `UPDATE relays SET reported = 1 WHERE id = ?`, id)
	return err
}

// OutboxDelivered marks an outbox entry delivered.
func (s *DB) OutboxDelivered(ctx context.Context, id int64, at time.Time) error {
	_, err := s.db.ExecContext(ctx, `UPDATE outbox SET delivered_at = ?, attempts = attempts + 1 WHERE id = ?`, millis(at), id)
	if err != nil {
		return fmt.Errorf("outbox %d delivered: %w", id, err)
	}
	return nil
}

// OutboxAttemptFailed counts a failed delivery of an outbox entry; it
// stays pending.
func (s *DB) OutboxAttemptFailed(ctx context.Context, id int64) error {
	_, err := s.db.ExecContext(ctx, `UPDATE outbox SET attempts = attempts + 1 WHERE id = ?`, id)
	return err
}

// DenunciaAnnouncement is what a staff group is told of a new denuncia:
// never anything the person wrote.
type DenunciaAnnouncement struct {
	Folio, Category, Municipality, Modulo, Lang string
	Urgent                                      bool
	Created                                     time.Time
}

// urgentDenuncias are the categories announced as urgent.
var urgentDenuncias = map[string]bool{"kidnapping": true, "sexual": true, "trafficking": true, "disappearance": true}

// DenunciaAnnouncement returns a denuncia's announcement, or
// flows.ErrNoDenuncia (erased since it was filed).
func (s *DB) DenunciaAnnouncement(ctx context.Context, folio string) (DenunciaAnnouncement, error) {
	a := DenunciaAnnouncement{Folio: folio}
	var created int64
	var occurred string
	err := s.db.QueryRowContext(ctx, `SELECT category, municipality, modulo, lang, created, occurred FROM denuncias
		WHERE folio = ?`, folio).Scan(&a.Category, &a.Municipality, &a.Modulo, &a.Lang, &created, &occurred)
	if errors.Is(err, sql.ErrNoRows) {
		return a, flows.ErrNoDenuncia
	}
	if err != nil {
		return a, fmt.Errorf("denuncia %s: %w", folio, err)
	}
	a.Created = fromMillis(created)
	a.Urgent = urgentDenuncias[a.Category] || (occurred == "today" && a.Category == "authority")
	return a, nil
}

// Staff implements flows.Tickets from the módulos table (owned by the
// metrics work: code, name, staff_chat, staff_users). Before that table
// exists, or without those columns, there are no módulo staff groups and
// only the environment's are used.
func (t *Tickets) Staff(ctx context.Context) (flows.StaffDirectory, error) {
	dir := flows.StaffDirectory{Modulos: map[string]flows.ModuloStaff{}, CampaignModulo: map[string]string{}}
	cols, err := t.db.columns(ctx, "modulos")
	if err != nil {
		return dir, err
	}
	for _, c := range []string{"code", "name", "staff_chat", "staff_users"} {
		if !cols[c] {
			return dir, nil
		}
	}
	rows, err := t.db.db.QueryContext(ctx, `SELECT code, name, COALESCE(staff_chat, 0), COALESCE(staff_users, '') FROM modulos`)
	if err != nil {
		return dir, fmt.Errorf("staff of módulos: %w", err)
	}
	defer rows.Close()
	for rows.Next() {
		var m flows.ModuloStaff
		var users string
		if err := rows.Scan(&m.Code, &m.Name, &m.Chat, &users); err != nil {
			return dir, err
		}
		for _, u := range strings.FieldsFunc(users, func(r rune) bool { return r == ',' || r == ' ' || r == ';' }) {
			if id, err := strconv.ParseInt(u, 10, 64); err == nil {
				m.Users = append(m.Users, id)
			}
		}
		dir.Modulos[strings.TrimPrefix(m.Code, "m-")] = m
	}
	if err := rows.Err(); err != nil {
		return dir, err
	}
	cols, err = t.db.columns(ctx, "campaigns")
	if err != nil || !cols["code"] || !cols["modulo"] {
		return dir, err
	}
	crows, err := t.db.db.QueryContext(ctx, `SELECT code, modulo FROM campaigns WHERE modulo IS NOT NULL AND modulo <> ''`)
	if err != nil {
		return dir, fmt.Errorf("módulos of campaigns: %w", err)
	}
	defer crows.Close()
	for crows.Next() {
		var c, m string
		if err := crows.Scan(&c, &m); err != nil {
			return dir, err
		}
		dir.CampaignModulo[c] = m
	}
	return dir, crows.Err()
}

// columns returns the columns of a table (none when it does not exist).
func (s *DB) columns(ctx context.Context, table string) (map[string]bool, error) {
	rows, err := s.db.QueryContext(ctx, `SELECT name FROM pragma_table_info(?)`, table)
	if err != nil {
		return nil, fmt.Errorf("columns of %s: %w", table, err)
	}
	defer rows.Close()
	out := map[string]bool{}
	for rows.Next() {
		var n string
		if err := rows.Scan(&n); err != nil {
			return nil, err
		}
		out[n] = true
	}
	return out, rows.Err()
}

// DenunciaDesk returns the denuncias as the staff group works on them
// (flows.DenunciaDesk).
func (s *DB) DenunciaDesk() flows.DenunciaDesk { return denunciaDesk{s.Denuncias()} }

type denunciaDesk struct{ d *Denuncias }

// View implements flows.DenunciaDesk over Denuncias.View (audit-logged).
func (d denunciaDesk) View(ctx context.Context, folio, actor string) (flows.DenunciaView, error) {
	rec, err := d.d.View(ctx, folio, actor)
	if err != nil {
		return flows.DenunciaView{}, err
	}
	return flows.DenunciaView{Denuncia: rec.Denuncia, Folio: rec.Folio, Status: rec.Status, Lang: rec.Lang,
		Modulo: rec.Modulo, Created: rec.Created}, nil
}

// Waiting implements flows.DenunciaDesk: the denuncias still "received".
func (d denunciaDesk) Waiting(ctx context.Context) ([]flows.DenunciaWaiting, error) {
	list, err := d.d.List(ctx, "received")
	if err != nil {
		return nil, err
	}
	out := make([]flows.DenunciaWaiting, len(list))
	for i, l := range list {
		out[i] = flows.DenunciaWaiting{Folio: l.Folio, Category: l.Category, Municipality: l.Municipality, Created: l.Created}
	}
	return out, nil
}

// SetStatus implements flows.DenunciaDesk: the change is audit-logged,
// and the person's chat is opened only when they asked to be contacted.
func (d denunciaDesk) SetStatus(ctx context.Context, folio, status, actor string) (flows.Address, string, error) {
	if err := d.d.SetStatus(ctx, folio, status, actor); err != nil {
		return flows.Address{}, "", err
	}
	var lang, contact string
	if err := d.d.db.db.QueryRowContext(ctx, `SELECT lang, contact FROM denuncias WHERE folio = ?`, folio).Scan(&lang, &contact); err != nil {
		return flows.Address{}, "", fmt.Errorf("denuncia %s: %w", folio, err)
	}
	if contact == "" {
		return flows.Address{}, lang, nil
	}
	plain, err := d.d.db.keys.OpenString(contact, denunciaAAD(folio, "contact"))
	if err != nil {
		return flows.Address{}, lang, fmt.Errorf("open contact of %s: %w", folio, err)
	}
	chat, err := flows.ParseAddress(plain)
	if err != nil {
		return flows.Address{}, lang, fmt.Errorf("contact of %s: %w", folio, err)
	}
	return chat, lang, nil
}

// StaffGroupDown is a staff group the desk could not deliver to, since
// Since, Failures times in a row; it tries again at Next.
type StaffGroupDown struct {
	Chat     int64
	Failures int
	Error    string // the last error's kind ("blocked"), never its text
	Since    time.Time
	Next     time.Time
}

// StaffGroupsDown returns the staff groups that are unreachable, by chat.
func (t *Tickets) StaffGroupsDown(ctx context.Context) (map[int64]StaffGroupDown, error) {
	rows, err := t.db.db.QueryContext(ctx, `SELECT chat, failures, error, since, next_at FROM staff_groups_down`)
	if err != nil {
		return nil, fmt.Errorf("staff groups down: %w", err)
	}
	defer rows.Close()
	out := map[int64]StaffGroupDown{}
	for rows.Next() {
		var g StaffGroupDown
		var since, next int64
		if err := rows.Scan(&g.Chat, &g.Failures, &g.Error, &since, &next); err != nil {
			return nil, err
		}
		g.Since, g.Next = fromMillis(since), fromMillis(next)
		out[g.Chat] = g
	}
	return out, rows.Err()
}

// StaffGroupFailed records the state of a group a delivery just failed to.
func (t *Tickets) StaffGroupFailed(ctx context.Context, g StaffGroupDown) error {
	_, err := t.db.db.ExecContext(ctx, `INSERT INTO staff_groups_down (chat, failures, error, since, next_at)
		VALUES (?, ?, ?, ?, ?) ON CONFLICT (chat) DO UPDATE SET failures = excluded.failures,
		error = excluded.error, next_at = excluded.next_at`,
		g.Chat, g.Failures, g.Error, millis(g.Since), millis(g.Next))
	if err != nil {
		return fmt.Errorf("staff group failed: %w", err)
	}
	return nil
}

// StaffGroupReachable records that a delivery to a group got through.
func (t *Tickets) StaffGroupReachable(ctx context.Context, chat int64) error {
	if _, err := t.db.db.ExecContext(ctx, `DELETE FROM staff_groups_down WHERE chat = ?`, chat); err != nil {
		return fmt.Errorf("staff group reachable: %w", err)
	}
	return nil
}

// ToRefresh returns announced tickets whose status changed since their
// announcement was posted or last edited (Shown), oldest first.
func (t *Tickets) ToRefresh(ctx context.Context, limit int) ([]flows.Ticket, error) {
	rows, err := t.db.db.QueryContext(ctx, `SELECT `+ticketColumns+` FROM tickets
		WHERE shown_status <> status AND group_message <> 0 ORDER BY id LIMIT ?`, limit)
	if err != nil {
		return nil, fmt.Errorf("tickets to refresh: %w", err)
	}
	return t.scanAll(rows)
}

// Shown records the status a ticket's announcement now shows.
func (t *Tickets) Shown(ctx context.Context, id int64, status string) error {
	if _, err := t.db.db.ExecContext(ctx, `UPDATE tickets SET shown_status = ? WHERE id = ?`, status, id); err != nil {
		return fmt.Errorf("T%d shown %s: %w", id, status, err)
	}
	return nil
}

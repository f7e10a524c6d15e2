package store

import (
	"context"
	"database/sql"
	"fmt"
	"strconv"
	"time"
)

// These helpers let the privacy work (/borrar, acercate purge) erase the
// staff desk's records inside its own transaction, without editing this
// area's files. Both strip tickets to what the weekly report counts:
// relays, notes and group message mappings are deleted, and the row
// keeps only its times, language, módulo, campaign, priority and status.

// TicketCounts says how many rows a purge removed (or would remove).
type TicketCounts struct {
	Tickets, Relays, Notes, Messages int64
}

// stripTickets is the SQL that strips the tickets selected by a query
// (its ? arguments given with it). source is NOT NULL UNIQUE: "purged:<id>"
// is both, and says nothing of the person.
func stripTickets(ctx context.Context, tx *sql.Tx, selected string, args ...any) error {
	for _, q := range []string{
		`DELETE FROM relays WHERE ticket IN (` + selected + `)`,
		`DELETE FROM ticket_notes WHERE ticket IN (` + selected + `)`,
		`DELETE FROM ticket_messages WHERE ticket IN (` + selected + `)`,
		`UPDATE tickets SET person = '', chat = '', source = 'purged:' || id, group_message = 0, shown_status = status
			WHERE id IN (` + selected + `)`,
	} {
		if _, err := tx.ExecContext(ctx, q, args...); err != nil {
			return err
		}
	}
	return nil
}

// forgetTickets erases every ticket of a person (their keyed hash, as in
// flows.Request.Person): open ones are closed ("erased", at now) — a
// person who asks to be forgotten is not kept in the staff queue — and
// all are stripped, so the weeks they were counted in read the same.
func forgetTickets(ctx context.Context, tx *sql.Tx, person string, now time.Time) error {
	if _, err := tx.ExecContext(ctx, `UPDATE tickets SET status = 'closed', closed_by = 'erased', closed_at = ?
		WHERE person = ? AND status <> 'closed'`, millis(now), person); err != nil {
		return fmt.Errorf("forget tickets: %w", err)
	}
	// What the bot posted about the person in staff groups (the
	// announcement, their relayed messages) is deleted by the desk at its
	// next round (staff_posts, due now); Telegram refuses what is older
	// than 48 hours, and that stays in the group.
	for _, q := range []string{
		`INSERT OR IGNORE INTO staff_posts (chat, message, delete_at)
			SELECT chat, message, ? FROM ticket_messages WHERE ticket IN (SELECT id FROM tickets WHERE person = ?)`,
		`INSERT OR IGNORE INTO staff_posts (chat, message, delete_at)
			SELECT staff_chat, group_message, ? FROM tickets WHERE person = ? AND group_message <> 0`,
	} {
		if _, err := tx.ExecContext(ctx, q, millis(now), person); err != nil {
			return fmt.Errorf("forget tickets: posts to delete: %w", err)
		}
	}
	if err := stripTickets(ctx, tx, `SELECT id FROM tickets WHERE person = ?`, person); err != nil {
		return fmt.Errorf("forget tickets: %w", err)
	}
	return nil
}

// strippable selects the tickets whose contents are past retention:
// closed before the cutoff (?1), or closed by the retention itself
// (closeAbandoned), and not stripped yet.
const strippable = `SELECT id FROM tickets WHERE status = 'closed' AND person <> ''
	AND (closed_at < ?1 OR closed_by = 'retention')`

// purgeTickets strips tickets closed before before: their relays, notes
// and group message mappings are deleted, and the row loses what leads
// to the person (their hash, the sealed chat, the source made of their
// hash, the staff group message that announced them). What stays (times,
// language, módulo, campaign, priority, status) is what the weekly report
// counts: escalations opened, answered and closed, and first-response
// times, so a week's report reads the same after its tickets are purged.
// Open and taken tickets are never purged here (closeAbandoned closes
// the ones nobody touched for the retention). With dryRun it only counts.
// The counts are of what was (or would be) stripped or removed.
func purgeTickets(ctx context.Context, tx *sql.Tx, before time.Time, dryRun bool) (TicketCounts, error) {
	var c TicketCounts
	b := millis(before)
	for _, q := range []struct {
		n   *int64
		sql string
	}{
		{&c.Tickets, `SELECT count(*) FROM tickets WHERE id IN (` + strippable + `)`},
		{&c.Relays, `SELECT count(*) FROM relays WHERE ticket IN (` + strippable + `)`},
		{&c.Notes, `SELECT count(*) FROM ticket_notes WHERE ticket IN (` + strippable + `)`},
		{&c.Messages, `SELECT count(*) FROM ticket_messages WHERE ticket IN (` + strippable + `)`},
	} {
		if err := tx.QueryRowContext(ctx, q.sql, b).Scan(q.n); err != nil {
			return c, fmt.Errorf("purge tickets: %w", err)
		}
	}
	if dryRun || c.Tickets == 0 {
		return c, nil
	}
	if err := stripTickets(ctx, tx, strippable, b); err != nil {
		return c, fmt.Errorf("purge tickets: %w", err)
	}
	return c, nil
}

// lastActivity is a ticket's (t) last sign of life: opened, taken,
// answered, a message either way, a staff note. Re-announcing it to the
// staff group is not activity: the desk does that to tickets nobody took.
const lastActivity = `max(t.opened_at, coalesce(t.taken_at, 0), coalesce(t.first_response_at, 0),
	coalesce((SELECT max(at) FROM relays WHERE ticket = t.id), 0),
	coalesce((SELECT max(at) FROM ticket_notes WHERE ticket = t.id), 0))`

// closeAbandoned closes (at now, by "retention", one ticket.close audit
// row each) the open and taken tickets with no activity since before: a
// conversation the person and staff abandoned would otherwise keep its
// sealed chat and relayed messages forever. purgeTickets then strips them
// like any ticket past retention. With dryRun it only counts.
func closeAbandoned(ctx context.Context, tx *sql.Tx, now, before time.Time, dryRun bool) (int, error) {
	ids, err := queryIDs(ctx, tx, `SELECT t.id FROM tickets t WHERE t.status IN ('open', 'taken')
		AND `+lastActivity+` < ? ORDER BY t.id`, millis(before))
	if err != nil {
		return 0, fmt.Errorf("abandoned tickets: %w", err)
	}
	if dryRun {
		return len(ids), nil
	}
	for _, id := range ids {
		if _, err := tx.ExecContext(ctx, `UPDATE tickets SET status = 'closed', closed_by = 'retention', closed_at = ?
			WHERE id = ?`, millis(now), id); err != nil {
			return 0, fmt.Errorf("close abandoned T%d: %w", id, err)
		}
		if err := auditTx(ctx, tx, AuditEntry{At: now, Actor: "retention", Action: "ticket.close",
			Object: "T" + strconv.FormatInt(id, 10)}); err != nil {
			return 0, err
		}
	}
	return len(ids), nil
}

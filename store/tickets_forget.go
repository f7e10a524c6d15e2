package store

import (
	"context"
	"database/sql"
	"fmt"
	"time"
)

// These helpers let the privacy work (/borrar, acercate purge) erase the
// staff desk's records inside its own transaction, without editing this
// area's files. Both delete tickets with everything hanging from them
// (relays, notes, group message mappings: ON DELETE CASCADE).

// TicketCounts says how many rows a purge removed (or would remove).
type TicketCounts struct {
	Tickets, Relays, Notes, Messages int64
}

// forgetTickets deletes every ticket of a person (their keyed hash, as in
// flows.Request.Person), with its relays, notes and group message
// mappings. Tickets still open are deleted too: a person who asks to be
// forgotten is not kept in the staff queue.
func forgetTickets(ctx context.Context, tx *sql.Tx, person string) error {
	if _, err := tx.ExecContext(ctx, `DELETE FROM tickets WHERE person = ?`, person); err != nil {
		return fmt.Errorf("forget tickets: %w", err)
	}
	return nil
}

// purgeTickets deletes tickets closed before before (and, with them, their
// relays, notes and message mappings); open and taken tickets are never
// purged, however old. With dryRun it only counts. The counts are of what
// was (or would be) removed.
func purgeTickets(ctx context.Context, tx *sql.Tx, before time.Time, dryRun bool) (TicketCounts, error) {
	var c TicketCounts
	const old = `SELECT id FROM tickets WHERE status = 'closed' AND closed_at < ?`
	b := millis(before)
	for _, q := range []struct {
		n   *int64
		sql string
	}{
		{&c.Tickets, `SELECT count(*) FROM tickets WHERE id IN (` + old + `)`},
		{&c.Relays, `SELECT count(*) FROM relays WHERE ticket IN (` + old + `)`},
		{&c.Notes, `SELECT count(*) FROM ticket_notes WHERE ticket IN (` + old + `)`},
		{&c.Messages, `SELECT count(*) FROM ticket_messages WHERE ticket IN (` + old + `)`},
	} {
		if err := tx.QueryRowContext(ctx, q.sql, b).Scan(q.n); err != nil {
			return c, fmt.Errorf("purge tickets: %w", err)
		}
	}
	if dryRun {
		return c, nil
	}
	if _, err := tx.ExecContext(ctx, `DELETE FROM tickets WHERE id IN (`+old+`)`, b); err != nil {
		return c, fmt.Errorf("purge tickets: %w", err)
	}
	return c, nil
}

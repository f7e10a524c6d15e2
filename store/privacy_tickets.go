package store

import (
	"context"
	"database/sql"
	"strconv"
	"time"
)

// The staff desk's records (tickets, relays, notes, group message
// mappings) are erased and purged by the desk's own helpers
// (tickets_forget.go); these adapt them to the privacy work's areas.

// forgetTicketsArea erases every conversation the person had with staff,
// open ones included: their relayed messages and notes are deleted, and
// the rows keep only what the weekly report counts.
func forgetTicketsArea(ctx context.Context, tx *sql.Tx, s *forgetSubject) (int, error) {
	var n int
	if err := tx.QueryRowContext(ctx, `SELECT COUNT(*) FROM tickets WHERE person = ?`, s.Person).Scan(&n); err != nil {
		return 0, err
	}
	if n == 0 {
		return 0, nil
	}
	return n, forgetTickets(ctx, tx, s.Person, s.Now)
}

// purgeTicketsArea closes conversations abandoned for longer than the
// cutoff, then strips those closed before it (and the abandoned ones) of
// their messages, notes and the person's link; it counts conversations.
func purgeTicketsArea(ctx context.Context, tx *sql.Tx, now, before time.Time, dry bool) (int, error) {
	abandoned, err := closeAbandoned(ctx, tx, now, before, dry)
	if err != nil {
		return 0, err
	}
	c, err := purgeTickets(ctx, tx, before, dry)
	if dry {
		// Not closed in a dry run, so not among purgeTickets' counts.
		return int(c.Tickets) + abandoned, err
	}
	return int(c.Tickets), err
}

// purgeAttributionArea forgets how people came (first and last campaign
// link) once their last touch is older than the request log keeps.
func purgeAttributionArea(ctx context.Context, tx *sql.Tx, before time.Time, dry bool) (int, error) {
	if dry {
		return purgeCount(ctx, tx, true, `FROM attribution WHERE last_at < ?`, millis(before))
	}
	n, err := purgeAttribution(ctx, tx, before)
	return int(n), err
}

// ticketAudit is the audit row of a ticket's status change: by is a
// staff member's keyed hash, or "person" when the person closed it.
func ticketAudit(at time.Time, by, action string, id int64) AuditEntry {
	actor := "person"
	if by != "person" {
		actor = "staff:" + by
	}
	return AuditEntry{At: at, Actor: actor, Action: action, Object: "T" + strconv.FormatInt(id, 10)}
}

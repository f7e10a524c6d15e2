package store

import (
	"context"
	"database/sql"
	"fmt"
	"time"
)

// forgetRequests unlinks the person's request-log rows: they stay as
// counts (what was asked, when, from which campaign), under a random value
// instead of the person's hash, so nobody can tell whose they were. Which
// campaign first and last brought them (attribution) goes with it.
func forgetRequests(ctx context.Context, tx *sql.Tx, s *forgetSubject) (int, error) {
	// The people attended each year and week stay counted, under the same
	// random value as their request rows, with the date they were first
	// seen (forgetAttribution below would delete them, lowering counts
	// already reported).
	for _, table := range []string{"person_years", "person_weeks"} {
		if _, err := tx.ExecContext(ctx, `UPDATE `+table+` SET person = ? WHERE person = ?`, s.Token, s.Person); err != nil {
			return 0, fmt.Errorf("unlink %s: %w", table, err)
		}
	}
	if err := forgetAttribution(ctx, tx, s.Person); err != nil {
		return 0, err
	}
	res, err := tx.ExecContext(ctx, `UPDATE requests SET person = ? WHERE person = ?`, s.Token, s.Person)
	if err != nil {
		return 0, fmt.Errorf("unlink requests: %w", err)
	}
	n, err := res.RowsAffected()
	return int(n), err
}

// purgeRequests deletes request-log rows from before the cutoff (or, in
// a dry run, counts them).
func purgeRequests(ctx context.Context, tx *sql.Tx, before time.Time, dry bool) (int, error) {
	return purgeCount(ctx, tx, dry, `FROM requests WHERE at < ?`, millis(before))
}

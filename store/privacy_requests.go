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
	// first_at keeps its day only, as the request rows below.
	for table, set := range map[string]string{"person_years": ", first_at = " + mexicoDay("first_at"), "person_weeks": "", "person_kind_weeks": "", "person_channel_weeks": ""} {
		if _, err := tx.ExecContext(ctx, `UPDATE `+table+` SET person = ?`+set+` WHERE person = ?`, s.Token, s.Person); err != nil {
			return 0, fmt.Errorf("unlink %s: %w", table, err)
		}
	}
	if err := forgetAttribution(ctx, tx, s.Person); err != nil {
		return 0, err
	}
	// Exact times and update ids would let anyone relink the rows to
	// what kept its own time (a denuncia's filing, a staff log): the rows
	// keep only their Mexico City day (UTC−6, as the rollups count days:
	// migration 00043), and update_id becomes -id, unique under the
	// UNIQUE (update_id, person) constraint and never a real update's id.
	// The rollups (request_days, person_weeks, person_kind_weeks, channel_days,
	// person_channel_weeks) are only written on
	// insert, so the counts already made stay as they were.
	res, err := tx.ExecContext(ctx, `UPDATE requests SET person = ?1, update_id = -id,
		at = `+mexicoDay("at")+` WHERE person = ?2`, s.Token, s.Person)
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

// mexicoDay is the SQL for the start of the Mexico City day (fixed UTC−6,
// as the rollups, migration 00043) of column, a Unix ms time: it stays in
// the same day, week and year for the report.
func mexicoDay(column string) string {
	return `((` + column + ` / 1000 - 21600) / 86400 * 86400 + 21600) * 1000`
}

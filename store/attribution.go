package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"time"

	"github.com/acercate/acercate/hours"
)

// Attribution is how one person came to the bot: the first and the latest
// /start link they used ("c-feria", "m-tapachula"). The table is filled by
// a trigger on the request log (migration 00040), so it can never disagree
// with the rows the engine wrote.
type Attribution struct {
	Person    string // keyed hash
	FirstCode string
	FirstAt   time.Time
	LastCode  string
	LastAt    time.Time
}

// AttributionOf returns a person's first and last touch; ok is false for a
// person who never came through a link.
func (s *DB) AttributionOf(ctx context.Context, person string) (a Attribution, ok bool, err error) {
	var first, last int64
	err = s.db.QueryRowContext(ctx, `SELECT person, first_code, first_at, last_code, last_at
		FROM attribution WHERE person = ?`, person).Scan(&a.Person, &a.FirstCode, &first, &a.LastCode, &last)
	if errors.Is(err, sql.ErrNoRows) {
		return Attribution{}, false, nil
	}
	if err != nil {
		return Attribution{}, false, fmt.Errorf("read attribution: %w", err)
	}
	a.FirstAt, a.LastAt = fromMillis(first), fromMillis(last)
	return a, true, nil
}

// forgetAttribution erases what the metrics keep of a person apart from
// the request log: how they came (attribution) and the years and weeks
// they were attended (person_years, person_weeks, person_kind_weeks,
// person_channel_weeks; request_days and channel_days hold no
// person and keeps its counts). For /borrar; the privacy work calls it in its
// own transaction.
func forgetAttribution(ctx context.Context, tx *sql.Tx, person string) error {
	if _, err := tx.ExecContext(ctx, `DELETE FROM attribution WHERE person = ?`, person); err != nil {
		return fmt.Errorf("forget attribution: %w", err)
	}
	if _, err := tx.ExecContext(ctx, `DELETE FROM person_years WHERE person = ?`, person); err != nil {
		return fmt.Errorf("forget person years: %w", err)
	}
	if _, err := tx.ExecContext(ctx, `DELETE FROM person_weeks WHERE person = ?`, person); err != nil {
		return fmt.Errorf("forget person weeks: %w", err)
	}
	if _, err := tx.ExecContext(ctx, `DELETE FROM person_kind_weeks WHERE person = ?`, person); err != nil {
		return fmt.Errorf("forget person kind weeks: %w", err)
	}
	if _, err := tx.ExecContext(ctx, `DELETE FROM person_channel_weeks WHERE person = ?`, person); err != nil {
		return fmt.Errorf("forget person channel weeks: %w", err)
	}
	return nil
}

// purgeAttribution erases the attribution of people whose last touch is
// older than before, and the people-per-year rows of years that ended
// before it, as the request log they come from is purged (retention); the
// privacy work calls it. It returns the attribution rows erased.
func purgeAttribution(ctx context.Context, tx *sql.Tx, before time.Time) (int64, error) {
	res, err := tx.ExecContext(ctx, `DELETE FROM attribution WHERE last_at < ?`, millis(before))
	if err != nil {
		return 0, fmt.Errorf("purge attribution: %w", err)
	}
	if _, err := tx.ExecContext(ctx, `DELETE FROM person_years WHERE year < ?`, before.In(hours.Zone()).Year()); err != nil {
		return 0, fmt.Errorf("purge person years: %w", err)
	}
	// Weeks wholly before the cut (week numbers as in migration 00043).
	for _, table := range []string{"person_weeks", "person_kind_weeks", "person_channel_weeks"} {
		if _, err := tx.ExecContext(ctx, `DELETE FROM `+table+` WHERE week < ((? / 1000 - 21600) / 86400 + 3) / 7`, millis(before)); err != nil {
			return 0, fmt.Errorf("purge %s: %w", table, err)
		}
	}
	return res.RowsAffected()
}

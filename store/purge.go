package store

import (
	"context"
	"database/sql"
	"fmt"
	"strings"
	"time"

	"github.com/acercate/acercate/flows"
)

// PurgeItem is one kind of record a purge removed (or, in a dry run,
// would remove): everything of Area from before Before.
type PurgeItem struct {
	Area   string
	Before time.Time
	Count  int
}

// purgeArea is one area of the store whose records expire, and its
// purger, which lives in the area's own file. With dry it only counts.
type purgeArea struct {
	name  string
	days  func(flows.Retention) int
	purge func(ctx context.Context, tx *sql.Tx, before time.Time, dry bool) (int, error)
}

// purgeAreas are every area a purge visits. A new area whose records
// expire adds its purger here.
func purgeAreas(now time.Time, draftDays int) []purgeArea {
	return []purgeArea{
		{"requests", func(r flows.Retention) int { return r.Requests }, purgeRequests},
		{"attribution", func(r flows.Retention) int { return r.Requests }, purgeAttributionArea},
		{"blocked", func(r flows.Retention) int { return r.Requests }, purgeBlocked},
		{"tickets", func(r flows.Retention) int { return r.Tickets },
			func(ctx context.Context, tx *sql.Tx, before time.Time, dry bool) (int, error) {
				return purgeTicketsArea(ctx, tx, now, before, dry)
			}},
		{"denuncias", func(r flows.Retention) int { return r.Denuncias }, purgeDenuncias},
		// A web chat draft's photos go with the draft: once its state has
		// expired (ACERCATE_STATE_TTL, whole days, at least one).
		{"web_photo_drafts", func(flows.Retention) int { return draftDays }, purgeWebPhotoDrafts},
		// An erasure is remembered two days against updates handled again
		// (flows.Privacy.ErasedUpTo), then forgotten too.
		{"erasures", func(flows.Retention) int { return 2 }, purgeErasures},
	}
}

// Purge removes what is past its retention (Retention, counted back from
// the store's clock), in one transaction with one audit row naming actor
// ("cli:ana", "serve") and the counts. A dry run changes nothing, writes
// no audit row, and returns what would go.
func (s *DB) Purge(ctx context.Context, actor string, dry bool) ([]PurgeItem, error) {
	now := s.Now()
	ret := s.Retention()
	var items []PurgeItem
	err := s.tx(ctx, func(tx *sql.Tx) error {
		items = items[:0]
		var detail []string
		for _, a := range purgeAreas(now, s.draftDays()) {
			days := a.days(ret)
			if days <= 0 {
				continue
			}
			before := now.Add(-time.Duration(days) * 24 * time.Hour)
			n, err := a.purge(ctx, tx, before, dry)
			if err != nil {
				return fmt.Errorf("purge %s: %w", a.name, err)
			}
			items = append(items, PurgeItem{Area: a.name, Before: before, Count: n})
			detail = append(detail, fmt.Sprintf("%s=%d", a.name, n))
		}
		if dry {
			return nil
		}
		return auditTx(ctx, tx, AuditEntry{At: now, Actor: actor, Action: "purge", Detail: strings.Join(detail, " ")})
	})
	if err != nil {
		return nil, err
	}
	if !dry {
		s.checkpoint(ctx)
	}
	return items, nil
}

// purgeCount counts the rows of "FROM table WHERE ..." (from) and, unless
// dry, deletes them.
func purgeCount(ctx context.Context, tx *sql.Tx, dry bool, from string, args ...any) (int, error) {
	var n int
	if err := tx.QueryRowContext(ctx, `SELECT COUNT(*) `+from, args...).Scan(&n); err != nil {
		return 0, err
	}
	if dry || n == 0 {
		return n, nil
	}
	if _, err := tx.ExecContext(ctx, `DELETE `+from, args...); err != nil {
		return 0, err
	}
	return n, nil
}

// queryIDs returns the ids a query selects.
func queryIDs(ctx context.Context, tx *sql.Tx, query string, args ...any) ([]int64, error) {
	rows, err := tx.QueryContext(ctx, query, args...)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var ids []int64
	for rows.Next() {
		var id int64
		if err := rows.Scan(&id); err != nil {
			return nil, err
		}
		ids = append(ids, id)
	}
	return ids, rows.Err()
}

// purgeErasures removes the tombstones of erasures older than before.
func purgeErasures(ctx context.Context, tx *sql.Tx, before time.Time, dry bool) (int, error) {
	if dry {
		var n int
		err := tx.QueryRowContext(ctx, `SELECT count(*) FROM erasures WHERE at < ?`, millis(before)).Scan(&n)
		return n, err
	}
	res, err := tx.ExecContext(ctx, `DELETE FROM erasures WHERE at < ?`, millis(before))
	if err != nil {
		return 0, err
	}
	n, err := res.RowsAffected()
	return int(n), err
}

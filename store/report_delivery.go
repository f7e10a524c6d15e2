package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"time"
)

// ClaimReportDelivery claims the delivery of a week's summary for owner
// until now+lease. It returns claimed=false when the week was sent, or
// another owner holds an unexpired claim: of several replicas asking at
// once, exactly one gets it (one statement, one write transaction).
// parts are the parts already delivered by an earlier, failed attempt.
func (s *DB) ClaimReportDelivery(ctx context.Context, week, owner string, now time.Time, lease time.Duration) (claimed bool, parts int, err error) {
	res, err := s.db.ExecContext(ctx, `INSERT INTO report_deliveries (week, owner, lease_until) VALUES (?1, ?2, ?3)
		ON CONFLICT (week) DO UPDATE SET owner = excluded.owner, lease_until = excluded.lease_until,
			attempts = report_deliveries.attempts + 1
		WHERE report_deliveries.sent_at IS NULL AND report_deliveries.lease_until <= ?4`,
		week, owner, millis(now.Add(lease)), millis(now))
	if err != nil {
		return false, 0, fmt.Errorf("claim report %s: %w", week, err)
	}
	n, err := res.RowsAffected()
	if err != nil || n == 0 {
		return false, 0, err
	}
	if err := s.db.QueryRowContext(ctx, `SELECT parts FROM report_deliveries WHERE week = ?`, week).Scan(&parts); err != nil {
		return false, 0, fmt.Errorf("claim report %s: %w", week, err)
	}
	return true, parts, nil
}

// ReportPartSent records that a part (a bit of parts) of the week's
// summary was delivered, while owner holds the claim.
func (s *DB) ReportPartSent(ctx context.Context, week, owner string, part int, format string) error {
	return s.tx(ctx, func(tx *sql.Tx) error {
		if _, err := tx.ExecContext(ctx, `UPDATE report_deliveries SET parts = parts | ? WHERE week = ? AND owner = ?`,
			part, week, owner); err != nil {
			return fmt.Errorf("report %s part sent: %w", week, err)
		}
		// The summary leaves the system: audited with the record of it.
		return auditTx(ctx, tx, AuditEntry{At: s.Now(), Actor: "serve", Action: "report.deliver", Object: week,
			Detail: "week=" + week + " format=" + format})
	})
}

// ReportSent marks the week's summary delivered; it is never sent again.
func (s *DB) ReportSent(ctx context.Context, week, owner string, now time.Time) error {
	_, err := s.db.ExecContext(ctx, `UPDATE report_deliveries SET sent_at = ? WHERE week = ? AND owner = ?`, millis(now), week, owner)
	if err != nil {
		return fmt.Errorf("report %s sent: %w", week, err)
	}
	return nil
}

// ReleaseReportDelivery gives up a claim after a failed attempt, so that
// another attempt (by any replica) may start at retryAt.
func (s *DB) ReleaseReportDelivery(ctx context.Context, week, owner string, retryAt time.Time) error {
	_, err := s.db.ExecContext(ctx, `UPDATE report_deliveries SET lease_until = ? WHERE week = ? AND owner = ? AND sent_at IS NULL`,
		millis(retryAt), week, owner)
	if err != nil {
		return fmt.Errorf("release report %s: %w", week, err)
	}
	return nil
}

// ReportDelivery is the state of one week's delivery.
type ReportDelivery struct {
	Week     string
	Attempts int
	Parts    int
	Sent     time.Time // zero until sent
}

// ReportDeliveryOf returns a week's delivery state; ok is false before
// any attempt.
func (s *DB) ReportDeliveryOf(ctx context.Context, week string) (d ReportDelivery, ok bool, err error) {
	var sent *int64
	err = s.db.QueryRowContext(ctx, `SELECT week, attempts, parts, sent_at FROM report_deliveries WHERE week = ?`, week).
		Scan(&d.Week, &d.Attempts, &d.Parts, &sent)
	if err != nil {
		if errors.Is(err, sql.ErrNoRows) {
			return ReportDelivery{}, false, nil
		}
		return ReportDelivery{}, false, fmt.Errorf("read report delivery: %w", err)
	}
	if sent != nil {
		d.Sent = fromMillis(*sent)
	}
	return d, true, nil
}

package store

import (
	"context"
	"database/sql"
	"fmt"
	"time"
)

// AuditEntry is one row of the audit log: who (Actor: "cli:ana",
// "staff:<hash>") did what (Action: "denuncia.view") to which record
// (Object: a folio), with an optional non-personal Detail.
type AuditEntry struct {
	ID                            int64
	At                            time.Time
	Actor, Action, Object, Detail string
}

// Audit appends an entry to the audit log. The log is append-only: the
// database refuses to change or delete its rows.
func (s *DB) Audit(ctx context.Context, e AuditEntry) error {
	if e.At.IsZero() {
		e.At = s.Now()
	}
	return s.tx(ctx, func(tx *sql.Tx) error { return auditTx(ctx, tx, e) })
}

// auditTx appends an entry within a transaction, so the audit row commits
// with what it records.
func auditTx(ctx context.Context, tx *sql.Tx, e AuditEntry) error {
	if e.Actor == "" || e.Action == "" {
		return fmt.Errorf("audit: actor and action are required")
	}
	if _, err := tx.ExecContext(ctx, `INSERT INTO audit (at, actor, action, object, detail) VALUES (?, ?, ?, ?, ?)`,
		millis(e.At), e.Actor, e.Action, e.Object, e.Detail); err != nil {
		return fmt.Errorf("audit: %w", err)
	}
	return nil
}

// AuditLog returns the audit entries at or after since, oldest first.
func (s *DB) AuditLog(ctx context.Context, since time.Time) ([]AuditEntry, error) {
	rows, err := s.db.QueryContext(ctx, `SELECT id, at, actor, action, object, detail FROM audit
		WHERE at >= ? ORDER BY id`, millis(since))
	if err != nil {
		return nil, fmt.Errorf("read audit: %w", err)
	}
	defer rows.Close()
	var out []AuditEntry
	for rows.Next() {
		var e AuditEntry
		var at int64
		if err := rows.Scan(&e.ID, &at, &e.Actor, &e.Action, &e.Object, &e.Detail); err != nil {
			return nil, err
		}
		e.At = fromMillis(at)
		out = append(out, e)
	}
	return out, rows.Err()
}

package store

import (
	"context"
	"fmt"
	"time"
)

// OutboxEntry is an announcement for staff, written in the same
// transaction as what it announces (FolioKind: a new denuncia, Ref its
// folio). The staff relay delivers pending entries and marks them.
type OutboxEntry struct {
	ID          int64
	Kind, Ref   string
	Created     time.Time
	DeliveredAt time.Time // zero while pending
	Attempts    int
}

// PendingOutbox returns up to limit undelivered entries, oldest first.
func (s *DB) PendingOutbox(ctx context.Context, limit int) ([]OutboxEntry, error) {
	rows, err := s.db.QueryContext(ctx, `SELECT id, kind, ref, created, attempts FROM outbox
		WHERE delivered_at IS NULL ORDER BY id LIMIT ?`, limit)
	if err != nil {
		return nil, fmt.Errorf("read outbox: %w", err)
	}
	defer rows.Close()
	var out []OutboxEntry
	for rows.Next() {
		var e OutboxEntry
		var created int64
		if err := rows.Scan(&e.ID, &e.Kind, &e.Ref, &created, &e.Attempts); err != nil {
			return nil, err
		}
		e.Created = fromMillis(created)
		out = append(out, e)
	}
	return out, rows.Err()
}

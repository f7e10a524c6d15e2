package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/acercate/acercate/flows"
	"github.com/acercate/acercate/hours"
)

// shelterFactsSame is true in an import's upsert when the file says of a
// shelter what the stored entry says: its confirmation then still holds.
// The source and the source's date may change without the facts changing.
const shelterFactsSame = `(shelters.name = excluded.name AND shelters.city = excluded.city
	AND shelters.state = excluded.state AND shelters.address = excluded.address
	AND shelters.lat = excluded.lat AND shelters.lon = excluded.lon AND shelters.exact = excluded.exact
	AND shelters.area = excluded.area
	AND shelters.phone = excluded.phone AND shelters.populations = excluded.populations
	AND shelters.services = excluded.services AND shelters.notes = excluded.notes
	AND shelters.capacity = excluded.capacity)`

// ConfirmShelter records that the office itself checked shelter id today
// (in Mexico City), by the person named by: the bot then shows the entry
// as "revisado por la oficina" with that day. actor is who ran the command,
// for the audit log, written in the same transaction. It returns the day
// recorded; flows.ErrUnknownShelter when there is no such shelter.
func (s *DB) ConfirmShelter(ctx context.Context, id, by, actor string) (time.Time, error) {
	by = strings.TrimSpace(by)
	if by == "" || len([]rune(by)) > 80 {
		return time.Time{}, errors.New("confirm shelter: who confirmed it is required (at most 80 characters)")
	}
	y, m, d := s.Now().In(hours.Zone()).Date()
	day := time.Date(y, m, d, 0, 0, 0, 0, time.UTC)
	return day, s.setShelterConfirmed(ctx, id, confirmedDay(day), by,
		AuditEntry{Actor: actor, Action: "albergues.confirm", Object: id, Detail: "by=" + by + " day=" + confirmedDay(day)})
}

// UnconfirmShelter withdraws the office's confirmation of shelter id: the
// bot shows the source's date again. Audit-logged like ConfirmShelter.
func (s *DB) UnconfirmShelter(ctx context.Context, id, actor string) error {
	return s.setShelterConfirmed(ctx, id, "", "", AuditEntry{Actor: actor, Action: "albergues.unconfirm", Object: id})
}

func (s *DB) setShelterConfirmed(ctx context.Context, id, day, by string, audit AuditEntry) error {
	audit.At = s.Now()
	defer s.shelterCache.changed()
	return s.tx(ctx, func(tx *sql.Tx) error {
		res, err := tx.ExecContext(ctx, `UPDATE shelters SET confirmed = ?, confirmed_by = ? WHERE id = ?`, day, by, id)
		if err != nil {
			return fmt.Errorf("confirm shelter: %w", err)
		}
		if n, err := res.RowsAffected(); err != nil {
			return fmt.Errorf("confirm shelter: %w", err)
		} else if n == 0 {
			return fmt.Errorf("shelter %q: %w", id, flows.ErrUnknownShelter)
		}
		if err := auditTx(ctx, tx, audit); err != nil {
			return err
		}
		return bumpShelterVersion(ctx, tx)
	})
}

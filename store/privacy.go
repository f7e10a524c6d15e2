package store

import (
	"context"
	"crypto/rand"
	"database/sql"
	"encoding/hex"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/acercate/acercate/flows"
)

// DefaultRetention is how long records are kept unless configured
// (ACERCATE_RETENTION_*; see README "Privacy and retention"):
//   - the request log 400 days: the office reports yearly (its programme's
//     goals are counted per year, seeds/), so a whole calendar year must
//     still be there a month after it ends;
//   - a closed conversation with staff, and relay records, 30 days: long
//     enough for a follow-up question, short for what a person told;
//   - a closed denuncia's sealed fields (what happened, the place typed,
//     photos, the contact) 365 days after it was closed: time for the
//     office's legal follow-up; its codes and dates stay for the statistics.
var DefaultRetention = flows.Retention{Requests: 400, Tickets: 30, Denuncias: 365}

// SetRetention sets how long records are kept; zero fields keep the
// default.
func (s *DB) SetRetention(r flows.Retention) {
	d := DefaultRetention
	if r.Requests > 0 {
		d.Requests = r.Requests
	}
	if r.Tickets > 0 {
		d.Tickets = r.Tickets
	}
	if r.Denuncias > 0 {
		d.Denuncias = r.Denuncias
	}
	s.retention.Store(&d)
}

// Retention implements flows.Privacy.
func (s *DB) Retention() flows.Retention {
	if r := s.retention.Load(); r != nil {
		return *r
	}
	return DefaultRetention
}

// forgetSubject is what an area's eraser gets: who, and the value that
// replaces their hash in rows kept as counts.
type forgetSubject struct {
	flows.Subject
	// Token replaces the person's hash where a row stays: random, the
	// same for all of this person's rows (so "people attended" still
	// counts them once) and unrelated to who they are.
	Token string
	Now   time.Time
}

// personArea is one area of the store that holds something about a
// person, and its eraser: it deletes the person's records, or unlinks the
// ones the office must keep, and returns how many it touched. Each area's
// eraser lives in the area's own file (privacy_<area>.go, or the area's
// file when its owner writes one).
type personArea struct {
	name   string
	forget func(ctx context.Context, tx *sql.Tx, s *forgetSubject) (int, error)
}

// personAreas are every area /borrar erases, in the order the person is
// told about them. A new area that keeps anything about a person adds
// its eraser here.
func personAreas() []personArea {
	return []personArea{
		{"denuncias", forgetDenuncias},
		{"web_photos", forgetWebPhotos},
		{"tickets", forgetTicketsArea},
		{"requests", forgetRequests},
	}
}

// Forget implements flows.Privacy: in one transaction every area erases
// or unlinks what it holds about the person, and one audit row records
// that an erasure happened (without saying whose). Deleted bytes are
// zeroed (secure_delete) and the write-ahead log is checkpointed, so the
// person's hash does not linger in the file.
func (s *DB) Forget(ctx context.Context, subj flows.Subject) (flows.Erasure, error) {
	if subj.Person == "" {
		return flows.Erasure{}, fmt.Errorf("forget: no person")
	}
	fs := &forgetSubject{Subject: subj, Token: unlinkedToken(), Now: s.Now()}
	er := flows.Erasure{Person: fs.Token}
	err := s.tx(ctx, func(tx *sql.Tx) error {
		var detail []string
		for _, a := range personAreas() {
			n, err := a.forget(ctx, tx, fs)
			if err != nil {
				return fmt.Errorf("forget %s: %w", a.name, err)
			}
			er.Areas = append(er.Areas, flows.ErasedArea{Name: a.name, Count: n})
			detail = append(detail, fmt.Sprintf("%s=%d", a.name, n))
		}
		if subj.Tombstone != "" {
			if _, err := tx.ExecContext(ctx, `INSERT INTO erasures (tombstone, update_id, at) VALUES (?, ?, ?)
				ON CONFLICT (tombstone) DO UPDATE SET update_id = max(update_id, excluded.update_id), at = excluded.at`,
				subj.Tombstone, subj.UpdateID, millis(fs.Now)); err != nil {
				return fmt.Errorf("forget: tombstone: %w", err)
			}
		}
		return auditTx(ctx, tx, AuditEntry{At: fs.Now, Actor: "person", Action: "privacy.erase",
			Detail: strings.Join(detail, " ")})
	})
	if err != nil {
		return flows.Erasure{}, err
	}
	s.checkpoint(ctx)
	return er, nil
}

// ErasedUpTo implements flows.Privacy from the erasures table.
func (s *DB) ErasedUpTo(ctx context.Context, tombstone string, since time.Time) (int64, time.Time, bool, error) {
	var id, at int64
	err := s.db.QueryRowContext(ctx, `SELECT update_id, at FROM erasures WHERE tombstone = ? AND at >= ?`,
		tombstone, millis(since)).Scan(&id, &at)
	if errors.Is(err, sql.ErrNoRows) {
		return 0, time.Time{}, false, nil
	}
	if err != nil {
		return 0, time.Time{}, false, fmt.Errorf("erasures: %w", err)
	}
	return id, fromMillis(at), true, nil
}

// checkpoint copies the write-ahead log into the database and truncates
// it, so erased rows' old pages do not stay in the -wal file. It is best
// effort: a long reader can keep it from finishing, and the next
// checkpoint (checkpoint.go's, or SQLite's automatic one) will do it.
func (s *DB) checkpoint(ctx context.Context) {
	s.db.ExecContext(ctx, `PRAGMA wal_checkpoint(TRUNCATE)`)
}

// unlinkedToken is a random value that stands for "a person who erased
// their data" in rows kept as counts.
func unlinkedToken() string {
	b := make([]byte, 16)
	if _, err := rand.Read(b); err != nil {
		panic(err) // crypto/rand does not fail on supported platforms
	}
	return "x" + hex.EncodeToString(b)
}

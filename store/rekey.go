package store

import (
	"context"
	"database/sql"
	"encoding/base64"
	"errors"
	"fmt"
	"strconv"

	"github.com/acercate/acercate/secret"
)

// hashKeyAAD binds the sealed hash key to its meta row.
const hashKeyAAD = "meta:hash_key"

// loadHashKey makes the store hash with the hash key kept in the database
// (sealed under the data key), storing the current one on first open. Keyed
// hashes (people in the request log and denuncias, chats in Redis keys)
// cannot be re-keyed: nobody knows the ids behind them. So when the data
// key rotates, the hash key stays, re-sealed under the new data key.
func (s *DB) loadHashKey(ctx context.Context) error {
	var sealed string
	err := s.db.QueryRowContext(ctx, `SELECT value FROM meta WHERE key = 'hash_key'`).Scan(&sealed)
	if errors.Is(err, sql.ErrNoRows) {
		// A new database, or one from before hash keys were kept: the
		// hashes so far were made with the data key's own hash key.
		_, err = s.db.ExecContext(ctx, `INSERT OR IGNORE INTO meta (key, value) VALUES ('hash_key', ?)`,
			s.keys.SealString(string(s.keys.HashKey()), hashKeyAAD))
		if err != nil {
			return fmt.Errorf("keep hash key: %w", err)
		}
		return s.loadHashKey(ctx)
	}
	if err != nil {
		return fmt.Errorf("read hash key: %w", err)
	}
	raw, err := s.keys.OpenString(sealed, hashKeyAAD)
	if err != nil {
		return fmt.Errorf("open hash key: %w", ErrWrongKey)
	}
	s.keys = s.keys.WithHashKey([]byte(raw))
	return nil
}

// RekeyStats counts what a rekey did.
type RekeyStats struct {
	// Resealed are fields sealed again under the new key; Current were
	// already under it (a second run after a restart finds only what was
	// written meanwhile).
	Resealed, Current int
	// Areas counts resealed fields by area ("denuncias", "denuncia_photos").
	Areas map[string]int
}

// rekeyer re-seals values: it opens under the new key or any older one
// and seals under the new key.
type rekeyer struct {
	open  *secret.Keys // the new key, with the old ones to open
	seal  *secret.Keys
	stats *RekeyStats
	area  string
}

// reseal returns sealed re-sealed under the new key, and whether it
// changed. "" (nothing stored) stays "".
func (r *rekeyer) reseal(sealed, aad string) (string, bool, error) {
	if sealed == "" {
		return "", false, nil
	}
	if raw, err := decodeSealed(sealed); err == nil && r.seal.SealedBy(raw) {
		r.stats.Current++
		return sealed, false, nil
	}
	plain, err := r.open.OpenString(sealed, aad)
	if err != nil {
		return "", false, fmt.Errorf("%s: a value bound to %q does not open under the old or the new key: %w", r.area, aad, err)
	}
	r.stats.Resealed++
	r.stats.Areas[r.area]++
	return r.seal.SealString(plain, aad), true, nil
}

// resealBytes is reseal for a BLOB column.
func (r *rekeyer) resealBytes(sealed, aad []byte) ([]byte, bool, error) {
	if r.seal.SealedBy(sealed) {
		r.stats.Current++
		return sealed, false, nil
	}
	plain, err := r.open.Open(sealed, aad)
	if err != nil {
		return nil, false, fmt.Errorf("%s: a value bound to %q does not open under the old or the new key: %w", r.area, aad, err)
	}
	r.stats.Resealed++
	r.stats.Areas[r.area]++
	return r.seal.Seal(plain, aad), true, nil
}

// rekeyArea re-seals one area's sealed fields in batches, each batch its
// own short transaction, so the bot keeps writing while a rekey runs.
type rekeyArea struct {
	name string
	// batch re-seals the rows with id > after (at most limit) and returns
	// the last id it saw, or 0 when there were none.
	batch func(ctx context.Context, tx *sql.Tx, r *rekeyer, after int64, limit int) (int64, error)
}

// Rekey re-seals every sealed field under newKeys, in batches of batch
// rows, while the store keeps serving under its current key. Values that
// open under neither the current key (or its older ones) nor newKeys stop
// the rekey with an error, changing nothing more. Last, it re-seals the
// kept hash key and writes newKeys' check value: from then on the
// database opens only under newKeys (with the old key as an older one to
// open what was written meanwhile).
func (s *DB) Rekey(ctx context.Context, newKeys *secret.Keys, batch int) (RekeyStats, error) {
	if batch <= 0 {
		batch = 500
	}
	stats := RekeyStats{Areas: map[string]int{}}
	r := &rekeyer{open: newKeys.WithOlder(s.keys), seal: newKeys, stats: &stats}
	for _, a := range rekeyAreas() {
		r.area = a.name
		var after int64
		for {
			var last int64
			err := s.tx(ctx, func(tx *sql.Tx) error {
				var err error
				last, err = a.batch(ctx, tx, r, after, batch)
				return err
			})
			if err != nil {
				return stats, fmt.Errorf("rekey %s: %w", a.name, err)
			}
			if last == 0 {
				break
			}
			after = last
		}
	}
	err := s.tx(ctx, func(tx *sql.Tx) error {
		if _, err := tx.ExecContext(ctx, `UPDATE meta SET value = ? WHERE key = 'hash_key'`,
			newKeys.SealString(string(s.keys.HashKey()), hashKeyAAD)); err != nil {
			return fmt.Errorf("re-seal hash key: %w", err)
		}
		if _, err := tx.ExecContext(ctx, `UPDATE meta SET value = ? WHERE key = 'key_check'`, newKeys.Check()); err != nil {
			return fmt.Errorf("write key check: %w", err)
		}
		return auditTx(ctx, tx, AuditEntry{At: s.Now(), Actor: "rekey", Action: "rekey",
			Detail: "resealed=" + strconv.Itoa(stats.Resealed)})
	})
	if err != nil {
		return stats, err
	}
	s.checkpoint(ctx)
	return stats, nil
}

// decodeSealed reverses SealString's base64, without opening.
func decodeSealed(s string) ([]byte, error) {
	return base64.RawStdEncoding.DecodeString(s)
}

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
)

// WebPhotoPrefix starts the id of a photo attached in the web chat
// ("web:<token>"): what a denuncia's draft and its denuncia_photos row
// carry in place of a Telegram file id. The bytes are in web_photos.
const WebPhotoPrefix = "web:"

// MaxWebPhotoBytes is the most a cleaned web photo may weigh: Telegram's
// upload limit for sendPhoto, so the staff view can always show it.
const MaxWebPhotoBytes = 10 << 20

// webPhotoAAD binds a sealed photo to its row.
func webPhotoAAD(token string) []byte { return []byte("web_photo:" + token) }

// KeepWebPhoto keeps a web chat photo (already cleaned of its metadata,
// web/chat_photos.go) sealed, in the draft of person (their keyed hash),
// and returns its id for the draft.
func (s *DB) KeepWebPhoto(ctx context.Context, person, typ string, data []byte) (string, error) {
	if person == "" || (typ != "image/jpeg" && typ != "image/png") || len(data) == 0 || len(data) > MaxWebPhotoBytes {
		return "", errors.New("keep web photo: no person, not a JPEG or PNG, or too big")
	}
	b := make([]byte, 16)
	if _, err := rand.Read(b); err != nil {
		return "", err
	}
	token := hex.EncodeToString(b)
	now := millis(s.Now())
	if _, err := s.db.ExecContext(ctx, `INSERT INTO web_photos (token, person, created, seen, type, data)
		VALUES (?, ?, ?, ?, ?, ?)`, token, person, now, now, typ, s.keys.Seal(data, webPhotoAAD(token))); err != nil {
		return "", fmt.Errorf("keep web photo: %w", err)
	}
	return WebPhotoPrefix + token, nil
}

// SettleWebPhotos reconciles person's draft photos with their draft: those
// whose id is not in keep (the draft was abandoned, cancelled, quick-exited,
// or the photos taken out of it) are deleted, the others marked seen now.
// It returns how many draft photos the person still has.
func (s *DB) SettleWebPhotos(ctx context.Context, person string, keep []string) (int, error) {
	tokens := make([]any, 0, len(keep))
	for _, id := range keep {
		if t, ok := strings.CutPrefix(id, WebPhotoPrefix); ok {
			tokens = append(tokens, t)
		}
	}
	in := "''"
	if len(tokens) > 0 {
		in = strings.Repeat("?, ", len(tokens)-1) + "?"
	}
	var n int
	err := s.tx(ctx, func(tx *sql.Tx) error {
		args := append([]any{person}, tokens...)
		if _, err := tx.ExecContext(ctx, `DELETE FROM web_photos WHERE person = ? AND denuncia IS NULL
			AND token NOT IN (`+in+`)`, args...); err != nil {
			return err
		}
		res, err := tx.ExecContext(ctx, `UPDATE web_photos SET seen = ? WHERE person = ? AND denuncia IS NULL`,
			millis(s.Now()), person)
		if err != nil {
			return err
		}
		m, err := res.RowsAffected()
		n = int(m)
		return err
	})
	if err != nil {
		return 0, fmt.Errorf("settle web photos: %w", err)
	}
	return n, nil
}

// WebPhoto opens a web chat photo for the staff's denuncia view: its
// cleaned bytes and type. ok is false for an id that is not a web photo's
// (a Telegram file id), without asking the database.
func (s *DB) WebPhoto(ctx context.Context, id string) (data []byte, typ string, ok bool, err error) {
	token, ok := strings.CutPrefix(id, WebPhotoPrefix)
	if !ok {
		return nil, "", false, nil
	}
	var sealed []byte
	err = s.db.QueryRowContext(ctx, `SELECT type, data FROM web_photos WHERE token = ?`, token).Scan(&typ, &sealed)
	if errors.Is(err, sql.ErrNoRows) {
		return nil, "", true, fmt.Errorf("web photo: %w", ErrNoWebPhoto)
	}
	if err != nil {
		return nil, "", true, fmt.Errorf("web photo: %w", err)
	}
	if data, err = s.keys.Open(sealed, webPhotoAAD(token)); err != nil {
		return nil, "", true, fmt.Errorf("open web photo: %w", err)
	}
	return data, typ, true, nil
}

// ErrNoWebPhoto is a web photo that is no longer kept (purged).
var ErrNoWebPhoto = errors.New("the photo is no longer kept")

// linkWebPhotos ties the web photos of a denuncia being filed to it: from
// now on they live and go with the denuncia, not the draft. Only the
// filer's own draft photos are taken.
func linkWebPhotos(ctx context.Context, tx *sql.Tx, denuncia int64, person string, photos []string) error {
	for _, p := range photos {
		token, ok := strings.CutPrefix(p, WebPhotoPrefix)
		if !ok {
			continue
		}
		if _, err := tx.ExecContext(ctx, `UPDATE web_photos SET denuncia = ? WHERE token = ? AND person = ?
			AND denuncia IS NULL`, denuncia, token, person); err != nil {
			return fmt.Errorf("link web photo: %w", err)
		}
	}
	return nil
}

// forgetWebPhotos is /borrar's: the photos of a draft not sent go (the
// draft goes with the conversation's state); those of denuncias already
// sent stay with their denuncia, as a Telegram photo's file id does, but
// no longer name the person.
func forgetWebPhotos(ctx context.Context, tx *sql.Tx, s *forgetSubject) (int, error) {
	res, err := tx.ExecContext(ctx, `DELETE FROM web_photos WHERE person = ? AND denuncia IS NULL`, s.Person)
	if err != nil {
		return 0, fmt.Errorf("forget web photos: %w", err)
	}
	n, err := res.RowsAffected()
	if err != nil {
		return 0, err
	}
	if _, err := tx.ExecContext(ctx, `UPDATE web_photos SET person = '' WHERE person = ?`, s.Person); err != nil {
		return 0, fmt.Errorf("unlink web photos: %w", err)
	}
	return int(n), nil
}

// purgeWebPhotoDrafts deletes the photos of drafts not seen alive since
// before: their conversation's state has expired, and the draft with it.
func purgeWebPhotoDrafts(ctx context.Context, tx *sql.Tx, before time.Time, dry bool) (int, error) {
	return purgeCount(ctx, tx, dry, `FROM web_photos WHERE denuncia IS NULL AND seen < ?`, millis(before))
}

// SetStateTTL tells the store how long an idle conversation's state (and
// so a draft) lives in Redis (72 h when never set): a web photo's draft is
// gone once that long has passed since it was last seen.
func (s *DB) SetStateTTL(d time.Duration) { s.stateTTL.Store(int64(d)) }

// draftDays is the state's lifetime in whole days, rounded up, at least 1.
func (s *DB) draftDays() int {
	d := time.Duration(s.stateTTL.Load())
	if d <= 0 {
		d = 72 * time.Hour
	}
	return int((d + 24*time.Hour - 1) / (24 * time.Hour))
}

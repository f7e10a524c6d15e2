package store

import (
	"context"
	"database/sql"
	"fmt"
	"time"
)

// forgetDenuncias anonymises the person's denuncias: the case stays (its
// folio, status, category, dates, municipality, perpetrator, what happened
// and its photos, sealed) for the office's statistics and legal follow-up,
// but the link to the person (their hash, the filing source that starts
// with it) and the sealed chat to contact them go. /folio no longer finds
// them for anyone.
func forgetDenuncias(ctx context.Context, tx *sql.Tx, s *forgetSubject) (int, error) {
	ids, err := queryIDs(ctx, tx, `SELECT id FROM denuncias WHERE person = ?`, s.Person)
	if err != nil {
		return 0, fmt.Errorf("find denuncias: %w", err)
	}
	for _, id := range ids {
		// source must stay unique: a random value that means "erased".
		if _, err := tx.ExecContext(ctx, `UPDATE denuncias SET person = '', source = ?, contact = ''
			WHERE id = ?`, "erased:"+unlinkedToken(), id); err != nil {
			return 0, fmt.Errorf("anonymise denuncia: %w", err)
		}
	}
	return len(ids), nil
}

// purgeDenuncias drops what the person gave of denuncias closed before
// the cutoff: the sealed text, typed place, photos and contact, and the
// link to the person. The codes and dates stay for the statistics. In a
// dry run it only counts them.
func purgeDenuncias(ctx context.Context, tx *sql.Tx, before time.Time, dry bool) (int, error) {
	ids, err := queryIDs(ctx, tx, `SELECT id FROM denuncias WHERE status = 'cerrada' AND updated < ?
		AND (text != '' OR place != '' OR contact != '' OR person != ''
		     OR EXISTS (SELECT 1 FROM denuncia_photos p WHERE p.denuncia = denuncias.id))`, millis(before))
	if err != nil || dry {
		return len(ids), err
	}
	for _, id := range ids {
		if _, err := tx.ExecContext(ctx, `DELETE FROM denuncia_photos WHERE denuncia = ?`, id); err != nil {
			return 0, fmt.Errorf("purge denuncia photos: %w", err)
		}
		// A web chat photo's bytes go with its denuncia_photos row.
		if _, err := tx.ExecContext(ctx, `DELETE FROM web_photos WHERE denuncia = ?`, id); err != nil {
			return 0, fmt.Errorf("purge web photos: %w", err)
		}
		if _, err := tx.ExecContext(ctx, `UPDATE denuncias SET text = '', place = '', contact = '',
			person = '', source = ? WHERE id = ?`, "purged:"+unlinkedToken(), id); err != nil {
			return 0, fmt.Errorf("purge denuncia: %w", err)
		}
	}
	return len(ids), nil
}

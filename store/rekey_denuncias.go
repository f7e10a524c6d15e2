package store

import (
	"context"
	"database/sql"
	"strconv"
)

// rekeyDenuncias re-seals a batch of denuncias' place, text and contact.
func rekeyDenuncias(ctx context.Context, tx *sql.Tx, r *rekeyer, after int64, limit int) (int64, error) {
	rows, err := tx.QueryContext(ctx, `SELECT id, folio, place, text, contact FROM denuncias
		WHERE id > ? ORDER BY id LIMIT ?`, after, limit)
	if err != nil {
		return 0, err
	}
	type row struct {
		id                          int64
		folio, place, text, contact string
	}
	var batch []row
	for rows.Next() {
		var x row
		if err := rows.Scan(&x.id, &x.folio, &x.place, &x.text, &x.contact); err != nil {
			rows.Close()
			return 0, err
		}
		batch = append(batch, x)
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return 0, err
	}
	var last int64
	for _, x := range batch {
		last = x.id
		changed := false
		for _, f := range []struct {
			column string
			value  *string
		}{{"place", &x.place}, {"text", &x.text}, {"contact", &x.contact}} {
			v, ch, err := r.reseal(*f.value, denunciaAAD(x.folio, f.column))
			if err != nil {
				return 0, err
			}
			*f.value, changed = v, changed || ch
		}
		if !changed {
			continue
		}
		if _, err := tx.ExecContext(ctx, `UPDATE denuncias SET place = ?, text = ?, contact = ? WHERE id = ?`,
			x.place, x.text, x.contact, x.id); err != nil {
			return 0, err
		}
	}
	return last, nil
}

// rekeyDenunciaPhotos re-seals a batch of photos' file ids. Photos have no
// id of their own; the batch walks them by rowid.
func rekeyDenunciaPhotos(ctx context.Context, tx *sql.Tx, r *rekeyer, after int64, limit int) (int64, error) {
	rows, err := tx.QueryContext(ctx, `SELECT p.rowid, d.folio, p.n, p.file FROM denuncia_photos p
		JOIN denuncias d ON d.id = p.denuncia WHERE p.rowid > ? ORDER BY p.rowid LIMIT ?`, after, limit)
	if err != nil {
		return 0, err
	}
	type row struct {
		id          int64
		folio, file string
		n           int
	}
	var batch []row
	for rows.Next() {
		var x row
		if err := rows.Scan(&x.id, &x.folio, &x.n, &x.file); err != nil {
			rows.Close()
			return 0, err
		}
		batch = append(batch, x)
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return 0, err
	}
	var last int64
	for _, x := range batch {
		last = x.id
		v, changed, err := r.reseal(x.file, denunciaAAD(x.folio, "photo:"+strconv.Itoa(x.n)))
		if err != nil {
			return 0, err
		}
		if changed {
			if _, err := tx.ExecContext(ctx, `UPDATE denuncia_photos SET file = ? WHERE rowid = ?`, v, x.id); err != nil {
				return 0, err
			}
		}
	}
	return last, nil
}

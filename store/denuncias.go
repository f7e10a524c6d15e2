package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"strconv"
	"time"

	"github.com/acercate/acercate/flows"
	"github.com/acercate/acercate/hours"
)

// Denuncias keeps the denuncias people file: it implements
// flows.Denuncias for the bot, and lists, shows and updates them for the
// office. What the person wrote, the place they typed, their photos' file
// ids and the chat to contact them are sealed; everything counted in the
// metrics (category, municipality, perpetrator, language, attribution)
// is kept plain.
type Denuncias struct{ db *DB }

// Denuncias returns the store's denuncias.
func (s *DB) Denuncias() *Denuncias { return &Denuncias{db: s} }

// FolioKind is the outbox kind that announces a new denuncia to staff;
// the entry's ref is the folio.
const FolioKind = "denuncia.new"

// denunciaAAD binds a sealed value to its denuncia and column, so it
// cannot be moved to another row or column and still open.
func denunciaAAD(folio, column string) string { return "denuncia:" + folio + ":" + column }

// File implements flows.Denuncias: in one transaction it takes the next
// folio number of the year, writes the denuncia and its photos sealed,
// the confirming event's request-log row and the staff announcement. A
// second filing with the same Source returns the first folio and writes
// nothing, so an event handled again after a crash never files twice.
func (d *Denuncias) File(ctx context.Context, dn flows.Denuncia, r flows.Request) (string, error) {
	if err := dn.Validate(); err != nil {
		return "", err
	}
	keys := d.db.keys
	var folio string
	err := d.db.tx(ctx, func(tx *sql.Tx) error {
		err := tx.QueryRowContext(ctx, `SELECT folio FROM denuncias WHERE source = ?`, dn.Source).Scan(&folio)
		if err == nil {
			return nil
		}
		if !errors.Is(err, sql.ErrNoRows) {
			return fmt.Errorf("find denuncia: %w", err)
		}
		// A folio's year is the year it was filed in the office's time.
		year := dn.At.In(hours.Zone()).Year()
		var n int64
		if err := tx.QueryRowContext(ctx, `INSERT INTO folio_counters (year, last) VALUES (?, 1)
			ON CONFLICT (year) DO UPDATE SET last = last + 1 RETURNING last`, year).Scan(&n); err != nil {
			return fmt.Errorf("next folio: %w", err)
		}
		if n > 999999 {
			return fmt.Errorf("folio numbers of %d are exhausted", year)
		}
		folio = fmt.Sprintf("DEN-%04d-%06d", year, n)
		seal := func(column, plain string) string {
			if plain == "" {
				return ""
			}
			return keys.SealString(plain, denunciaAAD(folio, column))
		}
		contact := ""
		if !dn.Contact.IsZero() {
			contact = seal("contact", dn.Contact.Key())
		}
		at := millis(dn.At)
		res, err := tx.ExecContext(ctx, `INSERT INTO denuncias
			(folio, source, created, updated, category, occurred, occurred_on, municipality, place,
			 perpetrator, perpetrator_which, lang, campaign, modulo, person, text, contact)
			VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
			folio, dn.Source, at, at, dn.Category, dn.When, dn.On, dn.Municipality, seal("place", dn.Place),
			dn.Perpetrator, dn.Which, r.Lang, r.Campaign, r.Modulo, dn.Person, seal("text", dn.Text), contact)
		if err != nil {
			return fmt.Errorf("insert denuncia: %w", err)
		}
		id, err := res.LastInsertId()
		if err != nil {
			return err
		}
		for i, p := range dn.Photos {
			n := i + 1
			if _, err := tx.ExecContext(ctx, `INSERT INTO denuncia_photos (denuncia, n, file) VALUES (?, ?, ?)`,
				id, n, seal("photo:"+strconv.Itoa(n), p)); err != nil {
				return fmt.Errorf("insert photo: %w", err)
			}
		}
		if err := linkWebPhotos(ctx, tx, id, dn.Person, dn.Photos); err != nil {
			return err
		}
		if err := logRequest(ctx, tx, r); err != nil {
			return err
		}
		if _, err := tx.ExecContext(ctx, `INSERT INTO outbox (kind, ref, created) VALUES (?, ?, ?)`,
			FolioKind, folio, at); err != nil {
			return fmt.Errorf("announce denuncia: %w", err)
		}
		return nil
	})
	if err != nil {
		return "", fmt.Errorf("file denuncia: %w", err)
	}
	return folio, nil
}

// Status implements flows.Denuncias: the status of a denuncia filed by
// person, or flows.ErrNoDenuncia for a folio that does not exist or that
// someone else filed.
func (d *Denuncias) Status(ctx context.Context, folio, person string) (flows.DenunciaStatus, error) {
	var st flows.DenunciaStatus
	var created, updated int64
	err := d.db.db.QueryRowContext(ctx, `SELECT folio, status, created, updated FROM denuncias
		WHERE folio = ? AND person = ?`, folio, person).Scan(&st.Folio, &st.Status, &created, &updated)
	if errors.Is(err, sql.ErrNoRows) {
		return st, flows.ErrNoDenuncia
	}
	if err != nil {
		return st, fmt.Errorf("denuncia status: %w", err)
	}
	st.Created, st.Updated = fromMillis(created), fromMillis(updated)
	return st, nil
}

// DenunciaListing is a denuncia as the office's list shows it: nothing
// the person wrote.
type DenunciaListing struct {
	Folio                                  string
	Created                                time.Time
	Status, Category, Municipality, Modulo string
}

// List returns the denuncias, oldest first; with a status, only those.
func (d *Denuncias) List(ctx context.Context, status string) ([]DenunciaListing, error) {
	rows, err := d.db.db.QueryContext(ctx, `SELECT folio, created, status, category, municipality, modulo
		FROM denuncias WHERE ? = '' OR status = ? ORDER BY id`, status, status)
	if err != nil {
		return nil, fmt.Errorf("list denuncias: %w", err)
	}
	defer rows.Close()
	var out []DenunciaListing
	for rows.Next() {
		var l DenunciaListing
		var created int64
		if err := rows.Scan(&l.Folio, &created, &l.Status, &l.Category, &l.Municipality, &l.Modulo); err != nil {
			return nil, err
		}
		l.Created = fromMillis(created)
		out = append(out, l)
	}
	return out, rows.Err()
}

// DenunciaRecord is a whole denuncia, opened, for the office.
type DenunciaRecord struct {
	flows.Denuncia
	Folio, Status          string
	Created, Updated       time.Time
	Lang, Campaign, Modulo string
}

// View opens a denuncia for actor ("cli:ana") and records in the audit
// log that actor read it, in the same transaction as the read: nobody
// reads a denuncia without leaving a trace. An unknown folio is
// flows.ErrNoDenuncia and leaves none.
func (d *Denuncias) View(ctx context.Context, folio, actor string) (*DenunciaRecord, error) {
	rec := &DenunciaRecord{Folio: folio}
	var place, text, contact string
	var sealedPhotos []string
	err := d.db.tx(ctx, func(tx *sql.Tx) error {
		var id, created, updated int64
		err := tx.QueryRowContext(ctx, `SELECT id, created, updated, status, category, occurred, occurred_on,
			municipality, place, perpetrator, perpetrator_which, lang, campaign, modulo, person, source, text, contact
			FROM denuncias WHERE folio = ?`, folio).Scan(&id, &created, &updated, &rec.Status, &rec.Category,
			&rec.When, &rec.On, &rec.Municipality, &place, &rec.Perpetrator, &rec.Which, &rec.Lang,
			&rec.Campaign, &rec.Modulo, &rec.Person, &rec.Source, &text, &contact)
		if errors.Is(err, sql.ErrNoRows) {
			return flows.ErrNoDenuncia
		}
		if err != nil {
			return err
		}
		rec.Created, rec.Updated = fromMillis(created), fromMillis(updated)
		rec.At = rec.Created
		rows, err := tx.QueryContext(ctx, `SELECT file FROM denuncia_photos WHERE denuncia = ? ORDER BY n`, id)
		if err != nil {
			return err
		}
		defer rows.Close()
		for rows.Next() {
			var f string
			if err := rows.Scan(&f); err != nil {
				return err
			}
			sealedPhotos = append(sealedPhotos, f)
		}
		if err := rows.Err(); err != nil {
			return err
		}
		return auditTx(ctx, tx, AuditEntry{At: d.db.Now(), Actor: actor, Action: "denuncia.view", Object: folio})
	})
	if err != nil {
		return nil, fmt.Errorf("view denuncia %s: %w", folio, err)
	}
	open := func(column, sealed string) (string, error) {
		if sealed == "" {
			return "", nil
		}
		plain, err := d.db.keys.OpenString(sealed, denunciaAAD(folio, column))
		if err != nil {
			return "", fmt.Errorf("open %s of %s: %w", column, folio, err)
		}
		return plain, nil
	}
	if rec.Place, err = open("place", place); err != nil {
		return nil, err
	}
	if rec.Text, err = open("text", text); err != nil {
		return nil, err
	}
	c, err := open("contact", contact)
	if err != nil {
		return nil, err
	}
	if c != "" {
		if rec.Contact, err = flows.ParseAddress(c); err != nil {
			return nil, fmt.Errorf("contact of %s: %w", folio, err)
		}
	}
	for i, s := range sealedPhotos {
		p, err := open("photo:"+strconv.Itoa(i+1), s)
		if err != nil {
			return nil, err
		}
		rec.Photos = append(rec.Photos, p)
	}
	return rec, nil
}

// SetStatus changes a denuncia's status on behalf of actor, recording it
// in the audit log in the same transaction.
func (d *Denuncias) SetStatus(ctx context.Context, folio, status, actor string) error {
	found := false
	for _, s := range flows.DenunciaStatuses {
		found = found || s == status
	}
	if !found {
		return fmt.Errorf("unknown status %q (one of %v)", status, flows.DenunciaStatuses)
	}
	now := d.db.Now()
	return d.db.tx(ctx, func(tx *sql.Tx) error {
		res, err := tx.ExecContext(ctx, `UPDATE denuncias SET status = ?, updated = ? WHERE folio = ?`,
			status, millis(now), folio)
		if err != nil {
			return fmt.Errorf("set status of %s: %w", folio, err)
		}
		if n, _ := res.RowsAffected(); n == 0 {
			return flows.ErrNoDenuncia
		}
		return auditTx(ctx, tx, AuditEntry{At: now, Actor: actor, Action: "denuncia.status", Object: folio, Detail: status})
	})
}

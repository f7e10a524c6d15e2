package store

import (
	"context"
	"database/sql"
	"strconv"
	"strings"
)

// sealedTable is where a table keeps sealed values, for the rekey: its
// rows are walked by key (a rowid) in from (the table itself, or a join
// that brings what the associated data is made of), and aad builds a
// column's associated data from the extra values read beside it (as text).
type sealedTable struct {
	table   string
	from    string // default: table
	key     string // default: rowid
	columns []string
	extra   []string
	aad     func(column string, extra []string) string
	// blob: the sealed columns are BLOBs holding the sealed bytes as they
	// are (not base64 text); most says how many rows a batch takes at the
	// most (each may weigh megabytes), 0 for the rekey's batch size.
	blob bool
	most int
}

// rekeyAreas are every area with sealed fields. A new area that seals
// anything adds its table here (TestRekeyMissesNoSealedField finds any
// sealed value left under the old key).
func rekeyAreas() []rekeyArea {
	return []rekeyArea{
		sealedTable{table: "denuncias", columns: []string{"place", "text", "contact"}, extra: []string{"folio"},
			aad: func(c string, x []string) string { return denunciaAAD(x[0], c) }}.area(),
		sealedTable{table: "denuncia_photos", from: "denuncia_photos p JOIN denuncias d ON d.id = p.denuncia",
			key: "p.rowid", columns: []string{"file"}, extra: []string{"d.folio", "p.n"},
			aad: func(_ string, x []string) string { return denunciaAAD(x[0], "photo:"+x[1]) }}.area(),
		// The web chat's photos, by the bytes (store/web_photos.go), a few
		// at a time: each may weigh megabytes.
		sealedTable{table: "web_photos", key: "id", columns: []string{"data"}, extra: []string{"token"}, blob: true, most: 8,
			aad: func(_ string, x []string) string { return string(webPhotoAAD(x[0])) }}.area(),
		// The staff desk: the chat to answer a person in, every relayed
		// message, staff's notes.
		sealedTable{table: "tickets", columns: []string{"chat"}, extra: []string{"id"},
			aad: func(_ string, x []string) string { return ticketChatAAD(atoi(x[0])) }}.area(),
		sealedTable{table: "relays", columns: []string{"body"}, extra: []string{"id", "ticket"},
			aad: func(_ string, x []string) string { return relayAAD(atoi(x[0]), atoi(x[1])) }}.area(),
		sealedTable{table: "ticket_notes", columns: []string{"body"}, extra: []string{"ticket", "at"},
			aad: func(_ string, x []string) string {
				t, _ := strconv.ParseInt(x[0], 10, 64)
				at, _ := strconv.ParseInt(x[1], 10, 64)
				return noteAAD(t, at)
			}}.area(),
	}
}

func atoi(s string) int64 {
	n, _ := strconv.ParseInt(s, 10, 64)
	return n
}

// area returns the table's rekey area: batches that read rows after a key,
// re-seal each sealed column, and write back the rows that changed.
func (t sealedTable) area() rekeyArea {
	from, key := t.from, t.key
	if from == "" {
		from = t.table
	}
	if key == "" {
		key = "rowid"
	}
	query := `SELECT ` + strings.Join(append(append([]string{key}, t.columns...), t.extra...), ", ") +
		` FROM ` + from + ` WHERE ` + key + ` > ? ORDER BY ` + key + ` LIMIT ?`
	update := `UPDATE ` + t.table + ` SET ` + strings.Join(t.columns, " = ?, ") + ` = ? WHERE rowid = ?`
	type row struct {
		id     int64
		values [][]byte // the sealed columns, then the extra ones
	}
	batch := func(ctx context.Context, tx *sql.Tx, r *rekeyer, after int64, limit int) (int64, error) {
		if t.most > 0 {
			limit = min(limit, t.most)
		}
		rows, err := tx.QueryContext(ctx, query, after, limit)
		if err != nil {
			return 0, err
		}
		var batch []row
		for rows.Next() {
			x := row{values: make([][]byte, len(t.columns)+len(t.extra))}
			dst := []any{&x.id}
			for i := range x.values {
				dst = append(dst, &x.values[i])
			}
			if err := rows.Scan(dst...); err != nil {
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
			sealed := x.values[:len(t.columns)]
			extra := make([]string, len(t.extra))
			for i, v := range x.values[len(t.columns):] {
				extra[i] = string(v)
			}
			changed := false
			args := make([]any, 0, len(sealed)+1)
			for i, c := range t.columns {
				aad := t.aad(c, extra)
				var v any
				var ch bool
				var err error
				if t.blob {
					v, ch, err = r.resealBytes(sealed[i], []byte(aad))
				} else {
					v, ch, err = r.reseal(string(sealed[i]), aad)
				}
				if err != nil {
					return 0, err
				}
				args, changed = append(args, v), changed || ch
			}
			if !changed {
				continue
			}
			if _, err := tx.ExecContext(ctx, update, append(args, x.id)...); err != nil {
				return 0, err
			}
		}
		return last, nil
	}
	return rekeyArea{name: t.table, batch: batch}
}

package store

import (
	"context"
	"database/sql"
	"strconv"
	"strings"
)

// rekeyColumn returns a batch re-sealer for one sealed column of a table
// walked by rowid; aad builds the associated data from the extra columns
// read beside it (as text).
func rekeyColumn(table, column string, extra []string, aad func(extra []string) string) func(ctx context.Context, tx *sql.Tx, r *rekeyer, after int64, limit int) (int64, error) {
	query := `SELECT rowid, ` + column
	if len(extra) > 0 {
		query += `, ` + strings.Join(extra, ", ")
	}
	query += ` FROM ` + table + ` WHERE rowid > ? ORDER BY rowid LIMIT ?`
	update := `UPDATE ` + table + ` SET ` + column + ` = ? WHERE rowid = ?`
	return func(ctx context.Context, tx *sql.Tx, r *rekeyer, after int64, limit int) (int64, error) {
		rows, err := tx.QueryContext(ctx, query, after, limit)
		if err != nil {
			return 0, err
		}
		type row struct {
			id    int64
			value string
			extra []string
		}
		var batch []row
		for rows.Next() {
			x := row{extra: make([]string, len(extra))}
			dst := []any{&x.id, &x.value}
			for i := range x.extra {
				dst = append(dst, &x.extra[i])
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
			v, changed, err := r.reseal(x.value, aad(x.extra))
			if err != nil {
				return 0, err
			}
			if changed {
				if _, err := tx.ExecContext(ctx, update, v, x.id); err != nil {
					return 0, err
				}
			}
		}
		return last, nil
	}
}

// The staff desk's sealed columns: the chat to answer a person in, every
// relayed message, staff's notes.
var (
	rekeyTicketChats = rekeyColumn("tickets", "chat", []string{"source"},
		func(x []string) string { return ticketChatAAD(x[0]) })
	rekeyRelays = rekeyColumn("relays", "body", []string{"source"},
		func(x []string) string { return relayAAD(x[0]) })
	rekeyNotes = rekeyColumn("ticket_notes", "body", []string{"ticket", "at"},
		func(x []string) string {
			t, _ := strconv.ParseInt(x[0], 10, 64)
			at, _ := strconv.ParseInt(x[1], 10, 64)
			return noteAAD(t, at)
		})
)

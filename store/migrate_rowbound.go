package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"strconv"

	"github.com/acercate/acercate/secret"
	"github.com/pressly/goose/v3"
)

// rowBoundVersion is the migration that re-seals tickets' chats and
// relays' bodies, sealed until then bound to their source only, bound to
// their row (ticketChatAAD, relayAAD). It is a Go migration: re-sealing
// needs the data key, which no SQL file has.
const rowBoundVersion = 81

// rowBoundMigration returns migration 00081 for a store opened with keys.
// A value that does not open under the old binding means the database was
// made under another key: ErrWrongKey, and nothing changes.
func rowBoundMigration(keys *secret.Keys) *goose.Migration {
	up := func(ctx context.Context, tx *sql.Tx) error {
		reseal := func(sealed, oldAAD, newAAD string) (string, error) {
			plain, err := keys.OpenString(sealed, oldAAD)
			if err != nil {
				return "", fmt.Errorf("re-seal bound to %q: %w", oldAAD, ErrWrongKey)
			}
			return keys.SealString(plain, newAAD), nil
		}
		type row struct {
			id, ticket     int64
			source, sealed string
		}
		read := func(query string, withTicket bool) ([]row, error) {
			rows, err := tx.QueryContext(ctx, query)
			if err != nil {
				return nil, err
			}
			defer rows.Close()
			var out []row
			for rows.Next() {
				var r row
				dst := []any{&r.id, &r.source, &r.sealed}
				if withTicket {
					dst = append(dst, &r.ticket)
				}
				if err := rows.Scan(dst...); err != nil {
					return nil, err
				}
				out = append(out, r)
			}
			return out, rows.Err()
		}
		tickets, err := read(`SELECT id, source, chat FROM tickets WHERE chat <> ''`, false)
		if err != nil {
			return fmt.Errorf("tickets: %w", err)
		}
		for _, r := range tickets {
			v, err := reseal(r.sealed, "ticket:"+r.source+":chat", ticketChatAAD(r.id))
			if err != nil {
				return err
			}
			if _, err := tx.ExecContext(ctx, `UPDATE tickets SET chat = ? WHERE id = ?`, v, r.id); err != nil {
				return err
			}
		}
		relays, err := read(`SELECT id, source, body, ticket FROM relays WHERE body <> ''`, true)
		if err != nil {
			return fmt.Errorf("relays: %w", err)
		}
		for _, r := range relays {
			v, err := reseal(r.sealed, "relay:"+r.source, relayAAD(r.id, r.ticket))
			if err != nil {
				return err
			}
			if _, err := tx.ExecContext(ctx, `UPDATE relays SET body = ? WHERE id = ?`, v, r.id); err != nil {
				return err
			}
		}
		return nil
	}
	down := func(context.Context, *sql.Tx) error {
		return errors.New("migration " + strconv.Itoa(rowBoundVersion) + " (row-bound sealing) cannot be undone")
	}
	return goose.NewGoMigration(rowBoundVersion, &goose.GoFunc{RunTx: up}, &goose.GoFunc{RunTx: down})
}

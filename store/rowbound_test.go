package store

import (
	"context"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/acercate/acercate/flows"
	"github.com/acercate/acercate/secret"
)

// openTwoTickets opens tickets for chats 2001 and 2002, each with a staff
// reply waiting to be delivered.
func openTwoTickets(t *testing.T, db *DB) {
	t.Helper()
	ctx := context.Background()
	at := time.Date(2026, 11, 16, 16, 0, 0, 0, time.UTC)
	for i, chat := range []int64{2001, 2002} {
		src := "p" + string(rune('a'+i))
		k, err := db.Tickets().Open(ctx, flows.NewTicket{Source: src + ":1", Person: src, Chat: flows.Telegram(chat), Lang: "es", StaffChat: -100, At: at},
			&flows.Relay{Source: src + ":1:r", Direction: flows.RelayIn, Kind: flows.RelayText, Text: "ayuda", At: at},
			flows.Request{UpdateID: int64(10 + i), At: at, Person: src, Kind: "text"})
		if err != nil {
			t.Fatal(err)
		}
		if err := db.Tickets().Relay(ctx, flows.Relay{Ticket: k.ID, Source: src + ":out", Direction: flows.RelayOut,
			Kind: flows.RelayText, Text: "respuesta para " + src, By: "staff", At: at}); err != nil {
			t.Fatal(err)
		}
	}
}

// The review swapped two tickets' rows in the database and a reply went
// to the wrong person. Sealed values are now bound to their row: swapped,
// they fail to open, and nothing is delivered to anyone.
func TestSwappedSealedValuesDoNotOpen(t *testing.T) {
	ctx := context.Background()
	db := openTest(t)
	openTwoTickets(t, db)
	// Swap the tickets' sealed chats and sources, as a row swap would.
	var c1, c2, s1, s2 string
	db.db.QueryRowContext(ctx, `SELECT chat, source FROM tickets WHERE id = 1`).Scan(&c1, &s1)
	db.db.QueryRowContext(ctx, `SELECT chat, source FROM tickets WHERE id = 2`).Scan(&c2, &s2)
	if c1 == "" || c2 == "" {
		t.Fatal("no sealed chats")
	}
	for _, u := range [][3]any{{c2, s2 + "x", 1}, {c1, s1, 2}, {nil, s2, 1}} {
		if u[0] == nil {
			db.db.ExecContext(ctx, `UPDATE tickets SET source = ? WHERE id = ?`, u[1], u[2])
			continue
		}
		if _, err := db.db.ExecContext(ctx, `UPDATE tickets SET chat = ?, source = ? WHERE id = ?`, u[0], u[1], u[2]); err != nil {
			t.Fatal(err)
		}
	}
	for _, id := range []int64{1, 2} {
		if k, err := db.Tickets().Get(ctx, id); err == nil {
			t.Errorf("T%d opened with the other's chat: %v", id, k.Chat)
		}
	}
	// A relay moved to the other ticket does not open either.
	db2 := openTest(t)
	openTwoTickets(t, db2)
	if _, err := db2.db.ExecContext(ctx, `UPDATE relays SET ticket = 3 - ticket WHERE direction = 'out'`); err != nil {
		t.Fatal(err)
	}
	if got, err := db2.Tickets().PendingRelays(ctx, time.Now().Add(time.Hour), 10); err == nil {
		for _, r := range got {
			if r.Direction == flows.RelayOut {
				t.Errorf("a moved relay opened for T%d: %q", r.Ticket, r.Text)
			}
		}
	}
}

// Migration 00081 re-seals rows sealed under the old binding (their
// source) bound to their row; they open as before.
func TestRowBoundMigrationReseals(t *testing.T) {
	ctx := context.Background()
	keys, _ := secret.Parse(secret.Generate())
	path := filepath.Join(t.TempDir(), "acercate.db")
	db, err := Open(ctx, path, keys)
	if err != nil {
		t.Fatal(err)
	}
	openTwoTickets(t, db)
	// Back to how a database from before 00081 is: sealed by source.
	rows, err := db.db.QueryContext(ctx, `SELECT id, source FROM tickets`)
	if err != nil {
		t.Fatal(err)
	}
	type ts struct {
		id  int64
		src string
	}
	var tickets []ts
	for rows.Next() {
		var x ts
		rows.Scan(&x.id, &x.src)
		tickets = append(tickets, x)
	}
	rows.Close()
	for i, x := range tickets {
		chat := []string{"2001", "2002"}[i]
		db.db.ExecContext(ctx, `UPDATE tickets SET chat = ? WHERE id = ?`, keys.SealString(chat, "ticket:"+x.src+":chat"), x.id)
	}
	rs, _ := db.Tickets().Relays(ctx, 1)
	rs2, _ := db.Tickets().Relays(ctx, 2)
	for _, r := range append(rs, rs2...) {
		body := `{"t":"` + r.Text + `"}`
		db.db.ExecContext(ctx, `UPDATE relays SET body = ? WHERE id = ?`, keys.SealString(body, "relay:"+r.Source), r.ID)
	}
	if _, err := db.db.ExecContext(ctx, `DELETE FROM goose_db_version WHERE version_id = ?`, rowBoundVersion); err != nil {
		t.Fatal(err)
	}
	if _, err := db.Tickets().Get(ctx, 1); err == nil {
		t.Fatal("the old binding opens without the migration: the test proves nothing")
	}
	db.Close()

	db, err = Open(ctx, path, keys)
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	for i, want := range []int64{2001, 2002} {
		k, err := db.Tickets().Get(ctx, int64(i+1))
		if err != nil || k.Chat != flows.Telegram(want) {
			t.Fatalf("T%d after the migration: chat %v, %v", i+1, k.Chat, err)
		}
		rs, err := db.Tickets().Relays(ctx, k.ID)
		if err != nil || len(rs) != 2 || !strings.Contains(rs[1].Text, "respuesta") {
			t.Fatalf("T%d relays after the migration: %+v %v", k.ID, rs, err)
		}
	}
	// Under another key the migration refuses, as Open does.
	other, _ := secret.Parse(secret.Generate())
	db.db.ExecContext(ctx, `DELETE FROM goose_db_version WHERE version_id = ?`, rowBoundVersion)
	if _, err := Open(ctx, path, other); err != ErrWrongKey {
		t.Errorf("another key: %v", err)
	}
}

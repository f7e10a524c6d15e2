package store_test

import (
	"context"
	"strconv"
	"testing"
	"time"

	"github.com/acercate/acercate/apptest"
	"github.com/acercate/acercate/flows"
	"github.com/acercate/acercate/store"
)

// openTicket opens a conversation with staff for person n at at, with the
// person's first message relayed and a staff note.
func openTicket(t *testing.T, db *store.DB, n int64, at time.Time) flows.Ticket {
	t.Helper()
	ctx := context.Background()
	p := "person-" + strconv.FormatInt(n, 10)
	src := p + ":t" + strconv.FormatInt(at.UnixMilli(), 10)
	k, err := db.Tickets().Open(ctx, flows.NewTicket{Source: src, Person: p, Chat: flows.Telegram(2000 + n), Lang: "es",
		StaffChat: -100, At: at},
		&flows.Relay{Source: src + ":r", Direction: flows.RelayIn, Kind: flows.RelayText, Text: "necesito ayuda", At: at},
		flows.Request{UpdateID: 5000 + n + at.UnixMilli()%1000, At: at, Person: p, Kind: "button"})
	if err != nil {
		t.Fatal(err)
	}
	if err := db.Tickets().Note(ctx, k.ID, "staffhash", "llamar mañana", at); err != nil {
		t.Fatal(err)
	}
	return k
}

// TestForgetAndPurgeTickets: /borrar deletes the person's conversations
// (open ones too) and counts them; a purge deletes conversations closed
// before the ticket retention to counts, and only those; taking and closing a
// ticket are audited once each.
func TestForgetAndPurgeTickets(t *testing.T) {
	db, clock := openClocked(t)
	ctx := context.Background()
	mine := openTicket(t, db, 1, apptest.Start)
	other := openTicket(t, db, 2, apptest.Start)
	old := openTicket(t, db, 3, apptest.Start)
	recent := openTicket(t, db, 4, apptest.Start)
	if _, err := db.Tickets().Take(ctx, old.ID, "staffhash", apptest.Start); err != nil {
		t.Fatal(err)
	}
	if n := auditCount(t, db, "ticket.take"); n != 1 {
		t.Errorf("%d ticket.take rows", n)
	}
	ret := store.DefaultRetention
	now := apptest.Start.Add(time.Duration(ret.Tickets+10) * day)
	cut := now.Add(-time.Duration(ret.Tickets) * day)
	if _, err := db.Tickets().Close(ctx, old.ID, "staffhash", cut.Add(-time.Minute), nil); err != nil {
		t.Fatal(err)
	}
	if _, err := db.Tickets().Close(ctx, recent.ID, "person", cut.Add(time.Minute), nil); err != nil {
		t.Fatal(err)
	}
	if n := auditCount(t, db, "ticket.close"); n != 2 {
		t.Errorf("%d ticket.close rows, want 2", n)
	}
	// other is open and its person wrote lately: not abandoned.
	if err := db.Tickets().Relay(ctx, flows.Relay{Ticket: other.ID, Source: "other:2", Direction: flows.RelayIn,
		Kind: flows.RelayText, Text: "sigo aquí", At: cut.Add(time.Minute)}); err != nil {
		t.Fatal(err)
	}
	er, err := db.Forget(ctx, flows.Subject{Person: "person-1", Chat: flows.Telegram(2001)})
	if err != nil {
		t.Fatal(err)
	}
	counts := map[string]int{}
	for _, a := range er.Areas {
		counts[a.Name] = a.Count
	}
	if counts["tickets"] != 1 {
		t.Errorf("forget counted %+v", er.Areas)
	}
	if _, err := db.Tickets().Current(ctx, "person-1"); err == nil {
		t.Error("the erased person's open ticket is still open")
	}
	if p, r, n, m := ticketTraces(t, db, mine.ID); p+r+n+m != 0 {
		t.Error("the erased person's ticket kept its contents")
	}
	clock.Set(now)
	items, err := db.Purge(ctx, "cli:ana", false)
	if err != nil {
		t.Fatal(err)
	}
	for _, it := range items {
		if it.Area == "tickets" && it.Count != 1 {
			t.Errorf("purged %d tickets, want 1", it.Count)
		}
	}
	if p, r, n, m := ticketTraces(t, db, old.ID); p+r+n+m != 0 {
		t.Error("a ticket closed before the retention kept its contents")
	}
	for _, k := range []flows.Ticket{other, recent} {
		if _, err := db.Tickets().Get(ctx, k.ID); err != nil {
			t.Errorf("T%d (open, or closed recently) was removed: %v", k.ID, err)
		}
		if rs, err := db.Tickets().Relays(ctx, k.ID); err != nil || len(rs) == 0 || rs[0].Text != "necesito ayuda" {
			t.Errorf("T%d relays: %+v, %v", k.ID, rs, err)
		}
	}
}

// TestRekeyTickets: the chat, relays and notes of tickets round-trip.
func TestRekeyTickets(t *testing.T) {
	ctx := context.Background()
	path := t.TempDir() + "/acercate.db"
	oldK, newK := newKeys(t), newKeys(t)
	db := open(t, path, oldK)
	k := openTicket(t, db, 9, apptest.Start)
	stats, err := db.Rekey(ctx, newK, 1)
	if err != nil {
		t.Fatal(err)
	}
	if stats.Areas["tickets"] != 1 || stats.Areas["relays"] != 1 || stats.Areas["ticket_notes"] != 1 {
		t.Errorf("stats %+v", stats)
	}
	db.Close()
	db = open(t, path, newK)
	if left := sealedUnder(t, db, oldK); len(left) != 0 {
		t.Errorf("still sealed under the old key: %v", left)
	}
	got, err := db.Tickets().Get(ctx, k.ID)
	if err != nil || got.Chat != flows.Telegram(2009) {
		t.Errorf("ticket after rekey: %+v, %v", got, err)
	}
	rs, err := db.Tickets().Relays(ctx, k.ID)
	if err != nil || len(rs) != 1 || rs[0].Text != "necesito ayuda" {
		t.Errorf("relays after rekey: %+v, %v", rs, err)
	}
	notes, err := db.Tickets().Notes(ctx, k.ID)
	if err != nil || len(notes) != 1 || notes[0].Text != "llamar mañana" {
		t.Errorf("notes after rekey: %+v, %v", notes, err)
	}
}

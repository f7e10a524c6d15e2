package store_test

import (
	"context"
	"reflect"
	"strconv"
	"testing"
	"time"

	"github.com/acercate/acercate/apptest"
	"github.com/acercate/acercate/flows"
	"github.com/acercate/acercate/store"
)

// ticketTraces counts what a purged ticket must no longer hold: its
// person's hash, sealed chat and source, and anything hanging from it.
func ticketTraces(t *testing.T, db *store.DB, id int64) (person, relays, notes, messages int) {
	t.Helper()
	ctx := context.Background()
	var src, chat string
	var group int64
	if err := db.SQL().QueryRowContext(ctx, `SELECT source, chat, group_message, person <> '' FROM tickets WHERE id = ?`, id).
		Scan(&src, &chat, &group, &person); err != nil {
		t.Fatalf("T%d: %v", id, err)
	}
	if chat != "" || src != "purged:"+strconv.FormatInt(id, 10) || group != 0 {
		person++ // kept something that leads back
	}
	db.SQL().QueryRowContext(ctx, `SELECT count(*) FROM relays WHERE ticket = ?`, id).Scan(&relays)
	db.SQL().QueryRowContext(ctx, `SELECT count(*) FROM ticket_notes WHERE ticket = ?`, id).Scan(&notes)
	db.SQL().QueryRowContext(ctx, `SELECT count(*) FROM ticket_messages WHERE ticket = ?`, id).Scan(&messages)
	return
}

// TestPurgedTicketsStillCounted: a purge strips a closed ticket of its
// messages, notes and link to the person, but the weekly report of the
// week it happened in reads the same escalations (opened, answered,
// closed, first-response time) as before the purge. A second purge finds
// nothing more to do.
func TestPurgedTicketsStillCounted(t *testing.T) {
	db, clock := openClocked(t)
	ctx := context.Background()
	tk := db.Tickets()
	a := openTicket(t, db, 1, apptest.Start)
	b := openTicket(t, db, 2, apptest.Start.Add(time.Hour))
	if err := tk.Relay(ctx, flows.Relay{Ticket: a.ID, Source: "a:out", Direction: flows.RelayOut, Kind: flows.RelayText,
		Text: "hola, ¿dónde estás?", By: "staffhash", At: apptest.Start.Add(7 * time.Minute)}); err != nil {
		t.Fatal(err)
	}
	if err := tk.MapMessage(ctx, -100, 77, a.ID); err != nil {
		t.Fatal(err)
	}
	if err := tk.Urgent(ctx, b.ID); err != nil {
		t.Fatal(err)
	}
	for _, k := range []flows.Ticket{a, b} {
		if _, err := tk.Close(ctx, k.ID, "staffhash", apptest.Start.Add(3*time.Hour), nil); err != nil {
			t.Fatal(err)
		}
	}
	from, to := apptest.Start.Add(-10*time.Hour), apptest.Start.Add(7*day-10*time.Hour) // the Mexico City week
	before, err := db.ReportData(ctx, from, to)
	if err != nil {
		t.Fatal(err)
	}
	if len(before.Tickets) != 2 {
		t.Fatalf("report before the purge: %+v", before.Tickets)
	}

	clock.Set(apptest.Start.Add(time.Duration(store.DefaultRetention.Tickets+1) * day))
	items, err := db.Purge(ctx, "cli:ana", false)
	if err != nil {
		t.Fatal(err)
	}
	if n := purged(items, "tickets"); n != 2 {
		t.Errorf("purged %d tickets, want 2", n)
	}
	for _, k := range []flows.Ticket{a, b} {
		if p, r, n, m := ticketTraces(t, db, k.ID); p+r+n+m != 0 {
			t.Errorf("T%d after purge: person/chat/source %d, relays %d, notes %d, messages %d", k.ID, p, r, n, m)
		}
	}
	after, err := db.ReportData(ctx, from, to)
	if err != nil {
		t.Fatal(err)
	}
	if !reflect.DeepEqual(before.Tickets, after.Tickets) {
		t.Errorf("the week's escalations changed with the purge:\nbefore %+v\nafter  %+v", before.Tickets, after.Tickets)
	}
	timings, err := tk.TicketTimes(ctx, from, to)
	if err != nil || len(timings) != 2 || timings[0].FirstResponse != 7*time.Minute || timings[1].Priority != flows.PriorityUrgent {
		t.Errorf("ticket times after the purge: %+v, %v", timings, err)
	}
	items, err = db.Purge(ctx, "cli:ana", false)
	if err != nil || purged(items, "tickets") != 0 {
		t.Errorf("second purge: %+v, %v", items, err)
	}
}

// TestPurgeClosesAbandonedTickets: an open or taken ticket nobody touched
// for longer than the ticket retention is closed by "retention" (audited)
// and stripped; one with recent activity is left alone; a dry run counts
// the abandoned ones and changes nothing.
func TestPurgeClosesAbandonedTickets(t *testing.T) {
	db, clock := openClocked(t)
	ctx := context.Background()
	tk := db.Tickets()
	ret := time.Duration(store.DefaultRetention.Tickets) * day
	now := apptest.Start.Add(ret + 2*day)
	open := openTicket(t, db, 1, apptest.Start)  // open, nothing since
	taken := openTicket(t, db, 2, apptest.Start) // taken, nothing since
	if _, err := tk.Take(ctx, taken.ID, "staffhash", apptest.Start.Add(time.Hour)); err != nil {
		t.Fatal(err)
	}
	alive := openTicket(t, db, 3, apptest.Start) // the person wrote again lately
	if err := tk.Relay(ctx, flows.Relay{Ticket: alive.ID, Source: "alive:2", Direction: flows.RelayIn, Kind: flows.RelayText,
		Text: "sigo aquí", At: now.Add(-ret + time.Hour)}); err != nil {
		t.Fatal(err)
	}
	clock.Set(now)

	items, err := db.Purge(ctx, "cli:ana", true)
	if err != nil || purged(items, "tickets") != 2 {
		t.Fatalf("dry run: %+v, %v (want 2 tickets)", items, err)
	}
	if k, err := tk.Get(ctx, open.ID); err != nil || k.Status != flows.TicketOpen {
		t.Fatalf("the dry run changed T%d: %+v, %v", open.ID, k, err)
	}
	if n := auditCount(t, db, "ticket.close"); n != 0 {
		t.Fatalf("the dry run audited %d closes", n)
	}

	items, err = db.Purge(ctx, "serve", false)
	if err != nil || purged(items, "tickets") != 2 {
		t.Fatalf("purge: %+v, %v (want 2 tickets)", items, err)
	}
	for _, k := range []flows.Ticket{open, taken} {
		var status, by string
		var closed int64
		db.SQL().QueryRowContext(ctx, `SELECT status, closed_by, closed_at FROM tickets WHERE id = ?`, k.ID).Scan(&status, &by, &closed)
		if status != "closed" || by != "retention" || closed != now.UnixMilli() {
			t.Errorf("T%d: %s by %q at %d, want closed by retention now", k.ID, status, by, closed)
		}
		if p, r, n, m := ticketTraces(t, db, k.ID); p+r+n+m != 0 {
			t.Errorf("T%d after purge: person/chat/source %d, relays %d, notes %d, messages %d", k.ID, p, r, n, m)
		}
	}
	log, err := db.AuditLog(ctx, now)
	if err != nil {
		t.Fatal(err)
	}
	var closes []string
	for _, e := range log {
		if e.Action == "ticket.close" {
			closes = append(closes, e.Actor+" "+e.Object)
		}
	}
	want := []string{"retention T" + strconv.FormatInt(open.ID, 10), "retention T" + strconv.FormatInt(taken.ID, 10)}
	if !reflect.DeepEqual(closes, want) {
		t.Errorf("ticket.close audit rows %q, want %q", closes, want)
	}
	k, err := tk.Get(ctx, alive.ID)
	if err != nil || k.Status != flows.TicketOpen {
		t.Errorf("a ticket with recent activity: %+v, %v", k, err)
	}
	if rs, err := tk.Relays(ctx, alive.ID); err != nil || len(rs) != 2 {
		t.Errorf("its relays: %+v, %v", rs, err)
	}
	// Closed now, it counts as closed in this week's report.
	d, err := db.ReportData(ctx, now.Add(-time.Hour), now.Add(time.Hour))
	if err != nil || len(d.Tickets) != 2 {
		t.Errorf("this week's report: %+v, %v", d, err)
	}
}

func purged(items []store.PurgeItem, area string) int {
	for _, it := range items {
		if it.Area == area {
			return it.Count
		}
	}
	return -1
}

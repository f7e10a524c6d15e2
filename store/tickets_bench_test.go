package store

import (
	"context"
	"path/filepath"
	"strconv"
	"testing"
	"time"

	"github.com/acercate/acercate/flows"
	"github.com/acercate/acercate/secret"
)

// BenchmarkTicketOpen: opening a ticket (sealed chat and first message,
// request-log row) in one transaction.
func BenchmarkTicketOpen(b *testing.B) {
	db := openBench(b)
	ctx := context.Background()
	for i := 0; i < b.N; i++ {
		src := "b:" + strconv.Itoa(i)
		if _, err := db.Tickets().Open(ctx, flows.NewTicket{Source: src, Person: src, Chat: flows.Telegram(int64(i + 1)), Lang: "es",
			StaffChat: -100, At: ticketT0}, &flows.Relay{Source: src, Direction: flows.RelayIn, Kind: flows.RelayText,
			Text: "necesito ayuda con mis papeles", At: ticketT0},
			flows.Request{UpdateID: int64(i), At: ticketT0, Person: src, Kind: "text"}); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkRelayRoundTrip: recording a relay, reading it back as due and
// marking it delivered — the desk's work per relayed message.
func BenchmarkRelayRoundTrip(b *testing.B) {
	db := openBench(b)
	ctx := context.Background()
	tk := db.Tickets()
	k, err := tk.Open(ctx, flows.NewTicket{Source: "s", Person: "p", Chat: flows.Telegram(1), StaffChat: -100, At: ticketT0}, nil,
		flows.Request{UpdateID: 1, At: ticketT0, Person: "p", Kind: "text"})
	if err != nil {
		b.Fatal(err)
	}
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		if err := tk.Relay(ctx, flows.Relay{Ticket: k.ID, Source: "r" + strconv.Itoa(i), Direction: flows.RelayIn,
			Kind: flows.RelayText, Text: "sigo aquí", At: ticketT0}); err != nil {
			b.Fatal(err)
		}
		p, err := tk.PendingRelays(ctx, ticketT0.Add(time.Second), 10)
		if err != nil || len(p) != 1 {
			b.Fatalf("pending %d, %v", len(p), err)
		}
		if err := tk.RelayDelivered(ctx, p[0].ID, int64(i+1), ticketT0); err != nil {
			b.Fatal(err)
		}
	}
}

func openBench(b *testing.B) *DB {
	b.Helper()
	keys, err := secret.Parse(secret.Generate())
	if err != nil {
		b.Fatal(err)
	}
	db, err := Open(context.Background(), filepath.Join(b.TempDir(), "acercate.db"), keys)
	if err != nil {
		b.Fatal(err)
	}
	b.Cleanup(func() { db.Close() })
	return db
}

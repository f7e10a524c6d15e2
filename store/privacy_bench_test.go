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

// fillRequests writes n request-log rows for people person-0..people-1,
// spread over the year before apptest.Start, in one transaction with
// their rollups.
func fillRequests(b *testing.B, db *store.DB, n, people int, from int) {
	b.Helper()
	ctx := context.Background()
	tx, err := db.SQL().BeginTx(ctx, nil)
	if err != nil {
		b.Fatal(err)
	}
	st, err := tx.PrepareContext(ctx, `INSERT INTO requests (update_id, at, person, kind, flow) VALUES (?, ?, ?, 'text', 'rights')`)
	if err != nil {
		b.Fatal(err)
	}
	for i := from; i < from+n; i++ {
		at := apptest.Start.Add(-time.Duration(i%365) * day).UnixMilli()
		if _, err := st.ExecContext(ctx, i, at, "person-"+strconv.Itoa(i%people)); err != nil {
			b.Fatal(err)
		}
	}
	st.Close()
	var last int64
	if err := tx.QueryRowContext(ctx, `SELECT max(id) FROM requests`).Scan(&last); err != nil {
		b.Fatal(err)
	}
	if err := store.RollUpRequests(ctx, tx, last-int64(n)+1, last); err != nil {
		b.Fatal(err)
	}
	if err := tx.Commit(); err != nil {
		b.Fatal(err)
	}
}

// BenchmarkForget is one /borrar's store part (unlink ~100 request rows,
// anonymise, audit, checkpoint) in a request log of 100 000 rows.
func BenchmarkForget(b *testing.B) {
	db, _ := openClocked(b)
	defer db.Close()
	const people = 1000
	fillRequests(b, db, 100_000, people, 0)
	ctx := context.Background()
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		if _, err := db.Forget(ctx, flows.Subject{Person: "person-" + strconv.Itoa(i%people), Chat: flows.Telegram(int64(i))}); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkPurge removes a day's worth of expired rows (10 000) from a
// request log of 100 000.
func BenchmarkPurge(b *testing.B) {
	db, clock := openClocked(b)
	defer db.Close()
	fillRequests(b, db, 100_000, 1000, 0)
	db.SetRetention(flows.Retention{Requests: 400})
	clock.Set(apptest.Start.Add(400 * day))
	ctx := context.Background()
	next := 1_000_000
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		b.StopTimer()
		// 10 000 rows older than the cutoff.
		fillRequests(b, db, 10_000, 1000, next)
		next += 10_000
		b.StartTimer()
		items, err := db.Purge(ctx, "bench", false)
		if err != nil || items[0].Count < 9_900 {
			b.Fatalf("%+v %v", items, err)
		}
	}
}

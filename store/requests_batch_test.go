package store

import (
	"context"
	"fmt"
	"path/filepath"
	"sync"
	"testing"
	"time"

	"github.com/acercate/acercate/flows"
	"github.com/acercate/acercate/secret"
)

// Many workers logging at once: every row is committed exactly once, each
// caller returns after its own row is in, and a row logged again (an
// update handled again after a crash) is not counted twice.
func TestRequestLogGroupCommit(t *testing.T) {
	keys, _ := secret.Parse(secret.Generate())
	db, err := Open(context.Background(), filepath.Join(t.TempDir(), "a.db"), keys)
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	const workers, each = 32, 50
	var wg sync.WaitGroup
	at := time.Date(2026, 11, 16, 16, 0, 0, 0, time.UTC)
	for w := range workers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := range each {
				r := flows.Request{UpdateID: int64(w*each + i), At: at, Person: "p", Kind: "text"}
				if err := db.LogRequest(context.Background(), r); err != nil {
					t.Error(err)
					return
				}
				var n int
				db.SQL().QueryRow(`SELECT count(*) FROM requests WHERE update_id = ?`, r.UpdateID).Scan(&n)
				if n != 1 {
					t.Errorf("update %d: %d rows right after LogRequest returned", r.UpdateID, n)
				}
				// Logged again: ignored.
				if err := db.LogRequest(context.Background(), r); err != nil {
					t.Error(err)
				}
			}
		}()
	}
	wg.Wait()
	rows, err := db.Requests(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	if len(rows) != workers*each {
		t.Fatalf("%d rows, want %d", len(rows), workers*each)
	}
}

// A batch of 45 rows with duplicates among them (of rows already logged,
// of rows earlier in the batch, first and last): each row is in the log
// once and the rollups, counted once for the batch's range of ids, count
// exactly the rows inserted.
func TestRequestBatchCountsOnlyInsertedRows(t *testing.T) {
	db := openTest(t)
	ctx := context.Background()
	at := time.Date(2026, 11, 16, 16, 0, 0, 0, time.UTC)
	req := func(update int64) *queuedRequest {
		return &queuedRequest{r: flows.Request{UpdateID: update, At: at.Add(time.Duration(update) * time.Hour),
			Person: fmt.Sprintf("p%d", update%7), Kind: "text", Flow: "rights", Topic: "asylum", Lang: "es",
			Channel: []string{flows.ChannelTelegram, "web"}[update%2]}}
	}
	if err := db.writeRequests(ctx, []*queuedRequest{req(1), req(2)}); err != nil {
		t.Fatal(err)
	}
	var batch []*queuedRequest
	for i := range 45 {
		switch {
		case i == 0 || i == 31: // logged before
			batch = append(batch, req(int64(1+i%2)))
		case i == 39 || i == 44: // earlier in this batch; the last row
			batch = append(batch, req(11))
		default:
			batch = append(batch, req(int64(i+10)))
		}
	}
	if err := db.writeRequests(ctx, batch); err != nil {
		t.Fatal(err)
	}
	// Only duplicates: nothing to count.
	if err := db.writeRequests(ctx, []*queuedRequest{req(1), req(11)}); err != nil {
		t.Fatal(err)
	}
	var rows, days, channels, weeks, distinct int
	q := func(sql string, v *int) {
		t.Helper()
		if err := db.SQL().QueryRow(sql).Scan(v); err != nil {
			t.Fatal(err)
		}
	}
	q(`SELECT count(*) FROM requests`, &rows)
	q(`SELECT sum(n) FROM request_days`, &days)
	q(`SELECT sum(n) FROM channel_days`, &channels)
	q(`SELECT count(*) FROM person_channel_weeks`, &weeks)
	q(`SELECT count(*) FROM (SELECT DISTINCT ((at / 1000 - 21600) / 86400 + 3) / 7, channel, person FROM requests)`, &distinct)
	if want := 2 + 45 - 4; rows != want {
		t.Fatalf("%d rows in the log, want %d", rows, want)
	}
	if days != rows || channels != rows || weeks != distinct {
		t.Fatalf("rollups count %d rows by day, %d by channel, %d person-weeks; the log has %d rows, %d person-weeks",
			days, channels, weeks, rows, distinct)
	}
}

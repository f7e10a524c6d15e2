package store

import (
	"context"
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

package store

import (
	"context"
	"testing"
	"time"

	"github.com/acercate/acercate/flows"
)

// The request log's connection leaves the WAL to the checkpointing
// goroutine (no commit of its own pays a checkpoint), and that goroutine's
// checkpoint copies the whole WAL once the writers are idle, so the WAL is
// started over rather than growing.
func TestRequestLogLeavesCheckpointsToTheGoroutine(t *testing.T) {
	db := openTest(t)
	ctx := context.Background()
	at := time.Date(2026, 11, 16, 16, 0, 0, 0, time.UTC)
	for i := range 20 {
		if err := db.LogRequest(ctx, flows.Request{UpdateID: int64(i), At: at, Person: "p", Kind: "text"}); err != nil {
			t.Fatal(err)
		}
	}
	var auto int
	if err := db.requestBatch.conn.QueryRowContext(ctx, `PRAGMA wal_autocheckpoint`).Scan(&auto); err != nil || auto != 0 {
		t.Fatalf("request log's wal_autocheckpoint = %d, %v; want 0", auto, err)
	}
	log, done, err := db.passiveCheckpoint(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if log == 0 || done != log {
		t.Fatalf("checkpoint copied %d of the WAL's %d pages", done, log)
	}
	// Back in the pool, the connection checkpoints by itself again: the
	// other connections closed, it is the one the next query takes.
	db.db.SetMaxIdleConns(0)
	db.db.SetMaxIdleConns(16)
	db.requestBatch.drop()
	if err := db.db.QueryRowContext(ctx, `PRAGMA wal_autocheckpoint`).Scan(&auto); err != nil || auto != 1000 {
		t.Fatalf("a pool connection's wal_autocheckpoint = %d, %v; want 1000", auto, err)
	}
}

// checkpointAfter commits bring the checkpoint forward, so a heavy load
// does not make a second's WAL long.
func TestManyCommitsBringTheCheckpointForward(t *testing.T) {
	c := &checkpointer{due: make(chan struct{}, 1)}
	for range checkpointAfter - 1 {
		c.committed()
	}
	if len(c.due) != 0 {
		t.Fatal("checkpoint due before checkpointAfter commits")
	}
	c.committed()
	if len(c.due) != 1 {
		t.Fatal("checkpoint not due after checkpointAfter commits")
	}
}

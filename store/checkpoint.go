package store

import (
	"context"
	"sync"
	"sync/atomic"
	"time"
)

// The WAL is checkpointed (its pages copied into the database file, then
// fsynced) by a goroutine, not by the request log's commits. SQLite's
// default has the commit that takes the WAL past 1,000 pages do it, on the
// bot's hot path: every few hundred commits one caller paid the copying and
// the fsync (a p99 spike at low load, a CPU profile's fsync at high). A
// checkpoint a second also copies a page once however many commits wrote
// it in that second, where one per 1,000 pages copied the hot pages (the
// rollups', the indexes' ends) several times a second.
//
// Other connections keep SQLite's automatic checkpoint: they write seldom,
// and one of them finding a long WAL checkpoints it as before.
const checkpointEvery = time.Second

// checkpointAfter is how many request-log commits bring the checkpoint
// forward: under a heavy load a second's commits make a long WAL, and
// SQLite finds pages in a long one more slowly.
const checkpointAfter = 1000

// walSizeLimit is the WAL file's size kept after a checkpoint let the
// writer start it over (journal_size_limit): a burst that grew it does not
// leave it large on disk.
const walSizeLimit = 64 << 20

type checkpointer struct {
	// logged counts request-log commits since the last checkpoint, so an
	// idle bot does not checkpoint for nothing.
	logged atomic.Int64
	// due wakes the goroutine early when checkpointAfter commits came
	// before the tick.
	due  chan struct{}
	stop context.CancelFunc
	done sync.WaitGroup
}

// startCheckpoints starts the checkpointing goroutine; Close stops it.
func (s *DB) startCheckpoints() {
	ctx, cancel := context.WithCancel(context.Background())
	c := &s.checkpoints
	c.stop = cancel
	c.due = make(chan struct{}, 1)
	c.done.Add(1)
	go func() {
		defer c.done.Done()
		t := time.NewTicker(checkpointEvery)
		defer t.Stop()
		for {
			select {
			case <-ctx.Done():
				return
			case <-t.C:
			case <-c.due:
			}
			if c.logged.Swap(0) > 0 {
				// An error (the database closing, a disk error) is seen
				// by the next commit; the next tick tries again.
				s.passiveCheckpoint(ctx)
			}
		}
	}()
}

// passiveCheckpoint copies what it can of the WAL into the database without
// waiting for the writers (PASSIVE): the next commit after a complete one
// starts the WAL over, so it stays about a second of commits long. It
// returns the WAL's pages and those checkpointed, for tests.
func (s *DB) passiveCheckpoint(ctx context.Context) (log, done int, err error) {
	var busy int
	err = s.db.QueryRowContext(ctx, `PRAGMA wal_checkpoint(PASSIVE)`).Scan(&busy, &log, &done)
	return log, done, err
}

// committed counts one request-log commit.
func (c *checkpointer) committed() {
	if c.logged.Add(1) == checkpointAfter {
		select {
		case c.due <- struct{}{}:
		default:
		}
	}
}

func (s *DB) stopCheckpoints() {
	if c := &s.checkpoints; c.stop != nil {
		c.stop()
		c.done.Wait()
	}
}

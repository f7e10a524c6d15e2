package store

import (
	"context"
	"database/sql"
	"fmt"
	"runtime"
	"sync"

	"github.com/acercate/acercate/flows"
)

// requestBatch group-commits the request log: rows logged at the same time
// by different chats' workers share one transaction, so SQLite commits once
// for many rows instead of once per row. Each caller still returns only
// after its own row is committed (the engine saves the chat's state only
// after that), so nothing is less durable than row by row.
//
// It has no goroutine of its own. The first caller to find no commit
// running leads: it commits everything queued so far (its own row among
// them), then hands the lead to the first caller queued meanwhile, whose
// batch has been growing during that commit. A lead with no one queued
// yields once first: on a busy machine the other workers then reach their
// rows and share its commit, and a commit (its pages written to the WAL,
// the triggers' tables among them) costs several rows' inserts.
type requestBatch struct {
	mu      sync.Mutex
	queue   []*queuedRequest
	running bool
	// conn is the one connection the request log is written on, and
	// insert the row's INSERT prepared on it once (compiling it compiles
	// the request log's triggers too, which cost more than running it).
	// One connection, because in WAL mode a connection that starts a
	// transaction after another one wrote drops its whole page cache: the
	// pool handing each commit a different connection made every commit
	// read the indexes and the triggers' tables again (pread, malloc, page
	// faults), four times the row's own work. Only the lead uses them, so
	// they need no lock of their own.
	conn   *sql.Conn
	insert *sql.Stmt
}

type queuedRequest struct {
	r    flows.Request
	done chan batchTurn
}

// batchTurn is what a queued caller is woken with: its row's result, or
// the lead.
type batchTurn struct {
	err  error
	lead bool
}

// maxBatch bounds one transaction, so a long queue does not make its
// first caller wait for everyone.
const maxBatch = 256

func (s *DB) logBatched(ctx context.Context, r flows.Request) error {
	b := &s.requestBatch
	q := &queuedRequest{r: r, done: make(chan batchTurn, 1)}
	b.mu.Lock()
	b.queue = append(b.queue, q)
	if b.running {
		b.mu.Unlock()
		// Waiting is not abandoned on ctx: the lead may be handed to us.
		turn := <-q.done
		if !turn.lead {
			return turn.err
		}
		b.mu.Lock()
	}
	b.running = true
	if len(b.queue) == 1 {
		// Alone: let the workers that are ready to run (when the machine
		// is busy) reach their own row first, so they share this commit.
		// An idle machine has none and this returns at once.
		b.mu.Unlock()
		runtime.Gosched()
		b.mu.Lock()
	}
	n := min(len(b.queue), maxBatch)
	batch := b.queue[:n:n]
	b.queue = b.queue[n:]
	b.mu.Unlock()

	err := s.insertRequests(context.WithoutCancel(ctx), batch)
	var mine error
	for _, x := range batch {
		if x == q {
			mine = err
			continue
		}
		x.done <- batchTurn{err: err}
	}
	b.mu.Lock()
	if len(b.queue) > 0 {
		b.queue[0].done <- batchTurn{lead: true}
	} else {
		b.running = false
		b.queue = nil
	}
	b.mu.Unlock()
	return mine
}

func (s *DB) insertRequests(ctx context.Context, batch []*queuedRequest) error {
	err := s.writeRequests(ctx, batch)
	if err != nil {
		// The next lead starts on a fresh connection, in case this one
		// is what failed.
		s.requestBatch.drop()
	}
	return err
}

func (s *DB) writeRequests(ctx context.Context, batch []*queuedRequest) error {
	b := &s.requestBatch
	if b.insert == nil {
		conn, err := s.db.Conn(ctx)
		if err != nil {
			return fmt.Errorf("log request: %w", err)
		}
		st, err := conn.PrepareContext(ctx, insertRequestSQL)
		if err != nil {
			conn.Close()
			return fmt.Errorf("log request: %w", err)
		}
		b.conn, b.insert = conn, st
	}
	if len(batch) == 1 {
		return execRequest(ctx, b.insert, batch[0].r)
	}
	// The transaction is the connection's own BEGIN … COMMIT, not a
	// database/sql Tx: a Tx would prepare the INSERT (and its triggers)
	// again on every commit, a statement prepared on a Conn being one it
	// does not reuse.
	if _, err := b.conn.ExecContext(ctx, "BEGIN IMMEDIATE"); err != nil {
		return fmt.Errorf("log request: begin: %w", err)
	}
	for _, x := range batch {
		if err := execRequest(ctx, b.insert, x.r); err != nil {
			b.conn.ExecContext(ctx, "ROLLBACK")
			return err
		}
	}
	if _, err := b.conn.ExecContext(ctx, "COMMIT"); err != nil {
		b.conn.ExecContext(ctx, "ROLLBACK")
		return fmt.Errorf("log request: commit: %w", err)
	}
	return nil
}

func execRequest(ctx context.Context, stmt *sql.Stmt, r flows.Request) error {
	if _, err := stmt.ExecContext(ctx, requestArgs(r)...); err != nil {
		return fmt.Errorf("log request: %w", err)
	}
	return nil
}

// drop gives the request log's connection back to the pool (the lead, or
// Close after the last LogRequest).
func (b *requestBatch) drop() {
	if b.insert != nil {
		b.insert.Close()
		b.conn.Close()
		b.insert, b.conn = nil, nil
	}
}

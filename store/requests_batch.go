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
	// the request log's remaining trigger too).
	// One connection, because in WAL mode a connection that starts a
	// transaction after another one wrote drops its whole page cache: the
	// pool handing each commit a different connection made every commit
	// read the indexes and the triggers' tables again (pread, malloc, page
	// faults), four times the row's own work. Only the lead uses them, so
	// they need no lock of their own. rollups are rollupSQL's statements,
	// prepared there too.
	conn    *sql.Conn
	insert  *sql.Stmt
	rollups []*sql.Stmt
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
		var sts []*sql.Stmt
		for _, q := range append([]string{insertRequestSQL}, rollupSQL()...) {
			st, err := conn.PrepareContext(ctx, q)
			if err != nil {
				for _, st := range sts {
					st.Close()
				}
				conn.Close()
				return fmt.Errorf("log request: %w", err)
			}
			sts = append(sts, st)
		}
		b.conn, b.insert, b.rollups = conn, sts[0], sts[1:]
	}
	// The transaction is the connection's own BEGIN … COMMIT, not a
	// database/sql Tx: a Tx would prepare the statements again on every
	// commit, a statement prepared on a Conn being one it does not reuse.
	// A single row takes one too: its rollups commit with it.
	if _, err := b.conn.ExecContext(ctx, "BEGIN IMMEDIATE"); err != nil {
		return fmt.Errorf("log request: begin: %w", err)
	}
	err := b.writeRows(ctx, batch)
	if err == nil {
		if _, err = b.conn.ExecContext(ctx, "COMMIT"); err != nil {
			err = fmt.Errorf("log request: commit: %w", err)
		}
	}
	if err != nil {
		b.conn.ExecContext(ctx, "ROLLBACK")
	}
	return err
}

// writeRows inserts the batch's rows, then counts those inserted (not
// duplicates) in the rollups at once: in one transaction on one
// connection their ids follow each other.
func (b *requestBatch) writeRows(ctx context.Context, batch []*queuedRequest) error {
	var from, to int64
	for _, x := range batch {
		res, err := b.insert.ExecContext(ctx, requestArgs(x.r)...)
		if err != nil {
			return fmt.Errorf("log request: %w", err)
		}
		id, ok, err := insertedID(res)
		if err != nil {
			return fmt.Errorf("log request: %w", err)
		}
		if ok {
			if from == 0 {
				from = id
			}
			to = id
		}
	}
	if from == 0 {
		return nil
	}
	for _, st := range b.rollups {
		if _, err := st.ExecContext(ctx, from, to); err != nil {
			return fmt.Errorf("log request: rollups: %w", err)
		}
	}
	return nil
}

// drop gives the request log's connection back to the pool (the lead, or
// Close after the last LogRequest).
func (b *requestBatch) drop() {
	if b.insert != nil {
		b.insert.Close()
		for _, st := range b.rollups {
			st.Close()
		}
		b.conn.Close()
		b.insert, b.rollups, b.conn = nil, nil, nil
	}
}

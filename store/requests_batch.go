package store

import (
	"context"
	"database/sql"
	"fmt"

	"github.com/acercate/acercate/flows"
	"github.com/acercate/acercate/flows/group"
)

// requestBatch group-commits the request log (package group): rows
// logged at the same time by different chats' workers share one
// transaction, so SQLite commits once for many rows instead of once per
// row. Each caller still returns only after its own row is committed (the
// engine saves the chat's state only after that), so nothing is less
// durable than row by row; a lead alone yields once first, since a commit
// (its pages written to the WAL, the rollups' among them) costs several
// rows' inserts.
type requestBatch struct {
	group group.Group[*queuedRequest]
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
	r   flows.Request
	err error
}

// maxBatch bounds one transaction, so a long queue does not make its
// first caller wait for everyone.
const maxBatch = 256

func (s *DB) logBatched(ctx context.Context, r flows.Request) error {
	q := &queuedRequest{r: r}
	s.requestBatch.group.Do(ctx, maxBatch, q, func(ctx context.Context, batch []*queuedRequest) {
		err := s.insertRequests(ctx, batch)
		for _, x := range batch {
			x.err = err
		}
	})
	return q.err
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
		// The WAL is checkpointed by its own goroutine (checkpoint.go),
		// not by this connection's commits.
		for _, q := range []string{`PRAGMA wal_autocheckpoint = 0`, fmt.Sprintf(`PRAGMA journal_size_limit = %d`, walSizeLimit)} {
			if _, err := conn.ExecContext(ctx, q); err != nil {
				conn.Close()
				return fmt.Errorf("log request: %w", err)
			}
		}
		var sts []*sql.Stmt
		for _, q := range append([]string{insertRequestSQL}, rollupStatements...) {
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
		} else {
			s.checkpoints.committed()
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
		// Back in the pool, the connection checkpoints as the others do.
		b.conn.ExecContext(context.Background(), `PRAGMA wal_autocheckpoint = 1000`)
		b.conn.Close()
		b.insert, b.rollups, b.conn = nil, nil, nil
	}
}

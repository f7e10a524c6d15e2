// Package store keeps Acércate's durable records in SQLite: the request
// log behind the metrics, and (in their own files) shelters, denuncias,
// tickets, campaigns and módulos. It implements the interfaces flows
// declares. Schema changes are embedded migrations applied in order at Open.
package store

import (
	"context"
	"database/sql"
	"embed"
	"errors"
	"fmt"
	"io/fs"
	"net/url"
	"os"
	"strings"
	"sync/atomic"
	"time"

	"github.com/acercate/acercate/flows"
	"github.com/acercate/acercate/secret"
	_ "github.com/mattn/go-sqlite3" // the SQLite driver
	"github.com/pressly/goose/v3"
)

//go:embed migrations/*.sql
var migrations embed.FS

// ErrWrongKey reports that the database was created under another data
// key: its encrypted fields would not open, so nothing is started.
var ErrWrongKey = errors.New("ACERCATE_DATA_KEY is not the key this database was created with")

// DB is the store.
type DB struct {
	db   *sql.DB
	keys *secret.Keys
	// Now is the clock; tests set it to make reports deterministic.
	Now func() time.Time

	shelterCache shelterCache
	requestBatch requestBatch
	checkpoints  checkpointer
	retention    atomic.Pointer[flows.Retention]
	// stateTTL is the conversation state's lifetime (SetStateTTL).
	stateTTL atomic.Int64
}

// uriPath escapes what SQLite would read as the end of a URI filename's
// path: an unescaped "#" or "?" in a directory name would silently open
// another file.
var uriPath = strings.NewReplacer("%", "%25", "?", "%3f", "#", "%23")

// Open opens (creating if needed) the SQLite database at path, in WAL mode
// with a busy timeout and foreign keys, applies pending migrations, and
// checks that keys is the key the database was created with.
func Open(ctx context.Context, path string, keys *secret.Keys) (*DB, error) {
	if err := ownerOnly(path); err != nil {
		return nil, err
	}
	q := url.Values{}
	q.Set("_journal_mode", "WAL")
	q.Set("_busy_timeout", "10000")
	q.Set("_foreign_keys", "on")
	q.Set("_synchronous", "NORMAL")
	q.Set("_txlock", "immediate")
	// Deleted and overwritten rows are zeroed, so what a person erased
	// (/borrar) or retention purged does not linger in free pages.
	q.Set("_secure_delete", "on")
	db, err := sql.Open("sqlite3", "file:"+uriPath.Replace(path)+"?"+q.Encode())
	if err != nil {
		return nil, fmt.Errorf("open %s: %w", path, err)
	}
	// Keep as many idle connections as the bot has workers by default
	// and more: database/sql keeps 2, so under load every burst of
	// requests closed and reopened connections (each a file open and
	// the pragmas above).
	db.SetMaxIdleConns(16)
	if err := db.PingContext(ctx); err != nil {
		db.Close()
		return nil, fmt.Errorf("open %s: %w", path, err)
	}
	s := &DB{db: db, keys: keys, Now: time.Now}
	if err := s.migrate(ctx); err != nil {
		db.Close()
		return nil, err
	}
	if err := s.ensureRollups(ctx); err != nil {
		db.Close()
		return nil, err
	}
	if err := s.checkKey(ctx); err != nil {
		db.Close()
		return nil, err
	}
	if err := s.loadHashKey(ctx); err != nil {
		db.Close()
		return nil, err
	}
	if err := s.seedShelterDirectory(ctx); err != nil {
		db.Close()
		return nil, err
	}
	if err := s.seedReferenceDirectory(ctx); err != nil {
		db.Close()
		return nil, err
	}
	s.startCheckpoints()
	return s, nil
}

// ownerOnly creates the database file readable and writable by its owner
// alone (0600) before SQLite opens it, which would create it 0644: SQLite
// gives the -wal and -shm files it creates the database file's mode, so
// they are 0600 too. A database (or -wal, -shm) that exists with access
// for others is narrowed to 0600: it holds keyed hashes and sealed values
// only, but nobody else on the host needs to read even those.
func ownerOnly(path string) error {
	if path == "" || path == ":memory:" || strings.HasPrefix(path, "file:") {
		return nil
	}
	f, err := os.OpenFile(path, os.O_RDWR|os.O_CREATE, 0o600)
	if err != nil {
		return fmt.Errorf("open %s: %w", path, err)
	}
	f.Close()
	for _, p := range []string{path, path + "-wal", path + "-shm"} {
		st, err := os.Stat(p)
		if err != nil {
			continue // no -wal or -shm yet
		}
		if st.Mode().Perm()&0o077 != 0 {
			if err := os.Chmod(p, st.Mode().Perm()&0o700); err != nil {
				return fmt.Errorf("make %s private: %w", p, err)
			}
		}
	}
	return nil
}

func (s *DB) migrate(ctx context.Context) error {
	sub, err := fs.Sub(migrations, "migrations")
	if err != nil {
		return err
	}
	p, err := goose.NewProvider(goose.DialectSQLite3, s.db, sub, goose.WithAllowOutofOrder(true),
		goose.WithGoMigrations(rowBoundMigration(s.keys)))
	if err != nil {
		return fmt.Errorf("migrations: %w", err)
	}
	if _, err := p.Up(ctx); err != nil {
		if errors.Is(err, ErrWrongKey) {
			return ErrWrongKey
		}
		return fmt.Errorf("migrate: %w", err)
	}
	return nil
}

// checkKey stores the data key's check value in a new database and
// compares it in an existing one.
func (s *DB) checkKey(ctx context.Context) error {
	want := s.keys.Check()
	var got string
	err := s.db.QueryRowContext(ctx, `SELECT value FROM meta WHERE key = 'key_check'`).Scan(&got)
	switch {
	case errors.Is(err, sql.ErrNoRows):
		_, err = s.db.ExecContext(ctx, `INSERT INTO meta(key, value) VALUES ('key_check', ?)`, want)
		return err
	case err != nil:
		return fmt.Errorf("read key check: %w", err)
	case got != want:
		return ErrWrongKey
	}
	return nil
}

// Close closes the database.
func (s *DB) Close() error {
	s.stopCheckpoints()
	s.requestBatch.drop()
	return s.db.Close()
}

// Ping reports whether the database answers a query on its own tables (a
// bare ping only finds a pooled connection, even when the file has become
// unreadable).
func (s *DB) Ping(ctx context.Context) error {
	var n int
	return s.db.QueryRowContext(ctx, `SELECT count(*) FROM meta WHERE key = 'key_check'`).Scan(&n)
}

// SQL returns the underlying database, for packages that read reports.
func (s *DB) SQL() *sql.DB { return s.db }

// Keys returns the data keys the store seals with.
func (s *DB) Keys() *secret.Keys { return s.keys }

// tx runs fn in one transaction, committing if it returns nil.
func (s *DB) tx(ctx context.Context, fn func(*sql.Tx) error) error {
	tx, err := s.db.BeginTx(ctx, nil)
	if err != nil {
		return fmt.Errorf("begin: %w", err)
	}
	if err := fn(tx); err != nil {
		tx.Rollback()
		return err
	}
	if err := tx.Commit(); err != nil {
		return fmt.Errorf("commit: %w", err)
	}
	return nil
}

// millis is how times are stored: Unix milliseconds, UTC.
func millis(t time.Time) int64 { return t.UnixMilli() }

func fromMillis(ms int64) time.Time { return time.UnixMilli(ms).UTC() }

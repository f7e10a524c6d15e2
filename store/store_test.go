package store

import (
	"context"
	"errors"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/acercate/acercate/flows"
	"github.com/acercate/acercate/secret"
)

// openTest opens a store in a new temporary file.
func openTest(t testing.TB) *DB {
	t.Helper()
	keys, err := secret.Parse(secret.Generate())
	if err != nil {
		t.Fatal(err)
	}
	db, err := Open(context.Background(), filepath.Join(t.TempDir(), "acercate.db"), keys)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	return db
}

func TestOpenUsesWAL(t *testing.T) {
	db := openTest(t)
	var mode string
	if err := db.db.QueryRow(`PRAGMA journal_mode`).Scan(&mode); err != nil || mode != "wal" {
		t.Fatalf("journal_mode = %q, %v; want wal", mode, err)
	}
	var fk int
	if err := db.db.QueryRow(`PRAGMA foreign_keys`).Scan(&fk); err != nil || fk != 1 {
		t.Fatalf("foreign_keys = %d, %v", fk, err)
	}
}

func TestWrongKeyIsRefused(t *testing.T) {
	ctx := context.Background()
	path := filepath.Join(t.TempDir(), "acercate.db")
	a, _ := secret.Parse(secret.Generate())
	b, _ := secret.Parse(secret.Generate())
	db, err := Open(ctx, path, a)
	if err != nil {
		t.Fatal(err)
	}
	db.Close()
	if _, err := Open(ctx, path, b); !errors.Is(err, ErrWrongKey) {
		t.Fatalf("Open with another key = %v, want ErrWrongKey", err)
	}
	db, err = Open(ctx, path, a)
	if err != nil {
		t.Fatalf("reopen with the right key: %v", err)
	}
	db.Close()
}

func TestLogRequestIsIdempotent(t *testing.T) {
	db := openTest(t)
	ctx := context.Background()
	r := flows.Request{UpdateID: 7, At: time.Date(2026, 11, 16, 10, 0, 0, 0, time.UTC), Person: "p1",
		Kind: "text", Flow: "rights", Topic: "comar", Lang: "ht", Campaign: "feria", Channel: "web"}
	for i := 0; i < 3; i++ {
		if err := db.LogRequest(ctx, r); err != nil {
			t.Fatal(err)
		}
	}
	other := r
	other.Person = "p2"
	if err := db.LogRequest(ctx, other); err != nil {
		t.Fatal(err)
	}
	got, err := db.Requests(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if len(got) != 2 || got[0] != r {
		t.Fatalf("requests = %+v, want the row once per person", got)
	}
}

// A "#", "?" or "%" in the path is part of the file's name, not the end of
// a URI: two databases whose paths differ only after one must be two files.
func TestOpenOddPaths(t *testing.T) {
	dir := t.TempDir()
	for _, name := range []string{"a#1", "a#2", "b?x=1", "c%23"} {
		keys, err := secret.Parse(secret.Generate())
		if err != nil {
			t.Fatal(err)
		}
		path := filepath.Join(dir, name, "acercate.db")
		if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
			t.Fatal(err)
		}
		db, err := Open(context.Background(), path, keys)
		if err != nil {
			t.Fatalf("%s: %v", name, err)
		}
		db.Close()
		if _, err := os.Stat(path); err != nil {
			t.Fatalf("%s: the database is not where it was asked to be: %v", name, err)
		}
	}
}

// TestPingQueriesTheDatabase: /readyz asks the database a question of its
// own tables, so a file that is no longer Acércate's database (replaced,
// restored wrong) turns it red, not only a missing connection.
func TestPingQueriesTheDatabase(t *testing.T) {
	db := openTest(t)
	ctx := context.Background()
	if err := db.Ping(ctx); err != nil {
		t.Fatalf("ping a good database: %v", err)
	}
	if _, err := db.db.ExecContext(ctx, `DROP TABLE meta`); err != nil {
		t.Fatal(err)
	}
	if err := db.Ping(ctx); err == nil {
		t.Fatal("ping of a database without its tables succeeded")
	}
}

// The database and its -wal and -shm files are the owner's alone (0600),
// whatever the umask, and a database left readable by others from before
// is narrowed when opened.
func TestDatabaseFilesAreOwnerOnly(t *testing.T) {
	ctx := context.Background()
	keys, _ := secret.Parse(secret.Generate())
	dir := t.TempDir()
	path := filepath.Join(dir, "acercate.db")
	db, err := Open(ctx, path, keys)
	if err != nil {
		t.Fatal(err)
	}
	if err := db.LogRequest(ctx, flows.Request{UpdateID: 1, At: time.Now(), Person: "p", Kind: "text"}); err != nil {
		t.Fatal(err)
	}
	for _, p := range []string{path, path + "-wal", path + "-shm"} {
		st, err := os.Stat(p)
		if err != nil {
			t.Fatalf("%s: %v", p, err)
		}
		if st.Mode().Perm() != 0o600 {
			t.Errorf("%s is %v, want -rw-------", filepath.Base(p), st.Mode().Perm())
		}
	}
	db.Close()

	old := filepath.Join(dir, "old.db")
	if err := os.WriteFile(old, nil, 0o644); err != nil {
		t.Fatal(err)
	}
	os.Chmod(old, 0o644)
	db, err = Open(ctx, old, keys)
	if err != nil {
		t.Fatal(err)
	}
	db.Close()
	if st, _ := os.Stat(old); st.Mode().Perm() != 0o600 {
		t.Errorf("an existing 0644 database is still %v", st.Mode().Perm())
	}
}

package store

import (
	"context"
	"crypto/rand"
	"database/sql"
	"encoding/hex"
	"errors"
	"fmt"
	"time"
)

// A Lease is held by at most one process at a time, across every process
// that shares the database: the staff desk takes one, named "desk", so
// that two `acercate serve` running side by side during a deploy do not
// both announce a ticket or deliver a relay. Any other job that must run
// once (the weekly report's delivery has its own claim per week) may take
// one under its own name.
type Lease struct {
	db    *DB
	name  string
	owner string
	ttl   time.Duration
}

// Lease returns the lease name as held by owner, for ttl after each
// Acquire. Owners must differ between processes (NewLeaseOwner).
func (s *DB) Lease(name, owner string, ttl time.Duration) *Lease {
	return &Lease{db: s, name: name, owner: owner, ttl: ttl}
}

// NewLeaseOwner returns a random owner id, one per process.
func NewLeaseOwner() string {
	b := make([]byte, 8)
	rand.Read(b)
	return hex.EncodeToString(b)
}

// Owner is the id the lease is held under.
func (l *Lease) Owner() string { return l.owner }

// Acquire takes the lease, or renews it, until now+ttl. It returns false
// while another owner holds it unexpired. Taking and renewing are one
// statement, so of several processes asking at once exactly one wins.
func (l *Lease) Acquire(ctx context.Context, now time.Time) (bool, error) {
	res, err := l.db.db.ExecContext(ctx, `INSERT INTO leases (name, owner, expires_at) VALUES (?1, ?2, ?3)
		ON CONFLICT (name) DO UPDATE SET owner = excluded.owner, expires_at = excluded.expires_at
		WHERE leases.owner = excluded.owner OR leases.expires_at <= ?4`,
		l.name, l.owner, millis(now.Add(l.ttl)), millis(now))
	if err != nil {
		return false, fmt.Errorf("lease %s: %w", l.name, err)
	}
	n, err := res.RowsAffected()
	if err != nil {
		return false, fmt.Errorf("lease %s: %w", l.name, err)
	}
	return n == 1, nil
}

// Release gives the lease up, if this owner holds it, so another process
// takes it at once instead of after the ttl (a clean shutdown).
func (l *Lease) Release(ctx context.Context) error {
	if _, err := l.db.db.ExecContext(ctx, `DELETE FROM leases WHERE name = ? AND owner = ?`, l.name, l.owner); err != nil {
		return fmt.Errorf("release lease %s: %w", l.name, err)
	}
	return nil
}

// LeaseHolder returns who holds a lease and until when; ok is false when
// nobody does (never taken, or released).
func (s *DB) LeaseHolder(ctx context.Context, name string) (owner string, until time.Time, ok bool, err error) {
	var ms int64
	err = s.db.QueryRowContext(ctx, `SELECT owner, expires_at FROM leases WHERE name = ?`, name).Scan(&owner, &ms)
	if errors.Is(err, sql.ErrNoRows) {
		return "", time.Time{}, false, nil
	}
	if err != nil {
		return "", time.Time{}, false, fmt.Errorf("lease %s: %w", name, err)
	}
	return owner, fromMillis(ms), true, nil
}

package store

import (
	"context"
	"path/filepath"
	"sync"
	"testing"
	"time"

	"github.com/acercate/acercate/secret"
)

func TestLeaseOneHolderAtATime(t *testing.T) {
	keys, err := secret.Parse(secret.Generate())
	if err != nil {
		t.Fatal(err)
	}
	path := filepath.Join(t.TempDir(), "acercate.db")
	ctx := context.Background()
	open := func() *DB {
		db, err := Open(ctx, path, keys)
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { db.Close() })
		return db
	}
	// Two processes on one file, asking at the same moment: one wins.
	dbA, dbB := open(), open()
	a := dbA.Lease("desk", "a", 30*time.Second)
	b := dbB.Lease("desk", "b", 30*time.Second)
	now := ticketT0
	var wg sync.WaitGroup
	got := make([]bool, 2)
	for i, l := range []*Lease{a, b} {
		wg.Add(1)
		go func() {
			defer wg.Done()
			ok, err := l.Acquire(ctx, now)
			if err != nil {
				t.Error(err)
			}
			got[i] = ok
		}()
	}
	wg.Wait()
	if got[0] == got[1] {
		t.Fatalf("acquired: a=%v b=%v, want exactly one", got[0], got[1])
	}
	holder, other := a, b
	if got[1] {
		holder, other = b, a
	}
	// The holder renews; the other keeps waiting while it does.
	for i := 0; i < 3; i++ {
		now = now.Add(20 * time.Second)
		if ok, err := holder.Acquire(ctx, now); !ok || err != nil {
			t.Fatalf("renew at %v: %v %v", now, ok, err)
		}
		if ok, err := other.Acquire(ctx, now); ok || err != nil {
			t.Fatalf("the other took a renewed lease at %v: %v %v", now, ok, err)
		}
	}
	owner, until, ok, err := dbA.LeaseHolder(ctx, "desk")
	if err != nil || !ok || owner != holder.Owner() || !until.Equal(now.Add(30*time.Second)) {
		t.Fatalf("holder = %q until %v (%v, %v)", owner, until, ok, err)
	}
	// The holder stops renewing: once it expired, the other takes it.
	if ok, _ := other.Acquire(ctx, now.Add(29*time.Second)); ok {
		t.Fatal("taken before it expired")
	}
	now = now.Add(30 * time.Second)
	if ok, err := other.Acquire(ctx, now); !ok || err != nil {
		t.Fatalf("not taken over after expiry: %v %v", ok, err)
	}
	if ok, _ := holder.Acquire(ctx, now); ok {
		t.Fatal("the old holder took it back")
	}
	// Released, it is free at once; another name is another lease.
	if err := other.Release(ctx); err != nil {
		t.Fatal(err)
	}
	if _, _, ok, _ := dbA.LeaseHolder(ctx, "desk"); ok {
		t.Fatal("held after release")
	}
	if ok, _ := holder.Acquire(ctx, now); !ok {
		t.Fatal("not free after release")
	}
	if ok, _ := dbB.Lease("report", "b", time.Minute).Acquire(ctx, now); !ok {
		t.Fatal("another name's lease taken by the desk's")
	}
	// Releasing what another holds changes nothing.
	if err := other.Release(ctx); err != nil {
		t.Fatal(err)
	}
	if owner, _, ok, _ := dbA.LeaseHolder(ctx, "desk"); !ok || owner != holder.Owner() {
		t.Fatalf("holder after a stranger's release: %q %v", owner, ok)
	}
}

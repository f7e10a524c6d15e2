package localredis

import (
	"context"
	"testing"
	"time"
)

func TestEmbeddedTTLsExpireWithTheWallClock(t *testing.T) {
	srv, err := Start()
	if err != nil {
		t.Fatal(err)
	}
	defer srv.Close()
	ctx := context.Background()
	rdb, err := Connect(ctx, srv.URL())
	if err != nil {
		t.Fatal(err)
	}
	defer rdb.Close()
	if err := rdb.Set(ctx, "k", "v", time.Second).Err(); err != nil {
		t.Fatal(err)
	}
	// The ticker advances the clock every second: the key must be gone
	// within a few ticks without anybody calling FastForward.
	deadline := time.Now().Add(10 * time.Second)
	for rdb.Exists(ctx, "k").Val() == 1 {
		if time.Now().After(deadline) {
			t.Fatal("key with a 1 s TTL still exists after 10 s")
		}
		time.Sleep(100 * time.Millisecond)
	}
}

func TestCleanRemovesOnlyThePrefix(t *testing.T) {
	r := ForTest(t, "")
	ctx := context.Background()
	for _, k := range []string{r.Prefix + "a", r.Prefix + "b", "other"} {
		r.Client.Set(ctx, k, "1", 0)
	}
	if err := Clean(ctx, r.Client, r.Prefix); err != nil {
		t.Fatal(err)
	}
	if n := r.Client.Exists(ctx, r.Prefix+"a", r.Prefix+"b").Val(); n != 0 {
		t.Fatalf("%d prefixed keys left", n)
	}
	if r.Client.Exists(ctx, "other").Val() != 1 {
		t.Fatal("a key outside the prefix was deleted")
	}
}

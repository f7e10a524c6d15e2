// Package apptest builds a complete Acércate for tests: the real engine and
// flows, a temporary SQLite file, and Redis — the real one when REDIS_URL is
// set (CI), under a key prefix of the test's own that is deleted afterwards,
// or an embedded one otherwise. Time comes from a clock the test moves.
package apptest

import (
	"context"
	"io"
	"log/slog"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/acercate/acercate/app"
	"github.com/acercate/acercate/flows"
	"github.com/acercate/acercate/localredis"
	"github.com/acercate/acercate/secret"
	"github.com/acercate/acercate/store"
)

// Clock is a settable clock, safe for concurrent use.
type Clock struct {
	mu sync.Mutex
	t  time.Time
}

// Start is when every test's clock starts: Monday 16 November 2026, 10:00
// in Tapachula (America/Mexico_City, UTC−6).
var Start = time.Date(2026, 11, 16, 16, 0, 0, 0, time.UTC)

// Now returns the clock's time.
func (c *Clock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.t
}

// Advance moves the clock forward.
func (c *Clock) Advance(d time.Duration) {
	c.mu.Lock()
	c.t = c.t.Add(d)
	c.mu.Unlock()
}

// Set sets the clock.
func (c *Clock) Set(t time.Time) {
	c.mu.Lock()
	c.t = t
	c.mu.Unlock()
}

// Env is a running Acércate for one test.
type Env struct {
	*app.App
	Clock  *Clock
	Redis  *localredis.Test
	Keys   *secret.Keys
	DBPath string
	cfg    app.Config
}

// Option changes the configuration before the app opens.
type Option func(*app.Config)

// WithEngine sets engine options (flood limits, for one).
func WithEngine(ec flows.Config) Option { return func(c *app.Config) { c.Engine = ec } }

// New opens an Acércate for t, closed when t ends.
func New(t testing.TB, opts ...Option) *Env {
	t.Helper()
	r := localredis.ForTest(t, os.Getenv("REDIS_URL"))
	url := os.Getenv("REDIS_URL")
	if r.Embedded != nil {
		url = r.Embedded.URL()
	}
	keys, err := secret.Parse(secret.Generate())
	if err != nil {
		t.Fatal(err)
	}
	clock := &Clock{t: Start}
	cfg := app.Config{
		RedisURL:    url,
		RedisPrefix: r.Prefix,
		DBPath:      filepath.Join(t.TempDir(), "acercate.db"),
		Keys:        keys,
		Now:         clock.Now,
		Logger:      slog.New(slog.NewTextHandler(io.Discard, nil)),
	}
	for _, o := range opts {
		o(&cfg)
	}
	e := &Env{Clock: clock, Redis: r, Keys: keys, DBPath: cfg.DBPath, cfg: cfg}
	e.open(t)
	return e
}

func (e *Env) open(t testing.TB) {
	t.Helper()
	a, err := app.Open(context.Background(), e.cfg)
	if err != nil {
		t.Fatal(err)
	}
	e.App = a
	t.Cleanup(func() { a.Close() })
}

// Restart closes the app and opens a new one on the same Redis and
// database, as a process restart would.
func (e *Env) Restart(t testing.TB) {
	t.Helper()
	e.App.Close()
	e.open(t)
}

// Advance moves time forward for the whole service: the clock, and Redis's
// own clock, so keys whose TTL passed expire as they would in production.
// The embedded Redis is fast-forwarded; on a real Redis (REDIS_URL) every
// key of the test's prefix has its TTL shortened by d, or is deleted when
// that leaves nothing.
func (e *Env) Advance(t testing.TB, d time.Duration) {
	t.Helper()
	e.Clock.Advance(d)
	if e.Redis.Embedded != nil {
		e.Redis.Embedded.FastForward(d)
		return
	}
	ctx := context.Background()
	rdb := e.Redis.Client
	iter := rdb.Scan(ctx, 0, e.Redis.Prefix+"*", 500).Iterator()
	for iter.Next(ctx) {
		key := iter.Val()
		ttl, err := rdb.PTTL(ctx, key).Result()
		if err != nil {
			t.Fatalf("advance: PTTL: %v", err)
		}
		if ttl < 0 {
			continue // no TTL (-1) or gone meanwhile (-2)
		}
		if left := ttl - d; left > 0 {
			err = rdb.PExpire(ctx, key, left).Err()
		} else {
			err = rdb.Del(ctx, key).Err()
		}
		if err != nil {
			t.Fatalf("advance: %v", err)
		}
	}
	if err := iter.Err(); err != nil {
		t.Fatalf("advance: scan: %v", err)
	}
}

// Second opens another app sharing this one's Redis and database, as a
// second replica would.
func (e *Env) Second(t testing.TB) *app.App {
	t.Helper()
	a, err := app.Open(context.Background(), e.cfg)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { a.Close() })
	return a
}

// KnownCodes adds the campaigns ("c-feria") and módulos ("m-tapachula")
// a test's /start links use: the engine counts only codes that exist.
func (e *Env) KnownCodes(t testing.TB, codes ...string) {
	t.Helper()
	ctx := context.Background()
	for _, c := range codes {
		var err error
		switch {
		case strings.HasPrefix(c, "c-"):
			err = e.Store.AddCampaign(ctx, store.Campaign{Code: c[2:], Name: c[2:]})
		case strings.HasPrefix(c, "m-"):
			err = e.Store.AddModulo(ctx, store.Modulo{Code: c[2:], Name: c[2:]})
		default:
			t.Fatalf("KnownCodes: %q is no c- or m- code", c)
		}
		if err != nil {
			t.Fatal(err)
		}
	}
}

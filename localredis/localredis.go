// Package localredis provides Redis for the no-configuration default
// (`acercate chat`, `serve` without REDIS_URL) and for tests: an embedded,
// in-process server (miniredis, a maintained Redis implementation that
// speaks the real protocol, including Lua and GEO), or the real Redis that
// REDIS_URL names.
package localredis

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"fmt"
	"sync"
	"testing"
	"time"

	"github.com/alicebob/miniredis/v2"
	"github.com/redis/go-redis/v9"
)

// Server is an embedded Redis. miniredis only expires keys when its clock
// is advanced, so Server advances it with the wall clock every tick: idle
// chats' states really expire, as they would in Redis.
type Server struct {
	mr   *miniredis.Miniredis
	stop chan struct{}
	done sync.WaitGroup
}

// Start starts an embedded Redis on a free loopback port.
func Start() (*Server, error) {
	mr := miniredis.NewMiniRedis()
	if err := mr.StartAddr("127.0.0.1:0"); err != nil {
		return nil, fmt.Errorf("embedded redis: %w", err)
	}
	s := &Server{mr: mr, stop: make(chan struct{})}
	s.done.Add(1)
	go s.tick(time.Second)
	return s, nil
}

func (s *Server) tick(every time.Duration) {
	defer s.done.Done()
	t := time.NewTicker(every)
	defer t.Stop()
	last := time.Now()
	for {
		select {
		case <-s.stop:
			return
		case now := <-t.C:
			s.mr.FastForward(now.Sub(last))
			s.mr.SetTime(now)
			last = now
		}
	}
}

// Addr is the server's host:port.
func (s *Server) Addr() string { return s.mr.Addr() }

// URL is the server's redis:// URL.
func (s *Server) URL() string { return "redis://" + s.mr.Addr() }

// Restart stops and restarts the server on the same address, keeping its
// data, as a Redis restart would for clients.
func (s *Server) Restart() error { return s.mr.Restart() }

// Pause stops the server listening (clients see a Redis that is down),
// keeping its data until Restart.
func (s *Server) Pause() { s.mr.Close() }

// FastForward moves the server's clock, expiring keys whose TTL passed.
func (s *Server) FastForward(d time.Duration) { s.mr.FastForward(d) }

// Close stops the server.
func (s *Server) Close() {
	close(s.stop)
	s.done.Wait()
	s.mr.Close()
}

// Connect returns a client for url.
func Connect(ctx context.Context, url string) (*redis.Client, error) {
	opt, err := redis.ParseURL(url)
	if err != nil {
		return nil, fmt.Errorf("REDIS_URL: %w", err)
	}
	rdb := redis.NewClient(opt)
	if err := rdb.Ping(ctx).Err(); err != nil {
		rdb.Close()
		return nil, fmt.Errorf("redis %s: %w", opt.Addr, err)
	}
	return rdb, nil
}

// Test is a Redis for one test: the real one at REDIS_URL when it is set
// (CI), with a key prefix of the test's own that is cleaned up afterwards,
// or an embedded one otherwise.
type Test struct {
	Client *redis.Client
	// Prefix is the key prefix the test must use.
	Prefix string
	// Embedded is the embedded server, nil when REDIS_URL is used.
	Embedded *Server
}

// ForTest returns a Redis for t, closed and cleaned when t ends.
func ForTest(t testing.TB, realURL string) *Test {
	t.Helper()
	ctx := context.Background()
	prefix := "acercate-test:" + randomHex() + ":"
	if realURL != "" {
		rdb, err := Connect(ctx, realURL)
		if err != nil {
			t.Fatalf("REDIS_URL is set but Redis does not answer: %v", err)
		}
		t.Cleanup(func() {
			Clean(context.Background(), rdb, prefix)
			rdb.Close()
		})
		return &Test{Client: rdb, Prefix: prefix}
	}
	srv, err := Start()
	if err != nil {
		t.Fatal(err)
	}
	rdb := redis.NewClient(&redis.Options{Addr: srv.Addr()})
	t.Cleanup(func() {
		rdb.Close()
		srv.Close()
	})
	return &Test{Client: rdb, Prefix: prefix, Embedded: srv}
}

// Clean deletes every key under prefix.
func Clean(ctx context.Context, rdb redis.UniversalClient, prefix string) error {
	iter := rdb.Scan(ctx, 0, prefix+"*", 500).Iterator()
	var batch []string
	for iter.Next(ctx) {
		batch = append(batch, iter.Val())
		if len(batch) == 500 {
			if err := rdb.Del(ctx, batch...).Err(); err != nil {
				return err
			}
			batch = batch[:0]
		}
	}
	if len(batch) > 0 {
		if err := rdb.Del(ctx, batch...).Err(); err != nil {
			return err
		}
	}
	return iter.Err()
}

func randomHex() string {
	b := make([]byte, 6)
	rand.Read(b)
	return hex.EncodeToString(b)
}

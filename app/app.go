// Package app wires Acércate together — keys, Redis (embedded or real),
// the SQLite store, the engine and its flows — once, for the commands in
// cmd/acercate and for end-to-end tests.
package app

import (
	"context"
	"fmt"
	"log/slog"
	"time"

	"github.com/acercate/acercate/flows"
	"github.com/acercate/acercate/locales"
	"github.com/acercate/acercate/localredis"
	"github.com/acercate/acercate/secret"
	"github.com/acercate/acercate/store"
	"github.com/redis/go-redis/v9"
)

// Config is what the wiring needs. Commands fill it from env and flags.
type Config struct {
	// RedisURL is the Redis to keep state in; "" starts an embedded one.
	RedisURL string
	// RedisPrefix namespaces every key ("acercate:").
	RedisPrefix string
	// DBPath is the SQLite file.
	DBPath string
	Keys   *secret.Keys
	// StateTTL is how long an idle chat's state is kept (72 h).
	StateTTL time.Duration
	// Now is the clock (time.Now).
	Now    func() time.Time
	Logger *slog.Logger
	// Retention is how long records are kept (zero fields: the store's
	// defaults); /privacidad tells it and purges apply it.
	Retention flows.Retention
	// Engine tunes the engine; its Now and Logger default to the above.
	Engine flows.Config
}

// App is a wired Acércate.
type App struct {
	Engine *flows.Engine
	Store  *store.DB
	Redis  *redis.Client
	// RedisPrefix namespaces every key (Config.RedisPrefix).
	RedisPrefix string
	// Embedded is the embedded Redis, nil when RedisURL was given.
	Embedded *localredis.Server
}

// Open wires everything. With no RedisURL it starts an embedded Redis and
// warns, once, that state will not survive the process.
func Open(ctx context.Context, cfg Config) (*App, error) {
	if cfg.Now == nil {
		cfg.Now = time.Now
	}
	if cfg.Logger == nil {
		cfg.Logger = slog.Default()
	}
	if cfg.StateTTL == 0 {
		cfg.StateTTL = 72 * time.Hour
	}
	if cfg.RedisPrefix == "" {
		cfg.RedisPrefix = "acercate:"
	}
	a := &App{RedisPrefix: cfg.RedisPrefix}
	ok := false
	defer func() {
		if !ok {
			a.Close()
		}
	}()
	url := cfg.RedisURL
	if url == "" {
		srv, err := localredis.Start()
		if err != nil {
			return nil, err
		}
		a.Embedded = srv
		url = srv.URL()
		cfg.Logger.Warn("REDIS_URL is not set: using an embedded Redis; conversation state is lost when the process stops", "component", "app")
	}
	rdb, err := localredis.Connect(ctx, url)
	if err != nil {
		return nil, err
	}
	a.Redis = rdb
	db, err := store.Open(ctx, cfg.DBPath, cfg.Keys)
	if err != nil {
		return nil, err
	}
	db.Now = cfg.Now
	db.SetRetention(cfg.Retention)
	db.SetStateTTL(cfg.StateTTL)
	a.Store = db
	bundle, err := locales.Bundle()
	if err != nil {
		return nil, err
	}
	cat := flows.NewCatalog(bundle, locales.Shipped, locales.Tag)
	ecfg := cfg.Engine
	if ecfg.Now == nil {
		ecfg.Now = cfg.Now
	}
	if ecfg.Logger == nil {
		ecfg.Logger = cfg.Logger
	}
	// The store's keys hash with the hash key kept in the database, which
	// survives a rotation of the data key (store/rekey.go).
	st := flows.NewStore(rdb, db.Keys(), cfg.RedisPrefix, cfg.StateTTL)
	eng, err := flows.New(ecfg, st, cat, db.Keys(), db.Deps(), flows.Builtin())
	if err != nil {
		return nil, fmt.Errorf("engine: %w", err)
	}
	a.Engine = eng
	ok = true
	return a, nil
}

// Close releases everything Open acquired.
func (a *App) Close() error {
	if a.Redis != nil {
		a.Redis.Close()
	}
	if a.Store != nil {
		a.Store.Close()
	}
	if a.Embedded != nil {
		a.Embedded.Close()
	}
	return nil
}

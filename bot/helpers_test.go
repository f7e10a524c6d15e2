package bot_test

import (
	"context"
	"io"
	"log/slog"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/acercate/acercate/apptest"
	"github.com/acercate/acercate/bot"
	"github.com/acercate/acercate/bot/telegramtest"
	"github.com/acercate/acercate/flows"
)

// harness is a bot wired to a real engine (apptest: real Redis when
// REDIS_URL is set, a temp SQLite file) and a fake Telegram server.
type harness struct {
	t    testing.TB
	tg   *telegramtest.Server
	env  *apptest.Env
	bot  *bot.Bot
	logs *apptest.LogBuffer
	cfg  bot.Config
}

func newHarness(t testing.TB, edit func(*bot.Config)) *harness {
	t.Helper()
	return newHarnessWith(t, flows.Config{FloodRate: 1000, FloodBurst: 1000}, edit)
}

// newHarnessWith is newHarness with the engine's configuration (its flood
// limit, its staff groups) given.
func newHarnessWith(t testing.TB, eng flows.Config, edit func(*bot.Config)) *harness {
	t.Helper()
	h := &harness{t: t, tg: telegramtest.New(t), logs: &apptest.LogBuffer{}}
	h.env = apptest.New(t, apptest.WithEngine(eng))
	h.cfg = bot.Config{
		Token: h.tg.Token, APIURL: h.tg.APIURL(), Engine: h.env.Engine,
		Redis: h.env.App.Redis, RedisPrefix: h.env.Redis.Prefix, Keys: h.env.Keys, Blocked: h.env.Store,
		PollTimeout: 2 * time.Second, Backoff: 10 * time.Millisecond, MaxBackoff: 200 * time.Millisecond,
		Logger: slog.New(slog.NewJSONHandler(io.MultiWriter(h.logs), &slog.HandlerOptions{Level: slog.LevelDebug})),
		Now:    h.env.Clock.Now,
	}
	if edit != nil {
		edit(&h.cfg)
	}
	h.open()
	return h
}

func (h *harness) open() {
	h.t.Helper()
	b, err := bot.New(context.Background(), h.cfg)
	if err != nil {
		h.t.Fatal(err)
	}
	h.bot = b
}

// run runs the bot until the returned stop is called (or the test ends).
func (h *harness) run() (stop func()) {
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- h.bot.Run(ctx) }()
	var once sync.Once
	stop = func() {
		once.Do(func() {
			cancel()
			select {
			case err := <-done:
				if err != nil {
					h.t.Errorf("run: %v", err)
				}
			case <-time.After(20 * time.Second):
				h.t.Errorf("bot did not stop")
			}
		})
	}
	h.t.Cleanup(stop)
	return stop
}

// waitFor polls cond until it holds, failing the test after d.
func waitFor(t testing.TB, d time.Duration, what string, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(d)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatalf("timed out waiting for %s", what)
		}
		time.Sleep(5 * time.Millisecond)
	}
}

// settled waits until the server has no unconfirmed update.
func (h *harness) settled(what string) {
	h.t.Helper()
	waitFor(h.t, 20*time.Second, what, func() bool { return h.tg.Pending() == 0 })
}

func texts(ms []telegramtest.Message) []string {
	var out []string
	for _, m := range ms {
		out = append(out, m.Text)
	}
	return out
}

func lastText(ms []telegramtest.Message) string {
	if len(ms) == 0 {
		return ""
	}
	return ms[len(ms)-1].Text
}

func contains(ms []telegramtest.Message, sub string) bool {
	for _, m := range ms {
		if strings.Contains(m.Text, sub) {
			return true
		}
	}
	return false
}

func discardLogger() *slog.Logger { return slog.New(slog.NewJSONHandler(io.Discard, nil)) }

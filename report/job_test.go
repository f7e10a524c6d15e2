package report

import (
	"bytes"
	"context"
	"errors"
	"image/png"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/acercate/acercate/secret"
	"github.com/acercate/acercate/store"
)

// fakeChat records what the job delivered.
type fakeChat struct {
	mu    sync.Mutex
	sent  []string // "text:<week line>", "photo:<name>", "document:<name>"
	fail  string   // a kind that fails while set
	chats map[int64]bool
}

func (f *fakeChat) record(chat int64, kind, what string) error {
	f.mu.Lock()
	defer f.mu.Unlock()
	if f.fail == kind {
		return errors.New("telegram: 502 bad gateway")
	}
	if f.chats == nil {
		f.chats = map[int64]bool{}
	}
	f.chats[chat] = true
	f.sent = append(f.sent, kind+":"+what)
	return nil
}

func (f *fakeChat) SendText(ctx context.Context, chat int64, text string) error {
	return f.record(chat, "text", strings.SplitN(text, "\n", 2)[0])
}

func (f *fakeChat) SendPhoto(ctx context.Context, chat int64, name string, data []byte, caption string) error {
	if _, err := png.Decode(bytes.NewReader(data)); err != nil {
		return err
	}
	return f.record(chat, "photo", name)
}

func (f *fakeChat) SendDocument(ctx context.Context, chat int64, name string, data []byte, caption string) error {
	if !strings.HasPrefix(string(data), "week,section,key,item,metric,value\n") {
		return errors.New("not the csv")
	}
	return f.record(chat, "document", name)
}

func (f *fakeChat) got() []string {
	f.mu.Lock()
	defer f.mu.Unlock()
	return append([]string(nil), f.sent...)
}

type clock struct {
	mu sync.Mutex
	t  time.Time
}

func (c *clock) Now() time.Time          { c.mu.Lock(); defer c.mu.Unlock(); return c.t }
func (c *clock) Set(t time.Time)         { c.mu.Lock(); c.t = t; c.mu.Unlock() }
func (c *clock) Advance(d time.Duration) { c.mu.Lock(); c.t = c.t.Add(d); c.mu.Unlock() }

func newJob(t *testing.T, db *store.DB, chat *fakeChat, clk *clock, owner string) *Job {
	return &Job{Source: db, Claims: db, Deliver: chat, Labels: NewLabels(catalog(t), "es"), Chat: -1001,
		Hour: 8, Now: clk.Now, Owner: owner}
}

// reopen opens the same database file again, as a restarted process or
// another replica does.
func reopen(t *testing.T, path string, keys *secret.Keys) *store.DB {
	t.Helper()
	db, err := store.Open(context.Background(), path, keys)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	return db
}

func TestWeeklyJobFiresOncePerWeekAcrossARestart(t *testing.T) {
	ctx := context.Background()
	keys, _ := secret.Parse(secret.Generate())
	path := filepath.Join(t.TempDir(), "acercate.db")
	clk := &clock{t: mx(2026, 11, 22, 23, 0)} // Sunday night
	chat := &fakeChat{}
	db := reopen(t, path, keys)
	job := newJob(t, db, chat, clk, "replica-a")

	step := func(j *Job) string {
		t.Helper()
		w, err := j.Step(ctx)
		if err != nil {
			t.Fatal(err)
		}
		return w
	}
	// The first run, on Sunday night, catches up the week before's summary
	// (due since last Monday), then waits.
	if w := step(job); w != "2026-W46" {
		t.Fatalf("first run on Sunday sent %q, want the missed 2026-W46", w)
	}
	if w := step(job); w != "" {
		t.Fatalf("sent %s on Sunday", w)
	}
	clk.Set(mx(2026, 11, 23, 7, 59))
	if w := step(job); w != "" {
		t.Fatalf("sent %s before 08:00", w)
	}
	clk.Set(mx(2026, 11, 23, 8, 0))
	if w := step(job); w != "2026-W47" {
		t.Fatalf("Monday 08:00 sent %q", w)
	}
	want := []string{"text:📊 Resumen semanal 2026-W47", "photo:acercate-2026-W47.png", "document:acercate-2026-W47.csv"}
	if got := chat.got()[3:]; strings.Join(got, "|") != strings.Join(want, "|") || !chat.chats[-1001] || len(chat.chats) != 1 {
		t.Fatalf("delivered %v to %v", got, chat.chats)
	}
	clk.Advance(time.Minute)
	if w := step(job); w != "" {
		t.Fatalf("sent %s twice", w)
	}

	// A restart: a new process on the same database, later that Monday.
	db.Close()
	db = reopen(t, path, keys)
	clk.Set(mx(2026, 11, 23, 9, 30))
	job = newJob(t, db, chat, clk, "replica-a-restarted")
	if w := step(job); w != "" {
		t.Fatalf("sent %s again after a restart", w)
	}
	clk.Set(mx(2026, 11, 27, 12, 0))
	if w := step(job); w != "" {
		t.Fatalf("sent %s again on Friday", w)
	}
	// The next Monday, week 48's.
	clk.Set(mx(2026, 11, 30, 8, 0))
	if w := step(job); w != "2026-W48" {
		t.Fatalf("next Monday sent %q", w)
	}
	if n := len(chat.got()); n != 9 {
		t.Fatalf("%d messages after three weeks, want 9: %v", n, chat.got())
	}
	d, ok, err := db.ReportDeliveryOf(ctx, "2026-W47")
	if err != nil || !ok || d.Attempts != 1 || d.Parts != 7 || d.Sent.IsZero() {
		t.Fatalf("W47 delivery = %+v %v %v", d, ok, err)
	}
}

func TestWeeklyJobDownOnMondaySendsLater(t *testing.T) {
	keys, _ := secret.Parse(secret.Generate())
	db := reopen(t, filepath.Join(t.TempDir(), "a.db"), keys)
	clk := &clock{t: mx(2026, 11, 25, 15, 0)} // first run on Wednesday
	chat := &fakeChat{}
	if w, err := newJob(t, db, chat, clk, "a").Step(context.Background()); err != nil || w != "2026-W47" {
		t.Fatalf("Wednesday catch-up: %q %v", w, err)
	}
}

func TestTwoReplicasSendOnce(t *testing.T) {
	keys, _ := secret.Parse(secret.Generate())
	path := filepath.Join(t.TempDir(), "acercate.db")
	clk := &clock{t: mx(2026, 11, 23, 8, 0)}
	chat := &fakeChat{}
	var jobs []*Job
	for _, owner := range []string{"a", "b", "c"} {
		jobs = append(jobs, newJob(t, reopen(t, path, keys), chat, clk, owner))
	}
	var wg sync.WaitGroup
	errs := make(chan error, 30)
	for round := 0; round < 10; round++ {
		for _, j := range jobs {
			wg.Add(1)
			go func(j *Job) {
				defer wg.Done()
				if _, err := j.Step(context.Background()); err != nil {
					errs <- err
				}
			}(j)
		}
		wg.Wait()
	}
	close(errs)
	for err := range errs {
		t.Error(err)
	}
	if got := chat.got(); len(got) != 3 {
		t.Fatalf("three replicas delivered %d messages, want 3: %v", len(got), got)
	}
}

func TestWeeklyJobRetriesOnlyWhatFailed(t *testing.T) {
	ctx := context.Background()
	keys, _ := secret.Parse(secret.Generate())
	path := filepath.Join(t.TempDir(), "acercate.db")
	clk := &clock{t: mx(2026, 11, 23, 8, 0)}
	chat := &fakeChat{fail: "photo"}
	a := newJob(t, reopen(t, path, keys), chat, clk, "a")
	b := newJob(t, reopen(t, path, keys), chat, clk, "b")
	if _, err := a.Step(ctx); err == nil || !strings.Contains(err.Error(), "send chart") {
		t.Fatalf("failed delivery: %v", err)
	}
	if w, err := b.Step(ctx); w != "" || err != nil {
		t.Fatalf("retried at once: %q %v", w, err)
	}
	chat.mu.Lock()
	chat.fail = ""
	chat.mu.Unlock()
	clk.Advance(5 * time.Minute)
	if w, err := b.Step(ctx); w != "2026-W47" || err != nil {
		t.Fatalf("retry by another replica: %q %v", w, err)
	}
	want := "text:📊 Resumen semanal 2026-W47|photo:acercate-2026-W47.png|document:acercate-2026-W47.csv"
	if got := strings.Join(chat.got(), "|"); got != want {
		t.Fatalf("delivered %s\nwant      %s", got, want)
	}
}

func TestDue(t *testing.T) {
	for _, tc := range []struct {
		at   time.Time
		week string
		due  bool
	}{
		{mx(2026, 11, 23, 7, 59), "2026-W47", false},
		{mx(2026, 11, 23, 8, 0), "2026-W47", true},
		{mx(2026, 11, 29, 23, 59), "2026-W47", true},
		{mx(2026, 11, 30, 0, 0), "2026-W48", false},
	} {
		w, due := Due(tc.at, 8)
		if w.String() != tc.week || due != tc.due {
			t.Errorf("Due(%v) = %s %v, want %s %v", tc.at, w, due, tc.week, tc.due)
		}
	}
}

// Package run is the channel-neutral update runner: every channel adapter
// (Telegram in bot/, the terminal in term/, and the next ones: web,
// WhatsApp) hands it the updates it received, one Task each, keyed by
// conversation, and the runner
//
//   - keeps one conversation's updates strictly in order: the next starts
//     only when the one before is done;
//   - runs different conversations in parallel, at most Workers at a time;
//   - hands each update's event to the engine (flows.Engine.Handle),
//     delivers its replies through the Task, and marks each one delivered
//     (flows.Engine.Delivered) right after it went (a repeatable one, a
//     tap's answer, with the reply after it), so an update handled
//     again (a crash, a redelivery) sends only what was not sent yet;
//   - retries by the send error's decision (flows.SendError): wait and
//     send the same reply again (retry_after, temporary), or give that
//     reply up and go on (blocked, permanent), or count it delivered (not
//     modified); an engine failure (Redis down) retries the update with
//     backoff, without bound, and Err says why meanwhile;
//   - stops as the shutdown rule says (Stop): what holds a worker finishes,
//     nothing new starts, and every update not finished is reported
//     ErrStopped, so its adapter leaves it unconfirmed and the channel
//     delivers it again to the next process.
//
// # No head-of-line blocking
//
// One conversation's pace never delays another's. A worker is held only
// while work is done (the engine's step, one call to the channel): a reply
// that must wait — its chat's send limit (the adapter says so with a
// SendRetryAfter, it never waits inline), Telegram's retry_after, a
// backoff — gives its worker back while it waits. So a person sending 25
// messages takes at most one worker at a time, and only while a call is
// being made; everyone else is handled meanwhile.
//
// # What "confirmed" means
//
// An adapter confirms an update to its channel (Telegram: the getUpdates
// offset moves past it; a webhook: 200) only once it was handled, so a
// crash loses nothing. For long polling, confirming is positional:
// getUpdates with an offset confirms every update below it. Offsets keeps
// that honest: the offset follows the contiguous handled prefix, while
// updates after a slow one keep being fetched and handled (their replies
// go out at once), their confirmation waiting for the slow one. A crash
// then makes Telegram deliver again the slow update and those after it;
// the engine knows which it handled (by update id) and sends only what was
// not sent. The price: Telegram shows at most 100 updates past the offset,
// so a conversation with more than 100 unhandled updates in a row hides
// newer ones until it moves. The engine's per-person flood limit bounds
// that: past its burst (20 events) a person's events are dropped in
// milliseconds, without a reply, so such a flood holds newer updates for
// at most its burst's answers (about 20 s at a message a second), where
// it used to hold everyone for all of its answers. A durable
// per-conversation queue in Redis (each update queued, then confirmed)
// would remove that bound and let several processes share the work; it
// is the path for replicas (DESIGN.md, scale path), not needed by one
// process.
//
// A webhook confirms one update per request (200 once it is done): the
// request waits (Do) for its own update only, behind its own
// conversation's earlier ones, holding no worker meanwhile, so a slow
// chat's requests never hold another's. What they do hold is their
// connection: the Telegram adapter asks for 40 connections, more than
// the workers, so one chat's burst cannot take them all (the tests assume
// the worst, a Telegram that sends a chat's next update before the last
// was answered; more than 40 of those in flight would still hold every
// connection).
//
// # Adding a channel
//
// A new channel is an adapter that converts its API's updates into
// flows.Events, delivers flows.Replies through its API and maps its errors
// onto flows.SendError; it implements Task, picks a conversation key, and
// calls Submit (or Do, when its transport waits for the answer). It keeps
// no loop, lock or retry of its own.
package run

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"sync"
	"time"

	"github.com/acercate/acercate/flows"
)

// Task is one update of a conversation, as its adapter hands it to the
// runner. The runner calls its methods from one goroutine at a time.
type Task interface {
	// Prepare does what the channel must before the engine sees the update
	// (Telegram: clear a "blocked" mark) and returns its event; ok is
	// false for an update that is no event (Telegram's "the person blocked
	// the bot"): then nothing else is done. An error retries the update.
	Prepare(ctx context.Context) (ev flows.Event, ok bool, err error)
	// Send delivers one reply of the update's outcome. Its error must be a
	// *flows.SendError (or wrap one); any other is taken as temporary.
	// Send must not wait for a chat's send limit: it returns a
	// SendRetryAfter instead, and the runner waits without a worker.
	Send(ctx context.Context, r flows.Reply) error
	// Finish is called once, when the update is done (Result.Err nil) or
	// when the runner stopped before it was (ErrStopped).
	Finish(ctx context.Context, res Result)
}

// Result is what became of a Task.
type Result struct {
	// Err is nil when the update was handled and every reply delivered or
	// given up for good; ErrStopped when the runner stopped first; the
	// engine's error when Config.Attempts ran out.
	Err error
	// Replies is how many replies the engine gave (this time);
	// Duplicate is true when the update had been handled before.
	Replies   int
	Duplicate bool
	// Took is the time from Submit to done.
	Took time.Duration
}

// ErrStopped is the Result of an update the runner stopped before it was
// done: it must stay unconfirmed.
var ErrStopped = errors.New("run: stopped before the update was done")

// Config tunes a runner. Zero values take the defaults noted.
type Config struct {
	Engine *flows.Engine
	// Workers is how many conversations are worked on at once (8).
	Workers int
	// Backoff is the first wait after a failure (500 ms), doubling up to
	// MaxBackoff (30 s).
	Backoff, MaxBackoff time.Duration
	// Attempts is how many times an update whose engine step fails (Redis
	// down) is tried before it is given up with that error; 0 tries
	// without bound, until Stop (a channel that delivers again, like
	// Telegram, wants that; the terminal does not).
	Attempts int
	Logger   *slog.Logger
}

// Runner runs the Tasks of conversations keyed by K (a chat id, an
// address: any comparable key).
type Runner[K comparable] struct {
	cfg Config
	eng *flows.Engine
	log *slog.Logger
	sem chan struct{}

	// base is the context of every call; cancelled only when Stop's own
	// context ends before the work in hand finished.
	base   context.Context
	cancel context.CancelFunc
	stop   chan struct{}
	wg     sync.WaitGroup

	mu       sync.Mutex
	convs    map[K]*conv
	pending  int
	stopping bool
	err      error
}

// conv is a conversation's queue; a goroutine drains it while it is not
// empty.
type conv struct {
	queue []queued
}

type queued struct {
	task Task
	at   time.Time
}

// New returns a runner; it starts nothing until the first Submit.
func New[K comparable](cfg Config) (*Runner[K], error) {
	if cfg.Engine == nil {
		return nil, errors.New("run: no engine")
	}
	if cfg.Workers <= 0 {
		cfg.Workers = 8
	}
	if cfg.Backoff <= 0 {
		cfg.Backoff = 500 * time.Millisecond
	}
	if cfg.MaxBackoff <= 0 {
		cfg.MaxBackoff = 30 * time.Second
	}
	if cfg.Logger == nil {
		cfg.Logger = slog.Default()
	}
	base, cancel := context.WithCancel(context.Background())
	return &Runner[K]{cfg: cfg, eng: cfg.Engine, log: cfg.Logger.With("component", "run"),
		sem: make(chan struct{}, cfg.Workers), base: base, cancel: cancel,
		stop: make(chan struct{}), convs: map[K]*conv{}}, nil
}

// Submit queues t behind the other updates of conversation key; it
// returns at once. After Stop, t is finished with ErrStopped right away.
func (r *Runner[K]) Submit(key K, t Task) {
	r.mu.Lock()
	if r.stopping {
		r.mu.Unlock()
		t.Finish(r.base, Result{Err: ErrStopped})
		return
	}
	r.pending++
	c := r.convs[key]
	start := c == nil
	if start {
		c = &conv{}
		r.convs[key] = c
	}
	c.queue = append(c.queue, queued{task: t, at: time.Now()})
	if start {
		r.wg.Add(1)
	}
	r.mu.Unlock()
	if start {
		go r.drain(key, c)
	}
}

// Do queues t and waits until it is done (a webhook request, the
// terminal). It returns the Result's error, or ctx's if ctx ends first
// (t still runs).
func (r *Runner[K]) Do(ctx context.Context, key K, t Task) error {
	done := make(chan error, 1)
	r.Submit(key, &waited{Task: t, done: done})
	select {
	case err := <-done:
		return err
	case <-ctx.Done():
		return ctx.Err()
	}
}

type waited struct {
	Task
	done chan error
}

func (w *waited) Finish(ctx context.Context, res Result) {
	w.Task.Finish(ctx, res)
	w.done <- res.Err
}

// Pending is how many updates are queued or being handled.
func (r *Runner[K]) Pending() int {
	r.mu.Lock()
	defer r.mu.Unlock()
	return r.pending
}

// Err says why updates cannot be handled now (the engine's last failure,
// or a reply that keeps failing), or nil once one went through again.
func (r *Runner[K]) Err() error {
	r.mu.Lock()
	defer r.mu.Unlock()
	return r.err
}

func (r *Runner[K]) setErr(err error) {
	r.mu.Lock()
	r.err = err
	r.mu.Unlock()
}

// Stop applies the shutdown rule: no update starts any more; an update
// holding a worker finishes what it can without waiting (a reply that
// would have to wait for its chat's limit or a retry is left); every
// update not done is finished with ErrStopped, to be delivered again by
// the channel. Stop returns when no work is left, or when ctx ends (then
// calls in flight are cancelled, and it returns ctx's error once they
// returned).
func (r *Runner[K]) Stop(ctx context.Context) error {
	r.mu.Lock()
	if !r.stopping {
		r.stopping = true
		close(r.stop)
	}
	r.mu.Unlock()
	done := make(chan struct{})
	go func() { r.wg.Wait(); close(done) }()
	select {
	case <-done:
		r.cancel()
		return nil
	case <-ctx.Done():
		r.cancel()
		<-done
		return ctx.Err()
	}
}

func (r *Runner[K]) stopped() bool {
	select {
	case <-r.stop:
		return true
	default:
		return false
	}
}

// drain works through a conversation's queue, one update at a time, and
// forgets the conversation once its queue is empty.
func (r *Runner[K]) drain(key K, c *conv) {
	defer r.wg.Done()
	for {
		r.mu.Lock()
		if len(c.queue) == 0 {
			delete(r.convs, key)
			r.mu.Unlock()
			return
		}
		q := c.queue[0]
		c.queue[0] = queued{}
		c.queue = c.queue[1:]
		r.mu.Unlock()
		res := r.handle(q.task)
		res.Took = time.Since(q.at)
		q.task.Finish(r.base, res)
		r.mu.Lock()
		r.pending--
		r.mu.Unlock()
	}
}

// handle runs one update to its end, or to ErrStopped.
func (r *Runner[K]) handle(t Task) Result {
	w := slot{sem: r.sem, stop: r.stop}
	defer w.release()
	ctx := r.base
	var ev flows.Event
	var out *flows.Outcome
	for attempt := 1; ; attempt++ {
		if !w.acquire() {
			return Result{Err: ErrStopped}
		}
		var ok bool
		var err error
		if ev, ok, err = t.Prepare(ctx); err == nil && !ok {
			return Result{}
		}
		if err == nil {
			out, err = r.eng.Handle(ctx, ev)
		}
		if err == nil {
			break
		}
		err = fmt.Errorf("update %d: %w", ev.UpdateID, err)
		r.setErr(err)
		if r.cfg.Attempts > 0 && attempt >= r.cfg.Attempts {
			return Result{Err: err}
		}
		r.log.Error("handling an update failed; trying it again", "update_id", ev.UpdateID, "attempt", attempt, "err", err)
		if !w.wait(r.backoff(attempt)) {
			return Result{Err: ErrStopped}
		}
	}
	res := Result{Replies: len(out.Replies), Duplicate: out.Duplicate}
	for i, reply := range out.Replies {
		if err := r.deliver(&w, t, ev, reply); err != nil {
			return Result{Err: err, Replies: res.Replies, Duplicate: res.Duplicate}
		}
		if reply.Repeatable() && i < len(out.Replies)-1 {
			continue // the next reply's mark counts it: one round trip less
		}
		if err := r.mark(&w, ev, out.Sent+i+1); err != nil {
			return Result{Err: err, Replies: res.Replies, Duplicate: res.Duplicate}
		}
	}
	r.setErr(nil)
	return res
}

// deliver sends one reply, waiting and trying again as its send error
// says. It returns only ErrStopped.
func (r *Runner[K]) deliver(w *slot, t Task, ev flows.Event, reply flows.Reply) error {
	failures := 0
	for {
		if !w.acquire() {
			return ErrStopped
		}
		se := flows.AsSendError(t.Send(r.base, reply))
		switch {
		case se == nil || se.Delivered():
			return nil
		case se.Kind == flows.SendRetryAfter:
			if !w.wait(max(se.After, time.Millisecond)) {
				return ErrStopped
			}
		case se.Retry():
			failures++
			r.setErr(fmt.Errorf("update %d: %w", ev.UpdateID, se))
			r.log.Warn("a reply failed; sending it again", "update_id", ev.UpdateID, "reply", reply.Kind, "attempt", failures, "err", se)
			if !w.wait(r.backoff(failures)) {
				return ErrStopped
			}
		default:
			r.log.Warn("reply not delivered", "update_id", ev.UpdateID, "reply", reply.Kind, "kind", se.Kind, "err", se)
			return nil
		}
	}
}

// mark records that the first n replies of ev's update are delivered,
// trying again while the engine's store is down: the reply went out, so
// it is the mark that is retried, never the send.
func (r *Runner[K]) mark(w *slot, ev flows.Event, n int) error {
	for attempt := 1; ; attempt++ {
		if !w.acquire() {
			return ErrStopped
		}
		err := r.eng.Delivered(r.base, ev, n)
		if err == nil {
			return nil
		}
		err = fmt.Errorf("update %d: mark delivered: %w", ev.UpdateID, err)
		r.setErr(err)
		r.log.Error("cannot record a delivered reply; trying again", "update_id", ev.UpdateID, "err", err)
		if !w.wait(r.backoff(attempt)) {
			return ErrStopped
		}
	}
}

func (r *Runner[K]) backoff(attempt int) time.Duration {
	d := r.cfg.Backoff
	for i := 1; i < attempt && d < r.cfg.MaxBackoff; i++ {
		d *= 2
	}
	return min(d, r.cfg.MaxBackoff)
}

// slot is one update's hold on a worker.
type slot struct {
	sem  chan struct{}
	stop chan struct{}
	held bool
}

// acquire takes a worker unless one is held already; false once the
// runner is stopping and none is held (nothing new starts then).
func (s *slot) acquire() bool {
	if s.held {
		return true
	}
	select {
	case <-s.stop:
		return false
	default:
	}
	select {
	case s.sem <- struct{}{}:
		s.held = true
		return true
	case <-s.stop:
		return false
	}
}

func (s *slot) release() {
	if s.held {
		<-s.sem
		s.held = false
	}
}

// wait gives the worker back and sleeps d; false if the runner stops
// meanwhile.
func (s *slot) wait(d time.Duration) bool {
	s.release()
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-s.stop:
		return false
	case <-t.C:
		return true
	}
}

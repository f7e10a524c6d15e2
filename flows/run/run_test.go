package run_test

import (
	"context"
	"errors"
	"io"
	"log/slog"
	"slices"
	"sync"
	"testing"
	"time"

	"github.com/acercate/acercate/apptest"
	"github.com/acercate/acercate/flows"
	"github.com/acercate/acercate/flows/run"
	"github.com/redis/go-redis/v9"
)

// The runner's tests use the real engine (apptest: real Redis when
// REDIS_URL is set, a temp SQLite file) and tasks that stand for a channel.

func newRunner(t *testing.T, workers int) (*run.Runner[flows.Address], *apptest.Env) {
	t.Helper()
	env := apptest.New(t, apptest.WithEngine(flows.Config{FloodRate: 1000, FloodBurst: 1000}))
	r, err := run.New[flows.Address](run.Config{Engine: env.Engine, Workers: workers, Backoff: time.Millisecond, MaxBackoff: 5 * time.Millisecond,
		Logger: slog.New(slog.NewTextHandler(io.Discard, nil))})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { r.Stop(context.Background()) })
	return r, env
}

func menu(chat, update int64) flows.Event {
	a := addr(chat)
	return flows.Event{UpdateID: update, ChatID: a, UserID: a, Lang: "es", Kind: flows.EventCommand, Command: "menu"}
}

func addr(chat int64) flows.Address { return flows.Telegram(chat) }

// journal records what the tasks of a test did, in order.
type journal struct {
	mu       sync.Mutex
	finished []int64 // update ids
	results  map[int64]run.Result
	done     chan struct{}
	want     int
}

func newJournal(want int) *journal {
	return &journal{results: map[int64]run.Result{}, done: make(chan struct{}), want: want}
}

func (j *journal) wait(t *testing.T) {
	t.Helper()
	select {
	case <-j.done:
	case <-time.After(30 * time.Second):
		t.Fatal("tasks not finished")
	}
}

// task is a channel's update: send answers from fail (one per attempt,
// nil once it runs out), and may block until release is closed.
type task struct {
	j       *journal
	ev      flows.Event
	fail    []error
	release chan struct{}
	started chan struct{}
	sends   int
}

func (k *task) Prepare(context.Context) (flows.Event, bool, error) { return k.ev, true, nil }

func (k *task) Send(ctx context.Context, r flows.Reply) error {
	if k.started != nil {
		close(k.started)
		k.started = nil
	}
	if k.release != nil {
		<-k.release
	}
	k.sends++
	if len(k.fail) > 0 {
		err := k.fail[0]
		k.fail = k.fail[1:]
		if err != nil {
			return err
		}
	}
	return nil
}

func (k *task) Finish(_ context.Context, res run.Result) {
	k.j.mu.Lock()
	defer k.j.mu.Unlock()
	k.j.finished = append(k.j.finished, k.ev.UpdateID)
	k.j.results[k.ev.UpdateID] = res
	if len(k.j.finished) == k.j.want {
		close(k.j.done)
	}
}

// Each conversation's updates are handled strictly in order while
// conversations run in parallel; each is finished once.
func TestOrderPerConversation(t *testing.T) {
	r, _ := newRunner(t, 4)
	const chats, each = 5, 8
	j := newJournal(chats * each)
	for u := range each {
		for c := range chats {
			chat := int64(100 + c)
			r.Submit(addr(chat), &task{j: j, ev: menu(chat, chat*1000+int64(u))})
		}
	}
	j.wait(t)
	byChat := map[int64][]int64{}
	for _, id := range j.finished {
		byChat[id/1000] = append(byChat[id/1000], id)
	}
	for chat, ids := range byChat {
		if len(ids) != each || !slices.IsSorted(ids) {
			t.Errorf("chat %d finished %v, want %d in order", chat, ids, each)
		}
	}
	for id, res := range j.results {
		if res.Err != nil || res.Replies == 0 {
			t.Errorf("update %d: %+v", id, res)
		}
	}
	// A task's Finish runs before the runner lets go of its conversation:
	// the count settles just after the last Finish.
	deadline := time.Now().Add(30 * time.Second)
	for r.Pending() != 0 && time.Now().Before(deadline) {
		time.Sleep(time.Millisecond)
	}
	if n := r.Pending(); n != 0 {
		t.Fatalf("%d pending after all finished", n)
	}
}

// A conversation whose replies must wait (its chat's limit, a retry
// after) gives its worker back meanwhile: with one worker, a conversation
// submitted after it is done first.
func TestWaitingConversationHoldsNoWorker(t *testing.T) {
	r, _ := newRunner(t, 1)
	j := newJournal(2)
	wait := &flows.SendError{Kind: flows.SendRetryAfter, After: 20 * time.Millisecond}
	slow := &task{j: j, ev: menu(1, 1001), fail: []error{wait, wait, wait, wait, wait}}
	r.Submit(addr(1), slow)
	r.Submit(addr(2), &task{j: j, ev: menu(2, 2001)})
	j.wait(t)
	if !slices.Equal(j.finished, []int64{2001, 1001}) {
		t.Fatalf("finished %v: the waiting conversation held the only worker", j.finished)
	}
	if res := j.results[1001]; res.Err != nil || slow.sends != 5+res.Replies {
		t.Fatalf("slow: %+v after %d sends", res, slow.sends)
	}
}

// Retries follow the send error's kind: temporary and retry-after send
// the same reply again; blocked and permanent give that reply up and go
// on; not-modified counts as delivered. Each reply given up or delivered
// is marked, so handling the update again sends nothing.
func TestRetriesBySendError(t *testing.T) {
	for _, c := range []struct {
		name  string
		fail  error
		sends int // attempts of the first reply
	}{
		{"temporary", &flows.SendError{Kind: flows.SendTemporary}, 3},
		{"unknown error", errors.New("boom"), 3},
		{"retry after", &flows.SendError{Kind: flows.SendRetryAfter, After: time.Millisecond}, 3},
		{"blocked", &flows.SendError{Kind: flows.SendBlocked}, 1},
		{"permanent", &flows.SendError{Kind: flows.SendPermanent}, 1},
		{"not modified", &flows.SendError{Kind: flows.SendNotModified}, 1},
	} {
		t.Run(c.name, func(t *testing.T) {
			r, env := newRunner(t, 2)
			j := newJournal(1)
			fail := []error{c.fail}
			if c.sends == 3 {
				fail = append(fail, c.fail)
			}
			k := &task{j: j, ev: menu(7, 7001), fail: fail}
			r.Submit(addr(7), k)
			j.wait(t)
			res := j.results[7001]
			if res.Err != nil || res.Replies < 2 {
				t.Fatalf("result %+v", res)
			}
			if want := c.sends - 1 + res.Replies; k.sends != want {
				t.Fatalf("%d sends, want %d", k.sends, want)
			}
			out, err := env.Engine.Handle(context.Background(), menu(7, 7001))
			if err != nil || !out.Duplicate || len(out.Replies) != 0 {
				t.Fatalf("handled again: %+v, %v: replies not marked delivered", out, err)
			}
		})
	}
}

// The shutdown rule: an update holding a worker finishes; one that would
// have to wait and those not started end ErrStopped, to be delivered
// again; the engine then sends only what was not sent.
func TestStop(t *testing.T) {
	r, env := newRunner(t, 2)
	j := newJournal(4)
	inFlight := &task{j: j, ev: menu(1, 1001), release: make(chan struct{}), started: make(chan struct{})}
	started := inFlight.started
	r.Submit(addr(1), inFlight)
	<-started
	// Its first reply goes, its second must wait an hour.
	waiting := &task{j: j, ev: menu(2, 2001), started: make(chan struct{}),
		fail: []error{nil, &flows.SendError{Kind: flows.SendRetryAfter, After: time.Hour}}}
	waitingStarted := waiting.started
	r.Submit(addr(2), waiting)
	<-waitingStarted
	r.Submit(addr(1), &task{j: j, ev: menu(1, 1002)})
	stopped := make(chan error, 1)
	go func() { stopped <- r.Stop(context.Background()) }()
	close(inFlight.release)
	if err := <-stopped; err != nil {
		t.Fatal(err)
	}
	r.Submit(addr(3), &task{j: j, ev: menu(3, 3001)})
	j.wait(t)
	if res := j.results[1001]; res.Err != nil {
		t.Fatalf("the update in flight: %+v", res)
	}
	for _, id := range []int64{1002, 2001, 3001} {
		if res := j.results[id]; !errors.Is(res.Err, run.ErrStopped) {
			t.Errorf("update %d: %+v, want ErrStopped", id, res)
		}
	}
	// Delivered again to the next process, the waiting update sends only
	// the reply it had not.
	r2, err := run.New[flows.Address](run.Config{Engine: env.Engine, Logger: slog.New(slog.NewTextHandler(io.Discard, nil))})
	if err != nil {
		t.Fatal(err)
	}
	j2 := newJournal(1)
	again := &task{j: j2, ev: menu(2, 2001)}
	r2.Submit(addr(2), again)
	j2.wait(t)
	res := j2.results[2001]
	if res.Err != nil || !res.Duplicate || res.Replies != 1 || again.sends != 1 {
		t.Fatalf("redelivered: %+v after %d sends, want the one reply not sent", res, again.sends)
	}
}

// Offsets confirms the contiguous prefix of done updates.
func TestOffsets(t *testing.T) {
	o := run.NewOffsets()
	for _, id := range []int64{10, 11, 12, 13} {
		if !o.Add(id) {
			t.Fatalf("Add(%d) refused", id)
		}
	}
	if o.Add(11) {
		t.Fatal("an update in hand added twice")
	}
	o.Done(12)
	o.Done(13)
	if got := o.Offset(); got != 10 {
		t.Fatalf("offset %d with 10 and 11 not done, want 10", got)
	}
	o.Done(10)
	if got := o.Offset(); got != 11 {
		t.Fatalf("offset %d, want 11", got)
	}
	o.Done(11)
	if got, n := o.Offset(), o.InHand(); got != 14 || n != 0 {
		t.Fatalf("offset %d with %d in hand, want 14 and none", got, n)
	}
	if o.Add(12) {
		t.Fatal("an update below the confirmed prefix added again")
	}
}

// roundTrips counts Redis round trips: a command or a pipeline is one.
type roundTrips struct {
	mu sync.Mutex
	n  int
}

func (h *roundTrips) DialHook(next redis.DialHook) redis.DialHook { return next }
func (h *roundTrips) ProcessHook(next redis.ProcessHook) redis.ProcessHook {
	return func(ctx context.Context, cmd redis.Cmder) error { h.add(); return next(ctx, cmd) }
}
func (h *roundTrips) ProcessPipelineHook(next redis.ProcessPipelineHook) redis.ProcessPipelineHook {
	return func(ctx context.Context, cmds []redis.Cmder) error { h.add(); return next(ctx, cmds) }
}
func (h *roundTrips) add()     { h.mu.Lock(); h.n++; h.mu.Unlock() }
func (h *roundTrips) get() int { h.mu.Lock(); defer h.mu.Unlock(); return h.n }
func (h *roundTrips) zero()    { h.mu.Lock(); h.n = 0; h.mu.Unlock() }

// recorder is a task that keeps the replies it delivered.
type recorder struct {
	task
	replies []flows.Reply
}

func (k *recorder) Send(ctx context.Context, r flows.Reply) error {
	k.replies = append(k.replies, r)
	return k.task.Send(ctx, r)
}

// A tap's answer is marked delivered with the reply after it, not alone:
// a tap answered and replied to costs the commit and one mark. A crash
// between the two would only answer the tap again (Repeatable).
func TestTapAnswerMarkedWithTheNextReply(t *testing.T) {
	r, env := newRunner(t, 2)
	rt := &roundTrips{}
	env.App.Redis.AddHook(rt)
	ctx := context.Background()
	j := newJournal(1)
	first := &recorder{task: task{j: j, ev: menu(8, 8001)}}
	r.Submit(addr(8), first)
	j.wait(t)
	// The menu shown, the person taps its first button.
	var data string
	for _, rep := range first.replies {
		if len(rep.Buttons) > 0 && len(rep.Buttons[0]) > 0 {
			data = rep.Buttons[0][0].Data
		}
	}
	if data == "" {
		t.Fatalf("no button in the menu: %+v", first.replies)
	}
	tap := menu(8, 8002)
	tap.Kind, tap.Command, tap.Data, tap.TapID, tap.MessageID = flows.EventButton, "", data, "q1", 1
	j = newJournal(1)
	second := &recorder{task: task{j: j, ev: tap}}
	rt.zero()
	r.Submit(addr(8), second)
	j.wait(t)
	if len(second.replies) < 2 || second.replies[0].Kind != flows.AnswerTap {
		t.Fatalf("a tap's replies: %+v", second.replies)
	}
	// The state came from the engine's cache: the commit, then one mark
	// per reply but the tap's answer.
	if got, want := rt.get(), 1+len(second.replies)-1; got != want {
		t.Fatalf("%d round trips for a tap with %d replies, want %d", got, len(second.replies), want)
	}
	out, err := env.Engine.Handle(ctx, tap)
	if err != nil || !out.Duplicate || len(out.Replies) != 0 {
		t.Fatalf("handled again: %+v, %v: replies not marked delivered", out, err)
	}
}

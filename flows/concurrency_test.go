package flows_test

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"sync"
	"sync/atomic"
	"testing"

	"github.com/acercate/acercate/apptest"
	"github.com/acercate/acercate/flows"
	"github.com/acercate/acercate/term"
	"github.com/redis/go-redis/v9"
)

// script is what chat i sends: 20 lines, each of which moves the
// conversation exactly one step (State.Gen + 1), so a lost or doubled
// update shows in the final Gen.
func script(i int) []string {
	lines := []string{"/start c-chat" + fmt.Sprint(i%7)}
	for len(lines) < 20 {
		switch len(lines) % 4 {
		case 1:
			lines = append(lines, "/idioma")
		case 2:
			lines = append(lines, fmt.Sprint(1+(i+len(lines))%5)) // tap a language
		case 3:
			lines = append(lines, "hola")
		default:
			lines = append(lines, "/menu")
		}
	}
	return lines
}

// converse plays a script and returns the transcript the person saw.
func converse(ctx context.Context, eng *flows.Engine, chat int64, lang string, lines []string) (string, error) {
	s := term.NewSession(eng, flows.Telegram(chat), lang)
	var b strings.Builder
	for _, line := range lines {
		out, err := s.Send(ctx, line)
		if err != nil {
			return "", fmt.Errorf("chat %d, %q: %w", chat, line, err)
		}
		b.WriteString("> " + line + "\n" + out)
	}
	return b.String(), nil
}

func body(transcript string) string {
	_, rest, _ := strings.Cut(transcript, "\n")
	return rest
}

var langs = []string{"es", "fr", "ht", "en", "pt"}

func TestHundredChatsConcurrently(t *testing.T) {
	const chats, perChat = 100, 20
	ctx := context.Background()
	opt := apptest.WithEngine(flows.Config{FloodBurst: 1000})

	// What each kind of chat must see, played alone first.
	ref := apptest.New(t, opt)
	want := map[int]string{}
	for i := 0; i < 5; i++ { // the attribution is not shown: i%5 is the variant
		got, err := converse(ctx, ref.Engine, int64(9000+i), langs[i%5], script(i))
		if err != nil {
			t.Fatal(err)
		}
		want[i] = got
	}

	env := apptest.New(t, opt)
	got := make([]string, chats)
	errs := make(chan error, chats)
	var wg sync.WaitGroup
	for i := 0; i < chats; i++ {
		wg.Add(1)
		go func(i int) {
			defer wg.Done()
			out, err := converse(ctx, env.Engine, int64(1000+i), langs[i%5], script(i))
			if err != nil {
				errs <- err
				return
			}
			got[i] = out
		}(i)
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		t.Fatal(err)
	}

	rows, err := env.Store.Requests(ctx)
	if err != nil {
		t.Fatal(err)
	}
	perPerson := map[string]map[int64]bool{}
	for _, r := range rows {
		if perPerson[r.Person] == nil {
			perPerson[r.Person] = map[int64]bool{}
		}
		perPerson[r.Person][r.UpdateID] = true
	}
	for i := 0; i < chats; i++ {
		chat := int64(1000 + i)
		// The first line names the chat's campaign; the answers do not.
		if body(got[i]) != body(want[i%5]) {
			t.Errorf("chat %d saw another conversation than when alone:\n%s", chat, diff(body(want[i%5]), body(got[i])))
			continue
		}
		st, ok, err := env.Engine.Store().LoadState(ctx, flows.Telegram(chat))
		if err != nil || !ok {
			t.Fatalf("chat %d: no state: %v", chat, err)
		}
		if st.Gen != perChat || st.Flow != "menu" || st.Attribution != fmt.Sprintf("c-chat%d", i%7) {
			t.Errorf("chat %d: state %+v, want gen %d in the menu", chat, st, perChat)
		}
		if n := len(perPerson[env.Keys.Hash("person", fmt.Sprint(chat))]); n != perChat {
			t.Errorf("chat %d: %d request rows, want %d", chat, n, perChat)
		}
	}
	if len(rows) != chats*perChat {
		t.Errorf("%d request rows, want %d", len(rows), chats*perChat)
	}
}

// TestTwoEnginesShareOneChat has two engines (two replicas on one Redis
// and one database) handle interleaved events of the same chat at the same
// time, and the same update delivered to both. Optimistic saves (CAS) must
// keep every step: none lost, none doubled.
func TestTwoEnginesShareOneChat(t *testing.T) {
	ctx := context.Background()
	env := apptest.New(t, apptest.WithEngine(flows.Config{FloodBurst: 10000}))
	second := env.Second(t)
	engines := []*flows.Engine{env.Engine, second.Engine}
	const chat, each = 77, 60
	var next atomic.Int64
	next.Store(1)
	event := func(cmd string) flows.Event {
		return flows.Event{UpdateID: next.Add(1), ChatID: flows.Telegram(chat), UserID: flows.Telegram(chat), Lang: "ht", Kind: flows.EventCommand, Command: cmd}
	}
	var conflicts atomic.Int64
	// handle retries a conflict as a channel would: the same event again.
	handle := func(eng *flows.Engine, ev flows.Event) (*flows.Outcome, error) {
		for {
			out, err := eng.Handle(ctx, ev)
			if errors.Is(err, flows.ErrConflict) {
				conflicts.Add(1)
				continue
			}
			return out, err
		}
	}
	if _, err := handle(env.Engine, flows.Event{UpdateID: 1, ChatID: flows.Telegram(chat), UserID: flows.Telegram(chat), Lang: "ht", Kind: flows.EventCommand, Command: "start"}); err != nil {
		t.Fatal(err)
	}

	// Interleaved: each engine gets its own stream of /menu and /idioma.
	var wg sync.WaitGroup
	errs := make(chan error, 2*each)
	for _, eng := range engines {
		wg.Add(1)
		go func(eng *flows.Engine) {
			defer wg.Done()
			for i := 0; i < each; i++ {
				cmd := "menu"
				if i%3 == 0 {
					cmd = "idioma"
				}
				out, err := handle(eng, event(cmd))
				if err != nil {
					errs <- err
					return
				}
				if out.Duplicate || len(out.Replies) != 1 {
					errs <- fmt.Errorf("outcome %+v", out)
					return
				}
			}
		}(eng)
	}
	wg.Wait()

	// The same updates delivered to both engines at once: exactly one
	// handles each, the other returns its replies as a duplicate.
	const twice = 30
	var handled atomic.Int64
	for i := 0; i < twice; i++ {
		ev := event("menu")
		for _, eng := range engines {
			wg.Add(1)
			go func(eng *flows.Engine) {
				defer wg.Done()
				out, err := handle(eng, ev)
				if err != nil {
					errs <- err
					return
				}
				if !out.Duplicate {
					handled.Add(1)
				}
				if len(out.Replies) != 1 {
					errs <- fmt.Errorf("outcome %+v", out)
				}
			}(eng)
		}
		wg.Wait()
	}
	close(errs)
	for err := range errs {
		t.Fatal(err)
	}
	if handled.Load() != twice {
		t.Errorf("%d of %d doubly delivered updates were handled as new", handled.Load(), twice)
	}
	st, ok, err := env.Engine.Store().LoadState(ctx, flows.Telegram(chat))
	if err != nil || !ok {
		t.Fatal(ok, err)
	}
	if want := 1 + 2*each + twice; st.Gen != want {
		t.Errorf("gen = %d, want %d: steps were lost or doubled", st.Gen, want)
	}
	rows, err := env.Store.Requests(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if want := 1 + 2*each + twice; len(rows) != want {
		t.Errorf("%d request rows, want %d", len(rows), want)
	}
	t.Logf("%d events gave up after 10 conflicting attempts and were retried by the caller", conflicts.Load())
}

// beforeEval runs a function once, just before the next script its
// client sends: the moment between an engine's load and its save.
type beforeEval struct {
	mu sync.Mutex
	fn func()
}

func (h *beforeEval) DialHook(next redis.DialHook) redis.DialHook { return next }
func (h *beforeEval) ProcessPipelineHook(next redis.ProcessPipelineHook) redis.ProcessPipelineHook {
	return next
}
func (h *beforeEval) ProcessHook(next redis.ProcessHook) redis.ProcessHook {
	return func(ctx context.Context, cmd redis.Cmder) error {
		h.mu.Lock()
		fn := h.fn
		if strings.HasPrefix(cmd.Name(), "eval") {
			h.fn = nil
		}
		h.mu.Unlock()
		if fn != nil && strings.HasPrefix(cmd.Name(), "eval") {
			fn()
		}
		return next(ctx, cmd)
	}
}

// TestWriteConflictRerunsTheStep makes the conflict certain: engine B
// saves the chat between engine A's load and A's save. A's save must be
// refused, and A must run its step again on B's state.
func TestWriteConflictRerunsTheStep(t *testing.T) {
	ctx := context.Background()
	env := apptest.New(t)
	b := env.Second(t)
	ev := func(update int64, kind flows.EventKind, s string) flows.Event {
		e := flows.Event{UpdateID: update, ChatID: flows.Telegram(88), UserID: flows.Telegram(88), Lang: "es", Kind: kind}
		if kind == flows.EventText {
			e.Text = s
		} else {
			e.Command = s
		}
		return e
	}
	if _, err := env.Engine.Handle(ctx, ev(1, flows.EventCommand, "start")); err != nil {
		t.Fatal(err)
	}
	hook := &beforeEval{}
	env.App.Redis.AddHook(hook)
	var bErr error
	hook.fn = func() {
		// B: the person switches to French.
		_, bErr = b.Engine.Handle(ctx, ev(2, flows.EventText, "français"))
	}
	out, err := env.Engine.Handle(ctx, ev(3, flows.EventCommand, "menu"))
	if err != nil || bErr != nil {
		t.Fatal(err, bErr)
	}
	// A's menu is in French: its step ran again on the state B saved.
	if len(out.Replies) != 1 || out.Replies[0].Text != msg(env, "fr", "menu.title") {
		t.Fatalf("A's replies after the conflict: %q", texts(out.Replies))
	}
	st, _, _ := env.Engine.Store().LoadState(ctx, flows.Telegram(88))
	if st.Lang != "fr" || st.Gen != 3 {
		t.Fatalf("state %+v: want B's language and both steps (gen 3)", st)
	}
}

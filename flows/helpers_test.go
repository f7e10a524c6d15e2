package flows_test

import (
	"context"
	"io"
	"log/slog"
	"strconv"
	"strings"
	"testing"

	"github.com/acercate/acercate/apptest"
	"github.com/acercate/acercate/flows"
)

// person is one chat driven by raw events, for what a transcript cannot
// express (invalid UTF-8, a Redis that goes down, a re-delivered update).
type person struct {
	t    testing.TB
	env  *apptest.Env
	eng  *flows.Engine
	id   int64
	addr flows.Address
	lang string
	next int64
}

func newPerson(t testing.TB, env *apptest.Env, eng *flows.Engine, id int64, lang string) *person {
	if eng == nil {
		eng = env.Engine
	}
	return &person{t: t, env: env, eng: eng, id: id, addr: flows.Telegram(id), lang: lang, next: id * 1000}
}

// newPersonAt is a person of another channel than Telegram.
func newPersonAt(t testing.TB, env *apptest.Env, addr flows.Address, lang string) *person {
	return &person{t: t, env: env, eng: env.Engine, addr: addr, lang: lang, next: 1000}
}

// event fills the ids of ev as the channel would, with a new update id.
func (p *person) event(ev flows.Event) flows.Event {
	p.next++
	ev.UpdateID, ev.ChatID, ev.UserID, ev.Lang = p.next, p.addr, p.addr, p.lang
	if ev.Kind == flows.EventButton && ev.TapID == "" {
		ev.TapID = "tap" + strconv.FormatInt(p.next, 10)
	}
	return ev
}

// do handles ev, delivers its replies and returns them.
func (p *person) do(ev flows.Event) []flows.Reply {
	p.t.Helper()
	ev = p.event(ev)
	ctx := context.Background()
	out, err := p.eng.Handle(ctx, ev)
	if err != nil {
		p.t.Fatalf("handle %s %q: %v", ev.Kind, ev.Text+ev.Command+ev.Data, err)
	}
	if err := p.eng.Delivered(ctx, ev, out.Sent+len(out.Replies)); err != nil {
		p.t.Fatal(err)
	}
	checkReplies(p.t, out.Replies)
	return out.Replies
}

func (p *person) text(s string) []flows.Reply {
	p.t.Helper()
	return p.do(flows.Event{Kind: flows.EventText, Text: s})
}

func (p *person) command(cmd, payload string) []flows.Reply {
	p.t.Helper()
	return p.do(flows.Event{Kind: flows.EventCommand, Command: cmd, Payload: payload})
}

func (p *person) tap(data string) []flows.Reply {
	p.t.Helper()
	return p.do(flows.Event{Kind: flows.EventButton, Data: data, MessageID: 1})
}

// state returns the chat's stored state, failing if there is none.
func (p *person) state() flows.State {
	p.t.Helper()
	st, ok, err := p.eng.Store().LoadState(context.Background(), p.addr)
	if err != nil || !ok {
		p.t.Fatalf("state of chat %s: ok=%v err=%v", p.addr, ok, err)
	}
	return st
}

// msg renders a message id in a language, as the engine would.
func msg(env *apptest.Env, lang, id string, kv ...any) string {
	data := map[string]any{}
	for i := 0; i+1 < len(kv); i += 2 {
		data[kv[i].(string)] = kv[i+1]
	}
	return env.Engine.Catalog().T(lang, id, data)
}

// texts joins the text of the replies a person reads (not tap answers).
func texts(replies []flows.Reply) string {
	var b strings.Builder
	for _, r := range replies {
		if r.Kind == flows.AnswerTap {
			continue
		}
		b.WriteString(r.Text)
		b.WriteString("\n----\n")
	}
	return b.String()
}

// has reports whether one of the replies is exactly text.
func has(replies []flows.Reply, text string) bool {
	for _, r := range replies {
		if r.Kind != flows.AnswerTap && r.Text == text {
			return true
		}
	}
	return false
}

// checkReplies holds replies to Telegram's limits.
func checkReplies(t testing.TB, replies []flows.Reply) {
	t.Helper()
	for _, r := range replies {
		if n := len([]rune(r.Text)); n > flows.MaxText {
			t.Errorf("reply of %d characters", n)
		}
		for _, row := range r.Buttons {
			for _, b := range row {
				if len(b.Data) > flows.MaxButtonData {
					t.Errorf("button %q has %d bytes of data", b.Label, len(b.Data))
				}
			}
		}
	}
}

// demoFlows are the shipped flows plus "demo", a test-only flow with a
// draft, a step that takes the person's own words ("story"), one that
// does not ("confirm"), a button that panics and text that fails.
func demoFlows() []*flows.Flow {
	demo := &flows.Flow{Name: "demo", Commands: []string{"demo"}, TextSteps: []string{"story"}}
	ask := func(c *flows.Ctx) {
		switch c.State.Step {
		case "story":
			c.Send("demo: tell me what happened", []flows.Button{c.Btn("next", "next", "")})
		default:
			c.Send("demo: confirm?", []flows.Button{c.Btn("yes", "done", "")})
		}
	}
	demo.Start = func(c *flows.Ctx) {
		c.Step("story")
		c.State.Draft("demo", true)["started"] = "1"
		ask(c)
	}
	demo.Handle = func(c *flows.Ctx) {
		ev := c.Event
		switch {
		case ev.Kind == flows.EventButton && c.Action == "next":
			c.Step("confirm")
			ask(c)
		case ev.Kind == flows.EventButton && c.Action == "done":
			c.State.DropDraft("demo")
			c.Send("demo: done")
			c.Menu()
		case ev.Kind == flows.EventText && ev.Text == "boom":
			c.State.Draft("demo", true)["half"] = "made"
			c.State.SetVar("half", "made")
			panic("demo step bug on: " + ev.Text) // as a careless step might
		case ev.Kind == flows.EventText && ev.Text == "fail":
			c.State.Draft("demo", true)["lost"] = "yes"
			c.Send("demo: this must not be sent")
			c.Fail(io.ErrUnexpectedEOF)
		case ev.Kind == flows.EventText && c.State.Step == "story":
			d := c.State.Draft("demo", true)
			d["story"] += ev.Text + "|"
			c.Log("story", "")
			c.Send("demo: noted")
		default:
			c.Unhandled()
		}
	}
	demo.Resume = ask
	return append(flows.Builtin(), demo)
}

// demoEngine is an engine with demoFlows over env's Redis and store.
func demoEngine(t testing.TB, env *apptest.Env, cfg flows.Config) *flows.Engine {
	t.Helper()
	cfg.Now = env.Clock.Now
	if cfg.Logger == nil {
		cfg.Logger = slog.New(slog.NewTextHandler(io.Discard, nil))
	}
	eng, err := flows.New(cfg, env.Engine.Store(), env.Engine.Catalog(), env.Keys, env.Store.Deps(), demoFlows())
	if err != nil {
		t.Fatal(err)
	}
	return eng
}

func itoa(n int) string { return strconv.Itoa(n) }

package flows_test

import (
	"context"
	"strings"
	"sync/atomic"
	"testing"
	"unicode/utf8"

	"github.com/acercate/acercate/apptest"
	"github.com/acercate/acercate/flows"
)

// The fuzz targets send what a person (or a forged request) could send and
// hold the engine to two promises: it never panics or fails on input, and
// it always answers. One service serves every input; each input gets a new
// chat, so a state left by one input cannot hide a bug of the next.
// Run one with: go test ./flows -run '^$' -fuzz FuzzText -fuzztime 60s

var fuzzChat atomic.Int64

func fuzzEnv(f *testing.F) *apptest.Env {
	// No flood limit: the fuzzer is one very fast person per chat, and a
	// dropped event would hide the answer being checked.
	return apptest.New(f, apptest.WithEngine(flows.Config{FloodRate: 1e6, FloodBurst: 1e6}))
}

// fuzzPerson returns a person who has already seen the menu, in lang.
func fuzzPerson(t *testing.T, env *apptest.Env, lang string) *person {
	p := newPerson(t, env, env.Engine, 1_000_000+fuzzChat.Add(1), lang)
	p.command("start", "")
	return p
}

// checkAnswered fails unless the replies answer the person: at least one
// message (or, for a tap, an answer to the tap) in valid UTF-8 within
// Telegram's limits, and every tap answered.
func checkAnswered(t *testing.T, ev flows.Event, replies []flows.Reply) {
	t.Helper()
	checkReplies(t, replies)
	sent, tapAnswered := false, false
	for _, r := range replies {
		if !utf8.ValidString(r.Text) {
			t.Errorf("reply is not UTF-8: %q", r.Text)
		}
		switch r.Kind {
		case flows.AnswerTap:
			tapAnswered = true
		default:
			if strings.TrimSpace(r.Text) == "" {
				t.Errorf("an empty %s reply", r.Kind)
			}
			sent = true
		}
	}
	if ev.Kind == flows.EventButton && !tapAnswered {
		t.Errorf("tap %q was not answered", ev.Data)
	}
	if !sent && ev.Kind != flows.EventButton {
		t.Errorf("no answer to %s %q", ev.Kind, ev.Text+ev.Payload)
	}
}

func fuzzHandle(t *testing.T, p *person, ev flows.Event) {
	t.Helper()
	ev = p.event(ev)
	ctx := context.Background()
	out, err := p.eng.Handle(ctx, ev)
	if err != nil {
		t.Fatalf("%s %q: %v", ev.Kind, ev.Text+ev.Data+ev.Payload, err)
	}
	checkAnswered(t, ev, out.Replies)
	if err := p.eng.Delivered(ctx, ev, out.Sent+len(out.Replies)); err != nil {
		t.Fatal(err)
	}
}

func FuzzText(f *testing.F) {
	for _, s := range []string{
		"hola", "ayuda", "albergue", "me secuestraron", "denuncia", "derechos",
		"", " ", "1", "/", "🚨", "\x00", "\xff\xfe", "a\u0301", strings.Repeat("á", flows.MaxText+1),
		"kidnape", "sekou", "asile", "Tapachula", "¿dónde duermo hoy?",
	} {
		f.Add(s, "es")
	}
	f.Add("help me", "en")
	f.Add("mwen bezwen èd", "ht")
	f.Add("je cherche un refuge", "fr")
	f.Add("preciso de ajuda", "pt-br")
	f.Add("مرحبا", "ar")
	env := fuzzEnv(f)
	f.Fuzz(func(t *testing.T, text, lang string) {
		if len(lang) > 16 || !utf8.ValidString(lang) {
			lang = "es" // Telegram's language_code is a short IETF tag
		}
		p := fuzzPerson(t, env, lang)
		fuzzHandle(t, p, flows.Event{Kind: flows.EventText, Text: text})
		// and once more mid-flow: the denuncia's free-text step takes
		// anything typed as the person's own words
		fuzzHandle(t, p, flows.Event{Kind: flows.EventText, Text: text})
	})
}

func FuzzButton(f *testing.F) {
	for _, s := range []string{
		"", "menu", "x", "rights|t|asylum|1", "albergues||", "denuncia|cat|secuestro",
		"language|set|fr", "|||||", "menu|go|rights|", strings.Repeat("a", 64), strings.Repeat("a", 65),
		"\xff", "emergency", "1|2|3|4|5|6|7|8|9", "zz|zz|zz",
	} {
		f.Add(s, int64(1))
	}
	env := fuzzEnv(f)
	f.Fuzz(func(t *testing.T, data string, message int64) {
		p := fuzzPerson(t, env, "es")
		fuzzHandle(t, p, flows.Event{Kind: flows.EventButton, Data: data, MessageID: message})
	})
}

func FuzzStartPayload(f *testing.F) {
	for _, s := range []string{
		"", "c-feria", "m-tapachula", "c-", "m-", "x-feria", "c-feria tapachula",
		"c-" + strings.Repeat("a", 62), "c-" + strings.Repeat("a", 63), "c-ñandú", "\xff", "c-a\x00b",
	} {
		f.Add(s, "es")
	}
	f.Add("m-tuxtla", "fr")
	env := fuzzEnv(f)
	f.Fuzz(func(t *testing.T, payload, lang string) {
		if len(lang) > 16 || !utf8.ValidString(lang) {
			lang = "es"
		}
		p := newPerson(t, env, env.Engine, 1_000_000+fuzzChat.Add(1), lang)
		fuzzHandle(t, p, flows.Event{Kind: flows.EventCommand, Command: "start", Payload: payload})
		if a := flows.ParseAttribution(payload); a != "" && !strings.HasPrefix(a, "c-") && !strings.HasPrefix(a, "m-") {
			t.Errorf("payload %q kept as attribution %q", payload, a)
		}
	})
}

package flows_test

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"math"
	"net"
	"strconv"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/acercate/acercate/apptest"
	"github.com/acercate/acercate/flows"
	"github.com/redis/go-redis/v9"
)

// requestsOf returns the request-log rows of one update.
func requestsOf(t *testing.T, env *apptest.Env, update int64) []flows.Request {
	t.Helper()
	all, err := env.Store.Requests(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	var out []flows.Request
	for _, r := range all {
		if r.UpdateID == update {
			out = append(out, r)
		}
	}
	return out
}

func TestStartPayloadIsRecordedOnlyWhenValid(t *testing.T) {
	env := apptest.New(t)
	env.KnownCodes(t, "c-feria", "m-tapachula")
	p := newPerson(t, env, nil, 11, "es")
	ctx := context.Background()

	p.command("start", "C-Feria")
	p.command("start", "<script>alert(1)</script>")
	p.command("start", "m-\xff\xfe")
	p.command("start", strings.Repeat("c-a", 30))
	p.text("hola")
	p.command("start", "m-tapachula")

	rows, err := env.Store.Requests(ctx)
	if err != nil {
		t.Fatal(err)
	}
	want := []struct{ topic, detail, campaign, modulo string }{
		{"first", "c", "feria", ""},
		{"start", "junk", "feria", ""}, // junk leaves the attribution in force
		{"start", "junk", "feria", ""}, // invalid UTF-8
		{"start", "junk", "feria", ""}, // too long
		{"", "", "feria", ""},
		{"start", "m", "", "tapachula"},
	}
	if len(rows) != len(want) {
		t.Fatalf("%d request rows, want %d: %+v", len(rows), len(want), rows)
	}
	person := env.Keys.Hash("person", "11")
	for i, w := range want {
		r := rows[i]
		if r.Topic != w.topic || r.Detail != w.detail || r.Campaign != w.campaign || r.Modulo != w.modulo {
			t.Errorf("row %d = %+v, want topic %q detail %q campaign %q modulo %q", i, r, w.topic, w.detail, w.campaign, w.modulo)
		}
		if r.Person != person || r.Lang != "es" {
			t.Errorf("row %d: person %q lang %q", i, r.Person, r.Lang)
		}
		for _, field := range []string{r.Kind, r.Flow, r.Topic, r.Detail, r.Campaign, r.Modulo} {
			if strings.Contains(field, "script") || strings.Contains(field, "\xff") || strings.Contains(field, "11") {
				t.Errorf("row %d stores what the person sent: %+v", i, r)
			}
		}
	}
	if a := p.state().Attribution; a != "m-tapachula" {
		t.Fatalf("attribution = %q", a)
	}
}

// One account sent /start with 20 made-up campaign codes in a second and
// each became a campaign in the weekly report. Only codes of campaigns and
// módulos that exist count; an unknown one is ignored (the attribution in
// force stays) and logged as "unknown".
func TestUnknownStartCodesAreNotCounted(t *testing.T) {
	env := apptest.New(t, apptest.WithEngine(flows.Config{FloodBurst: 1000}))
	env.KnownCodes(t, "c-feria")
	p := newPerson(t, env, nil, 21, "es")
	ctx := context.Background()
	p.command("start", "c-feria")
	for i := 0; i < 20; i++ {
		p.command("start", fmt.Sprintf("c-falsa%d", i))
	}
	p.command("start", "m-nowhere")
	rows, err := env.Store.Requests(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if len(rows) != 22 {
		t.Fatalf("%d rows", len(rows))
	}
	for i, r := range rows {
		if r.Campaign != "feria" || r.Modulo != "" {
			t.Errorf("row %d counts campaign %q módulo %q", i, r.Campaign, r.Modulo)
		}
		if i > 0 && r.Detail != "unknown" {
			t.Errorf("row %d detail %q, want unknown", i, r.Detail)
		}
	}
	if a := p.state().Attribution; a != "c-feria" {
		t.Errorf("attribution = %q", a)
	}
}

func TestBadInputIsAnsweredKindlyAndLosesNothing(t *testing.T) {
	env := apptest.New(t)
	env.KnownCodes(t, "c-feria")
	eng := demoEngine(t, env, flows.Config{})
	p := newPerson(t, env, eng, 12, "fr")
	p.command("start", "c-feria")
	p.command("demo", "")
	p.text("they took my phone")
	before := p.state()
	if before.Flow != "demo" || before.Drafts["demo"]["story"] == "" {
		t.Fatalf("setup: state %+v", before)
	}
	long := strings.Repeat("é", flows.MaxText+1)
	nan, inf := math.NaN(), math.Inf(1)
	cases := []struct {
		name string
		ev   flows.Event
		want string // message id
	}{
		{"invalid UTF-8 text", flows.Event{Kind: flows.EventText, Text: "hola \xc3\x28"}, "input.invalid"},
		{"invalid UTF-8 command", flows.Event{Kind: flows.EventCommand, Command: "men\xffu"}, "input.invalid"},
		{"invalid UTF-8 caption", flows.Event{Kind: flows.EventPhoto, PhotoID: "p", Text: "\xff"}, "input.invalid"},
		{"oversized text", flows.Event{Kind: flows.EventText, Text: long}, "input.too_long"},
		{"no location", flows.Event{Kind: flows.EventLocation}, "input.bad_location"},
		{"latitude 91", flows.Event{Kind: flows.EventLocation, Location: &flows.Location{Lat: 91, Lon: 0}}, "input.bad_location"},
		{"longitude -181", flows.Event{Kind: flows.EventLocation, Location: &flows.Location{Lat: 14.9, Lon: -181}}, "input.bad_location"},
		{"NaN", flows.Event{Kind: flows.EventLocation, Location: &flows.Location{Lat: nan, Lon: 0}}, "input.bad_location"},
		{"Inf", flows.Event{Kind: flows.EventLocation, Location: &flows.Location{Lat: 0, Lon: inf}}, "input.bad_location"},
		{"button data of 65 bytes", flows.Event{Kind: flows.EventButton, Data: "demo:1:done:" + strings.Repeat("x", 53)}, "button.unknown"},
		{"button data not UTF-8", flows.Event{Kind: flows.EventButton, Data: "demo:1:\xff:"}, "button.unknown"},
		{"forged button", flows.Event{Kind: flows.EventButton, Data: "nonsense"}, "button.unknown"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			p.t = t
			replies := p.do(tc.ev)
			if !has(replies, msg(env, "fr", tc.want, "Max", flows.MaxText)) {
				t.Fatalf("replies %q, want %s", texts(replies), tc.want)
			}
			if tc.ev.Kind == flows.EventButton && (len(replies) == 0 || replies[0].Kind != flows.AnswerTap) {
				t.Fatalf("the tap was not answered first: %+v", replies)
			}
			after := p.state()
			if after.Flow != before.Flow || after.Step != before.Step || after.Lang != "fr" ||
				after.Attribution != "c-feria" || !equalDrafts(after.Drafts, before.Drafts) {
				t.Fatalf("state changed:\nbefore %+v\nafter  %+v", before, after)
			}
		})
	}
	p.t = t
	// The story step still takes the person's words.
	if r := p.text("and my papers"); !has(r, "demo: noted") {
		t.Fatalf("story step lost: %q", texts(r))
	}
	if got := p.state().Drafts["demo"]["story"]; got != "they took my phone|and my papers|" {
		t.Fatalf("story = %q", got)
	}
	// Exactly MaxText characters is not too long.
	if r := p.text(strings.Repeat("é", flows.MaxText)); !has(r, "demo: noted") {
		t.Fatalf("a message of exactly %d characters was refused: %q", flows.MaxText, texts(r))
	}
}

func equalDrafts(a, b map[string]map[string]string) bool {
	ja, _ := json.Marshal(a)
	jb, _ := json.Marshal(b)
	return string(ja) == string(jb)
}

func TestEmergencyWordsMidFlow(t *testing.T) {
	env := apptest.New(t)
	eng := demoEngine(t, env, flows.Config{})
	p := newPerson(t, env, eng, 13, "ht")
	p.command("start", "")
	p.command("demo", "")

	// In a step that takes the person's words: help first, then the words
	// reach the step.
	r := p.text("yo vle touye m, anmwe")
	help := msg(env, "ht", "emergency.text")
	if len(r) != 2 || r[0].Text != help || r[1].Text != "demo: noted" {
		t.Fatalf("replies %q", texts(r))
	}
	if got := p.state().Drafts["demo"]["story"]; got != "yo vle touye m, anmwe|" {
		t.Fatalf("story = %q", got)
	}
	// In a step that does not: help, then the step again; nothing stored.
	st := p.state()
	p.tap("demo:" + itoa(st.Gen) + ":next:")
	r = p.text("AUXILIO")
	if len(r) != 2 || r[0].Text != help || r[1].Text != "demo: confirm?" {
		t.Fatalf("replies %q", texts(r))
	}
	if st := p.state(); st.Flow != "demo" || st.Step != "confirm" || st.Drafts["demo"]["story"] != "yo vle touye m, anmwe|" {
		t.Fatalf("state after emergency: %+v", st)
	}
	// From the menu, help and then the flow the words asked for.
	p.command("menu", "")
	r = p.text("help, they want to kill me, I want to change language")
	if len(r) != 2 || r[0].Text != help || r[1].Text != msg(env, "ht", "lang.choose") {
		t.Fatalf("replies %q", texts(r))
	}
	// "Help me" asking for something else is not a danger: the flow only.
	p.command("menu", "")
	r = p.text("help me, I want to change language")
	if len(r) != 1 || r[0].Text != msg(env, "ht", "lang.choose") {
		t.Fatalf("replies %q", texts(r))
	}
}

func TestCancelDropsDraftsAndStaleButtonsResume(t *testing.T) {
	env := apptest.New(t)
	eng := demoEngine(t, env, flows.Config{})
	p := newPerson(t, env, eng, 14, "es")
	p.command("start", "")
	p.command("demo", "")
	story := p.state()
	p.tap("demo:" + itoa(story.Gen) + ":next:")
	// The story step's button again, after the step moved on.
	r := p.tap("demo:" + itoa(story.Gen) + ":next:")
	if !has(r, msg(env, "es", "button.stale")) || !has(r, "demo: confirm?") {
		t.Fatalf("old button: %q", texts(r))
	}
	if r[0].Kind != flows.AnswerTap || r[0].Text == "" {
		t.Fatalf("old button's tap not answered with a notice: %+v", r[0])
	}
	if st := p.state(); st.Step != "confirm" || st.Drafts["demo"] == nil {
		t.Fatalf("old button changed the state: %+v", st)
	}
	r = p.command("cancelar", "")
	if !has(r, msg(env, "es", "cancel.done")) || !has(r, msg(env, "es", "menu.title")) {
		t.Fatalf("cancel: %q", texts(r))
	}
	if st := p.state(); st.Flow != "menu" || st.Drafts != nil {
		t.Fatalf("after cancel: %+v", st)
	}
}

func TestPanickingStepApologisesAndKeepsTheDraft(t *testing.T) {
	env := apptest.New(t)
	env.KnownCodes(t, "m-tapachula")
	var logged bytes.Buffer
	eng := demoEngine(t, env, flows.Config{Logger: slog.New(slog.NewJSONHandler(&logged, nil))})
	p := newPerson(t, env, eng, 15, "pt")
	p.command("start", "m-tapachula")
	p.command("demo", "")
	p.text("primeira parte")
	r := p.text("boom")
	if !has(r, msg(env, "pt", "menu.apology")) || !has(r, msg(env, "pt", "menu.title")) {
		t.Fatalf("replies %q", texts(r))
	}
	st := p.state()
	d := st.Drafts["demo"]
	if st.Flow != "menu" || st.Lang != "pt" || st.Attribution != "m-tapachula" || d["story"] != "primeira parte|" || d["half"] != "" || st.Vars["half"] != "" {
		t.Fatalf("state after panic: %+v", st)
	}
	rows := requestsOf(t, env, p.next)
	if len(rows) != 1 || rows[0].Kind != "panic" {
		t.Fatalf("log rows %+v", rows)
	}
	// The panic is logged with its stack, but not what the person typed,
	// even when the panic's value was made from it.
	if !strings.Contains(logged.String(), "step panicked") || strings.Contains(logged.String(), "boom") {
		t.Fatalf("log:\n%s", logged.String())
	}
}

func TestFailedStepSavesAndSendsNothing(t *testing.T) {
	env := apptest.New(t)
	eng := demoEngine(t, env, flows.Config{})
	p := newPerson(t, env, eng, 16, "es")
	p.command("start", "")
	p.command("demo", "")
	before := p.state()
	ev := p.event(flows.Event{Kind: flows.EventText, Text: "fail"})
	out, err := eng.Handle(context.Background(), ev)
	if !errors.Is(err, io.ErrUnexpectedEOF) || out != nil {
		t.Fatalf("Handle = %+v, %v; want the step's error", out, err)
	}
	after := p.state()
	if after.Gen != before.Gen || after.Drafts["demo"]["lost"] != "" {
		t.Fatalf("a failed step saved state: %+v", after)
	}
	if rows := requestsOf(t, env, ev.UpdateID); len(rows) != 0 {
		t.Fatalf("a failed step was logged: %+v", rows)
	}
}

func TestDuplicateUpdates(t *testing.T) {
	env := apptest.New(t)
	ctx := context.Background()
	p := newPerson(t, env, nil, 17, "es")
	ev := p.event(flows.Event{Kind: flows.EventCommand, Command: "start", Payload: "c-feria"})
	first, err := env.Engine.Handle(ctx, ev)
	if err != nil || first.Duplicate || len(first.Replies) != 2 {
		t.Fatalf("first = %+v, %v", first, err)
	}
	gen := p.state().Gen
	// Re-delivered before anything was sent: all replies again, the step
	// not run again.
	again, err := env.Engine.Handle(ctx, ev)
	if err != nil || !again.Duplicate || again.Sent != 0 || len(again.Replies) != 2 || again.Replies[1].Text != first.Replies[1].Text {
		t.Fatalf("again = %+v, %v", again, err)
	}
	// One reply delivered, then a crash: only the other one.
	if err := env.Engine.Delivered(ctx, ev, 1); err != nil {
		t.Fatal(err)
	}
	again, err = env.Engine.Handle(ctx, ev)
	if err != nil || !again.Duplicate || again.Sent != 1 || len(again.Replies) != 1 || again.Replies[0].Text != first.Replies[1].Text {
		t.Fatalf("after 1 delivered = %+v, %v", again, err)
	}
	// Until all are delivered, their sealed copy is kept; then only that
	// the update was handled.
	rdb, key := env.Redis.Client, env.Engine.Store().RepliesKey(ev.ChatID, ev.UpdateID)
	if rdb.Exists(ctx, key).Val() != 1 {
		t.Fatal("the undelivered reply's sealed copy is gone")
	}
	// Delivered counts never go back.
	env.Engine.Delivered(ctx, ev, 2)
	env.Engine.Delivered(ctx, ev, 1)
	again, err = env.Engine.Handle(ctx, ev)
	if err != nil || !again.Duplicate || len(again.Replies) != 0 || again.Sent != 2 {
		t.Fatalf("after all delivered = %+v, %v", again, err)
	}
	if rdb.Exists(ctx, key).Val() != 0 {
		t.Fatal("a delivered update's replies are still kept")
	}
	records := env.Engine.Store().UpdatesKey(ev.ChatID)
	if v := rdb.HGet(ctx, records, strconv.FormatInt(ev.UpdateID, 10)).Val(); !strings.HasPrefix(v, "2:2:") {
		t.Fatalf("the update's record is %q, want 2 replies, 2 delivered", v)
	}
	if g := p.state().Gen; g != gen {
		t.Fatalf("duplicates ran the step again: gen %d → %d", gen, g)
	}
	if rows := requestsOf(t, env, ev.UpdateID); len(rows) != 1 {
		t.Fatalf("%d log rows for one update", len(rows))
	}
	// The same update id in another chat is another update.
	other := ev
	other.ChatID, other.UserID = flows.Telegram(18), flows.Telegram(18)
	if out, err := env.Engine.Handle(ctx, other); err != nil || out.Duplicate {
		t.Fatalf("other chat = %+v, %v", out, err)
	}
}

func TestStateAndUpdateTTLs(t *testing.T) {
	env := apptest.New(t)
	ctx := context.Background()
	p := newPerson(t, env, nil, 19, "es")
	p.command("start", "")
	rdb := env.Redis.Client
	st := env.Engine.Store()
	ttl := rdb.PTTL(ctx, st.StateKey(flows.Telegram(19))).Val()
	if ttl <= 72*time.Hour-time.Minute || ttl > 72*time.Hour {
		t.Fatalf("state TTL = %v, want 72h", ttl)
	}
	ttl = rdb.PTTL(ctx, st.UpdatesKey(flows.Telegram(19))).Val()
	if ttl <= 24*time.Hour-time.Minute || ttl > 24*time.Hour {
		t.Fatalf("update records' TTL = %v, want 24h", ttl)
	}
	// Every event renews the state's TTL.
	env.Advance(t, 10*time.Hour)
	p.text("hola")
	if ttl := rdb.PTTL(ctx, st.StateKey(flows.Telegram(19))).Val(); ttl <= 72*time.Hour-time.Minute {
		t.Fatalf("state TTL after an event = %v, want renewed to 72h", ttl)
	}
	// After 24 h without an update the records are gone; the state is
	// still there.
	env.Advance(t, 25*time.Hour)
	if n := rdb.Exists(ctx, st.UpdatesKey(flows.Telegram(19))).Val(); n != 0 {
		t.Fatal("update records outlived 24 h")
	}
	p.state()
	// Nothing in Redis names the chat or holds plain text.
	keys := rdb.Keys(ctx, env.Redis.Prefix+"*").Val()
	for _, k := range keys {
		if strings.Contains(k, "19") && !strings.Contains(k, env.Keys.Hash("chat", "19")) {
			t.Errorf("key %q may hold the raw chat id", k)
		}
		for _, v := range rdb.HGetAll(ctx, k).Val() {
			if strings.Contains(v, "hola") || strings.Contains(v, `"lang"`) {
				t.Errorf("key %q holds plain data", k)
			}
		}
	}
}

func TestStaleStateApologisesAndShowsTheMenu(t *testing.T) {
	env := apptest.New(t)
	ctx := context.Background()
	rdb := env.Redis.Client
	st := env.Engine.Store()
	put := func(chat int64, plain []byte) {
		key := st.StateKey(flows.Telegram(chat))
		if err := rdb.HSet(ctx, key, "v", 7, "b", env.Keys.Seal(plain, []byte(key))).Err(); err != nil {
			t.Fatal(err)
		}
	}
	// Written by a future version: the step cannot be trusted, the
	// language and the attribution can.
	put(21, []byte(`{"v":99,"lang":"ht","noticed":true,"attr":"c-feria","flow":"rights","step":"gone","gen":5}`))
	p := newPerson(t, env, nil, 21, "es")
	r := p.text("bonjou")
	if len(r) != 2 || r[0].Text != msg(env, "ht", "menu.apology") || r[1].Text != msg(env, "ht", "menu.title") {
		t.Fatalf("replies %q", texts(r))
	}
	if s := p.state(); s.Flow != "menu" || s.Lang != "ht" || s.Attribution != "c-feria" || s.Schema != flows.SchemaVersion {
		t.Fatalf("state %+v", s)
	}
	if rows := requestsOf(t, env, p.next); rows[0].Kind != "stale_state" || rows[0].Campaign != "feria" {
		t.Fatalf("log %+v", rows)
	}

	// An old state with emergency words: the help is not delayed.
	put(22, []byte(`{"v":0,"lang":"fr","flow":"x"}`))
	p = newPerson(t, env, nil, 22, "fr")
	r = p.text("au secours")
	if !has(r, msg(env, "fr", "menu.apology")) || !has(r, msg(env, "fr", "emergency.text")) {
		t.Fatalf("replies %q", texts(r))
	}

	// The current schema, in a flow this version does not have.
	put(23, []byte(`{"v":1,"lang":"pt","noticed":true,"flow":"removed","step":"x"}`))
	p = newPerson(t, env, nil, 23, "es")
	r = p.text("oi")
	if len(r) != 2 || r[0].Text != msg(env, "pt", "menu.apology") || r[1].Text != msg(env, "pt", "menu.title") {
		t.Fatalf("replies %q", texts(r))
	}

	// Unreadable (another key, corrupt): a fresh start in the phone's
	// language, with a junk language and attribution ignored.
	if err := rdb.HSet(ctx, st.StateKey(flows.Telegram(24)), "v", 3, "b", "garbage").Err(); err != nil {
		t.Fatal(err)
	}
	put(25, []byte(`{"v":0,"lang":"xx","attr":"<junk>"}`))
	for _, chat := range []int64{24, 25} {
		p = newPerson(t, env, nil, chat, "en")
		r = p.text("hello")
		if !has(r, msg(env, "en", "privacy.notice")) || !has(r, msg(env, "en", "menu.title")) {
			t.Fatalf("chat %d: replies %q", chat, texts(r))
		}
		if s := p.state(); s.Lang != "en" || s.Attribution != "" {
			t.Fatalf("chat %d: state %+v", chat, s)
		}
	}
}

func TestRedisDownMidChat(t *testing.T) {
	env := apptest.New(t)
	if env.Redis.Embedded == nil {
		t.Skip("stops the embedded Redis; REDIS_URL is set")
	}
	ctx := context.Background()
	p := newPerson(t, env, nil, 31, "es")
	p.command("start", "")
	p.command("idioma", "")
	before := p.state()

	env.Redis.Embedded.Pause()
	ev := p.event(flows.Event{Kind: flows.EventText, Text: "français"})
	if out, err := env.Engine.Handle(ctx, ev); err == nil {
		t.Fatalf("Handle with Redis down = %+v, want an error", out)
	}
	// The state came from the process's cache, so the step ran and was
	// logged before its save failed (the log comes first, so a saved
	// update is always logged): at most once, as the retry shows.
	if rows := requestsOf(t, env, ev.UpdateID); len(rows) > 1 {
		t.Fatalf("logged twice while Redis was down: %+v", rows)
	}
	if err := env.Redis.Embedded.Restart(); err != nil {
		t.Fatal(err)
	}
	if s := p.state(); s.Gen != before.Gen || s.Lang != "es" {
		t.Fatalf("state changed while Redis was down: %+v", s)
	}
	// The channel retries the same event: it is handled once, now.
	out, err := env.Engine.Handle(ctx, ev)
	if err != nil || out.Duplicate || !has(out.Replies, msg(env, "fr", "lang.set")) {
		t.Fatalf("retry = %+v, %v", out, err)
	}
	if s := p.state(); s.Lang != "fr" {
		t.Fatalf("state after retry: %+v", s)
	}
	if rows := requestsOf(t, env, ev.UpdateID); len(rows) != 1 {
		t.Fatalf("%d log rows", len(rows))
	}
}

// failEval makes Redis scripts fail while on: the state was loaded and the
// request logged, and the save fails.
type failEval struct{ on atomic.Bool }

func (h *failEval) DialHook(next redis.DialHook) redis.DialHook { return next }
func (h *failEval) ProcessPipelineHook(next redis.ProcessPipelineHook) redis.ProcessPipelineHook {
	return next
}
func (h *failEval) ProcessHook(next redis.ProcessHook) redis.ProcessHook {
	return func(ctx context.Context, cmd redis.Cmder) error {
		if h.on.Load() && strings.HasPrefix(cmd.Name(), "eval") {
			err := &net.OpError{Op: "write", Net: "tcp", Err: errors.New("connection reset")}
			cmd.SetErr(err)
			return err
		}
		return next(ctx, cmd)
	}
}

func TestSaveFailingAfterTheLogIsRetriedOnce(t *testing.T) {
	env := apptest.New(t)
	ctx := context.Background()
	hook := &failEval{}
	env.App.Redis.AddHook(hook)
	p := newPerson(t, env, nil, 32, "ht")
	p.command("start", "")
	before := p.state()

	hook.on.Store(true)
	ev := p.event(flows.Event{Kind: flows.EventCommand, Command: "idioma"})
	if _, err := env.Engine.Handle(ctx, ev); err == nil {
		t.Fatal("Handle succeeded though the save failed")
	}
	hook.on.Store(false)
	if s := p.state(); s.Gen != before.Gen || s.Flow != "menu" {
		t.Fatalf("state changed by a failed save: %+v", s)
	}
	out, err := env.Engine.Handle(ctx, ev)
	if err != nil || out.Duplicate || !has(out.Replies, msg(env, "ht", "lang.choose")) {
		t.Fatalf("retry = %+v, %v", out, err)
	}
	if rows := requestsOf(t, env, ev.UpdateID); len(rows) != 1 {
		t.Fatalf("%d log rows for one update", len(rows))
	}
}

func TestFloodIsAnsweredOnceThenDropped(t *testing.T) {
	env := apptest.New(t, apptest.WithEngine(flows.Config{FloodRate: 1, FloodBurst: 5}))
	p := newPerson(t, env, nil, 33, "fr")
	for i := 0; i < 5; i++ {
		if r := p.text("bonjour"); !has(r, msg(env, "fr", "menu.title")) {
			t.Fatalf("message %d: %q", i, texts(r))
		}
	}
	if r := p.text("bonjour"); len(r) != 1 || r[0].Text != msg(env, "fr", "input.flood") {
		t.Fatalf("first flooded message: %q", texts(r))
	}
	for i := 0; i < 3; i++ {
		if r := p.text("bonjour"); len(r) != 0 {
			t.Fatalf("flooded message answered: %q", texts(r))
		}
	}
	if rows := requestsOf(t, env, p.next); len(rows) != 1 || rows[0].Kind != "flood" {
		t.Fatalf("log %+v", rows)
	}
	// Another person is not limited; and after a pause this one is heard.
	q := newPerson(t, env, nil, 34, "fr")
	if r := q.text("bonjour"); len(r) == 0 {
		t.Fatal("another person was limited")
	}
	env.Clock.Advance(3 * time.Second)
	if r := p.text("bonjour"); !has(r, msg(env, "fr", "menu.title")) {
		t.Fatalf("after a pause: %q", texts(r))
	}
}

func TestFirstContactEdgeCases(t *testing.T) {
	env := apptest.New(t)
	// A first message that is a command other than /start is answered
	// after the notice.
	p := newPerson(t, env, nil, 41, "es")
	r := p.command("ayuda", "")
	if len(r) != 2 || r[0].Text != msg(env, "es", "privacy.notice") || r[1].Text != msg(env, "es", "help.text") {
		t.Fatalf("first /ayuda: %q", texts(r))
	}
	// Before a language is chosen, problems are answered in the phone's
	// language when shipped.
	p = newPerson(t, env, nil, 42, "pt-BR")
	if r := p.text("\xff"); len(r) != 1 || r[0].Text != msg(env, "pt", "input.invalid") {
		t.Fatalf("invalid first message: %q", texts(r))
	}
	// A group command addressed to the bot.
	p = newPerson(t, env, nil, 43, "fr")
	p.command("start", "")
	if r := p.command("aide@AcercateBot", ""); !has(r, msg(env, "fr", "help.text")) {
		t.Fatalf("/aide@bot: %q", texts(r))
	}
	// A very long unknown command is not echoed whole.
	if r := p.command(strings.Repeat("x", 60), ""); !strings.Contains(texts(r), "/"+strings.Repeat("x", 32)+"…") {
		t.Fatalf("long unknown command: %q", texts(r))
	}
}

// TestStateWithRemovedFieldsLoads: a state saved while State still had
// LastMessage ("last") and Updated ("at") goes on where it was, with no
// apology: the fields went without a schema change.
func TestStateWithRemovedFieldsLoads(t *testing.T) {
	env := apptest.New(t)
	ctx := context.Background()
	st := env.Engine.Store()
	key := st.StateKey(flows.Telegram(31))
	plain := []byte(`{"v":1,"lang":"fr","noticed":true,"flow":"albergues","step":"ask","gen":2,"last":812,"at":"2026-11-20T10:00:00Z"}`)
	if err := env.Redis.Client.HSet(ctx, key, "v", 4, "b", env.Keys.Seal(plain, []byte(key))).Err(); err != nil {
		t.Fatal(err)
	}
	s, ok, err := st.LoadState(ctx, flows.Telegram(31))
	if err != nil || !ok || s.Flow != "albergues" || s.Step != "ask" || s.Lang != "fr" || !s.Noticed || s.Gen != 2 {
		t.Fatalf("state %+v, %v, %v", s, ok, err)
	}
	p := newPerson(t, env, nil, 31, "fr")
	r := p.text("Tapachula")
	if has(r, msg(env, "fr", "menu.apology")) || !strings.Contains(texts(r), "Tapachula") {
		t.Fatalf("replies %q", texts(r))
	}
	if s := p.state(); s.Flow != "albergues" {
		t.Fatalf("state after %+v", s)
	}
}

package run_test

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/acercate/acercate/apptest"
	"github.com/acercate/acercate/bot"
	"github.com/acercate/acercate/bot/telegramtest"
	"github.com/acercate/acercate/desk"
	"github.com/acercate/acercate/flows"
	"github.com/acercate/acercate/flows/run"
)

// A second channel, for tests only, shaped like WhatsApp: people are
// string ids, a message carries at most 3 buttons (more become a numbered
// list the person answers by typing a number), nothing can be edited, and
// the app says "throttled, wait" in its own words. Its adapter below is
// all a new channel needs: it converts what the app delivers into events
// and hands them to the runner, renders replies within the app's limits,
// and maps the app's errors onto flows.SendError. The engine, the runner
// and the desk are the real ones, unchanged; the staff stay in their
// Telegram group (the fake Bot API).

const chatApp = "chatapp"

// appMessage is a message as the app shows it.
type appMessage struct {
	id      int64
	text    string
	buttons []string // at most 3
}

// appError is the app's own failure: "throttled" (wait), "gone" (the
// person left the app), anything else a server error.
type appError struct {
	code string
	wait time.Duration
}

func (e *appError) Error() string { return "chatapp: " + e.code }

// app is the fake messaging app: what each person's screen shows.
type app struct {
	mu       sync.Mutex
	next     int64
	screens  map[string][]appMessage
	throttle int // the next sends refused with "throttled"
}

func (a *app) send(to string, text string, buttons []string) (int64, error) {
	a.mu.Lock()
	defer a.mu.Unlock()
	if a.throttle > 0 {
		a.throttle--
		return 0, &appError{code: "throttled", wait: 10 * time.Millisecond}
	}
	if len(buttons) > 3 {
		return 0, &appError{code: "too_many_buttons"}
	}
	a.next++
	if a.screens == nil {
		a.screens = map[string][]appMessage{}
	}
	a.screens[to] = append(a.screens[to], appMessage{id: a.next, text: text, buttons: buttons})
	return a.next, nil
}

func (a *app) screen(to string) []appMessage {
	a.mu.Lock()
	defer a.mu.Unlock()
	return append([]appMessage(nil), a.screens[to]...)
}

// adapter is the chat app's channel adapter.
type adapter struct {
	app    *app
	runner *run.Runner[flows.Address]
	mu     sync.Mutex
	update int64
	// choices are the buttons of each person's last message that had
	// some, by what the person sends to pick one (a button's label, or a
	// list's number).
	choices map[string]map[string]choice
	// editsAsNew counts edits sent as new messages (the app cannot edit).
	editsAsNew int
}

type choice struct {
	data     string // an inline button's data; "" for a keyboard button
	message  int64
	location bool
}

// receive is what the app delivers: a text (a typed number or a button's
// label picks a choice) or a location. It returns once the runner handled
// it, as a webhook would.
func (ad *adapter) receive(ctx context.Context, from, text string, loc *flows.Location) error {
	ad.mu.Lock()
	ad.update++
	a := flows.Address{Channel: chatApp, ID: from}
	ev := flows.Event{UpdateID: ad.update, ChatID: a, UserID: a, Lang: "es", Kind: flows.EventText, Text: text}
	if c, ok := ad.choices[from][strings.TrimSpace(text)]; ok && c.data != "" {
		ev.Kind, ev.Text, ev.Data, ev.MessageID = flows.EventButton, "", c.data, c.message
	}
	ad.mu.Unlock()
	if loc != nil {
		ev.Kind, ev.Text, ev.Location = flows.EventLocation, "", loc
	}
	t := &appTask{ad: ad, ev: ev}
	if err := ad.runner.Do(ctx, a, t); err != nil {
		return err
	}
	return t.err
}

// Send delivers one reply (the desk's sender for the chat app): an edit
// is a new message, a tap answer and a keyboard's removal are nothing,
// more than 3 buttons become a numbered list.
func (ad *adapter) Send(ctx context.Context, r flows.Reply) (int64, error) {
	if r.Kind == flows.AnswerTap {
		return 0, nil
	}
	to := r.ChatID.ID
	text, buttons, picks := render(r)
	id, err := ad.app.send(to, text, buttons)
	if err != nil {
		var e *appError
		switch {
		case errors.As(err, &e) && e.code == "throttled":
			return 0, &flows.SendError{Kind: flows.SendRetryAfter, After: e.wait, Err: err}
		case errors.As(err, &e) && e.code == "gone":
			return 0, &flows.SendError{Kind: flows.SendBlocked, Err: err}
		case errors.As(err, &e) && e.code == "too_many_buttons":
			return 0, &flows.SendError{Kind: flows.SendPermanent, Err: err}
		}
		return 0, &flows.SendError{Kind: flows.SendTemporary, Err: err}
	}
	ad.mu.Lock()
	if r.Kind == flows.EditText {
		ad.editsAsNew++
	}
	if len(picks) > 0 {
		// A new message's buttons replace the last one's.
		if ad.choices == nil {
			ad.choices = map[string]map[string]choice{}
		}
		ad.choices[to] = map[string]choice{}
		for k, c := range picks {
			c.message = id
			ad.choices[to][k] = c
		}
	}
	ad.mu.Unlock()
	return id, nil
}

// render fits a reply to the app: its text, at most 3 buttons, and what
// the person can send to pick each choice.
func render(r flows.Reply) (string, []string, map[string]choice) {
	var labels []string
	var cs []choice
	for _, row := range r.Buttons {
		for _, b := range row {
			labels, cs = append(labels, b.Label), append(cs, choice{data: b.Data})
		}
	}
	for _, row := range r.Keyboard {
		for _, k := range row {
			labels, cs = append(labels, k.Label), append(cs, choice{location: k.RequestLocation})
		}
	}
	picks := map[string]choice{}
	text := r.Text
	if len(labels) <= 3 {
		for i, l := range labels {
			picks[l] = cs[i]
		}
		return text, labels, picks
	}
	var b strings.Builder
	b.WriteString(text)
	for i, l := range labels {
		n := strconv.Itoa(i + 1)
		fmt.Fprintf(&b, "\n%s. %s", n, l)
		picks[n], picks[l] = cs[i], cs[i]
	}
	return b.String(), nil, picks
}

// appTask is one update of the chat app for the runner.
type appTask struct {
	ad  *adapter
	ev  flows.Event
	err error
}

func (t *appTask) Prepare(context.Context) (flows.Event, bool, error) { return t.ev, true, nil }

func (t *appTask) Send(ctx context.Context, r flows.Reply) error {
	_, err := t.ad.Send(ctx, r)
	return err
}

func (t *appTask) Finish(_ context.Context, res run.Result) { t.err = res.Err }

// A whole albergues search and a staff conversation from the chat app:
// the same engine, runner and desk as Telegram's, and the staff answer in
// their Telegram group.
func TestSecondChannel(t *testing.T) {
	const group, ana = int64(-100), int64(501)
	hours, err := flows.ParseStaffHours("Mon-Fri 09:00-17:00")
	if err != nil {
		t.Fatal(err)
	}
	staff := flows.StaffConfig{Chat: group, Users: []int64{ana}, Hours: hours, Lang: "es"}
	env := apptest.New(t, apptest.WithEngine(flows.Config{Staff: staff, FloodRate: 1000, FloodBurst: 1000}))
	quiet := slog.New(slog.NewTextHandler(io.Discard, nil))
	ctx, cancel := context.WithCancel(context.Background())
	var wg sync.WaitGroup
	t.Cleanup(func() { cancel(); wg.Wait() })

	// The chat app's adapter, on the runner.
	r, err := run.New[flows.Address](run.Config{Engine: env.Engine, Logger: quiet, Backoff: time.Millisecond})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { r.Stop(context.Background()) })
	ap := &app{throttle: 1}
	ad := &adapter{app: ap, runner: r}

	// The staff group on (fake) Telegram, and the desk.
	tg := telegramtest.New(t)
	tg.Group(group)
	var d *desk.Desk
	b, err := bot.New(ctx, bot.Config{Token: tg.Token, APIURL: tg.APIURL(), Engine: env.Engine,
		Redis: env.Redis.Client, RedisPrefix: env.Redis.Prefix, Keys: env.Keys, Blocked: env.Store,
		PollTimeout: time.Second, Backoff: 10 * time.Millisecond, MaxBackoff: 100 * time.Millisecond,
		OnDelivered: func(ctx context.Context, r flows.Reply, id int64) { d.OnDelivered(ctx, r, id) },
		Logger:      quiet, Now: env.Clock.Now})
	if err != nil {
		t.Fatal(err)
	}
	d, err = desk.New(desk.Config{Store: env.Store, Engine: env.Engine, Sender: b.Sender(),
		Channels: map[string]desk.Sender{chatApp: ad}, Staff: staff,
		Interval: 20 * time.Millisecond, Now: env.Clock.Now, Logger: quiet})
	if err != nil {
		t.Fatal(err)
	}
	wg.Add(2)
	go func() { defer wg.Done(); b.Run(ctx) }()
	go func() { defer wg.Done(); d.Run(ctx) }()

	const person = "p-5215512345678"
	say := func(text string) {
		t.Helper()
		if err := ad.receive(ctx, person, text, nil); err != nil {
			t.Fatalf("%q: %v", text, err)
		}
	}
	last := func() string {
		s := ap.screen(person)
		if len(s) == 0 {
			return ""
		}
		return s[len(s)-1].text
	}
	screenHas := func(sub string) bool {
		for _, m := range ap.screen(person) {
			if strings.Contains(m.text, sub) {
				return true
			}
		}
		return false
	}

	// Hello: the welcome and the menu, its 7 choices as a list. The app
	// throttled the first message once: the runner waited and sent it.
	say("hola")
	if !screenHas("Hola, soy Acércate") || !strings.Contains(last(), "2. Albergues") {
		t.Fatalf("after hola the app shows %+v", ap.screen(person))
	}
	// Albergues, picked by its number: the location question (its one
	// keyboard button fits) and the cities as a list.
	say("2")
	if !screenHas("Enviar mi ubicación") || !strings.Contains(last(), "Palenque") {
		t.Fatalf("no location question or city list: %q", last())
	}
	// Who it is for: the engine edits the list's message, which the app
	// cannot do; the adapter sends the question as a new message.
	say("👥 ¿Para quién es?")
	if !strings.Contains(last(), "¿Para quién buscas albergue?") || ad.editsAsNew == 0 {
		t.Fatalf("the filter question (edits sent as new: %d): %q", ad.editsAsNew, last())
	}
	say("Familias")
	if err := ad.receive(ctx, person, "", &flows.Location{Lat: 14.9, Lon: -92.26}); err != nil {
		t.Fatal(err)
	}
	if !screenHas("Albergue Diocesano Belén") || !screenHas("km") {
		t.Fatalf("no shelters for families near Tapachula: %q", last())
	}

	// A person from the staff: the ticket is announced in the Telegram
	// group, Ana answers there, and the desk delivers her answer through
	// the chat app's sender.
	say("quiero hablar con una persona")
	say("Necesito saber cómo pedir refugio")
	if !screenHas("Tu número de caso es T1") {
		t.Fatalf("no ticket: %q", last())
	}
	ann := waitTG(t, tg, group, "Nuevo caso T1", "Necesito saber cómo pedir refugio")
	tg.Reply(group, telegramtest.Person{ID: ana, FirstName: "Ana"}, ann.ID, "Hola, ve al módulo de Tapachula")
	waitFor(t, "the staff's answer on the chat app", func() bool { return screenHas("ve al módulo de Tapachula") })
	say("Gracias, ¿a qué hora abren?")
	waitTG(t, tg, group, "T1 ▸ Gracias, ¿a qué hora abren?")

	for _, m := range ap.screen(person) {
		if len(m.buttons) > 3 {
			t.Errorf("a message with %d buttons: %q", len(m.buttons), m.text)
		}
	}
	if ap.throttle != 0 {
		t.Errorf("the throttled send was not retried")
	}
}

func waitFor(t *testing.T, what string, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(15 * time.Second)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatalf("timed out waiting for %s", what)
		}
		time.Sleep(10 * time.Millisecond)
	}
}

func waitTG(t *testing.T, tg *telegramtest.Server, chat int64, want ...string) telegramtest.Message {
	t.Helper()
	var found telegramtest.Message
	waitFor(t, fmt.Sprintf("%q in the staff group", want), func() bool {
		for _, m := range tg.BotMessages(chat) {
			ok := true
			for _, w := range want {
				ok = ok && strings.Contains(m.Text, w)
			}
			if ok {
				found = m
				return true
			}
		}
		return false
	})
	return found
}

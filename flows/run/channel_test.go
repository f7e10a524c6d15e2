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
// string ids, a message carries at most 3 buttons, nothing can be edited
// or deleted, there is no "share my location" button, and the app says
// "throttled, wait" in its own words. Its adapter below is all a new
// channel needs: it converts what the app delivers into events carrying
// the channel's capabilities (the engine then lists more than 3 buttons
// by number and sends an edit as a new message), hands them to the
// runner, delivers replies through the app, and maps the app's errors
// onto flows.SendError. The engine, the runner and the desk are the real
// ones, unchanged; the staff stay in their Telegram group (the fake Bot
// API).

const chatApp = "chatapp"

// chatAppCaps are what the chat app can do.
var chatAppCaps = flows.Caps{MaxButtons: 3, MaxButtonsRow: 3}

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
	// buttons are the buttons of each person's last message that had
	// some: label → data and message.
	buttons map[string]map[string]tap
	// refused counts replies the app could not show as they came (an
	// edit, more than 3 buttons): the engine must have fitted them.
	refused int
}

type tap struct {
	data    string
	message int64
}

// receive is what the app delivers: a text (a button's label taps it; a
// number after a list is the engine's to read) or a location. It returns
// once the runner handled it, as a webhook would.
func (ad *adapter) receive(ctx context.Context, from, text string, loc *flows.Location) error {
	ad.mu.Lock()
	ad.update++
	a := flows.Address{Channel: chatApp, ID: from}
	ev := flows.Event{UpdateID: ad.update, ChatID: a, UserID: a, Lang: "es", Kind: flows.EventText, Text: text, Caps: chatAppCaps}
	if b, ok := ad.buttons[from][text]; ok {
		ev.Kind, ev.Text, ev.Data, ev.MessageID = flows.EventButton, "", b.data, b.message
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

// Send delivers one reply (it is also the desk's sender for the chat
// app); a tap answer is nothing to the app.
func (ad *adapter) Send(ctx context.Context, r flows.Reply) (int64, error) {
	if r.Kind == flows.AnswerTap {
		return 0, nil
	}
	to := r.ChatID.ID
	var labels []string
	bs := map[string]tap{}
	for _, row := range r.Buttons {
		for _, b := range row {
			labels = append(labels, b.Label)
			bs[b.Label] = tap{data: b.Data}
		}
	}
	if r.Kind == flows.EditText || len(labels) > 3 {
		ad.mu.Lock()
		ad.refused++
		ad.mu.Unlock()
	}
	id, err := ad.app.send(to, r.Text, labels)
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
	if len(bs) > 0 {
		ad.mu.Lock()
		if ad.buttons == nil {
			ad.buttons = map[string]map[string]tap{}
		}
		for l, b := range bs {
			b.message = id
			bs[l] = b
		}
		ad.buttons[to] = bs
		ad.mu.Unlock()
	}
	return id, nil
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

	// Hello: the welcome and the menu, its 7 choices listed by number
	// (the app shows 3 buttons at most). The app throttled the first
	// message once: the runner waited and sent it.
	say("hola")
	if !screenHas("Hola, soy Acércate") || number(last(), "Albergues") == "" {
		t.Fatalf("after hola the app shows %+v", ap.screen(person))
	}
	// Albergues, by its number: no location button on this app, so the
	// cities, listed.
	say(number(last(), "Albergues"))
	if number(last(), "Palenque") == "" || screenHas("Enviar mi ubicación") {
		t.Fatalf("no city list, or a location button the app has not: %q", last())
	}
	// Who it is for: the engine would edit the list's message; on this
	// app it sends the question as a new one.
	say(number(last(), "¿Para quién es?"))
	if !strings.Contains(last(), "¿Para quién buscas albergue?") {
		t.Fatalf("no filter question: %q", last())
	}
	say(number(last(), "Familias"))
	// A location sent from the app's attachment menu.
	if err := ad.receive(ctx, person, "", &flows.Location{Lat: 14.9, Lon: -92.26}); err != nil {
		t.Fatal(err)
	}
	if !screenHas("Albergue Diocesano Belén") || !screenHas("Recibe a: familias") {
		t.Fatalf("no shelter for families near Tapachula: %q", last())
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

	if ad.refused != 0 {
		t.Errorf("%d replies not fitted to the app (an edit, more than 3 buttons)", ad.refused)
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

// number is the number a list in text gives the choice labelled label
// ("2. Albergues"), or "".
func number(text, label string) string {
	for _, line := range strings.Split(text, "\n") {
		n, rest, ok := strings.Cut(line, ". ")
		if _, err := strconv.Atoi(n); ok && err == nil && strings.Contains(rest, label) {
			return n
		}
	}
	return ""
}

package web_test

import (
	"bufio"
	"context"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/acercate/acercate/apptest"
	"github.com/acercate/acercate/bot"
	"github.com/acercate/acercate/bot/telegramtest"
	"github.com/acercate/acercate/desk"
	"github.com/acercate/acercate/flows"
	"github.com/acercate/acercate/web"
)

const staffGroup, staffAna = -1001234, 777

var pAna = telegramtest.Person{ID: staffAna, FirstName: "Ana"}

// staffedPortal is the portal with the whole staff side running as in
// production: the bot against the fake Telegram server (which holds the
// staff group Ana is in), and the staff desk, which posts tickets to that
// group through the bot and routes staff answers to web visitors through
// the portal (its router for channel "web").
type staffedPortal struct {
	*portal
	tg *telegramtest.Server
}

func newStaffedPortal(t *testing.T) *staffedPortal {
	t.Helper()
	tg := telegramtest.New(t)
	tg.Group(staffGroup)
	staff := flows.StaffConfig{Chat: staffGroup, Users: []int64{staffAna}, Lang: "es"}
	env := apptest.New(t, apptest.WithEngine(flows.Config{Staff: staff}))
	srv, err := web.New(web.Config{Engine: env.Engine, Shelters: env.Store.Deps().Shelters, Keys: env.Store.Keys(),
		Redis: env.App.Redis, RedisPrefix: env.Redis.Prefix, Now: env.Clock.Now})
	if err != nil {
		t.Fatal(err)
	}
	ts := httptest.NewServer(srv.Handler())
	t.Cleanup(ts.Close)

	quiet := slog.New(slog.NewTextHandler(io.Discard, nil))
	var d *desk.Desk
	b, err := bot.New(context.Background(), bot.Config{
		Token: tg.Token, APIURL: tg.APIURL(), Engine: env.Engine,
		Redis: env.App.Redis, RedisPrefix: env.Redis.Prefix, Keys: env.Keys, Blocked: env.Store,
		SendRate: 1000, ChatRate: 1000, ChatBurst: 1000, GroupRate: 1000, GroupBurst: 1000,
		PollTimeout: time.Second, Backoff: 10 * time.Millisecond, MaxBackoff: 100 * time.Millisecond,
		OnDelivered: func(ctx context.Context, r flows.Reply, id int64) { d.OnDelivered(ctx, r, id) },
		Logger:      quiet, Now: env.Clock.Now,
	})
	if err != nil {
		t.Fatal(err)
	}
	d, err = desk.New(desk.Config{Store: env.Store, Engine: env.Engine, Sender: b.Sender(), Staff: staff,
		Channels: map[string]desk.Sender{web.ChannelWeb: srv}, Interval: 20 * time.Millisecond,
		Now: env.Clock.Now, Logger: quiet})
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	var wg sync.WaitGroup
	wg.Add(2)
	go func() { defer wg.Done(); b.Run(ctx) }()
	go func() { defer wg.Done(); d.Run(ctx) }()
	t.Cleanup(func() { cancel(); wg.Wait() })
	return &staffedPortal{portal: &portal{Env: env, Server: srv, HTTP: ts}, tg: tg}
}

// announced waits for the desk's announcement of a ticket holding text in
// the staff group, and returns it.
func (p *staffedPortal) announced(t *testing.T, text string) telegramtest.Message {
	t.Helper()
	var ann telegramtest.Message
	waitFor(t, "the ticket announced in the staff group", func() bool {
		for _, m := range p.tg.BotMessages(staffGroup) {
			if strings.Contains(m.Text, text) && strings.Contains(m.Text, "T1") {
				ann = m
				return true
			}
		}
		return false
	})
	return ann
}

// A web visitor asks for a person (each tap a form post); the ticket is
// announced in the staff group on Telegram; Ana's reply to it, sent
// through Telegram, reaches the visitor's open page live on its event
// stream.
func TestChatStaffAnswerLive(t *testing.T) {
	p := newStaffedPortal(t)
	c := p.client(t)
	page := p.get(t, c, "/chat?lang=es")
	if res := p.do(t, c, "POST", "/chat", chatForm(t, page.Body, "Hablar con una persona")); res.StatusCode != http.StatusSeeOther {
		t.Fatalf("tap: %d", res.StatusCode)
	}
	form := chatForm(t, p.get(t, c, "/chat").Body, "")
	form.Set("text", "Necesito saber cómo pedir refugio")
	if res := p.do(t, c, "POST", "/chat", form); res.StatusCode != http.StatusSeeOther {
		t.Fatalf("message: %d", res.StatusCode)
	}
	if page := p.get(t, c, "/chat"); !strings.Contains(page.Body, "T1") {
		t.Fatalf("no ticket:\n%s", page.Body)
	}
	ann := p.announced(t, "refugio")

	// The visitor's page is open: a live stream.
	req, _ := http.NewRequest("GET", p.HTTP.URL+"/chat/events?v=1000000", nil)
	for _, ck := range c.Jar.Cookies(req.URL) {
		req.AddCookie(ck)
	}
	res, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer res.Body.Close()
	lines := make(chan string, 100)
	go func() {
		sc := bufio.NewScanner(res.Body)
		for sc.Scan() {
			lines <- sc.Text()
		}
		close(lines)
	}()
	waitFor(t, "the live page", func() bool { return p.Server.LivePages() > 0 })
	p.tg.Reply(staffGroup, pAna, ann.ID, "Hola, soy Ana del módulo. Te explico.")
	deadline := time.After(45 * time.Second)
	for {
		select {
		case l, ok := <-lines:
			if !ok {
				t.Fatal("the stream ended")
			}
			if strings.Contains(l, "Hola, soy Ana del módulo") {
				return
			}
		case <-deadline:
			t.Fatal("the staff answer did not arrive live")
		}
	}
}

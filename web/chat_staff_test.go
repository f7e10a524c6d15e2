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
	"github.com/acercate/acercate/desk"
	"github.com/acercate/acercate/flows"
	"github.com/acercate/acercate/web"
)

// groupRecorder stands for Telegram: what the desk posts to the staff group.
type groupRecorder struct {
	mu   sync.Mutex
	next int64
	sent []flows.Reply
}

func (g *groupRecorder) Send(_ context.Context, r flows.Reply) (int64, error) {
	g.mu.Lock()
	defer g.mu.Unlock()
	g.next++
	g.sent = append(g.sent, r)
	return g.next, nil
}

// A web visitor asks for a person; the ticket goes to the staff group;
// a staff member's answer (/r T1 …) reaches the visitor's open page live,
// through the desk's router for channel "web".
func TestChatStaffAnswerLive(t *testing.T) {
	const group, ana = -1001234, 777
	staff := flows.StaffConfig{Chat: group, Users: []int64{ana}, Lang: "es"}
	env := apptest.New(t, apptest.WithEngine(flows.Config{Staff: staff}))
	srv, err := web.New(web.Config{Engine: env.Engine, Shelters: env.Store.Deps().Shelters, Keys: env.Store.Keys(),
		Redis: env.App.Redis, RedisPrefix: env.Redis.Prefix, Now: env.Clock.Now})
	if err != nil {
		t.Fatal(err)
	}
	ts := httptest.NewServer(srv.Handler())
	t.Cleanup(ts.Close)
	p := &portal{Env: env, Server: srv, HTTP: ts}
	rec := &groupRecorder{}
	d, err := desk.New(desk.Config{Store: env.Store, Engine: env.Engine, Sender: rec, Staff: staff,
		Channels: map[string]desk.Sender{web.ChannelWeb: srv}, Now: env.Clock.Now,
		Logger: slog.New(slog.NewTextHandler(io.Discard, nil))})
	if err != nil {
		t.Fatal(err)
	}
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
	if err := d.RunOnce(t.Context()); err != nil {
		t.Fatal(err)
	}
	rec.mu.Lock()
	announced := len(rec.sent) > 0 && strings.Contains(rec.sent[0].Text, "refugio")
	rec.mu.Unlock()
	if !announced {
		t.Fatalf("the ticket was not announced to the group: %+v", rec.sent)
	}

	// The visitor's page is open: a live stream.
	req, _ := http.NewRequest("GET", ts.URL+"/chat/events?v=1000000", nil)
	u := req.URL
	for _, ck := range c.Jar.Cookies(u) {
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
	waitFor(t, "the live page", func() bool { return srv.LivePages() > 0 })
	out, err := env.Engine.Handle(t.Context(), flows.Event{UpdateID: 1, ChatID: flows.Telegram(group), UserID: flows.Telegram(ana), Group: true,
		Kind: flows.EventCommand, Command: "r", Payload: "T1 Hola, soy Ana del módulo. Te explico.", Time: env.Clock.Now()})
	if err != nil || len(out.Replies) == 0 {
		t.Fatalf("staff reply: %v %+v", err, out)
	}
	if err := d.RunOnce(t.Context()); err != nil {
		t.Fatal(err)
	}
	deadline := time.After(10 * time.Second)
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

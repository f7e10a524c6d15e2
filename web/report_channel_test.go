package web_test

import (
	"fmt"
	"net/http"
	"testing"
	"time"

	"github.com/acercate/acercate/flows"
	"github.com/acercate/acercate/hours"
	"github.com/acercate/acercate/report"
	"github.com/acercate/acercate/web"
)

// A visitor of the web chat and a person on Telegram each show in their
// own channel of the weekly report: the web chat's requests are logged
// under its channel by the engine, through the real handler.
func TestReportCountsWebAndTelegramChannels(t *testing.T) {
	p := newPortal(t, web.Config{})
	c := p.client(t)
	page := p.get(t, c, "/chat?lang=es")
	if res := p.do(t, c, http.MethodPost, "/chat", chatForm(t, page.Body, "Albergues")); res.StatusCode != http.StatusSeeOther {
		t.Fatalf("tap: %d", res.StatusCode)
	}
	out, err := p.Engine.Handle(t.Context(), flows.Event{UpdateID: 1, ChatID: flows.Telegram(4242), Kind: flows.EventCommand,
		Command: "start", Time: p.Clock.Now()})
	if err != nil || len(out.Replies) == 0 {
		t.Fatalf("telegram /start: %v %+v", err, out)
	}
	// The week so far is counted up to now, exclusive: a minute later.
	now := p.Clock.Now().Add(time.Minute)
	w, err := hours.Parse("", now)
	if err != nil {
		t.Fatal(err)
	}
	r, err := report.Build(t.Context(), p.Store, w, now)
	if err != nil {
		t.Fatal(err)
	}
	got := map[string]report.Channel{}
	for _, ch := range r.Channels {
		got[ch.Key] = ch
	}
	reqs, err := p.Store.Requests(t.Context())
	if err != nil {
		t.Fatal(err)
	}
	perChannel := map[string]int{}
	for _, q := range reqs {
		perChannel[q.Channel]++
	}
	if len(got) != 2 || got[web.ChannelWeb].People != 1 || got[flows.ChannelTelegram].People != 1 ||
		got[web.ChannelWeb].Requests != perChannel[web.ChannelWeb] || got[flows.ChannelTelegram].Requests != perChannel[flows.ChannelTelegram] ||
		perChannel[web.ChannelWeb] < 2 || perChannel[flows.ChannelTelegram] != 1 {
		t.Errorf("channels %v, the log has %v", r.Channels, perChannel)
	}
	if r.Totals.People != 2 {
		t.Errorf("people = %d, want 2: %s", r.Totals.People, fmt.Sprint(r.Channels))
	}
}

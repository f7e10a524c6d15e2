package bot_test

import (
	"strings"
	"testing"

	"github.com/acercate/acercate/bot/telegramtest"
)

var ana = telegramtest.Person{ID: 5550001, FirstName: "Ana", Lang: "es"}

// A whole conversation through the fake Telegram: /start with a campaign
// payload, menu taps (each answered), typed text, a location, a photo, an
// edited message, a voice note; nothing confirmed before it was handled.
func TestConversation(t *testing.T) {
	h := newHarness(t, nil)
	h.run()
	chat := ana.ID
	h.tg.Command(chat, ana, "/start c-feria-tapachula")
	h.settled("/start")
	bm := h.tg.BotMessages(chat)
	if len(bm) < 2 || !strings.Contains(bm[0].Text, "Acércate") {
		t.Fatalf("after /start the bot said %q", texts(bm))
	}
	if len(telegramtest.Buttons(lastText2(bm))) == 0 {
		t.Fatalf("the menu has no buttons: %q", bm[len(bm)-1].Markup)
	}
	if _, err := h.tg.TapLabel(chat, ana, "Mis derechos"); err != nil {
		t.Fatal(err)
	}
	h.settled("tap")
	if got := h.tg.Unanswered(); len(got) != 0 {
		t.Fatalf("taps left unanswered: %v", got)
	}
	h.tg.Text(chat, ana, "albergue")
	h.settled("albergue")
	if !contains(h.tg.BotMessages(chat), "ubicación") {
		t.Fatalf("no location question: %q", texts(h.tg.BotMessages(chat)))
	}
	// The location request is a reply keyboard button asking for it.
	found := false
	for _, m := range h.tg.BotMessages(chat) {
		if strings.Contains(m.Markup, `"request_location":true`) {
			found = true
		}
	}
	if !found {
		t.Fatal("no reply keyboard with request_location")
	}
	h.tg.Location(chat, ana, 14.9, -92.26)
	h.settled("location")
	if !contains(h.tg.BotMessages(chat), "Tapachula") {
		t.Fatalf("no shelters near Tapachula: %q", lastText(h.tg.BotMessages(chat)))
	}
	h.tg.Voice(chat, ana)
	h.tg.Photo(chat, ana, "")
	up := h.tg.Text(chat, ana, "menu <b>&")
	h.tg.Edit(chat, ana, 1, "idioma")
	h.settled("the rest")
	for _, c := range h.tg.Calls() {
		if c.Status != 200 && c.Method != "getUpdates" {
			t.Errorf("%s answered %d %s", c.Method, c.Status, c.Error)
		}
	}
	if h.tg.Confirmed() <= up {
		t.Fatalf("confirmed offset %d, want past %d", h.tg.Confirmed(), up)
	}
	for _, m := range h.tg.BotMessages(chat) {
		if m.Text == "" && m.Photo == "" {
			t.Errorf("an empty message: %+v", m)
		}
	}
	if v := h.tg.Violations(); len(v) != 0 {
		t.Fatalf("limits broken: %v", v)
	}
	// The engine logged every update once.
	reqs, err := h.env.Store.Requests(t.Context())
	if err != nil {
		t.Fatal(err)
	}
	if len(reqs) < 8 {
		t.Fatalf("request log has %d rows, want one per update", len(reqs))
	}
	for _, m := range h.tg.Messages(chat) {
		t.Logf("%v %q %.60s", m.FromBot, m.Photo, m.Text)
	}
}

func lastText2(ms []telegramtest.Message) string { return ms[len(ms)-1].Markup }

// The logs name update ids and kinds, and never the token, a name, what a
// person wrote or their Telegram id — also when calls fail (a network
// error's URL holds the token) and when another poller conflicts.
func TestLogsHoldNoTokenNameTextOrID(t *testing.T) {
	h := newHarness(t, nil)
	h.tg.Fail("getUpdates", 2, 0, "", 0)
	h.tg.Fail("getUpdates", 1, 409, "Conflict: terminated by other getUpdates request; make sure that only one bot instance is running", 0)
	h.tg.Fail("sendMessage", 1, 0, "", 0)
	h.tg.Fail("sendMessage", 1, 502, "Bad Gateway", 0)
	h.tg.Block(5550002)
	h.run()
	h.tg.Command(ana.ID, ana, "/start")
	h.tg.Text(ana.ID, ana, "necesito un albergue secreto")
	h.tg.Text(5550002, telegramtest.Person{ID: 5550002, FirstName: "Wilner", Lang: "ht"}, "bonjou zanmi")
	h.settled("messages")
	logs := h.logs.String()
	for _, want := range []string{`"update_id"`, `"kind":"text"`, `"kind":"command"`, "conflict", "blocked"} {
		if !strings.Contains(logs, want) {
			t.Errorf("logs lack %s", want)
		}
	}
	for _, bad := range []string{h.tg.Token, strings.Split(h.tg.Token, ":")[1], "Ana", "Wilner", "albergue secreto", "bonjou", "5550001", "5550002"} {
		if strings.Contains(logs, bad) {
			t.Errorf("logs contain %q", bad)
		}
	}
}

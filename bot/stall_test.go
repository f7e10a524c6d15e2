package bot_test

import (
	"context"
	"net/http/httptest"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/acercate/acercate/bot"
	"github.com/acercate/acercate/bot/telegramtest"
)

// One person must never stall the bot for everyone (issue 16, point 1).
// These tests reproduce the stalls the security review measured, with
// Telegram's real sending limits (1 message a second per chat after a
// burst of 3): a flood from one chat, then a bystander writes. The
// bystander must be answered within the first 2 s of the flood's pace
// (answeredDuringFlood); the latency is logged for the record.

var (
	flooder   = telegramtest.Person{ID: 5551001, FirstName: "Flood", Lang: "es"}
	bystander = telegramtest.Person{ID: 5551002, FirstName: "Rosa", Lang: "es"}
)

const floodSize = 25

// telegramLimits are Telegram's documented sending limits.
func telegramLimits(c *bot.Config) {
	c.SendRate, c.ChatRate, c.ChatBurst = bot.DefaultSendRate, bot.DefaultChatRate, bot.DefaultChatBurst
	c.GroupRate, c.GroupBurst = bot.DefaultGroupRate, bot.DefaultGroupBurst
}

// answeredDuringFlood waits until the bystander got an answer and checks
// that by then the flooder had got no more answers than its chat's limit
// lets out in 2 s (the burst of 3, then one a second): the flood's own
// pace is the clock, so "within 2 s" is an event count, not a timing. It
// returns how long the bystander waited, for the record.
func answeredDuringFlood(t *testing.T, h *harness, since time.Time) time.Duration {
	t.Helper()
	var flood int
	waitFor(t, 60*time.Second, "the bystander's answer", func() bool {
		flood = count(h.tg.BotMessages(flooder.ID), "¿En qué te puedo ayudar?")
		return len(h.tg.BotMessages(bystander.ID)) > 0
	})
	took := time.Since(since)
	t.Logf("bystander answered after %v, with %d of the flood's %d answers out", took.Round(time.Millisecond), flood, floodSize)
	if most := bot.DefaultChatBurst + 2; flood > most {
		t.Fatalf("the bystander was answered only after %d of the flood's answers (at most %d may go in 2 s)", flood, most)
	}
	return took
}

// 25 /menu from one private chat, fetched in one batch; a bystander
// writes right after. Before the runner, the batch was confirmed (and the
// next one fetched) only once every chat in it was done: the bystander
// waited the flood's 22 s.
func TestStallPollingFlood(t *testing.T) {
	h := newHarness(t, telegramLimits)
	h.tg.SetLimits(telegramtest.Limits{Chat: 1, ChatBurst: 3, Slack: 1})
	for range floodSize {
		h.tg.Command(flooder.ID, flooder, "/menu")
	}
	stop := h.run()
	waitFor(t, 10*time.Second, "the flood fetched", func() bool { return len(h.tg.BotMessages(flooder.ID)) > 0 })
	since := time.Now()
	last := h.tg.Command(bystander.ID, bystander, "/start")
	answeredDuringFlood(t, h, since)
	waitFor(t, 10*time.Second, "the bystander's update handled", func() bool { return h.handled(last) })
	answered := len(h.tg.BotMessages(bystander.ID))
	// The bystander's update is handled, but not confirmed: it comes
	// after the flood's in Telegram's order (the contiguous prefix).
	if c := h.tg.Confirmed(); c > last {
		t.Fatalf("offset %d confirms the bystander's %d before the flood", c, last)
	}
	// Stopping in the middle of the flood: what was not done stays
	// unconfirmed; a restart answers the rest, each once.
	stop()
	if c := h.tg.Confirmed(); h.tg.Pending() == 0 || c > last {
		t.Fatalf("after stop: offset %d, %d pending", c, h.tg.Pending())
	}
	h.cfg.ChatRate, h.cfg.SendRate = 0, 0
	h.tg.SetLimits(telegramtest.Limits{})
	h.open()
	h.run()
	h.settled("the rest of the flood")
	if n := count(h.tg.BotMessages(flooder.ID), "¿En qué te puedo ayudar?"); n != floodSize {
		t.Fatalf("the flooder got %d menus for %d /menu", n, floodSize)
	}
	if n := len(h.tg.BotMessages(bystander.ID)); n != answered {
		t.Fatalf("the bystander got %d messages after the restart, %d before: answered twice", n, answered)
	}
	if v := h.tg.Violations(); len(v) != 0 {
		t.Fatalf("limits broken: %v", v)
	}
}

// Webhook mode, with a Telegram that sends a chat's next update before
// the last one was answered: 25 /menu from one chat, then a bystander.
// Before the runner, the flood's requests held every connection
// (max_connections was the 8 workers) while they waited in line for
// their chat: the bystander's update could not even be sent.
func TestStallWebhookFlood(t *testing.T) {
	h := newHarness(t, func(c *bot.Config) {
		telegramLimits(c)
		c.WebhookURL, c.WebhookSecret = "https://bot.example.org/tg/hook", "0123456789abcdef0123"
	})
	hook := httptest.NewServer(h.bot.WebhookHandler())
	t.Cleanup(hook.Close)
	h.run()
	waitFor(t, 10*time.Second, "setWebhook", func() bool { u, _ := h.tg.Webhook(); return u != "" })
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan struct{})
	t.Cleanup(func() { cancel(); <-done })
	for range floodSize {
		h.tg.Command(flooder.ID, flooder, "/menu")
	}
	go func() { defer close(done); h.tg.PushWebhook(ctx, hook.URL, 100*time.Millisecond) }()
	waitFor(t, 10*time.Second, "the flood delivered", func() bool { return len(h.tg.BotMessages(flooder.ID)) > 0 })
	since := time.Now()
	h.tg.Command(bystander.ID, bystander, "/start")
	answeredDuringFlood(t, h, since)
}

func count(ms []telegramtest.Message, sub string) int {
	n := 0
	for _, m := range ms {
		if strings.Contains(m.Text, sub) {
			n++
		}
	}
	return n
}

// handled reports whether the bot logged update id as handled.
func (h *harness) handled(id int64) bool {
	for _, line := range strings.Split(h.logs.String(), "\n") {
		if strings.Contains(line, `"msg":"update handled"`) && strings.Contains(line, `"update_id":`+strconv.FormatInt(id, 10)+`,`) {
			return true
		}
	}
	return false
}

package bot_test

import (
	"bytes"
	"context"
	"errors"
	"image"
	"image/png"
	"net/http"
	"net/http/httptest"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/acercate/acercate/bot"
	"github.com/acercate/acercate/bot/telegramtest"
	"github.com/acercate/acercate/flows"
)

func send(t *testing.T, h *harness, r flows.Reply) (int64, error) {
	t.Helper()
	return h.bot.Sender().Send(context.Background(), r)
}

func TestSendEscapesAndFallsBackToPlainText(t *testing.T) {
	h := newHarness(t, nil)
	text := `Tú escribiste: <b>hola</b> & "adiós" <script>`
	id, err := send(t, h, flows.Reply{Kind: flows.SendText, ChatID: flows.Telegram(42), Text: text})
	if err != nil || id == 0 {
		t.Fatalf("send: %d %v", id, err)
	}
	if got := lastText(h.tg.BotMessages(42)); got != text {
		t.Fatalf("the person sees %q, want %q", got, text)
	}
	// A server that refuses the formatting still gets the message, plain.
	h.tg.Fail("sendMessage", 1, 400, "Bad Request: can't parse entities: unsupported start tag", 0)
	if _, err := send(t, h, flows.Reply{Kind: flows.SendText, ChatID: flows.Telegram(42), Text: "segundo <i>"}); err != nil {
		t.Fatal(err)
	}
	calls := h.tg.CallsTo("sendMessage")
	last := calls[len(calls)-1]
	if last.Params.Get("parse_mode") != "" || last.Params.Get("text") != "segundo <i>" {
		t.Fatalf("fallback sent %v", last.Params)
	}
}

func TestCallbackDataOverLimitDegrades(t *testing.T) {
	h := newHarness(t, nil)
	long := strings.Repeat("x", 65)
	_, err := send(t, h, flows.Reply{Kind: flows.SendText, ChatID: flows.Telegram(42), Text: "elige", Buttons: [][]flows.Button{{{Label: "A", Data: long}}}})
	if err != nil {
		t.Fatal(err)
	}
	calls := h.tg.CallsTo("sendMessage")
	if len(calls) != 2 || calls[0].Status != 400 || !strings.Contains(calls[0].Error, "BUTTON_DATA_INVALID") {
		t.Fatalf("calls: %+v", calls)
	}
	if got := lastText(h.tg.BotMessages(42)); got != "elige" {
		t.Fatalf("the text was not delivered: %q", got)
	}
}

func TestEditNotModifiedIsNotAnError(t *testing.T) {
	h := newHarness(t, nil)
	r := flows.Reply{Kind: flows.SendText, ChatID: flows.Telegram(42), Text: "menú", Buttons: [][]flows.Button{{{Label: "A", Data: "a"}}}}
	id, err := send(t, h, r)
	if err != nil {
		t.Fatal(err)
	}
	r.Kind, r.MessageID = flows.EditText, id
	got, err := send(t, h, r)
	if err != nil || got != id {
		t.Fatalf("edit with the same content: %d %v", got, err)
	}
	if c := h.tg.CallsTo("editMessageText"); len(c) != 1 || !strings.Contains(c[0].Error, "not modified") {
		t.Fatalf("the server did not say not modified: %+v", c)
	}
	// An edit the server cannot make becomes a new message.
	r.MessageID, r.Text = 9999, "nuevo"
	if _, err := send(t, h, r); err != nil {
		t.Fatal(err)
	}
	if got := lastText(h.tg.BotMessages(42)); got != "nuevo" {
		t.Fatalf("edit of a lost message was not sent anew: %q", got)
	}
}

func TestUnsupportedMethodsDegrade(t *testing.T) {
	h := newHarness(t, nil)
	h.tg.Disable("sendPhoto")
	h.tg.Disable("deleteMessages")
	if _, err := send(t, h, flows.Reply{Kind: flows.SendText, ChatID: flows.Telegram(42), Text: "foto de la persona", PhotoID: "photo-1"}); err != nil {
		t.Fatal(err)
	}
	if got := lastText(h.tg.BotMessages(42)); got != "foto de la persona" {
		t.Fatalf("a photo the server cannot send was not said in text: %q", got)
	}
	send(t, h, flows.Reply{Kind: flows.SendText, ChatID: flows.Telegram(42), Text: "dos"})
	if _, err := send(t, h, flows.Reply{Kind: flows.ClearChat, ChatID: flows.Telegram(42), Text: "Listo."}); err != nil {
		t.Fatal(err)
	}
	bm := h.tg.Messages(42)
	if len(bm) != 1 || bm[0].Text != "Listo." {
		t.Fatalf("after clearing one by one the chat shows %q", texts(bm))
	}
}

func TestPhotoAndFiles(t *testing.T) {
	h := newHarness(t, nil)
	if _, err := send(t, h, flows.Reply{Kind: flows.SendText, ChatID: flows.Telegram(-100), Text: "Foto de ticket T-1", PhotoID: "photo-77"}); err != nil {
		t.Fatal(err)
	}
	c := h.tg.CallsTo("sendPhoto")
	if len(c) != 1 || c[0].Params.Get("photo") != "photo-77" || c[0].Params.Get("caption") != "Foto de ticket T-1" {
		t.Fatalf("sendPhoto: %+v", c)
	}
	id, err := h.bot.Sender().SendFile(context.Background(), -100, bot.Document, "semana.csv", []byte("a,b\n"), "Resumen")
	if err != nil || id == 0 {
		t.Fatalf("SendFile: %d %v", id, err)
	}
	d := h.tg.CallsTo("sendDocument")
	if len(d) != 1 || d[0].Files["document"] != "semana.csv" {
		t.Fatalf("sendDocument: %+v", d)
	}
	var qr bytes.Buffer
	png.Encode(&qr, image.NewGray(image.Rect(0, 0, 4, 4)))
	if _, err := h.bot.Sender().SendFile(context.Background(), -100, bot.Photo, "qr.png", qr.Bytes(), ""); err != nil {
		t.Fatal(err)
	}
	// As the Bot API, the fake takes only an image it can read as a photo.
	if _, err := h.bot.Sender().SendFile(context.Background(), -100, bot.Photo, "qr.png", []byte("png"), ""); err == nil {
		t.Fatal("a photo upload that is not an image was taken")
	}
}

func TestBlockedPersonIsMarkedAndSkipped(t *testing.T) {
	h := newHarness(t, nil)
	h.tg.Block(42)
	_, err := send(t, h, flows.Reply{Kind: flows.SendText, ChatID: flows.Telegram(42), Text: "hola"})
	if !errors.Is(err, bot.ErrBlocked) {
		t.Fatalf("err = %v, want blocked", err)
	}
	_, err = send(t, h, flows.Reply{Kind: flows.SendText, ChatID: flows.Telegram(42), Text: "otra"})
	if !errors.Is(err, bot.ErrBlocked) || len(h.tg.CallsTo("sendMessage")) != 1 {
		t.Fatalf("sent again to a blocked person: %v", err)
	}
	// The mark survives a restart (SQLite), by keyed hash only.
	h.open()
	if !h.bot.Sender().Blocked(42) {
		t.Fatal("the blocked mark was lost on restart")
	}
	hashes, _ := h.env.Store.BlockedChats(context.Background())
	if len(hashes) != 1 || hashes[0] == "42" {
		t.Fatalf("blocked chats stored as %v", hashes)
	}
	// Writing again means they unblocked the bot.
	h.run()
	h.tg.Unblock(42)
	h.tg.Text(42, telegramtest.Person{ID: 42, Lang: "es"}, "hola")
	h.settled("hola")
	if h.bot.Sender().Blocked(42) {
		t.Fatal("still blocked after writing again")
	}
}

// A reply that finds the person blocked the bot marks the chat, and the
// update's next reply is not even tried.
func TestBlockedMidUpdateSkipsTheRest(t *testing.T) {
	h := newHarness(t, nil)
	h.run()
	h.tg.Block(43)
	h.tg.Command(43, telegramtest.Person{ID: 43, Lang: "es"}, "/start") // two replies
	waitFor(t, 10*time.Second, "the chat marked blocked", func() bool { return h.bot.Sender().Blocked(43) })
	h.settled("/start")
	n := 0
	for _, c := range h.tg.Calls() {
		if c.Params.Get("chat_id") == "43" && c.Method != "getUpdates" {
			n++
		}
	}
	if n != 1 {
		t.Fatalf("%d calls to a chat that blocked the bot, want the one that found out", n)
	}
}

// TestKeyboardAwayWithButtons: Telegram takes one reply_markup per
// message, so a question with inline buttons that must also take the
// "share my location" keyboard away goes out taking it away, and gets its
// buttons right after.
func TestKeyboardAwayWithButtons(t *testing.T) {
	h := newHarness(t, nil)
	if _, err := send(t, h, flows.Reply{Kind: flows.SendText, ChatID: flows.Telegram(42), Text: "¿Dónde pasó?",
		Keyboard: [][]flows.KeyButton{{{Label: "📍 Enviar mi ubicación", RequestLocation: true}}}}); err != nil {
		t.Fatal(err)
	}
	if !h.tg.ShowsKeyboard(42) {
		t.Fatal("the fake server does not see the keyboard")
	}
	id, err := send(t, h, flows.Reply{Kind: flows.SendText, ChatID: flows.Telegram(42), Text: "¿Quién lo hizo?", RemoveKeyboard: true,
		Buttons: [][]flows.Button{{{Label: "Una autoridad", Data: "d:1:who:authority"}}}})
	if err != nil {
		t.Fatal(err)
	}
	if h.tg.ShowsKeyboard(42) {
		t.Error("the location keyboard is still on screen")
	}
	ms := h.tg.BotMessages(42)
	last := ms[len(ms)-1]
	if last.ID != id || last.Text != "¿Quién lo hizo?" || !strings.Contains(last.Markup, "Una autoridad") {
		t.Errorf("the question is %+v (id %d), want its buttons on it", last, id)
	}
	if len(ms) != 2 {
		t.Errorf("%d messages, want 2", len(ms))
	}
}

// TestRemovedGroupComesBack: a staff group the bot was removed from is
// marked like a blocked chat; when the group writes again (the bot is back
// in it), sending resumes, so its tickets reach it.
func TestRemovedGroupComesBack(t *testing.T) {
	h := newHarness(t, nil)
	h.tg.Group(-100)
	h.tg.Block(-100)
	if _, err := send(t, h, flows.Reply{Kind: flows.SendText, ChatID: flows.Telegram(-100), Text: "T1"}); !errors.Is(err, bot.ErrBlocked) {
		t.Fatalf("err = %v, want blocked", err)
	}
	if !h.bot.Sender().Blocked(-100) {
		t.Fatal("the group is not marked")
	}
	h.run()
	h.tg.Unblock(-100)
	h.tg.Text(-100, telegramtest.Person{ID: 7, Lang: "es"}, "ya volvió el bot")
	h.settled("a message in the group")
	if h.bot.Sender().Blocked(-100) {
		t.Fatal("the group is still marked after writing again")
	}
	if _, err := send(t, h, flows.Reply{Kind: flows.SendText, ChatID: flows.Telegram(-100), Text: "T1"}); err != nil {
		t.Fatalf("send to the group once back: %v", err)
	}
}

// 429 storm: Telegram refuses many sends with retry_after; everything is
// delivered, in order per chat, and the limits are never exceeded.
func TestRateLimitStorm(t *testing.T) {
	h := newHarness(t, func(c *bot.Config) {
		c.SendRate, c.ChatRate, c.ChatBurst, c.GroupRate, c.GroupBurst = 60, 5, 3, 2, 2
	})
	h.tg.SetLimits(telegramtest.Limits{Global: 60, GlobalBurst: 2, Chat: 5, ChatBurst: 3, Group: 2, GroupBurst: 2, Enforce: true})
	h.tg.Fail("sendMessage", 25, 429, "Too Many Requests: retry after 1", 1)
	chats := []int64{1, 2, 3, 4, -500}
	var wg sync.WaitGroup
	for _, chat := range chats {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := range 16 {
				if _, err := send(t, h, flows.Reply{Kind: flows.SendText, ChatID: flows.Telegram(chat), Text: "m" + strconv.Itoa(i)}); err != nil {
					t.Errorf("chat %d message %d: %v", chat, i, err)
				}
			}
		}()
	}
	wg.Wait()
	for _, chat := range chats {
		got := texts(h.tg.BotMessages(chat))
		if strings.Join(got, ",") != "m0,m1,m2,m3,m4,m5,m6,m7,m8,m9,m10,m11,m12,m13,m14,m15" {
			t.Errorf("chat %d got %v", chat, got)
		}
	}
	if v := h.tg.Violations(); len(v) != 0 {
		t.Fatalf("limits exceeded: %v", v)
	}
	n429 := 0
	for _, c := range h.tg.CallsTo("sendMessage") {
		if c.Status == 429 {
			n429++
		}
	}
	if n429 != 25 {
		t.Fatalf("%d 429s seen, want 25", n429)
	}
}

func TestServerErrorsAreRetriedThenTyped(t *testing.T) {
	h := newHarness(t, nil)
	h.tg.Fail("sendMessage", 2, 502, "Bad Gateway", 0)
	h.tg.Fail("sendMessage", 1, 0, "", 0) // the connection drops
	h.tg.ProxyError("sendMessage", 1, 504, "<html><body><h1>504 Gateway Time-out</h1></body></html>")
	if _, err := send(t, h, flows.Reply{Kind: flows.SendText, ChatID: flows.Telegram(42), Text: "hola"}); err != nil {
		t.Fatalf("after 4 transient failures: %v", err)
	}
	if got := texts(h.tg.BotMessages(42)); len(got) != 1 || got[0] != "hola" {
		t.Fatalf("the person got %q", got)
	}
	h.tg.Fail("sendMessage", 100, 500, "Internal Server Error", 0)
	_, err := send(t, h, flows.Reply{Kind: flows.SendText, ChatID: flows.Telegram(42), Text: "otra"})
	var e *bot.Error
	if !errors.As(err, &e) || e.Class != bot.ClassServer || !e.Temporary() {
		t.Fatalf("err = %v, want a temporary server error", err)
	}
	if strings.Contains(err.Error(), h.tg.Token) {
		t.Fatal("the token is in an error")
	}
}

func TestAnOddAnswerToASendIsNotSentAgain(t *testing.T) {
	h := newHarness(t, nil)
	h.tg.OddAnswer("sendMessage", 1, `{"ok":true,"result":true}`)
	id, err := send(t, h, flows.Reply{Kind: flows.SendText, ChatID: flows.Telegram(42), Text: "hola"})
	if err != nil || id != 0 {
		t.Fatalf("id %d, err %v; want sent, id unknown", id, err)
	}
	if got := texts(h.tg.BotMessages(42)); len(got) != 1 {
		t.Fatalf("the person got %q, want one message", got)
	}
}

func TestOnDeliveredHook(t *testing.T) {
	type got struct {
		ref string
		id  int64
	}
	var mu sync.Mutex
	var calls []got
	h := newHarness(t, func(c *bot.Config) {
		c.OnDelivered = func(ctx context.Context, r flows.Reply, id int64) {
			mu.Lock()
			calls = append(calls, got{r.Ref, id})
			mu.Unlock()
		}
	})
	id, err := send(t, h, flows.Reply{Kind: flows.SendText, ChatID: flows.Telegram(-100), Text: "Ticket T-7", Ref: "ticket:7"})
	if err != nil {
		t.Fatal(err)
	}
	send(t, h, flows.Reply{Kind: flows.SendText, ChatID: flows.Telegram(-100), Text: "sin ref"})
	if len(calls) != 1 || calls[0] != (got{"ticket:7", id}) {
		t.Fatalf("hook calls %v, want one for ticket:7 → %d", calls, id)
	}
	// No hook is fine.
	h2 := newHarness(t, nil)
	if _, err := send(t, h2, flows.Reply{Kind: flows.SendText, ChatID: flows.Telegram(-100), Text: "x", Ref: "r"}); err != nil {
		t.Fatal(err)
	}
}

// The quick exit deletes the person's and the bot's messages of the chat,
// then sends the neutral text; the ids were kept under a hashed key.
func TestClearChat(t *testing.T) {
	h := newHarness(t, nil)
	h.run()
	p := telegramtest.Person{ID: 4242, Lang: "es"}
	h.tg.Command(4242, p, "/start")
	h.tg.Text(4242, p, "albergue")
	h.settled("conversation")
	if n := len(h.tg.Messages(4242)); n < 4 {
		t.Fatalf("only %d messages in the chat", n)
	}
	var keys []string
	waitFor(t, 5*time.Second, "message ids written", func() bool {
		keys, _ = h.env.Redis.Client.Keys(context.Background(), h.env.Redis.Prefix+"msgs:*").Result()
		return len(keys) > 0
	})
	if len(keys) != 1 || strings.Contains(keys[0], "4242") {
		t.Fatalf("tracking keys %v", keys)
	}
	ttl, _ := h.env.Redis.Client.TTL(context.Background(), keys[0]).Result()
	if ttl <= 47*time.Hour || ttl > 48*time.Hour {
		t.Fatalf("tracking TTL %v, want 48h", ttl)
	}
	if _, err := send(t, h, flows.Reply{Kind: flows.ClearChat, ChatID: flows.Telegram(4242), Text: "Listo."}); err != nil {
		t.Fatal(err)
	}
	left := h.tg.Messages(4242)
	if len(left) != 1 || left[0].Text != "Listo." {
		t.Fatalf("after the quick exit the chat shows %q", texts(left))
	}
}

// Webhook: without or with a wrong secret, 401 and nothing handled; with
// it, 200 only after the replies went out.
func TestWebhookSecret(t *testing.T) {
	h := newHarness(t, func(c *bot.Config) {
		c.WebhookURL, c.WebhookSecret = "https://bot.example.org/telegram", "s3cret-s3cret-s3cret"
	})
	h.run()
	waitFor(t, 5*time.Second, "setWebhook", func() bool { u, _ := h.tg.Webhook(); return u != "" })
	if u, s := h.tg.Webhook(); u != "https://bot.example.org/telegram" || s != "s3cret-s3cret-s3cret" {
		t.Fatalf("webhook set to %q %q", u, s)
	}
	srv := httptest.NewServer(h.bot.WebhookHandler())
	defer srv.Close()
	up := h.tg.Command(77, telegramtest.Person{ID: 77, Lang: "es"}, "/start")
	body := string(h.tg.UpdateJSON(up))
	post := func(secret string) int {
		req, _ := http.NewRequest("POST", srv.URL, strings.NewReader(body))
		if secret != "" {
			req.Header.Set("X-Telegram-Bot-Api-Secret-Token", secret)
		}
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		return resp.StatusCode
	}
	for _, s := range []string{"", "wrong", "s3cret-s3cret-s3cret-"} {
		if code := post(s); code != 401 {
			t.Fatalf("secret %q: %d, want 401", s, code)
		}
	}
	if n := len(h.tg.BotMessages(77)); n != 0 {
		t.Fatalf("a request without the secret was handled: %d messages", n)
	}
	if reqs, _ := h.env.Store.Requests(context.Background()); len(reqs) != 0 {
		t.Fatalf("a request without the secret was logged: %d rows", len(reqs))
	}
	if code := post("s3cret-s3cret-s3cret"); code != 200 {
		t.Fatalf("with the secret: %d", code)
	}
	if n := len(h.tg.BotMessages(77)); n < 2 {
		t.Fatalf("200 before the replies were sent: %d messages", n)
	}
	// Telegram sending it again changes nothing.
	post("s3cret-s3cret-s3cret")
	if n := len(h.tg.BotMessages(77)); n != 2 {
		t.Fatalf("a re-sent update was answered again: %d messages", n)
	}
}

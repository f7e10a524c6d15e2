package desk_test

import (
	"bytes"
	"context"
	"image"
	"image/jpeg"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/acercate/acercate/bot/telegramtest"
	"github.com/acercate/acercate/flows"
)

// A denuncia filed from the web chat shows its photo in the staff group
// like a Telegram one: the bytes kept by the store are uploaded with a
// multipart sendPhoto (a Telegram photo still goes by its file id), and
// both are deleted from the group with the rest of the view once its
// time is up.
func TestTelegramDenunciaViewUploadsAWebPhoto(t *testing.T) {
	l := newLive(t)
	ctx := context.Background()
	var pic bytes.Buffer
	if err := jpeg.Encode(&pic, image.NewGray(image.Rect(0, 0, 32, 24)), nil); err != nil {
		t.Fatal(err)
	}
	web, err := l.env.Store.KeepWebPhoto(ctx, "p", "image/jpeg", pic.Bytes())
	if err != nil {
		t.Fatal(err)
	}
	const tgPhoto = "AgACAgEAAxkBAAIB-telegram"
	folio, err := l.env.Store.Denuncias().File(ctx, flows.Denuncia{
		Category: "robbery", When: "today", Municipality: "tapachula", Perpetrator: "crime",
		Text: "Me quitaron el dinero", Person: "p", Source: "p:1", At: l.env.Clock.Now(), Photos: []string{web, tgPhoto},
	}, flows.Request{UpdateID: 1, At: l.env.Clock.Now(), Person: "p", Kind: "button", Lang: "es"})
	if err != nil {
		t.Fatal(err)
	}
	l.tg.Command(group, pAna, "/denuncia "+folio)
	l.wait(group, folio+" · 2/2")
	l.settle()
	var uploaded, byID *telegramtest.Message
	for _, m := range l.tg.BotMessages(group) {
		switch {
		case strings.HasSuffix(m.Text, "1/2"):
			uploaded = &m
		case strings.HasSuffix(m.Text, "2/2"):
			byID = &m
		}
	}
	if uploaded == nil || !bytes.Equal(uploaded.Upload, pic.Bytes()) {
		t.Fatalf("the web photo was not uploaded as it is kept: %+v", uploaded)
	}
	if byID == nil || byID.Photo != tgPhoto || byID.Upload != nil {
		t.Fatalf("the Telegram photo did not go by its file id: %+v", byID)
	}
	for _, c := range l.tg.CallsTo("sendPhoto") {
		if strings.Contains(c.Params.Get("photo"), "web:") {
			t.Errorf("a web photo's id went to Telegram as a file id: %+v", c.Params)
		}
	}
	l.env.Clock.Advance(11 * time.Minute)
	l.waitDeleted(group, "the view's photos after its time", uploaded.ID, byID.ID)
}

// waitDeleted waits until none of the bot's messages ids is in chat.
func (l *live) waitDeleted(chat int64, what string, ids ...int64) {
	l.t.Helper()
	deadline := time.Now().Add(10 * time.Second)
	for l.left(chat, ids...) > 0 {
		if time.Now().After(deadline) {
			l.t.Fatalf("%s: %d messages not deleted", what, l.left(chat, ids...))
		}
		time.Sleep(10 * time.Millisecond)
	}
}

// left counts the messages of ids still in chat.
func (l *live) left(chat int64, ids ...int64) int {
	n := 0
	for _, m := range l.tg.BotMessages(chat) {
		if slices.Contains(ids, m.ID) {
			n++
		}
	}
	return n
}

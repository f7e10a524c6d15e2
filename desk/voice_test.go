package desk_test

import (
	"strings"
	"testing"

	"github.com/acercate/acercate/bot/telegramtest"
)

// TestTelegramVoiceNote: a voice note, sent through Telegram, is answered
// with the offer of a person; taking it opens a ticket whose announcement
// says a voice note came and asks staff to have the person write. The
// audio itself never reaches the group (the privacy notice promises staff
// see what the person writes), and a second voice note in the open
// conversation is shown as received too.
func TestTelegramVoiceNote(t *testing.T) {
	l := newLive(t)
	l.tg.Command(migrant, pMigrant, "/start")
	l.settle()
	l.tg.Voice(migrant, pMigrant)
	offer := l.wait(migrant, "No puedo escuchar audios", "le aviso al equipo que mandaste una nota de voz")
	if l.count(group, "T1") != 0 {
		t.Fatal("a ticket opened before the person took the offer")
	}
	// The offer's own button (the menu below it has one of the same name,
	// which asks what the person needs).
	var data string
	for _, b := range telegramtest.Buttons(offer.Markup) {
		if b[0] == "Hablar con una persona" {
			data = b[1]
		}
	}
	if data == "" {
		t.Fatalf("no offer of a person: %s", offer.Markup)
	}
	l.tg.Tap(migrant, pMigrant, offer.ID, data)
	l.wait(migrant, "ya sabe que mandaste una nota de voz", "Tu número de caso es T1")
	ann := l.wait(group, "Nuevo caso T1", "🎤 Nota de voz recibida", "pídanle a la persona que escriba")

	l.tg.Voice(migrant, pMigrant)
	l.wait(migrant, "Le avisé al equipo que mandaste una nota de voz")
	l.wait(group, "T1 ▸ 🎤 nota de voz recibida")
	if r := l.repliedTo(group, "T1 ▸ 🎤"); r != itoa(ann.ID) {
		t.Errorf("the voice notice replies to %q, want the announcement %d", r, ann.ID)
	}
	// The person writes, as asked: that reaches the group.
	l.tg.Text(migrant, pMigrant, "Necesito un abogado")
	l.wait(group, "T1 ▸ Necesito un abogado")

	for _, m := range []string{"sendVoice", "sendAudio", "forwardMessage", "copyMessage", "sendDocument"} {
		if calls := l.tg.CallsTo(m); len(calls) != 0 {
			t.Errorf("%s called %d times: the audio must not be passed on", m, len(calls))
		}
	}
	for _, m := range l.tg.BotMessages(group) {
		if m.Document != "" || strings.Contains(m.Text, "voice") {
			t.Errorf("the group got %+v", m)
		}
	}
}

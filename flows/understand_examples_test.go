package flows_test

import (
	"testing"

	"github.com/acercate/acercate/apptest"
	"github.com/acercate/acercate/understand"
)

// TestReviewExamples plays each message of issue 15's review, as a new
// person would from the main menu: every danger message gets the emergency
// answer (of its kind), every other one its flow or topic, never "I did
// not understand".
func TestReviewExamples(t *testing.T) {
	env := apptest.New(t)
	for _, tc := range []struct{ lang, text, danger, intent string }{
		{"es", "me violaron", understand.Sexual, ""},
		{"es", "estoy herido", understand.Emergency, ""},
		{"es", "me tienen encerrado", understand.Emergency, ""},
		{"es", "quieren matarme", understand.Emergency, ""},
		{"es", "nos tienen encerrados en una casa", understand.Emergency, ""},
		{"en", "help", understand.Emergency, ""},
		{"en", "i was raped", understand.Sexual, ""},
		{"fr", "à l'aide", understand.Emergency, ""},
		{"fr", "j'ai été violée", understand.Sexual, ""},
		{"ht", "yo vyole m", understand.Sexual, ""},
		{"pt", "fui estuprada", understand.Sexual, ""},
		{"pt", "me ajuda", understand.Emergency, ""},
		{"es", "me robaron con pistola ahorita, quiero denunciar", understand.Emergency, "denuncia"},
		{"es", "estoy enfermo", "", "rights.health"},
		{"es", "quiero trabajar", "", "rights.work"},
		{"es", "como saco la curp", "", "info.curp"},
		{"ht", "mwen malad", "", "rights.health"},
		{"pt", "estou doente", "", "rights.health"},
		{"es", "necesito un abogado", "", "info.legal"},
		{"es", "consulado de honduras", "", "info.consulate"},
		{"es", "donde esta el modulo", "", "info.modulo"},
	} {
		r := env.Engine.Read(tc.text, tc.lang)
		if r.Danger != tc.danger {
			t.Errorf("%s %q: danger %q, want %q", tc.lang, tc.text, r.Danger, tc.danger)
		}
		if tc.intent != "" && (!r.Sure() || r.Top() != tc.intent) {
			t.Errorf("%s %q: intent %q (sure %v), want %q", tc.lang, tc.text, r.Top(), r.Sure(), tc.intent)
		}
		// And through the engine, from the main menu of a new person: never
		// "I did not understand".
		p := newPerson(t, env, nil, 9000+int64(len(tc.text))*7+int64(tc.lang[0]), tc.lang)
		p.command("start", "")
		for _, rep := range p.text(tc.text) {
			if rep.Text == msg(env, tc.lang, "menu.unknown") {
				t.Errorf("%s %q: answered %q", tc.lang, tc.text, rep.Text)
			}
		}
	}
}

package flows_test

import (
	"strings"
	"testing"

	"github.com/acercate/acercate/apptest"
	"github.com/acercate/acercate/flows"
)

// TestVoiceNoteWithoutStaff: where no staff group takes conversations, a
// voice note is not met with an offer nobody can keep: the person is told
// plainly that nobody can listen or read now, in every language, and
// still sees where they were.
func TestVoiceNoteWithoutStaff(t *testing.T) {
	env := apptest.New(t)
	for i, lang := range []string{"es", "en", "fr", "ht", "pt"} {
		p := newPerson(t, env, nil, int64(900+i), lang)
		p.command("start", "")
		for _, media := range []string{flows.MediaVoice, flows.MediaAudio} {
			got := p.do(flows.Event{Kind: flows.EventUnsupported, Media: media})
			want := msg(env, lang, "input.unsupported") + "\n" + msg(env, lang, "input.voice.nobody")
			if len(got) < 2 || got[0].Text != want {
				t.Fatalf("%s %s: got\n%s\nwant first\n%s", lang, media, texts(got), want)
			}
			for _, row := range got[0].Buttons {
				for _, b := range row {
					t.Errorf("%s %s: offer %q made with no staff", lang, media, b.Label)
				}
			}
			if !strings.Contains(texts(got[1:]), msg(env, lang, "menu.title")) {
				t.Errorf("%s %s: the menu is not shown again:\n%s", lang, media, texts(got))
			}
		}
	}
}

package flows_test

import (
	"context"
	"strings"
	"testing"
	"time"
	"unicode/utf8"

	"github.com/acercate/acercate/apptest"
	"github.com/acercate/acercate/flows"
	"github.com/acercate/acercate/locales"
	"github.com/acercate/acercate/store"
	"github.com/acercate/acercate/term"
)

var familiesSubjectIDs = []string{"remains", "detained", "missing", "paisano", "municipal", "casa"}

// familiesAnswer says what a families answer shows: "list" for the subject
// list, a subject id for a page of it, "" for anything else.
func familiesAnswer(cat *flows.Catalog, lang string, replies []flows.Reply) string {
	for _, r := range replies {
		if r.Text == cat.T(lang, "families.intro", nil) {
			return "list"
		}
		for _, id := range familiesSubjectIDs {
			title := cat.T(lang, "families."+id+".title", nil)
			h := cat.T(lang, "families.heading", map[string]any{"Title": title})
			if strings.HasPrefix(r.Text, h+"\n") || strings.HasPrefix(r.Text, h+" (") {
				return id
			}
		}
	}
	return ""
}

// TestFamiliesKeywordsReachTheFlow types every phrase of families.keywords,
// in every language, from the main menu: each opens the families flow, and
// a subject's words open that subject. Every subject word is also a flow
// keyword, so it works from anywhere, not only inside the flow.
func TestFamiliesKeywordsReachTheFlow(t *testing.T) {
	env := apptest.New(t)
	ctx := context.Background()
	cat := env.Engine.Catalog()
	for i, lang := range locales.Shipped {
		keywords := map[string]bool{}
		for _, w := range phrases(cat.T(lang, "families.keywords", nil)) {
			keywords[w] = true
		}
		want := map[string]string{}
		for _, id := range familiesSubjectIDs {
			for _, w := range phrases(cat.T(lang, "families."+id+".words", nil)) {
				want[w] = id
				if !keywords[w] {
					t.Errorf("%s: %q (families.%s.words) is not in families.keywords", lang, w, id)
				}
			}
		}
		s := term.NewSession(env.Engine, flows.Telegram(int64(9300+i)), lang)
		s.Now = env.Clock.Now
		if _, err := s.Send(ctx, "/start"); err != nil {
			t.Fatal(err)
		}
		for w := range keywords {
			env.Clock.Advance(time.Minute)
			if _, err := s.Send(ctx, "/menu"); err != nil {
				t.Fatal(err)
			}
			answer, err := s.Send(ctx, w)
			if err != nil {
				t.Fatal(err)
			}
			got := familiesAnswer(cat, lang, s.Last)
			switch {
			case got == "":
				t.Errorf("%s: typing %q does not open the families flow; the bot says:\n%s", lang, w, answer)
			case want[w] != "" && got != want[w]:
				t.Errorf("%s: typing %q opens %q, want %q", lang, w, got, want[w])
			}
		}
	}
}

// TestFamiliesFromTheirOwnWords: the sentences, typed from the
// menu, open the subject they are about.
func TestFamiliesFromTheirOwnWords(t *testing.T) {
	env := apptest.New(t)
	ctx := context.Background()
	cat := env.Engine.Catalog()
	for i, tc := range []struct{ lang, text, want string }{
		{"es", "mi hijo murió en Estados Unidos", "remains"},
		{"es", "Mi esposo está detenido allá", "detained"},
		{"es", "no sé nada de mi hermano desde que cruzó", "missing"},
		{"es", "¿Cómo traer el cuerpo de mi papá?", "remains"},
		{"en", "My mom passed away in the US", "remains"},
		{"en", "my brother is in ICE detention", "detained"},
	} {
		s := term.NewSession(env.Engine, flows.Telegram(int64(9400+i)), tc.lang)
		s.Now = env.Clock.Now
		if _, err := s.Send(ctx, "/start"); err != nil {
			t.Fatal(err)
		}
		answer, err := s.Send(ctx, tc.text)
		if err != nil {
			t.Fatal(err)
		}
		if got := familiesAnswer(cat, tc.lang, s.Last); got != tc.want {
			t.Errorf("%q opens %q, want %q; the bot says:\n%s", tc.text, got, tc.want, answer)
		}
	}
}

// TestFamiliesPagesFit: every page of every subject, in every language,
// stays short enough to read on a phone, and nothing in the shipped
// directory is presented as checked by the office (FACTS Part II: show the
// source's date, never "revisado").
func TestFamiliesPagesFit(t *testing.T) {
	env := apptest.New(t)
	cat := env.Engine.Catalog()
	for i, lang := range locales.Shipped {
		p := newPerson(t, env, nil, int64(9500+i), lang)
		p.command("start", "")
		pages := 0
		for _, id := range familiesSubjectIDs {
			for page := 1; ; page++ {
				var replies []flows.Reply
				for _, r := range p.tap("families:*:subject:" + id + "." + string(rune('0'+page))) {
					if r.Kind != flows.AnswerTap {
						replies = append(replies, r)
					}
				}
				text := replies[0].Text
				pages++
				if n := utf8.RuneCountInString(text); n > 1500 {
					t.Errorf("%s %s page %d: %d characters", lang, id, page, n)
				}
				for _, r := range replies {
					if strings.Contains(r.Text, strings.TrimSuffix(cat.T(lang, "families.dir.confirmed", map[string]any{"Date": ""}), ".")) {
						t.Errorf("%s %s: a shipped entry is shown as checked by the office:\n%s", lang, id, r.Text)
					}
				}
				more := false
				for _, row := range replies[0].Buttons {
					more = more || row[0].Label == cat.T(lang, "families.more", nil)
				}
				if !more && len(replies) < 2 {
					t.Errorf("%s %s page %d: the last page has no contacts after it", lang, id, page)
				}
				if len(replies) > 1 || page > 5 {
					break
				}
			}
		}
		// remains 3, missing 2, every other subject 1 (in Spanish; a
		// language may page differently, but not lose pages).
		if pages < len(familiesSubjectIDs)+3 {
			t.Errorf("%s: %d pages in all, want at least %d", lang, pages, len(familiesSubjectIDs)+3)
		}
	}
}

// TestFamiliesReadTheDirectory: a municipal contact the office imports
// shows at once in the running bot, with the office's confirmation, and a
// kind with no entry says so and offers a person.
func TestFamiliesReadTheDirectory(t *testing.T) {
	env := apptest.New(t)
	ctx := context.Background()
	p := newPerson(t, env, nil, 9600, "es")
	p.command("start", "")
	before := texts(p.tap("families:*:subject:municipal"))
	if strings.Contains(before, "Motozintla") {
		t.Fatal("Motozintla before the import")
	}
	list, err := store.ParseDirectory(strings.NewReader(strings.Join(store.DirectoryColumns, ",")+"\n"+
		"muni-motozintla,municipal_contact,Enlace municipal de atención a migrantes,Motozintla,México,962 000 0000,,,,open,,Oficio del ayuntamiento,,2026-12-01,Ana (oficina)\n"),
		store.DirectoryParseOptions{})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := env.Store.ImportDirectory(ctx, list); err != nil {
		t.Fatal(err)
	}
	after := texts(p.tap("families:*:subject:municipal"))
	for _, want := range []string{"Enlace municipal de atención a migrantes", "📌 Motozintla, México", "📞 962 000 0000", "✔️ Revisado por la oficina el 01/12/2026."} {
		if !strings.Contains(after, want) {
			t.Errorf("after the import, missing %q:\n%s", want, after)
		}
	}
	// The import replaced the directory: no Casa Chiapas is known now.
	casa := texts(p.tap("families:*:subject:casa"))
	if !strings.Contains(casa, env.Engine.Catalog().T("es", "families.dir.none", nil)) {
		t.Errorf("an empty kind does not say it has no contact:\n%s", casa)
	}
}

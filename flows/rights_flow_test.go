package flows_test

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/acercate/acercate/apptest"
	"github.com/acercate/acercate/flows"
	"github.com/acercate/acercate/locales"
	"github.com/acercate/acercate/term"
)

var rightsTopicIDs = []string{"status", "asylum", "health", "education", "work", "detained", "children", "victims", "trafficking"}

// rightsAnswer says what a rights answer shows: "list" for the topic list,
// a topic id for a page of that topic, "" for anything else.
func rightsAnswer(cat *flows.Catalog, lang string, replies []flows.Reply) string {
	for _, r := range replies {
		if r.Kind == flows.AnswerTap {
			continue
		}
		if r.Text == cat.T(lang, "rights.intro", nil) {
			return "list"
		}
		for _, id := range rightsTopicIDs {
			title := cat.T(lang, "rights."+id+".title", nil)
			if strings.HasPrefix(r.Text, cat.T(lang, "rights.heading", map[string]any{"Title": title})+"\n") ||
				strings.HasPrefix(r.Text, cat.T(lang, "rights.heading", map[string]any{"Title": title})+" (") {
				return id
			}
		}
	}
	return ""
}

func phrases(s string) []string {
	var out []string
	for _, p := range strings.Split(s, ",") {
		if p = strings.TrimSpace(p); p != "" {
			out = append(out, p)
		}
	}
	return out
}

// TestRightsKeywordsReachTheFlow types every word of rights.keywords, in
// every language, from the main menu, as a person whose phone is in that
// language: each must open the rights flow (its topic list, or the topic
// the word names), not the menu or another flow.
func TestRightsKeywordsReachTheFlow(t *testing.T) {
	env := apptest.New(t)
	ctx := context.Background()
	cat := env.Engine.Catalog()
	for i, lang := range locales.Shipped {
		words := phrases(cat.T(lang, "rights.keywords", nil))
		if len(words) < 5 {
			t.Errorf("%s: only %d rights keywords", lang, len(words))
		}
		s := term.NewSession(env.Engine, flows.Telegram(int64(9000+i)), lang)
		s.Now = env.Clock.Now
		if _, err := s.Send(ctx, "/start"); err != nil {
			t.Fatal(err)
		}
		for _, w := range words {
			env.Clock.Advance(time.Minute) // a person types; the flood limit stays out of it
			if _, err := s.Send(ctx, "/menu"); err != nil {
				t.Fatal(err)
			}
			answer, err := s.Send(ctx, w)
			if err != nil {
				t.Fatal(err)
			}
			if got := rightsAnswer(cat, lang, s.Last); got == "" {
				t.Errorf("%s: typing %q does not open the rights flow; the bot says:\n%s", lang, w, answer)
			}
		}
	}
}

// TestRightsTopicWordsOpenTheirTopic types the first word of every topic,
// in every language, while reading rights: each opens its own topic (that
// every word finds its topic is TestRightsTopicWordsFindTheirTopic's job).
func TestRightsTopicWordsOpenTheirTopic(t *testing.T) {
	env := apptest.New(t)
	ctx := context.Background()
	cat := env.Engine.Catalog()
	for i, lang := range locales.Shipped {
		s := term.NewSession(env.Engine, flows.Telegram(int64(9100+i)), lang)
		s.Now = env.Clock.Now
		for _, line := range []string{"/start", "/derechos"} {
			if _, err := s.Send(ctx, line); err != nil {
				t.Fatal(err)
			}
		}
		if got := rightsAnswer(cat, lang, s.Last); got != "list" {
			t.Fatalf("%s: /derechos shows %q, want the topic list", lang, got)
		}
		for _, id := range rightsTopicIDs {
			w := phrases(cat.T(lang, "rights."+id+".words", nil))[0]
			env.Clock.Advance(time.Minute)
			answer, err := s.Send(ctx, w)
			if err != nil {
				t.Fatal(err)
			}
			if got := rightsAnswer(cat, lang, s.Last); got != id {
				t.Errorf("%s: typing %q while reading opens %q, want %q; the bot says:\n%s", lang, w, got, id, answer)
			}
		}
	}
}

// TestRightsLogsEachTopicViewed checks the request log the weekly metrics
// read: the topic and page viewed, with language and attribution.
func TestRightsLogsEachTopicViewed(t *testing.T) {
	env := apptest.New(t)
	ctx := context.Background()
	s := term.NewSession(env.Engine, flows.Telegram(4343), "fr")
	s.Now = env.Clock.Now
	for _, line := range []string{"/start c-feria", "1", "2", "[Lire la suite ▶]", "[Lire la suite ▶]", "[◀ Autres thèmes]"} {
		// /start, Mes droits, asylum, more (page 2), more (page 3), back
		if _, err := s.Send(ctx, line); err != nil {
			t.Fatal(err)
		}
	}
	rows, err := env.Store.Requests(ctx)
	if err != nil {
		t.Fatal(err)
	}
	type view struct{ flow, topic, detail, lang, campaign string }
	var got []view
	for _, r := range rows {
		if r.Flow == "rights" {
			got = append(got, view{r.Flow, r.Topic, r.Detail, r.Lang, r.Campaign})
		}
	}
	want := []view{
		{"rights", "", "", "fr", "feria"},
		{"rights", "asylum", "", "fr", "feria"},
		{"rights", "asylum", "2", "fr", "feria"},
		{"rights", "asylum", "3", "fr", "feria"},
		{"rights", "", "", "fr", "feria"},
	}
	if len(got) != len(want) {
		t.Fatalf("rights rows = %v, want %v", got, want)
	}
	for i := range want {
		if got[i] != want[i] {
			t.Errorf("row %d = %v, want %v", i, got[i], want[i])
		}
	}
}

// TestRightsOldButtonsStillWork: topic buttons are timeless, so a topic
// list or a page from days ago still answers; data from an older version
// (an unknown topic, a page that no longer exists) answers sensibly.
func TestRightsOldButtonsStillWork(t *testing.T) {
	env := apptest.New(t)
	ctx := context.Background()
	cat := env.Engine.Catalog()
	s := term.NewSession(env.Engine, flows.Telegram(4444), "ht")
	s.Now = env.Clock.Now
	for _, line := range []string{"/start", "/idioma"} {
		if _, err := s.Send(ctx, line); err != nil {
			t.Fatal(err)
		}
	}
	env.Clock.Advance(48 * time.Hour)
	for _, tc := range []struct {
		data, want string
		edit       bool
	}{
		{"rights:*:topic:health", "health", true},
		{"rights:*:topic:asylum.99", "asylum", true},
		{"rights:*:topic:nope", "list", true},
		{"rights:*:list:", "list", true},
		{"rights:*::", "list", false},
	} {
		if _, err := s.Send(ctx, "/tap "+tc.data); err != nil {
			t.Fatal(err)
		}
		if got := rightsAnswer(cat, "ht", s.Last); got != tc.want {
			t.Errorf("tap %s shows %q, want %q", tc.data, got, tc.want)
		}
		if tc.data == "rights:*:topic:asylum.99" {
			last, _ := lastText(s.Last)
			if !strings.Contains(last, cat.T("ht", "rights.checked", nil)) {
				t.Errorf("tap %s: want the last page, with the check date; got %q", tc.data, last)
			}
		}
	}
}

func lastText(replies []flows.Reply) (string, flows.Reply) {
	for i := len(replies) - 1; i >= 0; i-- {
		if replies[i].Kind != flows.AnswerTap {
			return replies[i].Text, replies[i]
		}
	}
	return "", flows.Reply{}
}

// TestRightsLinksToOtherFlowsOnceTheyExist runs the rights flow beside
// stand-ins for the denuncia and talk-to-a-person flows (built by other
// issues): their buttons appear where they belong and reach those flows.
func TestRightsLinksToOtherFlowsOnceTheyExist(t *testing.T) {
	env := apptest.New(t)
	ctx := context.Background()
	cat := env.Engine.Catalog()
	standIn := func(name, label string) *flows.Flow {
		return &flows.Flow{
			Name:   name,
			Start:  func(c *flows.Ctx) { c.Send(c.T(label), c.MenuButton()) },
			Handle: func(c *flows.Ctx) { c.Unhandled() },
		}
	}
	all := flows.Builtin()
	for _, name := range []string{"denuncia", "human"} {
		have := false
		for _, f := range all {
			have = have || f.Name == name
		}
		if !have {
			all = append(all, standIn(name, "menu."+name))
		}
	}
	st := flows.NewStore(env.Redis.Client, env.Keys, env.Redis.Prefix+"links:", time.Hour)
	eng, err := flows.New(flows.Config{Now: env.Clock.Now}, st, cat, env.Keys, env.Store.Deps(), all)
	if err != nil {
		t.Fatal(err)
	}

	buttons := func(r flows.Reply) map[string]bool {
		out := map[string]bool{}
		for _, row := range r.Buttons {
			for _, b := range row {
				out[b.Data] = true
			}
		}
		return out
	}
	for i, tc := range []struct {
		topic      string
		want, none []string
	}{
		{"victims", []string{"denuncia:*::", "human:*::"}, []string{"emergency:*::"}},
		{"trafficking", []string{"denuncia:*::", "emergency:*::", "human:*::"}, nil},
		{"asylum", []string{"human:*::"}, []string{"denuncia:*::", "emergency:*::"}},
	} {
		s := term.NewSession(eng, flows.Telegram(int64(4500+i)), "es")
		s.Now = env.Clock.Now
		for _, line := range []string{"/start", "/tap rights:*:topic:" + tc.topic} {
			if _, err := s.Send(ctx, line); err != nil {
				t.Fatal(err)
			}
		}
		_, r := lastText(s.Last)
		got := buttons(r)
		for _, d := range tc.want {
			if !got[d] {
				t.Errorf("%s: no button %q among %v", tc.topic, d, got)
			}
		}
		for _, d := range tc.none {
			if got[d] {
				t.Errorf("%s: unexpected button %q", tc.topic, d)
			}
		}
		if tc.topic == "victims" {
			if _, err := s.Send(ctx, "/tap denuncia:*::"); err != nil {
				t.Fatal(err)
			}
			if text, _ := lastText(s.Last); !strings.Contains(text, cat.T("es", "menu.denuncia", nil)) {
				t.Errorf("the denuncia button leads to %q, want the denuncia flow", text)
			}
		}
	}

	// With the real Builtin, no button leads to a flow that does not exist.
	s := term.NewSession(env.Engine, flows.Telegram(4600), "es")
	s.Now = env.Clock.Now
	for _, line := range []string{"/start", "/tap rights:*:topic:victims"} {
		if _, err := s.Send(ctx, line); err != nil {
			t.Fatal(err)
		}
	}
	_, r := lastText(s.Last)
	for d := range buttons(r) {
		if name, _, _ := strings.Cut(d, ":"); !env.Engine.Has(name) {
			t.Errorf("button %q shown while that flow does not exist", d)
		}
	}
}

package flows

import (
	"strings"
	"testing"
	"unicode/utf8"

	"github.com/acercate/acercate/locales"
)

// rightsPageTarget is how long one page of a rights answer may be, in
// characters, everything the person reads in that message included: a
// screen or two on a cheap phone. Telegram's own limit is 4096.
const rightsPageTarget = 900

func testCatalog(t *testing.T) *Catalog {
	t.Helper()
	b, err := locales.Bundle()
	if err != nil {
		t.Fatal(err)
	}
	return NewCatalog(b, locales.Shipped, locales.Tag)
}

// TestRightsPagesFitAndCiteTheirSource renders every page of every topic
// in every language, as the person reads it.
func TestRightsPagesFitAndCiteTheirSource(t *testing.T) {
	cat := testCatalog(t)
	for _, lang := range locales.Shipped {
		checked := cat.T(lang, "rights.checked", nil)
		if !strings.Contains(checked, "22") || !strings.Contains(checked, "2026") {
			t.Errorf("%s: rights.checked = %q, want the date FACTS.md was compiled (22 November 2026)", lang, checked)
		}
		for _, id := range rightsTopics {
			for _, suffix := range []string{"title", "text", "source", "words"} {
				msg := "rights." + id + "." + suffix
				if got := cat.T(lang, msg, nil); got == msg || strings.TrimSpace(got) == "" {
					t.Errorf("%s: message %s is missing", lang, msg)
				}
			}
			law := cat.T(lang, "rights."+id+".source", nil)
			if !strings.Contains(law, "Ley ") {
				t.Errorf("%s %s: source %q names no law by its official (Spanish) name", lang, id, law)
			}
			source := cat.T(lang, "rights.source", map[string]any{"Law": law, "Checked": checked})
			_, pages := rightsPage(cat, lang, id, 1)
			for p := 1; p <= pages; p++ {
				text, _ := rightsPage(cat, lang, id, p)
				n := utf8.RuneCountInString(text)
				if n > rightsPageTarget || n > 4096 {
					t.Errorf("%s %s page %d/%d: %d characters, want at most %d", lang, id, p, pages, n, rightsPageTarget)
				}
				last := p == pages
				if got := strings.HasSuffix(text, source); got != last {
					t.Errorf("%s %s page %d/%d: ends with the source line = %v, want %v", lang, id, p, pages, got, last)
				}
				if last && !strings.Contains(text, checked) {
					t.Errorf("%s %s: last page does not show the check date %q", lang, id, checked)
				}
				if strings.Contains(text, "{{") || strings.Contains(text, "<no value>") {
					t.Errorf("%s %s page %d: unrendered template in %q", lang, id, p, text)
				}
				body := strings.TrimSpace(rightsPages(cat.T(lang, "rights."+id+".text", nil))[p-1])
				if body == "" {
					t.Errorf("%s %s page %d is empty", lang, id, p)
				}
			}
		}
	}
}

// TestRightsPagesOutOfRange: a page number from an old button or a forged
// tap shows the nearest page, never an empty one.
func TestRightsPagesOutOfRange(t *testing.T) {
	cat := testCatalog(t)
	first, pages := rightsPage(cat, "es", "asylum", 1)
	if pages < 2 {
		t.Fatalf("asylum has %d pages; this test needs a paged topic", pages)
	}
	if got, _ := rightsPage(cat, "es", "asylum", 0); got != first {
		t.Errorf("page 0 = %q, want page 1", got)
	}
	last, _ := rightsPage(cat, "es", "asylum", pages)
	if got, _ := rightsPage(cat, "es", "asylum", 99); got != last {
		t.Errorf("page 99 = %q, want the last page", got)
	}
}

func TestRightsPagesSplit(t *testing.T) {
	for _, tc := range []struct {
		text string
		want []string
	}{
		{"one", []string{"one"}},
		{"one\n---\ntwo", []string{"one", "two"}},
		{"one\n  ---  \n\ntwo\n---\n", []string{"one", "two"}},
		{"a --- b\n----\nc", []string{"a --- b\n----\nc"}},
		{"", []string{""}},
	} {
		got := rightsPages(tc.text)
		if strings.Join(got, "|") != strings.Join(tc.want, "|") {
			t.Errorf("rightsPages(%q) = %q, want %q", tc.text, got, tc.want)
		}
	}
}

func TestParseRightsArg(t *testing.T) {
	for _, tc := range []struct {
		arg  string
		id   string
		page int
	}{
		{"asylum", "asylum", 1},
		{"asylum.3", "asylum", 3},
		{"asylum.x", "asylum", 1},
		{"", "", 1},
	} {
		id, page := parseRightsArg(tc.arg)
		if id != tc.id || page != tc.page {
			t.Errorf("parseRightsArg(%q) = %q, %d; want %q, %d", tc.arg, id, page, tc.id, tc.page)
		}
	}
}

// TestRightsTopicWordsFindTheirTopic: every word of every topic, in every
// language, finds its own topic and no other (words are matched across
// languages, so "crime" or "hospital" must not mean two topics).
func TestRightsTopicWordsFindTheirTopic(t *testing.T) {
	cat := testCatalog(t)
	index := &topicWords{prefix: "rights.", ids: rightsTopics}
	for _, lang := range locales.Shipped {
		for _, id := range rightsTopics {
			words := strings.Split(cat.T(lang, "rights."+id+".words", nil), ",")
			for _, w := range words {
				w = strings.TrimSpace(w)
				if w == "" {
					t.Errorf("%s %s: an empty word in rights.%s.words", lang, id, id)
					continue
				}
				if got := index.topic(cat, w); got != id {
					t.Errorf("%s: %q finds topic %q, want %q", lang, w, got, id)
				}
			}
		}
	}
	if got := index.topic(cat, "buenos días"); got != "" {
		t.Errorf("a greeting finds topic %q", got)
	}
}

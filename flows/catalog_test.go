package flows

import (
	"strings"
	"testing"
	"unicode"

	"golang.org/x/text/runes"
	"golang.org/x/text/transform"
	"golang.org/x/text/unicode/norm"
)

// normalizeRef is normalize as first written: a new chain for every call,
// ASCII included. normalize must give the same answer for any text.
func normalizeRef(s string) string {
	t := transform.Chain(norm.NFD, runes.Remove(runes.In(unicode.Mn)), norm.NFC)
	out, _, err := transform.String(t, s)
	if err != nil {
		out = s
	}
	return strings.Map(func(r rune) rune {
		switch {
		case unicode.IsLetter(r) || unicode.IsDigit(r):
			return unicode.ToLower(r)
		}
		return ' '
	}, out)
}

var normalizeSeeds = []string{
	"", "hola", "Busco ALBERGUE", "¡Auxilio!", "Acércate", "m'ap chèche", "d'aide",
	"kreyòl", "São Paulo", "Tuxtla Gutiérrez", "ñandú", "A\u0301", "e\u0301\u0300",
	"ǅ", "İstanbul", "ß", "日本語", "🙂 ayuda", "\xff\xfe bad", "tab\tnew\nline", "/start@Bot",
	strings.Repeat("é", 5000),
}

func TestNormalizeAsBefore(t *testing.T) {
	for _, s := range normalizeSeeds {
		if got, want := normalize(s), normalizeRef(s); got != want {
			t.Errorf("normalize(%q) = %q, want %q", s, got, want)
		}
	}
}

func FuzzNormalizeAsBefore(f *testing.F) {
	for _, s := range normalizeSeeds {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		if got, want := normalize(s), normalizeRef(s); got != want {
			t.Errorf("normalize(%q) = %q, want %q", s, got, want)
		}
	})
}

// A message without data is rendered once and then served from the cache:
// the same text as rendering it, in every language, and an id the bundle
// lacks still comes back as itself.
func TestCatalogPlainCache(t *testing.T) {
	c := testCatalog(t)
	fresh := testCatalog(t)
	for _, lang := range append(c.Languages(), "xx") {
		for _, id := range []string{"menu.unknown", "privacy.notice", "lang.name", "no.such.message"} {
			want, _ := fresh.render(lang, id, nil)
			for range 2 {
				if got := c.T(lang, id, nil); got != want {
					t.Errorf("T(%s, %s, nil) = %q, want %q", lang, id, got, want)
				}
				if got := c.T(lang, id, map[string]any(nil)); got != want {
					t.Errorf("T(%s, %s, nil map) = %q, want %q", lang, id, got, want)
				}
			}
		}
	}
	if got := c.T("es", "command.unknown", map[string]any{"Command": "/x"}); !strings.Contains(got, "/x") {
		t.Errorf("a message with data: %q", got)
	}
	n := 0
	for _, cache := range c.plain {
		cache.Range(func(k, v any) bool { n++; return true })
	}
	if want := 3 * len(c.Languages()); n != want {
		t.Errorf("%d cached messages, want %d (shipped languages, known ids)", n, want)
	}
}

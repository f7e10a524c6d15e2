package flows

import (
	"io/fs"
	"regexp"
	"strings"
	"testing"
	"unicode"

	"github.com/BurntSushi/toml"
	"github.com/acercate/acercate/locales"
	"github.com/nicksnyder/go-i18n/v2/i18n"

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
	for _, cache := range c.msgs {
		cache.Range(func(k, v any) bool { n++; return true })
	}
	// The three known ids in every shipped language, and command.unknown
	// in Spanish.
	if want := 3*len(c.Languages()) + 1; n != want {
		t.Errorf("%d cached messages, want %d (shipped languages, known ids)", n, want)
	}
}

// Every message of every language renders from the cache as go-i18n
// renders it: with its fields given as strings or numbers, with one left
// out, with data of a type the cache does not fill, with none; and as
// Ctx.T passes them, keys and values in turn.
func TestCatalogCacheRendersAsGoI18n(t *testing.T) {
	b, err := locales.Bundle()
	if err != nil {
		t.Fatal(err)
	}
	c := NewCatalog(b, locales.Shipped, locales.Tag)
	// The fields each message's source names, in any language.
	field := regexp.MustCompile(`{{-?\s*\.([A-Za-z0-9_]+)\s*-?}}`)
	fields := map[string]map[string]bool{}
	names, _ := fs.Glob(locales.Files(), "*.toml")
	for _, name := range names {
		raw, _ := fs.ReadFile(locales.Files(), name)
		msgs, err := i18n.ParseMessageBytes(raw, toml.Unmarshal)
		if err != nil {
			t.Fatal(err)
		}
		for _, m := range msgs {
			if fields[m.ID] == nil {
				fields[m.ID] = map[string]bool{}
			}
			for _, f := range field.FindAllStringSubmatch(m.Other, -1) {
				fields[m.ID][f[1]] = true
			}
		}
	}
	fields["no.such.message"] = map[string]bool{"N": true}
	want := func(lang, id string, data any) string {
		for _, l := range []string{lang, locales.Source} {
			loc := i18n.NewLocalizer(b, locales.Tag(l))
			if s, err := loc.Localize(&i18n.LocalizeConfig{MessageID: id, TemplateData: data}); err == nil {
				return s
			}
		}
		return id
	}
	filled := 0
	for id, keys := range fields {
		for _, lang := range append(c.Languages(), "xx") {
			strs, nums := map[string]any{}, map[string]any{}
			var kv []any
			for f := range keys {
				strs[f] = "<" + f + " & 1.5 {{.X}}>"
				nums[f] = len(f) * 1001
				kv = append(kv, f, strs[f])
			}
			some := map[string]any{"X": 1.5}
			for f := range keys {
				some[f] = strs[f]
			}
			for f := range keys {
				delete(some, f)
				break
			}
			for _, data := range []any{nil, map[string]any(nil), map[string]any{}, strs, nums, some, struct{ N int }{3}} {
				for range 2 { // the first reads the bundle, the second the cache
					if got, w := c.T(lang, id, data), want(lang, id, data); got != w {
						t.Errorf("T(%s, %s, %#v) = %q, want %q", lang, id, data, got, w)
					}
				}
			}
			if got, w := c.tkv(lang, id, kv), want(lang, id, pairs(kv)); got != w {
				t.Errorf("tkv(%s, %s, %v) = %q, want %q", lang, id, kv, got, w)
			}
			if m := c.message(lang, id); m != nil && m.simple && len(m.fields) > 0 {
				filled++
			}
		}
	}
	// Most messages with data are filled by the cache, not go-i18n.
	if filled < 100 {
		t.Errorf("%d messages with fields filled from the cache", filled)
	}
}

package locales

import (
	"io/fs"
	"sort"
	"strings"
	"testing"
	"unicode/utf8"

	"github.com/BurntSushi/toml"
	"github.com/nicksnyder/go-i18n/v2/i18n"
)

// load reads every message file into lang → id → text.
func load(t *testing.T) map[string]map[string]string {
	t.Helper()
	names, err := fs.Glob(Files(), "*.toml")
	if err != nil {
		t.Fatal(err)
	}
	all := map[string]map[string]string{}
	for _, name := range names {
		parts := strings.Split(name, ".")
		if len(parts) != 3 {
			t.Fatalf("%s: want <subject>.<lang>.toml", name)
		}
		lang := parts[1]
		raw, err := fs.ReadFile(Files(), name)
		if err != nil {
			t.Fatal(err)
		}
		msgs := map[string]string{}
		if err := toml.Unmarshal(raw, &msgs); err != nil {
			t.Fatalf("%s: %v", name, err)
		}
		if all[lang] == nil {
			all[lang] = map[string]string{}
		}
		for id, text := range msgs {
			if _, dup := all[lang][id]; dup {
				t.Errorf("%s: id %q is defined in two files", name, id)
			}
			all[lang][id] = text
		}
	}
	return all
}

func TestEveryIDInEveryLanguage(t *testing.T) {
	all := load(t)
	for _, lang := range Shipped {
		if all[lang] == nil {
			t.Fatalf("no messages for shipped language %s", lang)
		}
	}
	for lang := range all {
		if !contains(Shipped, lang) {
			t.Errorf("messages for %s, which is not shipped", lang)
		}
	}
	ids := map[string]bool{}
	for _, msgs := range all {
		for id := range msgs {
			ids[id] = true
		}
	}
	var missing []string
	for id := range ids {
		for _, lang := range Shipped {
			if strings.TrimSpace(all[lang][id]) == "" {
				missing = append(missing, lang+": "+id)
			}
		}
	}
	sort.Strings(missing)
	for _, m := range missing {
		t.Errorf("missing or empty: %s", m)
	}
}

func TestMessagesFitOneTelegramMessage(t *testing.T) {
	for lang, msgs := range load(t) {
		for id, text := range msgs {
			if n := utf8.RuneCountInString(text); n > 4096 {
				t.Errorf("%s %s: %d characters, Telegram allows 4096", lang, id, n)
			}
			if !utf8.ValidString(text) {
				t.Errorf("%s %s: invalid UTF-8", lang, id)
			}
		}
	}
}

func TestTemplatesUseTheSameFields(t *testing.T) {
	all := load(t)
	for id, src := range all[Source] {
		want := fields(src)
		for _, lang := range Shipped {
			if got := fields(all[lang][id]); got != want && all[lang][id] != "" {
				t.Errorf("%s %s uses fields %q, %s uses %q", lang, id, got, Source, want)
			}
		}
	}
}

func TestBundleLoads(t *testing.T) {
	if _, err := Bundle(); err != nil {
		t.Fatal(err)
	}
}

func fields(s string) string {
	var out []string
	for {
		i := strings.Index(s, "{{")
		if i < 0 {
			break
		}
		j := strings.Index(s[i:], "}}")
		if j < 0 {
			break
		}
		out = append(out, strings.TrimSpace(s[i+2:i+j]))
		s = s[i+j+2:]
	}
	sort.Strings(out)
	return strings.Join(out, " ")
}

func contains(list []string, s string) bool {
	for _, x := range list {
		if x == s {
			return true
		}
	}
	return false
}

func TestEveryLanguageRendersItsOwnText(t *testing.T) {
	b, err := Bundle()
	if err != nil {
		t.Fatal(err)
	}
	seen := map[string]string{}
	for _, lang := range Shipped {
		loc := i18n.NewLocalizer(b, Tag(lang))
		name, err := loc.Localize(&i18n.LocalizeConfig{MessageID: "lang.name"})
		if err != nil {
			t.Fatalf("%s: %v", lang, err)
		}
		if other, dup := seen[name]; dup {
			t.Errorf("%s and %s both render lang.name as %q: a language falls back to another", lang, other, name)
		}
		seen[name] = lang
	}
}

package web_test

import (
	"html"
	"io/fs"
	"net/http"
	"regexp"
	"sort"
	"strings"
	"testing"

	"github.com/BurntSushi/toml"
	"github.com/acercate/acercate/flows"
	"github.com/acercate/acercate/locales"
	"github.com/acercate/acercate/web"
)

// rawIDPattern matches a message id as the catalog falls back to it when
// a message is missing ("denuncia.next.visa"): a dotted lowercase name
// whose first part is one the bundle's ids start with. It finds the ids
// the bundle has and those it lacks (a removed message still asked for).
func rawIDPattern(t *testing.T) *regexp.Regexp {
	t.Helper()
	names, err := fs.Glob(locales.Files(), "*.toml")
	if err != nil || len(names) == 0 {
		t.Fatalf("locale files: %v", err)
	}
	spaces := map[string]bool{}
	for _, name := range names {
		raw, err := fs.ReadFile(locales.Files(), name)
		if err != nil {
			t.Fatal(err)
		}
		var msgs map[string]any
		if err := toml.Unmarshal(raw, &msgs); err != nil {
			t.Fatalf("%s: %v", name, err)
		}
		for id := range msgs {
			ns, _, ok := strings.Cut(id, ".")
			if !ok {
				t.Fatalf("%s: message id %q has no namespace; the pattern below would miss it", name, id)
			}
			spaces[regexp.QuoteMeta(ns)] = true
		}
	}
	var alt []string
	for ns := range spaces {
		alt = append(alt, ns)
	}
	sort.Strings(alt)
	return regexp.MustCompile(`\b(` + strings.Join(alt, "|") + `)\.[a-z0-9_]+(\.[a-z0-9_]+)*\b`)
}

// No page, in any language, shows a raw message id instead of its text:
// every page of the portal (each rights topic, the shelters by city, the
// chat's first page, the not-found page) is rendered and searched, its
// text and its attributes.
func TestNoPageShowsARawMessageID(t *testing.T) {
	ids := rawIDPattern(t)
	p := newPortal(t, web.Config{BotUsername: "acercate_bot"})
	paths := []string{"/", "/derechos", "/albergues", "/albergues?ciudad=tapachula", "/emergencia", "/denuncia", "/privacidad", "/chat"}
	for _, id := range flows.RightsTopics() {
		paths = append(paths, "/derechos/"+id)
	}
	for _, lang := range locales.Shipped {
		c := p.client(t)
		for _, path := range append(paths, "/no-such-page") {
			sep := "?"
			if strings.Contains(path, "?") {
				sep = "&"
			}
			res := p.get(t, c, path+sep+"lang="+lang)
			if res.StatusCode != http.StatusOK && path != "/no-such-page" {
				t.Fatalf("%s %s: status %d", lang, path, res.StatusCode)
			}
			body := html.UnescapeString(res.Body)
			if m := ids.FindString(body); m != "" {
				t.Errorf("%s %s: the raw message id %q shows instead of its text", lang, path, m)
			}
		}
	}
}

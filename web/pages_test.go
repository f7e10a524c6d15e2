package web_test

import (
	"net/http"
	"net/url"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/acercate/acercate/flows"
	"github.com/acercate/acercate/web"
)

// Every page, in every language, is served with the security headers, the
// language set on <html>, and no address outside this site in anything
// that loads (the links out are only <a href>).
func TestPagesEveryLanguage(t *testing.T) {
	p := newPortal(t, web.Config{})
	c := p.client(t)
	paths := []string{"/", "/derechos", "/derechos/asylum", "/albergues", "/albergues?ciudad=tapachula", "/emergencia", "/denuncia", "/privacidad"}
	for _, lang := range []string{"es", "en", "fr", "ht", "pt"} {
		for _, path := range paths {
			sep := "?"
			if strings.Contains(path, "?") {
				sep = "&"
			}
			res := p.get(t, c, path+sep+"lang="+lang)
			if res.StatusCode != http.StatusOK {
				t.Fatalf("%s %s: status %d", lang, path, res.StatusCode)
			}
			if !strings.Contains(res.Body, `<html lang="`+lang+`">`) {
				t.Errorf("%s %s: no lang attribute", lang, path)
			}
			checkHeaders(t, path, res.Header)
			if m := regexp.MustCompile(`(?i)(src|href)="[^"]*(web\.[a-z]+\.[a-z_.]+|rights\.[a-z_.]+)"|>(web|menu|rights|albergues)\.[a-z_.]+<`).FindString(res.Body); m != "" {
				t.Errorf("%s %s: an untranslated message id shows: %s", lang, path, m)
			}
			for _, m := range regexp.MustCompile(`<(script|link|img|iframe)[^>]*(src|href)="([^"]*)"`).FindAllStringSubmatch(res.Body, -1) {
				if !strings.HasPrefix(m[3], "/") || strings.HasPrefix(m[3], "//") {
					t.Errorf("%s %s: %s loads %s from elsewhere", lang, path, m[1], m[3])
				}
			}
		}
	}
}

func checkHeaders(t *testing.T, what string, h http.Header) {
	t.Helper()
	csp := h.Get("Content-Security-Policy")
	for _, want := range []string{"default-src 'self'", "script-src 'self'", "frame-ancestors 'none'", "form-action 'self'"} {
		if !strings.Contains(csp, want) {
			t.Errorf("%s: CSP %q lacks %q", what, csp, want)
		}
	}
	if strings.Contains(csp, "unsafe-inline") || strings.Contains(csp, "unsafe-eval") {
		t.Errorf("%s: CSP allows inline or eval: %q", what, csp)
	}
	for k, want := range map[string]string{"Referrer-Policy": "no-referrer", "X-Content-Type-Options": "nosniff", "X-Frame-Options": "DENY"} {
		if got := h.Get(k); got != want {
			t.Errorf("%s: %s = %q, want %q", what, k, got, want)
		}
	}
}

// The language comes from ?lang=, else from the browser's Accept-Language,
// else Spanish.
func TestLanguageChoice(t *testing.T) {
	p := newPortal(t, web.Config{})
	c := p.client(t)
	for _, tc := range []struct{ accept, query, want string }{
		{"", "", "es"},
		{"fr-CA,fr;q=0.9,en;q=0.5", "", "fr"},
		{"de-DE,de;q=0.9,pt-BR;q=0.8", "", "pt"},
		{"ht", "", "ht"},
		{"fr", "?lang=en", "en"},
		{"fr", "?lang=xx", "fr"},
	} {
		res := p.get(t, c, "/"+tc.query, "Accept-Language", tc.accept)
		if !strings.Contains(res.Body, `<html lang="`+tc.want+`">`) {
			t.Errorf("Accept-Language %q, query %q: want %s", tc.accept, tc.query, tc.want)
		}
	}
}

// A rights topic shows every page of the bot's text and its source line.
func TestRightsTopicIsTheBotText(t *testing.T) {
	p := newPortal(t, web.Config{})
	res := p.get(t, p.client(t), "/derechos/status?lang=es")
	topic, ok := p.Engine.Catalog().RightsTopic("es", "status")
	if !ok || len(topic.Pages) < 2 {
		t.Fatalf("topic status: %v, %d pages", ok, len(topic.Pages))
	}
	for _, pg := range topic.Pages {
		first := strings.TrimSpace(strings.TrimPrefix(strings.SplitN(pg, "\n", 2)[0], "•"))
		if !strings.Contains(res.Body, htmlEscape(first)) {
			t.Errorf("page starting %q is missing", first)
		}
	}
	if !strings.Contains(res.Body, htmlEscape(topic.Source)) {
		t.Errorf("the source line is missing")
	}
	if res := p.get(t, p.client(t), "/derechos/nope"); res.StatusCode != http.StatusNotFound {
		t.Errorf("unknown topic: status %d", res.StatusCode)
	}
}

func htmlEscape(s string) string {
	return strings.NewReplacer("&", "&amp;", "<", "&lt;", ">", "&gt;", `"`, "&#34;", "'", "&#39;").Replace(s)
}

// A search by location lists the shelters nearest first, in the bot's
// words (status, its age, the verified date), with map links; a form
// without its session's token is refused kindly.
func TestSheltersByLocation(t *testing.T) {
	p := newPortal(t, web.Config{})
	c := p.client(t)
	page := p.get(t, c, "/albergues?lang=es")
	tok := regexp.MustCompile(`name="t" value="([^"]+)"`).FindStringSubmatch(page.Body)
	if tok == nil {
		t.Fatal("no form token on the shelters page")
	}
	ctx := t.Context()
	here := flows.Location{Lat: 14.9036, Lon: -92.2575} // Tapachula's centre
	near, err := p.Store.Deps().Shelters.NearestShelters(ctx, here, 2, func(s *flows.Shelter) bool { return s.Status != flows.StatusClosed })
	if err != nil {
		t.Fatal(err)
	}
	if err := p.Store.Deps().Shelters.SetShelterStatus(ctx, near[0].ID, flows.StatusFull, "cli"); err != nil {
		t.Fatal(err)
	}
	p.Clock.Advance(3 * time.Hour)
	res := p.do(t, c, http.MethodPost, "/albergues", url.Values{"t": {tok[1]}, "lang": {"es"}, "lat": {"14.9036"}, "lon": {"-92.2575"}})
	if res.StatusCode != http.StatusOK {
		t.Fatalf("status %d: %s", res.StatusCode, res.Body)
	}
	i0, i1 := strings.Index(res.Body, htmlEscape(near[0].Name)), strings.Index(res.Body, htmlEscape(near[1].Name))
	if i0 < 0 || i1 < 0 || i0 > i1 {
		t.Errorf("nearest two not listed in order: %q at %d, %q at %d", near[0].Name, i0, near[1].Name, i1)
	}
	for _, want := range []string{"Los albergues más cercanos a ti", "https://www.google.com/maps/search/?api=1&amp;query=", "geo:", "Lleno", "hace 3 horas"} {
		if !strings.Contains(res.Body, want) {
			t.Errorf("answer lacks %q", want)
		}
	}
	bad := p.do(t, c, http.MethodPost, "/albergues", url.Values{"t": {"forged"}, "lat": {"14.9"}, "lon": {"-92.2"}})
	if bad.StatusCode != http.StatusForbidden || !strings.Contains(bad.Body, "ya no es válida") {
		t.Errorf("forged token: status %d", bad.StatusCode)
	}
	cross := p.do(t, c, http.MethodPost, "/albergues", url.Values{"t": {tok[1]}, "lat": {"14.9"}, "lon": {"-92.2"}}, "Sec-Fetch-Site", "cross-site", "Origin", "https://evil.example")
	if cross.StatusCode != http.StatusForbidden {
		t.Errorf("cross-site form: status %d", cross.StatusCode)
	}
	junk := p.do(t, c, http.MethodPost, "/albergues", url.Values{"t": {tok[1]}, "lat": {"999"}, "lon": {"x"}})
	if junk.StatusCode != http.StatusOK || !strings.Contains(junk.Body, "No pude leer esa ubicación") {
		t.Errorf("bad location: status %d", junk.StatusCode)
	}
	big := p.do(t, c, http.MethodPost, "/albergues", url.Values{"t": {tok[1]}, "lat": {strings.Repeat("1", 10000)}})
	if big.StatusCode != http.StatusRequestEntityTooLarge || !strings.Contains(big.Body, "demasiado largo") {
		t.Errorf("oversized form: status %d", big.StatusCode)
	}
}

// The quick exit forgets the session and leaves for the neutral site.
func TestQuickExit(t *testing.T) {
	p := newPortal(t, web.Config{})
	c := p.client(t)
	p.get(t, c, "/?c=feria2026")
	p.get(t, c, "/albergues")
	u, _ := url.Parse(p.HTTP.URL)
	if len(c.Jar.Cookies(u)) != 2 {
		t.Fatalf("cookies before the exit: %v", c.Jar.Cookies(u))
	}
	res := p.get(t, c, "/salir")
	if res.StatusCode != http.StatusSeeOther || res.Header.Get("Location") != web.DefaultExitURL {
		t.Fatalf("exit: %d to %q", res.StatusCode, res.Header.Get("Location"))
	}
	if got := c.Jar.Cookies(u); len(got) != 0 {
		t.Errorf("cookies after the exit: %v", got)
	}
}

// A script minting session after session meets the per-address limit,
// and is told kindly.
func TestFloodLimits(t *testing.T) {
	p := newPortal(t, web.Config{Limits: web.Limits{AddrRate: 1000, AddrBurst: 1000, SessionRate: 0.01, SessionBurst: 3, PostRate: 0.01, PostBurst: 2}})
	for i := 0; i < 3; i++ {
		res := p.get(t, p.client(t), "/albergues")
		if !strings.Contains(res.Body, `name="t"`) {
			t.Fatalf("session %d: no form", i)
		}
	}
	res := p.get(t, p.client(t), "/albergues")
	if strings.Contains(res.Body, `name="t"`) {
		t.Errorf("a fourth new session from one address got a form")
	}
	q := newPortal(t, web.Config{Limits: web.Limits{AddrRate: 0.01, AddrBurst: 2, SessionRate: 1, SessionBurst: 1, PostRate: 1, PostBurst: 1}})
	c := q.client(t)
	q.get(t, c, "/")
	q.get(t, c, "/")
	if res := q.get(t, c, "/?lang=es"); res.StatusCode != http.StatusTooManyRequests || !strings.Contains(res.Body, "Espera un momento") {
		t.Errorf("past the address limit: status %d", res.StatusCode)
	}
}

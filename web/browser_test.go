package web_test

import (
	"context"
	"flag"
	"net/http"
	"net/http/httptest"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/acercate/acercate/web"
	"github.com/chromedp/cdproto/browser"
	"github.com/chromedp/cdproto/emulation"
	"github.com/chromedp/cdproto/network"
	"github.com/chromedp/chromedp"
)

// These tests drive a real browser: Debian's chromium, headless. They
// skip, saying so, only when no chromium binary is installed (CI installs
// it: .ci/run).

var screenshots = flag.Bool("screenshots", false, "write the portal's screenshots into docs/")

func chromiumPath(t *testing.T) string {
	t.Helper()
	for _, name := range []string{"chromium", "chromium-browser", "google-chrome", "headless-shell"} {
		if p, err := exec.LookPath(name); err == nil {
			return p
		}
	}
	t.Skip("no chromium binary found (apt-get install chromium): the browser tests need one")
	return ""
}

// tab is one headless browser tab that records every request it makes,
// the response headers of each, and the bytes each took on the wire.
type tab struct {
	t   *testing.T
	ctx context.Context

	mu       sync.Mutex
	urls     []string
	headers  map[network.RequestID]network.Headers
	kinds    map[network.RequestID]network.ResourceType
	received map[network.RequestID]float64
}

type tabOptions struct {
	acceptLang    string
	width, height int64
	// noScript turns JavaScript off, as on a phone that has it off.
	noScript bool
}

func newTab(t *testing.T, o tabOptions) *tab {
	t.Helper()
	path := chromiumPath(t)
	if o.width == 0 {
		o.width, o.height = 360, 740
	}
	if o.acceptLang == "" {
		o.acceptLang = "es-MX,es"
	}
	actx, cancel := chromedp.NewExecAllocator(t.Context(),
		chromedp.ExecPath(path), chromedp.Headless, chromedp.NoSandbox, chromedp.DisableGPU, chromedp.NoFirstRun,
		chromedp.NoDefaultBrowserCheck,
		chromedp.Flag("disable-background-networking", true), chromedp.Flag("disable-component-update", true),
		chromedp.Flag("disable-sync", true), chromedp.Flag("disable-dev-shm-usage", true),
		chromedp.Flag("disable-features", "Translate,OptimizationHints,MediaRouter"),
		chromedp.Flag("accept-lang", o.acceptLang),
		chromedp.WindowSize(int(o.width), int(o.height)),
		chromedp.UserDataDir(t.TempDir()),
	)
	t.Cleanup(cancel)
	ctx, cancel2 := chromedp.NewContext(actx)
	t.Cleanup(cancel2)
	ctx, cancel3 := context.WithTimeout(ctx, 90*time.Second)
	t.Cleanup(cancel3)
	b := &tab{t: t, ctx: ctx}
	b.reset()
	b.do(chromedp.Navigate("about:blank"))
	if err := chromedp.Listen(ctx, b.record); err != nil {
		t.Fatal(err)
	}
	// Every page is measured whole: nothing comes from the cache.
	if _, err := chromedp.Call(ctx, network.SetCacheDisabled, network.SetCacheDisabledParams{CacheDisabled: true}); err != nil {
		t.Fatal(err)
	}
	b.do(chromedp.EmulateViewport(o.width, o.height))
	if o.noScript {
		if _, err := chromedp.Call(ctx, emulation.SetScriptExecutionDisabled, emulation.SetScriptExecutionDisabledParams{Value: true}); err != nil {
			t.Fatal(err)
		}
	}
	return b
}

func (b *tab) record(ev any) {
	b.mu.Lock()
	defer b.mu.Unlock()
	switch ev := ev.(type) {
	case *network.EventRequestWillBeSent:
		b.urls = append(b.urls, ev.Request.URL)
		b.kinds[ev.RequestID] = ev.Type
	case *network.EventResponseReceived:
		b.headers[ev.RequestID] = ev.Response.Headers
		b.kinds[ev.RequestID] = ev.Type
	case *network.EventLoadingFinished:
		b.received[ev.RequestID] = ev.EncodedDataLength
	}
}

func (b *tab) reset() {
	b.mu.Lock()
	defer b.mu.Unlock()
	b.urls = nil
	b.headers = map[network.RequestID]network.Headers{}
	b.kinds = map[network.RequestID]network.ResourceType{}
	b.received = map[network.RequestID]float64{}
}

// requests returns the URLs requested since the last reset.
func (b *tab) requests() []string {
	b.mu.Lock()
	defer b.mu.Unlock()
	return append([]string(nil), b.urls...)
}

// transferred is the bytes received since the last reset: headers and
// bodies as they travelled (compressed), every request.
func (b *tab) transferred() float64 {
	b.mu.Lock()
	defer b.mu.Unlock()
	var n float64
	for _, v := range b.received {
		n += v
	}
	return n
}

// documentHeaders returns the response headers of the documents loaded
// since the last reset.
func (b *tab) documentHeaders() []network.Headers {
	b.mu.Lock()
	defer b.mu.Unlock()
	var out []network.Headers
	for id, h := range b.headers {
		if b.kinds[id] == network.ResourceTypeDocument {
			out = append(out, h)
		}
	}
	return out
}

func (b *tab) do(steps ...chromedp.Action[chromedp.Void]) {
	b.t.Helper()
	if err := chromedp.Do(b.ctx, steps...); err != nil {
		b.t.Fatal(err)
	}
}

func eval[T any](b *tab, js string) T {
	b.t.Helper()
	v, err := chromedp.Run(b.ctx, chromedp.Evaluate[T](js))
	if err != nil {
		b.t.Fatalf("evaluate %.60s: %v", js, err)
	}
	return v
}

// waitNetworkQuiet waits for the page's load and a moment without new
// requests, so what a page loads late is counted too.
func (b *tab) waitLoaded() {
	b.t.Helper()
	b.do(chromedp.WaitReady(chromedp.CSS("body")))
	last := -1
	for i := 0; i < 50; i++ {
		state := eval[string](b, `document.readyState`)
		n := len(b.requests())
		if state == "complete" && n == last {
			return
		}
		last = n
		time.Sleep(50 * time.Millisecond)
	}
}

// TestBrowserHomeFrench opens the home page in a browser whose language is
// French and finds the emergency numbers on the first screen.
func TestBrowserHomeFrench(t *testing.T) {
	p := newPortal(t, web.Config{})
	b := newTab(t, tabOptions{acceptLang: "fr-FR,fr"})
	b.do(chromedp.Navigate(p.HTTP.URL + "/"))
	b.waitLoaded()
	if lang := eval[string](b, `document.documentElement.lang`); lang != "fr" {
		t.Fatalf("home page in %q, want fr", lang)
	}
	type call struct {
		Text   string  `json:"text"`
		Bottom float64 `json:"bottom"`
	}
	calls := eval[[]call](b, `[...document.querySelectorAll('a[href^="tel:"]')].map(a => ({text: a.textContent, bottom: a.getBoundingClientRect().bottom}))`)
	screen := eval[float64](b, `window.innerHeight`)
	want := map[string]bool{"911": false, "089": false, "800 5533 000": false}
	for _, c := range calls {
		for n := range want {
			if strings.Contains(c.Text, n) && c.Bottom <= screen {
				want[n] = true
			}
		}
	}
	for n, found := range want {
		if !found {
			t.Errorf("%s is not on the first screen (%v px high): %+v", n, screen, calls)
		}
	}
	if h := eval[string](b, `document.querySelector('.sos h2').textContent`); !strings.Contains(h, "danger") {
		t.Errorf("the emergency heading is not in French: %q", h)
	}
	if *screenshots {
		png, err := chromedp.Run(b.ctx, chromedp.CaptureScreenshot())
		if err != nil {
			t.Fatal(err)
		}
		writeScreenshot(t, "portal-home.png", png)
	}
}

func writeScreenshot(t *testing.T, name string, png []byte) {
	t.Helper()
	if err := os.WriteFile(filepath.Join("..", "docs", name), png, 0o644); err != nil {
		t.Fatal(err)
	}
}

// portalPages are the pages every budget and safety check walks.
var portalPages = []string{"/", "/derechos", "/derechos/asylum", "/derechos/trafficking", "/albergues", "/albergues?ciudad=tapachula", "/emergencia", "/denuncia", "/privacidad"}

// TestBrowserPagesBudget loads every page in a real browser, in the
// language with the longest texts, with nothing cached, and checks what
// travelled: nothing from any other origin, the security headers on every
// document, and the whole transfer (HTML, CSS, script, headers) under
// 50 KB. It then checks the page reflows at 320 px with the text at 200%,
// that text meets WCAG AA contrast, and that every field has a label.
func TestBrowserPagesBudget(t *testing.T) {
	p := newPortal(t, web.Config{})
	b := newTab(t, tabOptions{})
	const budget = 50 * 1024
	for _, lang := range []string{"es", "ht"} {
		for _, path := range portalPages {
			sep := "?"
			if strings.Contains(path, "?") {
				sep = "&"
			}
			url := p.HTTP.URL + path + sep + "lang=" + lang
			b.reset()
			b.do(chromedp.EmulateViewport(360, 740), chromedp.Navigate(url))
			b.waitLoaded()
			for _, u := range b.requests() {
				if !strings.HasPrefix(u, p.HTTP.URL+"/") {
					t.Errorf("%s: a request outside the portal: %s", url, u)
				}
			}
			docs := b.documentHeaders()
			if len(docs) == 0 {
				t.Fatalf("%s: no document loaded", url)
			}
			for _, h := range docs {
				hh := http.Header{}
				for k, v := range h {
					hh.Set(k, strings.TrimSpace(strings.Split(toString(v), "\n")[0]))
				}
				checkHeaders(t, url, hh)
			}
			n := b.transferred()
			t.Logf("%-40s %2s %6.0f bytes on the wire", path, lang, n)
			if n <= 0 || n > budget {
				t.Errorf("%s: %.0f bytes transferred, budget %d", url, n, budget)
			}

			// 320 px wide, text at 200%: nothing wider than the screen.
			b.do(chromedp.EmulateViewport(320, 640))
			wide := eval[[]string](b, `(() => {
				document.documentElement.style.fontSize = '200%';
				const out = [];
				for (const el of document.querySelectorAll('body *')) {
					const r = el.getBoundingClientRect();
					if (r.width > 0 && (r.right > document.documentElement.clientWidth + 1 || r.left < -1) && !el.classList.contains('skip')) {
						out.push(el.tagName + ' ' + (el.textContent || '').trim().slice(0, 30));
					}
				}
				document.documentElement.style.fontSize = '';
				return out;
			})()`)
			if len(wide) > 0 {
				t.Errorf("%s: wider than 320 px with text at 200%%: %v", url, wide[:min(len(wide), 5)])
			}
			if low := eval[[]string](b, contrastJS); len(low) > 0 {
				t.Errorf("%s: text below WCAG AA contrast: %v", url, low)
			}
			if unlabelled := eval[[]string](b, labelsJS); len(unlabelled) > 0 {
				t.Errorf("%s: fields or buttons without a label: %v", url, unlabelled)
			}
		}
	}
}

func toString(v any) string {
	if s, ok := v.(string); ok {
		return s
	}
	return ""
}

// contrastJS lists visible text whose colour against its background is
// under WCAG 2.1 AA: 4.5:1, or 3:1 for large text (24 px, or 18.66 px bold).
const contrastJS = `(() => {
	const parse = c => { const m = c.match(/rgba?\(([^)]+)\)/); if (!m) return null; const p = m[1].split(',').map(Number); if (p.length === 3) p.push(1); return p; };
	const lin = v => { v /= 255; return v <= 0.03928 ? v / 12.92 : Math.pow((v + 0.055) / 1.055, 2.4); };
	const lum = p => 0.2126 * lin(p[0]) + 0.7152 * lin(p[1]) + 0.0722 * lin(p[2]);
	const bg = el => { for (; el; el = el.parentElement) { const p = parse(getComputedStyle(el).backgroundColor); if (p && p[3] > 0) return p; } return [255, 255, 255, 1]; };
	const out = [];
	const w = document.createTreeWalker(document.body, NodeFilter.SHOW_TEXT);
	while (w.nextNode()) {
		const n = w.currentNode, el = n.parentElement;
		if (!n.textContent.trim() || !el) continue;
		const s = getComputedStyle(el), r = el.getBoundingClientRect();
		if (r.width === 0 || s.visibility === 'hidden' || el.classList.contains('skip')) continue;
		const fg = parse(s.color), b = bg(el);
		const l1 = lum(fg), l2 = lum(b);
		const ratio = (Math.max(l1, l2) + 0.05) / (Math.min(l1, l2) + 0.05);
		const size = parseFloat(s.fontSize), bold = parseInt(s.fontWeight, 10) >= 700;
		const need = (size >= 24 || (bold && size >= 18.66)) ? 3 : 4.5;
		if (ratio < need) out.push(n.textContent.trim().slice(0, 30) + ' ' + ratio.toFixed(2));
	}
	return out;
})()`

// labelsJS lists form fields without a label and buttons without words.
const labelsJS = `(() => {
	const out = [];
	for (const el of document.querySelectorAll('input:not([type=hidden]), select, textarea')) {
		if (!(el.labels && el.labels.length) && !el.getAttribute('aria-label')) out.push(el.outerHTML.slice(0, 60));
	}
	for (const el of document.querySelectorAll('button, a')) {
		if (!el.textContent.trim() && !el.getAttribute('aria-label')) out.push(el.outerHTML.slice(0, 60));
	}
	return out;
})()`

// neutralSite stands for the site the quick exit goes to.
func neutralSite(t *testing.T) *httptest.Server {
	ts := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "text/html; charset=utf-8")
		w.Write([]byte("<!doctype html><title>Clima</title><p>Soleado, 31 °C</p>"))
	}))
	t.Cleanup(ts.Close)
	return ts
}

// TestBrowserQuickExit: the quick exit leaves for the neutral site, the
// page it left is no longer in the history (Back goes to the page before
// it), and the session's cookies are gone.
func TestBrowserQuickExit(t *testing.T) {
	neutral := neutralSite(t)
	p := newPortal(t, web.Config{ExitURL: neutral.URL + "/"})
	b := newTab(t, tabOptions{})
	b.do(chromedp.Navigate(p.HTTP.URL + "/?c=feria2026"))
	b.waitLoaded()
	b.do(chromedp.Navigate(p.HTTP.URL + "/albergues"))
	b.waitLoaded()
	before := eval[int](b, `history.length`)
	cookies, err := chromedp.Call(b.ctx, network.GetCookies, network.GetCookiesParams{URLs: []string{p.HTTP.URL + "/"}})
	if err != nil || len(cookies.Cookies) != 2 {
		t.Fatalf("cookies before the exit: %v %v", cookies.Cookies, err)
	}
	for _, c := range cookies.Cookies {
		if !c.HTTPOnly || c.SameSite != network.CookieSameSiteStrict {
			t.Errorf("cookie %s: HttpOnly %v, SameSite %q", c.Name, c.HTTPOnly, c.SameSite)
		}
	}
	b.do(chromedp.Click(chromedp.CSS("a.exit")), chromedp.WaitVisible(chromedp.CSS("p")))
	waitFor(t, "the neutral site", func() bool { return strings.HasPrefix(eval[string](b, `location.href`), neutral.URL) })
	if after := eval[int](b, `history.length`); after != before {
		t.Errorf("history has %d entries after the exit, %d before: the exit added one instead of replacing the page", after, before)
	}
	cookies, err = chromedp.Call(b.ctx, network.GetCookies, network.GetCookiesParams{URLs: []string{p.HTTP.URL + "/"}})
	if err != nil || len(cookies.Cookies) != 0 {
		t.Errorf("cookies after the exit: %v %v", cookies.Cookies, err)
	}
	b.do(chromedp.NavigateBack())
	b.waitLoaded()
	if loc := eval[string](b, `location.pathname + location.search`); loc != "/?c=feria2026" {
		t.Errorf("Back after the exit went to %q, want the page before the one left", loc)
	}
}

func waitFor(t *testing.T, what string, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(20 * time.Second)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatalf("timed out waiting for %s", what)
		}
		time.Sleep(50 * time.Millisecond)
	}
}

// TestBrowserSheltersByLocation: a tap on "send my location" (the
// browser's position, overridden here to Tapachula) lists the nearest
// shelters.
func TestBrowserSheltersByLocation(t *testing.T) {
	p := newPortal(t, web.Config{})
	b := newTab(t, tabOptions{})
	if _, err := chromedp.CallBrowser(b.ctx, browser.SetPermission, browser.SetPermissionParams{
		Permission: &browser.PermissionDescriptor{Name: "geolocation"}, Setting: browser.PermissionSettingGranted, Origin: p.HTTP.URL,
	}); err != nil {
		t.Fatal(err)
	}
	lat, lon, acc := 14.9036, -92.2575, 30.0
	if _, err := chromedp.Call(b.ctx, emulation.SetGeolocationOverride, emulation.SetGeolocationOverrideParams{Latitude: &lat, Longitude: &lon, Accuracy: &acc}); err != nil {
		t.Fatal(err)
	}
	b.do(chromedp.Navigate(p.HTTP.URL+"/albergues?lang=en"), chromedp.WaitVisible(chromedp.ID("locate")), chromedp.Click(chromedp.ID("locate")),
		chromedp.WaitVisible(chromedp.ID("results")))
	first := eval[string](b, `document.querySelector('.shelters h3').textContent`)
	near := nearestShelter(t, p, lat, lon)
	if first != near {
		t.Errorf("first shelter %q, want the nearest, %q", first, near)
	}
	if h := eval[string](b, `document.getElementById('results').textContent`); !strings.Contains(h, "nearest to you") {
		t.Errorf("results heading %q", h)
	}
	if u := eval[string](b, `location.search`); strings.Contains(u, "14.9") {
		t.Errorf("the position is in the address: %q", u)
	}
}

// TestBrowserWithoutJavaScript: with scripts off, the location button
// stays hidden, a city picked in the form lists its shelters, and the
// quick exit is a plain link that still forgets the session.
func TestBrowserWithoutJavaScript(t *testing.T) {
	neutral := neutralSite(t)
	p := newPortal(t, web.Config{ExitURL: neutral.URL + "/"})
	b := newTab(t, tabOptions{noScript: true})
	b.do(chromedp.Navigate(p.HTTP.URL+"/albergues?lang=pt"), chromedp.WaitVisible(chromedp.ID("ciudad")))
	if vis := eval[bool](b, `document.getElementById('locate').checkVisibility()`); vis {
		t.Errorf("the location button shows without JavaScript, where it cannot work")
	}
	b.do(chromedp.SetValue(chromedp.ID("ciudad"), "palenque"), chromedp.Click(chromedp.CSS("form.city button")),
		chromedp.WaitVisible(chromedp.ID("results")))
	if h := eval[string](b, `document.getElementById('results').textContent`); !strings.Contains(h, "Palenque") {
		t.Errorf("results heading %q", h)
	}
	if n := eval[int](b, `document.querySelectorAll('.shelters > li').length`); n == 0 {
		t.Errorf("no shelters listed for Palenque")
	}
	b.do(chromedp.Click(chromedp.CSS("a.exit")))
	waitFor(t, "the neutral site", func() bool { return strings.HasPrefix(eval[string](b, `location.href`), neutral.URL) })
	cookies, err := chromedp.Call(b.ctx, network.GetCookies, network.GetCookiesParams{URLs: []string{p.HTTP.URL + "/"}})
	if err != nil || len(cookies.Cookies) != 0 {
		t.Errorf("cookies after the exit: %v %v", cookies.Cookies, err)
	}
}

package web_test

import (
	"html"
	"net/http"
	"net/url"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/acercate/acercate/web"
)

// chatForm finds the form of the chat page holding a button labelled
// label (or the message form when label is ""), and returns its fields.
func chatForm(t *testing.T, page, label string) url.Values {
	t.Helper()
	forms := regexp.MustCompile(`(?s)<form method="post" action="/chat"[^>]*>(.*?)</form>`).FindAllStringSubmatch(page, -1)
	for _, f := range forms {
		body := f[1]
		v := url.Values{}
		for _, in := range regexp.MustCompile(`<input type="hidden" name="([^"]+)" value="([^"]*)">`).FindAllStringSubmatch(body, -1) {
			v.Set(in[1], html.UnescapeString(in[2]))
		}
		if label == "" {
			if strings.Contains(body, `name="text"`) && strings.Contains(body, "<textarea") {
				return v
			}
			continue
		}
		for _, b := range regexp.MustCompile(`<button name="d" value="([^"]*)">([^<]*)</button>`).FindAllStringSubmatch(body, -1) {
			if html.UnescapeString(b[2]) == label {
				v.Set("d", html.UnescapeString(b[1]))
				return v
			}
		}
	}
	t.Fatalf("no chat form with %q in:\n%s", label, page)
	return nil
}

// The chat without JavaScript: each tap a form post, the answer on the
// next page; the visitor is one person in the request log however many
// pages they load.
func TestChatWithoutJavaScript(t *testing.T) {
	p := newPortal(t, web.Config{})
	c := p.client(t)
	page := p.get(t, c, "/chat?lang=es")
	if page.StatusCode != http.StatusOK || !strings.Contains(page.Body, "Hola, soy Acércate") {
		t.Fatalf("first visit: %d\n%s", page.StatusCode, page.Body)
	}
	post := func(form url.Values) response {
		t.Helper()
		res := p.do(t, c, http.MethodPost, "/chat", form)
		if res.StatusCode != http.StatusSeeOther {
			t.Fatalf("post: status %d\n%s", res.StatusCode, res.Body)
		}
		return p.get(t, c, "/chat?lang=es")
	}
	page = post(chatForm(t, page.Body, "Albergues"))
	if strings.Contains(page.Body, `class="button locate"`) {
		t.Errorf("a page without JavaScript got a location button it cannot use")
	}
	page = post(chatForm(t, page.Body, "Tapachula"))
	if !strings.Contains(page.Body, "Albergues en Tapachula") {
		t.Fatalf("no shelters after Tapachula:\n%s", page.Body)
	}
	// A live page (JavaScript) shares the location in the background.
	form := chatForm(t, page.Body, "")
	form.Set("lat", "14.9036")
	form.Set("lon", "-92.2575")
	if res := p.do(t, c, http.MethodPost, "/chat", form, "X-Acercate-Live", "1"); res.StatusCode != http.StatusNoContent {
		t.Fatalf("live post: %d", res.StatusCode)
	}
	page = p.get(t, c, "/chat?lang=es")
	near := nearestShelter(t, p, 14.9036, -92.2575)
	if !strings.Contains(page.Body, htmlEscape(near)) || !strings.Contains(page.Body, "📍 Ubicación enviada") {
		t.Errorf("the nearest shelter %q is not in the answer:\n%s", near, page.Body)
	}
	// The same form sent again (a reload, a double tap) is handled once.
	again := p.do(t, c, http.MethodPost, "/chat", form, "X-Acercate-Live", "1")
	if again.StatusCode != http.StatusNoContent {
		t.Fatalf("again: %d", again.StatusCode)
	}
	if n := strings.Count(p.get(t, c, "/chat").Body, "📍 Ubicación enviada"); n != 1 {
		t.Errorf("the location shows %d times after sending the same form twice", n)
	}
	reqs, err := p.Store.Requests(t.Context())
	if err != nil {
		t.Fatal(err)
	}
	people := map[string]bool{}
	for _, r := range reqs {
		people[r.Person] = true
	}
	if len(reqs) < 3 || len(people) != 1 {
		t.Errorf("%d requests from %d people; want one person", len(reqs), len(people))
	}
}

// After /borrar the visitor keeps the same session, and everything they
// send next is answered: the erasure covers the updates before it, not a
// random half of the ones after (a form's nonce is random; the update id
// the engine gets must grow across the erasure).
func TestChatAnswersEveryMessageAfterBorrar(t *testing.T) {
	p := newPortal(t, web.Config{})
	w := chatWalk{t, p, p.client(t)}
	w.p.get(t, w.c, "/chat?lang=es")
	w.say("/borrar")
	if page := w.tap("Sí, borrar todo"); !strings.Contains(page, "borré lo que guardaba de ti") {
		t.Fatalf("/borrar not confirmed:\n%s", page)
	}
	for i := range 12 {
		p.Clock.Advance(time.Minute) // within the flood limits
		page := w.say("/ayuda")
		if !strings.Contains(page, "Puedo ayudarte con tus derechos") {
			t.Fatalf("message %d after /borrar got no answer:\n%s", i+1, page)
		}
		w.say("/borrar")
		w.tap("Sí, borrar todo")
	}
}

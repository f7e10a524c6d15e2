package web_test

import (
	"strings"
	"testing"

	"github.com/acercate/acercate/web"
	"github.com/chromedp/cdproto/browser"
	"github.com/chromedp/cdproto/emulation"
	"github.com/chromedp/cdproto/network"
	"github.com/chromedp/chromedp"
)

// tapJS taps the chat button labelled %q (the last one, the newest message's).
const tapJS = `(() => {
	const b = [...document.querySelectorAll('#chat button')].filter(b => b.textContent.trim() === %q).pop();
	if (!b) return false;
	b.click();
	return true;
})()`

func tap(t *testing.T, b *tab, label string) {
	t.Helper()
	waitFor(t, "a button "+label, func() bool { return eval[bool](b, strings.Replace(tapJS, "%q", jsString(label), 1)) })
}

func jsString(s string) string {
	return "'" + strings.NewReplacer(`\`, `\\`, `'`, `\'`).Replace(s) + "'"
}

func chatText(b *tab) string {
	return eval[string](b, `document.getElementById('chat') ? document.getElementById('chat').innerText : ''`)
}

// TestBrowserChatLive walks the chat with JavaScript to the nearest
// shelter from the browser's shared location: the answers arrive live
// (no page load), and the quick exit leaves no chat in the history.
func TestBrowserChatLive(t *testing.T) {
	neutral := neutralSite(t)
	p := newPortal(t, web.Config{ExitURL: neutral.URL + "/"})
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
	b.do(chromedp.Navigate(p.HTTP.URL+"/chat?lang=es"), chromedp.WaitVisible(chromedp.CSS("#chat li")))
	b.waitLoaded()
	eval[bool](b, `window.__loaded = true`)
	entries := eval[int](b, `history.length`)
	tap(t, b, "Albergues")
	waitFor(t, "the location button", func() bool {
		return eval[bool](b, `!!document.querySelector('#keys button.locate') && document.querySelector('#keys button.locate').checkVisibility()`)
	})
	b.do(chromedp.Click(chromedp.CSS("#keys button.locate")))
	near := nearestShelter(t, p, lat, lon)
	waitFor(t, "the nearest shelter in the chat", func() bool { return strings.Contains(chatText(b), near) })
	if !eval[bool](b, `window.__loaded === true`) || eval[int](b, `history.length`) != entries {
		t.Errorf("the page was reloaded or the history grew: the answers did not arrive live")
	}
	if *screenshots {
		b.do(chromedp.EmulateViewport(360, 740), chromedp.Evaluate[chromedp.Void](`[...document.querySelectorAll('#chat li')].filter(li => !li.classList.contains('mine')).slice(-3)[0].previousElementSibling.scrollIntoView({block: 'start'})`))
		png, err := chromedp.Run(b.ctx, chromedp.CaptureScreenshot())
		if err != nil {
			t.Fatal(err)
		}
		writeScreenshot(t, "portal-chat.png", png)
	}
	b.do(chromedp.Click(chromedp.CSS("a.exit")))
	waitFor(t, "the neutral site", func() bool { return strings.HasPrefix(eval[string](b, `location.href`), neutral.URL) })
	b.do(chromedp.NavigateBack())
	b.waitLoaded()
	if loc, body := eval[string](b, `location.href`), eval[string](b, `document.body ? document.body.innerText : ''`); strings.Contains(loc, "/chat") || strings.Contains(body, near) {
		t.Errorf("Back after the quick exit shows the chat: %s\n%s", loc, body)
	}
	cookies, err := chromedp.Call(b.ctx, network.GetCookies, network.GetCookiesParams{URLs: []string{p.HTTP.URL + "/"}})
	if err != nil || len(cookies.Cookies) != 0 {
		t.Errorf("cookies after the exit: %v %v", cookies.Cookies, err)
	}
}

// TestBrowserChatWithoutJavaScript walks the chat with scripts off: each
// tap a form post, the answer on the next page; after the quick exit,
// going back shows no conversation.
func TestBrowserChatWithoutJavaScript(t *testing.T) {
	neutral := neutralSite(t)
	p := newPortal(t, web.Config{ExitURL: neutral.URL + "/"})
	b := newTab(t, tabOptions{noScript: true})
	b.do(chromedp.Navigate(p.HTTP.URL+"/chat?lang=es"), chromedp.WaitVisible(chromedp.CSS("#chat li")))
	click := func(label string) {
		t.Helper()
		sel := `//ol[@id="chat"]/li[last()]//button[normalize-space(.)="` + label + `"]`
		b.do(chromedp.Click(sel))
		b.waitLoaded()
	}
	click("Albergues")
	waitFor(t, "the city buttons", func() bool { return strings.Contains(chatText(b), "ciudad") })
	click("Tapachula")
	waitFor(t, "Tapachula's shelters", func() bool { return strings.Contains(chatText(b), "Albergues en Tapachula") })
	if vis := eval[bool](b, `!!document.querySelector('#keys button.locate') && document.querySelector('#keys button.locate').checkVisibility()`); vis {
		t.Errorf("the location button shows without JavaScript")
	}
	b.do(chromedp.Click(chromedp.CSS("a.exit")))
	waitFor(t, "the neutral site", func() bool { return strings.HasPrefix(eval[string](b, `location.href`), neutral.URL) })
	b.do(chromedp.NavigateBack())
	b.waitLoaded()
	if text := eval[string](b, `document.body ? document.body.innerText : ''`); strings.Contains(text, "Albergues en Tapachula") {
		t.Errorf("Back after the quick exit shows the conversation:\n%s", text)
	}
}

// TestBrowserStaffReply: in the browser, the visitor taps "Hablar con una
// persona" and writes; the desk announces the ticket in the staff group
// on (fake) Telegram, and Ana's reply there, delivered to the bot as
// Telegram delivers it, appears on the open page without a reload. Then,
// with the chat page closed, her second reply is waiting when the visitor
// comes back, and the page says it came while they were away.
func TestBrowserStaffReply(t *testing.T) {
	p := newStaffedPortal(t)
	b := newTab(t, tabOptions{})
	b.do(chromedp.Navigate(p.HTTP.URL+"/chat?lang=es"), chromedp.WaitVisible(chromedp.CSS("#chat li")))
	b.waitLoaded()
	eval[bool](b, `window.__loaded = true`)
	tap(t, b, "Hablar con una persona")
	waitFor(t, "the question what to tell the team", func() bool { return eval[int](b, `document.querySelectorAll('#chat li').length`) >= 3 })
	b.do(chromedp.SendKeys("#text", "Necesito saber cómo pedir refugio"), chromedp.Click(chromedp.CSS(`#say button[type="submit"]`)))
	waitFor(t, "the ticket in the chat", func() bool { return strings.Contains(chatText(b), "T1") })
	ann := p.announced(t, "cómo pedir refugio")

	waitFor(t, "the live page", func() bool { return p.Server.LivePages() > 0 })
	p.tg.Reply(staffGroup, pAna, ann.ID, "Hola, soy Ana del módulo. Te explico.")
	waitFor(t, "Ana's reply on the open page", func() bool { return strings.Contains(chatText(b), "Hola, soy Ana del módulo") })
	if !eval[bool](b, `window.__loaded === true`) {
		t.Errorf("the page was reloaded: the reply did not arrive live")
	}
	away := eval[bool](b, `!!document.querySelector('p.problem[role="status"]')`)
	if away {
		t.Errorf("the open page says the reply came while the visitor was away")
	}

	// The visitor leaves the chat for the home page: no live page is open
	// when Ana writes again.
	b.do(chromedp.Navigate(p.HTTP.URL + "/?lang=es"))
	b.waitLoaded()
	waitFor(t, "the chat page closed", func() bool { return p.Server.LivePages() == 0 })
	p.tg.Reply(staffGroup, pAna, ann.ID, "Puedes pedir refugio en la COMAR de Tapachula.")
	waitFor(t, "the bot to take Ana's reply", func() bool { return p.tg.Pending() == 0 })
	waitFor(t, "Ana's second reply when the visitor comes back", func() bool {
		b.do(chromedp.Navigate(p.HTTP.URL + "/chat?lang=es"))
		b.waitLoaded()
		return strings.Contains(chatText(b), "COMAR de Tapachula")
	})
	if text := eval[string](b, `document.body.innerText`); !strings.Contains(text, "mientras no estabas") {
		t.Errorf("the page does not say the reply came while the visitor was away:\n%s", text)
	}
}

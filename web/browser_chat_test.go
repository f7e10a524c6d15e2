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
	b := newTab(t, tabOptions{})
	if _, err := chromedp.Call(b.ctx, emulation.SetScriptExecutionDisabled, emulation.SetScriptExecutionDisabledParams{Value: true}); err != nil {
		t.Fatal(err)
	}
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

package web_test

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/acercate/acercate/web"
	"github.com/chromedp/chromedp"
)

// TestBrowserChatPhotoWithoutJavaScript attaches a photo to a denuncia in
// a real browser with scripts off: the message form is a plain multipart
// post, the chat answers on the next page that it kept the photo, and
// what is kept has no GPS left.
func TestBrowserChatPhotoWithoutJavaScript(t *testing.T) {
	p := newPortal(t, web.Config{})
	b := newTab(t, tabOptions{noScript: true})
	b.do(chromedp.Navigate(p.HTTP.URL+"/chat?lang=es"), chromedp.WaitVisible(chromedp.CSS("#chat li")))
	click := func(label string) {
		t.Helper()
		// The newest message's button of that label.
		b.do(chromedp.Click(`(//ol[@id="chat"]//button[normalize-space(.)="` + label + `"])[last()]`))
		b.waitLoaded()
	}
	for _, l := range []string{"Hacer una denuncia", "Empezar", "Robo o asalto", "Hoy", "Tapachula", "Un grupo criminal"} {
		click(l)
	}
	b.do(chromedp.SendKeys(chromedp.CSS("#text"), "Me quitaron mi dinero en el camino."), chromedp.Click(chromedp.CSS("#say button[type=submit]")))
	b.waitLoaded()
	click("✅ Listo")
	waitFor(t, "the photos step", func() bool { return strings.Contains(chatText(b), "No tengo fotos") })

	path := filepath.Join(t.TempDir(), "IMG_0001.jpg")
	if err := os.WriteFile(path, gpsJPEG(t), 0o600); err != nil {
		t.Fatal(err)
	}
	b.do(chromedp.SetUploadFiles(chromedp.CSS("#photo"), []string{path}), chromedp.Click(chromedp.CSS("#say button[type=submit]")))
	b.waitLoaded()
	waitFor(t, "the photo kept", func() bool { return strings.Contains(chatText(b), "Guardé la foto (1 de 5)") })
	if drafts, _ := p.webPhotos(t); drafts != 1 {
		t.Fatalf("%d draft photos kept, want 1", drafts)
	}
	var id string
	if err := p.Store.SQL().QueryRow(`SELECT 'web:' || token FROM web_photos`).Scan(&id); err != nil {
		t.Fatal(err)
	}
	clean, _, _, err := p.Store.WebPhoto(t.Context(), id)
	if err != nil || hasGPS(clean) || len(clean) == 0 {
		t.Errorf("the photo the browser sent is kept with its GPS, or not at all: %v", err)
	}
}

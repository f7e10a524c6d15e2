package web_test

import (
	"bytes"
	"context"
	"encoding/binary"
	"html"
	"image"
	"image/color"
	"image/jpeg"
	"mime/multipart"
	"net/http"
	"net/url"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/acercate/acercate/secret"
	"github.com/acercate/acercate/web"
)

// gpsJPEG is a phone's photo: a JPEG whose EXIF (APP1) carries a GPS
// position, 14°54'18"N 92°15'47"W (Tapachula).
func gpsJPEG(t *testing.T) []byte {
	t.Helper()
	img := image.NewRGBA(image.Rect(0, 0, 64, 48))
	for x := range 64 {
		for y := range 48 {
			img.Set(x, y, color.RGBA{uint8(x * 4), uint8(y * 5), 90, 255})
		}
	}
	var enc bytes.Buffer
	if err := jpeg.Encode(&enc, img, nil); err != nil {
		t.Fatal(err)
	}
	le := binary.LittleEndian
	tiff := make([]byte, 128)
	copy(tiff, "II*\x00")
	le.PutUint32(tiff[4:], 8)
	// IFD0: one entry, the GPS IFD's offset.
	le.PutUint16(tiff[8:], 1)
	entry := func(at int, tag, typ uint16, count, value uint32) {
		le.PutUint16(tiff[at:], tag)
		le.PutUint16(tiff[at+2:], typ)
		le.PutUint32(tiff[at+4:], count)
		le.PutUint32(tiff[at+8:], value)
	}
	entry(10, 0x8825, 4, 1, 26)
	// The GPS IFD: latitude N 14 54 18, longitude W 92 15 47.
	le.PutUint16(tiff[26:], 4)
	entry(28, 1, 2, 2, uint32('N'))
	entry(40, 2, 5, 3, 80)
	entry(52, 3, 2, 2, uint32('W'))
	entry(64, 4, 5, 3, 104)
	for i, v := range []uint32{14, 54, 18, 92, 15, 47} {
		le.PutUint32(tiff[80+8*i:], v)
		le.PutUint32(tiff[84+8*i:], 1)
	}
	app1 := append([]byte("Exif\x00\x00"), tiff...)
	seg := []byte{0xFF, 0xE1, 0, 0}
	binary.BigEndian.PutUint16(seg[2:], uint16(len(app1)+2))
	out := append([]byte{}, enc.Bytes()[:2]...)
	out = append(append(out, seg...), app1...)
	return append(out, enc.Bytes()[2:]...)
}

// hasGPS reports whether a file carries the GPS position gpsJPEG put in.
func hasGPS(b []byte) bool {
	return bytes.Contains(b, []byte("Exif\x00\x00")) || bytes.Contains(b, []byte{0x25, 0x88, 4, 0}) // the GPS IFD tag
}

// lastChatForm is chatForm for the newest message with a button
// labelled label (older messages keep theirs).
func lastChatForm(t *testing.T, page, label string) url.Values {
	t.Helper()
	i := strings.LastIndex(page, ">"+html.EscapeString(label)+"</button>")
	if i < 0 {
		t.Fatalf("no button %q in:\n%s", label, page)
	}
	return chatForm(t, page[strings.LastIndex(page[:i], `<form method="post" action="/chat"`):], label)
}

// photoPost posts the chat's message form with a file attached, as a
// browser does (multipart), and returns the chat page after it.
func (p *portal) photoPost(t *testing.T, c *http.Client, name string, data []byte, text string) string {
	t.Helper()
	p.photoPostForm(t, c, chatForm(t, p.get(t, c, "/chat").Body, ""), name, data, text)
	return p.get(t, c, "/chat").Body
}

// photoPostForm posts a photo with the chat form's fields as form has them
// (the same form twice is a double tap).
func (p *portal) photoPostForm(t *testing.T, c *http.Client, form url.Values, name string, data []byte, text string) {
	t.Helper()
	var body bytes.Buffer
	mw := multipart.NewWriter(&body)
	for _, k := range []string{"t", "u"} {
		mw.WriteField(k, form.Get(k))
	}
	mw.WriteField("text", text)
	fw, err := mw.CreateFormFile("photo", name)
	if err != nil {
		t.Fatal(err)
	}
	fw.Write(data)
	mw.Close()
	req, _ := http.NewRequest(http.MethodPost, p.HTTP.URL+"/chat", &body)
	req.Header.Set("Content-Type", mw.FormDataContentType())
	req.Header.Set("Origin", p.HTTP.URL)
	req.Header.Set("Sec-Fetch-Site", "same-origin")
	res, err := c.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	res.Body.Close()
	if res.StatusCode != http.StatusSeeOther {
		t.Fatalf("photo post: status %d", res.StatusCode)
	}
}

// chatWalk drives one visitor's chat without JavaScript.
type chatWalk struct {
	t *testing.T
	p *portal
	c *http.Client
}

func (w chatWalk) tap(label string) string {
	w.t.Helper()
	res := w.p.do(w.t, w.c, http.MethodPost, "/chat", lastChatForm(w.t, w.p.get(w.t, w.c, "/chat").Body, label))
	if res.StatusCode != http.StatusSeeOther {
		w.t.Fatalf("tap %q: status %d", label, res.StatusCode)
	}
	return w.p.get(w.t, w.c, "/chat").Body
}

func (w chatWalk) say(text string) string {
	w.t.Helper()
	form := chatForm(w.t, w.p.get(w.t, w.c, "/chat").Body, "")
	form.Set("text", text)
	if res := w.p.do(w.t, w.c, http.MethodPost, "/chat", form); res.StatusCode != http.StatusSeeOther {
		w.t.Fatalf("say %q: status %d", text, res.StatusCode)
	}
	return w.p.get(w.t, w.c, "/chat").Body
}

// toPhotos walks a new denuncia to the step that asks for photos.
func (w chatWalk) toPhotos() {
	w.t.Helper()
	w.p.get(w.t, w.c, "/chat?lang=es")
	for _, l := range []string{"Hacer una denuncia", "Empezar", "Robo o asalto", "Hoy", "Tapachula", "Un grupo criminal"} {
		w.tap(l)
	}
	w.say("Me quitaron mi dinero en el camino.")
	if page := w.tap("✅ Listo"); !strings.Contains(page, "No tengo fotos") {
		w.t.Fatalf("not at the photos step:\n%s", page)
	}
}

// webPhotos counts the web photos kept: drafts (no denuncia) and filed.
func (p *portal) webPhotos(t *testing.T) (drafts, filed int) {
	t.Helper()
	err := p.Store.SQL().QueryRow(`SELECT count(*) FILTER (WHERE denuncia IS NULL), count(*) FILTER (WHERE denuncia IS NOT NULL)
		FROM web_photos`).Scan(&drafts, &filed)
	if err != nil {
		t.Fatal(err)
	}
	return drafts, filed
}

// A denuncia with a photo from the web chat, end to end through the HTTP
// handler, the engine and the SQLite file: the photo is kept without its
// GPS, sealed (the file holds no byte of it in the clear), tied to the
// denuncia when it is filed, read back by the office's view, resealed by
// a rekey and deleted by the retention purge. A photo too big, a file
// that is not an image and one that only claims to be are answered kindly
// in the chat, and the denuncia goes on.
func TestChatDenunciaWithAPhoto(t *testing.T) {
	p := newPortal(t, web.Config{})
	w := chatWalk{t, p, p.client(t)}
	w.toPhotos()
	photo := gpsJPEG(t)
	if !hasGPS(photo) {
		t.Fatal("the test photo carries no GPS")
	}
	page := p.photoPost(t, w.c, "IMG_0001.jpg", photo, "")
	if !strings.Contains(page, "Guardé la foto (1 de 5)") || !strings.Contains(page, "📷 Foto enviada") {
		t.Fatalf("the photo was not taken:\n%s", page)
	}
	bad := "aquí solo recibo fotos JPEG o PNG de hasta 5 MB"
	big := append([]byte{0xFF, 0xD8, 0xFF}, bytes.Repeat([]byte{7}, 5<<20)...)
	for _, tc := range []struct {
		name string
		data []byte
	}{{"big.jpg", big}, {"notes.txt", []byte("hola, esto no es una foto")}, {"fake.png", []byte("\x89PNG\r\n\x1a\nnot really")}} {
		page = p.photoPost(t, w.c, tc.name, tc.data, "")
		if strings.Count(page, bad) == 0 || strings.Contains(page, "Guardé la foto (2 de 5)") {
			t.Fatalf("%s: not answered kindly:\n%s", tc.name, page)
		}
	}
	if n := strings.Count(page, bad); n != 3 {
		t.Errorf("%d kind answers for three refused files", n)
	}
	if drafts, _ := p.webPhotos(t); drafts != 1 {
		t.Fatalf("%d draft photos kept, want 1", drafts)
	}
	w.tap("✅ Listo")
	w.tap("🙈 No, anónima")
	page = w.tap("📨 Enviar la denuncia")
	folio := regexp.MustCompile(`DEN-\d{4}-\d{6}`).FindString(page)
	if folio == "" {
		t.Fatalf("no folio:\n%s", page)
	}
	if drafts, filed := p.webPhotos(t); drafts != 0 || filed != 1 {
		t.Fatalf("after filing: %d draft and %d filed photos, want 0 and 1", drafts, filed)
	}

	// In the SQLite file: sealed, nothing of the photo in the clear.
	var sealed []byte
	if err := p.Store.SQL().QueryRow(`SELECT data FROM web_photos`).Scan(&sealed); err != nil {
		t.Fatal(err)
	}
	rec, err := p.Store.Denuncias().View(context.Background(), folio, "test")
	if err != nil || len(rec.Photos) != 1 {
		t.Fatalf("view %s: %+v %v", folio, rec, err)
	}
	clean, typ, ok, err := p.Store.WebPhoto(context.Background(), rec.Photos[0])
	if err != nil || !ok || typ != "image/jpeg" {
		t.Fatalf("the denuncia's photo %q: %s %v %v", rec.Photos[0], typ, ok, err)
	}
	if bytes.HasPrefix(sealed, []byte{0xFF, 0xD8}) || bytes.Contains(sealed, clean[len(clean)/2:len(clean)/2+32]) || bytes.Contains(sealed, photo[200:232]) {
		t.Error("the stored bytes hold the photo in the clear")
	}
	if hasGPS(clean) {
		t.Error("the kept photo still carries its EXIF GPS")
	}
	if img, err := jpeg.Decode(bytes.NewReader(clean)); err != nil || img.Bounds().Dx() != 64 || img.Bounds().Dy() != 48 {
		t.Errorf("the kept photo is not the picture: %v", err)
	}

	// A rekey reseals it; it opens under the new key alone.
	newKeys, err := secret.Parse(secret.Generate())
	if err != nil {
		t.Fatal(err)
	}
	if st, err := p.Store.Rekey(context.Background(), newKeys, 100); err != nil || st.Areas["web_photos"] != 1 {
		t.Fatalf("rekey: %+v %v", st, err)
	}
	var resealed []byte
	if err := p.Store.SQL().QueryRow(`SELECT data FROM web_photos`).Scan(&resealed); err != nil {
		t.Fatal(err)
	}
	if !newKeys.SealedBy(resealed) {
		t.Error("the photo is not sealed under the new key after the rekey")
	}

	// Closed and past its retention, the purge deletes it with the text.
	if err := p.Store.Denuncias().SetStatus(context.Background(), folio, "cerrada", "test"); err != nil {
		t.Fatal(err)
	}
	p.Clock.Advance(366 * 24 * time.Hour)
	if _, err := p.Store.Purge(context.Background(), "test", false); err != nil {
		t.Fatal(err)
	}
	if drafts, filed := p.webPhotos(t); drafts+filed != 0 {
		t.Errorf("after the purge: %d draft and %d filed photos left", drafts, filed)
	}
}

// A draft's photos go with the draft: cancelled (/cancelar), quick-exited
// in the chat (/salir) or on the page (the exit link), erased (/borrar),
// or left until the conversation's state expires (the purge). A photo
// sent when no denuncia asks for one is answered, and what was typed with
// it still reaches the engine.
func TestChatDraftPhotosGoWithTheDraft(t *testing.T) {
	p := newPortal(t, web.Config{})
	photo := gpsJPEG(t)
	ends := map[string]func(w chatWalk){
		"cancel": func(w chatWalk) { w.say("/cancelar") },
		"salir":  func(w chatWalk) { w.say("/salir") },
		"exit":   func(w chatWalk) { w.p.get(w.t, w.c, "/salir") },
		"borrar": func(w chatWalk) {
			w.say("/borrar")
			// The erasure itself deletes them, and says so.
			if page := w.tap("Sí, borrar todo"); !strings.Contains(page, "fotos de una denuncia que no enviaste, borradas: 1") {
				w.t.Errorf("/borrar does not say it deleted the draft's photo:\n%s", page)
			}
		},
		"expiry": func(w chatWalk) {
			w.p.Clock.Advance(4 * 24 * time.Hour)
			if _, err := w.p.Store.Purge(context.Background(), "test", false); err != nil {
				w.t.Fatal(err)
			}
		},
	}
	for _, name := range []string{"cancel", "salir", "exit", "borrar", "expiry"} {
		w := chatWalk{t, p, p.client(t)}
		w.toPhotos()
		p.photoPost(t, w.c, "a.jpg", photo, "")
		if drafts, _ := p.webPhotos(t); drafts != 1 {
			t.Fatalf("%s: %d draft photos before, want 1", name, drafts)
		}
		ends[name](w)
		if drafts, _ := p.webPhotos(t); drafts != 0 {
			t.Errorf("%s: %d draft photos left", name, drafts)
		}
	}

	w := chatWalk{t, p, p.client(t)}
	w.p.get(t, w.c, "/chat?lang=es")
	page := p.photoPost(t, w.c, "a.jpg", photo, "albergue")
	if !strings.Contains(page, "Aquí solo puedo guardar fotos para una denuncia") {
		t.Errorf("a photo outside a denuncia is not answered:\n%s", page)
	}
	if !strings.Contains(page, "Albergues") || strings.Count(page, "albergue") < 1 {
		t.Errorf("the words sent with it did not reach the engine:\n%s", page)
	}
	if drafts, filed := p.webPhotos(t); drafts+filed != 0 {
		t.Errorf("a photo outside a denuncia was kept")
	}
}

// A photo's form sent twice (a double tap, a resent post) leaves one photo
// in the draft: the second is handled as the first, and what it kept is
// settled away with it.
func TestChatPhotoSentTwiceIsKeptOnce(t *testing.T) {
	p := newPortal(t, web.Config{})
	w := chatWalk{t, p, p.client(t)}
	w.toPhotos()
	form := chatForm(t, p.get(t, w.c, "/chat").Body, "")
	photo := gpsJPEG(t)
	p.photoPostForm(t, w.c, form, "a.jpg", photo, "")
	p.photoPostForm(t, w.c, form, "a.jpg", photo, "")
	if drafts, _ := p.webPhotos(t); drafts != 1 {
		t.Errorf("%d draft photos after the same form twice, want 1", drafts)
	}
}

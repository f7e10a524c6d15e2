package web

import (
	"bytes"
	"context"
	"encoding/binary"
	"errors"
	"fmt"
	"image"
	"image/draw"
	"image/jpeg"
	"image/png"
	"strings"
)

// Photos for a denuncia, from the web chat. Telegram keeps a person's
// photo and gives the bot a file id; a browser sends the bytes, so the web
// chat keeps them itself, in the store (store/web_photos.go), sealed like
// every other denuncia field, and the draft carries only their id
// ("web:<token>"), as a Telegram draft carries a file id. The store ties
// them to the denuncia once it is filed; a draft abandoned, cancelled,
// emptied of its photos or quick-exited drops them (settlePhotos, exit),
// /borrar and the retention purge delete them with the rest.

// Photos keeps the web chat's photos (the store implements it).
type Photos interface {
	// KeepWebPhoto keeps a cleaned photo in person's draft and returns its id.
	KeepWebPhoto(ctx context.Context, person, typ string, data []byte) (string, error)
	// SettleWebPhotos deletes person's draft photos whose id is not in
	// keep and returns how many they still have.
	SettleWebPhotos(ctx context.Context, person string, keep []string) (int, error)
}

const (
	// maxPhotoPixels bounds a photo's size once decoded (24 megapixels:
	// more than a phone saves by default, and more than 5 MB of JPEG
	// holds): a few KB of PNG can claim to be a picture of gigabytes.
	maxPhotoPixels = 24 << 20
	// maxCleanBytes is the most a cleaned photo may weigh: what the Bot
	// API's sendPhoto takes, so the staff can always be shown it.
	maxCleanBytes = 10 << 20
	// denunciaFlow is the flow whose "text" and "photos" steps take
	// photos (flows/denuncia.go): a photo is kept only while a denuncia
	// asks for one.
	denunciaFlow = "denuncia"
)

// decodeSlots bounds how many photos are decoded at once, to one: a
// decoded photo turned upright takes up to ~230 MB (the picture, and two
// RGBA copies of 24 megapixels), and the machine has others to serve;
// photos are few, so the next one waits its turn.
var decodeSlots = make(chan struct{}, 1)

// person is the keyed hash the engine files a visitor's denuncias under.
func (c *chatChannel) person(visitor string) string { return c.keys.PersonHash(address(visitor)) }

// attachPhoto decides what a photo posted in the chat becomes: cleaned, to
// be kept for the denuncia's draft, or refused with the words
// that say why (too big, not a JPEG or PNG, not while a denuncia asks for
// photos). Nothing the visitor typed with it is lost either way.
func (s *Server) attachPhoto(ctx context.Context, sid string, f *postForm, in *input) error {
	in.data, in.loc, in.badLocation = "", nil, false
	c := s.chat
	if c.photos == nil {
		in.photoRefused = "web.chat.photo_off"
		return nil
	}
	typ := photoType(f.photo)
	if f.photoTooBig || typ == "" {
		in.photoRefused = "web.chat.photo_bad"
		return nil
	}
	st, ok, err := c.eng.Store().LoadState(ctx, address(sid))
	if err != nil {
		return err
	}
	if !ok || st.Flow != denunciaFlow || (st.Step != "text" && st.Step != "photos") {
		in.photoRefused = "web.chat.photo_not_now"
		return nil
	}
	clean, err := cleanPhoto(f.photo, typ)
	if err != nil {
		in.photoRefused = "web.chat.photo_bad"
		return nil
	}
	in.photo, in.photoType = clean, typ
	return nil
}

// keepPhoto keeps an update's photo when its turn comes (chatTask.Prepare),
// so it is never between being kept and being in the draft while another
// update of the visitor settles the draft's photos (chatTask.Finish).
func (t *chatTask) keepPhoto(ctx context.Context) error {
	if t.photo == nil || t.ev.PhotoID != "" {
		return nil
	}
	id, err := t.c.photos.KeepWebPhoto(ctx, t.c.person(t.visitor), t.photoType, t.photo)
	if err != nil {
		return err
	}
	t.ev.PhotoID = id
	return nil
}

// cleanPhoto decodes a photo with the standard library's image/jpeg or
// image/png (whichever its first bytes say it is) and encodes it again:
// what comes out is only the picture. Everything else the file carried
// goes — EXIF (the GPS position, the time, the phone), XMP, comments,
// thumbnails — since neither encoder writes any of it. Decoding also
// proves it is an image; a file that does not decode is refused.
func cleanPhoto(raw []byte, typ string) ([]byte, error) {
	cfg, format, err := image.DecodeConfig(bytes.NewReader(raw))
	if err != nil {
		return nil, err
	}
	if "image/"+format != typ {
		// Only the two formats photoType names: no other decoder that
		// something else in the binary may have registered is trusted.
		return nil, fmt.Errorf("a %s file, not a JPEG or PNG", format)
	}
	if cfg.Width <= 0 || cfg.Height <= 0 || cfg.Width*cfg.Height > maxPhotoPixels {
		return nil, fmt.Errorf("a photo of %d×%d pixels", cfg.Width, cfg.Height)
	}
	decodeSlots <- struct{}{}
	defer func() { <-decodeSlots }()
	img, _, err := image.Decode(bytes.NewReader(raw))
	if err != nil {
		return nil, err
	}
	var out bytes.Buffer
	if typ == "image/jpeg" {
		// The one piece of EXIF worth keeping is applied, not kept: how
		// the phone held the camera, or the staff would see it sideways.
		img = orient(img, jpegOrientation(raw))
		err = jpeg.Encode(&out, img, &jpeg.Options{Quality: 90})
	} else {
		err = png.Encode(&out, img)
	}
	if err != nil {
		return nil, err
	}
	if out.Len() > maxCleanBytes {
		return nil, errors.New("the cleaned photo is too big to show")
	}
	return out.Bytes(), nil
}

// settlePhotos, after a visitor's update with photos in a draft, drops
// the photos the draft no longer holds: the denuncia was filed (its photos
// are the denuncia's now), cancelled, discarded, quick-exited (/salir), or
// its photos were taken out. The transcript says whether any is left, so
// the next updates skip this while none is.
func (c *chatChannel) settlePhotos(ctx context.Context, visitor string) error {
	var keep []string
	st, ok, err := c.eng.Store().LoadState(ctx, address(visitor))
	if err != nil {
		return err
	}
	if ok {
		if p := st.Drafts[denunciaFlow]["photos"]; p != "" {
			keep = strings.Split(p, "\n")
		}
	}
	n, err := c.photos.SettleWebPhotos(ctx, c.person(visitor), keep)
	if err != nil {
		return err
	}
	// The flag follows the count both ways: an update that settled none
	// may have cleared it while the next, with a photo, was waiting its
	// turn (submit sets it before), and that one's settling sets it back.
	_, err = c.transcripts.change(ctx, visitor, func(t *transcript) bool {
		changed := t.Photos != (n > 0)
		t.Photos = n > 0
		return changed
	})
	return err
}

// dropPhotos deletes the photos of a visitor's draft (the quick exit).
func (c *chatChannel) dropPhotos(ctx context.Context, visitor string) error {
	if c.photos == nil {
		return nil
	}
	_, err := c.photos.SettleWebPhotos(ctx, c.person(visitor), nil)
	return err
}

// jpegOrientation is a JPEG's EXIF Orientation (1 to 8: how to turn the
// picture to show it upright), 1 when it has none. It walks the segments
// before the picture's data, reading nothing else of the EXIF.
func jpegOrientation(raw []byte) int {
	for i := 2; i+4 <= len(raw) && raw[i] == 0xFF; {
		marker := raw[i+1]
		if marker == 0xDA || marker == 0xD9 {
			break // the picture's data: no metadata after it
		}
		n := int(binary.BigEndian.Uint16(raw[i+2:]))
		if n < 2 || i+2+n > len(raw) {
			break
		}
		if seg := raw[i+4 : i+2+n]; marker == 0xE1 && bytes.HasPrefix(seg, []byte("Exif\x00\x00")) {
			return tiffOrientation(seg[6:])
		}
		i += 2 + n
	}
	return 1
}

// tiffOrientation reads tag 0x0112 of an EXIF block's first directory.
func tiffOrientation(t []byte) int {
	if len(t) < 8 {
		return 1
	}
	var bo binary.ByteOrder
	switch string(t[:2]) {
	case "II":
		bo = binary.LittleEndian
	case "MM":
		bo = binary.BigEndian
	default:
		return 1
	}
	off := int(bo.Uint32(t[4:]))
	if off < 8 || off+2 > len(t) {
		return 1
	}
	for k := range int(bo.Uint16(t[off:])) {
		e := off + 2 + 12*k
		if e+12 > len(t) {
			break
		}
		if bo.Uint16(t[e:]) == 0x0112 {
			if v := int(bo.Uint16(t[e+8:])); v >= 1 && v <= 8 {
				return v
			}
			break
		}
	}
	return 1
}

// orient turns a picture upright as its EXIF orientation o says: flipped
// (2, 4), turned half way (3), a quarter either way (6, 8), or across a
// diagonal (5, 7).
func orient(img image.Image, o int) image.Image {
	if o <= 1 || o > 8 {
		return img
	}
	b := img.Bounds()
	src := image.NewRGBA(image.Rect(0, 0, b.Dx(), b.Dy()))
	draw.Draw(src, src.Bounds(), img, b.Min, draw.Src)
	w, h := b.Dx(), b.Dy()
	dw, dh := w, h
	if o >= 5 {
		dw, dh = h, w
	}
	dst := image.NewRGBA(image.Rect(0, 0, dw, dh))
	for dy := range dh {
		for dx := range dw {
			var sx, sy int
			switch o {
			case 2:
				sx, sy = w-1-dx, dy
			case 3:
				sx, sy = w-1-dx, h-1-dy
			case 4:
				sx, sy = dx, h-1-dy
			case 5:
				sx, sy = dy, dx
			case 6:
				sx, sy = dy, h-1-dx
			case 7:
				sx, sy = w-1-dy, h-1-dx
			case 8:
				sx, sy = w-1-dy, dx
			}
			copy(dst.Pix[dst.PixOffset(dx, dy):][:4], src.Pix[src.PixOffset(sx, sy):][:4])
		}
	}
	return dst
}

package web

import (
	"bytes"
	"encoding/binary"
	"image"
	"image/color"
	"image/jpeg"
	"testing"
)

// orientedJPEG is a 40×20 JPEG, red in its top-left corner, whose EXIF
// says to show it turned as orientation o says.
func orientedJPEG(t *testing.T, o uint16) []byte {
	t.Helper()
	img := image.NewRGBA(image.Rect(0, 0, 40, 20))
	for x := range 40 {
		for y := range 20 {
			c := color.RGBA{0, 0, 255, 255}
			if x < 8 && y < 8 {
				c = color.RGBA{255, 0, 0, 255}
			}
			img.Set(x, y, c)
		}
	}
	var enc bytes.Buffer
	if err := jpeg.Encode(&enc, img, &jpeg.Options{Quality: 95}); err != nil {
		t.Fatal(err)
	}
	return withOrientation(enc.Bytes(), o)
}

// withOrientation puts an EXIF block saying orientation o in a JPEG.
func withOrientation(jpg []byte, o uint16) []byte {
	// Big-endian TIFF, one directory of one entry: Orientation (SHORT).
	tiff := []byte("MM\x00\x2a\x00\x00\x00\x08\x00\x01\x01\x12\x00\x03\x00\x00\x00\x01\x00\x00\x00\x00\x00\x00\x00\x00")
	binary.BigEndian.PutUint16(tiff[18:], o)
	app1 := append([]byte("Exif\x00\x00"), tiff...)
	seg := binary.BigEndian.AppendUint16([]byte{0xFF, 0xE1}, uint16(len(app1)+2))
	out := append(append(append([]byte{}, jpg[:2]...), seg...), app1...)
	return append(out, jpg[2:]...)
}

// A phone photo is kept upright: the EXIF orientation is applied to the
// picture before the EXIF goes, so the staff do not see it sideways.
func TestCleanPhotoKeepsItUpright(t *testing.T) {
	for _, tc := range []struct {
		o          uint16
		w, h       int
		redX, redY int // where the red corner ends up
	}{
		{1, 40, 20, 0, 0}, {2, 40, 20, 39, 0}, {3, 40, 20, 39, 19}, {4, 40, 20, 0, 19},
		{5, 20, 40, 0, 0}, {6, 20, 40, 19, 0}, {7, 20, 40, 19, 39}, {8, 20, 40, 0, 39},
	} {
		raw := orientedJPEG(t, tc.o)
		if got := jpegOrientation(raw); got != int(tc.o) {
			t.Fatalf("orientation %d read as %d", tc.o, got)
		}
		clean, err := cleanPhoto(raw, "image/jpeg")
		if err != nil {
			t.Fatal(err)
		}
		if bytes.Contains(clean, []byte("Exif")) {
			t.Errorf("orientation %d: the EXIF is still there", tc.o)
		}
		img, err := jpeg.Decode(bytes.NewReader(clean))
		if err != nil {
			t.Fatal(err)
		}
		if b := img.Bounds(); b.Dx() != tc.w || b.Dy() != tc.h {
			t.Errorf("orientation %d: %dx%d, want %dx%d", tc.o, b.Dx(), b.Dy(), tc.w, tc.h)
			continue
		}
		x, y := min(max(tc.redX, 2), tc.w-3), min(max(tc.redY, 2), tc.h-3)
		if r, _, b, _ := img.At(x, y).RGBA(); r < 0xa000 || b > 0x6000 {
			t.Errorf("orientation %d: the red corner is not at (%d,%d)", tc.o, tc.redX, tc.redY)
		}
	}
}

// BenchmarkCleanPhoto cleans a 12-megapixel phone photo (4000×3000 JPEG,
// turned by its EXIF): the work one photo costs the server.
func BenchmarkCleanPhoto(b *testing.B) {
	img := image.NewYCbCr(image.Rect(0, 0, 4000, 3000), image.YCbCrSubsampleRatio420)
	for i := range img.Y {
		img.Y[i] = uint8(i * 7)
	}
	var enc bytes.Buffer
	if err := jpeg.Encode(&enc, img, &jpeg.Options{Quality: 85}); err != nil {
		b.Fatal(err)
	}
	raw := withOrientation(enc.Bytes(), 6)
	b.SetBytes(int64(len(raw)))
	b.ReportAllocs()
	for b.Loop() {
		if _, err := cleanPhoto(raw, "image/jpeg"); err != nil {
			b.Fatal(err)
		}
	}
}

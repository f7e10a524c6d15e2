package web

import (
	"errors"
	"io"
	"mime"
	"net/http"
	"net/url"
	"strconv"
	"strings"

	"github.com/acercate/acercate/flows"
)

// postForm is what readPost read of a form besides its fields (which are
// in r.PostForm): the photo attached to it, if any.
type postForm struct {
	// photo is the attached file's bytes, at most maxPhotoBytes; nil when
	// none was attached or it was bigger (photoTooBig).
	photo       []byte
	photoTooBig bool
}

// attached reports whether the form came with a photo, of any size.
func (f *postForm) attached() bool { return f.photoTooBig || len(f.photo) > 0 }

// maxFormParts is the most parts a multipart form may have: the chat's
// has five.
const maxFormParts = 16

// readPost is every form post's reading and checking, in one place: the
// body capped at limit bytes, the form read (a multipart one streamed, so
// an attached photo is held in memory only, never in a temporary file on
// disk), the session's token checked and the post counted against the
// flood limits. It answers the request itself and returns false when the
// form is refused; tooBig is the message for a body over limit.
func (s *Server) readPost(w http.ResponseWriter, r *http.Request, limit int64, tooBig string) (*postForm, bool) {
	r.Body = http.MaxBytesReader(w, r.Body, limit)
	f := &postForm{}
	var err error
	if mt, _, _ := mime.ParseMediaType(r.Header.Get("Content-Type")); mt == "multipart/form-data" {
		err = f.readMultipart(r)
	} else {
		err = r.ParseForm()
	}
	if err != nil {
		var over *http.MaxBytesError
		if errors.As(err, &over) {
			s.fail(w, r, http.StatusRequestEntityTooLarge, tooBig)
			return nil, false
		}
		s.fail(w, r, http.StatusBadRequest, "input.invalid")
		return nil, false
	}
	if !s.checkToken(r) {
		s.badToken(w, r)
		return nil, false
	}
	if !s.allowPost(r) {
		s.fail(w, r, http.StatusTooManyRequests, "input.flood")
		return nil, false
	}
	return f, true
}

// readMultipart reads a multipart form's fields into r.PostForm and its
// "photo" file into f: up to maxPhotoBytes, and past that it reads the
// rest without keeping it, so the fields after it (and the visitor's
// words) are not lost and the photo is answered as too big.
func (f *postForm) readMultipart(r *http.Request) error {
	mr, err := r.MultipartReader()
	if err != nil {
		return err
	}
	r.PostForm = url.Values{}
	r.Form = r.PostForm
	for n := 0; ; n++ {
		part, err := mr.NextPart()
		if err == io.EOF {
			return nil
		}
		if err != nil {
			return err
		}
		if n >= maxFormParts {
			return errors.New("too many parts")
		}
		if name := part.FormName(); name == "photo" {
			raw, err := io.ReadAll(io.LimitReader(part, maxPhotoBytes+1))
			if err != nil {
				return err
			}
			if len(raw) > maxPhotoBytes {
				f.photoTooBig, raw = true, nil
				if _, err := io.Copy(io.Discard, part); err != nil {
					return err
				}
			}
			f.photo = raw
			continue
		}
		// A field is at most maxText characters, of up to 4 bytes each.
		v, err := io.ReadAll(io.LimitReader(part, 4*maxText+1))
		if err != nil {
			return err
		}
		if len(v) > 4*maxText {
			return errors.New("a field is too long")
		}
		r.PostForm.Add(part.FormName(), string(v))
	}
}

// formLocation reads a position posted as lat and lon (the shelters'
// search, the chat's shared location); ok is false when it is not one.
func formLocation(r *http.Request) (loc flows.Location, ok bool) {
	lat, e1 := strconv.ParseFloat(strings.TrimSpace(r.PostFormValue("lat")), 64)
	lon, e2 := strconv.ParseFloat(strings.TrimSpace(r.PostFormValue("lon")), 64)
	loc = flows.Location{Lat: lat, Lon: lon}
	return loc, e1 == nil && e2 == nil && loc.Valid()
}

package web

import (
	"crypto/hmac"
	"crypto/rand"
	"encoding/base64"
	"net/http"
	"time"
)

// A visitor is a random session id in a cookie: HttpOnly (no script reads
// it), SameSite=Strict (no other site's link or form carries it), Secure
// behind https. The server keeps nothing per session: a form's token is a
// keyed hash of the id, so it is tied to the session without a table.
const (
	sessionCookie = "acercate_s"
	attrCookie    = "acercate_a"
	csrfField     = "t"
	// sessionIDLen is the random part's length in bytes (128 bits).
	sessionIDLen = 16
)

// session returns the visitor's session id, or "" when the request has
// none (or one that is not ours).
func session(r *http.Request) string {
	c, err := r.Cookie(sessionCookie)
	if err != nil || !validSessionID(c.Value) {
		return ""
	}
	return c.Value
}

func validSessionID(v string) bool {
	raw, err := base64.RawURLEncoding.DecodeString(v)
	return err == nil && len(raw) == sessionIDLen
}

// ensureSession returns the visitor's session id, starting a session (and
// setting its cookie) when there is none. ok is false when the address has
// started too many sessions lately: then there is no session and no form
// can be sent.
func (s *Server) ensureSession(w http.ResponseWriter, r *http.Request) (id string, ok bool) {
	if id := session(r); id != "" {
		return id, true
	}
	if !s.limits.newSession(s.addrKey(r), s.cfg.Now()) {
		return "", false
	}
	raw := make([]byte, sessionIDLen)
	rand.Read(raw)
	id = base64.RawURLEncoding.EncodeToString(raw)
	s.setCookie(w, sessionCookie, id, s.cfg.SessionTTL)
	return id, true
}

func (s *Server) setCookie(w http.ResponseWriter, name, value string, ttl time.Duration) {
	http.SetCookie(w, &http.Cookie{
		Name: name, Value: value, Path: "/",
		MaxAge: int(ttl / time.Second), HttpOnly: true, Secure: s.secure,
		SameSite: http.SameSiteStrictMode,
	})
}

func (s *Server) clearCookie(w http.ResponseWriter, name string) {
	http.SetCookie(w, &http.Cookie{
		Name: name, Value: "", Path: "/", MaxAge: -1, HttpOnly: true, Secure: s.secure,
		SameSite: http.SameSiteStrictMode,
	})
}

// token is the form token of a session.
func (s *Server) token(id string) string {
	if id == "" {
		return ""
	}
	return s.cfg.Keys.Hash("web.csrf", id)
}

// checkToken reports whether a posted form carries its session's token.
func (s *Server) checkToken(r *http.Request) bool {
	id := session(r)
	got := r.PostFormValue(csrfField)
	return id != "" && got != "" && hmac.Equal([]byte(got), []byte(s.token(id)))
}

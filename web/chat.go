package web

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/acercate/acercate/flows"
)

// The web chat (/chat) is the browser's channel: the same engine and
// flows as Telegram, through the channel-neutral runner. Without
// JavaScript every tap or message is a form post and the answer is on the
// next page; with it (chat.js) the posts go in the background and the
// answers, a staff member's too, arrive live over Server-Sent Events.
//
// Why SSE and not a WebSocket: the browser only needs to be told (answers,
// staff replies); what it sends goes as the same form posts that work
// without JavaScript. SSE is plain HTTP that proxies pass, EventSource
// reconnects by itself and resumes from Last-Event-ID, and net/http serves
// it with a Flusher: no library, no second protocol.

// Limits of the web chat.
const (
	// maxPhotoBytes is the largest photo a visitor may attach.
	maxPhotoBytes = 5 << 20
	// maxChatPost is the most a chat form's body may weigh: a photo up to
	// four times too big is still read (and not kept) so the visitor is
	// answered in the chat, with their words kept; past it, a kind page.
	maxChatPost = 4*maxPhotoBytes + 64<<10
	// maxLivePages is how many live pages one visitor may keep open.
	maxLivePages = 4
	// sseHeartbeat keeps an idle live connection open through proxies.
	sseHeartbeat = 25 * time.Second
)

// msgView is one message as the chat page shows it.
type msgView struct {
	message
	Blocks     []block
	CSRF       string
	PhotoLabel string
}

// chatView is the chat page's data.
type chatView struct {
	// P renders the page's words.
	P        *page
	Msgs     []msgView
	Keyboard [][]flows.KeyButton
	Version  int64
	CSRF     string
	Away     bool
	Hours    int
}

func (s *Server) views(p *page, msgs []message, csrf string) []msgView {
	out := make([]msgView, 0, len(msgs))
	for _, m := range msgs {
		v := msgView{message: m, Blocks: blocks(m.Text), CSRF: csrf}
		if m.Photo {
			v.PhotoLabel = p.T("web.chat.photo_sent")
		}
		out = append(out, v)
	}
	return out
}

// chatPage shows the visitor's conversation, starting one on the first
// visit (as a person opening the bot taps START).
func (s *Server) chatPage(w http.ResponseWriter, r *http.Request) {
	p := s.newPage(r, "web.chat.title", nil)
	sid, ok := s.ensureSession(w, r)
	if !ok {
		s.fail(w, r, http.StatusTooManyRequests, "input.flood")
		return
	}
	ctx := r.Context()
	t, err := s.chat.transcripts.get(ctx, sid)
	if err != nil {
		s.log.Error("read a transcript", "err", err)
		s.fail(w, r, http.StatusServiceUnavailable, "web.error.internal")
		return
	}
	if len(t.Msgs) == 0 {
		payload := attribution(r)
		if err := s.chat.submit(ctx, sid, input{update: randomUpdateID(), command: "start", payload: payload, lang: p.Lang}, p.T0); err != nil {
			s.chatFailed(w, r, err)
			return
		}
		if t, err = s.chat.transcripts.get(ctx, sid); err != nil {
			s.chatFailed(w, r, err)
			return
		}
	}
	away := t.Away > 0
	if away {
		if t, err = s.chat.transcripts.change(ctx, sid, func(t *transcript) bool { t.Away = 0; return true }); err != nil {
			s.chatFailed(w, r, err)
			return
		}
	}
	p.CSRF = s.token(sid)
	p.Data = chatView{P: p, Msgs: s.views(p, t.Msgs, p.CSRF), Keyboard: t.Keyboard, Version: t.Version, CSRF: p.CSRF,
		Away: away, Hours: int(s.cfg.SessionTTL / time.Hour)}
	s.render(w, r, http.StatusOK, "chat", p)
}

func (s *Server) chatFailed(w http.ResponseWriter, r *http.Request, err error) {
	s.log.Error("web chat", "err", err)
	s.fail(w, r, http.StatusServiceUnavailable, "web.error.internal")
}

// input is what a visitor sent, read from a chat form.
type input struct {
	update int64
	// One of: text, data (a button, with msg its message), a location, a
	// photo, a command.
	text string
	data string
	msg  int64
	loc  *flows.Location
	// photo is the attached photo, cleaned (chat_photos.go), and photoType
	// its type: kept when the update's turn comes; photoRefused, when a
	// photo came and is not taken, the message that tells the visitor why
	// (their words still go to the engine).
	photo        []byte
	photoType    string
	photoRefused string
	command      string
	payload      string
	lang         string
	badLocation  bool
	// live is true for a page with JavaScript, which can share a location.
	live bool
}

// chatPost takes one form of the chat: a message, a tap, a location, a
// photo. It answers a script's post with 204 (the answer comes live) and
// a plain form with a redirect to the chat, where the answer is.
func (s *Server) chatPost(w http.ResponseWriter, r *http.Request) {
	f, ok := s.readPost(w, r, maxChatPost, "web.chat.photo_bad")
	if !ok {
		return
	}
	sid := session(r)
	in, err := readInput(r)
	if err != nil {
		s.fail(w, r, http.StatusBadRequest, "input.invalid")
		return
	}
	p := s.newPage(r, "", nil)
	in.lang = p.Lang
	in.live = r.Header.Get("X-Acercate-Live") == "1"
	if f.attached() {
		if err := s.attachPhoto(r.Context(), sid, f, &in); err != nil {
			s.chatFailed(w, r, err)
			return
		}
	}
	if err := s.chat.submit(r.Context(), sid, in, p.T0); err != nil {
		s.chatFailed(w, r, err)
		return
	}
	if in.live {
		w.WriteHeader(http.StatusNoContent)
		return
	}
	http.Redirect(w, r, "/chat?lang="+s.lang(r)+"#end", http.StatusSeeOther)
}

// readInput reads a chat form's fields (the photo is attachPhoto's).
// Sizes are capped before (readPost); the engine answers text that is too
// long or not UTF-8.
func readInput(r *http.Request) (input, error) {
	in := input{}
	u, err := strconv.ParseInt(r.PostFormValue("u"), 10, 64)
	if err != nil || u <= 0 {
		return in, errors.New("no update id")
	}
	in.update = u
	switch {
	case r.PostFormValue("d") != "":
		in.data = r.PostFormValue("d")
		in.msg, _ = strconv.ParseInt(r.PostFormValue("m"), 10, 64)
	case r.PostFormValue("lat") != "" || r.PostFormValue("lon") != "":
		loc, ok := formLocation(r)
		in.loc, in.badLocation = &loc, !ok
	default:
		in.text = r.PostFormValue("text")
	}
	return in, nil
}

// photoType is the type of a photo from its first bytes ("image/jpeg",
// "image/png"), never from what the browser says; "" for anything else.
func photoType(raw []byte) string {
	switch {
	case bytes.HasPrefix(raw, []byte{0xFF, 0xD8, 0xFF}):
		return "image/jpeg"
	case bytes.HasPrefix(raw, []byte("\x89PNG\r\n\x1a\n")):
		return "image/png"
	}
	return ""
}

// chatEvents opens a live page's stream (Server-Sent Events): the
// response head and every message changed after the version the page
// has, then the connection goes to the hub (chat_live.go), which writes
// each change as it happens.
func (s *Server) chatEvents(w http.ResponseWriter, r *http.Request) {
	sid := session(r)
	if sid == "" {
		// 204 tells EventSource to stop trying: there is no conversation.
		w.WriteHeader(http.StatusNoContent)
		return
	}
	if s.chat.hub.open(sid) >= maxLivePages {
		w.WriteHeader(http.StatusTooManyRequests)
		return
	}
	last, _ := strconv.ParseInt(r.Header.Get("Last-Event-ID"), 10, 64)
	if v, err := strconv.ParseInt(r.URL.Query().Get("v"), 10, 64); err == nil && v > last {
		last = v
	}
	conn, _, err := http.NewResponseController(w).Hijack()
	if err != nil {
		http.Error(w, "", http.StatusInternalServerError)
		return
	}
	st := &stream{conn: conn, visitor: sid, last: last, lang: s.lang(r), csrf: s.token(sid)}
	head := "HTTP/1.1 200 OK\r\nContent-Type: text/event-stream\r\nCache-Control: no-store\r\n" +
		"X-Content-Type-Options: nosniff\r\nX-Accel-Buffering: no\r\nConnection: close\r\n\r\n"
	if err := st.write([]byte(head)); err != nil {
		conn.Close()
		return
	}
	s.chat.hub.add(st)
	if err := s.pushStream(st); err != nil {
		s.chat.hub.drop(st)
	}
}

// pushStream writes to a live page what changed since it last heard: the
// changed messages and the keyboard, or "reset" when the transcript was
// erased (/borrar, the quick exit) and the page must start again.
func (s *Server) pushStream(st *stream) error {
	st.mu.Lock()
	defer st.mu.Unlock()
	if st.closed {
		return nil
	}
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	t, err := s.chat.transcripts.get(ctx, st.visitor)
	if err != nil {
		return err
	}
	var out bytes.Buffer
	if t.Version < st.last {
		out.WriteString("event: reset\ndata: \n\n")
		st.last = t.Version
	}
	if changed := t.changedSince(st.last); len(changed) > 0 {
		p := &page{s: s, Lang: st.lang}
		if err := s.writeEvents(&out, p, changed, chatView{P: p, Keyboard: t.Keyboard, CSRF: st.csrf}, t.Version); err != nil {
			return err
		}
		st.last = t.Version
	}
	if out.Len() == 0 {
		return nil
	}
	return st.write(out.Bytes())
}

// writeEvents writes one "msg" event per changed message, its data the
// message's HTML as the page shows it, then a "keys" event with the
// keyboard's (the location button comes and goes with the questions);
// the last event's id is the transcript's version.
func (s *Server) writeEvents(w io.Writer, p *page, msgs []message, keys chatView, version int64) error {
	var out, html bytes.Buffer
	event := func(name, tmpl string, data any, id int64) error {
		html.Reset()
		if err := s.pages["chat"].ExecuteTemplate(&html, tmpl, data); err != nil {
			return err
		}
		if id > 0 {
			fmt.Fprintf(&out, "id: %d\n", id)
		}
		out.WriteString("event: " + name + "\n")
		for _, line := range strings.Split(strings.TrimRight(html.String(), "\n"), "\n") {
			out.WriteString("data: ")
			out.WriteString(line)
			out.WriteString("\n")
		}
		out.WriteString("\n")
		return nil
	}
	for _, v := range s.views(p, msgs, keys.CSRF) {
		if err := event("msg", "msg", v, 0); err != nil {
			return err
		}
	}
	if err := event("keys", "keys", keys, version); err != nil {
		return err
	}
	_, err := w.Write(out.Bytes())
	return err
}

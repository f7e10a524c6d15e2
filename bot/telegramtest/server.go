// Package telegramtest is a fake Telegram Bot API server for tests: an
// httptest server that answers the methods Acércate uses the way the real
// one does — getUpdates with offset semantics and real long polling, 429
// with retry_after, 403 for a person who blocked the bot, 400 "message is
// not modified", the limits on text, captions and callback data, HTML that
// does not parse — and records every call and every limit it saw broken.
//
// Tests play the people: Text, Command, Tap, Location and Photo queue
// updates as Telegram would; Messages shows what a chat looks like now.
package telegramtest

import (
	"bytes"
	"encoding/json"
	"fmt"
	"image"
	_ "image/jpeg" // the photos it reads, as the Bot API
	_ "image/png"
	"io"
	"math"
	"mime"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strconv"
	"strings"
	"sync"
	"time"
	"unicode/utf8"
)

// Limits are the sending limits the server checks. A message beyond a
// limit is recorded as a violation; with Enforce it is also refused with
// 429, as Telegram does. Zero rates are not checked.
type Limits struct {
	// Global is messages per second over all chats, with GlobalBurst.
	Global      float64
	GlobalBurst int
	// Chat is messages per second to one private chat, with ChatBurst.
	Chat      float64
	ChatBurst int
	// Group is messages per second to one group, with GroupBurst.
	Group      float64
	GroupBurst int
	// Enforce refuses a message beyond a limit with 429.
	Enforce bool
	// RetryAfter is the retry_after given when enforcing (1 s).
	RetryAfter int
	// Slack is how many messages beyond each limit are tolerated.
	Slack int
}

// Call is one API request the server received.
type Call struct {
	Method string
	Params url.Values
	// Files are the names of uploaded files by field.
	Files map[string]string
	// Status is the HTTP status answered; Error the description, if any.
	Status int
	Error  string
	At     time.Time
}

// Message is a message as it stands in a chat.
type Message struct {
	ID     int64
	ChatID int64
	// FromBot is true for the bot's messages.
	FromBot bool
	Text    string
	// Photo and Document hold the file id or uploaded name, if any.
	Photo, Document string
	// Upload is an uploaded photo's bytes, as the Bot API received them.
	Upload []byte
	// Markup is the reply_markup JSON as sent.
	Markup string
	// NoPreview: sent with link previews disabled (link_preview_options).
	NoPreview bool
	Deleted   bool
	Edits     int
}

// Server is the fake Bot API.
type Server struct {
	*httptest.Server
	// Token is the bot token the server accepts.
	Token string

	mu         sync.Mutex
	wake       chan struct{}
	updates    []update
	nextUpdate int64
	confirmed  int64
	nextMsg    map[int64]int64
	// keyboard says which chats show a reply keyboard (set by a message
	// with one, taken away by one with remove_keyboard).
	keyboard   map[int64]bool
	msgs       map[int64][]*Message
	callbacks  map[string]*callback
	nextTap    int64
	blocked    map[int64]bool
	groups     map[int64]bool
	left       map[int64]bool
	calls      []Call
	violations []string
	failures   []failure
	disabled   map[string]bool
	webhook    string
	webhookTok string
	// webhookConns is setWebhook's max_connections (Telegram's default 40).
	webhookConns int
	polling      int64 // id of the getUpdates request now waiting
	limits       Limits
	lean         bool
	global       *window
	perChat      map[int64]*window
	now          func() time.Time
}

type update struct {
	id   int64
	body map[string]any
}

type callback struct {
	answered bool
	at       time.Time
}

type failure struct {
	method     string
	status     int
	desc       string
	retryAfter int
	left       int
	// raw, when set, is the whole answer's body instead of the API's
	// JSON; carried says the call was still carried out (an odd answer
	// to a call that worked) rather than stopped (a proxy's error page).
	raw     string
	carried bool
}

// New starts a fake server; it is closed when the test ends.
func New(t interface{ Cleanup(func()) }) *Server {
	s := &Server{
		Token:     "123456:TEST-token-secret-9f8e7d6c5b4a",
		wake:      make(chan struct{}),
		nextMsg:   map[int64]int64{},
		keyboard:  map[int64]bool{},
		msgs:      map[int64][]*Message{},
		callbacks: map[string]*callback{},
		blocked:   map[int64]bool{},
		groups:    map[int64]bool{},
		left:      map[int64]bool{},
		disabled:  map[string]bool{},
		perChat:   map[int64]*window{},
		now:       time.Now,
	}
	s.Server = httptest.NewServer(http.HandlerFunc(s.serve))
	t.Cleanup(s.Close)
	return s
}

// Close stops the server, ending any long poll.
func (s *Server) Close() {
	s.mu.Lock()
	s.polling = -1
	s.broadcast()
	s.mu.Unlock()
	s.Server.CloseClientConnections()
	s.Server.Close()
}

// APIURL is the base URL to give the bot as TELEGRAM_API_URL.
func (s *Server) APIURL() string { return s.URL }

// SetLimits sets the limits checked from now on.
func (s *Server) SetLimits(l Limits) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if l.RetryAfter == 0 {
		l.RetryAfter = 1
	}
	s.limits = l
	s.global = nil
	if l.Global > 0 {
		s.global = newWindow(l.Global, l.GlobalBurst, l.Slack)
	}
	s.perChat = map[int64]*window{}
}

// window checks a limit the way Telegram states it — so many messages per
// second (per minute for slower limits) — over a sliding window: in any
// window, at most rate×window + burst (+ slack) messages. Counting over a
// window, not message to message, keeps the check honest when requests
// that left evenly arrive bunched on a busy machine.
type window struct {
	span  time.Duration
	max   int
	times []time.Time
}

func newWindow(r float64, burst, slack int) *window {
	span := time.Second
	if r < 1 {
		span = time.Minute
	}
	return &window{span: span, max: int(math.Ceil(r*span.Seconds())) + max(burst, 1) + slack}
}

func (w *window) allow(now time.Time) bool {
	cut := now.Add(-w.span)
	i := 0
	for i < len(w.times) && !w.times[i].After(cut) {
		i++
	}
	w.times = w.times[i:]
	if len(w.times) >= w.max {
		return false
	}
	w.times = append(w.times, now)
	return true
}

// Lean makes the server keep nothing it does not need to answer: no call
// history and no message contents, so load benchmarks measure the bot's
// memory, not the fake's. Edits and deletions are then not checked.
func (s *Server) Lean() { s.mu.Lock(); s.lean = true; s.mu.Unlock() }

// Block makes chat a person who blocked the bot: sending to it gets 403.
func (s *Server) Block(chat int64) { s.mu.Lock(); s.blocked[chat] = true; s.mu.Unlock() }

// Unblock makes chat a person who unblocked the bot.
func (s *Server) Unblock(chat int64) { s.mu.Lock(); delete(s.blocked, chat); s.mu.Unlock() }

// Fail makes the next n calls of method (or of any method, "") fail with
// status and description; retryAfter > 0 adds parameters.retry_after.
// Status 0 closes the connection without an answer (a network error).
func (s *Server) Fail(method string, n, status int, desc string, retryAfter int) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.failures = append(s.failures, failure{method: method, status: status, desc: desc, retryAfter: retryAfter, left: n})
}

// ProxyError makes the next n calls of method stop before the API, at a
// proxy that answers status with body (an HTML error page, say).
func (s *Server) ProxyError(method string, n, status int, body string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.failures = append(s.failures, failure{method: method, status: status, raw: body, left: n})
}

// OddAnswer makes the next n calls of method work but be answered with
// body (200) instead of the API's answer: a truncated answer, or a result
// that is not what the method returns.
func (s *Server) OddAnswer(method string, n int, body string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.failures = append(s.failures, failure{method: method, status: http.StatusOK, raw: body, carried: true, left: n})
}

// rawAnswer takes a due ProxyError (carried false) or OddAnswer (true)
// for method.
func (s *Server) rawAnswer(method string, carried bool) (int, string, bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	for i := range s.failures {
		f := &s.failures[i]
		if f.left > 0 && f.raw != "" && f.carried == carried && f.method == method {
			f.left--
			return f.status, f.raw, true
		}
	}
	return 0, "", false
}

// Disable makes method unknown to the server (404 "Not Found"), like an
// older Bot API server or a proxy that lacks it.
func (s *Server) Disable(method string) { s.mu.Lock(); s.disabled[method] = true; s.mu.Unlock() }

// Calls returns every call received so far, in order.
func (s *Server) Calls() []Call {
	s.mu.Lock()
	defer s.mu.Unlock()
	return append([]Call(nil), s.calls...)
}

// CallsTo returns the calls of one method.
func (s *Server) CallsTo(method string) []Call {
	var out []Call
	for _, c := range s.Calls() {
		if c.Method == method {
			out = append(out, c)
		}
	}
	return out
}

// Violations returns every broken limit the server saw, in order.
func (s *Server) Violations() []string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return append([]string(nil), s.violations...)
}

// Messages returns the messages of a chat as they stand (deleted ones
// left out), the person's and the bot's, in order.
func (s *Server) Messages(chat int64) []Message {
	s.mu.Lock()
	defer s.mu.Unlock()
	var out []Message
	for _, m := range s.msgs[chat] {
		if !m.Deleted {
			out = append(out, *m)
		}
	}
	return out
}

// BotMessages returns the bot's messages in a chat, deleted ones left out.
func (s *Server) BotMessages(chat int64) []Message {
	var out []Message
	for _, m := range s.Messages(chat) {
		if m.FromBot {
			out = append(out, m)
		}
	}
	return out
}

// Unanswered returns the ids of taps not answered with answerCallbackQuery.
func (s *Server) Unanswered() []string {
	s.mu.Lock()
	defer s.mu.Unlock()
	var out []string
	for id, c := range s.callbacks {
		if !c.answered {
			out = append(out, id)
		}
	}
	return out
}

// Pending returns how many updates were queued and not yet confirmed.
func (s *Server) Pending() int {
	s.mu.Lock()
	defer s.mu.Unlock()
	n := 0
	for _, u := range s.updates {
		if u.id >= s.confirmed {
			n++
		}
	}
	return n
}

// Confirmed reports the offset the bot last confirmed: every update below
// it was acknowledged.
func (s *Server) Confirmed() int64 {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.confirmed
}

// Webhook returns the webhook URL and secret set by setWebhook.
func (s *Server) Webhook() (url, secret string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.webhook, s.webhookTok
}

// broadcast wakes every waiting long poll. s.mu must be held.
func (s *Server) broadcast() {
	close(s.wake)
	s.wake = make(chan struct{})
}

// Person is who writes in a test.
type Person struct {
	ID        int64
	FirstName string
	Lang      string
}

func (p Person) user() map[string]any {
	u := map[string]any{"id": p.ID, "is_bot": false, "first_name": p.FirstName}
	if p.FirstName == "" {
		u["first_name"] = "Persona"
	}
	if p.Lang != "" {
		u["language_code"] = p.Lang
	}
	return u
}

// Left reports whether the bot left the group chat (leaveChat), or was
// removed from it (Remove).
func (s *Server) Left(chat int64) bool { s.mu.Lock(); defer s.mu.Unlock(); return s.left[chat] }

// Remove removes the bot from a group, as a member of the group would:
// sending there fails with 403 until Rejoin.
func (s *Server) Remove(chat int64) { s.mu.Lock(); s.left[chat] = true; s.mu.Unlock() }

// Rejoin adds the bot back to a group it left or was removed from.
func (s *Server) Rejoin(chat int64) { s.mu.Lock(); delete(s.left, chat); s.mu.Unlock() }

// leave is leaveChat: only a group can be left.
func (s *Server) leave(chatParam string) (int, map[string]any) {
	chat, err := strconv.ParseInt(chatParam, 10, 64)
	if err != nil {
		return fail(400, "Bad Request: chat not found", 0)
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	if chat > 0 && !s.groups[chat] {
		return fail(400, "Bad Request: chat member status can't be changed in private chats", 0)
	}
	if s.left[chat] {
		return fail(403, "Forbidden: bot is not a member of the group chat", 0)
	}
	s.left[chat] = true
	return ok(true)
}

// Group makes chat a group chat (negative ids are groups anyway).
func (s *Server) Group(chat int64) { s.mu.Lock(); s.groups[chat] = true; s.mu.Unlock() }

func (s *Server) chatJSON(chat int64) map[string]any {
	if chat < 0 || s.groups[chat] {
		return map[string]any{"id": chat, "type": "supergroup", "title": "Staff"}
	}
	return map[string]any{"id": chat, "type": "private", "first_name": "Persona"}
}

// message queues a message update from p in chat, filled by fill; it
// returns the update id and the message id.
func (s *Server) message(chat int64, p Person, fill func(m map[string]any, msg *Message)) (int64, int64) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.nextMsg[chat]++
	id := s.nextMsg[chat]
	stored := &Message{ID: id, ChatID: chat}
	m := map[string]any{"message_id": id, "date": s.now().Unix(), "chat": s.chatJSON(chat), "from": p.user()}
	fill(m, stored)
	if !s.lean {
		s.msgs[chat] = append(s.msgs[chat], stored)
	}
	return s.queue(map[string]any{"message": m}), id
}

// queue adds an update. s.mu must be held.
func (s *Server) queue(body map[string]any) int64 {
	s.nextUpdate++
	if s.nextUpdate == 1 {
		s.nextUpdate = 1000
	}
	body["update_id"] = s.nextUpdate
	s.updates = append(s.updates, update{id: s.nextUpdate, body: body})
	s.broadcast()
	return s.nextUpdate
}

// Text queues a text message; it returns the update id.
func (s *Server) Text(chat int64, p Person, text string) int64 {
	u, _ := s.message(chat, p, func(m map[string]any, msg *Message) {
		m["text"] = text
		msg.Text = text
	})
	return u
}

// Reply queues a text message replying to message replyTo.
func (s *Server) Reply(chat int64, p Person, replyTo int64, text string) int64 {
	u, _ := s.message(chat, p, func(m map[string]any, msg *Message) {
		m["text"] = text
		m["reply_to_message"] = map[string]any{"message_id": replyTo, "date": s.now().Unix(), "chat": s.chatJSON(chat)}
		msg.Text = text
	})
	return u
}

// Command queues "/cmd payload" marked with a bot_command entity, as a
// Telegram app sends it.
func (s *Server) Command(chat int64, p Person, command string) int64 {
	u, _ := s.message(chat, p, func(m map[string]any, msg *Message) {
		m["text"] = command
		word, _, _ := strings.Cut(command, " ")
		m["entities"] = []any{map[string]any{"type": "bot_command", "offset": 0, "length": utf16Len(word)}}
		msg.Text = command
	})
	return u
}

// Location queues a shared location.
func (s *Server) Location(chat int64, p Person, lat, lon float64) int64 {
	u, _ := s.message(chat, p, func(m map[string]any, msg *Message) {
		m["location"] = map[string]any{"latitude": lat, "longitude": lon}
	})
	return u
}

// Photo queues a photo with a caption; the file id is "photo-<update>".
func (s *Server) Photo(chat int64, p Person, caption string) int64 {
	u, _ := s.message(chat, p, func(m map[string]any, msg *Message) {
		id := "photo-" + strconv.FormatInt(s.nextUpdate+1, 10)
		m["photo"] = []any{
			map[string]any{"file_id": id + "-small", "file_unique_id": "s", "width": 90, "height": 90},
			map[string]any{"file_id": id, "file_unique_id": "b", "width": 1280, "height": 960},
		}
		if caption != "" {
			m["caption"] = caption
		}
		msg.Photo, msg.Text = id, caption
	})
	return u
}

// Voice queues a voice message, something the bot cannot read.
func (s *Server) Voice(chat int64, p Person) int64 {
	u, _ := s.message(chat, p, func(m map[string]any, msg *Message) {
		m["voice"] = map[string]any{"file_id": "voice", "file_unique_id": "v", "duration": 3}
	})
	return u
}

// Edit queues an edited_message update: the person changed message id.
func (s *Server) Edit(chat int64, p Person, id int64, text string) int64 {
	s.mu.Lock()
	defer s.mu.Unlock()
	for _, m := range s.msgs[chat] {
		if m.ID == id {
			m.Text = text
			m.Edits++
		}
	}
	m := map[string]any{"message_id": id, "date": s.now().Unix(), "edit_date": s.now().Unix(),
		"chat": s.chatJSON(chat), "from": p.user(), "text": text}
	return s.queue(map[string]any{"edited_message": m})
}

// EditReply queues an edited_message update of message id, a reply to
// message replyTo (Telegram repeats reply_to_message in the edit).
func (s *Server) EditReply(chat int64, p Person, id, replyTo int64, text string) int64 {
	s.mu.Lock()
	defer s.mu.Unlock()
	for _, m := range s.msgs[chat] {
		if m.ID == id {
			m.Text = text
			m.Edits++
		}
	}
	m := map[string]any{"message_id": id, "date": s.now().Unix(), "edit_date": s.now().Unix(),
		"chat": s.chatJSON(chat), "from": p.user(), "text": text,
		"reply_to_message": map[string]any{"message_id": replyTo, "date": s.now().Unix(), "chat": s.chatJSON(chat),
			"from": map[string]any{"id": 123456, "is_bot": true, "first_name": "Acércate"}}}
	return s.queue(map[string]any{"edited_message": m})
}

// Tap queues a tap on an inline button with data under the bot's message
// msg; it returns the update id.
func (s *Server) Tap(chat int64, p Person, msg int64, data string) int64 {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.nextTap++
	id := "tap" + strconv.FormatInt(s.nextTap, 10)
	s.callbacks[id] = &callback{at: s.now()}
	cq := map[string]any{"id": id, "from": p.user(), "chat_instance": "ci", "data": data,
		"message": map[string]any{"message_id": msg, "date": s.now().Unix(), "chat": s.chatJSON(chat)}}
	return s.queue(map[string]any{"callback_query": cq})
}

// TapLabel taps the button labelled label on the bot's latest message in
// chat that has it; it returns the update id, or an error.
func (s *Server) TapLabel(chat int64, p Person, label string) (int64, error) {
	msgs := s.BotMessages(chat)
	for i := len(msgs) - 1; i >= 0; i-- {
		for _, b := range Buttons(msgs[i].Markup) {
			if b[0] == label {
				return s.Tap(chat, p, msgs[i].ID, b[1]), nil
			}
		}
	}
	return 0, fmt.Errorf("no button %q in chat", label)
}

// Buttons returns the (label, callback data) of an inline keyboard markup.
func Buttons(markup string) [][2]string {
	var m struct {
		Inline [][]struct {
			Text string `json:"text"`
			Data string `json:"callback_data"`
		} `json:"inline_keyboard"`
	}
	if json.Unmarshal([]byte(markup), &m) != nil {
		return nil
	}
	var out [][2]string
	for _, row := range m.Inline {
		for _, b := range row {
			out = append(out, [2]string{b.Text, b.Data})
		}
	}
	return out
}

// UpdateJSON returns the JSON of a queued update, to post to a webhook.
func (s *Server) UpdateJSON(id int64) []byte {
	s.mu.Lock()
	defer s.mu.Unlock()
	for _, u := range s.updates {
		if u.id == id {
			b, _ := json.Marshal(u.body)
			return b
		}
	}
	return nil
}

func utf16Len(s string) int {
	n := 0
	for _, r := range s {
		if r >= 0x10000 {
			n += 2
		} else {
			n++
		}
	}
	return n
}

// serve answers one API request.
func (s *Server) serve(w http.ResponseWriter, r *http.Request) {
	path := strings.TrimPrefix(r.URL.Path, "/")
	tokenPart, method, ok := strings.Cut(path, "/")
	if !ok || tokenPart != "bot"+s.Token {
		writeJSON(w, http.StatusUnauthorized, map[string]any{"ok": false, "error_code": 401, "description": "Unauthorized"})
		return
	}
	params, files, uploads, err := readParams(r)
	call := Call{Method: method, Params: params, Files: files, At: s.now()}
	if st, raw, hit := s.rawAnswer(method, false); hit {
		s.record(call, st, "proxy")
		w.Header().Set("Content-Type", "text/html")
		w.WriteHeader(st)
		io.WriteString(w, raw)
		return
	}
	status, body := http.StatusOK, map[string]any(nil)
	if err != nil {
		status, body = fail(400, "Bad Request: "+err.Error(), 0)
	} else {
		status, body = s.dispatch(r, method, params, files, uploads)
	}
	if st, raw, hit := s.rawAnswer(method, true); hit && status == http.StatusOK {
		s.record(call, st, "odd answer")
		w.Header().Set("Content-Type", "application/json")
		w.WriteHeader(st)
		io.WriteString(w, raw)
		return
	}
	if status == -1 { // an injected network error
		s.record(call, 0, "connection closed")
		hj, ok := w.(http.Hijacker)
		if ok {
			if c, _, err := hj.Hijack(); err == nil {
				c.Close()
				return
			}
		}
		panic(http.ErrAbortHandler)
	}
	desc, _ := body["description"].(string)
	s.record(call, status, desc)
	writeJSON(w, status, body)
}

func (s *Server) record(c Call, status int, desc string) {
	s.mu.Lock()
	if s.lean {
		s.mu.Unlock()
		return
	}
	c.Status, c.Error = status, desc
	s.calls = append(s.calls, c)
	s.mu.Unlock()
}

// readParams reads a call's parameters, the names of its uploaded files
// and their bytes (by field).
func readParams(r *http.Request) (url.Values, map[string]string, map[string][]byte, error) {
	ct, _, _ := mime.ParseMediaType(r.Header.Get("Content-Type"))
	files, uploads := map[string]string{}, map[string][]byte{}
	switch ct {
	case "application/json":
		var m map[string]any
		if err := json.NewDecoder(r.Body).Decode(&m); err != nil {
			return nil, nil, nil, err
		}
		v := url.Values{}
		for k, x := range m {
			if s, ok := x.(string); ok {
				v.Set(k, s)
			} else {
				b, _ := json.Marshal(x)
				v.Set(k, string(b))
			}
		}
		return v, files, uploads, nil
	case "multipart/form-data":
		if err := r.ParseMultipartForm(20 << 20); err != nil {
			return nil, nil, nil, err
		}
		v := url.Values{}
		for k, x := range r.MultipartForm.Value {
			v[k] = x
		}
		for k, fh := range r.MultipartForm.File {
			if len(fh) > 0 {
				files[k] = fh[0].Filename
				f, err := fh[0].Open()
				if err != nil {
					return nil, nil, nil, err
				}
				uploads[k], err = io.ReadAll(f)
				f.Close()
				if err != nil {
					return nil, nil, nil, err
				}
			}
		}
		return v, files, uploads, nil
	default:
		if err := r.ParseForm(); err != nil {
			return nil, nil, nil, err
		}
		return r.Form, files, uploads, nil
	}
}

func writeJSON(w http.ResponseWriter, status int, body map[string]any) {
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(status)
	json.NewEncoder(w).Encode(body)
}

func ok(result any) (int, map[string]any) {
	return http.StatusOK, map[string]any{"ok": true, "result": result}
}

func fail(code int, desc string, retryAfter int) (int, map[string]any) {
	b := map[string]any{"ok": false, "error_code": code, "description": desc}
	if retryAfter > 0 {
		b["parameters"] = map[string]any{"retry_after": retryAfter}
	}
	return code, b
}

// injected returns an injected failure for method, if one is due.
func (s *Server) injected(method string) (int, map[string]any, bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	for i := range s.failures {
		f := &s.failures[i]
		if f.left > 0 && f.raw == "" && (f.method == "" || f.method == method) {
			f.left--
			if f.status == 0 {
				return -1, nil, true
			}
			st, b := fail(f.status, f.desc, f.retryAfter)
			return st, b, true
		}
	}
	return 0, nil, false
}

func (s *Server) dispatch(r *http.Request, method string, p url.Values, files map[string]string, uploads map[string][]byte) (int, map[string]any) {
	s.mu.Lock()
	disabled := s.disabled[method]
	s.mu.Unlock()
	if disabled {
		return fail(404, "Not Found", 0)
	}
	if method != "getUpdates" {
		if st, b, hit := s.injected(method); hit {
			return st, b
		}
	}
	switch method {
	case "getMe":
		return ok(map[string]any{"id": 123456, "is_bot": true, "first_name": "Acércate", "username": "AcercateBot"})
	case "getUpdates":
		return s.getUpdates(r, p)
	case "setWebhook":
		s.mu.Lock()
		defer s.mu.Unlock()
		s.webhook, s.webhookTok = p.Get("url"), p.Get("secret_token")
		s.webhookConns = 40
		if n, err := strconv.Atoi(p.Get("max_connections")); err == nil && n >= 1 && n <= 100 {
			s.webhookConns = n
		}
		return ok(true)
	case "deleteWebhook":
		s.mu.Lock()
		defer s.mu.Unlock()
		s.webhook, s.webhookTok = "", ""
		return ok(true)
	case "sendMessage", "sendPhoto", "sendDocument":
		return s.send(method, p, files, uploads)
	case "editMessageText":
		return s.edit(p)
	case "answerCallbackQuery":
		return s.answer(p)
	case "leaveChat":
		return s.leave(p.Get("chat_id"))
	case "deleteMessage":
		return s.deleteMessages(p.Get("chat_id"), "["+p.Get("message_id")+"]", true)
	case "deleteMessages":
		return s.deleteMessages(p.Get("chat_id"), p.Get("message_ids"), false)
	}
	return fail(404, "Not Found", 0)
}

// getUpdates confirms every update below offset, then returns those from
// offset on, waiting up to timeout seconds for one to arrive. A newer
// getUpdates ends an older one with 409, as Telegram does.
func (s *Server) getUpdates(r *http.Request, p url.Values) (int, map[string]any) {
	offset, _ := strconv.ParseInt(p.Get("offset"), 10, 64)
	limit, _ := strconv.Atoi(p.Get("limit"))
	if limit <= 0 || limit > 100 {
		limit = 100
	}
	timeout, _ := strconv.Atoi(p.Get("timeout"))
	deadline := time.After(time.Duration(timeout) * time.Second)
	s.mu.Lock()
	if s.webhook != "" {
		s.mu.Unlock()
		return fail(409, "Conflict: can't use getUpdates method while webhook is active; use deleteWebhook to delete the webhook first", 0)
	}
	s.polling++
	me := s.polling
	s.broadcast() // ends an older poll
	for {
		if s.polling != me {
			s.mu.Unlock()
			return fail(409, "Conflict: terminated by other getUpdates request; make sure that only one bot instance is running", 0)
		}
		if st, b, hit := s.injectedLocked("getUpdates"); hit {
			s.mu.Unlock()
			return st, b
		}
		if offset > s.confirmed {
			s.confirmed = offset
			kept := s.updates[:0]
			for _, u := range s.updates {
				if u.id >= offset {
					kept = append(kept, u)
				}
			}
			s.updates = kept
		}
		var out []any
		for _, u := range s.updates {
			if u.id >= offset && len(out) < limit {
				out = append(out, u.body)
			}
		}
		if len(out) > 0 || timeout <= 0 {
			s.mu.Unlock()
			if out == nil {
				out = []any{}
			}
			return ok(out)
		}
		wake := s.wake
		s.mu.Unlock()
		select {
		case <-wake:
		case <-deadline:
			timeout = 0
		case <-r.Context().Done():
			return fail(499, "client went away", 0)
		}
		s.mu.Lock()
	}
}

func (s *Server) injectedLocked(method string) (int, map[string]any, bool) {
	s.mu.Unlock()
	st, b, hit := s.injected(method)
	s.mu.Lock()
	return st, b, hit
}

func chatParam(p url.Values) (int64, error) {
	id, err := strconv.ParseInt(p.Get("chat_id"), 10, 64)
	if err != nil || id == 0 {
		return 0, fmt.Errorf("chat not found")
	}
	return id, nil
}

// checkMarkup validates reply_markup as Telegram does.
func checkMarkup(markup string) string {
	if markup == "" {
		return ""
	}
	var m struct {
		Inline [][]struct {
			Text string  `json:"text"`
			Data *string `json:"callback_data"`
			URL  string  `json:"url"`
		} `json:"inline_keyboard"`
		Keyboard [][]json.RawMessage `json:"keyboard"`
	}
	if err := json.Unmarshal([]byte(markup), &m); err != nil {
		return "Bad Request: can't parse reply keyboard markup JSON object"
	}
	for _, row := range m.Inline {
		for _, b := range row {
			if b.Text == "" {
				return "Bad Request: text buttons are unallowed in the inline keyboard"
			}
			if b.Data != nil && (len(*b.Data) > 64 || len(*b.Data) == 0) {
				return "Bad Request: BUTTON_DATA_INVALID"
			}
		}
	}
	return ""
}

// checkHTML reports whether text parses as Telegram HTML: the tags it
// knows, balanced, and & only in entities.
func checkHTML(text string) string {
	allowed := map[string]bool{"b": true, "strong": true, "i": true, "em": true, "u": true, "ins": true,
		"s": true, "strike": true, "del": true, "a": true, "code": true, "pre": true, "tg-spoiler": true, "blockquote": true, "span": true}
	var stack []string
	for i := 0; i < len(text); i++ {
		switch text[i] {
		case '&':
			end := strings.IndexByte(text[i:], ';')
			ent := ""
			if end > 0 {
				ent = text[i+1 : i+end]
			}
			switch {
			case ent == "lt" || ent == "gt" || ent == "amp" || ent == "quot":
			case len(ent) > 1 && ent[0] == '#':
				if _, err := strconv.Atoi(strings.TrimPrefix(ent[1:], "x")); err != nil {
					return fmt.Sprintf("Bad Request: can't parse entities: unsupported character entity at byte offset %d", i)
				}
			default:
				return fmt.Sprintf("Bad Request: can't parse entities: character entity expected at byte offset %d", i)
			}
		case '<':
			end := strings.IndexByte(text[i:], '>')
			if end < 0 {
				return fmt.Sprintf("Bad Request: can't parse entities: unclosed start tag at byte offset %d", i)
			}
			tag := text[i+1 : i+end]
			closing := strings.HasPrefix(tag, "/")
			name, _, _ := strings.Cut(strings.TrimPrefix(tag, "/"), " ")
			if !allowed[name] {
				return fmt.Sprintf("Bad Request: can't parse entities: unsupported start tag \"%s\" at byte offset %d", name, i)
			}
			if closing {
				if len(stack) == 0 || stack[len(stack)-1] != name {
					return fmt.Sprintf("Bad Request: can't parse entities: unmatched end tag at byte offset %d", i)
				}
				stack = stack[:len(stack)-1]
			} else {
				stack = append(stack, name)
			}
			i += end
		}
	}
	if len(stack) > 0 {
		return "Bad Request: can't parse entities: can't find end tag corresponding to start tag \"" + stack[len(stack)-1] + "\""
	}
	return ""
}

// visible returns what a person sees of text sent with parse_mode.
func visible(text, mode string) string {
	if mode != "HTML" {
		return text
	}
	var b strings.Builder
	for i := 0; i < len(text); i++ {
		switch text[i] {
		case '<':
			end := strings.IndexByte(text[i:], '>')
			i += end
		case '&':
			end := strings.IndexByte(text[i:], ';')
			switch text[i+1 : i+end] {
			case "lt":
				b.WriteByte('<')
			case "gt":
				b.WriteByte('>')
			case "amp":
				b.WriteByte('&')
			case "quot":
				b.WriteByte('"')
			default:
				b.WriteString(text[i : i+end+1])
			}
			i += end
		default:
			b.WriteByte(text[i])
		}
	}
	return b.String()
}

// checkText validates text (or a caption, max) with its parse mode.
func checkText(text, mode string, max int, caption bool) string {
	if !utf8.ValidString(text) {
		return "Bad Request: text must be encoded in UTF-8"
	}
	if mode == "HTML" {
		if e := checkHTML(text); e != "" {
			return e
		}
	} else if mode != "" {
		return "Bad Request: unsupported parse_mode"
	}
	v := visible(text, mode)
	if !caption && strings.TrimSpace(v) == "" {
		return "Bad Request: message text is empty"
	}
	if utf16Len(v) > max {
		if caption {
			return "Bad Request: message caption is too long"
		}
		return "Bad Request: message is too long"
	}
	return ""
}

// spend checks the sending limits for one message to chat. s.mu held.
func (s *Server) spend(chat int64, now time.Time) bool {
	l := s.limits
	over := ""
	if s.global != nil && !s.global.allow(now) {
		over = "global"
	}
	group := chat < 0 || s.groups[chat]
	r, burst := l.Chat, l.ChatBurst
	if group {
		r, burst = l.Group, l.GroupBurst
	}
	if r > 0 {
		lim := s.perChat[chat]
		if lim == nil {
			lim = newWindow(r, burst, l.Slack)
			s.perChat[chat] = lim
		}
		if !lim.allow(now) {
			if over == "" {
				over = "chat"
			}
		}
	}
	if over != "" {
		s.violations = append(s.violations, fmt.Sprintf("%s limit exceeded sending to chat %d at %s", over, chat, now.Format("15:04:05.000")))
		return !l.Enforce
	}
	return true
}

func (s *Server) send(method string, p url.Values, files map[string]string, uploads map[string][]byte) (int, map[string]any) {
	chat, err := chatParam(p)
	if err != nil {
		return fail(400, "Bad Request: chat not found", 0)
	}
	mode := p.Get("parse_mode")
	msg := &Message{ChatID: chat, FromBot: true, Markup: p.Get("reply_markup"),
		NoPreview: strings.Contains(p.Get("link_preview_options"), `"is_disabled":true`)}
	switch method {
	case "sendMessage":
		if e := checkText(p.Get("text"), mode, 4096, false); e != "" {
			return fail(400, e, 0)
		}
		msg.Text = visible(p.Get("text"), mode)
	default:
		field := "photo"
		if method == "sendDocument" {
			field = "document"
		}
		ref := p.Get(field)
		if ref == "" {
			ref = files[field]
		}
		if ref == "" {
			return fail(400, "Bad Request: there is no "+field+" in the request", 0)
		}
		if up, ok := uploads[field]; ok && field == "photo" {
			// As the Bot API: an uploaded photo is at most 10 MB and must
			// be an image it can read (JPEG, PNG...).
			if len(up) > 10<<20 {
				return fail(400, "Bad Request: file is too big", 0)
			}
			if _, _, err := image.DecodeConfig(bytes.NewReader(up)); err != nil {
				return fail(400, "Bad Request: IMAGE_PROCESS_FAILED", 0)
			}
			msg.Upload = up
		}
		if e := checkText(p.Get("caption"), mode, 1024, true); e != "" {
			return fail(400, e, 0)
		}
		msg.Text = visible(p.Get("caption"), mode)
		if field == "photo" {
			msg.Photo = ref
		} else {
			msg.Document = ref
		}
	}
	if e := checkMarkup(msg.Markup); e != "" {
		return fail(400, e, 0)
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.blocked[chat] {
		return fail(403, "Forbidden: bot was blocked by the user", 0)
	}
	if s.left[chat] {
		return fail(403, "Forbidden: bot is not a member of the group chat", 0)
	}
	if !s.spend(chat, s.now()) {
		return fail(429, "Too Many Requests: retry after "+strconv.Itoa(s.limits.RetryAfter), s.limits.RetryAfter)
	}
	s.nextMsg[chat]++
	msg.ID = s.nextMsg[chat]
	switch {
	case strings.Contains(msg.Markup, `"remove_keyboard"`):
		s.keyboard[chat] = false
	case strings.Contains(msg.Markup, `"keyboard"`) && !strings.Contains(msg.Markup, `"inline_keyboard"`):
		s.keyboard[chat] = true
	}
	if !s.lean {
		s.msgs[chat] = append(s.msgs[chat], msg)
	}
	return ok(s.messageJSON(msg))
}

func (s *Server) messageJSON(m *Message) map[string]any {
	out := map[string]any{"message_id": m.ID, "date": s.now().Unix(), "chat": s.chatJSON(m.ChatID),
		"from": map[string]any{"id": 123456, "is_bot": true, "first_name": "Acércate"}}
	if m.Photo != "" {
		out["photo"] = []any{map[string]any{"file_id": m.Photo, "file_unique_id": "u", "width": 1, "height": 1}}
		out["caption"] = m.Text
	} else if m.Document != "" {
		out["document"] = map[string]any{"file_id": m.Document, "file_unique_id": "u"}
		out["caption"] = m.Text
	} else {
		out["text"] = m.Text
	}
	return out
}

func (s *Server) find(chat, id int64) *Message {
	for _, m := range s.msgs[chat] {
		if m.ID == id && !m.Deleted {
			return m
		}
	}
	return nil
}

func (s *Server) edit(p url.Values) (int, map[string]any) {
	chat, err := chatParam(p)
	if err != nil {
		return fail(400, "Bad Request: chat not found", 0)
	}
	id, _ := strconv.ParseInt(p.Get("message_id"), 10, 64)
	mode := p.Get("parse_mode")
	if e := checkText(p.Get("text"), mode, 4096, false); e != "" {
		return fail(400, e, 0)
	}
	markup := p.Get("reply_markup")
	if e := checkMarkup(markup); e != "" {
		return fail(400, e, 0)
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.blocked[chat] {
		return fail(403, "Forbidden: bot was blocked by the user", 0)
	}
	if s.lean {
		return ok(s.messageJSON(&Message{ID: id, ChatID: chat, FromBot: true, Text: visible(p.Get("text"), mode)}))
	}
	m := s.find(chat, id)
	if m == nil {
		return fail(400, "Bad Request: message to edit not found", 0)
	}
	if !m.FromBot {
		return fail(400, "Bad Request: message can't be edited", 0)
	}
	text := visible(p.Get("text"), mode)
	if text == m.Text && sameMarkup(markup, m.Markup) {
		return fail(400, "Bad Request: message is not modified: specified new message content and reply markup are exactly the same as a current content and reply markup of the message", 0)
	}
	if !s.spend(chat, s.now()) {
		return fail(429, "Too Many Requests: retry after "+strconv.Itoa(s.limits.RetryAfter), s.limits.RetryAfter)
	}
	m.Text, m.Markup = text, markup
	m.Edits++
	return ok(s.messageJSON(m))
}

// ShowsKeyboard reports whether the chat shows a reply keyboard the bot
// sent (a "share my location" button) that no later message took away.
func (s *Server) ShowsKeyboard(chat int64) bool {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.keyboard[chat]
}

func sameMarkup(a, b string) bool {
	norm := func(s string) string {
		if s == "" || s == `{"inline_keyboard":[]}` || s == "null" {
			return ""
		}
		var v any
		if json.Unmarshal([]byte(s), &v) != nil {
			return s
		}
		out, _ := json.Marshal(v)
		return string(out)
	}
	return norm(a) == norm(b)
}

func (s *Server) answer(p url.Values) (int, map[string]any) {
	id := p.Get("callback_query_id")
	if n := utf8.RuneCountInString(p.Get("text")); n > 200 {
		return fail(400, "Bad Request: MESSAGE_TOO_LONG", 0)
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	c := s.callbacks[id]
	if s.lean && c != nil {
		delete(s.callbacks, id)
		return ok(true)
	}
	if c == nil || c.answered {
		return fail(400, "Bad Request: query is too old and response timeout expired or query ID is invalid", 0)
	}
	c.answered = true
	return ok(true)
}

func (s *Server) deleteMessages(chatParamValue, idsJSON string, single bool) (int, map[string]any) {
	chat, err := strconv.ParseInt(chatParamValue, 10, 64)
	if err != nil {
		return fail(400, "Bad Request: chat not found", 0)
	}
	var ids []int64
	if err := json.Unmarshal([]byte(idsJSON), &ids); err != nil || len(ids) == 0 || len(ids) > 100 {
		return fail(400, "Bad Request: message identifiers are invalid", 0)
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	found := false
	for _, id := range ids {
		if m := s.find(chat, id); m != nil {
			m.Deleted, found = true, true
		}
	}
	if !found {
		if single {
			return fail(400, "Bad Request: message to delete not found", 0)
		}
		return fail(400, "Bad Request: message can't be deleted", 0)
	}
	return ok(true)
}

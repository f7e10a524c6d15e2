package bot

import (
	"context"
	"encoding/json"
	"fmt"
	"log/slog"
	"strconv"
	"strings"
	"sync"
	"time"
	"unicode/utf8"

	"github.com/acercate/acercate/flows"
	"github.com/acercate/acercate/secret"
	"github.com/go-json-experiment/json/jsontext"
	tgbotapi "github.com/go-telegram-bot-api/telegram-bot-api/v5"
)

// BlockList keeps the chats whose person blocked the bot, by keyed hash.
// The store implements it (store/blocked.go).
type BlockList interface {
	MarkBlocked(ctx context.Context, chatHash string) error
	Unblock(ctx context.Context, chatHash string) error
	BlockedChats(ctx context.Context) ([]string, error)
}

// PhotoSource opens the photos Acércate keeps itself (a photo attached in
// the web chat, kept by the store): they have no Telegram file id, so they
// are uploaded. ok is false for an id that is not one of them.
type PhotoSource interface {
	WebPhoto(ctx context.Context, id string) (data []byte, typ string, ok bool, err error)
}

// FileKind says how SendFile sends a file.
type FileKind int

// The kinds of files.
const (
	Photo FileKind = iota
	Document
)

// Sender delivers replies to Telegram within its limits: it waits its turn
// (global, per chat, per group), waits retry_after on 429, retries network
// errors and 5xx a bounded number of times, stops sending to a person who
// blocked the bot, and degrades to plain text rather than dropping a
// message Telegram would not take as sent. Safe for concurrent use; one
// chat's messages must be sent from one goroutine to stay in order.
type Sender struct {
	api     *api
	lim     *limiter
	track   *tracker
	keys    *secret.Keys
	list    BlockList
	photos  PhotoSource
	metrics *Metrics
	log     *slog.Logger
	onDeliv func(ctx context.Context, r flows.Reply, messageID int64)
	retries int
	backoff time.Duration
	maxWait time.Duration

	mu      sync.RWMutex
	blocked map[string]bool
}

// Send delivers one reply and returns the id of the message it sent or
// edited (0 for a tap answer). It waits for the sending limits and
// retries what is worth retrying; a failure is a *flows.SendError wrapping
// the *Error.
func (s *Sender) Send(ctx context.Context, r flows.Reply) (int64, error) {
	id, err := s.send(ctx, r, nil)
	if err == nil && r.Kind != flows.AnswerTap && r.Kind != flows.ClearChat {
		s.tracked(ctx, tgChat(r), id)
	}
	return id, sendError(err)
}

// SendFile uploads a file (a report, a QR code) to a chat.
func (s *Sender) SendFile(ctx context.Context, chatID int64, kind FileKind, name string, data []byte, caption string) (int64, error) {
	if err := s.checkBlocked(s.chatHash(chatID)); err != nil {
		return 0, sendError(err)
	}
	method, field := "sendPhoto", "photo"
	if kind == Document {
		method, field = "sendDocument", "document"
	}
	p := tgbotapi.Params{"chat_id": strconv.FormatInt(chatID, 10)}
	if caption != "" {
		p["caption"] = truncate(caption, 1024)
	}
	files := []tgbotapi.RequestFile{{Name: field, Data: tgbotapi.FileBytes{Name: name, Bytes: data}}}
	id, err := s.message(ctx, chatID, method, p, files)
	if err != nil {
		return 0, sendError(err)
	}
	s.metrics.reply("file")
	s.tracked(ctx, chatID, id)
	return id, nil
}

// attempt delivers a reply for the runner: once, without waiting for the
// chat's limit and without retrying its first call, so a reply that must
// wait comes back as a flows.SendError saying how long (the calls after a
// reply's first, such as the edit that puts buttons on it, still wait and
// retry, so a reply is never left half sent). The caller tracks the
// message id.
//
// chat and hash are the update's own chat and its keyed hash, computed
// once per update: a reply to that chat does not hash it again.
func (s *Sender) attempt(ctx context.Context, r flows.Reply, alsoDelete []int64, chat int64, hash string) (int64, error) {
	a := &attemptState{first: true, chat: chat, hash: hash}
	id, err := s.send(context.WithValue(ctx, attemptKey{}, a), r, alsoDelete)
	return id, sendError(err)
}

// attemptKey marks the context of an attempt; its value says whether the
// reply's first call is still to be made.
type attemptKey struct{}

type attemptState struct {
	first bool
	chat  int64
	hash  string
}

// firstCall reports whether ctx is an attempt's and its first call is
// being made now; after it, the attempt's other calls wait and retry.
func firstCall(ctx context.Context) bool {
	a, ok := ctx.Value(attemptKey{}).(*attemptState)
	if !ok || !a.first {
		return false
	}
	a.first = false
	return true
}

// send delivers a reply; the caller tracks the message id for the quick
// exit (the bot does it once per update, with the person's message).
func (s *Sender) send(ctx context.Context, r flows.Reply, alsoDelete []int64) (int64, error) {
	if _, ok := r.ChatID.TelegramID(); !ok && r.Kind != flows.AnswerTap {
		// Another channel's reply handed to Telegram: a bug of the caller,
		// and never worth retrying.
		return 0, &Error{Class: ClassRejected, Method: string(r.Kind), Description: "not a Telegram address"}
	}
	if r.Kind != flows.AnswerTap {
		if err := s.checkBlocked(s.hashOf(ctx, tgChat(r))); err != nil {
			return 0, err
		}
	}
	var id int64
	var err error
	switch r.Kind {
	case flows.AnswerTap:
		err = s.answer(ctx, r)
	case flows.EditText:
		id, err = s.edit(ctx, r)
	case flows.ClearChat:
		id, err = s.clear(ctx, r, alsoDelete)
	case flows.LeaveChat:
		err = s.leave(ctx, r)
	case flows.DeleteText:
		err = s.deleteOne(ctx, r)
	default:
		id, err = s.sendText(ctx, r)
	}
	if err != nil {
		return 0, err
	}
	s.metrics.reply(string(r.Kind))
	if r.Ref != "" && s.onDeliv != nil {
		s.onDeliv(ctx, r, id)
	}
	return id, nil
}

// tracked remembers a sent message for the quick exit; failing that only
// means the quick exit cannot delete it, so it is logged, not returned.
func (s *Sender) tracked(ctx context.Context, chat, id int64) {
	if err := s.track.add(ctx, chat, id); err != nil {
		s.log.Warn("cannot track a sent message for the quick exit", "err", err)
	}
}

func (s *Sender) chatHash(chat int64) string { return s.keys.ChatHash(flows.Telegram(chat)) }

// hashOf is chat's keyed hash, the attempt's when it is the attempt's chat.
func (s *Sender) hashOf(ctx context.Context, chat int64) string {
	if a, ok := ctx.Value(attemptKey{}).(*attemptState); ok && a.chat == chat && a.hash != "" {
		return a.hash
	}
	return s.chatHash(chat)
}

// tgChat is the Telegram chat id of a reply (send checked it is one).
func tgChat(r flows.Reply) int64 {
	id, _ := r.ChatID.TelegramID()
	return id
}

// checkBlocked says whether the chat with keyed hash h blocked the bot.
func (s *Sender) checkBlocked(h string) error {
	s.mu.RLock()
	b := s.blocked[h]
	s.mu.RUnlock()
	if b {
		return &Error{Class: ClassBlocked, Method: "send", Description: "the person blocked the bot"}
	}
	return nil
}

// markBlocked records that a chat's person blocked the bot.
func (s *Sender) markBlocked(ctx context.Context, chat int64) {
	h := s.chatHash(chat)
	s.mu.Lock()
	s.blocked[h] = true
	s.mu.Unlock()
	if s.list != nil {
		if err := s.list.MarkBlocked(ctx, h); err != nil {
			s.log.Error("cannot record a blocked chat", "err", err)
		}
	}
	s.log.Info("chat blocked the bot or removed it; not sending there until it writes again", "chat", h[:12])
}

// unblock clears the mark of the chat with keyed hash h when the person
// writes again.
func (s *Sender) unblock(ctx context.Context, h string) error {
	s.mu.RLock()
	b := s.blocked[h]
	s.mu.RUnlock()
	if !b {
		return nil
	}
	if s.list != nil {
		if err := s.list.Unblock(ctx, h); err != nil {
			return fmt.Errorf("unblock chat: %w", err)
		}
	}
	s.mu.Lock()
	delete(s.blocked, h)
	s.mu.Unlock()
	return nil
}

// Blocked reports whether the bot stopped sending to a chat because its
// person blocked it.
func (s *Sender) Blocked(chat int64) bool { return s.checkBlocked(s.chatHash(chat)) != nil }

// do calls method, waiting for the limits first when limited, and retries
// what is worth retrying.
func (s *Sender) do(ctx context.Context, chat int64, limited bool, method string, p tgbotapi.Params, files []tgbotapi.RequestFile, out any) *Error {
	// The first call of a reply the runner delivers neither waits for the
	// chat's limit nor retries: it says how long to wait, and the runner
	// waits without holding a worker others need (flows/run).
	first := firstCall(ctx)
	server := 0
	for limits := 0; ; {
		if limited && first {
			if d := s.lim.chatDelay(chat); d > 0 {
				return &Error{Class: ClassPaced, Method: method, RetryAfter: d}
			}
		}
		if limited {
			if err := s.lim.wait(ctx, chat); err != nil {
				return &Error{Class: ClassCanceled, Method: method, Err: err}
			}
		}
		e := s.api.call(ctx, method, p, files, out)
		if e == nil {
			return nil
		}
		if !notModified(e) {
			s.metrics.sendError(e.Class)
		}
		if first && e.Temporary() {
			return e
		}
		var wait time.Duration
		switch e.Class {
		case ClassRateLimited:
			if limits++; limits > 3*s.retries {
				return e
			}
			wait = e.RetryAfter
			s.log.Warn("telegram asked to slow down", "method", method, "retry_after", e.RetryAfter)
		case ClassServer, ClassNetwork:
			if server++; server > s.retries {
				return e
			}
			wait = min(s.backoff<<(server-1), s.maxWait)
			s.log.Warn("telegram call failed; retrying", "method", method, "class", e.Class, "attempt", server)
		case ClassBlocked:
			if chat != 0 {
				s.markBlocked(ctx, chat)
			}
			return e
		default:
			return e
		}
		t := time.NewTimer(wait)
		select {
		case <-ctx.Done():
			t.Stop()
			return &Error{Class: ClassCanceled, Method: method, Err: ctx.Err()}
		case <-t.C:
		}
	}
}

// message sends a message-producing method and returns the new message id.
func (s *Sender) message(ctx context.Context, chat int64, method string, p tgbotapi.Params, files []tgbotapi.RequestFile) (int64, error) {
	var m sentMessage
	if e := s.do(ctx, chat, true, method, p, files, &m); e != nil {
		return 0, e
	}
	if m.ID == 0 {
		// Sent, but the answer is odd: the message exists, its id is unknown.
		s.log.Warn("telegram answered a send without a message id", "method", method)
	}
	return m.ID, nil
}

// photoUpload returns the upload of a photo Acércate keeps itself (a web
// chat photo, sent multipart as sendPhoto's "photo" field, the way the Bot
// API takes a new file), or nil for a Telegram file id.
func (s *Sender) photoUpload(ctx context.Context, id string) ([]tgbotapi.RequestFile, error) {
	if s.photos == nil {
		return nil, nil
	}
	data, typ, ok, err := s.photos.WebPhoto(ctx, id)
	if !ok || err != nil {
		return nil, err
	}
	name := "photo.jpg"
	if typ == "image/png" {
		name = "photo.png"
	}
	return []tgbotapi.RequestFile{{Name: "photo", Data: tgbotapi.FileBytes{Name: name, Bytes: data}}}, nil
}

func withoutPhoto(r flows.Reply) flows.Reply {
	r.PhotoID = ""
	return r
}

// escapeHTML makes text safe to send with parse_mode HTML: everything the
// engine says (which may quote what a person typed) is text, never markup.
func escapeHTML(text string) string { return htmlEscaper.Replace(text) }

var htmlEscaper = strings.NewReplacer("&", "&amp;", "<", "&lt;", ">", "&gt;")

// plainRetry reports whether a refused send should be tried again as plain
// text without markup: a formatting error or anything odd must never drop
// a message.
func plainRetry(e *Error) bool {
	return e.Class == ClassRejected || e.Class == ClassUnsupported
}

func (s *Sender) sendText(ctx context.Context, r flows.Reply) (int64, error) {
	chat := strconv.FormatInt(tgChat(r), 10)
	markup := replyMarkup(r)
	if r.PhotoID != "" {
		fits := r.Text != "" && utf8.RuneCountInString(r.Text) <= 1024
		p := tgbotapi.Params{"chat_id": chat, "photo": r.PhotoID}
		files, err := s.photoUpload(ctx, r.PhotoID)
		if err != nil {
			// A web photo no longer kept, or that does not open: the
			// caption still goes, as when Telegram refuses a photo.
			s.log.Warn("a kept photo cannot be sent; sending its caption as text", "err", err)
			if r.Text == "" {
				return 0, &Error{Class: ClassRejected, Method: "sendPhoto", Description: "the photo is not kept", Err: err}
			}
			return s.sendText(ctx, withoutPhoto(r))
		}
		if files != nil {
			delete(p, "photo")
		}
		if fits {
			p["caption"], p["parse_mode"] = escapeHTML(r.Text), "HTML"
			if markup != "" {
				p["reply_markup"] = markup
			}
		}
		if r.MessageID != 0 {
			p["reply_to_message_id"], p["allow_sending_without_reply"] = strconv.FormatInt(r.MessageID, 10), "true"
		}
		id, err := s.message(ctx, tgChat(r), "sendPhoto", p, files)
		var e *Error
		switch {
		case err == nil && (fits || r.Text == ""):
			return id, nil
		case err == nil:
			// A caption too long for a photo follows as its own message.
		case !asError(err, &e) || !plainRetry(e) || r.Text == "":
			return 0, err
		default:
			// The photo cannot go: say in text what was to be said.
			s.log.Warn("photo refused; sending its caption as text", "code", e.Code)
		}
	}
	p := tgbotapi.Params{"chat_id": chat, "text": escapeHTML(r.Text), "parse_mode": "HTML"}
	noPreview(p, tgChat(r))
	if markup != "" {
		p["reply_markup"] = markup
	}
	if r.MessageID != 0 {
		p["reply_to_message_id"], p["allow_sending_without_reply"] = strconv.FormatInt(r.MessageID, 10), "true"
	}
	// A message cannot both take the reply keyboard away and carry inline
	// buttons (reply_markup is one or the other): it goes out taking the
	// keyboard away, and an edit puts its buttons on it right after.
	attach := r.RemoveKeyboard && len(r.Buttons) > 0
	if attach {
		p["reply_markup"] = `{"remove_keyboard":true}`
	}
	id, err := s.message(ctx, tgChat(r), "sendMessage", p, nil)
	if err == nil && attach {
		r.Kind, r.MessageID, r.RemoveKeyboard = flows.EditText, id, false
		return s.edit(ctx, r)
	}
	var e *Error
	if err != nil && asError(err, &e) && plainRetry(e) {
		s.log.Warn("message refused; sending it as plain text", "code", e.Code)
		plain := tgbotapi.Params{"chat_id": chat, "text": truncate(r.Text, 4096)}
		noPreview(plain, tgChat(r))
		if plain["text"] == "" {
			plain["text"] = "…"
		}
		if markup != "" && e.Code == 400 && !strings.Contains(strings.ToLower(e.Description), "button") && !strings.Contains(strings.ToLower(e.Description), "markup") {
			plain["reply_markup"] = markup
		}
		id, err = s.message(ctx, tgChat(r), "sendMessage", plain, nil)
	}
	return id, err
}

// noPreview turns link previews off in groups (Telegram's group ids are
// negative): a message relayed to staff may hold a link a person sent,
// and a preview would have Telegram's servers fetch it and show its page
// in the staff group.
func noPreview(p tgbotapi.Params, chat int64) {
	if chat < 0 {
		p["link_preview_options"] = `{"is_disabled":true}`
	}
}

// notModified reports Telegram's answer to an edit that changes nothing:
// not an error, the message already says it.
func notModified(e *Error) bool {
	return e.Class == ClassRejected && strings.Contains(strings.ToLower(e.Description), "message is not modified")
}

func asError(err error, e **Error) bool {
	x, ok := err.(*Error)
	if ok {
		*e = x
	}
	return ok
}

func (s *Sender) edit(ctx context.Context, r flows.Reply) (int64, error) {
	if r.MessageID == 0 {
		return s.sendText(ctx, r)
	}
	p := tgbotapi.Params{"chat_id": strconv.FormatInt(tgChat(r), 10), "message_id": strconv.FormatInt(r.MessageID, 10),
		"text": escapeHTML(r.Text), "parse_mode": "HTML"}
	noPreview(p, tgChat(r))
	if len(r.Buttons) > 0 {
		p["reply_markup"] = inlineMarkup(r.Buttons)
	}
	e := s.do(ctx, tgChat(r), true, "editMessageText", p, nil, nil)
	if e == nil {
		return r.MessageID, nil
	}
	if notModified(e) {
		return r.MessageID, nil
	}
	if !plainRetry(e) {
		return 0, e
	}
	// Too old to edit, deleted, an unparsable text, or a server without
	// the method: the person still gets the message, as a new one.
	s.log.Warn("edit refused; sending a new message", "code", e.Code)
	r.Kind, r.MessageID = flows.SendText, 0
	return s.sendText(ctx, r)
}

func (s *Sender) answer(ctx context.Context, r flows.Reply) error {
	if r.TapID == "" {
		return nil
	}
	p := tgbotapi.Params{"callback_query_id": r.TapID}
	if r.Text != "" {
		p["text"] = truncate(r.Text, 200)
	}
	e := s.do(ctx, 0, false, "answerCallbackQuery", p, nil, nil)
	if e != nil && (e.Class == ClassRejected || e.Class == ClassUnsupported) {
		// A tap answered too late (or twice, after a crash): the app's
		// spinner is long gone; nothing to send again.
		return nil
	}
	if e != nil {
		return e
	}
	return nil
}

// leave makes the bot leave a group. Already gone (403) is done.
func (s *Sender) leave(ctx context.Context, r flows.Reply) error {
	e := s.do(ctx, 0, false, "leaveChat", tgbotapi.Params{"chat_id": strconv.FormatInt(tgChat(r), 10)}, nil, nil)
	if e != nil && e.Class != ClassBlocked {
		return e
	}
	return nil
}

// deleteOne deletes one message of the bot's. A message already gone, or
// too old for Telegram to delete (48 h), is not an error to retry.
func (s *Sender) deleteOne(ctx context.Context, r flows.Reply) error {
	e := s.do(ctx, 0, false, "deleteMessage", tgbotapi.Params{"chat_id": strconv.FormatInt(tgChat(r), 10),
		"message_id": strconv.FormatInt(r.MessageID, 10)}, nil, nil)
	if e != nil && (e.Class == ClassRejected || e.Class == ClassBlocked) {
		return nil
	}
	if e != nil {
		return e
	}
	return nil
}

// clear deletes what it can of a private chat's last 48 hours, then sends
// the reply's neutral text.
func (s *Sender) clear(ctx context.Context, r flows.Reply, also []int64) (int64, error) {
	ids, err := s.track.list(ctx, tgChat(r))
	if err != nil {
		return 0, err
	}
	ids = append(ids, also...)
	if len(ids) > 0 && !isGroup(tgChat(r)) {
		if err := s.deleteAll(ctx, tgChat(r), ids); err != nil {
			return 0, err
		}
	}
	if err := s.track.forget(ctx, tgChat(r)); err != nil {
		return 0, err
	}
	if r.Text == "" {
		return 0, nil
	}
	r.Kind = flows.SendText
	r.RemoveKeyboard = r.RemoveKeyboard || len(r.Buttons) == 0 && len(r.Keyboard) == 0
	id, err := s.sendText(ctx, r)
	if err == nil {
		s.tracked(ctx, tgChat(r), id)
	}
	return id, err
}

// deleteAll deletes messages 100 at a time with deleteMessages, or one by
// one where the server lacks it. Messages already gone are not an error.
func (s *Sender) deleteAll(ctx context.Context, chat int64, ids []int64) error {
	c := strconv.FormatInt(chat, 10)
	for len(ids) > 0 {
		n := min(len(ids), 100)
		batch := ids[:n]
		ids = ids[n:]
		js, _ := json.Marshal(batch)
		e := s.do(ctx, chat, false, "deleteMessages", tgbotapi.Params{"chat_id": c, "message_ids": string(js)}, nil, nil)
		if e == nil || e.Class == ClassRejected {
			continue
		}
		if e.Class != ClassUnsupported {
			return e
		}
		for _, id := range batch {
			e := s.do(ctx, chat, false, "deleteMessage", tgbotapi.Params{"chat_id": c, "message_id": strconv.FormatInt(id, 10)}, nil, nil)
			if e != nil && e.Temporary() {
				return e
			}
		}
	}
	return nil
}

func truncate(s string, n int) string {
	if utf8.RuneCountInString(s) <= n {
		return s
	}
	return string([]rune(s)[:n-1]) + "…"
}

// replyMarkup is the reply_markup of a reply: inline buttons, else a reply
// keyboard, else a removal of the keyboard. The JSON is written here: the
// shapes are fixed, and encoding/json's reflection over them was a tenth
// of sending a message.
func replyMarkup(r flows.Reply) string {
	switch {
	case len(r.Buttons) > 0:
		return inlineMarkup(r.Buttons)
	case len(r.Keyboard) > 0:
		b := append(make([]byte, 0, 32*len(r.Keyboard)+48), `{"keyboard":`...)
		b = appendRows(b, r.Keyboard, func(b []byte, k flows.KeyButton) []byte {
			b = append(b, `{"text":`...)
			b, _ = jsontext.AppendQuote(b, k.Label)
			if k.RequestLocation {
				b = append(b, `,"request_location":true`...)
			}
			return append(b, '}')
		})
		return string(append(b, `,"resize_keyboard":true}`...))
	case r.RemoveKeyboard:
		return `{"remove_keyboard":true}`
	}
	return ""
}

func inlineMarkup(buttons [][]flows.Button) string {
	b := append(make([]byte, 0, 64*len(buttons)+24), `{"inline_keyboard":`...)
	b = appendRows(b, buttons, func(b []byte, k flows.Button) []byte {
		// Text that is not UTF-8 becomes U+FFFD, as with encoding/json.
		b = append(b, `{"text":`...)
		b, _ = jsontext.AppendQuote(b, k.Label)
		b = append(b, `,"callback_data":`...)
		b, _ = jsontext.AppendQuote(b, k.Data)
		return append(b, '}')
	})
	return string(append(b, '}'))
}

// appendRows appends rows of keys as a JSON array of arrays, each key as
// key writes it. flows' appendJSONRows walks rows the same way but writes a
// nil row as null, as encoding/json does for the sealed replies; a
// keyboard Telegram reads takes no null row, so this one writes [].
func appendRows[K any](b []byte, rows [][]K, key func([]byte, K) []byte) []byte {
	b = append(b, '[')
	for i, row := range rows {
		if i > 0 {
			b = append(b, ',')
		}
		b = append(b, '[')
		for j, k := range row {
			if j > 0 {
				b = append(b, ',')
			}
			b = key(b, k)
		}
		b = append(b, ']')
	}
	return append(b, ']')
}

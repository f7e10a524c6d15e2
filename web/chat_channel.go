package web

import (
	"context"
	"fmt"
	"log/slog"
	"strings"
	"time"

	"github.com/acercate/acercate/flows"
	"github.com/acercate/acercate/flows/run"
	"github.com/acercate/acercate/secret"
)

// ChannelWeb is the web chat's channel name in addresses.
const ChannelWeb = "web"

// chatChannel is the web chat's channel adapter: it turns a visitor's
// form into a flows.Event, hands it to the runner, and delivers each reply
// into the visitor's transcript, telling their live pages.
type chatChannel struct {
	eng         *flows.Engine
	transcripts *transcripts
	hub         *hub
	log         *slog.Logger
	// others delivers a reply meant for another channel (a staff group on
	// Telegram: "this person erased their data"); nil drops it, logged.
	others func(ctx context.Context, r flows.Reply) error
	now    func() time.Time
	// photos keeps the photos of denuncia drafts (the store); nil when
	// the web chat takes none.
	photos Photos
	// keys hash a visitor's address as the engine does (their person).
	keys *secret.Keys
	// runner keeps each visitor's updates in order, runs different
	// visitors in parallel and marks each reply delivered.
	runner *run.Runner[flows.Address]
}

// WebCaps are the web chat's: as many buttons as the flows give (a page
// scrolls), messages edited and a conversation cleared in the
// transcript; the location can be shared only by a page with JavaScript.
var WebCaps = flows.Caps{CanEdit: true, CanDelete: true}

// address is a visitor's address: the session id is the conversation.
func address(visitor string) flows.Address {
	return flows.Address{Channel: ChannelWeb, ID: visitor}
}

// event turns what a visitor sent into the engine's event. A typed
// "/word rest" is a command, as on Telegram.
func (c *chatChannel) event(visitor string, in input) flows.Event {
	caps := WebCaps
	caps.CanShareLocation = in.live
	ev := flows.Event{ChatID: address(visitor), UserID: address(visitor), Lang: in.lang, Time: c.now(), Caps: caps}
	text := strings.TrimSpace(in.text)
	switch {
	case in.command != "":
		ev.Kind, ev.Command, ev.Payload = flows.EventCommand, in.command, in.payload
	case in.data != "":
		ev.Kind, ev.Data, ev.MessageID = flows.EventButton, in.data, in.msg
	case in.loc != nil:
		ev.Kind, ev.Location = flows.EventLocation, in.loc
	case in.photo != nil:
		// Its id comes when it is kept (chatTask.Prepare).
		ev.Kind, ev.Text = flows.EventPhoto, text
	case strings.HasPrefix(text, "/") && len(text) > 1:
		cmd, payload, _ := strings.Cut(text[1:], " ")
		ev.Kind, ev.Command, ev.Payload = flows.EventCommand, strings.ToLower(cmd), strings.TrimSpace(payload)
	default:
		ev.Kind, ev.Text = flows.EventText, in.text
	}
	return ev
}

// mine is how what the visitor sent shows in their transcript: what they
// typed, the label of the button they tapped, a location or a photo.
func (c *chatChannel) mine(t *transcript, in input, label func(id string) string) message {
	m := message{Mine: true}
	switch {
	case in.command == "start":
		return message{}
	case in.data != "":
		for _, msg := range t.Msgs {
			if msg.Seq != in.msg {
				continue
			}
			for _, row := range msg.Buttons {
				for _, b := range row {
					if b.Data == in.data {
						m.Text = b.Label
					}
				}
			}
		}
		if m.Text == "" {
			m.Text = "…"
		}
	case in.loc != nil:
		m.Text = label("web.chat.location_sent")
	case in.photo != nil || in.photoRefused != "":
		m.Photo, m.Text = true, in.text
	default:
		m.Text = in.text
	}
	return m
}

// submit records what the visitor sent in their transcript (once per
// update id: a form sent twice shows once) and has the runner handle it;
// it returns once every reply is in the transcript.
func (c *chatChannel) submit(ctx context.Context, visitor string, in input, label func(string) string) error {
	// photos: the visitor has photos in a draft, to settle once handled.
	var photos bool
	var update int64
	if _, err := c.transcripts.change(ctx, visitor, func(t *transcript) bool {
		var seen bool
		if update, seen = t.seen(in.update); seen {
			// Handled already or being handled: the engine's update
			// record answers for it under the same id. A photo it
			// carries is kept again all the same (Prepare), so settled.
			photos = t.Photos
			return false
		}
		update = t.nextUpdate()
		if m := c.mine(t, in, label); m.Mine {
			t.add(m, c.now())
		}
		if in.photoRefused != "" {
			// Not a photo the flows can use: said here, kindly; what the
			// visitor typed with it still goes to the engine.
			t.add(message{Text: label(in.photoRefused)}, c.now())
		}
		if in.photo != nil {
			t.Photos = true
		}
		photos = t.Photos
		t.remember(in.update, update)
		return true
	}); err != nil {
		return err
	}
	c.hub.notify(visitor)
	if in.photoRefused != "" && strings.TrimSpace(in.text) == "" {
		return nil
	}
	ev := c.event(visitor, in)
	ev.UpdateID = update
	return c.handle(ctx, &chatTask{c: c, visitor: visitor, ev: ev,
		photo: in.photo, photoType: in.photoType, settle: photos})
}

// chatTask is one visitor's update for the runner.
type chatTask struct {
	c       *chatChannel
	visitor string
	ev      flows.Event
	// photo, when set, is kept in Prepare (its id into ev); settle: the
	// visitor has photos in a draft, settled in Finish (chat_photos.go).
	photo     []byte
	photoType string
	settle    bool
}

func (t *chatTask) Prepare(ctx context.Context) (flows.Event, bool, error) {
	if err := t.keepPhoto(ctx); err != nil {
		return flows.Event{}, false, err
	}
	return t.ev, true, nil
}

// Send delivers one reply: into the visitor's transcript, or to the
// channel it is for.
func (t *chatTask) Send(ctx context.Context, r flows.Reply) error {
	if !r.ChatID.IsZero() && r.ChatID != address(t.visitor) {
		return t.c.deliverElsewhere(ctx, r)
	}
	_, err := t.c.deliver(ctx, t.visitor, r, false)
	return err
}

// Finish settles the draft's photos, in the visitor's turn: no other
// update of theirs is between keeping a photo and putting it in the draft.
func (t *chatTask) Finish(ctx context.Context, res run.Result) {
	if !t.settle || res.Err != nil {
		return
	}
	if err := t.c.settlePhotos(ctx, t.visitor); err != nil {
		t.c.log.Error("settle a draft's photos", "err", err)
	}
}

// handle has the runner handle one update and waits until its replies are
// in the transcript: a plain form's answer must be there for the next page.
func (c *chatChannel) handle(ctx context.Context, t *chatTask) error {
	return c.runner.Do(ctx, address(t.visitor), t)
}

func (c *chatChannel) deliverElsewhere(ctx context.Context, r flows.Reply) error {
	if c.others == nil {
		c.log.Warn("a reply for another channel has no way there", "channel", r.ChatID.Channel, "reply", r.Kind)
		return nil
	}
	return c.others(ctx, r)
}

// deliver applies a reply to a visitor's transcript and tells their live
// pages; it returns the message the reply became. fromStaff marks a reply
// that arrives outside the visitor's own updates (a staff member's
// answer): when no page of theirs is open, it is counted as waiting.
func (c *chatChannel) deliver(ctx context.Context, visitor string, r flows.Reply, fromStaff bool) (int64, error) {
	var seq int64
	_, err := c.transcripts.change(ctx, visitor, func(t *transcript) bool {
		now := c.now()
		switch r.Kind {
		case flows.EditText:
			if t.edit(r.MessageID, r.Text, r.Buttons) {
				seq = r.MessageID
				break
			}
			seq = t.add(message{Text: r.Text, Buttons: r.Buttons}, now)
		case flows.AnswerTap:
			if r.Text == "" {
				return false
			}
			seq = t.add(message{Text: r.Text}, now)
		case flows.ClearChat:
			t.Msgs, t.Keyboard = nil, nil
			t.Version++
			seq = t.add(message{Text: r.Text}, now)
		default:
			seq = t.add(message{Text: r.Text, Buttons: r.Buttons}, now)
		}
		switch {
		case len(r.Keyboard) > 0:
			t.Keyboard = r.Keyboard
		case r.RemoveKeyboard:
			t.Keyboard = nil
		}
		if fromStaff && c.hub.open(visitor) == 0 {
			t.Away++
		}
		return true
	})
	if err != nil {
		return 0, &flows.SendError{Kind: flows.SendTemporary, Err: fmt.Errorf("web chat: %w", err)}
	}
	c.hub.notify(visitor)
	return seq, nil
}

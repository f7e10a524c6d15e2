// Package term is the terminal channel: it turns lines a person types into
// engine events and the engine's replies into text, with buttons shown as
// numbered choices. `acercate chat` and the conversation transcripts use it,
// so a transcript shows exactly what a person at the terminal sees. Like
// every channel it hands its events to the channel-neutral runner
// (flows/run), which calls the engine and marks the replies delivered.
package term

import (
	"context"
	"fmt"
	"strconv"
	"strings"
	"time"

	"github.com/acercate/acercate/flows"
	"github.com/acercate/acercate/flows/run"
)

// Session is one person's conversation through the terminal. Its lines go
// through the channel-neutral runner (flows/run), as every channel's
// updates do: the terminal only converts lines into events and replies
// into text.
type Session struct {
	eng    *flows.Engine
	runner *run.Runner[flows.Address]
	// ChatID is the person's chat (and user) address: a ChannelTerm one
	// for `acercate chat`, a Telegram one when a test plays a Telegram
	// person through the terminal.
	ChatID flows.Address
	// Lang is the language code the person's "app" reports.
	Lang string
	// Caps is what the channel played can do, sent with every event:
	// TelegramCaps when the session plays a Telegram person (the
	// transcripts), TermCaps otherwise; a test sets another channel's.
	Caps flows.Caps
	// Now stamps events (time.Now).
	Now func() time.Time

	// Last are the replies of the last line sent, as the engine gave them.
	Last []flows.Reply

	nextUpdate int64
	nextMsg    int64
	choices    []choice
}

// choice is a numbered button the person can tap by typing its number.
type choice struct {
	label       string
	data        string // inline button data; "" for a keyboard button
	message     int64
	keyboard    bool
	requestsLoc bool
}

// NewSession starts a terminal conversation. Update ids start from the
// clock so that two runs against one Redis never reuse one.
func NewSession(eng *flows.Engine, chatID flows.Address, lang string) *Session {
	caps := flows.TermCaps
	if _, ok := chatID.TelegramID(); ok {
		caps = flows.TelegramCaps
	}
	s := &Session{ChatID: chatID, Lang: lang, Caps: caps, Now: time.Now, nextUpdate: time.Now().UnixNano() / 1000}
	s.Attach(eng)
	return s
}

// Attach makes the session talk to another engine (the service restarted)
// while the person's screen stays as it was: the buttons of the last
// answer can still be tapped.
func (s *Session) Attach(eng *flows.Engine) {
	s.eng = eng
	// One person at one terminal: one worker; an engine failure is tried
	// again twice, then Send returns it.
	r, err := run.New[flows.Address](run.Config{Engine: eng, Workers: 1, Attempts: 3, Backoff: 10 * time.Millisecond, MaxBackoff: 100 * time.Millisecond})
	if err != nil {
		panic(err) // only a nil engine, a programming error
	}
	s.runner = r
}

// Event turns a typed line into an event. Besides text:
//
//	3            taps choice 3 of the last answer
//	[Idioma]     taps the choice of the last answer labelled "Idioma"
//	/loc LAT LON shares a location
//	/foto        sends a photo
//	/audio       sends something the bot cannot read (a voice message)
//	/sticker     sends a sticker, which is not someone talking
//	/tap DATA    taps a button with raw data (old or forged buttons, for tests)
//	/cmd args    sends a command
func (s *Session) Event(line string) (flows.Event, error) {
	s.nextUpdate++
	ev := flows.Event{UpdateID: s.nextUpdate, ChatID: s.ChatID, UserID: s.ChatID, Lang: s.Lang, Time: s.Now(), Caps: s.Caps}
	trimmed := strings.TrimSpace(line)
	if n := s.choiceNumber(trimmed); n > 0 {
		c := s.choices[n-1]
		switch {
		case c.requestsLoc:
			return ev, fmt.Errorf("to share a location, type /loc LAT LON (for example /loc 14.9 -92.26)")
		case c.keyboard:
			ev.Kind, ev.Text = flows.EventText, c.label
		default:
			ev.Kind, ev.Data, ev.MessageID = flows.EventButton, c.data, c.message
			ev.TapID = "tap-" + strconv.FormatInt(s.nextUpdate, 10)
		}
		return ev, nil
	}
	if strings.HasPrefix(trimmed, "/") {
		cmd, payload, _ := strings.Cut(trimmed[1:], " ")
		payload = strings.TrimSpace(payload)
		switch strings.ToLower(cmd) {
		case "loc":
			var lat, lon float64
			if _, err := fmt.Sscanf(payload, "%g %g", &lat, &lon); err != nil {
				return ev, fmt.Errorf("usage: /loc LAT LON, for example /loc 14.9 -92.26")
			}
			ev.Kind, ev.Location = flows.EventLocation, &flows.Location{Lat: lat, Lon: lon}
		case "foto", "photo":
			ev.Kind, ev.PhotoID, ev.Text = flows.EventPhoto, "term-photo-"+strconv.FormatInt(s.nextUpdate, 10), payload
		case "audio":
			ev.Kind, ev.Media = flows.EventUnsupported, flows.MediaVoice
		case "sticker":
			ev.Kind, ev.Media = flows.EventUnsupported, flows.MediaSticker
		case "tap":
			ev.Kind, ev.Data, ev.TapID = flows.EventButton, payload, "tap-"+strconv.FormatInt(s.nextUpdate, 10)
		default:
			ev.Kind, ev.Command, ev.Payload = flows.EventCommand, strings.ToLower(cmd), payload
		}
		return ev, nil
	}
	ev.Kind, ev.Text = flows.EventText, line
	return ev, nil
}

// choiceNumber returns which choice a line taps: "3" taps choice 3, and
// "[Idioma]" taps the choice labelled Idioma (transcripts use labels, so a
// new menu entry does not change what an old transcript taps). 0 is none.
func (s *Session) choiceNumber(line string) int {
	if n, err := strconv.Atoi(line); err == nil && n >= 1 && n <= len(s.choices) {
		return n
	}
	if len(line) > 2 && line[0] == '[' && line[len(line)-1] == ']' {
		label := line[1 : len(line)-1]
		for i, c := range s.choices {
			if c.label == label {
				return i + 1
			}
		}
	}
	return 0
}

// Send handles a typed line and returns what the bot answers, rendered.
func (s *Session) Send(ctx context.Context, line string) (string, error) {
	ev, err := s.Event(line)
	if err != nil {
		return err.Error() + "\n", nil
	}
	t := &typed{ev: ev}
	if err := s.runner.Do(ctx, ev.ChatID, t); err != nil {
		return "", err
	}
	s.Last = t.replies
	return s.Render(t.replies), nil
}

// typed is one typed line for the runner: its replies are collected, then
// rendered at once (the terminal shows an answer whole).
type typed struct {
	ev      flows.Event
	replies []flows.Reply
}

func (l *typed) Prepare(context.Context) (flows.Event, bool, error) {
	l.replies = l.replies[:0]
	return l.ev, true, nil
}

func (l *typed) Send(_ context.Context, r flows.Reply) error {
	l.replies = append(l.replies, r)
	return nil
}

func (l *typed) Finish(context.Context, run.Result) {}

// Render turns replies into terminal text and remembers their buttons as
// the numbered choices for the next line. Messages are separated by "----".
func (s *Session) Render(replies []flows.Reply) string {
	var b strings.Builder
	var choices []choice
	first := true
	for _, r := range replies {
		if !r.ChatID.IsZero() && r.ChatID != s.ChatID {
			continue // a message to someone else (a staff group)
		}
		if r.Kind == flows.AnswerTap {
			if r.Text != "" {
				fmt.Fprintf(&b, "(%s)\n", r.Text)
			}
			continue
		}
		if !first {
			b.WriteString("----\n")
		}
		first = false
		msg := r.MessageID
		switch {
		case r.Kind == flows.EditText:
			b.WriteString("(edited) ")
		case r.Kind == flows.ClearChat:
			b.WriteString("(conversation cleared)\n")
			s.nextMsg++
			msg = s.nextMsg
		default:
			s.nextMsg++
			msg = s.nextMsg
		}
		if r.PhotoID != "" {
			b.WriteString("[photo] ")
		}
		b.WriteString(strings.TrimRight(r.Text, "\n"))
		b.WriteString("\n")
		for _, row := range r.Buttons {
			for _, btn := range row {
				choices = append(choices, choice{label: btn.Label, data: btn.Data, message: msg})
				fmt.Fprintf(&b, "[%d] %s\n", len(choices), btn.Label)
			}
		}
		for _, row := range r.Keyboard {
			for _, k := range row {
				choices = append(choices, choice{label: k.Label, keyboard: true, requestsLoc: k.RequestLocation})
				fmt.Fprintf(&b, "[%d] %s\n", len(choices), k.Label)
			}
		}
	}
	// Only the newest answer's buttons can be tapped by number: typing "2"
	// after a question without buttons is an answer, not a tap.
	s.choices = choices
	return b.String()
}

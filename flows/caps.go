package flows

import (
	"fmt"
	"strconv"
	"strings"
)

// Caps is what a channel can do, as the flows read it (Ctx.Caps): the
// channel's adapter fills Event.Caps, and the engine and the flows make
// what they send fit:
//
//   - buttons beyond MaxButtons under one message become a numbered list
//     in its text, and the person answers with the number (State.Choices);
//     rows wider than MaxButtonsRow are split;
//   - without CanEdit, a step that would replace the tapped message sends a
//     new one;
//   - without CanShareLocation, no "share my location" button is offered:
//     the city list is;
//   - without CanDelete, the quick exit cannot clear the chat: it forgets
//     the conversation and tells the person how to delete the chat
//     themselves.
//
// The zero Caps stands for TelegramCaps, so an event built without caps
// (the tests, a tool) is served as Telegram is; a channel that can do less
// says so with at least one field set.
type Caps struct {
	// MaxButtons is the most inline buttons one message can carry, and
	// MaxButtonsRow the most in one row; 0 means no limit.
	MaxButtons, MaxButtonsRow int
	// CanEdit: a message already sent can be replaced (EditText).
	CanEdit bool
	// CanDelete: the channel can delete the chat's messages (ClearChat).
	CanDelete bool
	// CanShareLocation: the person can share their location with a button
	// (a reply keyboard with a location request).
	CanShareLocation bool
}

// TelegramCaps are Telegram's: 100 inline buttons a message, 8 a row;
// edits, deletion of the last 48 hours of a private chat and location
// sharing all work.
var TelegramCaps = Caps{MaxButtons: 100, MaxButtonsRow: 8, CanEdit: true, CanDelete: true, CanShareLocation: true}

// TermCaps are the terminal's: buttons are numbered choices, as many as
// there are; an edit is shown as one, a cleared chat as cleared, and /loc
// shares a location.
var TermCaps = Caps{CanEdit: true, CanDelete: true, CanShareLocation: true}

// Caps returns what the event's channel can do.
func (c *Ctx) Caps() Caps { return c.Event.caps() }

func (ev Event) caps() Caps {
	if ev.Caps == (Caps{}) {
		return TelegramCaps
	}
	return ev.Caps
}

// fit makes the replies to the event's own chat fit its channel: edits
// become new messages where nothing can be edited, rows are split to
// MaxButtonsRow, and a message with more than MaxButtons buttons lists them
// numbered in its text instead. It returns the button data of the last
// such list, in order, for State.Choices (nil when the last message to the
// person has none); changed is false when no message went to the person,
// and whatever list is on their screen stays the one to answer.
func fit(replies []Reply, chat Address, caps Caps, hint func() string) (choices []string, changed bool) {
	for i := range replies {
		r := &replies[i]
		if r.ChatID != chat || (r.Kind != SendText && r.Kind != EditText && r.Kind != ClearChat) {
			continue
		}
		changed, choices = true, nil
		if r.Kind == EditText && !caps.CanEdit {
			r.Kind, r.MessageID = SendText, 0
		}
		if !caps.CanShareLocation {
			r.Keyboard = withoutLocation(r.Keyboard)
		}
		n := 0
		for _, row := range r.Buttons {
			n += len(row)
		}
		if caps.MaxButtons > 0 && n > caps.MaxButtons {
			var b strings.Builder
			b.WriteString(r.Text)
			b.WriteString("\n\n" + hint())
			for _, row := range r.Buttons {
				for _, btn := range row {
					choices = append(choices, btn.Data)
					fmt.Fprintf(&b, "\n%d. %s", len(choices), btn.Label)
				}
			}
			r.Text, r.Buttons = b.String(), nil
			continue
		}
		if caps.MaxButtonsRow > 0 {
			r.Buttons = splitRows(r.Buttons, caps.MaxButtonsRow)
		}
	}
	return choices, changed
}

func splitRows(rows [][]Button, max int) [][]Button {
	fits := len(rows) > 0
	for _, row := range rows {
		fits = fits && len(row) > 0 && len(row) <= max
	}
	if fits {
		// Nothing to split or drop (nearly always): the rows as they are.
		return rows
	}
	var out [][]Button
	for _, row := range rows {
		for len(row) > max {
			out = append(out, row[:max])
			row = row[max:]
		}
		if len(row) > 0 {
			out = append(out, row)
		}
	}
	return out
}

func withoutLocation(rows [][]KeyButton) [][]KeyButton {
	var out [][]KeyButton
	for _, row := range rows {
		var keep []KeyButton
		for _, k := range row {
			if !k.RequestLocation {
				keep = append(keep, k)
			}
		}
		if len(keep) > 0 {
			out = append(out, keep)
		}
	}
	return out
}

// typedChoice turns a number typed after a numbered list (Caps.MaxButtons)
// into the tap of that button, and reports whether it did.
func typedChoice(c *Ctx) bool {
	ch := c.State.Choices
	if c.Event.Kind != EventText || len(ch) == 0 {
		return false
	}
	n, err := strconv.Atoi(strings.TrimSpace(strings.TrimSuffix(strings.TrimSpace(c.Event.Text), ".")))
	if err != nil || n < 1 || n > len(ch) {
		return false
	}
	c.Event.Kind, c.Event.Data, c.Event.Text, c.Event.MessageID = EventButton, ch[n-1], "", 0
	c.record.Kind = string(EventButton)
	return true
}

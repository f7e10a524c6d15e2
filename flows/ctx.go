package flows

import (
	"context"
	"fmt"
	"strconv"
	"strings"
	"time"

	"github.com/acercate/acercate/understand"
)

// Ctx is what a step sees and produces: the event, a copy of the chat's
// state to change, and the replies and log record it adds. Steps do not
// touch Redis; the engine saves the state and the replies atomically after
// the step returns, or throws them away if the step failed.
type Ctx struct {
	context.Context
	Event Event
	State *State
	// Now is the engine clock's time for this event.
	Now time.Time
	// Action and Arg are the parsed parts of a tapped button's data.
	Action, Arg string
	// Deps are the services steps may call (the store behind shelters,
	// denuncias, tickets).
	Deps *Deps

	e         *Engine
	flow      string // the flow whose function runs now
	replies   []Reply
	toast     string
	record    Request
	logged    bool
	unhandled bool
	err       error
	// forget asks the engine to delete the chat's keys instead of saving
	// its state (/borrar).
	forget bool
	// erased carries an erasure's report across retries of one event.
	erased **Erasure
	// reading is what the matcher made of the event's text (read).
	reading *understand.Reading
}

// Lang is the person's language. Before one is chosen it is their app's
// language when shipped, else the fallback (Spanish).
func (c *Ctx) Lang() string {
	if c.State.Lang != "" {
		return c.State.Lang
	}
	if l := c.e.cat.Match(c.Event.Lang); l != "" {
		return l
	}
	return c.e.cat.langs[0]
}

// T renders a message in the person's language; kv are alternating
// template keys and values: c.T("albergues.km", "Km", 3.2).
func (c *Ctx) T(id string, kv ...any) string {
	return c.e.cat.tkv(c.Lang(), id, kv)
}

// TIn renders a message in a given language (a staff group's).
func (c *Ctx) TIn(lang, id string, kv ...any) string {
	return c.e.cat.tkv(lang, id, kv)
}

func pairs(kv []any) map[string]any {
	if len(kv) == 0 {
		return nil
	}
	m := make(map[string]any, len(kv)/2)
	for i := 0; i+1 < len(kv); i += 2 {
		m[fmt.Sprint(kv[i])] = kv[i+1]
	}
	return m
}

// Send adds a new message with optional rows of inline buttons.
func (c *Ctx) Send(text string, rows ...[]Button) {
	c.replies = append(c.replies, Reply{Kind: SendText, Text: text, Buttons: nonEmpty(rows)})
}

// Edit replaces the message whose button was tapped; when there is none
// (a typed message, a channel without edits) it sends a new one.
func (c *Ctx) Edit(text string, rows ...[]Button) {
	if c.Event.Kind != EventButton || c.Event.MessageID == 0 || !c.Caps().CanEdit {
		c.Send(text, rows...)
		return
	}
	c.replies = append(c.replies, Reply{Kind: EditText, Text: text, Buttons: nonEmpty(rows), MessageID: c.Event.MessageID})
}

// Keyboard adds a message that replaces the person's keyboard with
// buttons (a "share my location" button, for one).
func (c *Ctx) Keyboard(text string, rows ...[]KeyButton) {
	c.replies = append(c.replies, Reply{Kind: SendText, Text: text, Keyboard: rows})
}

// RemoveKeyboard adds a message that gives the person their keyboard back.
func (c *Ctx) RemoveKeyboard(text string, rows ...[]Button) {
	c.replies = append(c.replies, Reply{Kind: SendText, Text: text, Buttons: nonEmpty(rows), RemoveKeyboard: true})
}

// Reply adds a reply as it is, for a flow that needs more than the helpers
// above (a message to another chat, a reply to a message). A zero ChatID
// means the event's chat.
func (c *Ctx) Reply(r Reply) {
	if r.Kind == "" {
		r.Kind = SendText
	}
	c.replies = append(c.replies, r)
}

// Toast sets the short notice shown when answering a button tap.
func (c *Ctx) Toast(text string) { c.toast = text }

func nonEmpty(rows [][]Button) [][]Button {
	n := 0
	for _, r := range rows {
		if len(r) > 0 {
			n++
		}
	}
	if n == 0 {
		return nil
	}
	// Copied, once: the caller may reuse its slice.
	out := make([][]Button, 0, n)
	for _, r := range rows {
		if len(r) > 0 {
			out = append(out, r)
		}
	}
	return out
}

// Step moves the current flow to a step. Buttons made afterwards with Btn
// belong to this step: a tap on them once the conversation has moved on
// is recognised as old and answered kindly.
func (c *Ctx) Step(step string) {
	c.State.enter(c.flow, step)
	c.State.Gen++
}

// Btn makes a button of the current flow, bound to the current step.
func (c *Ctx) Btn(label, action, arg string) Button {
	return Button{Label: label, Data: encodeData(c.flow, strconv.Itoa(c.State.Gen), action, arg)}
}

// Nav makes a button that works at any time: it starts flow (with action
// and arg) whatever the conversation is doing when it is tapped.
func (c *Ctx) Nav(label, flow, action, arg string) Button {
	return Button{Label: label, Data: encodeData(flow, anyGen, action, arg)}
}

// MenuButton is a row with the "main menu" button, for the end of answers.
func (c *Ctx) MenuButton() []Button {
	return []Button{c.Nav(c.T("btn.menu"), "menu", "", "")}
}

// Log sets the topic and a non-personal detail of this event's row in
// the request log (a rights topic, a city, a denuncia category).
func (c *Ctx) Log(topic, detail string) {
	c.record.Flow, c.record.Topic, c.record.Detail = c.flow, topic, detail
	c.logged = true
}

// Has reports whether a flow is registered, so a step shows a button to
// another flow ("talk to a person") only once that flow exists.
func (c *Ctx) Has(flow string) bool { return c.e.flows[flow] != nil }

// Row returns this event's request-log row as it stands now, with the
// language and attribution filled in. A step that commits records of its
// own (a denuncia) writes this row in the same transaction; the engine's
// later write of the same (update, person) row is then ignored.
func (c *Ctx) Row() Request {
	r := c.record
	if r.Flow == "" {
		r.Flow = c.flow
	}
	r.Lang = c.State.Lang
	r.Campaign, r.Modulo = splitAttribution(c.State.Attribution)
	return r
}

// Person returns the keyed hash of the person who acted.
func (c *Ctx) Person() string { return c.record.Person }

// Goto starts another flow.
func (c *Ctx) Goto(flow string) {
	c.e.start(c, flow, "", "")
}

// Menu shows the main menu.
func (c *Ctx) Menu() { c.Goto("menu") }

// Unhandled tells the engine the current flow has no use for the event;
// the engine tries keywords, then answers with the menu.
func (c *Ctx) Unhandled() { c.unhandled = true }

// Fail reports that a service the step needs failed (the store is down).
// Nothing of this event is saved or sent; the channel retries it later.
func (c *Ctx) Fail(err error) {
	if c.err == nil {
		c.err = err
	}
}

// Failed reports whether the step has failed.
func (c *Ctx) Failed() bool { return c.err != nil }

// anyGen marks button data that is not bound to a step.
const anyGen = "*"

func encodeData(flow, gen, action, arg string) string {
	return flow + ":" + gen + ":" + action + ":" + arg
}

// buttonData is the parsed data of a tapped button.
type buttonData struct {
	flow, gen, action, arg string
}

func decodeData(s string) (buttonData, bool) {
	p := strings.SplitN(s, ":", 4)
	if len(p) != 4 || p[0] == "" || p[1] == "" {
		return buttonData{}, false
	}
	return buttonData{p[0], p[1], p[2], p[3]}, true
}

package flows

import (
	"context"
	"errors"
	"fmt"
	"strconv"
	"strings"
	"time"
)

// Privacy is the person's control over what Acércate keeps about them,
// implemented by the store.
type Privacy interface {
	// Forget erases, or unlinks from the person, everything the store
	// holds about them (/borrar), and appends one audit row. It is
	// idempotent: a second call finds nothing left and counts zeros.
	Forget(ctx context.Context, s Subject) (Erasure, error)
	// Retention says how long what is kept is kept, for /privacidad.
	Retention() Retention
	// ErasedUpTo returns the last update id an erasure of the person
	// (Subject.Tombstone) covered and when it was done, if they erased
	// their data since (a tombstone is kept about two days); ok is false
	// when they did not.
	ErasedUpTo(ctx context.Context, tombstone string, since time.Time) (updateID int64, at time.Time, ok bool, err error)
}

// Subject is the person /borrar erases.
type Subject struct {
	// Person is their keyed hash (the request log, denuncias, tickets).
	Person string
	// Chat is their private chat with the bot, for records that name the
	// chat (sealed or hashed) rather than the person.
	Chat Address
	// Tombstone is the keyed hash the erasure is remembered by, unlike
	// any other table's, and UpdateID the update that asked for it: an
	// update up to it handled again later records nothing (ErasedUpTo).
	Tombstone string
	UpdateID  int64
}

// Erasure is what Forget did, area by area, so the person is told exactly.
type Erasure struct {
	// Areas are in a fixed order; an area with nothing of the person's
	// has Count 0.
	Areas []ErasedArea
	// Person is the value that replaced the person's hash in the rows
	// that stay as counts: random, unrelated to who they are. The event
	// that asked for the erasure is logged under it.
	Person string
}

// ErasedArea is one kind of record Forget erased or unlinked.
type ErasedArea struct {
	// Name is the area ("denuncias", "requests", "tickets"...): the
	// message privacy.done.<name> tells the person what it means.
	Name  string
	Count int
}

// Retention is how long records are kept, in days (0: the store does not
// purge that kind of record).
type Retention struct {
	// Requests is the request log (the office's counts).
	Requests int
	// Tickets is how long a closed conversation with staff keeps its
	// messages, and relay records are kept.
	Tickets int
	// Denuncias is how long a closed denuncia keeps what the person wrote
	// and their contact.
	Denuncias int
}

// privacy commands, in every shipped language. Telegram commands are
// lowercase ASCII, so the words are written without accents.
var (
	privacyInfoCommands  = []string{"privacidad", "privacy", "confidentialite", "vieprive", "privacidade"}
	privacyEraseCommands = []string{"borrar", "erase", "effacer", "efase", "apagar"}
	privacyExitCommands  = []string{"salir", "exit", "sortir", "soti", "sair"}
)

// privacyFlow is /privacidad (what is kept, how long, who sees it, how to
// erase it), /borrar (erase everything about me, after a confirmation)
// and /salir (the quick exit: the chat is cleared and a neutral message
// left). It is last in the menu.
func privacyFlow() *Flow {
	f := &Flow{
		Name:      "privacy",
		MenuLabel: "menu.privacy",
		Keywords:  "keywords.privacy",
		Commands:  append(append(append([]string(nil), privacyInfoCommands...), privacyEraseCommands...), privacyExitCommands...),
	}
	f.Start = func(c *Ctx) {
		action := c.Action
		if c.Event.Kind == EventCommand {
			switch {
			case privacyIs(c.Event.Command, privacyEraseCommands):
				action = "erase"
			case privacyIs(c.Event.Command, privacyExitCommands):
				action = "exit"
			}
		}
		switch action {
		case "erase":
			privacyEraseAsk(c)
		case "exit":
			privacyExit(c)
		default:
			privacyInfo(c)
		}
	}
	f.Handle = func(c *Ctx) {
		if c.Event.Kind != EventButton || c.State.Step != "erase" {
			c.Unhandled()
			return
		}
		switch c.Action {
		case "yes":
			privacyErase(c)
		case "no":
			c.Log("erase", "no")
			c.Edit(c.T("privacy.erase.kept"))
			c.Menu()
		default:
			c.Unhandled()
		}
	}
	f.Resume = func(c *Ctx) {
		if c.State.Step == "erase" {
			privacyEraseAsk(c)
			return
		}
		privacyInfo(c)
	}
	return f
}

func privacyIs(cmd string, set []string) bool {
	for _, s := range set {
		if s == cmd {
			return true
		}
	}
	return false
}

// privacyInfo tells what is kept, for how long, who sees it and how to
// erase it, with the retention actually configured.
func privacyInfo(c *Ctx) {
	c.Step("")
	c.Log("info", "")
	r := privacyRetention(c)
	c.Send(c.T(c.CapsID("privacy.text"),
		"StateHours", int(c.e.store.stateTTL.Hours()),
		"RequestDays", r.Requests, "TicketDays", r.Tickets, "DenunciaDays", r.Denuncias),
		[]Button{c.Nav(c.T("privacy.btn.erase"), "privacy", "erase", "")},
		[]Button{c.QuickExit()},
		c.MenuButton())
}

// privacyRetention is the retention configured in the store, zero when
// no store runs.
func privacyRetention(c *Ctx) Retention {
	if c.Deps.Privacy == nil {
		return Retention{}
	}
	return c.Deps.Privacy.Retention()
}

// privacyEraseAsk says what /borrar erases and what it keeps, and asks.
func privacyEraseAsk(c *Ctx) {
	c.Step("erase")
	c.Log("erase", "ask")
	c.Send(c.T("privacy.erase.ask", "DenunciaDays", privacyRetention(c).Denuncias),
		[]Button{c.Btn(c.T("privacy.btn.erase_yes"), "yes", "")},
		[]Button{c.Btn(c.T("privacy.btn.erase_no"), "no", "")})
}

// privacyErase erases everything about the person: the store's records
// (unlinked or deleted, with an audit row), then, once this event is
// handled, the chat's state and handled-update records in Redis. The
// answer says what went and what stayed.
func privacyErase(c *Ctx) {
	if c.Deps.Privacy == nil {
		c.Fail(errors.New("privacy: no store to erase from"))
		return
	}
	var er Erasure
	if c.erased != nil && *c.erased != nil {
		er = **c.erased
	} else {
		// The staff of an open conversation are told it is gone, so nobody
		// answers into nothing: the erasure takes the ticket and the
		// mapping of its group messages with it.
		open, ok := personTicket(c)
		if !ok {
			return
		}
		var err error
		subj := Subject{Person: c.Person(), Chat: c.Event.ChatID, Tombstone: c.e.tombstone(c.Event), UpdateID: c.Event.UpdateID}
		if er, err = c.Deps.Privacy.Forget(c, subj); err != nil {
			c.Fail(err)
			return
		}
		if open != nil && open.StaffChat != 0 {
			c.replies = append(c.replies, Reply{Kind: SendText, ChatID: Telegram(open.StaffChat),
				Text: c.TIn(c.e.staffLang(), "privacy.g.erased", "Code", open.Code())})
		}
		if c.erased != nil {
			*c.erased = &er
		}
	}
	c.Log("erase", "done")
	// This event is counted like the person's earlier ones: under the
	// value that replaced their hash, which leads back to nobody.
	c.record.Person = er.Person
	c.forget = true
	lines := []string{c.T("privacy.done.state")}
	for _, a := range er.Areas {
		if a.Count > 0 {
			lines = append(lines, c.T("privacy.done."+a.Name, "Count", a.Count))
		}
	}
	c.Edit(c.T(c.CapsID("privacy.erase.done"), "Erased", strings.Join(lines, "\n"), "DenunciaDays", privacyRetention(c).Denuncias))
	// Nothing of the conversation is kept: the next message starts anew.
	*c.State = State{}
}

// tombstone is the keyed hash an erasure is remembered by: its own key,
// so the erasures table links to no other.
func (e *Engine) tombstone(ev Event) string {
	return e.keys.Hash("erasure", ev.person().HashInput())
}

// erasedWindow is how long an erasure is remembered against updates
// handled again: Telegram redelivers an unconfirmed update for 24 hours.
const erasedWindow = 48 * time.Hour

// erasedBefore reports whether ev is an update the person's erasure
// already covered, handled again (a polling batch retried after another
// chat's reply failed, a webhook request repeated): it must record
// nothing about them — no request row, no state.
//
// The store is asked only when l has no usable state. An erasure deletes
// the chat's state, so a state that exists was created after it, by an
// update that found none, asked the store and, if the person had erased
// their data, left the erasure's mark in the state it created
// (keepErasedMark): the mark answers for every update after it. A stale
// state (another schema, another key) keeps no mark and asks the store.
func (e *Engine) erasedBefore(ctx context.Context, ev Event, l *loaded) (bool, error) {
	if e.deps.Privacy == nil || ev.UpdateID == 0 {
		return false, nil
	}
	since := e.cfg.Now().Add(-erasedWindow)
	if l.version != 0 && !l.stale {
		m := l.state.Erased
		return m != nil && ev.UpdateID <= m.Update && m.At >= since.UnixMilli(), nil
	}
	upTo, at, ok, err := e.deps.Privacy.ErasedUpTo(ctx, e.tombstone(ev), since)
	if err != nil {
		return false, fmt.Errorf("erasure: %w", err)
	}
	if !ok {
		return false, nil
	}
	if ev.UpdateID <= upTo {
		return true, nil
	}
	l.state.Erased = &ErasedMark{Update: upTo, At: at.UnixMilli()}
	return false, nil
}

// keepErasedMark gives the state a step leaves the erasure mark of the
// state it started from, whatever the step did to the state (the quick
// exit and the menu start it anew): only the engine sets or clears it,
// and a mark past the tombstone's window is dropped as the store's is.
func (e *Engine) keepErasedMark(c *Ctx, l *loaded) {
	m := l.state.Erased
	if m != nil && m.At < e.cfg.Now().Add(-erasedWindow).UnixMilli() {
		m = nil
	}
	c.State.Erased = m
}

// privacyExit is the quick exit: the channel deletes what it can of the
// chat and leaves a neutral message; the conversation (and any draft) is
// forgotten, so nothing on the next screen shows what was being done.
// The language and the link the person came from stay, so they are not
// asked again and the office's counts keep their origin.
func privacyExit(c *Ctx) {
	c.Log("exit", string(c.Event.Kind))
	if !privacyWarnStaff(c) {
		return
	}
	st := c.State
	*st = State{Lang: st.Lang, Noticed: st.Noticed, Attribution: st.Attribution, Gen: st.Gen + 1}
	if !c.Caps().CanDelete {
		// Nothing can be deleted here: say so, and how to do it by hand,
		// rather than leave a neutral message over a chat still in view.
		c.replies = append(c.replies[:0], Reply{Kind: SendText, Text: c.T("privacy.exit.no_delete"), RemoveKeyboard: true})
		c.toast = ""
		return
	}
	c.replies = append(c.replies[:0], Reply{Kind: ClearChat, Text: c.T("privacy.exit.text")})
	c.toast = ""
}

// privacyWarnStaff tells the staff of the person's open conversation, if
// any, that they used the quick exit, so nobody writes to a phone someone
// else may be holding. It reports false when the step failed.
func privacyWarnStaff(c *Ctx) bool {
	t, ok := personTicket(c)
	if t == nil {
		return ok
	}
	err := c.Deps.Tickets.Relay(c, Relay{Ticket: t.ID, Source: c.Person() + ":" + strconv.FormatInt(c.Event.UpdateID, 10) + ":exit",
		Direction: RelayIn, Kind: RelayNotice, At: c.Now,
		Text: c.TIn(c.e.staffLang(), "privacy.g.quick_exit", "Code", t.Code())})
	if err != nil {
		c.Fail(err)
		return false
	}
	return true
}

// personTicket returns the person's open conversation with staff, or nil
// when they have none (or no staff desk runs). ok is false when looking it
// up failed, and the step with it.
func personTicket(c *Ctx) (t *Ticket, ok bool) {
	if c.Deps.Tickets == nil {
		return nil, true
	}
	k, err := c.Deps.Tickets.Current(c, c.Person())
	switch {
	case errors.Is(err, ErrNoTicket):
		return nil, true
	case err != nil:
		c.Fail(err)
		return nil, false
	}
	return &k, true
}

// QuickExit is the "Salir rápido" button for sensitive screens (a
// denuncia's questions, a conversation with staff): tapped at any time,
// it clears the chat and leaves a neutral message.
func (c *Ctx) QuickExit() Button {
	return c.Nav(c.T("privacy.btn.exit"), "privacy", "exit", "")
}

// privacyEscape lets the quick exit and the erasure through a flow that
// holds the conversation (a ticket open with staff): /salir, /borrar and
// the privacy flow's buttons always work. It reports whether it handled
// the event.
func (e *Engine) privacyEscape(c *Ctx) bool {
	ev := c.Event
	switch ev.Kind {
	case EventCommand:
		if privacyIs(ev.Command, privacyExitCommands) || privacyIs(ev.Command, privacyEraseCommands) {
			e.command(c)
			return true
		}
	case EventButton:
		if d, ok := decodeData(ev.Data); ok && d.flow == "privacy" {
			e.button(c)
			return true
		}
	}
	return false
}

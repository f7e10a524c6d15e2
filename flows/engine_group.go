package flows

import (
	"context"
	"errors"
	"runtime/debug"
)

// held gives an event to a flow that holds the conversation (Flow.Holds):
// emergency words and buttons show the emergency help first; everything
// else goes to the flow's Handle, with a tapped button of its own parsed.
func (e *Engine) held(c *Ctx, f *Flow) {
	ev := c.Event
	if e.privacyEscape(c) {
		return
	}
	if e.urgent(ev) {
		if ev.Kind == EventButton {
			e.button(c)
			return
		}
		e.emergencyText(c)
		return
	}
	if ev.Kind == EventButton {
		if d, ok := decodeData(ev.Data); ok && d.flow == f.Name {
			c.Action, c.Arg = d.action, d.arg
		}
	}
	c.flow = f.Name
	f.Handle(c)
}

// handleGroup handles an event from a group chat (a staff group): the
// flow with a Group function decides; without one, nothing is answered.
// Like a person's event it is handled at most once per update id and its
// replies are kept until delivered, but it keeps no conversation state,
// is not flood-limited (staff are few and known) and is never written to
// the request log, which counts people, not staff.
func (e *Engine) handleGroup(ctx context.Context, ev Event) (*Outcome, error) {
	l, err := e.store.load(ctx, ev.ChatID, ev.UpdateID)
	if err != nil {
		return nil, err
	}
	if l.dup {
		return &Outcome{Replies: l.pending, Sent: l.sent, Duplicate: true}, nil
	}
	// The step runs once: what staff do has already happened in the store
	// (a ticket taken, a note added) and must not happen twice. A group
	// keeps no state, so another event of the same group saved meanwhile
	// (a version conflict) only means recording this one again.
	c := e.runGroup(ctx, ev)
	if c.err != nil {
		return nil, c.err
	}
	st := State{Schema: SchemaVersion}
	for attempt := 0; ; attempt++ {
		err = e.store.commit(ctx, l, ev.UpdateID, &st, c.replies)
		if errors.Is(err, ErrConflict) && attempt < 10 {
			if l, err = e.store.load(ctx, ev.ChatID, ev.UpdateID); err != nil {
				return nil, err
			}
			if !l.dup {
				continue
			}
		}
		if l.dup || errors.Is(err, errDuplicate) {
			// Handled meanwhile by another engine: its replies stand.
			return &Outcome{Duplicate: true}, nil
		}
		if err != nil {
			return nil, err
		}
		return &Outcome{Replies: c.replies}, nil
	}
}

func (e *Engine) runGroup(ctx context.Context, ev Event) (c *Ctx) {
	st := State{}
	c = &Ctx{Context: ctx, Event: ev, State: &st, Now: e.cfg.Now(), Deps: e.deps, e: e}
	c.record.Person = e.keys.PersonHash(ev.person())
	defer func() {
		if r := recover(); r != nil {
			e.log.Error("group step panicked", "kind", ev.Kind, "panic", panicValue(r), "stack", string(debug.Stack()))
			c.replies, c.err, c.toast = nil, nil, ""
		}
		if ev.Kind == EventButton && ev.TapID != "" {
			c.replies = append([]Reply{{Kind: AnswerTap, TapID: ev.TapID, Text: c.toast}}, c.replies...)
		}
		for i := range c.replies {
			if c.replies[i].ChatID.IsZero() {
				c.replies[i].ChatID = ev.ChatID
			}
		}
	}()
	if e.group == nil || ev.Problem() != "" {
		return c
	}
	c.flow = e.group.Name
	e.group.Group(c)
	return c
}

package flows

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"regexp"
	"runtime"
	"runtime/debug"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"time"
	"unicode/utf8"

	"github.com/acercate/acercate/secret"
	"github.com/acercate/acercate/understand"
	"golang.org/x/time/rate"
)

// Config tunes the engine. Zero values take the defaults noted.
type Config struct {
	// Now is the clock (time.Now).
	Now func() time.Time
	// FloodRate and FloodBurst limit how many events one person may send:
	// events per second and burst (0.5/s, burst 20). Past that the person
	// is asked once to slow down and further events are dropped.
	FloodRate  float64
	FloodBurst int
	// Logger receives event kinds and errors, never text (slog.Default).
	Logger *slog.Logger
	// Staff configures talking with the módulo staff (human.go).
	Staff StaffConfig
}

// Engine routes events to flows. It holds no per-chat state of its own
// (beyond the flood limiter): everything is loaded from and saved to Redis
// for each event, so several engines may share one Redis.
type Engine struct {
	cfg       Config
	store     *Store
	cat       *Catalog
	keys      *secret.Keys
	deps      *Deps
	flows     map[string]*Flow
	order     []*Flow
	commands  map[string]string
	matcher   *understand.Matcher
	greetings keywords
	langNames keywords
	flood     *floodLimiter
	// strangers lets one notice a group and hour through to a group that
	// is no staff group (notStaffGroup).
	strangers *floodLimiter
	log       *slog.Logger
	group     *Flow
	staff     atomic.Pointer[StaffConfig]
	// forgetters erase what channels keep about a chat (OnForget).
	forgetters []func(ctx context.Context, chat Address) error
}

// Outcome is what the engine made of an event: the replies to deliver,
// in order. After delivering each, call Delivered, so a crash and a
// re-delivered update send only what was not yet sent.
type Outcome struct {
	Replies []Reply
	// Sent is how many replies of this update were delivered before
	// (non-zero only for a re-delivered update).
	Sent int
	// Duplicate is true when the update had been handled already.
	Duplicate bool
}

// New returns an engine over a state store and a catalog, with the given
// flows in menu order. Flows "menu", "language" and "emergency" must be
// among them (Builtin has them).
func New(cfg Config, store *Store, cat *Catalog, keys *secret.Keys, deps *Deps, flows []*Flow) (*Engine, error) {
	if cfg.Now == nil {
		cfg.Now = time.Now
	}
	if cfg.FloodRate == 0 {
		cfg.FloodRate = 0.5
	}
	if cfg.FloodBurst == 0 {
		cfg.FloodBurst = 20
	}
	if cfg.Logger == nil {
		cfg.Logger = slog.Default()
	}
	if deps == nil || deps.Log == nil {
		return nil, errors.New("engine: a request log is required")
	}
	// The store stamps update records with the engine's clock.
	store.now = cfg.Now
	e := &Engine{
		cfg: cfg, store: store, cat: cat, keys: keys, deps: deps,
		flows: map[string]*Flow{}, commands: map[string]string{},
		flood:     newFloodLimiter(rate.Limit(cfg.FloodRate), cfg.FloodBurst),
		strangers: newFloodLimiter(rate.Every(time.Hour), 1),
		log:       cfg.Logger.With("component", "engine"),
	}
	for _, f := range flows {
		if _, dup := e.flows[f.Name]; dup || f.Name == "" || strings.Contains(f.Name, ":") {
			return nil, fmt.Errorf("engine: bad or duplicate flow name %q", f.Name)
		}
		e.flows[f.Name] = f
		e.order = append(e.order, f)
		for _, cmd := range f.Commands {
			e.commands[cmd] = f.Name
		}
		if f.Group != nil {
			if e.group != nil {
				return nil, fmt.Errorf("engine: flows %q and %q both handle groups", e.group.Name, f.Name)
			}
			e.group = f
		}
	}
	e.SetStaff(cfg.Staff)
	for _, need := range []string{"menu", "language", "emergency"} {
		if e.flows[need] == nil {
			return nil, fmt.Errorf("engine: flow %q is required", need)
		}
	}
	m, err := newMatcher(cat, flows)
	if err != nil {
		return nil, err
	}
	e.matcher = m
	e.greetings.add(cat, "keywords.greeting", "menu")
	e.langNames.addNames(cat, "lang.names")
	return e, nil
}

// Menu returns the flows shown in the main menu, in order.
func (e *Engine) Menu() []*Flow {
	var out []*Flow
	for _, f := range e.order {
		if f.MenuLabel != "" {
			out = append(out, f)
		}
	}
	return out
}

// Has reports whether a flow is registered.
func (e *Engine) Has(flow string) bool { return e.flows[flow] != nil }

// Catalog returns the engine's message catalog.
func (e *Engine) Catalog() *Catalog { return e.cat }

// Store returns the engine's state store.
func (e *Engine) Store() *Store { return e.store }

// Handle handles one event: loads the chat's state, runs the step, logs
// the request, and saves the new state with the replies atomically. An
// update handled before is not handled again: its undelivered replies are
// returned instead. An error means nothing was saved; retry the event.
func (e *Engine) Handle(ctx context.Context, ev Event) (*Outcome, error) {
	if ev.Time.IsZero() {
		ev.Time = e.cfg.Now()
	}
	if err := ev.ChatID.Validate(); err != nil {
		return nil, fmt.Errorf("event chat: %w", err)
	}
	if !ev.UserID.IsZero() {
		if err := ev.UserID.Validate(); err != nil {
			return nil, fmt.Errorf("event user: %w", err)
		}
	}
	// "/start@AcercateBot" is how Telegram names a command in a group: the
	// suffix is cut here, once, for every flow and every channel.
	ev.Command, _, _ = strings.Cut(ev.Command, "@")
	if ev.Group {
		return e.handleGroup(ctx, ev)
	}
	// The flood decision is taken once per event: a retry after a write
	// conflict is the same event and must not spend another token.
	var flood *floodDecision
	// An erasure (/borrar) done by an attempt that then lost a write
	// conflict is not done again: its report is kept for the retry.
	var erased *Erasure
	for attempt := 0; ; attempt++ {
		// The first attempt may take the state from the process's cache;
		// a retry (the commit found another version, or the update
		// handled) reads Redis.
		var l *loaded
		var err error
		if attempt == 0 {
			l, err = e.store.loadCached(ctx, ev.ChatID, ev.UpdateID, e.cfg.Now())
		} else {
			l, err = e.store.load(ctx, ev.ChatID, ev.UpdateID)
		}
		if err != nil {
			return nil, err
		}
		if l.dup {
			return &Outcome{Replies: l.pending, Sent: l.sent, Duplicate: true}, nil
		}
		// Checked on every attempt: a retry after a conflict may find the
		// state gone (erased meanwhile), and then asks the store.
		if gone, err := e.erasedBefore(ctx, ev, l); err != nil {
			return nil, err
		} else if gone {
			// Handled before the person erased everything: nothing of it
			// may come back, not even a count.
			e.log.Info("update of an erased person not handled again", "kind", string(ev.Kind))
			return &Outcome{Duplicate: true}, nil
		}
		c := e.run(ctx, ev, l, &flood, &erased)
		if c.err != nil {
			return nil, c.err
		}
		e.keepErasedMark(c, l)
		if err := e.deps.Log.LogRequest(ctx, c.record); err != nil {
			return nil, fmt.Errorf("log request: %w", err)
		}
		if c.forget {
			err = e.forget(ctx, ev, l)
		} else {
			err = e.store.commit(ctx, l, ev.UpdateID, c.State, c.replies)
		}
		if (errors.Is(err, ErrConflict) || errors.Is(err, errDuplicate)) && attempt < 10 {
			continue
		}
		if err != nil {
			return nil, err
		}
		return &Outcome{Replies: c.replies}, nil
	}
}

// OnForget adds a function that erases what a channel keeps about a chat
// outside the engine's state (the Telegram adapter's list of message ids),
// called when the person erases their data (/borrar). It must be
// idempotent. Call it before handling events.
func (e *Engine) OnForget(fn func(ctx context.Context, chat Address) error) {
	e.forgetters = append(e.forgetters, fn)
}

// forget erases a chat's keys instead of saving its state: first what
// channels keep (OnForget), then, atomically with the version check, the
// state and handled-update records. A failure leaves the state as it was,
// and the event is retried.
func (e *Engine) forget(ctx context.Context, ev Event, l *loaded) error {
	for _, fn := range e.forgetters {
		if err := fn(ctx, ev.ChatID); err != nil {
			return fmt.Errorf("forget chat: %w", err)
		}
	}
	return e.store.forget(ctx, l)
}

// Delivered records that the first n replies of ev's update (counting
// those delivered before, Outcome.Sent) reached the person.
func (e *Engine) Delivered(ctx context.Context, ev Event, n int) error {
	return e.store.MarkSent(ctx, ev.ChatID, ev.UpdateID, n)
}

// run is the pure part of handling: (state, event) → (state, replies, record).
func (e *Engine) run(ctx context.Context, ev Event, l *loaded, flood **floodDecision, erased **Erasure) (c *Ctx) {
	// The step works on a deep copy, so a step that panics half-way through
	// changing its maps cannot leave its half-made changes behind.
	st := l.state.clone()
	now := e.cfg.Now()
	c = &Ctx{Context: ctx, Event: ev, State: &st, Now: now, Deps: e.deps, e: e, erased: erased}
	c.record = Request{UpdateID: ev.UpdateID, At: now, Kind: string(ev.Kind),
		Person: e.keys.PersonHash(ev.person()), Channel: ev.ChatID.Channel}
	defer func() {
		if r := recover(); r != nil {
			// A bug in a step must not leave the person without an answer
			// or stuck in a broken step: apologise, go back to the menu,
			// keeping what the person had before this event (their
			// language, where they came from, their drafts).
			e.log.Error("step panicked", "flow", c.flow, "kind", ev.Kind, "panic", panicValue(r), "stack", string(debug.Stack()))
			before := l.state.clone()
			*c.State = State{Lang: before.Lang, Attribution: before.Attribution, Noticed: true, Drafts: before.Drafts, Gen: before.Gen}
			c.replies, c.err, c.toast, c.unhandled, c.forget = nil, nil, "", false, false
			c.record.Kind = "panic"
			c.Send(c.T("menu.apology"))
			c.Menu()
		}
		e.finish(c)
	}()
	e.dispatch(c, l.stale, flood)
	e.checkAttribution(c, l.state.Attribution)
	return c
}

// checkAttribution keeps a /start code only when it names a campaign or
// módulo that exists: anyone can type "/start c-anything", and one account
// must not add fake campaigns to the office's counts. An unknown code is
// ignored (the attribution before it stays) and logged as "unknown".
func (e *Engine) checkAttribution(c *Ctx, before string) {
	a := c.State.Attribution
	if a == "" || a == before || e.deps.Codes == nil || c.err != nil {
		return
	}
	ok, err := e.deps.Codes.KnownCode(c, a)
	if err != nil {
		c.Fail(fmt.Errorf("attribution: %w", err))
		return
	}
	if ok {
		return
	}
	c.State.Attribution = before
	if d := c.record.Detail; d == "c" || d == "m" {
		c.record.Detail = "unknown"
	}
}

// finish completes what every event needs whatever the flow did: one
// answer to a button tap, first; addressed replies; the keyboard of a
// flow left behind taken away; the log record.
func (e *Engine) finish(c *Ctx) {
	ev := c.Event
	if ev.Kind == EventButton && ev.TapID != "" {
		c.replies = append([]Reply{{Kind: AnswerTap, TapID: ev.TapID, Text: c.toast}}, c.replies...)
	}
	for i := range c.replies {
		if c.replies[i].ChatID.IsZero() {
			c.replies[i].ChatID = ev.ChatID
		}
	}
	if choices, changed := fit(c.replies, ev.ChatID, ev.caps(), func() string { return c.T("caps.pick_number") }); changed {
		c.State.Choices = choices
	}
	e.keyboard(c)
	c.State.Schema = SchemaVersion
	r := &c.record
	if r.Flow == "" {
		r.Flow = c.State.Flow
	}
	r.Lang = c.State.Lang
	r.Campaign, r.Modulo = splitAttribution(c.State.Attribution)
}

// keyboard keeps track of the reply keyboard a flow put on the person's
// screen (a "share my location" button). It belongs to the question that
// showed it: when the person leaves that flow without the flow taking it
// away (the menu, a command, an emergency word), the next message sent to
// them does, so no stale button sends a location into another flow.
func (e *Engine) keyboard(c *Ctx) {
	st := c.State
	mine := func(r *Reply) bool { return r.ChatID == c.Event.ChatID && r.Kind == SendText }
	for i := range c.replies {
		if r := &c.replies[i]; mine(r) && len(r.Keyboard) > 0 {
			st.Keyboard = st.Flow
		} else if mine(r) && r.RemoveKeyboard {
			st.Keyboard = ""
		}
	}
	if st.Keyboard == "" || st.Keyboard == st.Flow {
		return
	}
	for i := range c.replies {
		if r := &c.replies[i]; mine(r) {
			r.RemoveKeyboard, st.Keyboard = true, ""
			return
		}
	}
}

func (ev Event) person() Address {
	if !ev.UserID.IsZero() {
		return ev.UserID
	}
	return ev.ChatID
}

// dispatch decides which flow function sees the event.
func (e *Engine) dispatch(c *Ctx, stale bool, flood **floodDecision) {
	ev := c.Event
	// The flood limit comes first, also for events that cannot be used
	// (a bad location, oversized text): each of those costs an answer
	// too, and 60 of them must not be 60 replies.
	if *flood == nil {
		d := &floodDecision{allow: e.flood.allow(c.record.Person, c.Now)}
		if !d.allow {
			d.warn = e.flood.firstRefusal(c.record.Person)
		}
		*flood = d
	}
	if !(*flood).allow {
		c.record.Kind = "flood"
		if (*flood).warn {
			c.Send(c.T("input.flood"))
		}
		return
	}
	if p := ev.Problem(); p != "" {
		c.record.Kind = p
		switch p {
		case "bad_button":
			e.badButton(c)
		case "bad_location":
			c.Send(c.T("input.bad_location"))
		default:
			c.Send(c.T("input."+p, "Max", MaxText))
		}
		return
	}
	if stale {
		e.afterStale(c)
		return
	}
	if typedChoice(c) {
		ev = c.Event
	}
	if c.State.Lang == "" {
		e.firstContact(c)
		return
	}
	if f := e.flows[c.State.Flow]; f != nil && f.Holds != nil && f.Holds(c) {
		e.held(c, f)
		return
	}
	if c.err != nil {
		return
	}
	switch ev.Kind {
	case EventCommand:
		e.command(c)
		return
	case EventButton:
		e.button(c)
		return
	case EventText:
		if c.read().Danger != "" {
			e.emergencyText(c)
			return
		}
	case EventUnsupported:
		unsupported(c)
		if !e.resume(c) {
			c.Menu()
		}
		return
	}
	e.current(c)
}

// floodDecision is the flood limiter's verdict on one event.
type floodDecision struct {
	allow, warn bool
}

// emergencyText answers emergency words typed at any point: the help
// comes first. A step that takes the person's own words (TextSteps) then
// gets them too, so a story that mentions danger is not lost; otherwise
// the conversation goes on where it was, or, from the menu, to the flow
// the rest of the message asked for ("help me find a shelter").
func (e *Engine) emergencyText(c *Ctx) {
	f := e.flows[c.State.Flow]
	if f != nil && f.takesText(c.State.Step) {
		c.flow = "emergency"
		e.flows["emergency"].Start(c)
		e.current(c)
		return
	}
	e.overlay(c, "emergency")
	if f == nil || f.Name == "menu" {
		// "me robaron con pistola, quiero denunciar": the help first,
		// then what else the message clearly asked for.
		if r := c.read(); r.Sure() && r.Top() != "greeting" {
			e.startIntent(c, r.Top())
		}
	}
}

// afterStale answers the first event after a stored state could not be used
// (written by another version, or unreadable): an apology, then what the
// event asked for, keeping the language when it was readable.
func (e *Engine) afterStale(c *Ctx) {
	st := c.State
	if !e.cat.Has(st.Lang) {
		st.Lang = e.cat.Match(c.Event.Lang)
	}
	st.Attribution = ParseAttribution(st.Attribution)
	if st.Lang == "" {
		e.firstContact(c)
		return
	}
	c.record.Kind = "stale_state"
	c.flow = "menu"
	c.Send(c.T("menu.apology"))
	if !st.Noticed {
		c.Send(c.T(c.CapsID("privacy.notice")))
		st.Noticed = true
	}
	e.route(c)
}

// current gives the event to the current flow, then falls back to
// keywords and the menu if the flow had no use for it.
func (e *Engine) current(c *Ctx) {
	f := e.flows[c.State.Flow]
	if f == nil {
		if c.State.Flow != "" {
			// A flow this version no longer has.
			c.record.Kind = "stale_state"
			c.Send(c.T("menu.apology"))
			c.Menu()
			return
		}
		f = e.flows["menu"]
		c.State.enter("menu", "")
	}
	c.flow = f.Name
	if f.Handle != nil {
		f.Handle(c)
	} else {
		c.Unhandled()
	}
	if !c.unhandled || c.err != nil {
		return
	}
	c.unhandled = false
	if c.Event.Kind == EventText {
		text := c.Event.Text
		if r := c.read(); r.Sure() {
			e.startIntent(c, r.Top())
			return
		}
		if l := e.langNames.exact(text); l != "" {
			c.flow = "language"
			e.setLanguage(c, l)
			return
		}
		if e.greetings.exact(text) != "" {
			c.Menu()
			return
		}
		if e.understood(c) {
			return
		}
	}
	c.Send(c.T("menu.unknown"))
	c.Menu()
}

// command handles "/command payload" from any state.
func (e *Engine) command(c *Ctx) {
	ev := &c.Event
	// A payload the engine cannot use is dropped, not shown to a flow: a
	// link with junk in it still starts the conversation.
	junk := false
	if !utf8.ValidString(ev.Payload) || len(ev.Payload) > MaxPayload {
		ev.Payload, junk = "", true
	}
	switch ev.Command {
	case "start":
		if a := ParseAttribution(ev.Payload); a != "" {
			c.State.Attribution = a
		}
		kind := attributionKind(ev.Payload)
		if junk {
			kind = "junk"
		}
		c.Log("start", kind)
		c.Menu()
	case "menu":
		c.Menu()
	case "cancelar", "cancel", "anile", "annuler", "cancelar_":
		e.cancel(c)
	case "idioma", "language", "langue", "lang", "lang_":
		e.start(c, "language", "", "")
	case "ayuda", "help", "aide", "ed", "ajuda":
		c.flow = "menu"
		c.Log("help", "")
		c.Send(c.T(c.CapsID("help.text")), c.MenuButton())
	default:
		if name, ok := e.commands[ev.Command]; ok {
			e.start(c, name, "", "")
			return
		}
		c.record.Kind = "unknown_command"
		c.Send(c.T("command.unknown", "Command", "/"+shorten(ev.Command, 32)))
		if !e.resume(c) {
			c.Menu()
		}
	}
}

// cancel abandons what the person was doing, including any draft.
func (e *Engine) cancel(c *Ctx) {
	c.flow = "menu"
	c.Log("cancel", c.State.Flow)
	had := c.State.Flow != "" && c.State.Flow != "menu" || len(c.State.Drafts) > 0
	c.State.Drafts = nil
	if had {
		c.Send(c.T("cancel.done"))
	} else {
		c.Send(c.T("cancel.nothing"))
	}
	c.Menu()
}

// button routes a tap on an inline button.
func (e *Engine) button(c *Ctx) {
	d, ok := decodeData(c.Event.Data)
	f := e.flows[d.flow]
	if !ok || f == nil {
		// Forged or from a version that no longer exists.
		c.record.Kind = "bad_button"
		e.badButton(c)
		return
	}
	c.Action, c.Arg = d.action, d.arg
	if d.gen == anyGen {
		if f.Overlay {
			e.overlay(c, f.Name)
			return
		}
		e.start(c, f.Name, d.action, d.arg)
		return
	}
	if d.flow != c.State.Flow || d.gen != strconv.Itoa(c.State.Gen) {
		c.record.Kind = "stale"
		c.Toast(c.T("button.stale"))
		c.Send(c.T("button.stale"))
		if !e.resume(c) {
			c.Menu()
		}
		return
	}
	c.flow = f.Name
	if f.Handle != nil {
		f.Handle(c)
	} else {
		c.Unhandled()
	}
	if c.unhandled && c.err == nil {
		c.unhandled = false
		c.record.Kind = "stale"
		c.Toast(c.T("button.stale"))
		c.Send(c.T("button.stale"))
		c.Menu()
	}
}

// badButton answers a tap on a button the engine did not make (forged
// data, data too long, a flow that no longer exists): kindly, without
// losing the step the person is at.
func (e *Engine) badButton(c *Ctx) {
	c.Toast(c.T("button.unknown"))
	c.Send(c.T("button.unknown"))
	if c.State.Lang == "" || !e.resume(c) {
		c.Menu()
	}
}

// start enters a flow.
func (e *Engine) start(c *Ctx, name, action, arg string) {
	f := e.flows[name]
	if f == nil {
		f = e.flows["menu"]
	}
	if f.Overlay {
		e.overlay(c, f.Name)
		return
	}
	prev := c.flow
	c.flow = f.Name
	c.State.enter(f.Name, "")
	c.Action, c.Arg = action, arg
	f.Start(c)
	if prev != "" && !c.logged {
		c.Log("", "")
	}
}

// overlay runs a flow that answers without leaving the current flow, then
// shows where the person was, so a draft is not lost.
func (e *Engine) overlay(c *Ctx, name string) {
	c.flow = name
	e.flows[name].Start(c)
	if c.State.Flow != "" && c.State.Flow != "menu" {
		e.resume(c)
	}
}

// resume shows the current step again, if the current flow can.
func (e *Engine) resume(c *Ctx) bool {
	f := e.flows[c.State.Flow]
	if f == nil || f.Resume == nil {
		return false
	}
	prev := c.flow
	c.flow = f.Name
	f.Resume(c)
	c.flow = prev
	return true
}

// firstContact greets a person the engine has no state for: takes the
// attribution of a /start link, picks their language or asks for it, shows
// the privacy notice and the menu.
func (e *Engine) firstContact(c *Ctx) {
	ev := c.Event
	c.flow = "start"
	detail := ""
	if ev.Kind == EventCommand && ev.Command == "start" {
		if a := ParseAttribution(ev.Payload); a != "" {
			c.State.Attribution = a
		}
		detail = attributionKind(ev.Payload)
	}
	c.Log("first", detail)
	if ev.Kind == EventButton {
		// A language choice (or a button from a conversation that
		// expired, which may be one): let the language flow decide.
		if d, ok := decodeData(ev.Data); ok && d.flow == "language" && e.cat.Has(d.arg) {
			c.Action, c.Arg = d.action, d.arg
			c.flow = "language"
			e.flows["language"].Handle(c)
			return
		}
	}
	lang := e.cat.Match(ev.Lang)
	if ev.Kind == EventText {
		// A language named in the first message, or in answer to the
		// question, wins over the phone's.
		if l := e.languageNamed(ev.Text, lang == ""); l != "" {
			c.flow = "language"
			e.setLanguage(c, l)
			return
		}
	}
	if lang == "" {
		if r := c.read(); r.Danger != "" {
			// Someone in danger must not have to choose a language first:
			// the help comes in the language of the words they typed.
			c.State.Lang = r.DangerLang
			c.flow = "emergency"
			e.flows["emergency"].Start(c)
			c.State.Lang = ""
		}
		e.start(c, "language", "first", "")
		return
	}
	c.State.Lang = lang
	e.welcome(c)
}

// welcome shows the privacy notice once, then what the first message
// asked for. Emergency help goes before the notice.
func (e *Engine) welcome(c *Ctx) {
	urgent := e.urgent(c)
	if urgent {
		prev := c.flow
		c.flow = "emergency"
		e.flows["emergency"].Start(c)
		c.flow = prev
	}
	c.Send(c.T(c.CapsID("privacy.notice")))
	c.State.Noticed = true
	if urgent {
		c.Menu()
		return
	}
	e.route(c)
}

// urgent reports whether an event asks for emergency help: emergency
// words, or a tap on an emergency button.
func (e *Engine) urgent(c *Ctx) bool {
	switch ev := c.Event; ev.Kind {
	case EventText:
		return c.read().Danger != ""
	case EventButton:
		d, ok := decodeData(ev.Data)
		return ok && d.flow == "emergency"
	}
	return false
}

// route answers what a message asked for when there is no conversation to
// go on with (a first message, or one after a state that could not be
// used): a flow's keywords, a command, a timeless button; else the menu.
func (e *Engine) route(c *Ctx) {
	ev := c.Event
	switch ev.Kind {
	case EventText:
		r := c.read()
		if r.Danger != "" {
			e.overlay(c, "emergency")
			if r.Sure() && r.Top() != "greeting" {
				e.startIntent(c, r.Top())
				return
			}
			c.Menu()
			return
		}
		if e.understood(c) {
			return
		}
	case EventCommand:
		if ev.Command != "start" {
			e.command(c)
			return
		}
		if a := ParseAttribution(ev.Payload); a != "" {
			c.State.Attribution = a
		}
	case EventButton:
		if d, ok := decodeData(ev.Data); ok && d.gen == anyGen && e.flows[d.flow] != nil {
			e.button(c)
			return
		}
	case EventUnsupported:
		unsupported(c)
	}
	c.Menu()
}

// setLanguage makes lang the person's language, then welcomes a new person
// or confirms to one who changed it.
func (e *Engine) setLanguage(c *Ctx, lang string) {
	c.State.Lang = lang
	c.Log("set", lang)
	c.Toast(c.T("lang.name"))
	if !c.State.Noticed {
		c.Send(c.T(c.CapsID("privacy.notice")))
		c.State.Noticed = true
		c.Menu()
		return
	}
	c.Send(c.T("lang.set"))
	c.Menu()
}

// languageNamed returns the shipped language whose name or code the text
// is ("kreyòl", "English", "pt"), or, when loose, names anywhere ("hablo
// francés"), or "".
func (e *Engine) languageNamed(text string, loose bool) string {
	if l := e.cat.Match(strings.TrimSpace(text)); l != "" && len(strings.TrimSpace(text)) <= 5 {
		return l
	}
	if loose {
		l, _ := e.langNames.matchLang(text)
		return l
	}
	return e.langNames.exact(text)
}

// attributionCode is what Telegram allows in a start parameter, with our
// prefixes: c- for a campaign, m- for a módulo.
var attributionCode = regexp.MustCompile(`^[cm]-[a-z0-9][a-z0-9_-]{0,61}$`)

// ParseAttribution validates a /start payload and returns it normalised,
// or "" for anything that is not a campaign or módulo code.
func ParseAttribution(payload string) string {
	p := strings.ToLower(strings.TrimSpace(payload))
	if !attributionCode.MatchString(p) {
		return ""
	}
	return p
}

// shorten cuts s to at most n runes, marking the cut.
func shorten(s string, n int) string {
	if utf8.RuneCountInString(s) <= n {
		return s
	}
	return string([]rune(s)[:n]) + "…"
}

func attributionKind(payload string) string {
	a := ParseAttribution(payload)
	switch {
	case a != "":
		return a[:1]
	case payload != "":
		return "junk"
	}
	return ""
}

func splitAttribution(a string) (campaign, modulo string) {
	switch {
	case strings.HasPrefix(a, "c-"):
		return a[2:], ""
	case strings.HasPrefix(a, "m-"):
		return "", a[2:]
	}
	return "", ""
}

// floodLimiter keeps a token bucket per person, forgetting idle ones.
type floodLimiter struct {
	mu      sync.Mutex
	limit   rate.Limit
	burst   int
	people  map[string]*floodEntry
	checked int
}

type floodEntry struct {
	lim     *rate.Limiter
	last    time.Time
	refused bool
}

func newFloodLimiter(limit rate.Limit, burst int) *floodLimiter {
	return &floodLimiter{limit: limit, burst: burst, people: map[string]*floodEntry{}}
}

func (f *floodLimiter) allow(person string, now time.Time) bool {
	f.mu.Lock()
	defer f.mu.Unlock()
	if f.checked++; f.checked%4096 == 0 {
		for p, e := range f.people {
			if now.Sub(e.last) > 10*time.Minute {
				delete(f.people, p)
			}
		}
	}
	e := f.people[person]
	if e == nil {
		e = &floodEntry{lim: rate.NewLimiter(f.limit, f.burst)}
		f.people[person] = e
	}
	e.last = now
	if e.lim.AllowN(now, 1) {
		e.refused = false
		return true
	}
	return false
}

// firstRefusal reports whether this is the first refused event since the
// person was last allowed, so they are asked to slow down only once.
func (f *floodLimiter) firstRefusal(person string) bool {
	f.mu.Lock()
	defer f.mu.Unlock()
	e := f.people[person]
	if e == nil || e.refused {
		return false
	}
	e.refused = true
	return true
}

// panicValue is what a log may say of a recovered panic: a runtime error's
// own message (an index out of range says nothing of the person), else
// only the value's type — a panic made from what someone typed would
// otherwise put their words in the log.
func panicValue(r any) string {
	if err, ok := r.(runtime.Error); ok {
		return err.Error()
	}
	return fmt.Sprintf("%T", r)
}

// unsupported answers what the bot cannot read (a voice note, a sticker): it
// says so, and offers a person beside the buttons of where the person was
// (a voice note: human_voice.go).
func unsupported(c *Ctx) {
	if c.Event.Spoken() && c.State.Flow != "human" {
		voiceAnswer(c)
		return
	}
	if !c.Has("human") || c.State.Flow == "human" {
		c.Send(c.T("input.unsupported"))
		return
	}
	c.Send(c.T("input.unsupported")+"\n"+c.T("input.unsupported_person"), []Button{c.Nav(c.T("menu.human"), "human", "", "")})
}

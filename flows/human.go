package flows

import (
	"errors"
	"slices"
	"strconv"
	"time"
)

// humanFlow is "Hablar con una persona": the person writes what they
// need, a ticket opens for the staff of their módulo (or the default staff
// group), and from then on everything they send — text, photos, their
// location — is relayed to the staff, not answered by the bot, until the
// staff or the person closes the conversation. Emergency words still show
// the emergency help (and are relayed too). The staff side, in the staff
// groups, is Group (human_staff.go); the desk (package desk) delivers the
// relays both ways.
func humanFlow() *Flow {
	// A ticket is urgent on the same danger words that show the
	// emergency help (understand's lists): one list, one understanding.
	// Trafficking is urgent for staff too, though a question about it is
	// not an emergency for the person.
	isUrgent := func(c *Ctx, text string) bool {
		if text == "" {
			return false
		}
		r := c.e.Read(text, c.Lang())
		return r.Danger != "" || r.Sure() && r.Top() == "rights.trafficking"
	}
	f := &Flow{
		Name:      "human",
		MenuLabel: "menu.human",
		Keywords:  "staff.keywords",
		// What the person writes to staff is their own words: a message
		// with emergency words shows the help and still reaches staff.
		TextSteps: []string{"ask", "open"},
	}
	f.Start = func(c *Ctx) { humanStart(c) }
	f.Resume = func(c *Ctx) {
		switch c.State.Step {
		case "open":
			c.Send(c.T("staff.resume", "Code", c.State.Var("t")))
		case "ask":
			humanAsk(c)
		default:
			c.Menu()
		}
	}
	f.Holds = humanHolds
	f.Handle = func(c *Ctx) {
		switch c.State.Step {
		case "ask":
			humanAskHandle(c, isUrgent)
		case "open":
			humanOpenHandle(c, isUrgent)
		default:
			c.Unhandled()
		}
	}
	f.Group = staffGroup
	return f
}

// humanStart enters the flow: to the person's open ticket if they have
// one, else to the question of what they need.
func humanStart(c *Ctx) {
	if c.Deps.Tickets == nil {
		c.Fail(errors.New("human: no store for tickets"))
		return
	}
	t, err := c.Deps.Tickets.Current(c, c.Person())
	switch {
	case err == nil:
		c.Step("open")
		c.State.SetVar("t", t.Code())
		c.Log("resume", "")
		c.Send(c.T("staff.resume", "Code", t.Code()))
		return
	case !errors.Is(err, ErrNoTicket):
		c.Fail(err)
		return
	}
	if c.Action == "voice" {
		// The offer made to a person who sent a voice note (human_voice.go):
		// the ticket opens at once, telling staff a voice note came.
		humanVoiceOpen(c)
		return
	}
	c.Log("ask", "")
	humanAsk(c)
	// A button of another flow may tag the case ("human:*:topic:families");
	// the tag lives in the flow's vars, so asking from the menu later
	// opens an untagged one.
	if c.Action == "topic" && slices.Contains(TicketTopics, c.Arg) && c.State.Flow == "human" && c.State.Step == "ask" {
		c.State.SetVar("topic", c.Arg)
		c.Log("ask", c.Arg)
	}
}

// humanTeam returns the staff group and the name of the team a ticket
// of this person goes to: their módulo's, else the default.
func humanTeam(c *Ctx) (chat int64, name, modulo, campaign string, err error) {
	campaign, modulo = splitAttribution(c.State.Attribution)
	chat, name = c.e.Staff().Chat, c.T("staff.team")
	dir, err := c.Deps.Tickets.Staff(c)
	if err != nil {
		return 0, "", "", "", err
	}
	if modulo == "" && campaign != "" {
		modulo = dir.CampaignModulo[campaign]
	}
	if m, ok := dir.Modulos[modulo]; ok {
		if m.Chat != 0 {
			chat = m.Chat
		}
		if m.Name != "" {
			name = m.Name
		}
	}
	return chat, name, modulo, campaign, nil
}

// humanAsk tells the person who will read them and when, and asks what
// they need.
func humanAsk(c *Ctx) {
	chat, name, _, _, err := humanTeam(c)
	if err != nil {
		c.Fail(err)
		return
	}
	if chat == 0 {
		c.Step("none")
		c.Log("unavailable", "")
		c.Send(c.T("staff.unavailable"), c.MenuButton())
		return
	}
	c.Step("ask")
	text := c.T("staff.ask", "Name", name)
	if h := c.e.Staff().Hours; h != nil {
		text += "\n\n" + c.T("staff.hours", "Hours", hoursText(c, c.Lang(), h))
		if !h.Open(c.Now) {
			text += "\n\n" + c.T("staff.closed_now", "Next", whenText(c, c.Lang(), h.Next(c.Now)))
		}
	}
	c.Send(text, []Button{c.Btn(c.T("staff.btn.cancel"), "cancel", "")}, []Button{c.QuickExit()})
}

// humanRelay turns the event into a relay to staff, or false when it is
// not something staff can read.
func humanRelay(c *Ctx) (Relay, bool) {
	ev := c.Event
	r := Relay{Source: c.Person() + ":" + strconv.FormatInt(ev.UpdateID, 10), Direction: RelayIn, At: c.Now}
	switch ev.Kind {
	case EventText:
		r.Kind, r.Text = RelayText, ev.Text
	case EventPhoto:
		r.Kind, r.PhotoID, r.Text = RelayPhoto, ev.PhotoID, ev.Text
	case EventLocation:
		// Staff get the area, not the spot: the location is rounded to
		// 0.01° (about 1 km) before it is kept or posted in the group, as
		// the person is told when asked what they need (staff.ask) and in
		// /privacidad ("never my exact location").
		r.Kind, r.Location = RelayLocation, ev.Location.Area()
	case EventUnsupported:
		if !ev.Spoken() {
			return r, false
		}
		// Staff are told a voice note came, never sent it (human_voice.go).
		r.Kind = RelayVoice
	default:
		return r, false
	}
	return r, true
}

func humanAskHandle(c *Ctx, isUrgent func(*Ctx, string) bool) {
	if c.Event.Kind == EventButton && c.Action == "cancel" {
		c.Log("cancel", "")
		c.Menu()
		return
	}
	r, ok := humanRelay(c)
	if !ok {
		c.Unhandled()
		return
	}
	humanOpen(c, r, isUrgent(c, r.Text))
}

// humanOpen opens a ticket whose first message is r, in the group of the
// person's team, and tells the person it is open: its code, and when they
// may be answered.
func humanOpen(c *Ctx, r Relay, urgent bool) {
	chat, name, modulo, campaign, err := humanTeam(c)
	if err != nil {
		c.Fail(err)
		return
	}
	if chat == 0 {
		c.Send(c.T("staff.unavailable"), c.MenuButton())
		c.Step("none")
		return
	}
	h := c.e.Staff().Hours
	ooh := h != nil && !h.Open(c.Now)
	priority := PriorityNormal
	if urgent {
		priority = PriorityUrgent
	}
	detail := priority
	if ooh {
		detail += ",out_of_hours"
	}
	c.Log("open", detail)
	t, err := c.Deps.Tickets.Open(c, NewTicket{
		Source: "t:" + r.Source, Person: c.Person(), Chat: c.Event.ChatID, Lang: c.Lang(),
		Modulo: modulo, Campaign: campaign, StaffChat: chat, Priority: priority, OutOfHours: ooh, At: c.Now,
		Topic: c.State.Var("topic"),
	}, &r, c.Row())
	if err != nil {
		c.Fail(err)
		return
	}
	c.Step("open")
	c.State.SetVar("t", t.Code())
	opened := "staff.opened"
	if r.Kind == RelayVoice {
		opened = "staff.opened.voice"
	}
	text := c.T(opened, "Name", name, "Code", t.Code())
	switch {
	case ooh:
		text += "\n\n" + c.T("staff.wait.closed", "Next", whenText(c, c.Lang(), h.Next(c.Now)))
	default:
		w, err := c.Deps.Tickets.Wait(c, c.Now)
		if err != nil {
			c.Fail(err)
			return
		}
		if w.Typical > 0 {
			text += "\n\n" + c.T("staff.wait.typical", "Minutes", int((w.Typical+time.Minute-1)/time.Minute))
		} else {
			text += "\n\n" + c.T("staff.wait.unknown")
		}
		if w.Ahead > 1 {
			text += " " + c.T("staff.wait.ahead", "Ahead", w.Ahead-1)
		}
	}
	c.Send(text+"\n\n"+c.T("staff.opened.next"), []Button{c.QuickExit()})
}

// humanHolds keeps every event of a person whose ticket is active for the
// flow; once staff closed it, the conversation is released and the event
// is handled as usual. Asked what they need, a person who talks (a voice
// note) is kept too: the flow opens their ticket with it (human_voice.go).
func humanHolds(c *Ctx) bool {
	if c.State.Step == "ask" && c.Event.Spoken() {
		return true
	}
	if c.State.Step != "open" || c.Deps.Tickets == nil {
		return false
	}
	_, err := c.Deps.Tickets.Current(c, c.Person())
	switch {
	case err == nil:
		return true
	case errors.Is(err, ErrNoTicket):
		c.State.Flow, c.State.Step, c.State.Vars = "menu", "", nil
		return false
	}
	c.Fail(err)
	return false
}

func humanOpenHandle(c *Ctx, isUrgent func(*Ctx, string) bool) {
	ev := c.Event
	t, err := c.Deps.Tickets.Current(c, c.Person())
	if errors.Is(err, ErrNoTicket) {
		c.Unhandled()
		return
	}
	if err != nil {
		c.Fail(err)
		return
	}
	own := ev.Kind == EventButton && c.Action != ""
	if d, ok := decodeData(ev.Data); ev.Kind == EventButton && (!ok || d.flow != "human") {
		own = false
	}
	switch {
	case own && c.Action == "leave":
		c.Log("leave", "")
		note := &Relay{Source: c.Person() + ":" + strconv.FormatInt(ev.UpdateID, 10), Direction: RelayIn,
			Kind: RelayNotice, Text: c.TIn(c.e.staffLang(), "staff.g.person_left", "Code", t.Code()), At: c.Now}
		if _, err := c.Deps.Tickets.Close(c, t.ID, "person", c.Now, note); err != nil && !errors.Is(err, ErrTicketClosed) {
			c.Fail(err)
			return
		}
		c.Send(c.T("staff.left"))
		c.Menu()
		return
	case own && c.Action == "stay":
		c.Log("stay", "")
		c.Send(c.T("staff.stay"))
		return
	case ev.Kind == EventCommand || ev.Kind == EventButton:
		c.Log("leave_ask", "")
		c.Step("open")
		c.Send(c.T("staff.leave.ask", "Code", t.Code()), []Button{
			c.Btn(c.T("staff.btn.leave"), "leave", ""),
			c.Btn(c.T("staff.btn.stay"), "stay", ""),
		}, []Button{c.QuickExit()})
		return
	}
	r, ok := humanRelay(c)
	if !ok {
		c.Log("unsupported", "")
		c.Send(c.T("staff.voice"))
		return
	}
	r.Ticket = t.ID
	c.Log("relay", r.Kind)
	if err := c.Deps.Tickets.Relay(c, r); err != nil {
		c.Fail(err)
		return
	}
	if t.Priority != PriorityUrgent && isUrgent(c, r.Text) {
		if err := c.Deps.Tickets.Urgent(c, t.ID); err != nil {
			c.Fail(err)
			return
		}
	}
	relayed := "staff.relayed"
	if r.Kind == RelayVoice {
		relayed = "staff.voice.relayed"
	}
	c.Send(c.T(relayed), []Button{c.QuickExit()})
}

// staffLang is the language of messages to staff.
func (e *Engine) staffLang() string {
	if l := e.Staff().Lang; e.cat.Has(l) {
		return l
	}
	return e.cat.langs[0]
}

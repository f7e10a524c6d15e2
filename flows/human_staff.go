package flows

import (
	"crypto/hmac"
	"errors"
	"fmt"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/acercate/acercate/hours"
	"github.com/acercate/acercate/secret"
)

// This file is the staff side of "Hablar con una persona": what staff do
// in their Telegram groups. Only configured staff groups (ACERCATE_STAFF_CHAT
// and each módulo's staff_chat) and staff users (ACERCATE_STAFF_USERS and
// each módulo's staff_users) may act; anyone else's command, button or
// reply is refused and logged with keyed hashes only.

// StaffButtonData returns the signed data of a staff button (action
// "take" or "close" on a ticket) for one staff group. The signature binds
// the action, the ticket and the group, so data copied to another chat or
// forged is refused.
func StaffButtonData(keys *secret.Keys, chat int64, action string, ticket int64) string {
	base := "stf:" + action + ":" + strconv.FormatInt(ticket, 10)
	return base + ":" + staffSig(keys, chat, base)
}

func staffSig(keys *secret.Keys, chat int64, base string) string {
	return keys.Hash("staff-button", strconv.FormatInt(chat, 10)+"|"+base)[:16]
}

// parseStaffButton checks a staff button's signature and returns its action
// and ticket.
func parseStaffButton(keys *secret.Keys, chat int64, data string) (action string, ticket int64, ok bool) {
	i := strings.LastIndexByte(data, ':')
	if i < 0 || !strings.HasPrefix(data, "stf:") {
		return "", 0, false
	}
	base, sig := data[:i], data[i+1:]
	if !hmac.Equal([]byte(sig), []byte(staffSig(keys, chat, base))) {
		return "", 0, false
	}
	p := strings.Split(base, ":")
	if len(p) != 3 {
		return "", 0, false
	}
	id, err := strconv.ParseInt(p[2], 10, 64)
	if err != nil {
		return "", 0, false
	}
	return p[1], id, true
}

// staffCtx is one staff group event being handled.
type staffCtx struct {
	*Ctx
	lang  string
	actor string // keyed hash of the staff member
	dir   StaffDirectory
	// group is the Telegram id of the group the event came from: staff
	// groups are Telegram groups whatever channel the person writes from
	// (0 when the event came from another channel's group).
	group int64
}

func (s *staffCtx) t(id string, kv ...any) string { return s.TIn(s.lang, id, kv...) }

// say answers in the group the event came from.
func (s *staffCtx) say(text string, rows ...[]Button) {
	s.Reply(Reply{Kind: SendText, Text: text, Buttons: nonEmpty(rows)})
}

// staffAllowed reports whether chat is a staff group and user a staff member.
func staffAllowed(cfg StaffConfig, dir StaffDirectory, chat, user int64) (group, staff bool) {
	group = chat != 0 && chat == cfg.Chat
	for _, u := range cfg.Users {
		staff = staff || u == user
	}
	for _, m := range dir.Modulos {
		group = group || (m.Chat != 0 && m.Chat == chat)
		for _, u := range m.Users {
			staff = staff || u == user
		}
	}
	return group, staff && user != 0
}

// staffCommands are the commands staff type, by every name they go by.
var staffCommands = map[string]string{
	"pendientes": "pending", "pending": "pending",
	"tomar": "take", "take": "take",
	"cerrar": "close", "close": "close",
	"nota": "note", "note": "note",
	"r": "reply", "responder": "reply", "reply": "reply",
	"albergue": "shelter", "shelter": "shelter",
	"denuncia": "denuncia",
	"estado":   "status", "status": "status",
	"ayuda": "help", "help": "help", "start": "help",
}

// staffGroup handles an event from a group chat.
func staffGroup(c *Ctx) {
	ev := c.Event
	reply := ev.ReplyTo != 0 && (ev.Kind == EventText || ev.Kind == EventPhoto)
	if ev.Kind != EventCommand && ev.Kind != EventButton && !reply {
		return // staff talking among themselves: not for the bot
	}
	if c.Deps.Tickets == nil {
		c.Fail(errors.New("staff: no store for tickets"))
		return
	}
	gid, _ := ev.ChatID.TelegramID()
	uid, _ := ev.UserID.TelegramID()
	s := &staffCtx{Ctx: c, lang: c.e.staffLang(), actor: c.e.keys.StaffHash(ev.UserID), group: gid}
	dir, err := c.Deps.Tickets.Staff(c)
	if err != nil {
		c.Fail(err)
		return
	}
	s.dir = dir
	group, staff := staffAllowed(c.e.Staff(), dir, gid, uid)
	if !group || !staff {
		what := string(ev.Kind)
		if ev.Kind == EventCommand {
			if _, known := staffCommands[ev.Command]; known {
				what += ":" + ev.Command
			}
		}
		c.e.log.Warn("staff action refused", "kind", what, "staff_group", group, "staff_user", staff,
			"user", s.actor, "chat", c.e.keys.ChatHash(ev.ChatID))
		if ev.Kind == EventButton {
			c.Toast(s.t("staff.g.refused"))
			return
		}
		s.say(s.t("staff.g.refused"))
		return
	}
	switch {
	case ev.Kind == EventButton:
		action, id, ok := parseStaffButton(c.e.keys, gid, ev.Data)
		if !ok {
			c.e.log.Warn("staff button refused", "reason", "signature", "user", s.actor)
			c.Toast(s.t("staff.g.refused"))
			return
		}
		switch action {
		case "take":
			s.take(id)
		case "close":
			s.close(id, "")
		default:
			c.Toast(s.t("staff.g.refused"))
		}
	case ev.Kind == EventCommand:
		s.command()
	default:
		id, err := c.Deps.Tickets.ByMessage(c, gid, ev.ReplyTo)
		if errors.Is(err, ErrNoTicket) {
			// A reply to a message of the bot that is no conversation (a
			// list, a denuncia's announcement, an erased one): say it
			// reached nobody, rather than let staff believe it was sent.
			if ev.ReplyToBot {
				s.say(s.t("staff.g.reply_nowhere"))
			}
			return
		}
		if err != nil {
			c.Fail(err)
			return
		}
		s.reply(id, ev.Text, ev.PhotoID)
	}
}

func (s *staffCtx) command() {
	ev := s.Event
	name := staffCommands[ev.Command]
	arg, rest := cutWord(ev.Payload)
	switch name {
	case "pending":
		s.pending()
	case "take", "close", "note", "reply":
		id := ParseTicketCode(arg)
		if id == 0 {
			s.say(s.t("staff.g.usage." + name))
			return
		}
		switch name {
		case "take":
			s.take(id)
		case "close":
			s.close(id, rest)
		case "note":
			if rest == "" {
				s.say(s.t("staff.g.usage.note"))
				return
			}
			s.note(id, rest)
		case "reply":
			if rest == "" {
				s.say(s.t("staff.g.usage.reply"))
				return
			}
			s.reply(id, rest, "")
		}
	case "shelter":
		s.shelter(arg, rest)
	case "denuncia":
		s.denuncia(arg)
	case "status":
		s.denunciaStatus(arg, rest)
	case "help":
		s.say(s.t("staff.g.help"))
	default:
		s.say(s.t("staff.g.unknown", "Command", "/"+shorten(ev.Command, 32)) + "\n\n" + s.t("staff.g.help"))
	}
}

func cutWord(s string) (word, rest string) {
	s = strings.TrimSpace(s)
	word, rest, _ = strings.Cut(s, " ")
	return word, strings.TrimSpace(rest)
}

// ticket loads a ticket this group may act on, answering when it cannot.
func (s *staffCtx) ticket(id int64) (Ticket, bool) {
	code := "T" + strconv.FormatInt(id, 10)
	t, err := s.Deps.Tickets.Get(s, id)
	if errors.Is(err, ErrNoTicket) {
		s.say(s.t("staff.g.no_ticket", "Code", code))
		return t, false
	}
	if err != nil {
		s.Fail(err)
		return t, false
	}
	if t.StaffChat != s.group && s.group != s.e.Staff().Chat {
		// Another módulo's ticket: not this group's to handle.
		s.say(s.t("staff.g.no_ticket", "Code", code))
		return t, false
	}
	return t, true
}

func (s *staffCtx) take(id int64) {
	t, ok := s.ticket(id)
	if !ok {
		return
	}
	t, err := s.Deps.Tickets.Take(s, id, s.actor, s.Now)
	switch {
	case err == nil:
		s.e.log.Info("ticket taken", "ticket", t.Code(), "staff", s.actor)
		s.Toast(s.t("staff.g.taken.toast", "Code", t.Code()))
		s.say(s.t("staff.g.taken", "Code", t.Code()))
	case errors.Is(err, ErrTicketTaken) && t.TakenBy == s.actor:
		s.Toast(s.t("staff.g.taken.toast", "Code", t.Code()))
		s.say(s.t("staff.g.yours", "Code", t.Code()))
	case errors.Is(err, ErrTicketTaken):
		s.Toast(s.t("staff.g.already_taken", "Code", t.Code()))
		s.say(s.t("staff.g.already_taken", "Code", t.Code()))
	case errors.Is(err, ErrTicketClosed):
		s.Toast(s.t("staff.g.closed", "Code", t.Code()))
		s.say(s.t("staff.g.closed", "Code", t.Code()))
	default:
		s.Fail(err)
	}
}

// teamName is the name a ticket's replies are signed with: its módulo's,
// else the team's.
func (s *staffCtx) teamName(t Ticket) string {
	if m, ok := s.dir.Modulos[t.Modulo]; ok && m.Name != "" {
		return m.Name
	}
	return s.TIn(t.Lang, "staff.team")
}

func (s *staffCtx) source() string {
	return "s:" + strconv.FormatInt(s.group, 10) + ":" + strconv.FormatInt(s.Event.UpdateID, 10)
}

func (s *staffCtx) close(id int64, note string) {
	t, ok := s.ticket(id)
	if !ok {
		return
	}
	if t.Status == TicketTaken && t.TakenBy != s.actor {
		s.Toast(s.t("staff.g.not_yours", "Code", t.Code()))
		s.say(s.t("staff.g.not_yours", "Code", t.Code()))
		return
	}
	notice := &Relay{Source: s.source(), Direction: RelayOut, Kind: RelayNotice, At: s.Now,
		Text: s.TIn(t.Lang, "staff.closed.person", "Name", s.teamName(t))}
	t, err := s.Deps.Tickets.Close(s, id, s.actor, s.Now, notice)
	if errors.Is(err, ErrTicketClosed) {
		s.Toast(s.t("staff.g.closed", "Code", t.Code()))
		s.say(s.t("staff.g.closed", "Code", "T"+strconv.FormatInt(id, 10)))
		return
	}
	if err != nil {
		s.Fail(err)
		return
	}
	if note != "" {
		if err := s.Deps.Tickets.Note(s, id, s.actor, note, s.Now); err != nil {
			s.Fail(err)
			return
		}
	}
	s.e.log.Info("ticket closed", "ticket", t.Code(), "staff", s.actor)
	first := s.t("staff.g.none")
	if !t.FirstResponseAt.IsZero() {
		first = staffDuration(t.FirstResponseAt.Sub(t.OpenedAt))
	}
	s.Toast(s.t("staff.g.closed_now", "Code", t.Code(), "First", first, "Resolution", staffDuration(t.ClosedAt.Sub(t.OpenedAt))))
	s.say(s.t("staff.g.closed_now", "Code", t.Code(), "First", first, "Resolution", staffDuration(t.ClosedAt.Sub(t.OpenedAt))))
}

func (s *staffCtx) note(id int64, text string) {
	t, ok := s.ticket(id)
	if !ok {
		return
	}
	if err := s.Deps.Tickets.Note(s, id, s.actor, text, s.Now); err != nil {
		s.Fail(err)
		return
	}
	s.say(s.t("staff.g.noted", "Code", t.Code()))
}

// reply relays a staff member's words to the person, signed with the
// módulo's name. Replying takes an open ticket; a ticket someone else
// took is theirs to answer, so nobody answers a person twice.
func (s *staffCtx) reply(id int64, text, photo string) {
	t, ok := s.ticket(id)
	if !ok {
		return
	}
	if !t.Active() {
		s.say(s.t("staff.g.closed", "Code", t.Code()))
		return
	}
	if t.Status == TicketOpen {
		var err error
		t, err = s.Deps.Tickets.Take(s, id, s.actor, s.Now)
		if err != nil && !errors.Is(err, ErrTicketTaken) {
			s.Fail(err)
			return
		}
	}
	if t.TakenBy != s.actor {
		s.say(s.t("staff.g.not_yours", "Code", t.Code()))
		return
	}
	if utf8.RuneCountInString(text) > 3500 {
		s.say(s.t("staff.g.too_long"))
		return
	}
	name := s.teamName(t)
	r := Relay{Ticket: id, Source: s.source(), Direction: RelayOut, Kind: RelayText, By: s.actor, At: s.Now,
		Text: s.TIn(t.Lang, "staff.signed", "Text", text, "Name", name)}
	if photo != "" {
		r.Kind, r.PhotoID = RelayPhoto, photo
	}
	if err := s.Deps.Tickets.Relay(s, r); err != nil {
		s.Fail(err)
		return
	}
	s.say(s.t("staff.g.sent", "Code", t.Code(), "Name", name))
}

func (s *staffCtx) pending() {
	chat := s.group
	if chat == s.e.Staff().Chat {
		chat = 0 // the default group oversees every ticket
	}
	list, err := s.Deps.Tickets.Active(s, chat)
	if err != nil {
		s.Fail(err)
		return
	}
	// New denuncias are announced to the default group: it also sees the
	// ones nobody has looked at, so an announcement that scrolled away is
	// not a denuncia forgotten.
	var waiting []DenunciaWaiting
	if chat == 0 && s.Deps.DenunciaDesk != nil {
		if waiting, err = s.Deps.DenunciaDesk.Waiting(s); err != nil {
			s.Fail(err)
			return
		}
	}
	if len(list) == 0 && len(waiting) == 0 {
		s.say(s.t("staff.g.pending.none"))
		return
	}
	var lines []string
	if len(list) > 0 {
		lines = append(lines, s.t("staff.g.pending.title", "N", len(list)))
	}
	for i, t := range list {
		if i == 30 {
			lines = append(lines, s.t("staff.g.pending.more", "N", len(list)-i))
			break
		}
		mark := "⚪"
		if t.Priority == PriorityUrgent {
			mark = "🔴"
		}
		lines = append(lines, s.t("staff.g.pending.line", "Mark", mark, "Code", t.Code(),
			"Priority", s.t("staff.g.priority."+t.Priority), "Status", s.t("staff.g.status."+t.Status),
			"Lang", t.Lang, "Age", staffDuration(s.Now.Sub(t.OpenedAt))))
	}
	if len(waiting) > 0 {
		if len(lines) > 0 {
			lines = append(lines, "")
		}
		lines = append(lines, s.t("staff.g.pending.denuncias", "N", len(waiting)))
	}
	for i, d := range waiting {
		if i == 20 {
			lines = append(lines, s.t("staff.g.pending.more", "N", len(waiting)-i))
			break
		}
		lines = append(lines, s.t("staff.g.pending.denuncia", "Folio", d.Folio,
			"Category", s.t("denuncia.cat."+d.Category), "Municipality", s.t("denuncia.mun."+d.Municipality),
			"Age", staffDuration(s.Now.Sub(d.Created))))
	}
	s.say(strings.Join(lines, "\n"))
}

// staffDuration renders a duration for staff: "7 min", "3 h 05 min", "2 d".
func staffDuration(d time.Duration) string {
	if d < 0 {
		d = 0
	}
	m := int(d.Round(time.Minute) / time.Minute)
	switch {
	case m < 60:
		return fmt.Sprintf("%d min", m)
	case m < 48*60:
		return fmt.Sprintf("%d h %02d min", m/60, m%60)
	}
	return fmt.Sprintf("%d d", m/(24*60))
}

// shelterStatusWords maps what staff type to a shelter status.
var shelterStatusWords = map[string]string{
	"lleno": StatusFull, "llena": StatusFull, "full": StatusFull,
	"abierto": StatusOpen, "abierta": StatusOpen, "open": StatusOpen,
	"cerrado": StatusClosed, "cerrada": StatusClosed, "closed": StatusClosed,
}

func (s *staffCtx) shelter(id, word string) {
	status := shelterStatusWords[strings.ToLower(strings.TrimSpace(word))]
	if id == "" || status == "" {
		s.say(s.t("staff.g.usage.shelter"))
		return
	}
	if s.Deps.Shelters == nil {
		s.Fail(errors.New("staff: no shelter directory"))
		return
	}
	err := s.Deps.Shelters.SetShelterStatus(s, id, status, "staff:"+s.actor)
	if errors.Is(err, ErrUnknownShelter) {
		s.say(s.t("staff.g.no_shelter", "ID", shorten(id, 40)))
		return
	}
	if err != nil {
		s.Fail(err)
		return
	}
	s.say(s.t("staff.g.shelter_set", "ID", id, "Status", s.TIn(s.lang, "albergues.status."+status)))
}

func (s *staffCtx) denunciaDesk() bool {
	if s.Deps.DenunciaDesk == nil {
		s.Fail(errors.New("staff: no denuncia desk"))
		return false
	}
	return true
}

func (s *staffCtx) denuncia(arg string) {
	folio := denunciaParseFolio(arg)
	if folio == "" {
		s.say(s.t("staff.g.usage.denuncia"))
		return
	}
	if !s.denunciaDesk() {
		return
	}
	d, err := s.Deps.DenunciaDesk.View(s, folio, "staff:"+s.actor)
	if errors.Is(err, ErrNoDenuncia) {
		s.say(s.t("staff.g.no_denuncia", "Folio", folio))
		return
	}
	if err != nil {
		s.Fail(err)
		return
	}
	where := s.t("denuncia.mun." + d.Municipality)
	if d.Place != "" {
		where += " — " + d.Place
	}
	who := s.t("denuncia.who." + d.Perpetrator)
	if d.Which != "" {
		who += " — " + s.t("denuncia.which."+d.Which)
	}
	when := s.t("denuncia.when." + d.When)
	if d.On != "" {
		when += " (" + d.On + ")"
	}
	contact := s.t("staff.g.no")
	if !d.Contact.IsZero() {
		contact = s.t("staff.g.yes")
	}
	text := d.Text
	if text == "" {
		text = s.t("staff.g.none")
	}
	s.say(s.t("staff.g.denuncia", "Folio", d.Folio, "Status", s.t("denuncia.status."+d.Status),
		"Created", d.Created.In(hours.Zone()).Format("02/01/2006 15:04"), "Category", s.t("denuncia.cat."+d.Category),
		"When", when, "Where", where, "Who", who, "Photos", len(d.Photos), "Contact", contact,
		"Lang", d.Lang, "Text", shorten(text, 3000)))
	for i, p := range d.Photos {
		s.Reply(Reply{Kind: SendText, PhotoID: p, Text: d.Folio + " · " + strconv.Itoa(i+1) + "/" + strconv.Itoa(len(d.Photos))})
	}
}

func (s *staffCtx) denunciaStatus(arg, status string) {
	folio := denunciaParseFolio(arg)
	status = strings.ToLower(strings.TrimSpace(status))
	allowed := status == "en_revision" || status == "canalizada" || status == "cerrada"
	if folio == "" || !allowed {
		s.say(s.t("staff.g.usage.status"))
		return
	}
	if !s.denunciaDesk() {
		return
	}
	contact, lang, err := s.Deps.DenunciaDesk.SetStatus(s, folio, status, "staff:"+s.actor)
	if errors.Is(err, ErrNoDenuncia) {
		s.say(s.t("staff.g.no_denuncia", "Folio", folio))
		return
	}
	if err != nil {
		s.Fail(err)
		return
	}
	told := s.t("staff.g.status_anonymous")
	if !contact.IsZero() {
		if !s.e.cat.Has(lang) {
			lang = s.e.cat.langs[0]
		}
		s.Reply(Reply{Kind: SendText, ChatID: contact, Text: s.TIn(lang, "staff.denuncia.changed", "Folio", folio,
			"Status", s.TIn(lang, "denuncia.status."+status), "Meaning", s.TIn(lang, "denuncia.status."+status+".means"))})
		told = s.t("staff.g.status_told")
	}
	s.say(s.t("staff.g.status_set", "Folio", folio, "Status", s.t("denuncia.status."+status)) + " " + told)
}

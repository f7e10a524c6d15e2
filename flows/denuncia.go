package flows

import (
	"context"
	"errors"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/acercate/acercate/hours"
)

// Denuncia is a report of a crime or an abuse, as the person confirmed it.
// Codes (category, when, municipality, perpetrator) are the stable ids
// below, never translated text; Text, Place, Photos and Contact are the
// person's own words and ids, which the store keeps sealed.
type Denuncia struct {
	// Category is one of DenunciaCategories.
	Category string
	// When is one of DenunciaWhens or "date"; On is the day it happened
	// (YYYY-MM-DD, local time) when known: for today, yesterday and date.
	When, On string
	// Municipality is one of the codes of DenunciaMunicipalities ("other"
	// included); Place is what the person typed when no code matched.
	Municipality, Place string
	// Perpetrator is one of DenunciaPerpetrators; Which is the authority
	// (DenunciaAuthorities) when Perpetrator is "authority".
	Perpetrator, Which string
	// Text is what happened, in the person's words (may be empty: a person
	// who cannot write can still report and ask to be contacted).
	Text string
	// Photos are the channel's file ids of the photos sent.
	Photos []string
	// Contact is the chat to write to when the person asked to be
	// contacted; 0 for an anonymous denuncia.
	Contact Address
	// Person is the keyed hash of who filed it (for /folio), never their id.
	Person string
	// Source identifies the confirming event (person hash and update id):
	// filing again with the same Source returns the same folio.
	Source string
	// At is when it was confirmed.
	At time.Time
}

// DenunciaStatus is what /folio shows a person about their denuncia.
type DenunciaStatus struct {
	Folio string
	// Status is one of DenunciaStatuses.
	Status           string
	Created, Updated time.Time
}

// ErrNoDenuncia reports a folio that does not exist or was not filed by
// the person asking: both get the same answer, so a folio's existence is
// never revealed to someone else.
var ErrNoDenuncia = errors.New("no such denuncia for this person")

// Denuncias records denuncias and tells their status.
type Denuncias interface {
	// File commits a denuncia, its photos, the event's request-log row and
	// an announcement for staff in one transaction, and returns its folio
	// (DEN-YYYY-NNNNNN). Filing again with the same Source returns the
	// folio of the first filing and writes nothing.
	File(ctx context.Context, d Denuncia, r Request) (folio string, err error)
	// Status returns the status of a denuncia filed by person, or
	// ErrNoDenuncia.
	Status(ctx context.Context, folio, person string) (DenunciaStatus, error)
}

// The codes of a denuncia's answers. Their labels are the message ids
// "denuncia.cat.<code>", "denuncia.who.<code>", and so on.
var (
	DenunciaCategories = []string{"robbery", "extortion", "kidnapping", "sexual", "trafficking",
		"authority", "discrimination", "disappearance", "other"}
	DenunciaWhens        = []string{"today", "yesterday", "week", "earlier"}
	DenunciaPerpetrators = []string{"authority", "crime", "private", "unknown"}
	DenunciaAuthorities  = []string{"inm", "gn", "police", "army", "other"}
	DenunciaStatuses     = []string{"received", "en_revision", "canalizada", "cerrada"}
)

// denunciaFlow is "Hacer una denuncia": a consent and safety note, then
// one question per step (category, when, where, who, what happened,
// photos, contact), a summary where every answer can be changed, and the
// confirmation that files it and gives a folio. /folio DEN-… shows the
// status of one's own denuncias.
//
// The answers live in the chat's denuncia draft (State.Draft), not in the
// flow's scratch space, so they survive the menu, other flows and hours
// of silence (within the state's TTL); "at" in the draft is the step the
// person was at. Nothing reaches the office before the confirmation.
func denunciaFlow() *Flow {
	return &Flow{
		Name:      "denuncia",
		MenuLabel: "menu.denuncia",
		Keywords:  "keywords.denuncia",
		Commands:  []string{"folio"},
		Start:     denunciaStart,
		Handle:    denunciaHandle,
		Resume:    denunciaReshow,
		// What happened is the person's own words: emergency words in it
		// ("me persiguen") show the emergency help and are kept in the story.
		TextSteps: []string{"text"},
	}
}

// denunciaSensitive are the categories after which the help numbers are
// shown at once, before any further question.
var denunciaSensitive = map[string]bool{"kidnapping": true, "sexual": true, "trafficking": true}

// denunciaSteps are the steps whose answers live in the draft, in order
// (sub-steps included); a draft's "at" is one of them.
var denunciaSteps = []string{"cat", "when", "date", "where", "place", "who", "which",
	"text", "photos", "contact", "summary"}

// denunciaChangeable are the answers the summary offers to change; each is
// the name of the step that asks it.
var denunciaChangeable = []string{"cat", "when", "where", "who", "text", "photos", "contact"}

func denunciaDraft(c *Ctx) map[string]string { return c.State.Draft("denuncia", false) }

func denunciaStart(c *Ctx) {
	if c.Event.Kind == EventCommand && c.Event.Command == "folio" {
		if folio := denunciaParseFolio(c.Event.Payload); folio != "" {
			denunciaFolio(c, folio)
			return
		}
		denunciaAskFolio(c)
		return
	}
	d := denunciaDraft(c)
	switch {
	case d != nil && d["at"] != "" && c.Action == "resume":
		denunciaShow(c, d["at"])
	case d != nil && d["at"] != "":
		denunciaOffer(c)
	default:
		denunciaConsent(c)
	}
}

// denunciaReshow asks the current step's question again: the flow's
// Resume, after an interruption (an emergency answer, an old button, a
// voice message), and after input a step cannot use.
func denunciaReshow(c *Ctx) {
	d := denunciaDraft(c)
	switch step := c.State.Step; {
	case step == "consent":
		denunciaConsent(c)
	case step == "offer" && d != nil:
		denunciaOffer(c)
	case step == "discard" && d != nil:
		denunciaDiscardAsk(c, c.State.Var("back"))
	case step == "folio":
		denunciaAskFolio(c)
	case d != nil && denunciaIsOneOf(step, denunciaSteps):
		denunciaShow(c, step)
	default:
		c.Menu()
	}
}

func denunciaHandle(c *Ctx) {
	step := c.State.Step
	d := denunciaDraft(c)
	if d == nil && (denunciaIsOneOf(step, denunciaSteps) || step == "offer" || step == "discard") {
		// The draft was erased meanwhile (/borrar from another device):
		// say so rather than file half a denuncia.
		c.Send(c.T("denuncia.lost"))
		denunciaConsent(c)
		return
	}
	ev := c.Event
	tap := func(action string) bool { return ev.Kind == EventButton && c.Action == action }
	switch step {
	case "consent":
		if tap("start") {
			d = c.State.Draft("denuncia", true)
			c.Log("start", "")
			denunciaShow(c, "cat")
			return
		}
	case "offer":
		switch {
		case tap("resume"):
			c.Log("resume", d["at"])
			denunciaShow(c, d["at"])
			return
		case tap("discard"):
			denunciaDiscardAsk(c, "offer")
			return
		}
	case "discard":
		switch {
		case tap("yes"):
			c.State.DropDraft("denuncia")
			c.Log("discard", "")
			c.Step("done")
			denunciaAsk(c, c.T("denuncia.discarded"),
				[]Button{c.Nav(c.T("denuncia.btn.new"), "denuncia", "new", "")}, c.MenuButton())
			return
		case tap("no"):
			c.Log("discard", "no")
			if c.State.Var("back") == "summary" {
				denunciaShow(c, "summary")
			} else {
				denunciaOffer(c)
			}
			return
		}
	case "cat":
		if tap("cat") && denunciaIsOneOf(c.Arg, DenunciaCategories) {
			d["cat"] = c.Arg
			c.Log("cat", c.Arg)
			if denunciaSensitive[c.Arg] {
				c.Edit(denunciaHelp(c, c.Arg))
			}
			denunciaNext(c, "cat")
			return
		}
	case "when":
		switch {
		case tap("when") && denunciaIsOneOf(c.Arg, DenunciaWhens):
			today := denunciaDay(c.Now)
			d["when"] = c.Arg
			delete(d, "on")
			switch c.Arg {
			case "today":
				d["on"] = today.Format(time.DateOnly)
			case "yesterday":
				d["on"] = today.AddDate(0, 0, -1).Format(time.DateOnly)
			}
			c.Log("when", c.Arg)
			denunciaNext(c, "when")
			return
		case tap("date"):
			c.Log("when", "ask_date")
			denunciaShow(c, "date")
			return
		case ev.Kind == EventText:
			if denunciaTypedDate(c, d) {
				denunciaNext(c, "when")
			} else {
				denunciaShow(c, "when")
			}
			return
		}
	case "date":
		switch {
		case tap("back"):
			denunciaShow(c, "when")
			return
		case ev.Kind == EventText:
			if denunciaTypedDate(c, d) {
				denunciaNext(c, "date")
			}
			return
		}
	case "where":
		switch {
		case tap("mun") && c.Arg == "other":
			c.Log("where", "ask_place")
			denunciaShow(c, "place")
			return
		case tap("mun") && denunciaMunicipality(c.Arg):
			d["where"] = c.Arg
			delete(d, "place")
			c.Log("where", c.Arg)
			denunciaNext(c, "where")
			return
		case ev.Kind == EventLocation:
			code := denunciaNearest(*ev.Location)
			c.Log("where", "location:"+code)
			if code == "" {
				c.Send(c.T("denuncia.where.far"))
				denunciaShow(c, "where")
				return
			}
			d["where"] = code
			delete(d, "place")
			c.Send(c.T("denuncia.where.near", "Place", c.T("denuncia.mun."+code)))
			denunciaNext(c, "where")
			return
		case ev.Kind == EventText:
			if normalize(ev.Text) == normalize(c.T("denuncia.btn.location")) {
				// A client that cannot share locations sent the button's label.
				c.Send(c.T("denuncia.where.no_location"))
				denunciaShow(c, "where")
				return
			}
			if denunciaTypedPlace(c, d) {
				denunciaNext(c, "where")
			}
			return
		}
	case "place":
		switch {
		case tap("skip"):
			d["where"] = "other"
			delete(d, "place")
			c.Log("where", "other")
			denunciaNext(c, "place")
			return
		case tap("back"):
			denunciaShow(c, "where")
			return
		case ev.Kind == EventText:
			if denunciaTypedPlace(c, d) {
				denunciaNext(c, "place")
			}
			return
		}
	case "who":
		if tap("who") && denunciaIsOneOf(c.Arg, DenunciaPerpetrators) {
			d["who"] = c.Arg
			if c.Arg != "authority" {
				delete(d, "which")
			}
			c.Log("who", c.Arg)
			denunciaNext(c, "who")
			return
		}
	case "which":
		if tap("which") && denunciaIsOneOf(c.Arg, DenunciaAuthorities) {
			d["which"] = c.Arg
			c.Log("which", c.Arg)
			denunciaNext(c, "which")
			return
		}
	case "text":
		switch {
		case ev.Kind == EventText:
			c.Log("text", "")
			if denunciaAddText(c, d, ev.Text) {
				c.Send(c.T("denuncia.text.noted", "Count", utf8.RuneCountInString(d["text"]), "Max", DenunciaTextMax),
					denunciaTextRows(c, d)...)
			}
			return
		case ev.Kind == EventPhoto:
			c.Log("photo", "")
			if denunciaAddPhoto(c, d) {
				c.Send(c.T("denuncia.text.photo"), denunciaTextRows(c, d)...)
			}
			return
		case tap("done"):
			c.Log("text", "done")
			denunciaNext(c, "text")
			return
		case tap("clear"):
			c.Log("text", "clear")
			delete(d, "text")
			denunciaShow(c, "text")
			return
		}
	case "photos":
		switch {
		case ev.Kind == EventPhoto:
			c.Log("photo", "")
			if !denunciaAddPhoto(c, d) {
				return
			}
			n := len(denunciaPhotos(d))
			if n >= DenunciaPhotosMax {
				c.Send(c.T("denuncia.photos.full", "Max", DenunciaPhotosMax))
				denunciaNext(c, "photos")
				return
			}
			c.Send(c.T("denuncia.photos.noted", "Count", n, "Max", DenunciaPhotosMax), denunciaPhotoRows(c, d)...)
			return
		case tap("done"):
			c.Log("photos", strconv.Itoa(len(denunciaPhotos(d))))
			denunciaNext(c, "photos")
			return
		case tap("clear"):
			c.Log("photos", "clear")
			delete(d, "photos")
			c.Send(c.T("denuncia.photos.cleared"))
			denunciaShow(c, "photos")
			return
		}
	case "contact":
		if tap("contact") && (c.Arg == "anon" || c.Arg == "me") {
			d["contact"] = c.Arg
			c.Log("contact", c.Arg)
			denunciaNext(c, "contact")
			return
		}
	case "summary":
		switch {
		case tap("change") && denunciaIsOneOf(c.Arg, denunciaChangeable):
			c.Log("change", c.Arg)
			denunciaShow(c, c.Arg)
			return
		case tap("send"):
			denunciaFile(c, d)
			return
		case tap("discard"):
			denunciaDiscardAsk(c, "summary")
			return
		}
	case "folio":
		if ev.Kind == EventText {
			if folio := denunciaParseFolio(ev.Text); folio != "" {
				denunciaFolio(c, folio)
			} else {
				c.Send(c.T("denuncia.folio.bad"), c.MenuButton())
			}
			return
		}
		c.Unhandled()
		return
	default:
		// After filing or discarding, and after a /folio answer: what the
		// person does next is not for this flow.
		c.Unhandled()
		return
	}
	denunciaChoose(c)
}

// denunciaChoose answers input a step cannot use (text where buttons are
// expected, a photo where a date is) and asks again, without leaving the
// denuncia: a typo must not throw the person out of their report.
func denunciaChoose(c *Ctx) {
	c.Send(c.T("denuncia.choose"))
	denunciaReshow(c)
}

// denunciaAsk shows a step's question: in place of the question whose
// button was tapped, so old choices disappear, or as a new message. The
// consent note is never replaced: it is what the person agreed to. After
// the location question, the person's own keyboard is given back.
//
// Every question carries the quick exit ("Salir rápido"): a person may
// have to hide what they are reporting at any moment.
func denunciaAsk(c *Ctx, text string, rows ...[]Button) {
	rows = append(rows[:len(rows):len(rows)], []Button{c.QuickExit()})
	if c.State.Keyboard != "" && c.State.Step != "where" {
		c.RemoveKeyboard(text, rows...)
		return
	}
	if len(c.replies) > 0 || (c.Event.Kind == EventButton && c.Action == "start") {
		c.Send(text, rows...)
		return
	}
	c.Edit(text, rows...)
}

func denunciaConsent(c *Ctx) {
	c.Step("consent")
	c.Log("consent", "")
	denunciaAsk(c, c.T("denuncia.consent"),
		[]Button{c.Btn(c.T("denuncia.btn.start"), "start", "")}, c.MenuButton())
}

func denunciaOffer(c *Ctx) {
	c.Step("offer")
	c.Log("offer", "")
	denunciaAsk(c, c.T("denuncia.offer"),
		[]Button{c.Btn(c.T("denuncia.btn.resume"), "resume", "")},
		[]Button{c.Btn(c.T("denuncia.btn.discard"), "discard", "")},
		c.MenuButton())
}

func denunciaDiscardAsk(c *Ctx, back string) {
	c.Step("discard")
	c.Log("discard", "ask")
	c.State.SetVar("back", back)
	denunciaAsk(c, c.T("denuncia.discard.ask"),
		[]Button{c.Btn(c.T("denuncia.btn.discard_yes"), "yes", "")},
		[]Button{c.Btn(c.T("denuncia.btn.discard_no"), "no", "")})
}

// denunciaNext goes to the step after from: the next question the first
// time through, the summary once the person has seen it (they were
// changing one answer), except that an authority needs to be named.
func denunciaNext(c *Ctx, from string) {
	d := denunciaDraft(c)
	next := map[string]string{"cat": "when", "when": "where", "date": "where", "where": "who", "place": "who",
		"who": "text", "which": "text", "text": "photos", "photos": "contact", "contact": "summary"}[from]
	switch {
	case from == "who" && d["who"] == "authority":
		next = "which"
	case d["seen"] != "":
		next = "summary"
	}
	denunciaShow(c, next)
}

// denunciaMissing returns the first question without an answer, or "".
func denunciaMissing(d map[string]string) string {
	for _, k := range []string{"cat", "when", "where", "who"} {
		if d[k] == "" {
			return k
		}
	}
	if d["who"] == "authority" && d["which"] == "" {
		return "which"
	}
	if d["contact"] == "" {
		return "contact"
	}
	return ""
}

// denunciaShow enters a step of the draft and asks its question.
func denunciaShow(c *Ctx, step string) {
	d := c.State.Draft("denuncia", true)
	if step == "summary" {
		if missing := denunciaMissing(d); missing != "" {
			step = missing
		}
	}
	c.Step(step)
	d["at"] = step
	menu := c.MenuButton()
	switch step {
	case "cat":
		var rows [][]Button
		for _, k := range DenunciaCategories {
			rows = append(rows, []Button{c.Btn(c.T("denuncia.cat."+k), "cat", k)})
		}
		denunciaAsk(c, c.T("denuncia.ask.cat"), append(rows, menu)...)
	case "when":
		b := func(k string) Button { return c.Btn(c.T("denuncia.when."+k), "when", k) }
		denunciaAsk(c, c.T("denuncia.ask.when", "Example", denunciaExample(c)),
			[]Button{b("today"), b("yesterday")}, []Button{b("week"), b("earlier")},
			[]Button{c.Btn(c.T("denuncia.btn.date"), "date", "")}, menu)
	case "date":
		denunciaAsk(c, c.T("denuncia.ask.date", "Example", denunciaExample(c)),
			[]Button{c.Btn(c.T("btn.back"), "back", "")})
	case "where":
		// The location keyboard stays on the person's screen until it is
		// removed: asking again does not send it twice.
		hadKeyboard := c.State.Keyboard == "denuncia"
		var rows [][]Button
		var row []Button
		for _, m := range DenunciaMunicipalities {
			row = append(row, c.Btn(c.T("denuncia.mun."+m.Code), "mun", m.Code))
			if len(row) == 2 || m.Code == "other" {
				rows = append(rows, row)
				row = nil
			}
		}
		denunciaAsk(c, c.T("denuncia.ask.where"), append(rows, menu)...)
		if !hadKeyboard && c.Caps().CanShareLocation {
			c.Keyboard(c.T("denuncia.ask.location"), []KeyButton{{Label: c.T("denuncia.btn.location"), RequestLocation: true}})
		}
	case "place":
		denunciaAsk(c, c.T("denuncia.ask.place", "Max", DenunciaPlaceMax),
			[]Button{c.Btn(c.T("denuncia.btn.place_skip"), "skip", "")},
			[]Button{c.Btn(c.T("btn.back"), "back", "")})
	case "who":
		var rows [][]Button
		for _, k := range DenunciaPerpetrators {
			rows = append(rows, []Button{c.Btn(c.T("denuncia.who."+k), "who", k)})
		}
		denunciaAsk(c, c.T("denuncia.ask.who"), append(rows, menu)...)
	case "which":
		var rows [][]Button
		for _, k := range DenunciaAuthorities {
			rows = append(rows, []Button{c.Btn(c.T("denuncia.which."+k), "which", k)})
		}
		denunciaAsk(c, c.T("denuncia.ask.which"), append(rows, menu)...)
	case "text":
		if d["text"] == "" {
			denunciaAsk(c, c.T("denuncia.ask.text", "Max", DenunciaTextMax), denunciaTextRows(c, d)...)
		} else {
			denunciaAsk(c, c.T("denuncia.ask.text_more", "Count", utf8.RuneCountInString(d["text"]), "Max", DenunciaTextMax),
				denunciaTextRows(c, d)...)
		}
	case "photos":
		if n := len(denunciaPhotos(d)); n == 0 {
			denunciaAsk(c, c.T("denuncia.ask.photos", "Max", DenunciaPhotosMax), denunciaPhotoRows(c, d)...)
		} else {
			denunciaAsk(c, c.T("denuncia.ask.photos_more", "Count", n, "Max", DenunciaPhotosMax), denunciaPhotoRows(c, d)...)
		}
	case "contact":
		denunciaAsk(c, c.T("denuncia.ask.contact"),
			[]Button{c.Btn(c.T("denuncia.btn.contact_me"), "contact", "me")},
			[]Button{c.Btn(c.T("denuncia.btn.contact_anon"), "contact", "anon")}, menu)
	case "summary":
		d["seen"] = "1"
		var rows [][]Button
		for i := 0; i < len(denunciaChangeable); i += 2 {
			row := []Button{c.Btn(c.T("denuncia.btn.change_"+denunciaChangeable[i]), "change", denunciaChangeable[i])}
			if i+1 < len(denunciaChangeable) {
				row = append(row, c.Btn(c.T("denuncia.btn.change_"+denunciaChangeable[i+1]), "change", denunciaChangeable[i+1]))
			}
			rows = append(rows, row)
		}
		rows = append(rows, []Button{c.Btn(c.T("denuncia.btn.send"), "send", "")},
			[]Button{c.Btn(c.T("denuncia.btn.discard_draft"), "discard", "")})
		denunciaAsk(c, denunciaSummary(c, d), rows...)
	}
}

func denunciaTextRows(c *Ctx, d map[string]string) [][]Button {
	if d["text"] == "" {
		return [][]Button{{c.Btn(c.T("denuncia.btn.text_skip"), "done", "")}}
	}
	return [][]Button{{c.Btn(c.T("denuncia.btn.done"), "done", "")}, {c.Btn(c.T("denuncia.btn.text_clear"), "clear", "")}}
}

func denunciaPhotoRows(c *Ctx, d map[string]string) [][]Button {
	if len(denunciaPhotos(d)) == 0 {
		return [][]Button{{c.Btn(c.T("denuncia.btn.photos_none"), "done", "")}}
	}
	return [][]Button{{c.Btn(c.T("denuncia.btn.done"), "done", "")}, {c.Btn(c.T("denuncia.btn.photos_clear"), "clear", "")}}
}

// denunciaExample is a date a week ago, in the form a person should type.
func denunciaExample(c *Ctx) string {
	return denunciaDay(c.Now).AddDate(0, 0, -7).Format("02/01/2006")
}

// denunciaTypedDate takes a typed date as the answer to "when", or says
// kindly what is wrong with it.
func denunciaTypedDate(c *Ctx, d map[string]string) bool {
	day, problem := denunciaParseDate(c.Event.Text, denunciaDay(c.Now))
	if problem != "" {
		c.Log("when", "date_"+problem)
		var rows [][]Button
		if c.State.Step == "date" {
			rows = append(rows, []Button{c.Btn(c.T("btn.back"), "back", "")})
		}
		c.Send(c.T("denuncia.date."+problem, "Example", denunciaExample(c)), rows...)
		return false
	}
	d["when"] = "date"
	d["on"] = day.Format(time.DateOnly)
	c.Log("when", "date")
	return true
}

// denunciaTypedPlace takes a typed place: a municipality of the list when
// it names one, else "other" with the place as typed (kept sealed).
func denunciaTypedPlace(c *Ctx, d map[string]string) bool {
	text := strings.TrimSpace(c.Event.Text)
	if code := denunciaMatchPlace(text); code != "" {
		d["where"] = code
		delete(d, "place")
		c.Log("where", code)
		return true
	}
	if n := utf8.RuneCountInString(text); n > DenunciaPlaceMax {
		c.Send(c.T("denuncia.place.too_long", "Count", n, "Max", DenunciaPlaceMax))
		return false
	}
	d["where"] = "other"
	d["place"] = text
	c.Log("where", "typed")
	return true
}

// denunciaAddText adds a message to what happened. A message that does
// not fit is not cut: the person is told, and keeps what they had.
func denunciaAddText(c *Ctx, d map[string]string, text string) bool {
	text = strings.TrimSpace(text)
	if text == "" {
		return false
	}
	have := d["text"]
	joined := text
	if have != "" {
		joined = have + "\n" + text
	}
	if utf8.RuneCountInString(joined) > DenunciaTextMax {
		id := "denuncia.text.too_long"
		if have != "" {
			id = "denuncia.text.too_long_more"
		}
		c.Send(c.T(id, "Count", utf8.RuneCountInString(text), "Have", utf8.RuneCountInString(have), "Max", DenunciaTextMax),
			denunciaTextRows(c, d)...)
		return false
	}
	d["text"] = joined
	return true
}

func denunciaPhotos(d map[string]string) []string {
	if d["photos"] == "" {
		return nil
	}
	return strings.Split(d["photos"], "\n")
}

// denunciaAddPhoto keeps a photo's file id (and its caption, if it fits,
// as part of what happened).
func denunciaAddPhoto(c *Ctx, d map[string]string) bool {
	photos := denunciaPhotos(d)
	if len(photos) >= DenunciaPhotosMax {
		c.Send(c.T("denuncia.photos.full", "Max", DenunciaPhotosMax), denunciaPhotoRows(c, d)...)
		return false
	}
	id := strings.ReplaceAll(c.Event.PhotoID, "\n", "")
	if id == "" {
		return false
	}
	d["photos"] = strings.Join(append(photos, id), "\n")
	if caption := strings.TrimSpace(c.Event.Text); caption != "" {
		denunciaAddText(c, d, caption)
	}
	return true
}

// denunciaSummary renders every answer for the person to check.
func denunciaSummary(c *Ctx, d map[string]string) string {
	text := d["text"]
	if text == "" {
		text = c.T("denuncia.text.none")
	}
	photos := c.T("denuncia.photos.none")
	if n := len(denunciaPhotos(d)); n > 0 {
		photos = strconv.Itoa(n)
	}
	return c.T("denuncia.summary",
		"Category", c.T("denuncia.cat."+d["cat"]),
		"When", denunciaWhenLabel(c, d),
		"Where", denunciaWhereLabel(c, d),
		"Who", denunciaWhoLabel(c, d),
		"Photos", photos,
		"Contact", c.T("denuncia.contact."+d["contact"]),
		"Text", text)
}

// denunciaWhenLabel names the day from the date kept, not from the button
// tapped: a summary read after midnight says "yesterday" of what was
// "today" when the person answered.
func denunciaWhenLabel(c *Ctx, d map[string]string) string {
	switch d["when"] {
	case "today", "yesterday", "date":
		today := denunciaDay(c.Now)
		date := denunciaShowDate(d["on"])
		switch d["on"] {
		case today.Format(time.DateOnly):
			return c.T("denuncia.when.today_on", "Date", date)
		case today.AddDate(0, 0, -1).Format(time.DateOnly):
			return c.T("denuncia.when.yesterday_on", "Date", date)
		}
		return date
	}
	return c.T("denuncia.when." + d["when"])
}

func denunciaWhereLabel(c *Ctx, d map[string]string) string {
	if d["where"] == "other" && d["place"] != "" {
		return c.T("denuncia.where.other_place", "Place", d["place"])
	}
	return c.T("denuncia.mun." + d["where"])
}

func denunciaWhoLabel(c *Ctx, d map[string]string) string {
	if d["who"] == "authority" && d["which"] != "" {
		return c.T("denuncia.who.authority_which", "Which", c.T("denuncia.which."+d["which"]))
	}
	return c.T("denuncia.who." + d["who"])
}

// denunciaHelp is the help numbers (the emergency message), introduced for
// the categories where help may be needed now.
func denunciaHelp(c *Ctx, category string) string {
	help := c.T("denuncia.help.intro") + "\n\n" + c.T("emergency.text")
	if category == "sexual" {
		help += "\n\n" + c.T("denuncia.help.health")
	}
	return help
}

// denunciaFile files the draft: one transaction in the store writes the
// denuncia, its photos, this event's request-log row and the staff
// announcement. Filing is idempotent by the confirming event, so an
// event handled again after a crash gets the same folio.
func denunciaFile(c *Ctx, d map[string]string) {
	if missing := denunciaMissing(d); missing != "" {
		denunciaShow(c, missing)
		return
	}
	if c.Deps.Denuncias == nil {
		c.Fail(errors.New("denuncia: no store for denuncias"))
		return
	}
	dn := Denuncia{
		Category: d["cat"], When: d["when"], On: d["on"],
		Municipality: d["where"], Place: d["place"],
		Perpetrator: d["who"], Which: d["which"],
		Text: d["text"], Photos: denunciaPhotos(d),
		Person: c.Person(), Source: c.Person() + ":" + strconv.FormatInt(c.Event.UpdateID, 10), At: c.Now,
	}
	if d["contact"] == "me" {
		dn.Contact = c.Event.ChatID
	}
	if err := dn.Validate(); err != nil {
		c.Fail(err)
		return
	}
	c.Log("filed", dn.Category)
	folio, err := c.Deps.Denuncias.File(c, dn, c.Row())
	if err != nil {
		c.Fail(err)
		return
	}
	c.State.DropDraft("denuncia")
	c.Step("done")
	next := []string{c.T("denuncia.next.read"), c.T("denuncia.next." + d["contact"])}
	if dn.Category == "authority" || dn.Category == "discrimination" || dn.Perpetrator == "authority" {
		next = append(next, c.T("denuncia.next.cndh"))
	}
	next = append(next, c.T("denuncia.next.fiscalia"), c.T("denuncia.next.visa"))
	c.Edit(c.T("denuncia.filed", "Folio", folio, "Next", strings.Join(next, "\n")))
	// A person who just reported can ask to talk with the staff about it.
	var human []Button
	if c.Has("human") {
		human = []Button{c.Nav(c.T("menu.human"), "human", "", "")}
	}
	if denunciaSensitive[dn.Category] {
		c.Send(denunciaHelp(c, dn.Category), human, c.MenuButton())
	} else {
		c.Send(c.T("emergency.text"), human, c.MenuButton())
	}
}

func denunciaAskFolio(c *Ctx) {
	c.Step("folio")
	c.Log("folio", "ask")
	c.Send(c.T("denuncia.folio.ask"), c.MenuButton())
}

// denunciaFolio shows a denuncia's status to the person who filed it. A
// folio that does not exist and someone else's get the same answer.
func denunciaFolio(c *Ctx, folio string) {
	c.Step("folio_done")
	if c.Deps.Denuncias == nil {
		c.Fail(errors.New("denuncia: no store for denuncias"))
		return
	}
	rows := [][]Button{c.MenuButton()}
	if d := denunciaDraft(c); d != nil && d["at"] != "" {
		rows = append([][]Button{{c.Nav(c.T("denuncia.btn.resume"), "denuncia", "resume", "")}}, rows...)
	}
	st, err := c.Deps.Denuncias.Status(c, folio, c.Person())
	if errors.Is(err, ErrNoDenuncia) {
		c.Log("folio", "not_found")
		c.Send(c.T("denuncia.folio.not_found", "Folio", folio), rows...)
		return
	}
	if err != nil {
		c.Fail(err)
		return
	}
	c.Log("folio", st.Status)
	c.Send(c.T("denuncia.folio.status",
		"Folio", st.Folio,
		"Date", st.Created.In(hours.Zone()).Format("02/01/2006"),
		"Updated", st.Updated.In(hours.Zone()).Format("02/01/2006"),
		"Status", c.T("denuncia.status."+st.Status),
		"Meaning", c.T("denuncia.status."+st.Status+".means")), rows...)
}

package flows

import (
	"strings"

	"github.com/acercate/acercate/understand"
)

// understandIntents are the intents whose phrases live in
// locales/understand.<lang>.toml as "understand.<intent>", beside those
// of the flows ("understand.<flow>" or else Flow.Keywords, and
// Flow.Understand), which are indexed for the flow's name. A rights topic is "rights.<topic>", an information
// topic "info.<topic>".
var understandIntents = []string{
	understand.Emergency, understand.Sexual, understand.Child,
	"greeting",
	"rights.status", "rights.asylum", "rights.health", "rights.education", "rights.work",
	"rights.detained", "rights.children", "rights.victims", "rights.trafficking",
	"info.legal", "info.consulate", "info.unhcr", "info.modulo", "info.curp", "info.cards",
}

// newMatcher builds the free-text matcher from the catalog: every
// shipped language's abbreviations and phrases, and each flow's own.
func newMatcher(cat *Catalog, flows []*Flow) (*understand.Matcher, error) {
	var langs []understand.Language
	var src []understand.Source
	for _, l := range cat.Languages() {
		langs = append(langs, understand.Language{Code: l, Abbrev: cat.T(l, "understand.abbrev", nil)})
		msg := func(id string) string {
			// An id no language has renders as the id itself: no phrase.
			if s, ok := cat.render(l, id, nil); ok {
				return s
			}
			return ""
		}
		for _, in := range understandIntents {
			src = append(src, understand.Source{Lang: l, Intent: in, Phrases: msg("understand." + in), Weak: in == "greeting"})
		}
		src = append(src, understand.Source{Lang: l, Intent: "greeting", Phrases: msg("keywords.greeting"), Weak: true},
			understand.Source{Lang: l, Phrases: msg("understand.known")})
		for _, f := range flows {
			// "understand.<flow>", written for the matcher, replaces the
			// flow's keyword list; a flow without one is reached by its
			// keywords and Understand phrases.
			ids := []string{f.Keywords, f.Understand}
			if msg("understand."+f.Name) != "" {
				ids = []string{"understand." + f.Name, f.Understand}
			}
			for _, id := range ids {
				if id != "" {
					src = append(src, understand.Source{Lang: l, Intent: f.Name, Phrases: msg(id)})
				}
			}
		}
	}
	return understand.New(langs, src)
}

// read is what the matcher makes of the event's text, read once per event.
func (c *Ctx) read() understand.Reading {
	if c.reading == nil {
		r := understand.Reading{}
		if c.Event.Kind == EventText {
			r = c.e.Read(c.Event.Text, c.Lang())
		}
		c.reading = &r
	}
	return *c.reading
}

// Danger returns the danger intent of a text (understand.Sexual, Child,
// Emergency) or "": the one list of danger words, for the emergency
// answer and for a staff ticket's urgency alike.
func (e *Engine) Danger(text string) string {
	return e.matcher.Read(text, "").Danger
}

// reachable keeps the intents this engine can answer (a flow it has), and
// drops the general "rights" when a rights topic matched too, even weakly:
// "refugio" in "quiero pedir refugio" is the asylum topic, and "no tengo
// papeles" the topic of migration status, not the list.
func (e *Engine) reachable(r understand.Reading) []understand.Score {
	topic := func(in []understand.Score) bool {
		for _, s := range in {
			if strings.HasPrefix(s.Intent, "rights.") {
				return true
			}
		}
		return false
	}
	in := r.Intents
	general := len(in) > 0 && in[0].Intent == "rights"
	if general && !topic(in) && topic(r.Weak) {
		// Only the list and a weak topic: the topic is what was meant.
		in = append(in[1:len(in):len(in)], r.Weak...)
	}
	drop := topic(in)
	out := in[:0:0]
	for _, s := range in {
		if s.Intent == "rights" && drop || e.intentFlow(s.Intent) == "" {
			continue
		}
		out = append(out, s)
	}
	return out
}

// intentFlow is the flow that answers an intent, or "" if there is none.
func (e *Engine) intentFlow(intent string) string {
	name := intent
	switch {
	case intent == "greeting":
		name = "menu"
	case strings.HasPrefix(intent, "rights."):
		name = "rights"
	case strings.HasPrefix(intent, "info."):
		name = "info"
	}
	if e.flows[name] == nil {
		return ""
	}
	return name
}

// startIntent answers an intent: its flow, at the topic it names.
func (e *Engine) startIntent(c *Ctx, intent string) {
	flow := e.intentFlow(intent)
	switch {
	case flow == "menu":
		c.Menu()
	case flow == "rights" && intent != "rights":
		e.start(c, "rights", "topic", strings.TrimPrefix(intent, "rights."))
	case flow == "info":
		e.start(c, "info", "topic", strings.TrimPrefix(intent, "info."))
	default:
		e.start(c, flow, "", "")
	}
}

// intentLabel is the button label of an intent, for a question with
// choices.
func (e *Engine) intentLabel(c *Ctx, intent string) string {
	switch {
	case strings.HasPrefix(intent, "rights."):
		return c.T(intent + ".title")
	case strings.HasPrefix(intent, "info."):
		return c.T(intent + ".title")
	}
	if f := e.flows[intent]; f != nil && f.MenuLabel != "" {
		return c.T(f.MenuLabel)
	}
	return ""
}

// understood acts on free text no flow had a use for: the intent it
// clearly names, or a question with the likeliest choices (and the
// emergency line when a danger word is near); it reports false when the
// text named nothing at all.
func (e *Engine) understood(c *Ctx) bool {
	r := c.read()
	if r.Sure() {
		e.startIntent(c, r.Top())
		return true
	}
	if len(r.Intents) == 0 && !r.Near {
		return false
	}
	e.ask(c, r)
	return true
}

// maxChoices is how many likely intents a question offers.
const maxChoices = 3

// ask answers text the bot is unsure of with the likeliest choices as
// buttons instead of "I did not understand".
func (e *Engine) ask(c *Ctx, r understand.Reading) {
	c.Log("ask", "")
	var rows [][]Button
	seen := map[string]bool{}
	for _, s := range r.Intents {
		if len(rows) == maxChoices {
			break
		}
		label := e.intentLabel(c, s.Intent)
		if label == "" || seen[label] {
			continue
		}
		seen[label] = true
		flow, action, arg := e.intentFlow(s.Intent), "", ""
		if strings.HasPrefix(s.Intent, "rights.") || strings.HasPrefix(s.Intent, "info.") {
			action, arg = "topic", s.Intent[strings.IndexByte(s.Intent, '.')+1:]
		}
		rows = append(rows, []Button{c.Nav(label, flow, action, arg)})
	}
	text := c.T("understand.ask")
	if r.Near {
		text += "\n\n" + c.T("understand.ask.danger")
		rows = append(rows, []Button{c.Nav(c.T("menu.emergency"), "emergency", "", "")})
	}
	rows = append(rows, c.MenuButton())
	c.Send(text, rows...)
}

// Read is what the engine understands of a text written by a person whose
// language is lang: the danger it names and the intents it can answer,
// best first (the corpus test and benchmark measure it).
func (e *Engine) Read(text, lang string) understand.Reading {
	r := e.matcher.Read(text, lang)
	r.Intents = e.reachable(r)
	return r
}

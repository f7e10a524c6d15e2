package flows

import (
	"slices"
	"strconv"
	"strings"
	"sync"
)

// rightsTopics are the "Mis derechos" topics, in the order the topic list
// shows them. The ids are stable: they travel in button data, they are the
// topic the request log records for the weekly metrics, and they name the
// messages in locales/rights.<lang>.toml that hold each topic:
//
//	rights.<id>.title   the button and the heading of the answer
//	rights.<id>.text    the answer; a line holding only "---" starts a page
//	rights.<id>.source  the law and articles the answer rests on
//	rights.<id>.words   words that open the topic directly when typed
//
// so the office and translators correct content without touching code.
var rightsTopics = []string{
	"status", "asylum", "health", "education", "work",
	"detained", "children", "victims", "trafficking",
}

// rightsPageBreak is the line a translator writes between two pages.
const rightsPageBreak = "---"

// rightsFlow answers "what are my rights here, and how do I ask for
// refuge?": a list of topics, each a short answer in pages, naming the law
// it rests on and when it was checked. Every button is timeless (Nav), so a
// topic list or a page still works days later; paging edits the message
// so old pages do not pile up in the chat.
func rightsFlow() *Flow {
	f := &Flow{
		Name:      "rights",
		MenuLabel: "menu.rights",
		Keywords:  "rights.keywords",
		Commands:  []string{"derechos", "rights", "droits", "dwa", "direitos"},
	}
	topics := &pagedTopics{action: "topic", words: &topicWords{prefix: "rights.", ids: rightsTopics},
		show: showRightsTopic, list: showRightsTopics}
	// The topic and list buttons edit the message they are on (a topic
	// list becomes the answer and back); the main menu's entry leaves the
	// menu as it was and answers below it. A word typed while reading
	// ("salud", "COMAR") opens its topic; anything else goes to the
	// engine's keywords and the menu.
	f.Start, f.Handle = topics.start, topics.handle
	// After an interruption (emergency help, an unknown command) the topic
	// list comes back as a new message: the page the person was reading
	// stays above it, untouched.
	f.Resume = func(c *Ctx) { showRightsTopics(c, false) }
	return f
}

// showRightsTopics shows the list of topics, editing the tapped message
// when edit is true.
func showRightsTopics(c *Ctx, edit bool) {
	c.Step("list")
	c.Log("", "")
	rows := make([][]Button, 0, len(rightsTopics)+2)
	btns := make([]Button, len(rightsTopics))
	for i, id := range rightsTopics {
		btns[i] = c.Nav(c.T("rights."+id+".title"), "rights", "topic", id)
		rows = append(rows, btns[i:i+1:i+1])
	}
	if c.Has("human") {
		rows = append(rows, []Button{c.Nav(c.T("menu.human"), "human", "", "")})
	}
	rows = append(rows, c.MenuButton())
	rightsShow(c, edit, c.T("rights.intro"), rows)
}

// showRightsTopic shows one page of a topic with its buttons: the next
// page, the action the topic leads to, a person, the topics, the menu.
func showRightsTopic(c *Ctx, id string, page int, edit bool) {
	text, pages := rightsPage(c.e.cat, c.Lang(), id, page)
	page = rightsClamp(page, pages)
	c.Step("topic")
	detail := ""
	if page > 1 {
		detail = strconv.Itoa(page)
	}
	c.Log(id, detail)

	var rows [][]Button
	if page < pages {
		rows = append(rows, []Button{c.Nav(c.T("rights.more"), "rights", "topic", id+"."+strconv.Itoa(page+1))})
	}
	switch id {
	case "victims":
		if c.Has("denuncia") {
			rows = append(rows, []Button{c.Nav(c.T("menu.denuncia"), "denuncia", "", "")})
		}
	case "trafficking":
		rows = append(rows, []Button{c.Nav(c.T("menu.emergency"), "emergency", "", "")})
		if c.Has("denuncia") {
			rows = append(rows, []Button{c.Nav(c.T("menu.denuncia"), "denuncia", "", "")})
		}
	}
	if c.Has("human") {
		rows = append(rows, []Button{c.Nav(c.T("menu.human"), "human", "", "")})
	}
	rows = append(rows, []Button{
		c.Nav(c.T("rights.topics"), "rights", "list", ""),
		c.Nav(c.T("btn.menu"), "menu", "", ""),
	})
	rightsShow(c, edit, text, rows)
}

func rightsShow(c *Ctx, edit bool, text string, rows [][]Button) {
	if edit {
		c.Edit(text, rows...)
		return
	}
	c.Send(text, rows...)
}

// rightsPage renders page (1-based, clamped to the pages there are) of a
// topic in lang, and says how many pages the topic has there. The last
// page ends with the source line: the law, its articles and the date the
// content was checked (rights.checked, one place per language).
func rightsPage(cat *Catalog, lang, id string, page int) (text string, pages int) {
	all := rightsPages(cat.T(lang, "rights."+id+".text", nil))
	pages = len(all)
	page = rightsClamp(page, pages)
	title := cat.T(lang, "rights."+id+".title", nil)
	var b strings.Builder
	if pages > 1 {
		b.WriteString(cat.T(lang, "rights.heading_paged", map[string]any{"Title": title, "Page": page, "Pages": pages}))
	} else {
		b.WriteString(cat.T(lang, "rights.heading", map[string]any{"Title": title}))
	}
	b.WriteString("\n\n")
	b.WriteString(all[page-1])
	if page == pages {
		b.WriteString("\n\n")
		b.WriteString(cat.T(lang, "rights.source", map[string]any{
			"Law":     cat.T(lang, "rights."+id+".source", nil),
			"Checked": cat.T(lang, "rights.checked", nil),
		}))
	}
	return b.String(), pages
}

// rightsPages splits a topic's text at lines holding only "---", dropping
// empty pages, so a translator may page a language differently.
func rightsPages(text string) []string {
	var pages []string
	var cur []string
	flush := func() {
		if p := strings.TrimSpace(strings.Join(cur, "\n")); p != "" {
			pages = append(pages, p)
		}
		cur = cur[:0]
	}
	for _, line := range strings.Split(text, "\n") {
		if strings.TrimSpace(line) == rightsPageBreak {
			flush()
			continue
		}
		cur = append(cur, line)
	}
	flush()
	if len(pages) == 0 {
		pages = []string{""}
	}
	return pages
}

func rightsClamp(page, pages int) int {
	if page < 1 {
		return 1
	}
	if page > pages {
		return pages
	}
	return page
}

// parseRightsArg reads a topic button's argument: "asylum" or "asylum.2".
func parseRightsArg(arg string) (id string, page int) {
	id, p, ok := strings.Cut(arg, ".")
	page = 1
	if ok {
		if n, err := strconv.Atoi(p); err == nil {
			page = n
		}
	}
	return id, page
}

// pagedTopics is the shape of a flow of topics read in pages (rights,
// families): a list of topics, each topic's pages, and a word typed
// opening its topic.
type pagedTopics struct {
	// action is the button action that opens a topic ("topic").
	action string
	words  *topicWords
	show   func(c *Ctx, id string, page int, edit bool)
	list   func(c *Ctx, edit bool)
}

// start enters the flow: a topic's button opens its page (editing the
// message tapped), the list button the list, a typed word its topic;
// anything else (the menu's entry) shows the list below the menu.
func (p *pagedTopics) start(c *Ctx) {
	own := c.Event.Kind == EventButton
	switch c.Action {
	case p.action:
		if id, page := parseRightsArg(c.Arg); slices.Contains(p.words.ids, id) {
			p.show(c, id, page, own)
			return
		}
	case "list":
	default:
		if c.Event.Kind == EventText {
			if id := p.words.topic(c.e.cat, c.Event.Text); id != "" {
				p.show(c, id, 1, false)
				return
			}
		}
		own = false
	}
	p.list(c, own)
}

// handle opens the topic a word typed while reading names, else leaves
// the event to the engine's keywords and the menu.
func (p *pagedTopics) handle(c *Ctx) {
	if c.Event.Kind == EventText {
		if id := p.words.topic(c.e.cat, c.Event.Text); id != "" {
			p.show(c, id, 1, false)
			return
		}
	}
	c.Unhandled()
}

// topicWords finds the topic a typed message names, from the topics'
// words (<prefix><id>.words, in every shipped language): the rights topics,
// the families subjects. The index is built once per catalog: building it
// renders every topic's words in every language, too slow to repeat for
// each message.
type topicWords struct {
	prefix string
	ids    []string

	mu  sync.Mutex
	cat *Catalog
	k   keywords
}

// topic returns the topic whose words appear in text, or "".
func (w *topicWords) topic(cat *Catalog, text string) string {
	w.mu.Lock()
	if w.cat != cat {
		w.k = keywords{}
		for _, id := range w.ids {
			w.k.add(cat, w.prefix+id+".words", id)
		}
		w.cat = cat
	}
	k := w.k
	w.mu.Unlock()
	return k.match(text)
}

package flows

// languageFlow lets the person choose the language the bot speaks: at
// first contact when their app's language is not shipped, and any time
// with /idioma or the menu.
func languageFlow() *Flow {
	f := &Flow{
		Name:      "language",
		MenuLabel: "menu.language",
		Keywords:  "keywords.language",
	}
	f.Start = func(c *Ctx) {
		c.Step("choose")
		var rows [][]Button
		for _, l := range c.e.cat.Languages() {
			rows = append(rows, []Button{c.Btn(c.TIn(l, "lang.name"), "set", l)})
		}
		// The question is asked in every language at once: we do not know
		// yet which one the person reads.
		c.Send(c.T("lang.choose"), rows...)
	}
	f.Handle = func(c *Ctx) {
		lang := ""
		switch c.Event.Kind {
		case EventButton:
			if c.Action == "set" && c.e.cat.Has(c.Arg) {
				lang = c.Arg
			}
		case EventText:
			// A person who cannot tap still gets through by typing the
			// language's name: "english", "kreyòl", "en français".
			lang = c.e.languageNamed(c.Event.Text, true)
		}
		switch {
		case lang != "":
			c.e.setLanguage(c, lang)
		case c.Event.Kind == EventButton:
			f.Start(c)
		default:
			// Something else: a keyword of another flow, or the menu.
			c.Unhandled()
		}
	}
	f.Resume = f.Start
	return f
}

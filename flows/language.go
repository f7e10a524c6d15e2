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
		first := c.Action == "first"
		c.Step("choose")
		if first {
			c.State.SetVar("first", "1")
		}
		var rows [][]Button
		for _, l := range c.e.cat.Languages() {
			rows = append(rows, []Button{c.Btn(c.TIn(l, "lang.name"), "set", l)})
		}
		// The question is asked in every language at once: we do not know
		// yet which one the person reads.
		c.Send(c.T("lang.choose"), rows...)
	}
	f.Handle = func(c *Ctx) {
		if c.Event.Kind != EventButton || c.Action != "set" || !c.e.cat.Has(c.Arg) {
			if c.Event.Kind == EventText {
				if l := languageByName(c); l != "" {
					c.Arg = l
				}
			}
			if !c.e.cat.Has(c.Arg) {
				f.Start(c)
				return
			}
		}
		c.State.Lang = c.Arg
		c.Log("set", c.Arg)
		c.Toast(c.T("lang.name"))
		if !c.State.Noticed {
			c.e.welcome(c)
			return
		}
		c.Send(c.T("lang.set"))
		c.Menu()
	}
	f.Resume = f.Start
	return f
}

// languageByName finds a shipped language whose name the person typed
// ("english", "kreyòl"), so a person who cannot tap still gets through.
func languageByName(c *Ctx) string {
	typed := normalize(c.Event.Text)
	for _, l := range c.e.cat.Languages() {
		if normalize(c.TIn(l, "lang.name")) == typed || typed == l {
			return l
		}
	}
	return ""
}

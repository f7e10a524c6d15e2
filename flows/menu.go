package flows

// menuFlow is the main menu: one big button per flow that has a menu
// entry. Text typed here is matched against every flow's keywords.
func menuFlow() *Flow {
	f := &Flow{
		Name: "menu",
		Start: func(c *Ctx) {
			c.Step("")
			menu := c.e.Menu()
			// One array for the rows' buttons, each row its own part.
			btns := make([]Button, len(menu))
			rows := make([][]Button, len(menu))
			for i, f := range menu {
				btns[i] = c.Nav(c.T(f.MenuLabel), f.Name, "", "")
				rows[i] = btns[i : i+1 : i+1]
			}
			c.Send(c.T("menu.title"), rows...)
		},
		Handle: func(c *Ctx) {
			// A location shared from the menu can only mean "what is near
			// me": the shelter search answers it.
			if c.Event.Kind == EventLocation && c.Has("albergues") {
				c.Goto("albergues")
				return
			}
			c.Unhandled()
		},
	}
	f.Resume = f.Start
	return f
}

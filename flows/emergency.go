package flows

// emergencyFlow gives the emergency numbers at once: from the menu, and
// from emergency words typed in any shipped language at any point, without
// losing where the person was (it is an overlay).
func emergencyFlow() *Flow {
	return &Flow{
		Name:      "emergency",
		MenuLabel: "menu.emergency",
		Overlay:   true,
		Start: func(c *Ctx) {
			c.Log("help", string(c.Event.Kind))
			c.Send(c.T("emergency.text"), c.MenuButton())
		},
		Handle: func(c *Ctx) { c.Unhandled() },
	}
}

package flows

import "github.com/acercate/acercate/understand"

// emergencyFlow gives the emergency numbers at once: from the menu, and
// from danger words typed in any shipped language at any point, without
// losing where the person was (it is an overlay). What the words named
// adds to it: after sexual violence, what the law gives within hours and
// where, gently, with the offer of a person; for a child alone, the
// child-protection authority. Outside Mexico the numbers are said to be
// Mexico's (emergencyAnswer).
func emergencyFlow() *Flow {
	return &Flow{
		Name:      "emergency",
		MenuLabel: "menu.emergency",
		Overlay:   true,
		Start: func(c *Ctx) {
			kind := c.read().Danger
			detail := string(c.Event.Kind)
			if kind == understand.Sexual || kind == understand.Child {
				detail += ";" + kind
			}
			c.Log("help", detail)
			person := []Button{}
			if c.Has("human") {
				person = []Button{c.Nav(c.T("danger.person"), "human", "", "")}
			}
			switch kind {
			case understand.Sexual:
				c.Send(emergencyAnswer(c))
				c.Send(c.T("danger.sexual"), person, c.MenuButton())
			case understand.Child:
				c.Send(emergencyAnswer(c))
				c.Send(c.T("danger.child"), person, c.MenuButton())
			default:
				c.Send(emergencyAnswer(c), c.MenuButton())
			}
		},
		Handle: func(c *Ctx) { c.Unhandled() },
	}
}

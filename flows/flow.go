package flows

// Flow is one subject of conversation (the menu, rights, albergues...).
// Flows are plain values registered explicitly with the engine (see
// Builtin); the engine routes each event to one of their functions.
type Flow struct {
	// Name is the flow's stable id: in state, in button data, in the log.
	// Keep it short; button data is limited to 64 bytes.
	Name string
	// MenuLabel is the message id of its main-menu entry; "" keeps it out.
	MenuLabel string
	// Keywords is the message id of comma-separated words that start the
	// flow when typed, matched in every shipped language; "" for none.
	Keywords string
	// Understand is the message id of more phrases for the free-text
	// matcher, one per line (see locales/understand.es.toml for how they
	// are written): a flow declares what people write to reach it there,
	// in data, and any message that clearly names it starts it from
	// anywhere. "" for none.
	Understand string
	// Commands are the commands that start it ("folio" for /folio).
	Commands []string
	// Overlay flows answer without leaving the current flow (emergency
	// help keeps a denuncia draft where it was).
	Overlay bool
	// Start enters the flow: from the menu, a keyword, a command or a
	// button of another flow. c.Action and c.Arg carry a button's action.
	Start func(c *Ctx)
	// Handle receives every event while the flow is current: text, its
	// own buttons, locations, photos. It calls c.Unhandled when it has no
	// use for the event, and the engine answers instead.
	Handle func(c *Ctx)
	// Resume shows the current step again, after an interruption (an
	// emergency answer, an old button). Optional.
	Resume func(c *Ctx)
	// TextSteps are the steps whose typed answer is the person's own
	// words (what happened, in a denuncia). Emergency words typed in one
	// of them show emergency help and then reach Handle as usual, so the
	// story is not lost; in any other step they only show the help and
	// the step again. Optional.
	TextSteps []string
	// Holds, when set and true for the event, gives the flow every event
	// while it is current: commands, keywords, other flows' buttons —
	// all reach Handle, and the engine answers nothing by itself. Only
	// emergency words and buttons still show the emergency help first.
	// A person talking with the módulo staff is not answered by
	// automation. Holds may look the conversation up (c.Deps) and c.Fail.
	Holds func(c *Ctx) bool
	// Group handles events from group chats (Event.Group: the staff
	// groups). One flow at most has it. Group events keep no state beyond
	// duplicate detection and never enter the request log.
	Group func(c *Ctx)
}

func (f *Flow) takesText(step string) bool {
	for _, s := range f.TextSteps {
		if s == step {
			return true
		}
	}
	return false
}

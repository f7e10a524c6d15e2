package flows

// SchemaVersion is the version of State's JSON form. A stored state with
// another version is not trusted: the person is taken back to the menu
// with an apology instead of being stuck in a step that no longer exists.
const SchemaVersion = 1

// State is everything the engine remembers about one chat between events.
// It is stored encrypted in Redis and expires after the idle TTL.
type State struct {
	Schema int `json:"v"`
	// Lang is the shipped language the person chose or was detected in;
	// "" until the first contact has been handled.
	Lang string `json:"lang,omitempty"`
	// Noticed is true once the privacy notice was shown.
	Noticed bool `json:"noticed,omitempty"`
	// Attribution is the campaign ("c-feria") or módulo ("m-tapachula")
	// code of the link or QR the person came from, validated.
	Attribution string `json:"attr,omitempty"`
	// Flow and Step say where the conversation is.
	Flow string `json:"flow,omitempty"`
	Step string `json:"step,omitempty"`
	// Gen changes every time a step asks for something; buttons bound to a
	// step carry it, so a tap on a button of an earlier step is recognised.
	Gen int `json:"gen,omitempty"`
	// Vars is the current flow's scratch space, cleared when the flow changes.
	Vars map[string]string `json:"vars,omitempty"`
	// Drafts hold work that survives leaving the flow (a denuncia being
	// written), by flow name, until the flow finishes or discards it.
	Drafts map[string]map[string]string `json:"drafts,omitempty"`
	// Keyboard is the flow whose reply keyboard (a "share my location"
	// button) may still be on the person's screen; "" when none.
	Keyboard string `json:"kbd,omitempty"`
	// Choices are the button data of the numbered list last sent to a
	// channel with fewer buttons than the message had (Caps.MaxButtons):
	// the person answers with a number. Never set for Telegram.
	Choices []string `json:"ch,omitempty"`
	// Erased is set by the engine, never by a flow, on a state created
	// after the person erased their data (/borrar): the erasure's last
	// update and when it was done, so an update it covered, handled again
	// while this state lives, records nothing without asking the store
	// (Engine.erasedBefore). A state that exists was created after any
	// erasure (the erasure deletes it), by an update that found none and
	// asked the store: that is where this comes from.
	Erased *ErasedMark `json:"er,omitempty"`
	// States written before the fields "last" (a message id no step ever
	// edited) and "at" (a time nothing read) went still load: unknown
	// fields are ignored, so the schema version stays.
}

// ErasedMark is an erasure remembered in the state created after it.
type ErasedMark struct {
	// Update is the last update the erasure covered.
	Update int64 `json:"u"`
	// At is when it was done, Unix ms: it is remembered as long as the
	// store's tombstone (erasedWindow).
	At int64 `json:"t"`
}

// Var returns a scratch value of the current flow.
func (s *State) Var(k string) string { return s.Vars[k] }

// SetVar sets a scratch value of the current flow; "" deletes it.
func (s *State) SetVar(k, v string) {
	if v == "" {
		delete(s.Vars, k)
		return
	}
	if s.Vars == nil {
		s.Vars = map[string]string{}
	}
	s.Vars[k] = v
}

// Draft returns the draft of a flow, creating it when create is true.
func (s *State) Draft(flow string, create bool) map[string]string {
	d := s.Drafts[flow]
	if d == nil && create {
		if s.Drafts == nil {
			s.Drafts = map[string]map[string]string{}
		}
		d = map[string]string{}
		s.Drafts[flow] = d
	}
	return d
}

// DropDraft discards a flow's draft.
func (s *State) DropDraft(flow string) {
	delete(s.Drafts, flow)
	if len(s.Drafts) == 0 {
		s.Drafts = nil
	}
}

// enter moves the conversation to a flow's first step, dropping the scratch
// space of the flow it leaves.
func (s *State) enter(flow, step string) {
	if s.Flow != flow {
		s.Vars = nil
	}
	s.Flow, s.Step = flow, step
}

// clone returns a copy of s that shares no map with it.
func (s State) clone() State {
	if s.Vars != nil {
		vars := make(map[string]string, len(s.Vars))
		for k, v := range s.Vars {
			vars[k] = v
		}
		s.Vars = vars
	}
	if s.Drafts != nil {
		drafts := make(map[string]map[string]string, len(s.Drafts))
		for flow, d := range s.Drafts {
			cp := make(map[string]string, len(d))
			for k, v := range d {
				cp[k] = v
			}
			drafts[flow] = cp
		}
		s.Drafts = drafts
	}
	s.Choices = append([]string(nil), s.Choices...)
	if s.Erased != nil {
		m := *s.Erased
		s.Erased = &m
	}
	return s
}

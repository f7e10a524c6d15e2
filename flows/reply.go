package flows

// ReplyKind says how a channel delivers a reply.
type ReplyKind string

// The kinds of replies.
const (
	// SendText sends a new message.
	SendText ReplyKind = "send"
	// EditText replaces the text and buttons of the message whose button
	// was tapped (Reply.MessageID), so old choices disappear.
	EditText ReplyKind = "edit"
	// AnswerTap answers a button tap (Reply.TapID), with a short notice or
	// none, so the person's app stops waiting.
	AnswerTap ReplyKind = "answer"
	// ClearChat asks the channel to delete every message of this chat it
	// still can (the person's and its own: Telegram allows 48 hours in a
	// private chat), then send Text, a neutral message. It is the quick
	// exit for a person whose phone may be looked at.
	ClearChat ReplyKind = "clear"
	// LeaveChat makes the bot leave the group (Reply.ChatID): a group it
	// was added to that is no staff group.
	LeaveChat ReplyKind = "leave"
	// DeleteText deletes one message the bot sent (Reply.MessageID in
	// Reply.ChatID): a denuncia shown in a staff group, once its time is
	// up. Already gone is done.
	DeleteText ReplyKind = "delete"
)

// Repeatable reports whether delivering r a second time shows the person
// nothing twice: a tap's answer (a channel takes one answer per tap and
// refuses or ignores another). A runner need not record a repeatable
// reply delivered before the reply after it: that one's record counts
// both, and a crash in between only answers the tap again.
func (r Reply) Repeatable() bool { return r.Kind == AnswerTap }

// Button is an inline button under a message.
type Button struct {
	Label string `json:"l"`
	Data  string `json:"d"`
}

// KeyButton is a button of the reply keyboard that replaces the person's
// keyboard. Tapping it sends its label as text, or with RequestLocation,
// the person's location.
type KeyButton struct {
	Label           string `json:"l"`
	RequestLocation bool   `json:"loc,omitempty"`
}

// Reply is one thing the engine wants a channel to deliver.
type Reply struct {
	Kind ReplyKind `json:"k"`
	// ChatID is where to deliver; the event's chat when the engine built it.
	// Replies sealed in Redis by releases before Address hold a bare
	// Telegram id here; Address reads both.
	ChatID Address `json:"c"`
	Text   string  `json:"t,omitempty"`
	// Buttons are inline buttons, one slice per row.
	Buttons [][]Button `json:"b,omitempty"`
	// Keyboard replaces the person's keyboard, one slice per row.
	Keyboard [][]KeyButton `json:"kb,omitempty"`
	// RemoveKeyboard gives the person their own keyboard back.
	RemoveKeyboard bool `json:"rk,omitempty"`
	// MessageID is the message to edit (EditText) or to reply to (SendText).
	MessageID int64 `json:"m,omitempty"`
	// TapID is the tap to answer (AnswerTap).
	TapID string `json:"tap,omitempty"`
	// PhotoID, when set on a SendText reply, sends that photo (a channel
	// file id from an EventPhoto) with Text as its caption: a person's photo
	// relayed to the staff of a ticket.
	PhotoID string `json:"p,omitempty"`
	// Ref lets a flow follow up on a delivered message (a staff relay
	// records which ticket a group message belongs to). Opaque to channels.
	Ref string `json:"ref,omitempty"`
}

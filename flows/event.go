// Package flows is Acércate's conversation engine. It speaks only in its
// own events and replies: a channel adapter (Telegram, the terminal) turns
// what a person did into an Event and delivers the Replies the engine
// returns. Per-chat state lives in Redis; every flow is a set of steps
// that read (state, event) and produce (state, replies, a log record).
//
// A person and a conversation are an Address, {channel, id} with a string
// id (address.go); staff groups are Telegram groups whatever channel the
// person writes from, so their ids (StaffConfig.Chat, Ticket.StaffChat)
// stay Telegram int64s. Message ids (Event.MessageID, Event.ReplyTo,
// Reply.MessageID) stay int64: they only ever name a message of the
// event's own conversation, and a channel whose message ids are strings
// (WhatsApp's "wamid.…") numbers its messages per conversation and keeps
// the mapping itself, as the Telegram adapter already keeps its message
// ids for the quick exit. A new channel goes in its own package beside
// bot and term: it fills Event (with its Address) and delivers Replies.
package flows

import (
	"math"
	"time"
	"unicode/utf8"
)

// EventKind says what a person did.
type EventKind string

// The kinds of events a channel can deliver.
const (
	EventText        EventKind = "text"        // free text
	EventCommand     EventKind = "command"     // "/start c-feria": Command "start", Payload "c-feria"
	EventButton      EventKind = "button"      // a tap on an inline button: Data
	EventLocation    EventKind = "location"    // a shared location
	EventPhoto       EventKind = "photo"       // a photo: PhotoID is the channel's opaque file id
	EventUnsupported EventKind = "unsupported" // voice, stickers, documents...: Media says which
)

// What an EventUnsupported was, when the channel tells (Event.Media).
// Nothing of it is read: a voice note is not transcribed, an audio file
// not played.
const (
	MediaVoice     = "voice"      // a voice note recorded in the app
	MediaAudio     = "audio"      // an audio file (a song, a forwarded recording)
	MediaSticker   = "sticker"    // a sticker
	MediaDocument  = "document"   // a file
	MediaVideo     = "video"      // a video
	MediaVideoNote = "video_note" // a round video message
)

// Location is a point on Earth in decimal degrees.
type Location struct {
	Lat, Lon float64
}

// Area returns l rounded to 0.01° of latitude and longitude (about 1.1 km
// north–south, 1 km east–west at the southern border): a town's
// neighbourhood, not a house. nil stays nil.
func (l *Location) Area() *Location {
	if l == nil {
		return nil
	}
	return &Location{Lat: math.Round(l.Lat*100) / 100, Lon: math.Round(l.Lon*100) / 100}
}

// Valid reports whether l lies within the ranges of latitude and longitude.
func (l Location) Valid() bool {
	return l.Lat >= -90 && l.Lat <= 90 && l.Lon >= -180 && l.Lon <= 180 && l.Lat == l.Lat && l.Lon == l.Lon
}

// Event is one thing a person did in one chat, in channel-neutral form.
type Event struct {
	// UpdateID identifies the event for the channel; the engine handles each
	// UpdateID at most once. Channels must never reuse one within 24 hours,
	// and a conversation's ids must grow: an erasure covers the updates up
	// to the one that asked for it (Privacy.ErasedUpTo), so an id smaller
	// than that, after it, is taken for one it covered and dropped.
	// Telegram's update ids grow; the web chat gives its own (web's
	// transcript.nextUpdate).
	UpdateID int64
	// ChatID is where replies go; UserID is who acted (the same for a
	// private chat, different in a staff group; zero means ChatID). The
	// engine refuses an event whose addresses are not well formed.
	ChatID Address
	UserID Address
	// Group is true when the chat is a group (a staff group), not a person.
	Group bool
	// Lang is the language code the person's app reports ("es", "pt-br"), if any.
	Lang string
	Kind EventKind
	// Text is the text typed (EventText) or the caption of a photo.
	Text string
	// Command and Payload are set for EventCommand: "/start c-feria" is
	// Command "start", Payload "c-feria". Command is lowercase, without "/";
	// a "@botname" suffix (Telegram's "/start@AcercateBot" in a group) may
	// be left on it: the engine cuts it before any flow sees the event.
	Command string
	Payload string
	// Data is the opaque data of a tapped button (EventButton); TapID is the
	// channel's id for the tap, carried back in the answer to it.
	Data  string
	TapID string
	// MessageID is the channel's id of the message a button belongs to, or
	// of the message replied to (staff replies), when known.
	MessageID int64
	// ReplyTo is the message id this message replies to, when it does;
	// ReplyToBot says that message is a bot's.
	ReplyTo    int64
	ReplyToBot bool
	// Edited says the event is an edit of a message sent before (its text
	// as it now reads), not a new message.
	Edited   bool
	Location *Location
	PhotoID  string
	// Media says what an EventUnsupported was (Media*), "" when the
	// channel does not tell.
	Media string
	// Time is when the channel received the event.
	Time time.Time
	// Caps is what the event's channel can do (caps.go); the zero Caps
	// is TelegramCaps.
	Caps Caps
}

// Spoken reports whether the event is a voice note or an audio message:
// someone talking, whom the bot cannot hear and a person could answer.
func (e Event) Spoken() bool {
	return e.Kind == EventUnsupported && (e.Media == MediaVoice || e.Media == MediaAudio)
}

// Limits on what a person can send. Telegram itself caps a message at 4096
// characters and button data at 64 bytes; the engine checks again because
// other channels (and forged requests) may not.
const (
	MaxText       = 4096
	MaxButtonData = 64
	MaxPayload    = 64
)

// Problem says what is wrong with an event before any flow sees it, or "":
// "invalid" (not UTF-8), "too_long" (text over MaxText characters),
// "bad_button" (button data that is not UTF-8 or over MaxButtonData bytes),
// "bad_location" (a location off the globe). A bad /start payload is not a
// problem: the engine ignores the payload and starts the conversation.
func (e Event) Problem() string {
	if e.Kind == EventButton && (!utf8.ValidString(e.Data) || len(e.Data) > MaxButtonData) {
		return "bad_button"
	}
	for _, s := range []string{e.Text, e.Command, e.PhotoID} {
		if !utf8.ValidString(s) {
			return "invalid"
		}
	}
	switch {
	case utf8.RuneCountInString(e.Text) > MaxText:
		return "too_long"
	case len(e.PhotoID) > 256:
		return "invalid"
	case e.Kind == EventLocation && (e.Location == nil || !e.Location.Valid()):
		return "bad_location"
	}
	return ""
}

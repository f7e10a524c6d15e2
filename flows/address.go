package flows

import (
	"encoding/json"
	"errors"
	"fmt"
	"strconv"
	"strings"
	"unicode"
	"unicode/utf8"
)

// Address says where a conversation happens and who acts in it, whatever
// the channel: {Channel, ID}. Channel is the adapter's short lowercase name
// ("telegram", "term", "web", "whatsapp"); ID is the channel's own id of
// the chat or the user, a string because channels disagree on its form (a
// Telegram chat id is a number, a WhatsApp id a phone number, a web
// visitor a random token).
//
// Written out, an address is "channel:id" ("telegram:12345"), see String
// and ParseAddress. Keyed hashes and sealed columns use Key instead, which
// for Telegram is the bare number as it was stored before addresses had a
// channel, so Telegram data written by earlier releases (Redis keys, the
// person hashes behind the weekly figures, sealed ticket chats) is read
// and counted as before, and a new channel's ids can never collide with a
// Telegram id: its Key always has a colon, a Telegram Key never does.
//
// The zero Address is "no address" (an anonymous denuncia's contact, a
// reply to the event's own chat).
type Address struct {
	Channel string
	ID      string
}

// Channels known to the engine. Other adapters may use other names; the
// engine only treats ChannelTelegram specially (its ids must be numbers,
// and its Key has no channel prefix).
const (
	ChannelTelegram = "telegram"
	ChannelTerm     = "term"
)

// Limits of an address's parts.
const (
	MaxChannelLen = 16
	MaxIDLen      = 128
)

// ErrBadAddress reports an address that is not well formed.
var ErrBadAddress = errors.New("bad address")

// Telegram returns the address of a Telegram chat or user; id 0, which
// Telegram never gives, is the zero Address.
func Telegram(id int64) Address {
	if id == 0 {
		return Address{}
	}
	return Address{Channel: ChannelTelegram, ID: strconv.FormatInt(id, 10)}
}

// IsZero reports whether a is the zero Address.
func (a Address) IsZero() bool { return a == Address{} }

// TelegramID returns the Telegram chat or user id of a, and false when a
// is not a (well-formed) Telegram address.
func (a Address) TelegramID() (int64, bool) {
	if a.Channel != ChannelTelegram {
		return 0, false
	}
	n, err := strconv.ParseInt(a.ID, 10, 64)
	return n, err == nil
}

// String returns "channel:id", or "" for the zero Address. An address
// names a person: it never goes in a log or a metric (use the keyed hash,
// secret.Keys.ChatHash), only where it is sealed or sent.
func (a Address) String() string {
	if a.IsZero() {
		return ""
	}
	return a.Channel + ":" + a.ID
}

// Key is the form an address is hashed (secret.Keys.ChatHash) and sealed
// in: the bare id for Telegram, as before channels existed, "channel:id"
// for every other channel. ParseAddress reads both forms back.
func (a Address) Key() string {
	if a.Channel == ChannelTelegram {
		return a.ID
	}
	return a.String()
}

// HashInput is Key; it lets secret.Keys hash an Address without importing
// flows.
func (a Address) HashInput() string { return a.Key() }

// Validate reports whether a is well formed: Channel 1–16 characters, a
// lowercase letter then lowercase letters, digits or "-"; ID non-empty, at
// most MaxIDLen bytes of printable UTF-8 without spaces; a Telegram ID a
// non-zero decimal number.
func (a Address) Validate() error {
	if !validChannel(a.Channel) {
		return fmt.Errorf("%w: channel %q", ErrBadAddress, a.Channel)
	}
	if a.ID == "" || len(a.ID) > MaxIDLen || !utf8.ValidString(a.ID) {
		return fmt.Errorf("%w: id of %s", ErrBadAddress, a.Channel)
	}
	for _, r := range a.ID {
		if !unicode.IsGraphic(r) || unicode.IsSpace(r) {
			return fmt.Errorf("%w: id of %s", ErrBadAddress, a.Channel)
		}
	}
	if a.Channel == ChannelTelegram {
		if n, err := strconv.ParseInt(a.ID, 10, 64); err != nil || n == 0 || strconv.FormatInt(n, 10) != a.ID {
			return fmt.Errorf("%w: telegram id", ErrBadAddress)
		}
	}
	return nil
}

func validChannel(s string) bool {
	if s == "" || len(s) > MaxChannelLen || s[0] < 'a' || s[0] > 'z' {
		return false
	}
	for i := 1; i < len(s); i++ {
		c := s[i]
		if !(c >= 'a' && c <= 'z' || c >= '0' && c <= '9' || c == '-') {
			return false
		}
	}
	return true
}

// ParseAddress reads an address written by String ("telegram:12345") or
// by Key (a bare number is a Telegram id, as stored before addresses had
// a channel). "" is the zero Address. The result is validated.
func ParseAddress(s string) (Address, error) {
	if s == "" {
		return Address{}, nil
	}
	var a Address
	if ch, id, ok := strings.Cut(s, ":"); ok {
		a = Address{Channel: ch, ID: id}
	} else {
		a = Address{Channel: ChannelTelegram, ID: s}
	}
	if err := a.Validate(); err != nil {
		return Address{}, err
	}
	return a, nil
}

// MarshalJSON writes a as its String.
func (a Address) MarshalJSON() ([]byte, error) { return json.Marshal(a.String()) }

// UnmarshalJSON reads a string (String or Key form) or, as replies sealed
// in Redis by earlier releases hold them, a bare Telegram chat id number
// (0: the zero Address).
func (a *Address) UnmarshalJSON(b []byte) error {
	var s string
	if len(b) > 0 && b[0] != '"' {
		var n int64
		if err := json.Unmarshal(b, &n); err != nil {
			return fmt.Errorf("%w: %s", ErrBadAddress, b)
		}
		if n == 0 {
			*a = Address{}
			return nil
		}
		*a = Telegram(n)
		return nil
	}
	if err := json.Unmarshal(b, &s); err != nil {
		return err
	}
	v, err := ParseAddress(s)
	if err != nil {
		return err
	}
	*a = v
	return nil
}

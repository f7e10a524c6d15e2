package bot

import (
	"strings"
	"unicode/utf16"

	"github.com/acercate/acercate/flows"
	tgbotapi "github.com/go-telegram-bot-api/telegram-bot-api/v5"
)

// incoming is an update made channel-neutral: the event for the engine
// (when there is one) and what the bot itself needs to know.
type incoming struct {
	ev    flows.Event
	has   bool
	chat  int64
	msgID int64 // the person's message, tracked for the quick exit
	// blocked/unblocked: a private chat's person blocked or unblocked the bot.
	blocked, unblocked bool
	kind               string // for logs and metrics
}

// convert turns a Telegram update into an event. Updates the engine has no
// use for (a live location moving, the bot added to a group) have no event
// and are confirmed as handled.
func convert(u tgbotapi.Update) incoming {
	switch {
	case u.Message != nil:
		return fromMessage(u.UpdateID, u.Message, false)
	case u.EditedMessage != nil:
		return fromMessage(u.UpdateID, u.EditedMessage, true)
	case u.CallbackQuery != nil:
		return fromCallback(u.UpdateID, u.CallbackQuery)
	case u.MyChatMember != nil:
		m := u.MyChatMember
		// The bot's own membership: a person blocking or unblocking it, or
		// the bot removed from or added (back) to a group, such as a
		// staff group, which must then get its tickets again.
		in := incoming{chat: m.Chat.ID, kind: "member"}
		switch m.NewChatMember.Status {
		case "kicked", "left":
			in.blocked = true
		case "member", "administrator":
			in.unblocked = true
		}
		return in
	}
	return incoming{kind: "other"}
}

func fromMessage(updateID int, m *tgbotapi.Message, edited bool) incoming {
	in := incoming{chat: chatOf(m)}
	if in.chat == 0 {
		return incoming{kind: "other"} // no chat to answer in
	}
	// Time stays zero: the engine stamps the event with its own clock, the
	// time the bot received it.
	ev := flows.Event{UpdateID: int64(updateID), ChatID: flows.Telegram(in.chat), Caps: flows.TelegramCaps, Edited: edited}
	if m.Chat != nil {
		ev.Group = m.Chat.Type != "private"
	}
	if m.From != nil {
		ev.UserID, ev.Lang = flows.Telegram(m.From.ID), m.From.LanguageCode
	}
	if m.ReplyToMessage != nil {
		ev.ReplyTo = int64(m.ReplyToMessage.MessageID)
		ev.MessageID = ev.ReplyTo
		ev.ReplyToBot = m.ReplyToMessage.From != nil && m.ReplyToMessage.From.IsBot
	}
	in.msgID = int64(m.MessageID)
	switch {
	case m.Text != "":
		if cmd, payload, ok := command(m); ok && !edited {
			ev.Kind, ev.Command, ev.Payload = flows.EventCommand, cmd, payload
		} else {
			ev.Kind, ev.Text = flows.EventText, m.Text
		}
	case edited:
		// An edited location is a live location moving; an edited photo
		// or caption changes nothing the engine acted on.
		in.kind = "edited_other"
		return in
	case m.Location != nil:
		ev.Kind = flows.EventLocation
		ev.Location = &flows.Location{Lat: m.Location.Latitude, Lon: m.Location.Longitude}
	case len(m.Photo) > 0:
		ev.Kind, ev.Text = flows.EventPhoto, m.Caption
		best := m.Photo[0]
		for _, p := range m.Photo[1:] {
			if p.Width*p.Height > best.Width*best.Height {
				best = p
			}
		}
		ev.PhotoID = best.FileID
	default:
		ev.Kind, ev.Text, ev.Media = flows.EventUnsupported, "", mediaOf(m)
	}
	in.ev, in.has = ev, true
	in.kind = string(ev.Kind)
	if edited {
		in.kind = "edited_" + in.kind
	}
	return in
}

// mediaOf says what a message the engine cannot read is: a voice note and
// an audio file are someone talking (flows.Event.Spoken), the rest are not.
func mediaOf(m *tgbotapi.Message) string {
	switch {
	case m.Voice != nil:
		return flows.MediaVoice
	case m.Audio != nil:
		return flows.MediaAudio
	case m.Sticker != nil:
		return flows.MediaSticker
	case m.VideoNote != nil:
		return flows.MediaVideoNote
	case m.Video != nil:
		return flows.MediaVideo
	case m.Document != nil:
		return flows.MediaDocument
	}
	return ""
}

func chatOf(m *tgbotapi.Message) int64 {
	if m.Chat != nil {
		return m.Chat.ID
	}
	if m.From != nil {
		return m.From.ID
	}
	return 0
}

// command reads a command as Telegram marks it: a bot_command entity at
// offset 0. Entity offsets count UTF-16 units, so they are applied to the
// text as UTF-16. "/start@AcercateBot c-feria" is ("start@acercatebot",
// "c-feria").
func command(m *tgbotapi.Message) (cmd, payload string, ok bool) {
	if len(m.Entities) == 0 {
		return "", "", false
	}
	e := m.Entities[0]
	if e.Type != "bot_command" || e.Offset != 0 || e.Length < 2 {
		return "", "", false
	}
	units := utf16.Encode([]rune(m.Text))
	if e.Length > len(units) {
		return "", "", false
	}
	// A "@AcercateBot" suffix stays: the engine cuts it (flows.Engine.Handle).
	word := string(utf16.Decode(units[1:e.Length]))
	rest := string(utf16.Decode(units[e.Length:]))
	return strings.ToLower(word), strings.TrimSpace(rest), true
}

func fromCallback(updateID int, q *tgbotapi.CallbackQuery) incoming {
	ev := flows.Event{UpdateID: int64(updateID), Kind: flows.EventButton, Data: q.Data, TapID: q.ID, Caps: flows.TelegramCaps}
	var chat int64
	if q.From != nil {
		chat = q.From.ID
		ev.UserID, ev.Lang = flows.Telegram(q.From.ID), q.From.LanguageCode
	}
	if q.Message != nil {
		ev.MessageID = int64(q.Message.MessageID)
		if q.Message.Chat != nil {
			chat = q.Message.Chat.ID
			ev.Group = q.Message.Chat.Type != "private"
		}
	}
	ev.ChatID = flows.Telegram(chat)
	return incoming{ev: ev, has: true, chat: chat, kind: string(flows.EventButton)}
}

package bot

import (
	"testing"

	"github.com/acercate/acercate/flows"
	"github.com/go-json-experiment/json"
	tgbotapi "github.com/go-telegram-bot-api/telegram-bot-api/v5"
)

func update(t *testing.T, js string) tgbotapi.Update {
	t.Helper()
	// Decoded as the API's answers are (api.call).
	var u tgbotapi.Update
	if err := json.Unmarshal([]byte(js), &u, decodeOptions, updateOptions); err != nil {
		t.Fatal(err)
	}
	return u
}

func TestConvert(t *testing.T) {
	cases := []struct {
		name string
		js   string
		want flows.Event
		has  bool
	}{
		{"command with payload", `{"update_id":1,"message":{"message_id":5,"date":1,"chat":{"id":9,"type":"private"},"from":{"id":9,"language_code":"pt-br"},
			"text":"/Start c-feria","entities":[{"type":"bot_command","offset":0,"length":6}]}}`,
			flows.Event{UpdateID: 1, Caps: flows.TelegramCaps, ChatID: flows.Telegram(9), UserID: flows.Telegram(9), Lang: "pt-br", Kind: flows.EventCommand, Command: "start", Payload: "c-feria"}, true},
		{"command addressed in a group", `{"update_id":2,"message":{"message_id":5,"date":1,"chat":{"id":-100,"type":"supergroup"},"from":{"id":9},
			"text":"/cerrar@AcercateBot T-1","entities":[{"type":"bot_command","offset":0,"length":19}],"reply_to_message":{"message_id":77,"date":1,"chat":{"id":-100,"type":"supergroup"}}}}`,
			flows.Event{UpdateID: 2, Caps: flows.TelegramCaps, ChatID: flows.Telegram(-100), UserID: flows.Telegram(9), Group: true, Kind: flows.EventCommand, Command: "cerrar@acercatebot", Payload: "T-1", ReplyTo: 77, MessageID: 77}, true},
		{"a slash without an entity is text", `{"update_id":3,"message":{"message_id":5,"date":1,"chat":{"id":9,"type":"private"},"from":{"id":9},"text":"/start"}}`,
			flows.Event{UpdateID: 3, Caps: flows.TelegramCaps, ChatID: flows.Telegram(9), UserID: flows.Telegram(9), Kind: flows.EventText, Text: "/start"}, true},
		{"emoji before: offsets are UTF-16", `{"update_id":4,"message":{"message_id":5,"date":1,"chat":{"id":9,"type":"private"},"from":{"id":9},
			"text":"/a😀b x","entities":[{"type":"bot_command","offset":0,"length":5}]}}`,
			flows.Event{UpdateID: 4, Caps: flows.TelegramCaps, ChatID: flows.Telegram(9), UserID: flows.Telegram(9), Kind: flows.EventCommand, Command: "a😀b", Payload: "x"}, true},
		{"forged entity longer than the text", `{"update_id":5,"message":{"message_id":5,"date":1,"chat":{"id":9,"type":"private"},"from":{"id":9},
			"text":"/a","entities":[{"type":"bot_command","offset":0,"length":50}]}}`,
			flows.Event{UpdateID: 5, Caps: flows.TelegramCaps, ChatID: flows.Telegram(9), UserID: flows.Telegram(9), Kind: flows.EventText, Text: "/a"}, true},
		{"callback", `{"update_id":6,"callback_query":{"id":"q1","from":{"id":9,"language_code":"fr"},"data":"menu:1:x","chat_instance":"c",
			"message":{"message_id":40,"date":1,"chat":{"id":9,"type":"private"}}}}`,
			flows.Event{UpdateID: 6, Caps: flows.TelegramCaps, ChatID: flows.Telegram(9), UserID: flows.Telegram(9), Lang: "fr", Kind: flows.EventButton, Data: "menu:1:x", TapID: "q1", MessageID: 40}, true},
		{"callback with the whole tapped message, in a group", `{"update_id":6,"callback_query":{"id":"q2","from":{"id":9,"is_bot":false,"first_name":"Ana"},"data":"t:claim:7","chat_instance":"c",
			"message":{"message_id":41,"date":1,"from":{"id":1,"is_bot":true,"first_name":"Acércate"},"chat":{"id":-100,"type":"supergroup","title":"Módulo"},
			"text":"T7 \u00bfme ayudan?","entities":[{"type":"bold","offset":0,"length":2}],"reply_markup":{"inline_keyboard":[[{"text":"Tomar","callback_data":"t:claim:7"}]]}}}}`,
			flows.Event{UpdateID: 6, Caps: flows.TelegramCaps, ChatID: flows.Telegram(-100), UserID: flows.Telegram(9), Group: true, Kind: flows.EventButton, Data: "t:claim:7", TapID: "q2", MessageID: 41}, true},
		{"location", `{"update_id":7,"message":{"message_id":5,"date":1,"chat":{"id":9,"type":"private"},"from":{"id":9},"location":{"latitude":14.9,"longitude":-92.26}}}`,
			flows.Event{UpdateID: 7, Caps: flows.TelegramCaps, ChatID: flows.Telegram(9), UserID: flows.Telegram(9), Kind: flows.EventLocation, Location: &flows.Location{Lat: 14.9, Lon: -92.26}}, true},
		{"photo: the largest size", `{"update_id":8,"message":{"message_id":5,"date":1,"chat":{"id":9,"type":"private"},"from":{"id":9},"caption":"mira",
			"photo":[{"file_id":"s","file_unique_id":"1","width":90,"height":90},{"file_id":"b","file_unique_id":"2","width":900,"height":900},{"file_id":"m","file_unique_id":"3","width":300,"height":300}]}}`,
			flows.Event{UpdateID: 8, Caps: flows.TelegramCaps, ChatID: flows.Telegram(9), UserID: flows.Telegram(9), Kind: flows.EventPhoto, PhotoID: "b", Text: "mira"}, true},
		{"voice", `{"update_id":9,"message":{"message_id":5,"date":1,"chat":{"id":9,"type":"private"},"from":{"id":9},"voice":{"file_id":"v","file_unique_id":"v","duration":2}}}`,
			flows.Event{UpdateID: 9, Caps: flows.TelegramCaps, ChatID: flows.Telegram(9), UserID: flows.Telegram(9), Kind: flows.EventUnsupported, Media: flows.MediaVoice}, true},
		{"audio", `{"update_id":13,"message":{"message_id":5,"date":1,"chat":{"id":9,"type":"private"},"from":{"id":9},"audio":{"file_id":"a","file_unique_id":"a","duration":60}}}`,
			flows.Event{UpdateID: 13, Caps: flows.TelegramCaps, ChatID: flows.Telegram(9), UserID: flows.Telegram(9), Kind: flows.EventUnsupported, Media: flows.MediaAudio}, true},
		{"sticker is not someone talking", `{"update_id":14,"message":{"message_id":5,"date":1,"chat":{"id":9,"type":"private"},"from":{"id":9},"sticker":{"file_id":"s","file_unique_id":"s","width":512,"height":512,"is_animated":false}}}`,
			flows.Event{UpdateID: 14, Caps: flows.TelegramCaps, ChatID: flows.Telegram(9), UserID: flows.Telegram(9), Kind: flows.EventUnsupported, Media: flows.MediaSticker}, true},
		{"document", `{"update_id":15,"message":{"message_id":5,"date":1,"chat":{"id":9,"type":"private"},"from":{"id":9},"document":{"file_id":"d","file_unique_id":"d"}}}`,
			flows.Event{UpdateID: 15, Caps: flows.TelegramCaps, ChatID: flows.Telegram(9), UserID: flows.Telegram(9), Kind: flows.EventUnsupported, Media: flows.MediaDocument}, true},
		{"edited text", `{"update_id":10,"edited_message":{"message_id":5,"date":1,"edit_date":2,"chat":{"id":9,"type":"private"},"from":{"id":9},"text":"/menu","entities":[{"type":"bot_command","offset":0,"length":5}]}}`,
			flows.Event{UpdateID: 10, Caps: flows.TelegramCaps, ChatID: flows.Telegram(9), UserID: flows.Telegram(9), Kind: flows.EventText, Text: "/menu", Edited: true}, true},
		{"live location moving", `{"update_id":11,"edited_message":{"message_id":5,"date":1,"chat":{"id":9,"type":"private"},"from":{"id":9},"location":{"latitude":1,"longitude":2}}}`,
			flows.Event{}, false},
		{"other update", `{"update_id":12,"poll":{"id":"p"}}`, flows.Event{}, false},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			in := convert(update(t, c.js))
			if in.has != c.has {
				t.Fatalf("has = %v", in.has)
			}
			if !c.has {
				return
			}
			got, _ := json.Marshal(in.ev)
			want, _ := json.Marshal(c.want)
			if string(got) != string(want) {
				t.Fatalf("\ngot  %s\nwant %s", got, want)
			}
		})
	}
}

func TestConvertBlockedAndUnblocked(t *testing.T) {
	in := convert(update(t, `{"update_id":1,"my_chat_member":{"chat":{"id":9,"type":"private"},"from":{"id":9},"date":1,
		"old_chat_member":{"user":{"id":1},"status":"member"},"new_chat_member":{"user":{"id":1},"status":"kicked"}}}`))
	if !in.blocked || in.has {
		t.Fatalf("%+v", in)
	}
	in = convert(update(t, `{"update_id":1,"my_chat_member":{"chat":{"id":9,"type":"private"},"from":{"id":9},"date":1,
		"old_chat_member":{"user":{"id":1},"status":"kicked"},"new_chat_member":{"user":{"id":1},"status":"member"}}}`))
	if !in.unblocked {
		t.Fatalf("%+v", in)
	}
	// A staff group: the bot removed, then added back as an administrator.
	in = convert(update(t, `{"update_id":2,"my_chat_member":{"chat":{"id":-100,"type":"supergroup"},"from":{"id":7},"date":1,
		"old_chat_member":{"user":{"id":1},"status":"member"},"new_chat_member":{"user":{"id":1},"status":"left"}}}`))
	if !in.blocked || in.chat != -100 {
		t.Fatalf("%+v", in)
	}
	in = convert(update(t, `{"update_id":3,"my_chat_member":{"chat":{"id":-100,"type":"supergroup"},"from":{"id":7},"date":1,
		"old_chat_member":{"user":{"id":1},"status":"left"},"new_chat_member":{"user":{"id":1},"status":"administrator"}}}`))
	if !in.unblocked || in.chat != -100 {
		t.Fatalf("%+v", in)
	}
}

func TestConvertReplyToTheBot(t *testing.T) {
	in := convert(update(t, `{"update_id":4,"message":{"message_id":20,"date":1,"chat":{"id":-100,"type":"supergroup"},
		"from":{"id":7,"first_name":"Ana"},"text":"ya le escribo",
		"reply_to_message":{"message_id":12,"date":1,"chat":{"id":-100,"type":"supergroup"},"from":{"id":1,"is_bot":true,"first_name":"Acércate"},"text":"T1"}}}`))
	if in.ev.ReplyTo != 12 || !in.ev.ReplyToBot {
		t.Fatalf("%+v", in.ev)
	}
	in = convert(update(t, `{"update_id":5,"message":{"message_id":21,"date":1,"chat":{"id":-100,"type":"supergroup"},
		"from":{"id":8,"first_name":"Beto"},"text":"yo voy",
		"reply_to_message":{"message_id":20,"date":1,"chat":{"id":-100,"type":"supergroup"},"from":{"id":7,"first_name":"Ana"},"text":"¿alguien?"}}}`))
	if in.ev.ReplyTo != 20 || in.ev.ReplyToBot {
		t.Fatalf("%+v", in.ev)
	}
}

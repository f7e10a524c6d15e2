package bot

import (
	"encoding/json"
	"reflect"
	"testing"

	"github.com/acercate/acercate/flows"
)

func TestMarkupIsTheBotAPIsJSON(t *testing.T) {
	odd := "Dí \"sí\" <b>&</b> \\ 🚨\n\xff"
	r := flows.Reply{Buttons: [][]flows.Button{{{Label: odd, Data: "v1:a"}, {Label: "B", Data: "v1:\"b\""}}, {{Label: "C", Data: "c"}}}}
	var in struct {
		Inline [][]struct {
			Text string `json:"text"`
			Data string `json:"callback_data"`
		} `json:"inline_keyboard"`
	}
	if err := json.Unmarshal([]byte(replyMarkup(r)), &in); err != nil {
		t.Fatalf("%s: %v", replyMarkup(r), err)
	}
	if len(in.Inline) != 2 || len(in.Inline[0]) != 2 || in.Inline[0][0].Text != "Dí \"sí\" <b>&</b> \\ 🚨\n\uFFFD" || in.Inline[0][1].Data != "v1:\"b\"" || in.Inline[1][0].Text != "C" {
		t.Fatalf("%+v", in)
	}

	r = flows.Reply{Keyboard: [][]flows.KeyButton{{{Label: "📍 Enviar mi ubicación", RequestLocation: true}}, {{Label: odd}, {Label: "x"}}}}
	var kb map[string]any
	if err := json.Unmarshal([]byte(replyMarkup(r)), &kb); err != nil {
		t.Fatalf("%s: %v", replyMarkup(r), err)
	}
	want := map[string]any{"resize_keyboard": true, "keyboard": []any{
		[]any{map[string]any{"text": "📍 Enviar mi ubicación", "request_location": true}},
		[]any{map[string]any{"text": "Dí \"sí\" <b>&</b> \\ 🚨\n\uFFFD"}, map[string]any{"text": "x"}},
	}}
	if !reflect.DeepEqual(kb, want) {
		t.Fatalf("%v, want %v", kb, want)
	}
	if got := replyMarkup(flows.Reply{RemoveKeyboard: true}); got != `{"remove_keyboard":true}` {
		t.Fatal(got)
	}
}

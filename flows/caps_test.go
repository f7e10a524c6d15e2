package flows

import (
	"reflect"
	"testing"
)

// TestFitOnlyTouchesThePersonsChat: a reply to another chat (a staff
// group, always Telegram) keeps its buttons and its edit; the person's
// replies are made to fit their channel.
func TestFitOnlyTouchesThePersonsChat(t *testing.T) {
	person := Address{Channel: "web", ID: "v1"}
	row := func(labels ...string) []Button {
		var r []Button
		for _, l := range labels {
			r = append(r, Button{Label: l, Data: "d:" + l})
		}
		return r
	}
	caps := Caps{MaxButtons: 3, MaxButtonsRow: 2}
	replies := []Reply{
		{Kind: EditText, ChatID: person, MessageID: 7, Text: "q", Buttons: [][]Button{row("a", "b", "c")},
			Keyboard: [][]KeyButton{{{Label: "loc", RequestLocation: true}}}},
		{Kind: SendText, ChatID: Telegram(-100), Text: "staff", Buttons: [][]Button{row("1", "2", "3", "4", "5")}},
		{Kind: AnswerTap, TapID: "x", ChatID: person},
	}
	choices, changed := fit(replies, person, caps, func() string { return "pick:" })
	if !changed || choices != nil {
		t.Fatalf("choices %v, changed %v", choices, changed)
	}
	p := replies[0]
	if p.Kind != SendText || p.MessageID != 0 || p.Keyboard != nil ||
		!reflect.DeepEqual(p.Buttons, [][]Button{row("a", "b"), row("c")}) {
		t.Errorf("the person's reply: %+v", p)
	}
	if s := replies[1]; s.Kind != SendText || len(s.Buttons[0]) != 5 || s.Text != "staff" {
		t.Errorf("the staff group's reply was changed: %+v", s)
	}

	more := []Reply{{Kind: SendText, ChatID: person, Text: "menu", Buttons: [][]Button{row("a", "b"), row("c", "d")}}}
	choices, _ = fit(more, person, caps, func() string { return "pick:" })
	if want := []string{"d:a", "d:b", "d:c", "d:d"}; !reflect.DeepEqual(choices, want) || more[0].Buttons != nil ||
		more[0].Text != "menu\n\npick:\n1. a\n2. b\n3. c\n4. d" {
		t.Errorf("4 buttons where 3 fit: %q %v", more[0].Text, choices)
	}

	// Telegram's replies are left as they are.
	tg := []Reply{{Kind: EditText, ChatID: Telegram(5), MessageID: 3, Text: "x", Buttons: [][]Button{row("a", "b", "c", "d")},
		Keyboard: [][]KeyButton{{{Label: "loc", RequestLocation: true}}}}}
	before := tg[0]
	if choices, _ := fit(tg, Telegram(5), TelegramCaps, func() string { t.Fatal("hint asked for"); return "" }); choices != nil ||
		!reflect.DeepEqual(tg[0], before) {
		t.Errorf("a Telegram reply changed: %+v", tg[0])
	}
}

// splitRows returns rows that already fit as they are, and otherwise
// splits the long ones and drops the empty ones.
func TestSplitRows(t *testing.T) {
	b := func(l string) Button { return Button{Label: l, Data: l} }
	for _, tc := range []struct {
		rows, want [][]Button
	}{
		{nil, nil},
		{[][]Button{}, nil},
		{[][]Button{{}}, nil},
		{[][]Button{{b("a"), b("b")}, {b("c")}}, [][]Button{{b("a"), b("b")}, {b("c")}}},
		{[][]Button{{b("a")}, {}, {b("c")}}, [][]Button{{b("a")}, {b("c")}}},
		{[][]Button{{b("a"), b("b"), b("c")}, nil}, [][]Button{{b("a"), b("b")}, {b("c")}}},
	} {
		if got := splitRows(tc.rows, 2); !reflect.DeepEqual(got, tc.want) {
			t.Errorf("splitRows(%v, 2) = %v, want %v", tc.rows, got, tc.want)
		}
	}
}

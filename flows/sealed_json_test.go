package flows

import (
	"encoding/json"
	"reflect"
	"strings"
	"testing"
)

// jsonStrings are strings encoding/json escapes in every way it has.
var jsonStrings = []string{
	"", "hola", "Tus derechos en México ⚖️", "a\"b\\c", "<b>&amp;</b>", "\b\f\n\r\t\x00\x01\x1f\x7f",
	"\xff\xfe bad", "línea\u2028párrafo\u2029", "menu:*::", "https://www.google.com/maps/search/?api=1&query=14.9,-92.2",
	strings.Repeat("é🙂", 300),
}

// fill sets every field of v, recursively, to a value that is not its
// zero, taking strings from jsonStrings in turn: a field the hand-written
// encoder forgets then shows in encoding/json's output and not in its own.
func fill(v reflect.Value, n *int) {
	*n++
	switch v.Kind() {
	case reflect.String:
		v.SetString(jsonStrings[*n%len(jsonStrings)] + "x")
	case reflect.Bool:
		v.SetBool(true)
	case reflect.Int, reflect.Int64:
		v.SetInt(int64(*n) * 1_000_003)
	case reflect.Struct:
		for i := 0; i < v.NumField(); i++ {
			if v.Type().Field(i).IsExported() {
				fill(v.Field(i), n)
			}
		}
	case reflect.Pointer:
		v.Set(reflect.New(v.Type().Elem()))
		fill(v.Elem(), n)
	case reflect.Slice:
		s := reflect.MakeSlice(v.Type(), 3, 3)
		for i := range 3 {
			fill(s.Index(i), n)
		}
		v.Set(s)
	case reflect.Map:
		m := reflect.MakeMap(v.Type())
		for range 3 {
			k, e := reflect.New(v.Type().Key()).Elem(), reflect.New(v.Type().Elem()).Elem()
			fill(k, n)
			fill(e, n)
			m.SetMapIndex(k, e)
		}
		v.Set(m)
	default:
		panic("fill: no value for a " + v.Kind().String() + ": write one, and the encoder's")
	}
}

// The state and the replies are sealed as exactly the bytes json.Marshal
// would write: every field set, every field empty, the shapes steps make
// (nil and empty rows, nil maps), and strings needing every escape.
func TestSealedJSONAsEncodingJSON(t *testing.T) {
	var states []State
	var replies [][]Reply
	for i := range len(jsonStrings) {
		var st State
		var rs []Reply
		n := i
		fill(reflect.ValueOf(&st).Elem(), &n)
		fill(reflect.ValueOf(&rs).Elem(), &n)
		states, replies = append(states, st), append(replies, rs)
	}
	states = append(states, State{},
		State{Schema: SchemaVersion, Lang: "es", Gen: -3, Vars: map[string]string{}, Drafts: map[string]map[string]string{"denuncia": nil, "a": {}}, Choices: []string{}},
		State{Vars: map[string]string{"b": "1", "a": "2", "á": "3", "A": "4"}, Erased: &ErasedMark{}})
	tg := Telegram(42)
	replies = append(replies, nil, []Reply{}, []Reply{{}},
		[]Reply{{Kind: SendText, ChatID: tg, Buttons: [][]Button{nil, {}, {{}}}, Keyboard: [][]KeyButton{nil, {}, {{Label: "📍"}}}}},
		[]Reply{{Kind: AnswerTap, ChatID: Address{Channel: "web", ID: "t<&>"}, TapID: "tap1", MessageID: -1}})
	for _, st := range states {
		want, err := json.Marshal(&st)
		if err != nil {
			t.Fatal(err)
		}
		if got := appendStateJSON([]byte("x"), &st); string(got) != "x"+string(want) {
			t.Errorf("state %+v:\n got %s\nwant %s", st, got[1:], want)
		}
	}
	for _, rs := range replies {
		want, err := json.Marshal(rs)
		if err != nil {
			t.Fatal(err)
		}
		if got := appendRepliesJSON(nil, rs); string(got) != string(want) {
			t.Errorf("replies %+v:\n got %s\nwant %s", rs, got, want)
		}
	}
}

func FuzzSealedJSONString(f *testing.F) {
	for _, s := range jsonStrings {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		want, _ := json.Marshal(s)
		if got := appendJSONString(nil, s); string(got) != string(want) {
			t.Errorf("%q: got %s, want %s", s, got, want)
		}
	})
}

// BenchmarkSealedJSON writes what a shelter answer's commit seals: a
// state and four replies, one with three rows of buttons.
func BenchmarkSealedJSON(b *testing.B) {
	tg := Telegram(7_000_001)
	st := State{Schema: SchemaVersion, Lang: "es", Noticed: true, Flow: "albergues", Step: "results", Gen: 12,
		Vars: map[string]string{"by": "loc", "city": ""}}
	text := strings.Repeat("1. Albergue Diocesano Belén\n📍 Col. San Antonio Cahoacán, Tapachula, Chiapas\n", 8)
	rs := []Reply{{Kind: SendText, ChatID: tg, Text: text, RemoveKeyboard: true}, {Kind: SendText, ChatID: tg, Text: text},
		{Kind: SendText, ChatID: tg, Text: "¿Qué más?", Buttons: [][]Button{{{"Para quién", "albergues:12:who:"}},
			{{"Buscar otra vez", "albergues:12:ask:"}}, {{"Menú", "menu:*::"}}}}}
	b.Run("encoding-json", func(b *testing.B) {
		b.ReportAllocs()
		for b.Loop() {
			json.Marshal(&st)
			json.Marshal(rs)
		}
	})
	b.Run("append", func(b *testing.B) {
		b.ReportAllocs()
		var buf []byte
		for b.Loop() {
			buf = appendStateJSON(buf[:0], &st)
			buf = appendRepliesJSON(buf[:0], rs)
		}
	})
}

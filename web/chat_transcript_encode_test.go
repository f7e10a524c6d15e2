package web

import (
	"encoding/json"
	"reflect"
	"testing"
	"time"

	"github.com/acercate/acercate/flows"
)

// encode writes what json.Marshal would (read back, the same transcript),
// and a message changed since its last encoding is encoded again.
func TestTranscriptEncode(t *testing.T) {
	now := time.Date(2026, 11, 16, 16, 0, 0, 0, time.UTC)
	decode := func(b []byte) *transcript {
		t.Helper()
		var out transcript
		if err := json.Unmarshal(b, &out); err != nil {
			t.Fatalf("%v: %s", err, b)
		}
		for i := range out.Msgs {
			out.Msgs[i].enc, out.Msgs[i].encRev = nil, 0
		}
		return &out
	}
	same := func(tr *transcript) {
		t.Helper()
		got, err := tr.encode()
		if err != nil {
			t.Fatal(err)
		}
		want, err := json.Marshal(tr)
		if err != nil {
			t.Fatal(err)
		}
		if a, b := decode(got), decode(want); !reflect.DeepEqual(a, b) {
			t.Errorf("encode gives\n%s\njson.Marshal\n%s", got, want)
		}
	}
	tr := &transcript{}
	same(tr)
	tr.add(message{Mine: true, Text: "hola"}, now)
	seq := tr.add(message{Text: "¿Qué necesitas?", Buttons: [][]flows.Button{{{Label: "Albergues", Data: "m:albergues"}}}}, now)
	tr.Keyboard = [][]flows.KeyButton{{{Label: "📍 Enviar mi ubicación", RequestLocation: true}}}
	tr.remember(7, tr.nextUpdate())
	same(tr)
	// The copy a slot keeps, changed as the next change would change it.
	next := tr.clone()
	if !next.edit(seq, "Elige una ciudad", nil) {
		t.Fatal("edit")
	}
	next.Away++
	same(next)
	if b, _ := next.encode(); decode(b).Msgs[1].Text != "Elige una ciudad" {
		t.Errorf("the edited message was written as it was before: %s", b)
	}
	if b, _ := tr.encode(); decode(b).Msgs[1].Text != "¿Qué necesitas?" {
		t.Errorf("editing the copy changed the original: %s", b)
	}
}

package flows_test

import (
	"testing"

	"github.com/acercate/acercate/apptest"
	"github.com/acercate/acercate/flows"
)

// TestKeyboardOfALeftFlowIsTakenAway: the "share my location" keyboard of
// the shelter search stays while the person is there, and goes with the
// first message after they leave for the menu, even when that first
// answer only edits a message.
func TestKeyboardOfALeftFlowIsTakenAway(t *testing.T) {
	env := apptest.New(t)
	p := newPerson(t, env, nil, 4401, "es")
	p.command("start", "")
	shows := func(rs []flows.Reply) (keyboard, removes bool) {
		for _, r := range rs {
			keyboard = keyboard || len(r.Keyboard) > 0
			removes = removes || r.RemoveKeyboard
		}
		return
	}
	if kb, _ := shows(p.text("necesito un albergue")); !kb {
		t.Fatal("the shelter search shows no location keyboard")
	}
	// Still in the search: the keyboard stays.
	if _, rm := shows(p.command("ayuda", "")); rm {
		t.Fatal("help inside the search took the keyboard away")
	}
	if _, rm := shows(p.command("menu", "")); !rm {
		t.Fatal("leaving for the menu left the location keyboard on screen")
	}
	if _, rm := shows(p.text("hola")); rm {
		t.Fatal("the keyboard was taken away twice")
	}
}

// TestDenunciaLocationKeyboardComesBack: a person who leaves a denuncia
// at "where" loses the location keyboard with the next message; back at
// that question, it is offered again.
func TestDenunciaLocationKeyboardComesBack(t *testing.T) {
	env := apptest.New(t)
	p := newPerson(t, env, nil, 4402, "es")
	p.command("start", "")
	hasKeyboard := func(rs []flows.Reply) bool {
		for _, r := range rs {
			if len(r.Keyboard) > 0 {
				return true
			}
		}
		return false
	}
	out := p.tap("denuncia:*::")
	out = p.tap(button(t, out, msg(env, "es", "denuncia.btn.start")))
	out = p.tap(button(t, out, msg(env, "es", "denuncia.cat.robbery")))
	out = p.tap(button(t, out, msg(env, "es", "denuncia.when.today")))
	if !hasKeyboard(out) {
		t.Fatalf("no location keyboard at 'where':\n%s", texts(out))
	}
	p.command("menu", "")
	out = p.tap("denuncia:*::")
	out = p.tap(button(t, out, msg(env, "es", "denuncia.btn.resume")))
	if !hasKeyboard(out) {
		t.Fatalf("back at 'where', no location keyboard:\n%s", texts(out))
	}
}

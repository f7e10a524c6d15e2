package flows_test

import (
	"context"
	"strconv"
	"testing"

	"github.com/acercate/acercate/apptest"
	"github.com/acercate/acercate/flows"
)

// TestUrgentWordsInEveryLanguage: a person who writes to staff about a
// kidnapping, trafficking, sexual violence, a child alone or a medical
// emergency, in their own language, opens an urgent ticket; an ordinary
// request opens a normal one.
func TestUrgentWordsInEveryLanguage(t *testing.T) {
	cases := []struct {
		lang, text string
		urgent     bool
	}{
		{"es", "Ayuda, a mi hermano lo tienen secuestrado en Huixtla", true},
		{"es", "Quiero saber cómo pedir refugio", false},
		{"en", "My friend was raped last night", true},
		{"en", "I need help with my papers", false},
		{"fr", "Il y a un enfant seul à la gare", true},
		{"fr", "Je voudrais un rendez-vous", false},
		{"ht", "Zanmi m nan blese, l ap senyen anpil", true},
		{"ht", "Mwen bezwen enfòmasyon sou papye", false},
		{"pt", "É uma emergência médica, ele não respira", true},
		{"pt", "Preciso de ajuda com o trabalho", false},
	}
	env := apptest.New(t, withStaff)
	for i, tc := range cases {
		user := int64(7100 + i)
		p := newPerson(t, env, nil, user, tc.lang)
		p.command("start", "")
		p.tap("human:*::")
		p.text(tc.text)
		k, err := env.Store.Tickets().Current(context.Background(), env.Keys.Hash("person", strconv.FormatInt(user, 10)))
		if err != nil {
			t.Fatalf("%s %q: no ticket: %v", tc.lang, tc.text, err)
		}
		if got := k.Priority == flows.PriorityUrgent; got != tc.urgent {
			t.Errorf("%s %q: priority %q", tc.lang, tc.text, k.Priority)
		}
	}
}

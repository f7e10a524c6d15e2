package desk_test

import (
	"context"
	"strings"
	"testing"

	"github.com/acercate/acercate/flows"
)

// TestFamiliesTicketIsTagged: "Hablar con una persona de la oficina" from
// the families flow opens a ticket tagged for the office's attention to
// Chiapanecos abroad, and the staff group's announcement says so first, in
// the staff's language; the same person asking from the menu afterwards
// opens an untagged one.
func TestFamiliesTicketIsTagged(t *testing.T) {
	h := newHarness(t)
	ctx := context.Background()
	h.person("/start")
	h.tap(migrant, migrant, h.person("mi hijo murió en Estados Unidos"), "💬 Hablar con una persona de la oficina")
	h.person("Mi hijo murió en Phoenix, ¿cómo lo traigo?")
	h.run()
	ann, _ := h.rec.to(group)
	if len(ann) != 1 {
		t.Fatalf("announcements: %s", texts(ann))
	}
	if !strings.HasPrefix(ann[0].Text, "👪 Atención a chiapanecos en el exterior y sus familias\n") {
		t.Errorf("announcement does not say the kind of case first:\n%s", ann[0].Text)
	}
	mustContain(t, "announcement", ann[0].Text, "Nuevo caso T1", "Mi hijo murió en Phoenix")
	tk, err := h.env.Store.Tickets().Get(ctx, 1)
	if err != nil || tk.Topic != flows.TicketTopicFamilies {
		t.Fatalf("ticket T1: topic %q, %v", tk.Topic, err)
	}

	// Closed, then a new conversation from the main menu: no tag.
	h.tap(migrant, migrant, h.person("/menu"), "Sí, terminar")
	h.person("quiero hablar con una persona")
	h.person("Otra pregunta")
	h.run()
	tk, err = h.env.Store.Tickets().Get(ctx, 2)
	if err != nil || tk.Topic != "" {
		t.Fatalf("ticket T2 from the menu: topic %q, %v", tk.Topic, err)
	}
	ann, _ = h.rec.to(group)
	found := false
	for _, a := range ann {
		if strings.Contains(a.Text, "Nuevo caso T2") {
			found = true
			if !strings.HasPrefix(a.Text, "🆕 Nuevo caso T2") {
				t.Errorf("untagged announcement:\n%s", a.Text)
			}
		}
	}
	if !found {
		t.Errorf("T2 not announced: %s", texts(ann))
	}
}

package desk_test

import (
	"context"
	"strings"
	"testing"

	"github.com/acercate/acercate/flows"
)

// A location shared in a conversation with staff reaches the group, and
// the store, as its area only (0.01°, about 1 km): the privacy notice says
// the bot never keeps the exact location, and the person was told staff
// see only the area.
func TestLocationReachesStaffAsAnArea(t *testing.T) {
	h := newHarness(t)
	h.person("/start")
	ask := h.person("quiero hablar con una persona")
	mustContain(t, "ask", texts(ask), "solo la zona")
	h.person("Necesito ayuda")
	h.run()
	h.handle(flows.Event{ChatID: flows.Telegram(migrant), UserID: flows.Telegram(migrant), Lang: "es", Kind: flows.EventLocation,
		Location: &flows.Location{Lat: 14.906123, Lon: -92.263456}})
	h.run()
	got, _ := h.rec.to(group)
	all := texts(got)
	mustContain(t, "relayed location", all, "zona aproximada", "14.91, -92.26")
	if strings.Contains(all, "14.906") || strings.Contains(all, "92.263") {
		t.Fatalf("the exact location reached the group:\n%s", all)
	}
	relays, err := h.env.Store.Tickets().Relays(context.Background(), 1)
	if err != nil {
		t.Fatal(err)
	}
	for _, r := range relays {
		if r.Location != nil && (r.Location.Lat != 14.91 || r.Location.Lon != -92.26) {
			t.Errorf("kept at full precision: %+v", *r.Location)
		}
	}
}

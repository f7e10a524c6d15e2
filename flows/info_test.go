package flows_test

import (
	"context"
	"strings"
	"testing"

	"github.com/acercate/acercate/apptest"
	"github.com/acercate/acercate/store"
)

// TestModuloWhere answers "donde esta el modulo" from the módulo records:
// it does not know where none is recorded, and shows the address, hours and
// a map link of those that are.
func TestModuloWhere(t *testing.T) {
	env := apptest.New(t)
	p := newPerson(t, env, nil, 71, "es")
	p.command("start", "")
	r := p.text("donde esta el modulo")
	if len(r) != 1 || r[0].Text != msg(env, "es", "info.modulo.none") {
		t.Fatalf("with no módulo recorded: %q", texts(r))
	}
	ctx := context.Background()
	if err := env.Store.AddModulo(ctx, store.Modulo{Code: "tapachula", Name: "Módulo Tapachula",
		Address: "Calle Central 1", Hours: "lun–vie 9:00–17:00", Lat: 14.9057, Lon: -92.2634, HasLocation: true}); err != nil {
		t.Fatal(err)
	}
	if err := env.Store.AddModulo(ctx, store.Modulo{Code: "hidalgo", Name: "Ciudad Hidalgo"}); err != nil {
		t.Fatal(err)
	}
	r = p.text("dnd queda su oficina")
	if len(r) != 1 {
		t.Fatalf("replies %q", texts(r))
	}
	for _, want := range []string{"Módulo Tapachula", "Calle Central 1", "lun–vie 9:00–17:00", "mlat=14.90570&mlon=-92.26340"} {
		if !strings.Contains(r[0].Text, want) {
			t.Errorf("answer lacks %q:\n%s", want, r[0].Text)
		}
	}
	if strings.Contains(r[0].Text, "Ciudad Hidalgo") {
		t.Errorf("a módulo with no address or location is shown:\n%s", r[0].Text)
	}
}

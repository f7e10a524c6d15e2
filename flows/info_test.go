package flows_test

import (
	"bytes"
	"context"
	"strings"
	"testing"

	"github.com/acercate/acercate/apptest"
	"github.com/acercate/acercate/flows"
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

// TestInfoFromDirectory: the legal-aid, consulate and UN answers are built
// from the reference directory, so what the office imports is what people
// are told; an entry with no address or phone says so and a person is
// offered; nothing the office did not confirm says "revisado".
func TestInfoFromDirectory(t *testing.T) {
	env := apptest.New(t)
	ctx := context.Background()
	seed, err := store.ParseDirectory(bytes.NewReader(store.SeedDirectory()), store.DirectoryParseOptions{})
	if err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct {
		id               int64
		lang, text, kind string
	}{
		{81, "es", "necesito un abogado", flows.DirLegalAid},
		{83, "es", "consulado de honduras", flows.DirConsulate},
		{84, "en", "unhcr office", flows.DirUNAgency},
	} {
		p := newPerson(t, env, nil, tc.id, tc.lang)
		p.command("start", "")
		r := p.text(tc.text)
		all := texts(r)
		if !hasButton(r[len(r)-1], msg(env, tc.lang, "menu.human")) {
			t.Errorf("%q: the last message offers no person", tc.text)
		}
		n := 0
		for _, e := range seed {
			if e.Kind != tc.kind {
				continue
			}
			n++
			if !strings.Contains(all, e.Name) {
				t.Errorf("%q: directory entry %q not shown", tc.text, e.Name)
			}
		}
		if n == 0 {
			t.Fatalf("the seed has no %s entry", tc.kind)
		}
		for _, want := range []string{msg(env, tc.lang, "info.dir.no_address"), msg(env, tc.lang, "families.dir.no_phone"),
			msg(env, tc.lang, "info.dir.ask_person")} {
			if !strings.Contains(all, want) {
				t.Errorf("%q does not say %q:\n%s", tc.text, want, all)
			}
		}
		if strings.Contains(strings.ToLower(all), "revisado") || strings.Contains(all, "Checked by the office") {
			t.Errorf("%q says the office checked what it did not:\n%s", tc.text, all)
		}
	}

	// The office corrects a consulate: the next answer says what it imported.
	var list []flows.DirectoryEntry
	for _, e := range seed {
		if e.ID == "consulado-honduras-tapachula" {
			e.Address, e.Phones = "4a Avenida Norte 10, Tapachula (prueba)", []flows.Phone{{Number: "962 000 0000"}}
			e.Confirmed, e.ConfirmedBy = env.Clock.Now(), "oficina"
		}
		list = append(list, e)
	}
	if _, err := env.Store.ImportDirectory(ctx, list); err != nil {
		t.Fatal(err)
	}
	p := newPerson(t, env, nil, 82, "es")
	p.command("start", "")
	all := texts(p.text("consulado de honduras"))
	// What the person asked for comes first.
	if i, j := strings.Index(all, "Consulado de Honduras en Tapachula"), strings.Index(all, "Consulado General de Guatemala en Tapachula"); i < 0 || j < 0 || i > j {
		t.Errorf("Honduras' consulate is not first when asked for:\n%s", all)
	}
	for _, want := range []string{"4a Avenida Norte 10, Tapachula (prueba)", "962 000 0000", "Revisado por la oficina"} {
		if !strings.Contains(all, want) {
			t.Errorf("after the import the answer lacks %q:\n%s", want, all)
		}
	}
}

func hasButton(r flows.Reply, label string) bool {
	for _, row := range r.Buttons {
		for _, b := range row {
			if b.Label == label {
				return true
			}
		}
	}
	return false
}

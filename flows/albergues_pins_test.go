package flows_test

import (
	"context"
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/acercate/acercate/apptest"
	"github.com/acercate/acercate/flows"
)

// shelterShown is the block a person reads for one shelter after sharing
// a location: the bot's answer from its name to the next shelter.
func shelterShown(t *testing.T, env *apptest.Env, id int64, lang string, at flows.Location, name string) string {
	t.Helper()
	p := newPerson(t, env, nil, id, lang)
	p.command("start", "")
	env.Clock.Advance(3 * time.Second)
	p.text("albergues")
	env.Clock.Advance(3 * time.Second)
	all := texts(p.do(flows.Event{Kind: flows.EventLocation, Location: &at}))
	i := strings.Index(all, ". "+name)
	if i < 0 {
		t.Fatalf("%s not among the shelters near %v:\n%s", name, at, all)
	}
	block := all[i:]
	if j := strings.Index(block, "\n\n"); j > 0 {
		block = block[:j]
	}
	return block
}

// A pin that is only a city centre (Tapachula's, San Cristóbal's, which
// FACTS does not even give) places the shelter in its town and never says
// how far it is from the person: nearby, a few km from a centre could be
// the shelter's door or the other end of town.
func TestCityCentrePinSaysTheTownNotADistance(t *testing.T) {
	env := apptest.New(t)
	for i, tc := range []struct {
		at         flows.Location
		name, city string
	}{
		{flows.Location{Lat: 16.741, Lon: -92.640}, "Albergue diocesano para migrantes (con ACNUR)", "San Cristóbal de Las Casas"},
		{flows.Location{Lat: 14.905, Lon: -92.262}, "Albergue Diocesano Belén", "Tapachula"},
	} {
		for j, lang := range []string{"es", "en"} {
			block := shelterShown(t, env, int64(300+10*i+j), lang, tc.at, tc.name)
			if want := msg(env, lang, "albergues.km_approx", "City", tc.city); !strings.Contains(block, want) {
				t.Errorf("%s %s: want %q in\n%s", lang, tc.name, want, block)
			}
			if strings.Contains(block, "📏") || strings.Contains(block, "km de ti") || strings.Contains(block, "km from you") {
				t.Errorf("%s %s is given a distance from the person:\n%s", lang, tc.name, block)
			}
		}
	}
}

// Casa del Caminante's pin is FACTS' point for Pakal-Ná, its own area:
// the bot names Palenque (Pakal-Ná) and gives the distance, as approximate.
// The web page shows the same words (DescribeShelter).
func TestAreaPinNamesPakalNaWithItsDistance(t *testing.T) {
	env := apptest.New(t)
	palenque := flows.Location{Lat: 17.5096, Lon: -91.9826}
	block := shelterShown(t, env, 351, "es", palenque, "Casa del Caminante J'tatic Samuel Ruiz García")
	if !strings.Contains(block, "km de ti, en Palenque (Pakal-Ná) (punto aproximado)") {
		t.Errorf("Casa del Caminante is not shown in Palenque (Pakal-Ná) with its distance:\n%s", block)
	}
	near, err := env.Store.NearestShelters(context.Background(), palenque, 10, func(s *flows.Shelter) bool { return s.ID == "caminante-palenque" })
	if err != nil || len(near) != 1 {
		t.Fatalf("nearest: %v %v", near, err)
	}
	if !near[0].Area || near[0].Exact {
		t.Fatalf("caminante-palenque: exact %v area %v, want an area pin", near[0].Exact, near[0].Area)
	}
	v := env.Engine.DescribeShelter(context.Background(), "es", env.Clock.Now(), near[0], nil)
	want := msg(env, "es", "albergues.km_area", "Km", "20", "Place", "Palenque (Pakal-Ná)")
	if got := strings.Join(v.Lines, "\n"); !strings.Contains(got, strings.SplitN(want, "20", 2)[1]) {
		t.Errorf("web page for Casa del Caminante:\n%s\nwant a line like %q", got, want)
	}
}

// failingShelters is the directory whose searches fail, as when SQLite
// is down: the cities still come (from a cache, say).
type failingShelters struct {
	flows.Shelters
	fail bool
}

func (f *failingShelters) NearestShelters(ctx context.Context, from flows.Location, n int, keep func(*flows.Shelter) bool) ([]flows.NearShelter, error) {
	if f.fail {
		return nil, errors.New("directory down")
	}
	return f.Shelters.NearestShelters(ctx, from, n, keep)
}

// A shared location whose search fails is not answered and leaves nothing
// behind: the event fails, and the channel's retry answers it.
func TestLocationSearchFailsWhenTheDirectoryDoes(t *testing.T) {
	env := apptest.New(t)
	deps := *env.Store.Deps()
	sh := &failingShelters{Shelters: deps.Shelters}
	deps.Shelters = sh
	eng, err := flows.New(flows.Config{Now: env.Clock.Now}, env.Engine.Store(), env.Engine.Catalog(), env.Keys, &deps, flows.Builtin())
	if err != nil {
		t.Fatal(err)
	}
	p := newPerson(t, env, eng, 4242, "es")
	p.command("start", "")
	p.text("albergues")
	before := p.state()
	sh.fail = true
	ev := p.event(flows.Event{Kind: flows.EventLocation, Location: &flows.Location{Lat: 14.9061, Lon: -92.2636}})
	if out, err := eng.Handle(context.Background(), ev); err == nil {
		t.Fatalf("the search failed and the event was answered: %q", texts(out.Replies))
	}
	if after := p.state(); after.Gen != before.Gen || after.Step != before.Step {
		t.Errorf("state saved by a failed search: step %q gen %d, was %q %d", after.Step, after.Gen, before.Step, before.Gen)
	}
	sh.fail = false
	out, err := eng.Handle(context.Background(), ev)
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(texts(out.Replies), "Albergue Diocesano Belén") {
		t.Errorf("the retry is not answered with the shelters:\n%s", texts(out.Replies))
	}
}

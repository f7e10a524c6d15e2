package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"math"
	"math/rand"
	"path/filepath"
	"reflect"
	"sort"
	"strings"
	"testing"
	"time"

	"github.com/acercate/acercate/flows"
	"github.com/acercate/acercate/secret"
)

// Reference distances from GeographicLib 2.0 (geodesics on the WGS84
// ellipsoid), an implementation independent of ours.
var (
	tapachulaCentre = flows.Location{Lat: 14.900, Lon: -92.267} // FACTS §3
	la72            = flows.Location{Lat: 17.46166, Lon: -91.4309}
	caminante       = flows.Location{Lat: 17.433, Lon: -91.800}
	tecunUman       = flows.Location{Lat: 14.676, Lon: -92.146} // Guatemala, across the Suchiate from Ciudad Hidalgo
	palenqueTown    = flows.Location{Lat: 17.51, Lon: -91.98}
	tapachulaPerson = flows.Location{Lat: 14.9, Lon: -92.26}
)

// within reports whether got is within 0.5% of want: the sphere's error
// against the ellipsoid at these latitudes.
func within(got, want float64) bool { return math.Abs(got-want) <= 0.005*want+0.01 }

func TestSeedDirectoryIsImportedIntoANewDatabase(t *testing.T) {
	db := openTest(t)
	list, err := db.ListShelters(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	// The seed is FACTS.md §3; these rows are what FACTS says, so a change
	// to the file that contradicts FACTS fails here.
	want := map[string]struct {
		name, city, state, address string
		lat, lon                   float64
		exact                      bool
		phone, pops, capacity      string
	}{
		"belen-tapachula":         {"Albergue Diocesano Belén", "Tapachula", "Chiapas", "Col. San Antonio Cahoacán", 14.9, -92.267, false, "", "families", "150-180"},
		"buen-pastor-tapachula":   {"Albergue Jesús el Buen Pastor del Pobre y el Migrante", "Tapachula", "Chiapas", "Carretera a Raymundo Enríquez", 14.9, -92.267, false, "", "children", "~700"},
		"hospitalidad-tapachula":  {"Hospitalidad y Solidaridad A.C.", "Tapachula", "Chiapas", "Carretera a Puerto Madero", 14.9, -92.267, false, "", "asylum", "250-300"},
		"misericordia-arriaga":    {"Hogar de la Misericordia", "Arriaga", "Chiapas", "", 16.235, -93.896, false, "", "", ""},
		"caminante-palenque":      {"Casa del Caminante J'tatic Samuel Ruiz García", "Palenque", "Chiapas", "Pakal-Ná", 17.433, -91.8, false, "", "", ""},
		"la72-tenosique":          {"La 72 Hogar-Refugio", "Tenosique", "Tabasco", "Estación Nueva, C.P. 86901", 17.46166, -91.4309, true, "+52 934 342 1111", "women;children;lgbti;asylum", "~150"},
		"esperanza-tuxtla":        {`Casa del Migrante "Jesús Esperanza en el Camino" (Cáritas)`, "Tuxtla Gutiérrez", "Chiapas", "", 16.753, -93.117, false, "", "", ""},
		"diocesano-san-cristobal": {"Albergue diocesano para migrantes (con ACNUR)", "San Cristóbal de Las Casas", "Chiapas", "Barrio Cuxtitali", 16.737, -92.638, false, "", "", "100"},
	}
	if len(list) != len(want) {
		t.Fatalf("seed has %d shelters, want %d", len(list), len(want))
	}
	// FACTS gives Casa del Caminante a point for Pakal-Ná, its own area;
	// every other approximate point is a city centre (San Cristóbal's is
	// not even in FACTS), shown only as the town.
	for _, s := range list {
		if wantArea := s.ID == "caminante-palenque"; s.Area != wantArea {
			t.Errorf("%s: area pin %v, want %v", s.ID, s.Area, wantArea)
		}
	}
	for _, s := range list {
		w, ok := want[s.ID]
		if !ok {
			t.Errorf("unexpected shelter %q", s.ID)
			continue
		}
		got := fmt.Sprint(s.Name, s.City, s.State, s.Address, s.Point.Lat, s.Point.Lon, s.Exact, s.Phone, strings.Join(s.Populations, ";"), s.Capacity)
		exp := fmt.Sprint(w.name, w.city, w.state, w.address, w.lat, w.lon, w.exact, w.phone, w.pops, w.capacity)
		if got != exp {
			t.Errorf("%s:\n got %s\nwant %s", s.ID, got, exp)
		}
		if s.Verified.Format("2006-01-02") != "2026-11-22" || !strings.HasPrefix(s.Source, "FACTS §3") {
			t.Errorf("%s: verified %s, source %q", s.ID, s.Verified.Format("2006-01-02"), s.Source)
		}
		if s.Status != "" {
			t.Errorf("%s: status %q before anyone set one", s.ID, s.Status)
		}
	}
	if list[0].ID != "belen-tapachula" {
		t.Errorf("directory order not kept: first is %s", list[0].ID)
	}
}

func TestSeedIsImportedOnceOnly(t *testing.T) {
	ctx := context.Background()
	keys, _ := secret.Parse(secret.Generate())
	path := filepath.Join(t.TempDir(), "a.db")
	db, err := Open(ctx, path, keys)
	if err != nil {
		t.Fatal(err)
	}
	// Staff replace the directory with a file of one shelter.
	one := mustParse(t, header+"\n"+row("solo", "Solo", "Tapachula", "14.9", "-92.267"))
	if _, err := db.ImportShelters(ctx, one); err != nil {
		t.Fatal(err)
	}
	db.Close()
	db, err = Open(ctx, path, keys)
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	list, err := db.ListShelters(ctx)
	if err != nil || len(list) != 1 || list[0].ID != "solo" {
		t.Fatalf("after reopening: %v, %v; the seed must not come back over staff's directory", ids(list), err)
	}
}

const header = "id,name,city,state,address,lat,lon,exact,phone,populations,services,notes,capacity,verified,source"

func row(id, name, city, lat, lon string) string {
	return strings.Join([]string{id, name, city, "Chiapas", "", lat, lon, "false", "", "", "", "", "", "2026-11-01", "test"}, ",")
}

func mustParse(t *testing.T, file string) []flows.Shelter {
	t.Helper()
	list, err := ParseShelters(strings.NewReader(file), ShelterParseOptions{})
	if err != nil {
		t.Fatal(err)
	}
	return list
}

func ids(list []flows.Shelter) []string {
	var out []string
	for _, s := range list {
		out = append(out, s.ID)
	}
	return out
}

func TestParseSheltersReportsEveryBadRowWithItsLine(t *testing.T) {
	file := `# a comment on line 1
# line 2
` + header + `
ok-1,Uno,Tapachula,Chiapas,,14.9,-92.267,false,,,,,,2026-11-01,test
bad-lat,Dos,Tapachula,Chiapas,,catorce,-92.267,false,,,,,,2026-11-01,test
range,Tres,Tapachula,Chiapas,,95,-92.267,false,,,,,,2026-11-01,test
sign,Cuatro,Tapachula,Chiapas,,14.9,92.267,false,,,,,,2026-11-01,test
swapped,Cinco,Tapachula,Chiapas,,-92.267,14.9,false,,,,,,2026-11-01,test
noname,,Tapachula,Chiapas,,14.9,-92.267,false,,,,,,2026-11-01,test
nocity,Siete,,Chiapas,,14.9,-92.267,false,,,,,,2026-11-01,test
ok-1,Ocho,Tapachula,Chiapas,,14.9,-92.267,false,,,,,,2026-11-01,test
samename,uno,TAPACHULA,Chiapas,,14.9,-92.267,false,,,,,,2026-11-01,test
baddate,Diez,Tapachula,Chiapas,,14.9,-92.267,false,,,,,,2026-02-30,test
future,Once,Tapachula,Chiapas,,14.9,-92.267,false,,,,,,2062-11-01,test
pops,Doce,Tapachula,Chiapas,,14.9,-92.267,false,,women;aliens,,,,2026-11-01,test
exact,Trece,Tapachula,Chiapas,,14.9,-92.267,maybe,,,,,,2026-11-01,test
phone,Catorce,Tapachula,Chiapas,,14.9,-92.267,false,call me,,,,,2026-11-01,test
cap,Quince,Tapachula,Chiapas,,14.9,-92.267,false,,,,,180-150,2026-11-01,test
short,Dieciséis,Tapachula
"# not a comment",Diecisiete,Tapachula,Chiapas,,14.9,-92.267,false,,,,,,2026-11-01,test
nosource,Dieciocho,Tapachula,Chiapas,,14.9,-92.267,false,,,,,,2026-11-01,
`
	_, err := ParseShelters(strings.NewReader(file), ShelterParseOptions{NotAfter: time.Date(2026, 11, 23, 0, 0, 0, 0, time.UTC)})
	var fe *ShelterFileError
	if !errors.As(err, &fe) {
		t.Fatalf("err = %v, want a *ShelterFileError", err)
	}
	want := []string{
		`line 5: lat: "catorce" is not a number`,
		`line 6: lat: 95 is out of range`,
		`line 7: lon: 92.267 is outside Mexico and Central America`,
		`line 8: lat: -92.267 is out of range`,
		`line 8: lon: 14.9 is outside Mexico and Central America`,
		`line 9: name: is required`,
		`line 10: city: is required`,
		`line 11: id: "ok-1" is already used on line 4`,
		`line 12: name: "uno" in TAPACHULA is already on line 4`,
		`line 13: verified: "2026-02-30" is not a date`,
		`line 14: verified: "2062-11-01" is in the future`,
		`line 15: populations: unknown "aliens"`,
		`line 16: exact: "maybe" must be true`,
		`line 17: phone: "call me" is not a phone number`,
		`line 18: capacity: "180-150" is not a sensible capacity`,
		`line 19: has 3 fields, the header has 15`,
		`line 20: id: "# not a comment" must be lowercase`,
		`line 21: source: is required`,
	}
	var got []string
	for _, p := range fe.Problems {
		got = append(got, p.String())
	}
	if len(got) != len(want) {
		t.Errorf("got %d problems, want %d:\n%s", len(got), len(want), strings.Join(got, "\n"))
	}
	for i := 0; i < len(want) && i < len(got); i++ {
		if !strings.HasPrefix(got[i], want[i]) {
			t.Errorf("problem %d:\n got %s\nwant %s…", i, got[i], want[i])
		}
	}
}

func TestParseSheltersRejectsBadFiles(t *testing.T) {
	for name, tc := range map[string]struct{ file, want string }{
		"empty":          {"", "line 1: the file is empty"},
		"only comments":  {"# nothing\n", "line 1: the file is empty"},
		"header only":    {"# x\n" + header + "\n", "line 2: the file has no shelters"},
		"unknown column": {strings.Replace(header, "notes", "remarks", 1) + "\n", `line 1: unknown column "remarks"`},
		"missing column": {strings.Replace(header, ",phone", "", 1) + "\n", `line 1: missing column "phone"`},
		"twice":          {header + ",lat\n", `line 1: column "lat" appears twice`},
		"open quote":     {header + "\n" + `x,"Uno,Tapachula` + "\n", "line 2"},
	} {
		t.Run(name, func(t *testing.T) {
			_, err := ParseShelters(strings.NewReader(tc.file), ShelterParseOptions{})
			var fe *ShelterFileError
			if !errors.As(err, &fe) || !strings.HasPrefix(fe.Problems[0].String(), tc.want) {
				t.Fatalf("err = %v, want a problem starting %q", err, tc.want)
			}
		})
	}
}

func TestParseSheltersReadsEveryColumn(t *testing.T) {
	file := "populations,id,name,city,state,address,lat,lon,exact,phone,services,notes,capacity,verified,source\n" +
		`"lgbti; women;women",x-1,"La Casa, A.C.",San Cristóbal de Las Casas,Chiapas,"Calle 1, Centro",16.7370,−92.6376,TRUE,+52 (967) 123-4567,meals;school,stay_45_days;unhcr,150 – 180,2026-10-01,FACTS` + "\n"
	list := mustParse(t, file)
	s := list[0]
	want := flows.Shelter{ID: "x-1", Name: "La Casa, A.C.", City: "San Cristóbal de Las Casas", CityKey: "san-cristobal-de-las-casas",
		State: "Chiapas", Address: "Calle 1, Centro", Point: flows.Location{Lat: 16.737, Lon: -92.6376}, Exact: true,
		Phone: "+52 (967) 123-4567", Populations: []string{"lgbti", "women"}, Services: []string{"meals", "school"},
		Notes: []string{"stay_45_days", "unhcr"}, Capacity: "150-180", Verified: time.Date(2026, 10, 1, 0, 0, 0, 0, time.UTC), Source: "FACTS"}
	if !reflect.DeepEqual(s, want) {
		t.Fatalf("got  %+v\nwant %+v", s, want)
	}
}

func TestWrittenDirectoryReadsBackTheSame(t *testing.T) {
	db := openTest(t)
	list, err := db.ListShelters(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	var b strings.Builder
	if err := WriteShelters(&b, list); err != nil {
		t.Fatal(err)
	}
	back := mustParse(t, b.String())
	if !reflect.DeepEqual(back, list) {
		t.Fatalf("round trip changed the directory:\n%s", b.String())
	}
}

func TestImportIsAllOrNothing(t *testing.T) {
	db := openTest(t)
	ctx := context.Background()
	if err := db.SetShelterStatus(ctx, "la72-tenosique", flows.StatusFull, "cli"); err != nil {
		t.Fatal(err)
	}
	before, _ := db.ListShelters(ctx)
	beforeNear, _ := db.NearestShelters(ctx, la72, 1, nil)
	// A list that passed no validation, whose last row the database itself
	// refuses (latitude 200): the rows before it must not stay.
	list := mustParse(t, header+"\n"+row("new-1", "Nuevo", "Tapachula", "14.9", "-92.267"))
	bad := list[0]
	bad.ID, bad.Name, bad.Point.Lat = "new-2", "Malo", 200
	list = append(list, bad)
	err := db.tx(ctx, func(tx *sql.Tx) error {
		_, err := writeShelters(ctx, tx, list, db.Now())
		return err
	})
	if err == nil {
		t.Fatal("a row with latitude 200 was stored")
	}
	after, _ := db.ListShelters(ctx)
	if !reflect.DeepEqual(before, after) {
		t.Fatalf("a failed import changed the directory: %v → %v", ids(before), ids(after))
	}
	afterNear, _ := db.NearestShelters(ctx, la72, 1, nil)
	if afterNear[0].Status != flows.StatusFull || !reflect.DeepEqual(beforeNear, afterNear) {
		t.Fatalf("a failed import changed what the bot sees: %+v", afterNear)
	}
	// Duplicate ids are refused by ImportShelters itself, also all or nothing.
	if _, err := db.ImportShelters(ctx, []flows.Shelter{list[0], list[0]}); err == nil {
		t.Fatal("duplicate ids imported")
	}
	if after, _ := db.ListShelters(ctx); !reflect.DeepEqual(before, after) {
		t.Fatal("a refused import changed the directory")
	}
}

func TestImportReplacesTheDirectoryAndKeepsStatuses(t *testing.T) {
	db := openTest(t)
	ctx := context.Background()
	for id, st := range map[string]string{"la72-tenosique": flows.StatusFull, "belen-tapachula": flows.StatusClosed} {
		if err := db.SetShelterStatus(ctx, id, st, "cli"); err != nil {
			t.Fatal(err)
		}
	}
	list, _ := db.ListShelters(ctx)
	// Belén is removed, La 72 gets a new phone, one shelter is added.
	var next []flows.Shelter
	for _, s := range list {
		switch s.ID {
		case "belen-tapachula":
			continue
		case "la72-tenosique":
			s.Phone = "+52 934 000 0000"
		}
		next = append(next, s)
	}
	next = append(next, mustParse(t, header+"\n"+row("nuevo-huixtla", "Nuevo", "Huixtla", "15.14", "-92.47"))...)
	res, err := db.ImportShelters(ctx, next)
	if err != nil {
		t.Fatal(err)
	}
	if res != (ShelterImport{Added: 1, Updated: 7, Removed: 1}) {
		t.Errorf("import result %+v", res)
	}
	got, _ := db.ListShelters(ctx)
	if strings.Join(ids(got), " ") != "buen-pastor-tapachula hospitalidad-tapachula misericordia-arriaga caminante-palenque la72-tenosique esperanza-tuxtla diocesano-san-cristobal nuevo-huixtla" {
		t.Errorf("directory after import: %v", ids(got))
	}
	near, _ := db.NearestShelters(ctx, la72, 1, nil)
	if near[0].ID != "la72-tenosique" || near[0].Phone != "+52 934 000 0000" || near[0].Status != flows.StatusFull {
		t.Errorf("La 72 after import: %+v", near[0].Shelter)
	}
	var orphans int
	db.db.QueryRow(`SELECT count(*) FROM shelter_status WHERE shelter_id = 'belen-tapachula'`).Scan(&orphans)
	if orphans != 0 {
		t.Errorf("%d statuses of a removed shelter kept", orphans)
	}
}

func TestShelterStatus(t *testing.T) {
	db := openTest(t)
	ctx := context.Background()
	now := time.Date(2026, 11, 20, 22, 0, 0, 0, time.UTC)
	db.Now = func() time.Time { return now }
	if err := db.SetShelterStatus(ctx, "nope", flows.StatusFull, "cli"); !errors.Is(err, flows.ErrUnknownShelter) {
		t.Errorf("unknown shelter: %v", err)
	}
	if err := db.SetShelterStatus(ctx, "la72-tenosique", "lleno", "cli"); err == nil {
		t.Error("status outside open/full/closed accepted")
	}
	if err := db.SetShelterStatus(ctx, "la72-tenosique", flows.StatusFull, ""); err == nil {
		t.Error("status without who accepted")
	}
	// The bot has the directory in memory before the status changes.
	if near, _ := db.NearestShelters(ctx, la72, 1, nil); near[0].Status != "" {
		t.Fatalf("status %q before any", near[0].Status)
	}
	if err := db.SetShelterStatus(ctx, "la72-tenosique", flows.StatusFull, "cli"); err != nil {
		t.Fatal(err)
	}
	now = now.Add(time.Hour)
	if err := db.SetShelterStatus(ctx, "la72-tenosique", flows.StatusOpen, "staff-hash"); err != nil {
		t.Fatal(err)
	}
	near, _ := db.NearestShelters(ctx, la72, 1, nil)
	if s := near[0]; s.Status != flows.StatusOpen || !s.StatusAt.Equal(now) || s.StatusBy != "staff-hash" {
		t.Fatalf("status = %q at %v by %q; want the newest", s.Status, s.StatusAt, s.StatusBy)
	}
}

// The running bot reads the directory's version at most once a second: a
// status set by the CLI (another process on the same file) shows once its
// clock has moved on a second, and not before (the search uses the
// directory it has); one set by the bot itself shows at its next search.
func TestStatusSetByAnotherProcessIsSeen(t *testing.T) {
	ctx := context.Background()
	keys, _ := secret.Parse(secret.Generate())
	path := filepath.Join(t.TempDir(), "a.db")
	bot, err := Open(ctx, path, keys)
	if err != nil {
		t.Fatal(err)
	}
	defer bot.Close()
	clock := time.Date(2026, 12, 7, 8, 0, 0, 0, time.UTC)
	bot.shelterCache.clock = func() time.Time { return clock }
	status := func() string {
		t.Helper()
		near, err := bot.NearestShelters(ctx, caminante, 1, nil)
		if err != nil {
			t.Fatal(err)
		}
		return near[0].Status
	}
	if s := status(); s != "" {
		t.Fatal("status before any")
	}
	cli, err := Open(ctx, path, keys)
	if err != nil {
		t.Fatal(err)
	}
	defer cli.Close()
	if err := cli.SetShelterStatus(ctx, "caminante-palenque", flows.StatusClosed, "cli"); err != nil {
		t.Fatal(err)
	}
	clock = clock.Add(shelterVersionEvery - time.Millisecond)
	if s := status(); s != "" {
		t.Fatalf("status %q within the second: the version was read again", s)
	}
	clock = clock.Add(time.Millisecond)
	if s := status(); s != flows.StatusClosed {
		t.Fatalf("a second on, the running bot still shows status %q", s)
	}

	// The bot's own changes, at the same instant of its clock.
	if err := bot.SetShelterStatus(ctx, "caminante-palenque", flows.StatusOpen, "staff-hash"); err != nil {
		t.Fatal(err)
	}
	if s := status(); s != flows.StatusOpen {
		t.Fatalf("the bot's own status change shows %q", s)
	}
	if _, err := bot.ConfirmShelter(ctx, "caminante-palenque", "Oficina", "cli"); err != nil {
		t.Fatal(err)
	}
	if near, _ := bot.NearestShelters(ctx, caminante, 1, nil); near[0].ConfirmedBy != "Oficina" {
		t.Fatalf("the bot's own confirmation shows %q", near[0].ConfirmedBy)
	}
	if err := bot.UnconfirmShelter(ctx, "caminante-palenque", "cli"); err != nil {
		t.Fatal(err)
	}
	if near, _ := bot.NearestShelters(ctx, caminante, 1, nil); near[0].ConfirmedBy != "" {
		t.Fatalf("the bot's own unconfirmation shows %q", near[0].ConfirmedBy)
	}
	list, err := bot.ListShelters(ctx)
	if err != nil {
		t.Fatal(err)
	}
	var kept []flows.Shelter
	for _, sh := range list {
		if sh.ID != "caminante-palenque" {
			kept = append(kept, sh)
		}
	}
	if _, err := bot.ImportShelters(ctx, kept); err != nil {
		t.Fatal(err)
	}
	cities, err := bot.ShelterCities(ctx)
	if err != nil {
		t.Fatal(err)
	}
	n := 0
	for _, c := range cities {
		n += c.Count
	}
	if n != len(kept) {
		t.Fatalf("after the bot's own import the cities count %d shelters, want %d", n, len(kept))
	}
	// And the CLI's import, a second on.
	if _, err := cli.ImportShelters(ctx, list); err != nil {
		t.Fatal(err)
	}
	clock = clock.Add(shelterVersionEvery)
	if near, _ := bot.NearestShelters(ctx, caminante, 1, nil); near[0].ID != "caminante-palenque" {
		t.Fatalf("a second after the CLI's import the nearest is %q", near[0].ID)
	}
}

func TestNearestAgainstKnownDistances(t *testing.T) {
	db := openTest(t)
	ctx := context.Background()
	for _, tc := range []struct {
		name string
		from flows.Location
		ids  []string
		km   []float64
	}{
		// A person in Tapachula: the three Tapachula shelters (which share
		// the city-centre point), in file order, then the next city.
		{"Tapachula", tapachulaPerson,
			[]string{"belen-tapachula", "buen-pastor-tapachula", "hospitalidad-tapachula", "diocesano-san-cristobal"},
			[]float64{0.753, 0.753, 0.753, 0}},
		{"Palenque", palenqueTown,
			[]string{"caminante-palenque", "la72-tenosique", "diocesano-san-cristobal", "esperanza-tuxtla"},
			[]float64{20.932, 58.563, 110.551, 147.163}},
		// Across the border in Guatemala (Tecún Umán): Tapachula is nearest.
		{"Tecún Umán, Guatemala", tecunUman,
			[]string{"belen-tapachula", "buen-pastor-tapachula", "hospitalidad-tapachula"},
			[]float64{28.0, 28.0, 28.0}},
		{"Tapachula centre to Tenosique", tapachulaCentre,
			[]string{"belen-tapachula", "buen-pastor-tapachula", "hospitalidad-tapachula", "diocesano-san-cristobal", "esperanza-tuxtla", "misericordia-arriaga", "caminante-palenque", "la72-tenosique"},
			[]float64{0, 0, 0, 207.125, 224.355, 228.803, 284.717, 297.238}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			near, err := db.NearestShelters(ctx, tc.from, len(tc.ids), nil)
			if err != nil {
				t.Fatal(err)
			}
			for i, n := range near {
				if n.ID != tc.ids[i] {
					t.Fatalf("order %v, want %v", nearIDs(near), tc.ids)
				}
				if tc.km[i] != 0 && !within(n.Km, tc.km[i]) {
					t.Errorf("%s: %.3f km, want %.3f", n.ID, n.Km, tc.km[i])
				}
			}
		})
	}
}

func nearIDs(near []flows.NearShelter) []string {
	var out []string
	for _, n := range near {
		out = append(out, n.ID)
	}
	return out
}

func TestNearestUsesRealDistanceNotDegrees(t *testing.T) {
	// At latitude 17 a degree of longitude is 106 km, a degree of latitude
	// 111 km: the shelter 1.03° west is nearer than the one 1° north,
	// though it is more degrees away.
	from := flows.Location{Lat: 17, Lon: -92}
	ix := newShelterIndex([]flows.Shelter{
		{ID: "north", Point: flows.Location{Lat: 18, Lon: -92}},
		{ID: "west", Point: flows.Location{Lat: 17, Lon: -93.03}},
	})
	near := ix.nearest(from, 2, nil)
	if near[0].ID != "west" || !within(near[0].Km, 109.680) || !within(near[1].Km, 110.675) {
		t.Fatalf("got %v %.3f %.3f", nearIDs(near), near[0].Km, near[1].Km)
	}
}

func TestNearestMatchesAFullSortByDistance(t *testing.T) {
	rnd := rand.New(rand.NewSource(1))
	list := randomShelters(rnd, 2000)
	ix := newShelterIndex(list)
	for q := 0; q < 200; q++ {
		from := flows.Location{Lat: 5 + rnd.Float64()*28, Lon: -118 + rnd.Float64()*41}
		n := 1 + rnd.Intn(6)
		pop := flows.ShelterPopulations[rnd.Intn(len(flows.ShelterPopulations))]
		keep := func(s *flows.Shelter) bool { return s.Serves(pop) }
		type cand struct {
			i  int
			km float64
		}
		var all []cand
		for i := range list {
			if keep(&list[i]) {
				all = append(all, cand{i, from.DistanceKm(list[i].Point)})
			}
		}
		sort.SliceStable(all, func(a, b int) bool { return all[a].km < all[b].km })
		got := ix.nearest(from, n, keep)
		if len(got) != n {
			t.Fatalf("query %d: %d results, want %d", q, len(got), n)
		}
		for k := range got {
			if got[k].Km != all[k].km && math.Abs(got[k].Km-all[k].km) > 1e-9 {
				t.Fatalf("query %d: result %d at %.6f km, a full sort says %.6f", q, k, got[k].Km, all[k].km)
			}
			if !got[k].Serves(pop) {
				t.Fatalf("query %d: %s does not serve %s", q, got[k].ID, pop)
			}
		}
	}
}

func TestNearestKeepsFileOrderForEqualDistances(t *testing.T) {
	db := openTest(t)
	near, err := db.NearestShelters(context.Background(), tapachulaCentre, 2, nil)
	if err != nil {
		t.Fatal(err)
	}
	if got := nearIDs(near); got[0] != "belen-tapachula" || got[1] != "buen-pastor-tapachula" {
		t.Fatalf("got %v", got)
	}
	if near, _ := db.NearestShelters(context.Background(), tapachulaCentre, 0, nil); len(near) != 0 {
		t.Fatalf("n=0 gave %d", len(near))
	}
	if near, _ := db.NearestShelters(context.Background(), tapachulaCentre, 50, nil); len(near) != 8 {
		t.Fatalf("n=50 gave %d, want every shelter", len(near))
	}
}

func TestShelterCities(t *testing.T) {
	db := openTest(t)
	cities, err := db.ShelterCities(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	var got []string
	for _, c := range cities {
		got = append(got, fmt.Sprintf("%s|%s|%s|%d|%g,%g", c.Key, c.Name, c.State, c.Count, c.Center.Lat, c.Center.Lon))
	}
	want := []string{
		"tapachula|Tapachula|Chiapas|3|14.9,-92.267",
		"arriaga|Arriaga|Chiapas|1|16.235,-93.896",
		"palenque|Palenque|Chiapas|1|17.433,-91.8",
		"tenosique|Tenosique|Tabasco|1|17.46166,-91.4309",
		"tuxtla-gutierrez|Tuxtla Gutiérrez|Chiapas|1|16.753,-93.117",
		"san-cristobal-de-las-casas|San Cristóbal de Las Casas|Chiapas|1|16.737,-92.638",
	}
	if !reflect.DeepEqual(got, want) {
		t.Fatalf("cities:\n%s\nwant\n%s", strings.Join(got, "\n"), strings.Join(want, "\n"))
	}
}

func randomShelters(rnd *rand.Rand, n int) []flows.Shelter {
	list := make([]flows.Shelter, n)
	for i := range list {
		var pops []string
		for _, p := range flows.ShelterPopulations {
			if rnd.Intn(3) == 0 {
				pops = append(pops, p)
			}
		}
		list[i] = flows.Shelter{ID: fmt.Sprintf("s-%d", i), Name: fmt.Sprintf("Albergue %d", i),
			City: fmt.Sprintf("Ciudad %d", i%300), CityKey: fmt.Sprintf("ciudad-%d", i%300), State: "Chiapas",
			Point:       flows.Location{Lat: 5 + rnd.Float64()*28, Lon: -118 + rnd.Float64()*41},
			Populations: pops, Verified: time.Date(2026, 11, 1, 0, 0, 0, 0, time.UTC), Source: "bench"}
	}
	return list
}

// BenchmarkNearestIndex is the search itself: the 3 nearest of 10,000
// shelters that receive women.
func BenchmarkNearestIndex(b *testing.B) {
	rnd := rand.New(rand.NewSource(1))
	ix := newShelterIndex(randomShelters(rnd, 10000))
	keep := func(s *flows.Shelter) bool { return s.Serves(flows.PopWomen) }
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		ix.nearest(tapachulaPerson, 3, keep)
	}
}

// BenchmarkNearestShelters is what a search costs the bot: the directory
// version check in SQLite plus the search, over 10,000 stored shelters.
func BenchmarkNearestShelters(b *testing.B) {
	keys, _ := secret.Parse(secret.Generate())
	db, err := Open(context.Background(), filepath.Join(b.TempDir(), "a.db"), keys)
	if err != nil {
		b.Fatal(err)
	}
	defer db.Close()
	ctx := context.Background()
	if _, err := db.ImportShelters(ctx, randomShelters(rand.New(rand.NewSource(1)), 10000)); err != nil {
		b.Fatal(err)
	}
	if _, err := db.NearestShelters(ctx, tapachulaPerson, 3, nil); err != nil {
		b.Fatal(err)
	}
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		if _, err := db.NearestShelters(ctx, tapachulaPerson, 3, nil); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkNearestSheltersWhileLogging is a search while the request log
// commits (the bot under load): each commit by the request log's
// connection makes a pool connection's next read drop its page cache, so
// reading the directory's version at every search read meta's pages
// again.
func BenchmarkNearestSheltersWhileLogging(b *testing.B) {
	db := openTest(b)
	ctx := context.Background()
	if _, err := db.NearestShelters(ctx, tapachulaPerson, 3, nil); err != nil {
		b.Fatal(err)
	}
	stop := make(chan struct{})
	logged := make(chan struct{})
	go func() {
		defer close(logged)
		at := time.Date(2026, 11, 16, 16, 0, 0, 0, time.UTC)
		for i := int64(1); ; i++ {
			select {
			case <-stop:
				return
			default:
			}
			db.LogRequest(ctx, flows.Request{UpdateID: i, At: at, Person: "p", Kind: "button"})
		}
	}()
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		if _, err := db.NearestShelters(ctx, tapachulaPerson, 3, nil); err != nil {
			b.Fatal(err)
		}
	}
	b.StopTimer()
	close(stop)
	<-logged
}

// BenchmarkShelterReload is the cost of a search right after the directory
// changed (an import or a status): the whole directory is read again.
func BenchmarkShelterReload(b *testing.B) {
	keys, _ := secret.Parse(secret.Generate())
	db, err := Open(context.Background(), filepath.Join(b.TempDir(), "a.db"), keys)
	if err != nil {
		b.Fatal(err)
	}
	defer db.Close()
	ctx := context.Background()
	if _, err := db.ImportShelters(ctx, randomShelters(rand.New(rand.NewSource(1)), 10000)); err != nil {
		b.Fatal(err)
	}
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		db.shelterCache.mu.Lock()
		db.shelterCache.index = nil
		db.shelterCache.mu.Unlock()
		if _, err := db.NearestShelters(ctx, tapachulaPerson, 3, nil); err != nil {
			b.Fatal(err)
		}
	}
}

package store

import (
	"bytes"
	"context"
	"errors"
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/acercate/acercate/flows"
)

const dirHeader = "id,kind,name,place,country,phones,address,hours,url,status,notes,source,source_date,confirmed,confirmed_by"

func parseDir(t *testing.T, file string) []flows.DirectoryEntry {
	t.Helper()
	list, err := ParseDirectory(strings.NewReader(file), DirectoryParseOptions{})
	if err != nil {
		t.Fatal(err)
	}
	return list
}

func dirIDs(list []flows.DirectoryEntry) []string {
	var out []string
	for _, e := range list {
		out = append(out, e.ID)
	}
	return out
}

// TestShippedDirectoryIsSeeded: a new database holds the shipped file, none
// of its rows claims the office's confirmation (FACTS Part II: never
// "revisado"), and what FACTS could not settle stays out of it.
func TestShippedDirectoryIsSeeded(t *testing.T) {
	db := openTest(t)
	ctx := context.Background()
	list, err := db.ListDirectory(ctx)
	if err != nil {
		t.Fatal(err)
	}
	seed := parseDir(t, string(SeedDirectory()))
	if len(list) != len(seed) || len(list) < 30 {
		t.Fatalf("directory has %d entries, the seed %d", len(list), len(seed))
	}
	byID := map[string]flows.DirectoryEntry{}
	for _, e := range list {
		byID[e.ID] = e
		if !e.Confirmed.IsZero() || e.ConfirmedBy != "" {
			t.Errorf("%s: confirmed by the office in the seed; FACTS is not the office's check", e.ID)
		}
	}
	if e := byID["consulado-nicaragua-tapachula"]; e.Status != flows.DirClosed {
		t.Errorf("Nicaragua's consulate in Tapachula: status %q, closed in January 2024", e.Status)
	}
	ciam := byID["ciam"]
	if want := []flows.Phone{{Number: "520 623 7874", Label: "from_us_canada"}, {Number: "001 520 623 7874", Label: "from_mexico"}}; !reflect.DeepEqual(ciam.Phones, want) {
		t.Errorf("CIAM phones %v, want %v", ciam.Phones, want)
	}
	// The CNB's 800 number is conflicting in FACTS: not given; its
	// WhatsApp, the same in every source, is.
	cnb := byID["comision-nacional-busqueda"]
	for _, p := range cnb.Phones {
		if strings.HasPrefix(p.Number, "800") {
			t.Errorf("CNB: conflicting 800 number %q shipped", p.Number)
		}
	}
	if len(cnb.Phones) != 1 || cnb.Phones[0].Label != "whatsapp" {
		t.Errorf("CNB phones %v", cnb.Phones)
	}
	if e := byID["comision-estatal-busqueda-chiapas"]; len(e.Phones) != 0 || e.Address != "" {
		t.Errorf("state search commission: phone and address are not found in FACTS, got %v %q", e.Phones, e.Address)
	}
	tapachula, err := db.Entries(ctx, flows.DirConsulate, "TAPACHULA")
	if err != nil {
		t.Fatal(err)
	}
	want := []string{"consulado-guatemala-tapachula", "consulado-honduras-tapachula", "consulado-el-salvador-tapachula",
		"consulado-haiti-tapachula", "consulado-nicaragua-tapachula"}
	if got := dirIDs(tapachula); !reflect.DeepEqual(got, want) {
		t.Errorf("consulates in Tapachula: %v, want %v", got, want)
	}
}

// TestDirectoryRoundTrip: an export imports back to the same directory,
// and the same file again changes nothing but counts every row updated.
func TestDirectoryRoundTrip(t *testing.T) {
	db := openTest(t)
	ctx := context.Background()
	file := dirHeader + "\n" +
		`muni-motozintla,municipal_contact,"Enlace municipal de atención a migrantes, Motozintla",Motozintla,México,"962 000 0000; 55 1234 5678 (whatsapp)","Palacio municipal, planta baja",Lunes a viernes 9–15,https://example.org/motozintla,open,"Atiende a familias, también en mam.",Oficio de la oficina,2026-11,2026-12-01,Lupita (módulo Tapachula)` + "\n" +
		`x-undated,legal_aid,Otra,,,,,,,unknown,,FACTS,,,` + "\n"
	list := parseDir(t, file)
	if _, err := db.ImportDirectory(ctx, list); err != nil {
		t.Fatal(err)
	}
	got, err := db.ListDirectory(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if !reflect.DeepEqual(got, list) {
		t.Fatalf("stored\n%+v\nparsed\n%+v", got, list)
	}
	m := got[0]
	if m.PlaceKey != "motozintla" || m.Confirmed != time.Date(2026, 12, 1, 0, 0, 0, 0, time.UTC) ||
		!reflect.DeepEqual(m.Phones, []flows.Phone{{Number: "962 000 0000", Label: ""}, {Number: "55 1234 5678", Label: "whatsapp"}}) {
		t.Errorf("entry %+v", m)
	}
	var out bytes.Buffer
	if err := WriteDirectory(&out, got); err != nil {
		t.Fatal(err)
	}
	again := parseDir(t, out.String())
	if !reflect.DeepEqual(again, list) {
		t.Fatalf("export read back\n%+v\nwant\n%+v", again, list)
	}
	res, err := db.ImportDirectory(ctx, again)
	if err != nil || res != (DirectoryImport{Updated: 2}) {
		t.Fatalf("re-import: %+v %v", res, err)
	}
	// The seed, exported, reads back the same too.
	seed := parseDir(t, string(SeedDirectory()))
	out.Reset()
	if err := WriteDirectory(&out, seed); err != nil {
		t.Fatal(err)
	}
	if back := parseDir(t, out.String()); !reflect.DeepEqual(back, seed) {
		t.Fatal("the seed does not survive an export")
	}
	found, err := db.Entries(ctx, flows.DirMunicipalContact, "Motozintla")
	if err != nil || len(found) != 1 {
		t.Fatalf("municipal contacts of Motozintla: %v %v", dirIDs(found), err)
	}
}

func TestParseDirectoryReportsEveryBadRowWithItsLine(t *testing.T) {
	file := "# comment\n" + dirHeader + "\n" +
		`ok-1,consulate,Uno,Tapachula,,,,,,open,,FACTS,2025-11-01,,` + "\n" +
		`ok-1,consulate,Dos,Tapachula,,,,,,open,,FACTS,,,` + "\n" +
		`kind,embassy,Tres,,,,,,,open,,FACTS,,,` + "\n" +
		`noname,consulate,,,,,,,,open,,FACTS,,,` + "\n" +
		`status,consulate,Cinco,,,,,,,maybe,,FACTS,,,` + "\n" +
		`phone,consulate,Seis,,,call me,,,,open,,FACTS,,,` + "\n" +
		`label,consulate,Siete,,,55 1309 9024 (telegram),,,,open,,FACTS,,,` + "\n" +
		`url,consulate,Ocho,,,,,,citas.sre.gob.mx,open,,FACTS,,,` + "\n" +
		`srcdate,consulate,Nueve,,,,,,,open,,FACTS,April 2020,,` + "\n" +
		`future,consulate,Diez,,,,,,,open,,FACTS,2062-01,,` + "\n" +
		`nowho,consulate,Once,,,,,,,open,,FACTS,,2026-12-01,` + "\n" +
		`nowhen,consulate,Doce,,,,,,,open,,FACTS,,,Ana` + "\n" +
		`nosource,consulate,Trece,,,,,,,open,,,,,` + "\n" +
		`short,consulate` + "\n" +
		`Bad Id,consulate,Quince,,,,,,,open,,FACTS,,,` + "\n"
	_, err := ParseDirectory(strings.NewReader(file), DirectoryParseOptions{NotAfter: time.Date(2026, 12, 7, 0, 0, 0, 0, time.UTC)})
	var fe *DirectoryFileError
	if !errors.As(err, &fe) {
		t.Fatalf("err = %v, want a *DirectoryFileError", err)
	}
	want := []string{
		`line 4: id: "ok-1" is already used on line 3`,
		`line 5: kind: "embassy" is not a kind`,
		`line 6: name: is required`,
		`line 7: status: "maybe" must be open, closed or unknown`,
		`line 8: phones: "call me" is not a phone number`,
		`line 9: phones: "55 1309 9024 (telegram)": unknown label "telegram"`,
		`line 10: url: "citas.sre.gob.mx" must be a whole address`,
		`line 11: source_date: "April 2020" must be the source's date`,
		`line 12: source_date: "2062-01" is in the future`,
		`line 13: confirmed_by: is required when confirmed is set`,
		`line 14: confirmed: is required when confirmed_by is set`,
		`line 15: source: is required`,
		`line 16: has 2 fields, the header has 15`,
		`line 17: id: "Bad Id" must be lowercase`,
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

func TestParseDirectoryRejectsBadFiles(t *testing.T) {
	for name, tc := range map[string]struct{ file, want string }{
		"empty":          {"", "line 1: the file is empty"},
		"header only":    {"# x\n" + dirHeader + "\n", "line 2: the file has no entries"},
		"unknown column": {strings.Replace(dirHeader, "notes", "remarks", 1) + "\n", `line 1: unknown column "remarks"`},
		"missing column": {strings.Replace(dirHeader, ",phones", "", 1) + "\n", `line 1: missing column "phones"`},
		"open quote":     {dirHeader + "\n" + `x,consulate,"Uno` + "\n", "line 2"},
	} {
		t.Run(name, func(t *testing.T) {
			_, err := ParseDirectory(strings.NewReader(tc.file), DirectoryParseOptions{})
			var fe *DirectoryFileError
			if !errors.As(err, &fe) || !strings.HasPrefix(fe.Problems[0].String(), tc.want) {
				t.Fatalf("err = %v, want a problem starting %q", err, tc.want)
			}
		})
	}
}

// TestDirectoryImportIsAllOrNothing: an import the database refuses half
// way (a row its checks reject, past rows already written) leaves the
// directory exactly as it was.
func TestDirectoryImportIsAllOrNothing(t *testing.T) {
	db := openTest(t)
	ctx := context.Background()
	before, err := db.ListDirectory(ctx)
	if err != nil {
		t.Fatal(err)
	}
	list := parseDir(t, dirHeader+"\n"+
		`new-1,legal_aid,Uno,,,,,,,open,,FACTS,,,`+"\n"+
		`new-2,legal_aid,Dos,,,,,,,open,,FACTS,,,`+"\n")
	list[1].Status = "maybe" // past the parser: only the table's check stops it
	if _, err := db.ImportDirectory(ctx, list); err == nil {
		t.Fatal("an impossible status was stored")
	}
	after, err := db.ListDirectory(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if !reflect.DeepEqual(after, before) {
		t.Fatalf("a failed import changed the directory: %d entries before, %d after", len(before), len(after))
	}
}

package main

import (
	"context"
	"strings"
	"testing"
)

// TestModuloPlace records where módulos are with the commands and reads
// back what a person asking "donde esta el modulo" is shown: only módulos
// with an address or a location, as recorded.
func TestModuloPlace(t *testing.T) {
	vars := officeVars(t)
	mustRun := func(args ...string) {
		t.Helper()
		if code, _, errs := runDenunciasCLI(t, vars, args...); code != 0 {
			t.Fatalf("%v: exit %d: %s", args, code, errs)
		}
	}
	mustRun("modulo", "add", "tapachula", "--name", "Módulo Tapachula", "--address", "Calle Central 1, Tapachula", "--hours", "lun–vie 9:00–17:00", "--location", "14.9057,-92.2634")
	mustRun("modulo", "add", "hidalgo", "--name", "Ciudad Hidalgo")
	places, err := openOffice(t, vars).ModuloPlaces(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	if len(places) != 1 || places[0].Address != "Calle Central 1, Tapachula" || places[0].Hours != "lun–vie 9:00–17:00" ||
		!places[0].HasLocation || places[0].Lat != 14.9057 || places[0].Lon != -92.2634 {
		t.Fatalf("places after add: %+v", places)
	}
	// place replaces all three: the location left out is cleared.
	mustRun("modulo", "place", "hidalgo", "--address", "Av. 5 de Mayo, Ciudad Hidalgo")
	mustRun("modulo", "place", "tapachula", "--address", "Calle Central 2")
	places, err = openOffice(t, vars).ModuloPlaces(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	if len(places) != 2 || places[0].Name != "Ciudad Hidalgo" || places[1].Address != "Calle Central 2" || places[1].HasLocation || places[1].Hours != "" {
		t.Fatalf("places after place: %+v", places)
	}
	for _, bad := range [][]string{
		{"modulo", "place", "nadie", "--address", "x"},
		{"modulo", "place", "hidalgo", "--location", "14.9"},
		{"modulo", "place", "hidalgo", "--location", "99,-92"},
	} {
		if code, _, errs := runDenunciasCLI(t, vars, bad...); code == 0 || !strings.Contains(errs, "usage") && !strings.Contains(errs, "módulo") && !strings.Contains(errs, "location") {
			t.Errorf("%v: exit %d, %q; want a refusal that says why", bad, code, errs)
		}
	}
}

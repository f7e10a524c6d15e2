package main

import (
	"context"
	"path/filepath"
	"reflect"
	"strings"
	"testing"
	"time"
)

// TestExportsAreAudited: a weekly report written to a file or printed,
// and the shelter and reference directories' exports, each write one audit row naming the
// operator, the week and the format, and nothing about a person.
func TestExportsAreAudited(t *testing.T) {
	vars := officeVars(t)
	vars["USER"] = "ana"
	run := func(args ...string) {
		t.Helper()
		if code, _, errs := runDenunciasCLI(t, vars, args...); code != 0 {
			t.Fatalf("%v: exit %d: %s", args, code, errs)
		}
	}
	run("meta", "set", "goal.people", "100", "--year", "2026") // creates the database
	run("report", "weekly", "--week", "2026-W47", "--format", "json", "--out", filepath.Join(t.TempDir(), "w.json"))
	run("report", "weekly", "--week", "2026-W46", "--format", "csv")
	run("albergues", "export")
	run("directorio", "export")

	log, err := openOffice(t, vars).AuditLog(context.Background(), time.Time{})
	if err != nil {
		t.Fatal(err)
	}
	var got []string
	for _, e := range log {
		if strings.HasSuffix(e.Action, ".export") {
			got = append(got, strings.Join([]string{e.Actor, e.Action, e.Object, e.Detail}, " "))
		}
	}
	want := []string{
		"cli:ana report.export 2026-W47 week=2026-W47 format=json to=file",
		"cli:ana report.export 2026-W46 week=2026-W46 format=csv to=stdout",
		"cli:ana albergues.export  format=csv",
		"cli:ana directorio.export  format=csv",
	}
	if !reflect.DeepEqual(got, want) {
		t.Fatalf("audit:\n%s\nwant\n%s", strings.Join(got, "\n"), strings.Join(want, "\n"))
	}
}

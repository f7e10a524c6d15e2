package main

import (
	"strings"
	"testing"
	"time"

	"github.com/acercate/acercate/hours"
	"github.com/acercate/acercate/store"
)

// TestAlberguesConfirm: `albergues confirm ID --by NAME` records who in the
// office checked a shelter and the day, audit-logged; the list shows it;
// --undo withdraws it; an import that changes the entry's facts clears it,
// one that does not keeps it.
func TestAlberguesConfirm(t *testing.T) {
	c := newCLI(t)
	seed := string(store.SeedShelters())
	if code, _, errs := c.run("albergues", "import", writeFile(t, seed)); code != 0 {
		t.Fatalf("import: %d %q", code, errs)
	}
	code, out, errs := c.run("albergues", "confirm", "la72-tenosique", "--by", "Ana López")
	today := time.Now().In(hours.Zone()).Format(time.DateOnly)
	if code != 0 || out != "la72-tenosique: confirmed by Ana López on "+today+"\n" {
		t.Fatalf("confirm: %d %q %q", code, out, errs)
	}
	list := func() map[string]string {
		t.Helper()
		code, out, errs := c.run("albergues", "list")
		if code != 0 {
			t.Fatalf("list: %d %q", code, errs)
		}
		rows := map[string]string{}
		for _, l := range strings.Split(strings.TrimSpace(out), "\n")[1:] {
			rows[strings.Fields(l)[0]] = l
		}
		return rows
	}
	rows := list()
	if !strings.Contains(rows["la72-tenosique"], "confirmed "+today+" by Ana López") {
		t.Errorf("confirmed row: %s", rows["la72-tenosique"])
	}
	if r := rows["belen-tapachula"]; !strings.Contains(r, "source 2026-11-22") || strings.Contains(r, "confirmed") {
		t.Errorf("a row nobody confirmed: %s", r)
	}

	// The audit log has who ran it and whom they named.
	code, out, errs = c.run("audit", "--action", "albergues.confirm")
	if code != 0 || !strings.Contains(out, "la72-tenosique") || !strings.Contains(out, "by=Ana López") || !strings.Contains(out, "1 entries") {
		t.Errorf("audit: %d %q %q", code, out, errs)
	}

	// Importing the same facts again keeps the office's check...
	if code, _, errs := c.run("albergues", "import", writeFile(t, seed)); code != 0 {
		t.Fatalf("re-import: %d %q", code, errs)
	}
	if r := list()["la72-tenosique"]; !strings.Contains(r, "confirmed "+today) {
		t.Errorf("an import of the same facts dropped the confirmation: %s", r)
	}
	// ...an import that changes them clears it: the office checked other facts.
	var lines []string
	for _, l := range strings.Split(seed, "\n") {
		if strings.HasPrefix(l, "la72-tenosique,") {
			l = strings.Replace(l, "Tenosique", "Tenosique de Pino Suárez", 1)
		}
		lines = append(lines, l)
	}
	if code, _, errs := c.run("albergues", "import", writeFile(t, strings.Join(lines, "\n"))); code != 0 {
		t.Fatalf("import of changed facts: %d %q", code, errs)
	}
	if r := list()["la72-tenosique"]; strings.Contains(r, "confirmed") {
		t.Errorf("an import that changed the facts kept the confirmation: %s", r)
	}

	// --undo withdraws it.
	c.run("albergues", "confirm", "--by", "Beto", "belen-tapachula")
	code, out, errs = c.run("albergues", "confirm", "belen-tapachula", "--undo")
	if code != 0 || !strings.Contains(out, "no longer confirmed") {
		t.Fatalf("undo: %d %q %q", code, out, errs)
	}
	if r := list()["belen-tapachula"]; strings.Contains(r, "confirmed") {
		t.Errorf("after --undo: %s", r)
	}

	for _, bad := range [][]string{
		{"albergues", "confirm", "la72-tenosique"},
		{"albergues", "confirm", "la72-tenosique", "--by", "Ana", "--undo"},
		{"albergues", "confirm", "--by", "Ana"},
		{"albergues", "confirm", "a", "b", "--by", "Ana"},
		{"albergues", "confirm", "la72-tenosique", "--by", "  "},
	} {
		if code, _, errs := c.run(bad...); code != 2 || !strings.Contains(errs, "usage:") {
			t.Errorf("%v: %d %q", bad, code, errs)
		}
	}
	if code, _, errs := c.run("albergues", "confirm", "nadie", "--by", "Ana"); code != 1 || !strings.Contains(errs, `no shelter "nadie"`) {
		t.Errorf("unknown id: %d %q", code, errs)
	}
}

package main

import (
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

func TestMetaAndReportCommands(t *testing.T) {
	vars := officeVars(t)
	run := func(args ...string) (int, string, string) {
		t.Helper()
		return runDenunciasCLI(t, vars, args...)
	}
	if code, _, errs := run("report", "weekly", "--week", "2026-W47"); code != 2 || !strings.Contains(errs, "no database") {
		t.Fatalf("report without a database: %d %s", code, errs)
	}
	if code, out, errs := run("meta", "set", "goal.campaigns", "26", "--year", "2026"); code != 0 || !strings.Contains(out, "goal.campaigns = 26 for 2026") {
		t.Fatalf("meta set: %d %s %s", code, out, errs)
	}
	if code, _, errs := run("meta", "set", "--year", "2026", "done.workshops", "2"); code != 0 {
		t.Fatalf("meta set with the flag first: %s", errs)
	}
	code, out, _ := run("meta", "list", "--year", "2026")
	flat := strings.Join(strings.Fields(out), " ") // the columns' width follows the longest key
	if code != 0 || !strings.Contains(flat, "goal.campaigns 26") || !strings.Contains(flat, "done.workshops 2") ||
		!strings.Contains(flat, "goal.people -") || !strings.Contains(flat, "goal.families_people -") {
		t.Fatalf("meta list:\n%s", out)
	}
	for _, bad := range [][]string{
		{"meta", "set", "goal.talleres", "3"}, {"meta", "set", "goal.people", "mil"}, {"meta", "set", "goal.people", "-1"}, {"meta", "set", "goal.people"},
	} {
		if code, _, _ := run(bad...); code != 2 {
			t.Errorf("%v: exit %d, want 2", bad, code)
		}
	}

	code, out, errs := run("report", "weekly", "--week", "2026-W47")
	if code != 0 || !strings.Contains(out, "# Resumen semanal 2026-W47") || !strings.Contains(out, "| Campañas de promoción | 0 | 26 | 0% |") {
		t.Fatalf("report md: %d %s\n%s", code, errs, out)
	}
	vars["ACERCATE_REPORT_LANG"] = "fr"
	if _, out, _ := run("report", "weekly", "--week", "2026-W47"); !strings.Contains(out, "# Résumé de la semaine 2026-W47") {
		t.Errorf("ACERCATE_REPORT_LANG=fr:\n%s", out)
	}
	if _, out, _ := run("report", "weekly", "--week", "2026-W47", "--lang", "pt"); !strings.Contains(out, "Resumo semanal") {
		t.Errorf("--lang pt:\n%s", out)
	}
	vars["ACERCATE_REPORT_LANG"] = "de"
	if code, _, errs := run("report", "weekly"); code != 2 || !strings.Contains(errs, "ACERCATE_REPORT_LANG") {
		t.Errorf("bad ACERCATE_REPORT_LANG: %d %s", code, errs)
	}
	delete(vars, "ACERCATE_REPORT_LANG")

	path := filepath.Join(t.TempDir(), "w.json")
	if code, _, errs := run("report", "weekly", "--week", "last", "--format", "json", "--out", path); code != 0 {
		t.Fatalf("json --out: %s", errs)
	}
	raw, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	var doc map[string]any
	if err := json.Unmarshal(raw, &doc); err != nil || doc["schema"] != float64(1) || doc["empty"] != true {
		t.Fatalf("json: %v %v", doc, err)
	}
	for _, f := range []string{"csv", "html"} {
		if code, out, errs := run("report", "weekly", "--format", f); code != 0 || out == "" {
			t.Errorf("%s: %d %s", f, code, errs)
		}
	}
	for _, bad := range [][]string{
		{"report", "weekly", "--week", "2026-W60"}, {"report", "weekly", "--format", "pdf"}, {"report", "monthly"}, {"report"},
	} {
		if code, _, _ := run(bad...); code != 2 {
			t.Errorf("%v: exit %d, want 2", bad, code)
		}
	}
}

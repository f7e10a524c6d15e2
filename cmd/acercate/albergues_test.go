package main

import (
	"bytes"
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/acercate/acercate/secret"
	"github.com/acercate/acercate/store"
)

// cli runs the binary's Run with a test environment.
type cli struct {
	vars  map[string]string
	stdin string
}

func newCLI(t *testing.T) *cli {
	t.Helper()
	return &cli{vars: map[string]string{
		"ACERCATE_DB":       filepath.Join(t.TempDir(), "acercate.db"),
		"ACERCATE_DATA_KEY": secret.Generate(),
	}}
}

func (c *cli) run(args ...string) (code int, stdout, stderr string) {
	var out, errb bytes.Buffer
	env := &Env{Stdin: strings.NewReader(c.stdin), Stdout: &out, Stderr: &errb, Getenv: func(k string) string { return c.vars[k] }}
	code = Run(context.Background(), env, args)
	return code, out.String(), errb.String()
}

func writeFile(t *testing.T, body string) string {
	t.Helper()
	p := filepath.Join(t.TempDir(), "albergues.csv")
	if err := os.WriteFile(p, []byte(body), 0o644); err != nil {
		t.Fatal(err)
	}
	return p
}

func TestAlberguesImportListStatus(t *testing.T) {
	c := newCLI(t)
	// The shipped file imports as it is.
	code, out, errs := c.run("albergues", "import", writeFile(t, string(store.SeedShelters())))
	if code != 0 || out != "imported 8 shelters: 0 new, 8 updated, 0 removed\n" {
		t.Fatalf("import: %d %q %q", code, out, errs)
	}
	code, out, errs = c.run("albergues", "status", "la72-tenosique", "lleno")
	if code != 0 || !strings.HasPrefix(out, "la72-tenosique: full, as of ") {
		t.Fatalf("status: %d %q %q", code, out, errs)
	}
	code, out, _ = c.run("albergues", "list")
	lines := strings.Split(strings.TrimSpace(out), "\n")
	if code != 0 || len(lines) != 9 {
		t.Fatalf("list: %d\n%s", code, out)
	}
	for _, l := range lines {
		f := strings.Fields(l)
		switch {
		case f[0] == "la72-tenosique" && (f[2] != "full" || !strings.Contains(l, " cli ") || !strings.Contains(l, "exact")):
			t.Errorf("La 72: %s", l)
		case f[0] == "belen-tapachula" && (f[2] != "-" || !strings.Contains(l, "city centre") || !strings.Contains(l, "2026-11-22")):
			t.Errorf("Belén: %s", l)
		case f[0] == "caminante-palenque" && !strings.Contains(l, "area (approx.)"):
			t.Errorf("Casa del Caminante (FACTS' point for Pakal-Ná): %s", l)
		}
	}
	code, _, errs = c.run("albergues", "status", "nadie", "abierto")
	if code != 1 || !strings.Contains(errs, `no shelter "nadie"`) {
		t.Errorf("unknown id: %d %q", code, errs)
	}
	code, _, errs = c.run("albergues", "status", "la72-tenosique", "quizas")
	if code != 2 || !strings.Contains(errs, "lleno, abierto or cerrado") {
		t.Errorf("unknown status: %d %q", code, errs)
	}
}

func TestAlberguesImportRefusesABadFileWhole(t *testing.T) {
	c := newCLI(t)
	if code, _, errs := c.run("albergues", "import", writeFile(t, string(store.SeedShelters()))); code != 0 {
		t.Fatal(errs)
	}
	_, before, _ := c.run("albergues", "export")
	// Good rows around bad ones: nothing at all may be imported.
	file := "# comment\n" + store.ShelterColumns[0] + "," + strings.Join(store.ShelterColumns[1:], ",") + "\n" +
		"nuevo,Nuevo,Huixtla,Chiapas,,15.14,-92.47,false,,,,,,2026-11-01,staff\n" +
		"lat,Malo,Huixtla,Chiapas,,15.14,92.47,false,,,,,,2026-11-01,staff\n" +
		"nuevo,Otro,Huixtla,Chiapas,,15.14,-92.47,false,,men,,,,2026-11-01,staff\n" +
		",Sin id,Huixtla,Chiapas,,15.14,-92.47,false,,gente,,,,2026-13-01,staff\n"
	code, out, errs := c.run("albergues", "import", writeFile(t, file))
	if code != 1 || out != "" {
		t.Fatalf("bad file: code %d, out %q", code, out)
	}
	for _, want := range []string{
		"line 4: lon: 92.47 is outside Mexico and Central America",
		`line 5: id: "nuevo" is already used on line 3`,
		"line 6: id: is required",
		`line 6: populations: unknown "gente"`,
		`line 6: verified: "2026-13-01" is not a date`,
		"5 problem(s); nothing was imported",
	} {
		if !strings.Contains(errs, want) {
			t.Errorf("stderr lacks %q:\n%s", want, errs)
		}
	}
	if _, after, _ := c.run("albergues", "export"); after != before {
		t.Fatalf("the directory changed:\n%s", after)
	}
}

func TestAlberguesImportFromStdinAndExportRoundTrip(t *testing.T) {
	c := newCLI(t)
	c.stdin = string(store.SeedShelters())
	if code, _, errs := c.run("albergues", "import", "-"); code != 0 {
		t.Fatal(errs)
	}
	_, exported, _ := c.run("albergues", "export")
	c.stdin = exported
	if code, out, errs := c.run("albergues", "import", "-"); code != 0 || !strings.Contains(out, "0 new, 8 updated, 0 removed") {
		t.Fatalf("re-import of an export: %d %q %q", code, out, errs)
	}
	if _, again, _ := c.run("albergues", "export"); again != exported {
		t.Fatalf("export changed after a round trip")
	}
}

func TestAlberguesUsage(t *testing.T) {
	c := newCLI(t)
	for _, args := range [][]string{{"albergues"}, {"albergues", "borrar"}, {"albergues", "import"}, {"albergues", "status", "x"}} {
		if code, _, errs := c.run(args...); code != 2 || !strings.Contains(errs, "usage:") {
			t.Errorf("%v: code %d, %q", args, code, errs)
		}
	}
	// A list on a database that does not exist does not create one.
	if code, _, errs := c.run("albergues", "list"); code != 2 || !strings.Contains(errs, "no database at") {
		t.Errorf("list without a database: %d %q", code, errs)
	}
	if _, err := os.Stat(c.vars["ACERCATE_DB"]); !os.IsNotExist(err) {
		t.Errorf("list created the database: %v", err)
	}
	delete(c.vars, "ACERCATE_DATA_KEY")
	if code, _, errs := c.run("albergues", "import", writeFile(t, string(store.SeedShelters()))); code != 2 || !strings.Contains(errs, "ACERCATE_DATA_KEY") {
		t.Errorf("import without a key: %d %q", code, errs)
	}
}

package main

import (
	"strings"
	"testing"

	"github.com/acercate/acercate/store"
)

// TestDirectorioImportListExport: the office replaces the reference
// directory from a file, lists it and exports it; a bad file is refused
// with each problem's line and leaves the directory as it was.
func TestDirectorioImportListExport(t *testing.T) {
	c := newCLI(t)
	code, out, errs := c.run("directorio", "import", writeFile(t, string(store.SeedDirectory())))
	if code != 0 || !strings.HasPrefix(out, "imported 41 entries: 0 new, 41 updated, 0 removed") {
		t.Fatalf("import: %d %q %q", code, out, errs)
	}
	file := strings.Join(store.DirectoryColumns, ",") + "\n" +
		"muni-motozintla,municipal_contact,Enlace de Motozintla,Motozintla,México,962 000 0000,,,,open,,Oficio,2026-12,2026-12-06,Ana\n" +
		"bad,consulate,Dos,,,,,,,abierto,,FACTS,,,\n"
	code, _, errs = c.run("directorio", "import", writeFile(t, file))
	if code != 1 || !strings.Contains(errs, `line 3: status: "abierto" must be open, closed or unknown`) ||
		!strings.Contains(errs, "nothing was imported") {
		t.Fatalf("bad file: %d %q", code, errs)
	}
	code, out, _ = c.run("directorio", "list")
	if code != 0 || strings.Contains(out, "muni-motozintla") || !strings.Contains(out, "consulado-nicaragua-tapachula") {
		t.Fatalf("list after a refused file: %d\n%s", code, out)
	}
	file = strings.Join(store.DirectoryColumns, ",") + "\n" +
		"muni-motozintla,municipal_contact,Enlace de Motozintla,Motozintla,México,962 000 0000,,,,open,,Oficio,2026-12,2026-12-06,Ana\n"
	if code, out, errs = c.run("directorio", "import", writeFile(t, file)); code != 0 || out != "imported 1 entries: 1 new, 0 updated, 41 removed\n" {
		t.Fatalf("import: %d %q %q", code, out, errs)
	}
	code, out, _ = c.run("directorio", "list")
	if lines := strings.Split(strings.TrimSpace(out), "\n"); code != 0 || len(lines) != 2 ||
		!strings.Contains(lines[1], "confirmed 2026-12-06 by Ana") {
		t.Fatalf("list: %d\n%s", code, out)
	}
	code, out, _ = c.run("directorio", "export")
	if code != 0 || out != file {
		t.Fatalf("export: %d\n%s\nwant\n%s", code, out, file)
	}
	if code, _, _ = c.run("directorio", "borrar"); code != 2 {
		t.Errorf("unknown subcommand: exit %d", code)
	}
}

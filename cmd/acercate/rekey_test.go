package main

import (
	"strings"
	"testing"

	"github.com/acercate/acercate/secret"
)

func TestRekeyCommandRotatesTheKey(t *testing.T) {
	vars := fileOneDenuncia(t)
	old := vars["ACERCATE_DATA_KEY"]
	next := secret.Generate()
	vars["ACERCATE_NEW_DATA_KEY"] = next
	code, out, errs := runDenunciasCLI(t, vars, "rekey", "--batch", "1")
	if code != 0 {
		t.Fatalf("exit %d: %s", code, errs)
	}
	if !strings.Contains(out, "re-sealed 4 fields") || !strings.Contains(out, "ACERCATE_OLD_DATA_KEY") {
		t.Errorf("rekey said:\n%s", out)
	}
	delete(vars, "ACERCATE_NEW_DATA_KEY")
	// The old key is refused with a clear message.
	code, _, errs = runDenunciasCLI(t, vars, "denuncias", "show", "DEN-2026-000001")
	if code != 2 || errs != "acercate denuncias: ACERCATE_DATA_KEY is not the key this database was created with\n" {
		t.Errorf("old key: exit %d, %q", code, errs)
	}
	vars["ACERCATE_DATA_KEY"] = next
	vars["ACERCATE_OLD_DATA_KEY"] = old
	code, out, errs = runDenunciasCLI(t, vars, "rekey")
	if code != 0 || !strings.Contains(out, "re-sealed 0 fields") || !strings.Contains(out, "rotation finished") {
		t.Errorf("finishing: exit %d: %s%s", code, out, errs)
	}
	delete(vars, "ACERCATE_OLD_DATA_KEY")
	code, out, errs = runDenunciasCLI(t, vars, "denuncias", "show", "DEN-2026-000001")
	if code != 0 || !strings.Contains(out, "Texto privado") {
		t.Errorf("new key: exit %d: %s%s", code, out, errs)
	}
}

func TestRekeyRefusesBadKeys(t *testing.T) {
	vars := fileOneDenuncia(t)
	for name, v := range map[string]string{
		"ACERCATE_NEW_DATA_KEY": "not-a-key",
		"ACERCATE_OLD_DATA_KEY": "c2hvcnQ=",
	} {
		vv := map[string]string{}
		for k, x := range vars {
			vv[k] = x
		}
		vv[name] = v
		code, _, errs := runDenunciasCLI(t, vv, "rekey")
		if code != 2 || !strings.Contains(errs, name) {
			t.Errorf("%s=%q: exit %d, %q", name, v, code, errs)
		}
	}
	vars["ACERCATE_NEW_DATA_KEY"] = vars["ACERCATE_DATA_KEY"]
	if code, _, errs := runDenunciasCLI(t, vars, "rekey"); code != 2 || !strings.Contains(errs, "is the key in use") {
		t.Errorf("same key: exit %d, %q", code, errs)
	}
}

package main

import (
	"bytes"
	"context"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/acercate/acercate/flows"
	"github.com/acercate/acercate/secret"
	"github.com/acercate/acercate/store"
)

// runDenunciasCLI runs a command line with the given environment.
func runDenunciasCLI(t *testing.T, vars map[string]string, args ...string) (code int, stdout, stderr string) {
	t.Helper()
	var out, errb bytes.Buffer
	env := &Env{Stdin: strings.NewReader(""), Stdout: &out, Stderr: &errb, Getenv: func(k string) string { return vars[k] }}
	code = Run(context.Background(), env, args)
	return code, out.String(), errb.String()
}

// fileOneDenuncia creates a database with one denuncia and returns its env.
func fileOneDenuncia(t *testing.T) map[string]string {
	t.Helper()
	key := secret.Generate()
	keys, _ := secret.Parse(key)
	path := filepath.Join(t.TempDir(), "acercate.db")
	db, err := store.Open(context.Background(), path, keys)
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	at := time.Date(2026, 11, 16, 16, 0, 0, 0, time.UTC)
	_, err = db.Denuncias().File(context.Background(), flows.Denuncia{
		Category: "robbery", When: "today", On: "2026-11-16", Municipality: "other", Place: "Cerca del puente",
		Perpetrator: "authority", Which: "police", Text: "Texto privado.\nSegunda línea.",
		Photos: []string{"file-1"}, Contact: flows.Telegram(4242), Person: "p", Source: "p:1", At: at,
	}, flows.Request{UpdateID: 1, At: at, Person: "p", Kind: "button", Lang: "fr"})
	if err != nil {
		t.Fatal(err)
	}
	return map[string]string{"ACERCATE_DATA_KEY": key, "ACERCATE_DB": path, "USER": "ana"}
}

func TestDenunciasListShowsNoText(t *testing.T) {
	vars := fileOneDenuncia(t)
	code, out, errs := runDenunciasCLI(t, vars, "denuncias", "list")
	if code != 0 {
		t.Fatalf("exit %d: %s", code, errs)
	}
	for _, want := range []string{"DEN-2026-000001", "2026-11-16 10:00", "received", "robbery", "other", "1 denuncias"} {
		if !strings.Contains(out, want) {
			t.Errorf("list lacks %q:\n%s", want, out)
		}
	}
	for _, secret := range []string{"Texto privado", "Cerca del puente", "file-1", "4242"} {
		if strings.Contains(out, secret) {
			t.Errorf("list shows %q:\n%s", secret, out)
		}
	}
	if _, out, _ := runDenunciasCLI(t, vars, "denuncias", "list", "--status", "cerrada"); strings.Contains(out, "DEN-") {
		t.Errorf("closed list:\n%s", out)
	}
}

func TestDenunciasShowIsAudited(t *testing.T) {
	vars := fileOneDenuncia(t)
	code, out, errs := runDenunciasCLI(t, vars, "denuncias", "show", "den-2026-000001")
	if code != 0 {
		t.Fatalf("exit %d: %s", code, errs)
	}
	for _, want := range []string{"Texto privado.", "  Segunda línea.", "other: Cerca del puente", "authority (police)",
		"Telegram chat 4242", "photo 1:", "file-1", "today (2026-11-16)", "fr"} {
		if !strings.Contains(out, want) {
			t.Errorf("show lacks %q:\n%s", want, out)
		}
	}
	if code, _, errs := runDenunciasCLI(t, vars, "denuncias", "status", "DEN-2026-000001", "en_revision"); code != 0 {
		t.Fatalf("status: exit %d: %s", code, errs)
	}
	if code, _, _ := runDenunciasCLI(t, vars, "denuncias", "show", "DEN-2026-000009"); code != 1 {
		t.Fatalf("unknown folio: exit %d, want 1", code)
	}
	db := openOffice(t, vars)
	log, err := db.AuditLog(context.Background(), time.Time{})
	if err != nil {
		t.Fatal(err)
	}
	var got []string
	for _, e := range log {
		got = append(got, e.Actor+" "+e.Action+" "+e.Object+" "+e.Detail)
	}
	want := "cli:ana denuncia.view DEN-2026-000001 |cli:ana denuncia.status DEN-2026-000001 en_revision"
	if strings.Join(got, "|") != want {
		t.Fatalf("audit:\n%s\nwant\n%s", strings.Join(got, "|"), want)
	}
	st, err := db.Denuncias().Status(context.Background(), "DEN-2026-000001", "p")
	if err != nil || st.Status != "en_revision" {
		t.Fatalf("status = %+v, %v", st, err)
	}
}

func TestDenunciasNeedsKeyAndDatabase(t *testing.T) {
	vars := fileOneDenuncia(t)
	for name, c := range map[string]struct {
		vars map[string]string
		args []string
		code int
		msg  string
	}{
		"no key":      {map[string]string{"ACERCATE_DB": vars["ACERCATE_DB"]}, []string{"list"}, 2, "ACERCATE_DATA_KEY"},
		"bad key":     {map[string]string{"ACERCATE_DB": vars["ACERCATE_DB"], "ACERCATE_DATA_KEY": "short"}, []string{"list"}, 2, "ACERCATE_DATA_KEY"},
		"other key":   {map[string]string{"ACERCATE_DB": vars["ACERCATE_DB"], "ACERCATE_DATA_KEY": secret.Generate()}, []string{"list"}, 2, "not the key"},
		"no database": {map[string]string{"ACERCATE_DB": vars["ACERCATE_DB"] + ".missing", "ACERCATE_DATA_KEY": vars["ACERCATE_DATA_KEY"]}, []string{"list"}, 2, "ACERCATE_DB"},
		"no verb":     {vars, nil, 2, "usage"},
		"bad status":  {vars, []string{"status", "DEN-2026-000001", "done"}, 2, "unknown status"},
	} {
		code, _, errs := runDenunciasCLI(t, c.vars, append([]string{"denuncias"}, c.args...)...)
		if code != c.code || !strings.Contains(errs, c.msg) {
			t.Errorf("%s: exit %d, %q; want %d and %q", name, code, errs, c.code, c.msg)
		}
	}
}

// openOffice opens the database of vars as the commands did.
func openOffice(t *testing.T, vars map[string]string) *store.DB {
	t.Helper()
	keys, _ := secret.Parse(vars["ACERCATE_DATA_KEY"])
	db, err := store.Open(context.Background(), vars["ACERCATE_DB"], keys)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	return db
}

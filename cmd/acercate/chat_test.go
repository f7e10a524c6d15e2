package main

import (
	"bytes"
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// TestChat is the newcomer's first command: no token, no Redis, no data
// key. It talks as a person whose phone is in French, keeps a local key
// beside the database (readable only by its owner) and uses the same key
// on the next run, so what the first run stored still opens.
func TestChat(t *testing.T) {
	db := filepath.Join(t.TempDir(), "acercate.db")
	vars := map[string]string{"ACERCATE_DB": db}
	chat := func(input string) (string, string) {
		t.Helper()
		var out, errb bytes.Buffer
		env := &Env{Stdin: strings.NewReader(input), Stdout: &out, Stderr: &errb, Getenv: func(k string) string { return vars[k] }}
		if code := Run(context.Background(), env, []string{"chat", "--lang", "fr"}); code != 0 {
			t.Fatalf("chat exit %d: %s", code, errb.String())
		}
		return out.String(), errb.String()
	}

	out, errs := chat("2\n/loc 14.90 -92.26\n")
	if !strings.Contains(errs, "REDIS_URL is not set") {
		t.Errorf("no warning that state is not durable:\n%s", errs)
	}
	for _, want := range []string{"[2] Refuges (albergues)", "Hospitalidad y Solidaridad", "À Tapachula. Je ne connais pas l’endroit exact"} {
		if !strings.Contains(out, want) {
			t.Errorf("chat output lacks %q:\n%s", want, out)
		}
	}
	info, err := os.Stat(db + ".key")
	if err != nil {
		t.Fatal(err)
	}
	if info.Mode().Perm() != 0o600 {
		t.Errorf("local key mode %v, want 0600", info.Mode().Perm())
	}
	key, _ := os.ReadFile(db + ".key")

	// The second run opens the same database with the same key.
	out, _ = chat("/menu\n")
	if !strings.Contains(out, "[1] Mes droits") {
		t.Errorf("second run:\n%s", out)
	}
	again, _ := os.ReadFile(db + ".key")
	if !bytes.Equal(key, again) {
		t.Error("the local key changed between runs")
	}
}

func TestHelpAndVersion(t *testing.T) {
	for _, args := range [][]string{{"help"}, {"version"}} {
		var out, errb bytes.Buffer
		env := &Env{Stdin: strings.NewReader(""), Stdout: &out, Stderr: &errb, Getenv: func(string) string { return "" }}
		if code := Run(context.Background(), env, args); code != 0 || out.Len() == 0 {
			t.Errorf("%v: exit %d, output %q, errors %q", args, code, out.String(), errb.String())
		}
	}
	var out, errb bytes.Buffer
	env := &Env{Stdin: strings.NewReader(""), Stdout: &out, Stderr: &errb, Getenv: func(string) string { return "" }}
	if code := Run(context.Background(), env, []string{"nonsense"}); code != 2 {
		t.Errorf("unknown command: exit %d, want 2", code)
	}
}

package main

import (
	"bytes"
	"context"
	"go/ast"
	"go/parser"
	"go/token"
	"os"
	"path/filepath"
	"regexp"
	"sort"
	"strings"
	"testing"

	"github.com/acercate/acercate/secret"
)

// TestBadConfigCreatesNothing: every command that takes a configuration
// refuses a bad value with exit 2 and one line naming the variable before
// it opens or creates anything — no database, no WAL, no local key.
func TestBadConfigCreatesNothing(t *testing.T) {
	bad := []struct{ name, value string }{
		{"ACERCATE_STAFF_CHAT", "abc"},
		{"ACERCATE_RETENTION_TICKETS", "nunca"},
		{"ACERCATE_DATA_KEY", "short"},
		{"ACERCATE_OLD_DATA_KEY", "c2hvcnQ="},
		{"ACERCATE_STATE_TTL", "forever"},
		{"REDIS_URL", "http://x"},
		{"ACERCATE_BOT_USERNAME", "acercate"},
		{"ACERCATE_REPORT_LANG", "de"},
	}
	// Arguments each command would accept, so only the configuration is wrong.
	args := map[string][]string{
		"serve": nil, "chat": nil, "web": nil, "albergues": {"import", "-"}, "directorio": {"import", "-"}, "denuncias": {"list"},
		"staff": {"groups"}, "campaign": {"add", "feria", "--name", "Feria"}, "report": {"weekly"},
		"meta": {"set", "goal.people", "5"}, "modulo": {"add", "huixtla", "--name", "Huixtla"},
		"audit": nil, "purge": nil, "rekey": nil,
	}
	for name, cmd := range commands() {
		if cmd.bare {
			continue
		}
		if _, ok := args[name]; !ok {
			t.Errorf("command %s: add its arguments to this test", name)
			continue
		}
		for _, b := range bad {
			t.Run(name+"/"+b.name, func(t *testing.T) {
				dir := t.TempDir()
				vars := map[string]string{
					"TELEGRAM_BOT_TOKEN": "123456:ABCDEFGHIJKLMNOPQRSTUVWXYZ", "ACERCATE_DATA_KEY": secret.Generate(),
					"ACERCATE_DB": filepath.Join(dir, "acercate.db"), "ACERCATE_HTTP_ADDR": "127.0.0.1:0",
				}
				vars[b.name] = b.value
				code, out, errs := runDenunciasCLI(t, vars, append([]string{name}, args[name]...)...)
				if code != 2 || !strings.Contains(errs, b.name) || strings.Count(errs, "\n") != 1 {
					t.Errorf("exit %d, stderr %q; want 2 and one line naming %s", code, errs, b.name)
				}
				if out != "" {
					t.Errorf("output before refusing: %q", out)
				}
				if left, _ := os.ReadDir(dir); len(left) != 0 {
					t.Errorf("files created before refusing: %v", left)
				}
			})
		}
	}
}

// TestReportAfterChat is the newcomer's path: `acercate chat` keeps a key
// beside its database; `acercate report weekly` and the office's other
// tools find it without ACERCATE_DATA_KEY. Without a key file nothing
// makes one but chat, and serve names its key explicitly.
func TestReportAfterChat(t *testing.T) {
	dir := t.TempDir()
	vars := map[string]string{"ACERCATE_DB": filepath.Join(dir, "acercate.db")}
	run := func(input string, args ...string) (int, string, string) {
		t.Helper()
		return runCLIInput(t, vars, input, args...)
	}
	if code, _, errs := run("", "report", "weekly"); code != 2 || !strings.Contains(errs, "no database") {
		t.Fatalf("report before chat: %d %s", code, errs)
	}
	if code, _, errs := run("1\n", "chat"); code != 0 {
		t.Fatalf("chat: %d %s", code, errs)
	}
	code, out, errs := run("", "report", "weekly", "--format", "json")
	if code != 0 || !strings.Contains(out, `"week"`) {
		t.Fatalf("report after chat: exit %d, %s\n%s", code, errs, out)
	}
	if code, out, errs := run("", "audit"); code != 0 || !strings.Contains(out, "report.export") {
		t.Fatalf("audit after chat: exit %d, %s\n%s", code, errs, out)
	}
	// ACERCATE_DATA_KEY, when set, is the key: another one is refused.
	vars["ACERCATE_DATA_KEY"] = secret.Generate()
	if code, _, errs := run("", "report", "weekly"); code != 2 || !strings.Contains(errs, "not the key") {
		t.Fatalf("report under another key: %d %s", code, errs)
	}
	delete(vars, "ACERCATE_DATA_KEY")
	vars["TELEGRAM_BOT_TOKEN"] = "123456:ABCDEFGHIJKLMNOPQRSTUVWXYZ"
	if code, _, errs := run("", "serve"); code != 2 || !strings.Contains(errs, "ACERCATE_DATA_KEY is not set") {
		t.Fatalf("serve without ACERCATE_DATA_KEY: %d %s", code, errs)
	}

	// A database made under an explicit key has no key file: a tool
	// without the key says so and makes none.
	other := map[string]string{"ACERCATE_DB": filepath.Join(t.TempDir(), "acercate.db"), "ACERCATE_DATA_KEY": secret.Generate()}
	if code, _, errs := runDenunciasCLI(t, other, "meta", "set", "goal.people", "5"); code != 0 {
		t.Fatalf("meta set: %s", errs)
	}
	delete(other, "ACERCATE_DATA_KEY")
	if code, _, errs := runDenunciasCLI(t, other, "report", "weekly"); code != 2 || !strings.Contains(errs, "ACERCATE_DATA_KEY is not set") {
		t.Fatalf("report without any key: %d %s", code, errs)
	}
	if _, err := os.Stat(other["ACERCATE_DB"] + keyFileSuffix); !os.IsNotExist(err) {
		t.Fatalf("a key file appeared: %v", err)
	}
}

// TestConfigMatchesREADME: every variable readConfig reads has a row in
// README.md's configuration table, and every row is read.
func TestConfigMatchesREADME(t *testing.T) {
	read := map[string]bool{}
	readConfig(func(k string) string { read[k] = true; return "" })
	delete(read, "USER") // the operator's login, set by the system
	readme, err := os.ReadFile("../../README.md")
	if err != nil {
		t.Fatal(err)
	}
	row := regexp.MustCompile("(?m)^\\| `([A-Z_]+)` \\|")
	documented := map[string]bool{}
	for _, m := range row.FindAllStringSubmatch(string(readme), -1) {
		documented[m[1]] = true
	}
	var missing, stale []string
	for n := range read {
		if !documented[n] {
			missing = append(missing, n)
		}
	}
	for n := range documented {
		if !read[n] {
			stale = append(stale, n)
		}
	}
	sort.Strings(missing)
	sort.Strings(stale)
	if len(missing) > 0 || len(stale) > 0 {
		t.Errorf("README.md's configuration table: missing %v; documented but never read %v", missing, stale)
	}
}

// runCLIInput runs a command line with input on its standard input.
func runCLIInput(t *testing.T, vars map[string]string, input string, args ...string) (code int, stdout, stderr string) {
	t.Helper()
	var out, errb bytes.Buffer
	env := &Env{Stdin: strings.NewReader(input), Stdout: &out, Stderr: &errb, Getenv: func(k string) string { return vars[k] }}
	code = Run(context.Background(), env, args)
	return code, out.String(), errb.String()
}

// TestOnlyConfigReadsTheEnvironment: the commands take their settings
// from the Config: no file but main.go and config.go reaches the
// environment (the subjects' read functions get an envReader).
func TestOnlyConfigReadsTheEnvironment(t *testing.T) {
	files, err := filepath.Glob("*.go")
	if err != nil {
		t.Fatal(err)
	}
	fset := token.NewFileSet()
	for _, f := range files {
		if strings.HasSuffix(f, "_test.go") || f == "config.go" || f == "main.go" {
			continue
		}
		file, err := parser.ParseFile(fset, f, nil, 0)
		if err != nil {
			t.Fatal(err)
		}
		ast.Inspect(file, func(n ast.Node) bool {
			sel, ok := n.(*ast.SelectorExpr)
			if !ok {
				return true
			}
			switch sel.Sel.Name {
			case "Getenv", "LookupEnv", "Environ":
				t.Errorf("%s: reads the environment (%s); take the setting from the Config", fset.Position(sel.Pos()), sel.Sel.Name)
			}
			return true
		})
	}
}

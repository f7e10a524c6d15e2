package main

import (
	"strings"
	"testing"
	"time"
)

func TestPurgeDryRunThenPurgeThenAudit(t *testing.T) {
	vars := fileOneDenuncia(t) // filed 2026-11-16, with one request-log row
	vars["ACERCATE_RETENTION_REQUESTS"] = "1"
	code, out, errs := runDenunciasCLI(t, vars, "purge", "--dry-run")
	if code != 0 {
		t.Fatalf("exit %d: %s", code, errs)
	}
	if !strings.Contains(out, "requests") || !strings.Contains(out, "would remove 1") || !strings.Contains(out, "nothing was changed") {
		t.Errorf("dry run:\n%s", out)
	}
	code, out, errs = runDenunciasCLI(t, vars, "purge")
	if code != 0 || !strings.Contains(out, "removed 1") {
		t.Fatalf("purge: exit %d: %s%s", code, out, errs)
	}
	code, out, _ = runDenunciasCLI(t, vars, "purge", "--dry-run")
	if code != 0 || !strings.Contains(out, "would remove 0") {
		t.Errorf("after the purge:\n%s", out)
	}
	code, out, errs = runDenunciasCLI(t, vars, "audit", "--since", "30d")
	if code != 0 {
		t.Fatalf("audit: exit %d: %s", code, errs)
	}
	if !strings.Contains(out, "cli:ana") || !strings.Contains(out, "purge") || !strings.Contains(out, "requests=1") ||
		!strings.Contains(out, "1 entries") {
		t.Errorf("audit:\n%s", out)
	}
	code, out, _ = runDenunciasCLI(t, vars, "audit", "--action", "denuncia.view")
	if code != 0 || !strings.Contains(out, "0 entries") {
		t.Errorf("audit --action:\n%s", out)
	}
}

func TestPurgeRefusesBadRetention(t *testing.T) {
	vars := fileOneDenuncia(t)
	for _, v := range []string{"0", "-3", "diez", "1.5"} {
		vars["ACERCATE_RETENTION_DENUNCIAS"] = v
		code, _, errs := runDenunciasCLI(t, vars, "purge")
		if code != 2 || !strings.Contains(errs, "ACERCATE_RETENTION_DENUNCIAS") {
			t.Errorf("%q: exit %d, %q", v, code, errs)
		}
	}
}

func TestParseSince(t *testing.T) {
	now := time.Date(2026, 11, 22, 12, 0, 0, 0, time.UTC)
	for in, want := range map[string]time.Time{
		"":                     {},
		"72h":                  now.Add(-72 * time.Hour),
		"30d":                  now.Add(-30 * 24 * time.Hour),
		"2026-11-01":           time.Date(2026, 11, 1, 6, 0, 0, 0, time.UTC),
		"2026-11-01T10:00:00Z": time.Date(2026, 11, 1, 10, 0, 0, 0, time.UTC),
	} {
		got, err := parseSince(in, now)
		if err != nil || !got.Equal(want) {
			t.Errorf("%q = %v, %v; want %v", in, got, err, want)
		}
	}
	for _, bad := range []string{"ayer", "3x", "-5d", "0d"} {
		if _, err := parseSince(bad, now); err == nil {
			t.Errorf("%q accepted", bad)
		}
	}
}

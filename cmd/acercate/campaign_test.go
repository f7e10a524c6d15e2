package main

import (
	"image/png"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/acercate/acercate/secret"
)

func officeVars(t *testing.T) map[string]string {
	t.Helper()
	return map[string]string{"ACERCATE_DATA_KEY": secret.Generate(), "ACERCATE_DB": filepath.Join(t.TempDir(), "acercate.db")}
}

func TestModuloAndCampaignCommands(t *testing.T) {
	vars := officeVars(t)
	mustRun := func(args ...string) string {
		t.Helper()
		code, out, errs := runDenunciasCLI(t, vars, args...)
		if code != 0 {
			t.Fatalf("%v: exit %d: %s", args, code, errs)
		}
		return out
	}
	mustRun("modulo", "add", "Tapachula", "--name", "Módulo Tapachula", "--staff-chat", "-100200", "--staff-users", "11, 12")
	mustRun("modulo", "add", "--name", "Ciudad Hidalgo", "hidalgo")
	out := mustRun("modulo", "list")
	for _, want := range []string{"tapachula", "Módulo Tapachula", "-100200", "11,12", "hidalgo", "default", "2 módulos"} {
		if !strings.Contains(out, want) {
			t.Errorf("modulo list lacks %q:\n%s", want, out)
		}
	}
	mustRun("campaign", "add", "Feria_2026", "--name", "Feria de la frontera", "--modulo", "tapachula", "--starts", "2026-11-20")
	out = mustRun("campaign", "list")
	for _, want := range []string{"feria_2026", "Feria de la frontera", "tapachula", "2026-11-20", "1 campaigns"} {
		if !strings.Contains(out, want) {
			t.Errorf("campaign list lacks %q:\n%s", want, out)
		}
	}

	qr := filepath.Join(t.TempDir(), "feria.png")
	vars["ACERCATE_BOT_USERNAME"] = "@AcercateBot"
	out = mustRun("campaign", "link", "FERIA_2026", "--qr", qr, "--size", "512")
	if !strings.Contains(out, "https://t.me/AcercateBot?start=c-feria_2026\n") {
		t.Errorf("link output:\n%s", out)
	}
	f, err := os.Open(qr)
	if err != nil {
		t.Fatal(err)
	}
	img, err := png.Decode(f)
	f.Close()
	if err != nil || img.Bounds().Dx() != 512 {
		t.Fatalf("QR code: %v %v", img, err)
	}
	mqr := filepath.Join(t.TempDir(), "m.png")
	vars["ACERCATE_PUBLIC_URL"] = "https://acercate.example/"
	out = mustRun("modulo", "link", "hidalgo", "--bot", "OtroBot", "--qr", mqr)
	for _, want := range []string{"https://t.me/OtroBot?start=m-hidalgo\n", "https://acercate.example/?m=hidalgo\n", "m-web.png"} {
		if !strings.Contains(out, want) {
			t.Errorf("módulo link output lacks %q:\n%s", want, out)
		}
	}
	for _, path := range []string{mqr, strings.TrimSuffix(mqr, ".png") + "-web.png"} {
		if _, err := os.Stat(path); err != nil {
			t.Errorf("QR code %s: %v", path, err)
		}
	}
	delete(vars, "ACERCATE_PUBLIC_URL")

	for _, tc := range []struct {
		args []string
		want string
	}{
		{[]string{"campaign", "add", "feria 2026", "--name", "x"}, "may only hold"},
		{[]string{"campaign", "add", strings.Repeat("a", 63), "--name", "x"}, "longer than 62"},
		{[]string{"campaign", "add", "radio"}, "--name is required"},
		{[]string{"campaign", "add", "radio", "--name", "Radio", "--modulo", "nowhere"}, "modulo add"},
		{[]string{"campaign", "add", "radio", "--name", "Radio", "--starts", "mañana"}, "not a date"},
		{[]string{"campaign", "add", "feria_2026", "--name", "again"}, "already exists"},
		{[]string{"campaign", "link", "nope"}, "campaign list"},
		{[]string{"campaign", "link", "feria_2026", "--bot", "no"}, "not a Telegram bot username"},
		{[]string{"modulo", "add", "x", "--name", "X", "--staff-users", "1,a"}, "not a Telegram id"},
		{[]string{"modulo", "add", "tapachula", "--name", "again"}, "already exists"},
	} {
		code, _, errs := runDenunciasCLI(t, vars, tc.args...)
		if code != 2 || !strings.Contains(errs, tc.want) {
			t.Errorf("%v: exit %d, stderr %q; want 2 and %q", tc.args, code, errs, tc.want)
		}
	}
	delete(vars, "ACERCATE_BOT_USERNAME")
	if code, _, errs := runDenunciasCLI(t, vars, "campaign", "link", "feria_2026"); code != 2 || !strings.Contains(errs, "ACERCATE_BOT_USERNAME") {
		t.Errorf("link without a username: %d %s", code, errs)
	}
}

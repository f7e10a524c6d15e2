package main

import (
	"context"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/acercate/acercate/flows"
	"github.com/acercate/acercate/secret"
	"github.com/acercate/acercate/store"
)

func TestStaffCLI(t *testing.T) {
	key := secret.Generate()
	keys, _ := secret.Parse(key)
	path := filepath.Join(t.TempDir(), "acercate.db")
	ctx := context.Background()
	db, err := store.Open(ctx, path, keys)
	if err != nil {
		t.Fatal(err)
	}
	if err := db.AddModulo(ctx, store.Modulo{Code: "tapachula", Name: "Módulo Tapachula", StaffChat: -300, StaffUsers: []int64{7, 8}}); err != nil {
		t.Fatal(err)
	}
	at := time.Now().Add(-15 * time.Minute)
	first := &flows.Relay{Source: "p:1", Direction: flows.RelayIn, Kind: flows.RelayText, Text: "algo privado", At: at}
	if _, err := db.Tickets().Open(ctx, flows.NewTicket{Source: "t:p:1", Person: "p", Chat: flows.Telegram(4242), Lang: "ht",
		Modulo: "tapachula", StaffChat: -300, Priority: flows.PriorityUrgent, At: at}, first,
		flows.Request{UpdateID: 1, At: at, Person: "p", Kind: "text"}); err != nil {
		t.Fatal(err)
	}
	down := store.StaffGroupDown{Chat: -300, Failures: 4, Error: "blocked", Since: at, Next: at.Add(time.Minute)}
	if err := db.Tickets().StaffGroupFailed(ctx, down); err != nil {
		t.Fatal(err)
	}
	db.Close()
	vars := map[string]string{"ACERCATE_DATA_KEY": key, "ACERCATE_DB": path, "ACERCATE_STAFF_CHAT": "-100", "ACERCATE_STAFF_USERS": "1,2,3"}

	code, out, errs := runDenunciasCLI(t, vars, "staff", "groups")
	if code != 0 || !strings.Contains(out, "tapachula") || !strings.Contains(out, "-300") || !strings.Contains(out, "-100") {
		t.Fatalf("groups: exit %d\n%s%s", code, out, errs)
	}
	for _, line := range strings.Split(out, "\n") {
		switch {
		case strings.Contains(line, "-300") && (!strings.Contains(line, "UNREACHABLE since") || !strings.Contains(line, "4 failed tries")):
			t.Errorf("unreachable group not shown: %q", line)
		case strings.Contains(line, "-100") && !strings.HasSuffix(strings.TrimSpace(line), "ok"):
			t.Errorf("reachable group not shown ok: %q", line)
		}
	}
	code, out, errs = runDenunciasCLI(t, vars, "staff", "tickets")
	if code != 0 || !strings.Contains(out, "T1") || !strings.Contains(out, "urgent") || !strings.Contains(out, "15m0s") {
		t.Fatalf("tickets: exit %d\n%s%s", code, out, errs)
	}
	if strings.Contains(out, "privado") || strings.Contains(out, "4242") {
		t.Fatalf("personal data in the listing:\n%s", out)
	}
	if code, _, errs := runDenunciasCLI(t, vars, "staff", "nope"); code != 2 || !strings.Contains(errs, "usage") {
		t.Fatalf("bad subcommand: %d %s", code, errs)
	}
	vars["ACERCATE_STAFF_CHAT"] = "abc"
	if code, _, errs := runDenunciasCLI(t, vars, "staff", "groups"); code != 2 || !strings.Contains(errs, "ACERCATE_STAFF_CHAT") {
		t.Fatalf("bad staff chat: %d %s", code, errs)
	}
}

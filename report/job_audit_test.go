package report

import (
	"context"
	"path/filepath"
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/acercate/acercate/secret"
)

// TestWeeklyJobAuditsEachPartDelivered: every part of the Monday summary
// that reaches the coordinators is an export, audited once by "serve"
// with its week and format, also when a failed attempt is finished by
// another replica; a part that failed is not audited.
func TestWeeklyJobAuditsEachPartDelivered(t *testing.T) {
	ctx := context.Background()
	keys, _ := secret.Parse(secret.Generate())
	path := filepath.Join(t.TempDir(), "acercate.db")
	clk := &clock{t: mx(2026, 11, 23, 8, 0)}
	chat := &fakeChat{fail: "photo"}
	db := reopen(t, path, keys)
	a := newJob(t, db, chat, clk, "a")
	b := newJob(t, reopen(t, path, keys), chat, clk, "b")
	deliveries := func() []string {
		t.Helper()
		log, err := db.AuditLog(ctx, time.Time{})
		if err != nil {
			t.Fatal(err)
		}
		var out []string
		for _, e := range log {
			if e.Action == "report.deliver" {
				out = append(out, strings.Join([]string{e.Actor, e.Object, e.Detail}, " "))
			}
		}
		return out
	}
	if _, err := a.Step(ctx); err == nil {
		t.Fatal("the chart was delivered while Telegram failed")
	}
	if got, want := deliveries(), []string{"serve 2026-W47 week=2026-W47 format=text"}; !reflect.DeepEqual(got, want) {
		t.Fatalf("after a failed attempt: %q, want %q", got, want)
	}
	chat.mu.Lock()
	chat.fail = ""
	chat.mu.Unlock()
	clk.Advance(5 * time.Minute)
	if w, err := b.Step(ctx); w != "2026-W47" || err != nil {
		t.Fatalf("retry: %q %v", w, err)
	}
	want := []string{
		"serve 2026-W47 week=2026-W47 format=text",
		"serve 2026-W47 week=2026-W47 format=png",
		"serve 2026-W47 week=2026-W47 format=csv",
	}
	if got := deliveries(); !reflect.DeepEqual(got, want) {
		t.Fatalf("audited %q\nwant    %q", got, want)
	}
}

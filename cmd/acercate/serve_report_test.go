package main

import (
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/acercate/acercate/apptest"
	"github.com/acercate/acercate/bot/telegramtest"
)

func TestReportSettings(t *testing.T) {
	env := func(kv ...string) func(string) string {
		m := map[string]string{}
		for i := 0; i+1 < len(kv); i += 2 {
			m[kv[i]] = kv[i+1]
		}
		return func(k string) string { return m[k] }
	}
	c, err := readConfig(env())
	if err != nil {
		t.Fatal(err)
	}
	if s := c.Report; s.Chat != 0 || s.Hour != 8 || s.Lang != "es" {
		t.Fatalf("defaults: %+v", s)
	}
	c, err = readConfig(env("ACERCATE_COORDINATOR_CHAT", "-1001234", "ACERCATE_REPORT_HOUR", "0", "ACERCATE_REPORT_LANG", "ht"))
	if err != nil {
		t.Fatal(err)
	}
	if s := c.Report; s.Chat != -1001234 || s.Hour != 0 || s.Lang != "ht" {
		t.Fatalf("set: %+v", s)
	}
	for _, bad := range [][]string{
		{"ACERCATE_COORDINATOR_CHAT", "coordinación"}, {"ACERCATE_COORDINATOR_CHAT", "0"},
		{"ACERCATE_REPORT_HOUR", "24"}, {"ACERCATE_REPORT_HOUR", "8am"}, {"ACERCATE_REPORT_LANG", "de"},
	} {
		_, err := readConfig(env(bad...))
		var ue usageError
		if err == nil || !strings.Contains(err.Error(), bad[0]) || !asUsage(err, &ue) {
			t.Errorf("%s=%s: %v, want a usage error naming it", bad[0], bad[1], err)
		}
	}
}

// TestServeSendsWeeklySummaryOnce runs `acercate serve` with a coordinator
// chat: the previous week's summary (text, chart, CSV) reaches it through
// the bot's sender, and a restarted serve does not send it again.
// ACERCATE_REPORT_HOUR=0 makes the summary due at any time of the week.
func TestServeSendsWeeklySummaryOnce(t *testing.T) {
	if testing.Short() {
		t.Skip()
	}
	r := startRedis(t)
	tg := telegramtest.New(t)
	vars := serveVars(tg, r.url(0), t)
	const coord = -100777
	tg.Group(coord)
	vars["ACERCATE_COORDINATOR_CHAT"] = "-100777"
	vars["ACERCATE_REPORT_HOUR"] = "0"
	logs := &apptest.LogBuffer{}
	c := startServe(t, vars, logs)
	waitUntil(t, 60*time.Second, "the weekly summary", func() bool { return len(tg.BotMessages(coord)) >= 3 })
	c.cmd.Process.Signal(syscall.SIGTERM)
	if code := c.wait(20 * time.Second); code != 0 {
		t.Fatalf("exit %d:\n%s", code, logs.String())
	}
	msgs := tg.BotMessages(coord)
	if len(msgs) != 3 || !strings.Contains(msgs[0].Text, "Resumen semanal") ||
		!strings.HasSuffix(msgs[1].Photo, ".png") || !strings.HasSuffix(msgs[2].Document, ".csv") {
		t.Fatalf("coordinators got %+v", msgs)
	}
	if !strings.Contains(logs.String(), "weekly summary delivered") {
		t.Errorf("no delivery log:\n%s", logs.String())
	}

	c = startServe(t, vars, logs)
	time.Sleep(2 * time.Second)
	c.cmd.Process.Signal(syscall.SIGTERM)
	c.wait(20 * time.Second)
	if n := len(tg.BotMessages(coord)); n != 3 {
		t.Fatalf("after a restart the coordinators have %d messages, want 3", n)
	}
}

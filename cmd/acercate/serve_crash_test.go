package main

import (
	"encoding/json"
	"slices"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/acercate/acercate/apptest"
	"github.com/acercate/acercate/bot/telegramtest"
)

// baseline runs the script once without trouble and returns what each
// chat was sent: the answers a crash or an outage must still produce.
func baseline(t *testing.T, r *redisServer, db int, extra map[string]string) map[string][]string {
	t.Helper()
	tg := telegramtest.New(t)
	vars := serveVars(tg, r.url(db), t)
	for k, v := range extra {
		vars[k] = v
	}
	c := startServe(t, vars, &apptest.LogBuffer{})
	feed(tg)
	waitUntil(t, 60*time.Second, "baseline answered", func() bool { return tg.Pending() == 0 })
	c.cmd.Process.Signal(syscall.SIGTERM)
	c.wait(20 * time.Second)
	return sent(tg)
}

// compare checks that each chat got the baseline's messages in order, with
// at most one message repeated (sent, then the process died before it
// could record that). It returns how many were repeated overall.
func compare(t *testing.T, want, got map[string][]string) int {
	t.Helper()
	dups := 0
	for chat, w := range want {
		g := got[chat]
		if slices.Equal(g, w) {
			continue
		}
		ok := false
		if len(g) == len(w)+1 {
			for i := 1; i < len(g); i++ {
				if g[i] == g[i-1] && slices.Equal(slices.Delete(slices.Clone(g), i, i+1), w) {
					ok = true
					break
				}
			}
		}
		if !ok {
			t.Errorf("chat %s got %d messages, want %d:\n got  %q\n want %q", chat, len(g), len(w), g, w)
			continue
		}
		dups++
	}
	return dups
}

// Kill the process (SIGKILL) in the middle of a batch and start it again:
// every update is answered, and none twice except at most the one reply
// that was in flight at the instant of the kill — also those handled
// after a slow one, whose confirmation was waiting for it.
func TestServeSIGKILLMidBatch(t *testing.T) {
	r := startRedis(t)
	// One worker: one reply in flight at a time, so "at most one" is exact.
	// A send rate makes the batch last long enough to be cut in the middle.
	extra := map[string]string{"ACERCATE_WORKERS": "1", "ACERCATE_SEND_RATE": "150", "ACERCATE_CHAT_RATE": "0"}
	want := baseline(t, r, 1, extra)
	total := 0
	for _, w := range want {
		total += len(w)
	}

	tg := telegramtest.New(t)
	vars := serveVars(tg, r.url(2), t)
	for k, v := range extra {
		vars[k] = v
	}
	logs := &apptest.LogBuffer{}
	c := startServe(t, vars, logs)
	feed(tg)
	waitUntil(t, 30*time.Second, "a third of the replies", func() bool { return len(tg.CallsTo("sendMessage")) >= total/3 })
	c.cmd.Process.Signal(syscall.SIGKILL)
	c.wait(10 * time.Second)
	before := len(tg.CallsTo("sendMessage"))
	if before >= total {
		t.Fatalf("the kill came after the batch (%d of %d sent)", before, total)
	}
	// The offset follows the handled prefix: some updates are confirmed,
	// not those the kill cut off (the restart below finds them all).
	if tg.Pending() == 0 {
		t.Fatalf("every update confirmed though the kill came after %d of %d replies", before, total)
	}
	c2 := startServe(t, vars, logs)
	waitUntil(t, 60*time.Second, "every update answered after the restart", func() bool { return tg.Pending() == 0 })
	c2.cmd.Process.Signal(syscall.SIGTERM)
	if code := c2.wait(20 * time.Second); code != 0 {
		t.Fatalf("exit %d", code)
	}
	got := sent(tg)
	if dups := compare(t, want, got); dups > 1 {
		t.Fatalf("%d replies sent twice; at most the one in flight may be", dups)
	}
	t.Logf("killed after %d of %d replies; restart delivered the rest", before, total)
}

// Redis stops in the middle of a run and comes back: updates stay
// unconfirmed meanwhile, /readyz says why, and once Redis is back every
// update is answered, without a restart of the bot.
func TestServeRedisRestart(t *testing.T) {
	r := startRedis(t)
	extra := map[string]string{"ACERCATE_SEND_RATE": "0", "ACERCATE_CHAT_RATE": "0"}
	want := baseline(t, r, 3, extra)

	tg := telegramtest.New(t)
	vars := serveVars(tg, r.url(4), t)
	for k, v := range extra {
		vars[k] = v
	}
	logs := &apptest.LogBuffer{}
	c := startServe(t, vars, logs)
	// The first half of the script, answered; then Redis goes away.
	half := script[:len(script)/2]
	rest := script[len(script)/2:]
	feedLines(tg, half)
	waitUntil(t, 30*time.Second, "first half answered", func() bool { return tg.Pending() == 0 })
	r.stop()
	feedLines(tg, rest)
	waitUntil(t, 30*time.Second, "/readyz to say redis is down", func() bool {
		code, body := c.get("/readyz")
		return code == 503 && strings.Contains(body, "redis")
	})
	time.Sleep(500 * time.Millisecond)
	if tg.Pending() == 0 {
		t.Fatal("updates were confirmed while Redis was down")
	}
	r.start()
	waitUntil(t, 60*time.Second, "every update answered after Redis came back", func() bool { return tg.Pending() == 0 })
	waitUntil(t, 10*time.Second, "/readyz ready again", func() bool { code, _ := c.get("/readyz"); return code == 200 })
	c.cmd.Process.Signal(syscall.SIGTERM)
	if code := c.wait(20 * time.Second); code != 0 {
		t.Fatalf("exit %d", code)
	}
	got := sent(tg)
	for chat, w := range want {
		// No update lost: every answer the baseline got is there, in order
		// (one may repeat if Redis went away between a send and its record).
		if g := compactRepeats(got[chat]); !slices.Equal(g, compactRepeats(w)) {
			t.Errorf("chat %s:\n got  %q\n want %q", chat, got[chat], w)
		}
	}
}

func feedLines(tg *telegramtest.Server, lines []string) {
	for _, line := range lines {
		for _, p := range people {
			if strings.HasPrefix(line, "/") {
				tg.Command(p.ID, p, line)
			} else {
				tg.Text(p.ID, p, line)
			}
		}
	}
}

func compactRepeats(s []string) []string { return slices.Compact(slices.Clone(s)) }

// SIGTERM in the middle of a batch: receiving stops, the updates being
// handled finish, those not started stay unconfirmed, the process exits
// 0, and a restart answers the rest: every chat gets what it would have
// without the signal, nothing twice.
func TestServeSIGTERMFinishesInFlight(t *testing.T) {
	r := startRedis(t)
	extra := map[string]string{"ACERCATE_WORKERS": "2", "ACERCATE_SEND_RATE": "150", "ACERCATE_CHAT_RATE": "0"}
	want := baseline(t, r, 5, extra)
	total := 0
	for _, w := range want {
		total += len(w)
	}
	tg := telegramtest.New(t)
	vars := serveVars(tg, r.url(6), t)
	for k, v := range extra {
		vars[k] = v
	}
	logs := &apptest.LogBuffer{}
	feed(tg) // before the start, so the first batch holds every update
	c := startServe(t, vars, logs)
	waitUntil(t, 30*time.Second, "a third of the replies", func() bool { return len(tg.CallsTo("sendMessage")) >= total/3 })
	c.cmd.Process.Signal(syscall.SIGTERM)
	if code := c.wait(30 * time.Second); code != 0 {
		t.Fatalf("exit %d:\n%s", code, logs.String())
	}
	// What went out is, per chat, the start of what should have.
	for chat, got := range sent(tg) {
		if w := want[chat]; len(got) > len(w) || !slices.Equal(got, w[:len(got)]) {
			t.Fatalf("chat %s before the restart:\n got  %q\n want a prefix of %q", chat, got, w)
		}
	}
	c2 := startServe(t, vars, logs)
	waitUntil(t, 30*time.Second, "nothing pending", func() bool { return tg.Pending() == 0 })
	c2.cmd.Process.Signal(syscall.SIGTERM)
	c2.wait(20 * time.Second)
	if dups := compare(t, want, sent(tg)); dups != 0 {
		t.Fatalf("%d replies sent twice after a clean stop", dups)
	}
}

// A backlog of 50 updates from one chat, answered at Telegram's pace of a
// message a second: SIGTERM does not work through it. serve exits 0
// within 10 s (the bound the operator's orchestrator gives before
// SIGKILL), and the next process answers the rest, each once.
func TestServeSIGTERMWithABacklog(t *testing.T) {
	r := startRedis(t)
	tg := telegramtest.New(t)
	vars := serveVars(tg, r.url(8), t)
	vars["ACERCATE_LOG_LEVEL"] = "debug" // for the "update handled" lines
	p := people[0]
	const backlog = 50
	var ids []int64
	for range backlog {
		ids = append(ids, tg.Command(p.ID, p, "/menu"))
	}
	logs := &apptest.LogBuffer{}
	c := startServe(t, vars, logs)
	chat := strconv.FormatInt(p.ID, 10)
	waitUntil(t, 30*time.Second, "the first answers", func() bool { return len(sent(tg)[chat]) >= 3 })
	c.cmd.Process.Signal(syscall.SIGTERM)
	start := time.Now()
	if code := c.wait(10 * time.Second); code != 0 {
		t.Fatalf("exit %d:\n%s", code, logs.String())
	}
	t.Logf("exited %v after SIGTERM with %d of %d answered", time.Since(start).Round(time.Millisecond), len(sent(tg)[chat]), backlog)
	if tg.Pending() == 0 {
		t.Fatal("the backlog was confirmed without being answered")
	}
	vars["ACERCATE_CHAT_RATE"] = "0"
	c2 := startServe(t, vars, logs)
	waitUntil(t, 30*time.Second, "the backlog answered after the restart", func() bool { return tg.Pending() == 0 })
	c2.cmd.Process.Signal(syscall.SIGTERM)
	c2.wait(20 * time.Second)
	// Each update handled once over both processes: done before the
	// signal, or after it by the next (as a duplicate, for the one whose
	// replies were under way), never both.
	handled := map[int64]int{}
	for _, line := range strings.Split(logs.String(), "\n") {
		var m struct {
			Msg      string `json:"msg"`
			UpdateID int64  `json:"update_id"`
		}
		if json.Unmarshal([]byte(line), &m) == nil && m.Msg == "update handled" {
			handled[m.UpdateID]++
		}
	}
	for _, id := range ids {
		if handled[id] != 1 {
			t.Errorf("update %d handled %d times", id, handled[id])
		}
	}
}

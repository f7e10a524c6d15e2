package app_test

import (
	"bytes"
	"context"
	"encoding/base64"
	"encoding/json"
	"io"
	"os"
	"path/filepath"
	"reflect"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/acercate/acercate/app"
	"github.com/acercate/acercate/apptest"
	"github.com/acercate/acercate/flows"
	"github.com/acercate/acercate/hours"
	"github.com/acercate/acercate/report"
	"github.com/acercate/acercate/secret"
	"github.com/redis/go-redis/v9"
)

// The fixture in testdata/upgrade was written by the release before chat
// addresses had a channel (how: testdata/upgrade/generate). These are its
// files' shapes.
type fixtureKey struct {
	Key    string            `json:"key"`
	Type   string            `json:"type"`
	PTTLms int64             `json:"pttl_ms"`
	Hash   map[string]string `json:"hash"`
	ZSet   []struct {
		Member string  `json:"member"`
		Score  float64 `json:"score"`
	} `json:"zset"`
}

type fixture struct {
	DataKey string           `json:"data_key"`
	Prefix  string           `json:"prefix"`
	Now     time.Time        `json:"now"`
	Week    string           `json:"week"`
	People  map[string]int64 `json:"people"`
	Pending int64            `json:"pending_update"`
	Report  json.RawMessage  `json:"report"`
}

// upgraded opens the fixture's database (a copy) and Redis keys under the
// current code, as a deployment of it over the previous release would.
func upgraded(t *testing.T) (*apptest.Env, fixture, *secret.Keys) {
	t.Helper()
	var fx fixture
	readJSON(t, "testdata/upgrade/manifest.json", &fx)
	keys, err := secret.Parse(fx.DataKey)
	if err != nil {
		t.Fatal(err)
	}
	db := filepath.Join(t.TempDir(), "acercate.db")
	copyFile(t, "testdata/upgrade/acercate.sqlite", db)
	h, err := flows.ParseStaffHours("Mon-Fri 09:00-17:00")
	if err != nil {
		t.Fatal(err)
	}
	env := apptest.New(t,
		apptest.WithEngine(flows.Config{Staff: flows.StaffConfig{Chat: -100100, Users: []int64{501}, Hours: h, Lang: "es"}}),
		func(c *app.Config) { c.Keys, c.RedisPrefix, c.DBPath = keys, fx.Prefix, db })
	env.Clock.Set(fx.Now.Add(time.Minute))

	// Sealed values are bound to their key's full name, so the keys go back
	// under the fixture's own prefix, deleted when the test ends.
	ctx := context.Background()
	rdb := env.Redis.Client
	var dump []fixtureKey
	readJSON(t, "testdata/upgrade/redis.json", &dump)
	// Everything under the prefix goes, before and after: the test's own
	// events write update records there too, and one left by an earlier
	// run would make its events read as handled already.
	clear := func() {
		keys, err := rdb.Keys(context.Background(), fx.Prefix+"*").Result()
		if err == nil && len(keys) > 0 {
			rdb.Del(context.Background(), keys...)
		}
	}
	clear()
	t.Cleanup(clear)
	for _, k := range dump {
		switch k.Type {
		case "hash":
			var fields []any
			for f, v := range k.Hash {
				b, err := base64.StdEncoding.DecodeString(v)
				if err != nil {
					t.Fatal(err)
				}
				fields = append(fields, f, string(b))
			}
			err = rdb.HSet(ctx, k.Key, fields...).Err()
		case "zset":
			var zs []redis.Z
			for _, z := range k.ZSet {
				zs = append(zs, redis.Z{Member: z.Member, Score: z.Score})
			}
			err = rdb.ZAdd(ctx, k.Key, zs...).Err()
		default:
			t.Fatalf("fixture key %s of type %s", k.Key, k.Type)
		}
		if err == nil && k.PTTLms > 0 {
			err = rdb.PExpire(ctx, k.Key, time.Duration(k.PTTLms)*time.Millisecond).Err()
		}
		if err != nil {
			t.Fatal(err)
		}
	}
	return env, fx, keys
}

// TestUpgradeFromTelegramOnlyRelease: a database and Redis written by the
// release where a chat was a bare Telegram int64 keep, under addresses,
// the open ticket, the denuncia and its contact, a conversation in the
// middle of a denuncia, undelivered replies, the blocked list and the
// weekly figures — and the people who come back are counted once.
func TestUpgradeFromTelegramOnlyRelease(t *testing.T) {
	env, fx, keys := upgraded(t)
	ctx := context.Background()
	week, now := weekOf(t, fx.Week), fx.Now

	// The weekly figures, as that release computed them: every figure it
	// wrote is the same (the report may have gained figures since, the
	// schema's additions: the families flow's).
	if got := weeklyJSON(t, env, week, now); !jsonKeeps(t, fx.Report, got) {
		t.Fatalf("weekly report changed by the upgrade:\nbefore %s\nafter  %s", fx.Report, got)
	}
	// The old release's requests all came through Telegram: the channel
	// breakdown has them all there.
	rep, err := report.Build(ctx, env.Store, week, now)
	if err != nil {
		t.Fatal(err)
	}
	if len(rep.Channels) != 1 || rep.Channels[0].Key != flows.ChannelTelegram || rep.Channels[0].People != rep.Totals.People ||
		rep.Channels[0].Requests != rep.Totals.Requests || rep.Totals.Requests == 0 {
		t.Errorf("channels after the upgrade %+v, totals %+v: want every old request under telegram", rep.Channels, rep.Totals)
	}
	// The week so far, with the old release's last request in it (a report
	// counts requests before its time, and the fixture's last one is at it).
	baseline := weeklyJSON(t, env, week, env.Clock.Now())

	tg := func(role string) flows.Address { return flows.Telegram(fx.People[role]) }
	send := func(a flows.Address, ev flows.Event) []flows.Reply {
		t.Helper()
		env.Clock.Advance(3 * time.Second)
		ev.UpdateID, ev.ChatID, ev.UserID, ev.Lang = env.Clock.Now().UnixNano(), a, a, "es"
		if ev.Group {
			ev.UserID = flows.Telegram(501)
		}
		out, err := env.Engine.Handle(ctx, ev)
		if err != nil {
			t.Fatal(err)
		}
		if err := env.Engine.Delivered(ctx, ev, out.Sent+len(out.Replies)); err != nil {
			t.Fatal(err)
		}
		return out.Replies
	}

	// The open ticket: found by the person's hash, its sealed chat read as
	// their address, and what they write now reaches it.
	k, err := env.Store.Tickets().Current(ctx, keys.PersonHash(tg("ticket")))
	if err != nil || k.Code() != "T1" || k.Status != flows.TicketOpen || k.Chat != tg("ticket") || k.StaffChat != -100100 {
		t.Fatalf("ticket after the upgrade: %+v, %v", k, err)
	}
	send(tg("ticket"), flows.Event{Kind: flows.EventText, Text: "¿Me pueden ayudar pronto?"})
	relays, err := env.Store.Tickets().Relays(ctx, k.ID)
	if err != nil || len(relays) != 2 || relays[1].Direction != flows.RelayIn || relays[1].Text != "¿Me pueden ayudar pronto?" {
		t.Fatalf("relays of T1 after the person wrote again: %+v, %v", relays, err)
	}

	// The denuncia keeps its sealed contact: a status change from the
	// staff group is told to the person's Telegram chat.
	rec, err := env.Store.Denuncias().View(ctx, "DEN-2026-000001", "test")
	if err != nil || rec.Contact != tg("denuncia") || rec.Category != "robbery" {
		t.Fatalf("denuncia after the upgrade: %+v, %v", rec, err)
	}
	told := false
	for _, r := range send(flows.Telegram(-100100), flows.Event{Group: true, Kind: flows.EventCommand, Command: "estado",
		Payload: "DEN-2026-000001 en_revision"}) {
		told = told || r.ChatID == tg("denuncia") && strings.Contains(r.Text, "DEN-2026-000001")
	}
	if !told {
		t.Error("the person of the denuncia was not told of its new status")
	}

	// The conversation in the middle of a denuncia goes on where it was:
	// the place is taken and the next question (who did it) comes.
	st, ok, err := env.Engine.Store().LoadState(ctx, tg("mid_denuncia"))
	if err != nil || !ok || st.Flow != "denuncia" {
		t.Fatalf("state of the chat in the middle of a denuncia: %+v, %v, %v", st, ok, err)
	}
	step := st.Step
	out := send(tg("mid_denuncia"), flows.Event{Kind: flows.EventLocation, Location: &flows.Location{Lat: 14.91, Lon: -92.27}})
	if st, _, _ = env.Engine.Store().LoadState(ctx, tg("mid_denuncia")); st.Flow != "denuncia" || st.Step == step ||
		!strings.Contains(texts(out), "Una autoridad") {
		t.Fatalf("the denuncia did not go on (step %q → %q):\n%s", step, st.Step, texts(out))
	}

	// Replies handled but never delivered before the upgrade are delivered
	// now, to the right chat, and the update is not handled twice.
	pending := flows.Event{UpdateID: fx.Pending, ChatID: tg("pending"), UserID: tg("pending"), Lang: "es",
		Kind: flows.EventCommand, Command: "menu"}
	again, err := env.Engine.Handle(ctx, pending)
	if err != nil || !again.Duplicate || len(again.Replies) == 0 {
		t.Fatalf("the undelivered update: %+v, %v", again, err)
	}
	for _, r := range again.Replies {
		if r.ChatID != tg("pending") {
			t.Errorf("an undelivered reply goes to %v, want %v", r.ChatID, tg("pending"))
		}
	}

	// The blocked list still names the chat that blocked the bot.
	blocked, err := env.Store.BlockedChats(ctx)
	if err != nil || !slices.Contains(blocked, keys.ChatHash(tg("blocked"))) {
		t.Errorf("blocked chats after the upgrade: %v, %v", blocked, err)
	}

	// Three people came back this week: still the same people.
	var before, after struct {
		Totals struct{ People, Requests int } `json:"totals"`
	}
	json.Unmarshal(baseline, &before)
	json.Unmarshal(weeklyJSON(t, env, week, env.Clock.Now()), &after)
	if after.Totals.People != before.Totals.People || after.Totals.Requests <= before.Totals.Requests {
		t.Errorf("people %d → %d, requests %d → %d: a returning Telegram person counted again, or nothing logged",
			before.Totals.People, after.Totals.People, before.Totals.Requests, after.Totals.Requests)
	}
}

func weeklyJSON(t *testing.T, env *apptest.Env, week hours.Week, now time.Time) []byte {
	t.Helper()
	rep, err := report.Build(context.Background(), env.Store, week, now)
	if err != nil {
		t.Fatal(err)
	}
	var b bytes.Buffer
	if err := report.WriteJSON(&b, rep); err != nil {
		t.Fatal(err)
	}
	return b.Bytes()
}

func weekOf(t *testing.T, s string) hours.Week {
	t.Helper()
	w := hours.Of(apptest.Start)
	if w.String() != s {
		t.Fatalf("fixture week %s, the clock's %s", s, w)
	}
	return w
}

func jsonEqual(t *testing.T, a, b []byte) bool {
	t.Helper()
	var x, y any
	if err := json.Unmarshal(a, &x); err != nil {
		t.Fatal(err)
	}
	if err := json.Unmarshal(b, &y); err != nil {
		t.Fatal(err)
	}
	xs, _ := json.Marshal(x)
	ys, _ := json.Marshal(y)
	return bytes.Equal(xs, ys)
}

// jsonKeeps reports whether report b says everything report a says: every
// field of a with the same value in b, arrays of the same length, except
// the goals, to which a release may add one at the end.
func jsonKeeps(t *testing.T, a, b []byte) bool {
	t.Helper()
	var x, y any
	if err := json.Unmarshal(a, &x); err != nil {
		t.Fatal(err)
	}
	if err := json.Unmarshal(b, &y); err != nil {
		t.Fatal(err)
	}
	var keeps func(key string, x, y any) bool
	keeps = func(key string, x, y any) bool {
		switch x := x.(type) {
		case map[string]any:
			ym, ok := y.(map[string]any)
			if !ok {
				return false
			}
			for k, v := range x {
				if w, ok := ym[k]; !ok || !keeps(k, v, w) {
					return false
				}
			}
			return true
		case []any:
			ya, ok := y.([]any)
			if !ok || len(ya) < len(x) || (len(ya) > len(x) && key != "goals") {
				return false
			}
			for i := range x {
				if !keeps("", x[i], ya[i]) {
					return false
				}
			}
			return true
		}
		return reflect.DeepEqual(x, y)
	}
	return keeps("", x, y)
}

func texts(rs []flows.Reply) string {
	var b strings.Builder
	for _, r := range rs {
		b.WriteString(r.Text)
		for _, row := range r.Buttons {
			for _, btn := range row {
				b.WriteString("\n[" + btn.Label + "]")
			}
		}
		b.WriteString("\n----\n")
	}
	return b.String()
}

func readJSON(t *testing.T, path string, v any) {
	t.Helper()
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	if err := json.Unmarshal(b, v); err != nil {
		t.Fatalf("%s: %v", path, err)
	}
}

func copyFile(t *testing.T, from, to string) {
	t.Helper()
	in, err := os.Open(from)
	if err != nil {
		t.Fatal(err)
	}
	defer in.Close()
	out, err := os.Create(to)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := io.Copy(out, in); err != nil {
		t.Fatal(err)
	}
	if err := out.Close(); err != nil {
		t.Fatal(err)
	}
}

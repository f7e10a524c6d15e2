// Package generate writes the upgrade fixture in app/testdata/upgrade with
// the code of the release BEFORE chat addresses had a channel (main at
// 1f95711, where a chat was a bare Telegram int64). It is kept under
// testdata so the current tree never compiles it: it only builds against
// that release. To make the fixture again:
//
//	git archive 1f95711 | tar -x -C /tmp/old
//	mkdir /tmp/old/app/generate
//	cp app/testdata/upgrade/generate/generate_test.go /tmp/old/app/generate/
//	(cd /tmp/old && go test ./app/generate -count=1 -args -out "$OLDPWD/app/testdata/upgrade")
//
// It plays, through that release's real engine, store and embedded Redis:
// twelve people reading rights and searching albergues, a person who opens
// a ticket (T1, open), a person who files a denuncia asking to be
// contacted, a person in the middle of a denuncia (state in Redis), a
// person whose last update's replies were never marked delivered, and a
// person who blocked the bot; then writes the database (VACUUM INTO), a
// dump of every Redis key with its TTL, and manifest.json with the data
// key, the clock and the weekly report that release computed.
package generate

import (
	"context"
	"encoding/base64"
	"encoding/json"
	"flag"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/acercate/acercate/app"
	"github.com/acercate/acercate/apptest"
	"github.com/acercate/acercate/flows"
	"github.com/acercate/acercate/hours"
	"github.com/acercate/acercate/report"
	"github.com/acercate/acercate/secret"
	"github.com/acercate/acercate/term"
)

var out = flag.String("out", "", "directory to write the fixture to")

// Prefix is the Redis key prefix of the fixture: sealed values are bound
// to their key's full name, so the upgrade test loads them under it.
const Prefix = "acercate-upgrade:"

type redisKey struct {
	Key    string            `json:"key"`
	Type   string            `json:"type"`
	PTTLms int64             `json:"pttl_ms"`
	Hash   map[string]string `json:"hash,omitempty"` // field → base64 value
	ZSet   []zMember         `json:"zset,omitempty"`
}

type zMember struct {
	Member string  `json:"member"`
	Score  float64 `json:"score"`
}

type manifest struct {
	Commit  string           `json:"commit"`
	DataKey string           `json:"data_key"`
	Prefix  string           `json:"prefix"`
	Now     time.Time        `json:"now"`
	Week    string           `json:"week"`
	People  map[string]int64 `json:"people"`
	Pending int64            `json:"pending_update"`
	Report  json.RawMessage  `json:"report"`
}

func TestGenerate(t *testing.T) {
	if *out == "" {
		t.Skip("-out not given")
	}
	ctx := context.Background()
	dataKey := secret.Generate()
	keys, err := secret.Parse(dataKey)
	if err != nil {
		t.Fatal(err)
	}
	h, err := flows.ParseStaffHours("Mon-Fri 09:00-17:00")
	if err != nil {
		t.Fatal(err)
	}
	env := apptest.New(t,
		apptest.WithEngine(flows.Config{Staff: flows.StaffConfig{Chat: -100100, Users: []int64{501}, Hours: h, Lang: "es"}}),
		func(c *app.Config) { c.Keys, c.RedisPrefix = keys, Prefix })
	people := map[string]int64{"ticket": 4242, "denuncia": 5151, "mid_denuncia": 6161, "pending": 7171, "blocked": 8181}
	play := func(chat int64, lang string, lines ...string) {
		t.Helper()
		s := term.NewSession(env.Engine, chat, lang)
		s.Now = env.Clock.Now
		last := ""
		for _, l := range lines {
			// A "[label]" must be a button of the last answer, or the
			// fixture would not be the conversation it says it is.
			if strings.HasPrefix(l, "[") && !strings.Contains(last, "] "+l[1:len(l)-1]+"\n") {
				t.Fatalf("%d: no button %s in:\n%s", chat, l, last)
			}
			env.Clock.Advance(3 * time.Second)
			answer, err := s.Send(ctx, l)
			if err != nil {
				t.Fatalf("%d %q: %v", chat, l, err)
			}
			last = answer
		}
	}
	langs := []string{"es", "en", "fr", "ht", "pt"}
	for i := int64(0); i < 12; i++ {
		lang := langs[i%5]
		play(1001+i, lang, "/start", "1", "1") // rights, its first topic
		play(1001+i, lang, "albergue", "[Palenque]")
	}
	play(4242, "es", "/start", "[Hablar con una persona]", "Necesito saber cómo pedir refugio en Tapachula")
	play(5151, "es", "/start", "[Hacer una denuncia]", "[Empezar]", "[Robo o asalto]", "[Hoy]", "/loc 14.91 -92.27",
		"[Una autoridad]", "[INM (Migración)]", "Me pararon en un retén y me quitaron mi dinero y mi teléfono.",
		"[✅ Listo]", "[No tengo fotos]", "[💬 Sí, que me escriban aquí]", "[📨 Enviar la denuncia]")
	play(6161, "es", "/start", "[Hacer una denuncia]", "[Empezar]", "[Robo o asalto]", "[Hoy]")
	play(7171, "es", "/start")
	// An update handled whose replies were never delivered (the process
	// stopped first): its replies wait, sealed, in Redis.
	env.Clock.Advance(3 * time.Second)
	pending := int64(7171_000_001)
	if _, err := env.Engine.Handle(ctx, flows.Event{UpdateID: pending, ChatID: 7171, UserID: 7171, Lang: "es",
		Kind: flows.EventCommand, Command: "menu", Time: env.Clock.Now()}); err != nil {
		t.Fatal(err)
	}
	play(8181, "es", "/start")
	if err := env.Store.MarkBlocked(ctx, keys.ChatHash(8181)); err != nil {
		t.Fatal(err)
	}

	now := env.Clock.Now()
	week := hours.Of(now)
	rep, err := report.Build(ctx, env.Store, week, now)
	if err != nil {
		t.Fatal(err)
	}
	var repJSON strings.Builder
	if err := report.WriteJSON(&repJSON, rep); err != nil {
		t.Fatal(err)
	}

	dump := dumpRedis(t, env)
	if err := os.MkdirAll(*out, 0o755); err != nil {
		t.Fatal(err)
	}
	dbPath := filepath.Join(*out, "acercate.sqlite") // not .db, which .gitignore leaves out
	os.Remove(dbPath)
	if _, err := env.Store.SQL().ExecContext(ctx, `VACUUM INTO ?`, dbPath); err != nil {
		t.Fatal(err)
	}
	write(t, filepath.Join(*out, "redis.json"), dump)
	write(t, filepath.Join(*out, "manifest.json"), manifest{Commit: "1f95711", DataKey: dataKey, Prefix: Prefix,
		Now: now, Week: week.String(), People: people, Pending: pending, Report: json.RawMessage(repJSON.String())})
}

func dumpRedis(t *testing.T, env *apptest.Env) []redisKey {
	ctx := context.Background()
	rdb := env.Redis.Client
	var keys []redisKey
	iter := rdb.Scan(ctx, 0, Prefix+"*", 1000).Iterator()
	for iter.Next(ctx) {
		k := redisKey{Key: iter.Val()}
		typ, err := rdb.Type(ctx, k.Key).Result()
		if err != nil {
			t.Fatal(err)
		}
		k.Type = typ
		ttl, err := rdb.PTTL(ctx, k.Key).Result()
		if err != nil {
			t.Fatal(err)
		}
		k.PTTLms = ttl.Milliseconds()
		switch typ {
		case "hash":
			m, err := rdb.HGetAll(ctx, k.Key).Result()
			if err != nil {
				t.Fatal(err)
			}
			k.Hash = map[string]string{}
			for f, v := range m {
				k.Hash[f] = base64.StdEncoding.EncodeToString([]byte(v))
			}
		case "zset":
			zs, err := rdb.ZRangeWithScores(ctx, k.Key, 0, -1).Result()
			if err != nil {
				t.Fatal(err)
			}
			for _, z := range zs {
				k.ZSet = append(k.ZSet, zMember{Member: z.Member.(string), Score: z.Score})
			}
		default:
			t.Fatalf("key %s of type %s: not dumped", k.Key, typ)
		}
		keys = append(keys, k)
	}
	if err := iter.Err(); err != nil {
		t.Fatal(err)
	}
	return keys
}

func write(t *testing.T, path string, v any) {
	b, err := json.MarshalIndent(v, "", "  ")
	if err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(path, append(b, '\n'), 0o644); err != nil {
		t.Fatal(err)
	}
}

package report

import (
	"context"
	"fmt"
	"math/rand/v2"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/acercate/acercate/hours"
	"github.com/acercate/acercate/secret"
	"github.com/acercate/acercate/store"
)

// benchWeek is the week the benchmarks report on; the request log runs
// for benchWeeks weeks up to its end.
var benchWeek = hours.Week{Year: 2026, Num: 47}

// seedRequests writes n request-log rows spread over weeks weeks ending
// with benchWeek, from people distinct people, the way the flows log them
// (rights topics, shelter searches, emergencies, denuncia steps, menus),
// in one transaction with one prepared statement, then their rollups in
// one statement each; plus denuncias and tickets in proportion.
func seedRequests(tb testing.TB, db *store.DB, keys *secret.Keys, n, people, weeks int) {
	tb.Helper()
	ctx := context.Background()
	rng := rand.New(rand.NewPCG(1, 2))
	persons := make([]string, people)
	for i := range persons {
		persons[i] = keys.Hash("person", fmt.Sprint(100000+i))
	}
	topics := []string{"status", "asylum", "health", "education", "work", "detained", "children", "victims", "trafficking"}
	cities := []string{"city=tapachula", "city=tapachula;filter=women", "by_location", "city=arriaga", "city=palenque",
		"city=tuxtla", "city=comitan", "city=unknown", "city=huixtla"}
	langs := []string{"es", "es", "es", "ht", "ht", "fr", "en", "pt"}
	campaigns := []string{"", "", "", "", "feria", "radio", "lona-tapachula", "triptico", "carteles-hidalgo", "escuela"}
	modulos := []string{"", "", "", "", "", "tapachula", "hidalgo", "palenque", "arriaga", "comitan"}
	start := benchWeek.Start().AddDate(0, 0, -7*(weeks-1)).UnixMilli()
	span := benchWeek.End().UnixMilli() - start

	sqldb := db.SQL()
	tx, err := sqldb.BeginTx(ctx, nil)
	if err != nil {
		tb.Fatal(err)
	}
	st, err := tx.PrepareContext(ctx, `INSERT INTO requests (update_id, at, person, kind, flow, topic, detail, lang, campaign, modulo)
		VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`)
	if err != nil {
		tb.Fatal(err)
	}
	for i := 0; i < n; i++ {
		p := rng.IntN(people)
		at := start + rng.Int64N(span)
		lang := langs[p%len(langs)]
		c, m := campaigns[p%len(campaigns)], modulos[(p/7)%len(modulos)]
		flow, topic, detail := "menu", "", ""
		switch x := rng.IntN(100); {
		case x < 5:
			flow, topic = "start", "first"
			if c != "" {
				detail = "c"
			}
		case x < 35:
			flow, topic = "rights", topics[rng.IntN(len(topics))]
			if rng.IntN(4) == 0 {
				detail = "2"
			}
		case x < 55:
			flow, topic, detail = "albergues", "search", cities[rng.IntN(len(cities))]
		case x < 57:
			flow, topic, detail = "emergency", "help", []string{"text", "button", "command"}[rng.IntN(3)]
		case x < 67:
			flow, topic, detail = "denuncia", []string{"cat", "when", "where", "who", "text"}[rng.IntN(5)], "robbery"
		}
		if _, err := st.ExecContext(ctx, i+1, at, persons[p], "button", flow, topic, detail, lang, c, m); err != nil {
			tb.Fatal(err)
		}
	}
	st.Close()
	// The report's rollups, as the store's writers keep them.
	if err := store.RollUpRequests(ctx, tx, 1, int64(n)); err != nil {
		tb.Fatal(err)
	}
	cats := []string{"robbery", "extortion", "kidnapping", "sexual", "trafficking", "authority", "discrimination", "disappearance", "other"}
	muns := []string{"tapachula", "suchiate", "huixtla", "arriaga", "tuxtla", "other"}
	for i := 0; i < n/100; i++ {
		at := start + rng.Int64N(span)
		if _, err := tx.ExecContext(ctx, `INSERT INTO denuncias (folio, source, created, updated, category, occurred, municipality,
			perpetrator, lang, campaign, modulo, person) VALUES (?, ?, ?, ?, ?, 'earlier', ?, ?, ?, ?, ?, ?)`,
			fmt.Sprintf("DEN-2026-%06d", i+1), fmt.Sprint("s", i), at, at, cats[rng.IntN(len(cats))], muns[rng.IntN(len(muns))],
			[]string{"authority", "crime", "private", "unknown"}[rng.IntN(4)], langs[rng.IntN(len(langs))], campaigns[rng.IntN(len(campaigns))],
			modulos[rng.IntN(len(modulos))], persons[rng.IntN(people)]); err != nil {
			tb.Fatal(err)
		}
	}
	if _, err := tx.ExecContext(ctx, `CREATE TABLE IF NOT EXISTS tickets (
		id INTEGER PRIMARY KEY AUTOINCREMENT, source TEXT NOT NULL UNIQUE, person TEXT NOT NULL, chat TEXT NOT NULL,
		lang TEXT NOT NULL DEFAULT '', modulo TEXT NOT NULL DEFAULT '', campaign TEXT NOT NULL DEFAULT '',
		staff_chat INTEGER NOT NULL, opened_at INTEGER NOT NULL, first_response_at INTEGER, closed_at INTEGER)`); err != nil {
		tb.Fatal(err)
	}
	for i := 0; i < n/200; i++ {
		at := start + rng.Int64N(span)
		first := at + rng.Int64N(3*3600*1000)
		if _, err := tx.ExecContext(ctx, `INSERT INTO tickets (source, person, chat, lang, modulo, campaign, staff_chat, opened_at,
			first_response_at, closed_at) VALUES (?, ?, 'x', ?, ?, ?, -1, ?, ?, ?)`, fmt.Sprint("t", i), persons[rng.IntN(people)],
			langs[rng.IntN(len(langs))], modulos[rng.IntN(len(modulos))], campaigns[rng.IntN(len(campaigns))], at, first, first+3600*1000); err != nil {
			tb.Fatal(err)
		}
	}
	if err := tx.Commit(); err != nil {
		tb.Fatal(err)
	}
	if _, err := sqldb.ExecContext(ctx, `ANALYZE`); err != nil {
		tb.Fatal(err)
	}
}

// benchDB returns a database with a million logged requests. With
// ACERCATE_BENCH_DB set it is kept there (and reused), so the same data can
// be timed through the binary: ACERCATE_DB=$ACERCATE_BENCH_DB acercate
// report weekly --week 2026-W47, with ACERCATE_DATA_KEY from $ACERCATE_BENCH_DB.key.
func benchDB(b *testing.B, weeks int) *store.DB {
	b.Helper()
	path := os.Getenv("ACERCATE_BENCH_DB")
	if path == "" {
		path = filepath.Join(b.TempDir(), "bench.db")
	} else {
		path = fmt.Sprintf("%s.%dw", path, weeks)
	}
	keyFile := path + ".key"
	fresh := false
	raw, err := os.ReadFile(keyFile)
	if err != nil {
		raw = []byte(secret.Generate())
		os.Remove(path)
		if err := os.WriteFile(keyFile, raw, 0o600); err != nil {
			b.Fatal(err)
		}
		fresh = true
	}
	keys, err := secret.Parse(string(raw))
	if err != nil {
		b.Fatal(err)
	}
	db, err := store.Open(context.Background(), path, keys)
	if err != nil {
		b.Fatal(err)
	}
	b.Cleanup(func() { db.Close() })
	if fresh {
		t0 := time.Now()
		seedRequests(b, db, keys, 1_000_000, 100_000, weeks)
		b.Logf("seeded 1,000,000 requests over %d weeks in %v", weeks, time.Since(t0).Round(time.Millisecond))
	}
	return db
}

// BenchmarkWeeklyReport builds week 2026-W47's report over a million
// logged requests: spread over a year (the reported week holds ~19,000),
// and packed into two weeks (the reported week holds ~500,000). Target:
// under 2 s and 200 MB.
func BenchmarkWeeklyReport(b *testing.B) {
	for _, weeks := range []int{52, 2} {
		b.Run(fmt.Sprintf("1M_requests_over_%d_weeks", weeks), func(b *testing.B) {
			db := benchDB(b, weeks)
			now := benchWeek.End().Add(8 * time.Hour)
			b.ReportAllocs()
			b.ResetTimer()
			for i := 0; i < b.N; i++ {
				if _, err := Build(context.Background(), db, benchWeek, now); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}

package store

import (
	"context"
	"fmt"
	"path/filepath"
	"reflect"
	"sort"
	"sync"
	"sync/atomic"
	"syscall"
	"testing"
	"time"

	"github.com/acercate/acercate/flows"
	"github.com/acercate/acercate/hours"
	"github.com/acercate/acercate/secret"
)

// The person_years trigger computes the year with a fixed UTC−6; it must
// agree with the hours package (America/Mexico_City) at the year's edges.
func TestYearDataCountsPeopleByMexicoCityYear(t *testing.T) {
	db := openTest(t)
	ctx := context.Background()
	mx := hours.Zone()
	log := func(update int64, person string, at time.Time) {
		t.Helper()
		if err := db.LogRequest(ctx, flows.Request{UpdateID: update, At: at, Person: person, Kind: "text"}); err != nil {
			t.Fatal(err)
		}
	}
	log(1, "a", time.Date(2026, 12, 31, 23, 30, 0, 0, mx)) // 05:30 UTC on 1 January 2027
	log(2, "b", time.Date(2027, 1, 1, 0, 30, 0, 0, mx))
	log(3, "a", time.Date(2027, 1, 2, 10, 0, 0, 0, mx))
	log(4, "c", time.Date(2027, 1, 20, 10, 0, 0, 0, mx))
	log(5, "c", time.Date(2027, 1, 5, 10, 0, 0, 0, mx)) // an earlier row written later

	y27 := hours.YearStart(time.Date(2027, 6, 1, 0, 0, 0, 0, mx))
	for _, tc := range []struct {
		to   time.Time
		want int
	}{
		{time.Date(2027, 1, 1, 0, 0, 0, 0, mx), 0},
		{time.Date(2027, 1, 2, 0, 0, 0, 0, mx), 1},  // b
		{time.Date(2027, 1, 3, 0, 0, 0, 0, mx), 2},  // b, a
		{time.Date(2027, 1, 6, 0, 0, 0, 0, mx), 3},  // c from the 5th
		{time.Date(2027, 12, 1, 0, 0, 0, 0, mx), 3}, // c once
	} {
		y, err := db.YearData(ctx, y27, tc.to)
		if err != nil {
			t.Fatal(err)
		}
		if y.People != tc.want {
			t.Errorf("people of 2027 before %v = %d, want %d", tc.to, y.People, tc.want)
		}
	}
	y, err := db.YearData(ctx, hours.YearStart(time.Date(2026, 6, 1, 0, 0, 0, 0, mx)), time.Date(2027, 1, 1, 0, 0, 0, 0, mx))
	if err != nil || y.People != 1 {
		t.Errorf("people of 2026 = %d, %v; want 1 (a, Thursday 31 December 23:30)", y.People, err)
	}
}

// The rollups must give exactly what a scan of the request log gives, for
// every whole week, including rows at the weeks' edges in Mexico City time
// and rows written out of order, by 16 writers at once (the rows share
// group commits, a row logged again among them).
func TestRollupsMatchTheRequestLog(t *testing.T) {
	db := openTest(t)
	ctx := context.Background()
	mx := hours.Zone()
	first := hours.Week{Year: 2026, Num: 44}
	start := first.Start()
	flowsOf := []struct{ flow, topic, detail string }{
		{"rights", "asylum", ""}, {"rights", "asylum", "2"}, {"rights", "", ""}, {"albergues", "search", "city=tapachula;filter=women"},
		{"albergues", "ask", "filter=women"}, {"emergency", "help", "text"}, {"denuncia", "when", "2026-11-01"}, {"menu", "", ""},
		{"start", "first", "c"}, {"human", "open", "x"},
	}
	langs := []string{"es", "fr", "ht", ""}
	var update int64
	var reqs []flows.Request
	for i := 0; i < 3000; i++ {
		update++
		// Spread over four weeks, with a share at 23:59 Sunday and 00:00 Monday.
		at := start.Add(time.Duration(i*7919%(28*24*60)) * time.Minute)
		switch i % 50 {
		case 0:
			at = first.Next().Start().Add(-time.Minute)
		case 1:
			at = first.Next().Start()
		}
		f := flowsOf[i%len(flowsOf)]
		r := flows.Request{UpdateID: update, At: at, Person: fmt.Sprint("p", i*31%97), Kind: "text", Flow: f.flow, Topic: f.topic,
			Detail: f.detail, Lang: langs[i%len(langs)], Campaign: []string{"", "feria", "radio"}[i%3], Modulo: []string{"", "tapachula"}[i%2],
			Channel: []string{"telegram", "web", "telegram", "", "web"}[i%5]}
		reqs = append(reqs, r)
		if i%10 == 0 { // the same update again: ignored by both
			reqs = append(reqs, r)
		}
	}
	var wg sync.WaitGroup
	for w := range 16 {
		wg.Go(func() {
			for i := w; i < len(reqs); i += 16 {
				if err := db.LogRequest(ctx, reqs[i]); err != nil {
					t.Error(err)
					return
				}
			}
		})
	}
	wg.Wait()
	norm := func(d *ReportData) string {
		sort.Slice(d.Segments, func(i, j int) bool {
			return d.Segments[i].Dim+"\x00"+d.Segments[i].Key < d.Segments[j].Dim+"\x00"+d.Segments[j].Key
		})
		sort.Slice(d.Requests, func(i, j int) bool { return fmt.Sprint(d.Requests[i]) < fmt.Sprint(d.Requests[j]) })
		return fmt.Sprintf("%+v", *d)
	}
	for w := first.Prev(); w != first.Next().Next().Next().Next(); w = w.Next() {
		if _, ok := rollupWeek(w.Start(), w.End()); !ok {
			t.Fatalf("%s is not a rollup week", w)
		}
		fast, err := db.reportData(ctx, w.Start(), w.End(), true)
		if err != nil {
			t.Fatal(err)
		}
		slow, err := db.reportData(ctx, w.Start(), w.End(), false)
		if err != nil {
			t.Fatal(err)
		}
		if a, b := norm(fast), norm(slow); a != b {
			t.Errorf("%s: rollups\n%s\nrequest log\n%s", w, a, b)
		}
		if w != first.Prev() && slow.People == 0 {
			t.Errorf("%s has no people: the test data misses it", w)
		}
	}
	// Not whole weeks: the current week so far, a week shifted by an hour.
	for _, r := range [][2]time.Time{
		{first.Start(), first.Start().Add(50 * time.Hour)},
		{first.Start().Add(time.Hour), first.End().Add(time.Hour)},
		{time.Date(2026, 11, 2, 0, 0, 0, 0, time.UTC), time.Date(2026, 11, 9, 0, 0, 0, 0, time.UTC)},
	} {
		if _, ok := rollupWeek(r[0], r[1]); ok {
			t.Errorf("%v–%v taken for a whole week", r[0].In(mx), r[1].In(mx))
		}
	}
}

// BenchmarkLogRequest is logging one request, the bot's hot path, with
// its rollups (request_days, person_weeks, person_kind_weeks,
// person_years, counted once per commit) and the attribution trigger:
// one writer at a time (each row its own commit) and 32 at once (the
// bot's workers, sharing commits).
func BenchmarkLogRequest(b *testing.B) {
	for _, mode := range []string{"serial", "parallel"} {
		b.Run(mode, func(b *testing.B) {
			keys, _ := secret.Parse(secret.Generate())
			ctx := context.Background()
			db, err := Open(ctx, filepath.Join(b.TempDir(), "bench.db"), keys)
			if err != nil {
				b.Fatal(err)
			}
			defer db.Close()
			at := time.Date(2026, 11, 16, 16, 0, 0, 0, time.UTC)
			var next atomic.Int64
			row := func() {
				i := next.Add(1)
				// Keyed hashes, as the engine logs them: random places
				// in the indexes on person.
				err := db.LogRequest(ctx, flows.Request{UpdateID: i, At: at.Add(time.Duration(i) * time.Second),
					Person: keys.Hash("person", fmt.Sprint(i%5000)), Kind: "button", Flow: "rights", Topic: "asylum", Lang: "es", Campaign: "feria"})
				if err != nil {
					b.Error(err)
				}
			}
			b.ReportAllocs()
			cpu := cpuTime()
			b.ResetTimer()
			if mode == "serial" {
				for i := 0; i < b.N; i++ {
					row()
				}
			} else {
				b.SetParallelism(16)
				b.RunParallel(func(pb *testing.PB) {
					for pb.Next() {
						row()
					}
				})
			}
			b.StopTimer()
			b.ReportMetric(float64((cpuTime()-cpu).Microseconds())/float64(b.N), "cpu-µs/row")
		})
	}
}

// cpuTime is the process's CPU time so far (user + system): per row, a
// figure the machine's other load moves less than the time per row.
func cpuTime() time.Duration {
	var ru syscall.Rusage
	syscall.Getrusage(syscall.RUSAGE_SELF, &ru)
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}

// TestRollupsFollowTheDefinition: a database whose rollups were kept by
// a trigger an earlier release wrote (the text of migration 00043 as it
// was) loses the trigger at open, keeps the counts it had, and counts
// each row once from then on as flows.RequestKinds defines (the families
// flow with its topic), in request_days and in person_kind_weeks.
func TestRollupsFollowTheDefinition(t *testing.T) {
	ctx := context.Background()
	keys, err := secret.Parse(secret.Generate())
	if err != nil {
		t.Fatal(err)
	}
	path := filepath.Join(t.TempDir(), "acercate.db")
	db, err := Open(ctx, path, keys)
	if err != nil {
		t.Fatal(err)
	}
	old := `CREATE TRIGGER report_rollups AFTER INSERT ON requests
BEGIN
    INSERT INTO request_days (day, flow, topic, detail, lang, campaign, modulo, n)
    VALUES ((NEW.at / 1000 - 21600) / 86400, NEW.flow,
            CASE WHEN NEW.flow IN ('rights', 'albergues', 'emergency', 'human') THEN NEW.topic ELSE '' END,
            CASE WHEN (NEW.flow = 'albergues' AND NEW.topic = 'search') OR NEW.flow = 'emergency'
                      OR (NEW.flow = 'rights' AND NEW.detail = '') THEN NEW.detail ELSE '-' END,
            NEW.lang, NEW.campaign, NEW.modulo, 1)
    ON CONFLICT (day, flow, topic, detail, lang, campaign, modulo) DO UPDATE SET n = n + 1;
    INSERT OR IGNORE INTO person_weeks (week, person, lang, campaign, modulo)
    VALUES (((NEW.at / 1000 - 21600) / 86400 + 3) / 7, NEW.person, NEW.lang, NEW.campaign, NEW.modulo);
END`
	if _, err := db.db.ExecContext(ctx, old); err != nil {
		t.Fatal(err)
	}
	at := time.Date(2026, 11, 17, 15, 0, 0, 0, time.UTC)
	log := func(db *DB, id int64, flow, topic string) {
		t.Helper()
		if err := db.LogRequest(ctx, flows.Request{UpdateID: id, At: at, Person: "p", Flow: flow, Topic: topic, Lang: "es"}); err != nil {
			t.Fatal(err)
		}
	}
	// The earlier release's writer: its rows counted by its trigger alone.
	for i, r := range [][2]string{{"rights", "asylum"}, {"families", "remains"}} { // the old trigger drops its topic
		if _, err := db.db.ExecContext(ctx, `INSERT INTO requests (update_id, at, person, kind, flow, topic, lang)
			VALUES (?, ?, 'p', '', ?, ?, 'es')`, i+1, at.UnixMilli(), r[0], r[1]); err != nil {
			t.Fatal(err)
		}
	}
	db.Close()

	db2, err := Open(ctx, path, keys)
	if err != nil {
		t.Fatal(err)
	}
	defer db2.Close()
	log(db2, 3, "families", "missing")
	rows, err := db2.db.QueryContext(ctx, `SELECT flow, topic, n FROM request_days ORDER BY flow, topic`)
	if err != nil {
		t.Fatal(err)
	}
	var got []string
	for rows.Next() {
		var flow, topic string
		var n int
		rows.Scan(&flow, &topic, &n)
		got = append(got, fmt.Sprintf("%s/%s=%d", flow, topic, n))
	}
	rows.Close()
	if want := []string{"families/=1", "families/missing=1", "rights/asylum=1"}; !reflect.DeepEqual(got, want) {
		t.Errorf("request_days %v, want %v", got, want)
	}
	var kinds int
	db2.db.QueryRowContext(ctx, `SELECT count(*) FROM person_kind_weeks WHERE kind = 'families' AND person = 'p'`).Scan(&kinds)
	if kinds != 1 {
		t.Errorf("person_kind_weeks: %d families rows for p, want 1", kinds)
	}
}

package store_test

import (
	"context"
	"reflect"
	"testing"
	"time"

	"github.com/acercate/acercate/apptest"
	"github.com/acercate/acercate/flows"
)

// TestForgetBlursRequestTimes: after /borrar the person's request-log
// rows keep only their Mexico City day and no update id, so they cannot
// be matched to anything else kept with its exact time (a denuncia's
// filing); the weekly report and the year's count read the same as
// before, from the rollups and from the log (read from one Mexico City
// midnight to another, or to now, as the report does).
func TestForgetBlursRequestTimes(t *testing.T) {
	db, _ := openClocked(t)
	ctx := context.Background()
	weekStart := apptest.Start.Add(-10 * time.Hour) // Monday 00:00 in Mexico City
	for i, r := range []struct {
		at     time.Duration // after weekStart
		person string
	}{
		{-30 * time.Minute, "p"},                   // Sunday 23:30 of the week before
		{10*time.Hour + 123*time.Millisecond, "p"}, // Monday 10:00
		{25 * time.Hour, "p"},                      // Tuesday 01:00 (07:00 UTC)
		{7*24*time.Hour - time.Millisecond, "p"},   // Sunday 23:59:59.999
		{11 * time.Hour, "q"},
	} {
		err := db.LogRequest(ctx, flows.Request{UpdateID: int64(700 + i), At: weekStart.Add(r.at), Person: r.person,
			Kind: "button", Flow: "rights", Topic: "asylum", Lang: "es", Campaign: "radio"})
		if err != nil {
			t.Fatal(err)
		}
	}
	reports := func() []any {
		var out []any
		for _, rg := range [][2]time.Time{
			{weekStart, weekStart.Add(7 * day)},                            // the rollups
			{weekStart, weekStart.Add(8 * day)},                            // the log (not one week)
			{weekStart.Add(-7 * day), weekStart},                           // the week before, rollups
			{weekStart.Add(-8 * day), weekStart},                           // and the log
			{weekStart.Add(24 * time.Hour), weekStart.Add(48 * time.Hour)}, // Tuesday, from the log
		} {
			d, err := db.ReportData(ctx, rg[0], rg[1])
			if err != nil {
				t.Fatal(err)
			}
			out = append(out, d.People, d.New, d.Segments, d.Requests)
		}
		y, err := db.YearData(ctx, time.Date(2026, 1, 1, 6, 0, 0, 0, time.UTC), weekStart.Add(7*day))
		if err != nil {
			t.Fatal(err)
		}
		return append(out, y.People)
	}
	before := reports()

	if _, err := db.Forget(ctx, flows.Subject{Person: "p", Chat: flows.Telegram(1)}); err != nil {
		t.Fatal(err)
	}
	const mxMidnight = 6 * 60 * 60 * 1000 // 00:00 UTC−6 is 06:00 UTC
	rows, err := db.SQL().QueryContext(ctx, `SELECT update_id, at FROM requests WHERE person <> 'q' ORDER BY id`)
	if err != nil {
		t.Fatal(err)
	}
	var days []string
	for rows.Next() {
		var upd, at int64
		rows.Scan(&upd, &at)
		if upd >= 0 {
			t.Errorf("an erased row keeps update id %d", upd)
		}
		if at%(24*60*60*1000) != mxMidnight {
			t.Errorf("an erased row keeps its time: %s", time.UnixMilli(at).UTC())
		}
		days = append(days, time.UnixMilli(at).UTC().Format("01-02 15:04"))
	}
	rows.Close()
	if want := []string{"11-15 06:00", "11-16 06:00", "11-17 06:00", "11-22 06:00"}; !reflect.DeepEqual(days, want) {
		t.Errorf("erased rows' days %v, want %v (their Mexico City days)", days, want)
	}
	var firstAt int64
	db.SQL().QueryRowContext(ctx, `SELECT first_at FROM person_years WHERE person NOT IN ('q')`).Scan(&firstAt)
	if firstAt%(24*60*60*1000) != mxMidnight {
		t.Errorf("person_years keeps the erased person's first time: %s", time.UnixMilli(firstAt).UTC())
	}
	for _, table := range []string{"person_weeks", "person_kind_weeks", "person_channel_weeks", "person_years"} {
		var n int
		db.SQL().QueryRowContext(ctx, `SELECT count(*) FROM `+table+` WHERE person = 'p'`).Scan(&n)
		if n != 0 {
			t.Errorf("%s keeps %d rows under the erased person's hash", table, n)
		}
	}
	if after := reports(); !reflect.DeepEqual(before, after) {
		t.Errorf("the report changed with the erasure:\nbefore %+v\nafter  %+v", before, after)
	}
}

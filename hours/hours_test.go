package hours

import (
	"testing"
	"time"
)

func TestWeekBoundariesInMexicoCity(t *testing.T) {
	mx := Zone()
	for _, tc := range []struct {
		at   time.Time
		want string
	}{
		// Sunday 22 November 2026, 23:30 in Mexico City is 05:30 UTC
		// Monday: still week 47 here, though UTC says week 48.
		{time.Date(2026, 11, 22, 23, 30, 0, 0, mx), "2026-W47"},
		{time.Date(2026, 11, 23, 0, 30, 0, 0, mx), "2026-W48"},
		{time.Date(2026, 11, 23, 5, 59, 0, 0, time.UTC), "2026-W47"},
		{time.Date(2026, 11, 23, 6, 0, 0, 0, time.UTC), "2026-W48"},
		// ISO years: 1 January 2027 is a Friday, in 2026's week 53.
		{time.Date(2027, 1, 1, 12, 0, 0, 0, mx), "2026-W53"},
		{time.Date(2027, 1, 4, 0, 0, 0, 0, mx), "2027-W01"},
		{time.Date(2024, 12, 30, 0, 0, 0, 0, mx), "2025-W01"},
	} {
		if got := Of(tc.at).String(); got != tc.want {
			t.Errorf("Of(%v) = %s, want %s", tc.at, got, tc.want)
		}
	}
}

func TestWeekStartEndAndSteps(t *testing.T) {
	w, err := Parse("2026-W47", time.Now())
	if err != nil {
		t.Fatal(err)
	}
	if got := w.Start().UTC(); !got.Equal(time.Date(2026, 11, 16, 6, 0, 0, 0, time.UTC)) {
		t.Errorf("start = %v", got)
	}
	if got := w.End().UTC(); !got.Equal(time.Date(2026, 11, 23, 6, 0, 0, 0, time.UTC)) {
		t.Errorf("end = %v", got)
	}
	if w.Next().String() != "2026-W48" || w.Prev().String() != "2026-W46" {
		t.Errorf("next %s prev %s", w.Next(), w.Prev())
	}
	w53 := Week{2026, 53}
	if w53.Next().String() != "2027-W01" || (Week{2027, 1}).Prev() != w53 {
		t.Errorf("across the year: %s %s", w53.Next(), Week{2027, 1}.Prev())
	}
	if Weeks(2026) != 53 || Weeks(2025) != 52 {
		t.Errorf("weeks: %d %d", Weeks(2026), Weeks(2025))
	}
	// Every week of several years is exactly 7 days long (no DST since 2022).
	for w := (Week{2023, 1}); w.Year < 2028; w = w.Next() {
		if d := w.End().Sub(w.Start()); d != 7*24*time.Hour {
			t.Fatalf("%s lasts %v", w, d)
		}
		if Of(w.Start()) != w || Of(w.End().Add(-time.Nanosecond)) != w {
			t.Fatalf("%s does not hold its own ends", w)
		}
	}
}

func TestParse(t *testing.T) {
	now := time.Date(2026, 11, 18, 15, 0, 0, 0, time.UTC) // Wednesday of W47
	for in, want := range map[string]string{
		"": "2026-W47", "current": "2026-W47", "last": "2026-W46", "LAST": "2026-W46",
		"2026-w5": "2026-W05", " 2026-W53 ": "2026-W53",
	} {
		w, err := Parse(in, now)
		if err != nil || w.String() != want {
			t.Errorf("Parse(%q) = %s, %v; want %s", in, w, err, want)
		}
	}
	for _, bad := range []string{"2025-W53", "2026-W00", "2026-W54", "2026W47", "47", "next", "1999-W01"} {
		if _, err := Parse(bad, now); err == nil {
			t.Errorf("Parse(%q) accepted", bad)
		}
	}
}

func TestRangeOfCurrentWeekStopsAtNow(t *testing.T) {
	now := time.Date(2026, 11, 18, 15, 0, 0, 0, time.UTC)
	r := RangeOf(Of(now), now)
	if !r.Partial || !r.To.Equal(now) || !r.From.Equal(Week{2026, 47}.Start()) {
		t.Fatalf("current = %+v", r)
	}
	prev := r.Shift(-1)
	if prev.Week.String() != "2026-W46" || !prev.To.Equal(now.AddDate(0, 0, -7)) {
		t.Fatalf("shifted = %+v", prev)
	}
	full := RangeOf(Week{2026, 46}, now)
	if full.Partial || !full.To.Equal(Week{2026, 47}.Start()) {
		t.Fatalf("past week = %+v", full)
	}
	if got := YearStart(time.Date(2027, 1, 1, 3, 0, 0, 0, time.UTC)); got.Year() != 2026 {
		t.Fatalf("1 January 03:00 UTC is still 2026 in Mexico City: %v", got)
	}
}

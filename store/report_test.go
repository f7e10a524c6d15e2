package store

import (
	"context"
	"testing"
	"time"

	"github.com/acercate/acercate/flows"
	"github.com/acercate/acercate/hours"
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

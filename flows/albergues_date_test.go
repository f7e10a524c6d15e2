package flows

import (
	"testing"
	"time"
)

// A shelter's date reads as Format's "02/01/2006" would write it, the
// single-digit days and months zero-padded, in every language.
func TestShelterDateAsFormat(t *testing.T) {
	cat := testCatalog(t)
	e := &Engine{cat: cat}
	for _, lang := range cat.Languages() {
		c := &Ctx{State: &State{Lang: lang}, e: e}
		for _, d := range []time.Time{
			time.Date(2026, 1, 2, 0, 0, 0, 0, time.UTC), time.Date(2026, 11, 22, 23, 59, 0, 0, time.UTC),
			time.Date(2025, 9, 30, 12, 0, 0, 0, time.UTC), time.Date(999, 12, 31, 0, 0, 0, 0, time.UTC),
			time.Date(10000, 1, 1, 0, 0, 0, 0, time.UTC), {},
		} {
			want := c.T("albergues.date", "Day", d.Format("02"), "Month", d.Format("01"), "Year", d.Format("2006"))
			if got := shelterDate(c, d); got != want {
				t.Errorf("%s %v: %q, want %q", lang, d, got, want)
			}
		}
	}
}

// Package hours is the office's calendar: ISO weeks (Monday to Sunday) in
// America/Mexico_City, the time the office and its coordinators live in.
// The time zone database is embedded, so a bare container without
// /usr/share/zoneinfo computes the same weeks.
package hours

import (
	"fmt"
	"regexp"
	"strconv"
	"strings"
	"sync"
	"time"
	_ "time/tzdata" // the zone database, for machines without one
)

// ZoneName is the office's time zone.
const ZoneName = "America/Mexico_City"

var zone = sync.OnceValue(func() *time.Location {
	loc, err := time.LoadLocation(ZoneName)
	if err != nil {
		// Unreachable with time/tzdata embedded.
		panic(fmt.Sprintf("hours: load %s: %v", ZoneName, err))
	}
	return loc
})

// Zone returns America/Mexico_City.
func Zone() *time.Location { return zone() }

// Week is an ISO 8601 week: Year is the ISO year (which may differ from
// the calendar year of its first or last days), Num 1 to 52 or 53.
type Week struct {
	Year, Num int
}

// Of returns the week t falls in, in Mexico City time.
func Of(t time.Time) Week {
	y, n := t.In(Zone()).ISOWeek()
	return Week{y, n}
}

// String is "2026-W47".
func (w Week) String() string { return fmt.Sprintf("%04d-W%02d", w.Year, w.Num) }

// Start is the week's Monday 00:00 in Mexico City.
func (w Week) Start() time.Time {
	// ISO week 1 is the week holding 4 January.
	jan4 := time.Date(w.Year, time.January, 4, 0, 0, 0, 0, Zone())
	monday := jan4.AddDate(0, 0, -((int(jan4.Weekday()) + 6) % 7))
	return monday.AddDate(0, 0, 7*(w.Num-1))
}

// End is the next week's Monday 00:00 in Mexico City (exclusive).
func (w Week) End() time.Time { return w.Next().Start() }

// Next is the week after w.
func (w Week) Next() Week { return Of(w.Start().AddDate(0, 0, 7).Add(12 * time.Hour)) }

// Prev is the week before w.
func (w Week) Prev() Week { return Of(w.Start().AddDate(0, 0, -7).Add(12 * time.Hour)) }

// Weeks returns how many ISO weeks a year has (52 or 53).
func Weeks(year int) int {
	_, n := time.Date(year, time.December, 28, 12, 0, 0, 0, time.UTC).ISOWeek()
	return n
}

var weekRE = regexp.MustCompile(`^(\d{4})-[Ww](\d{1,2})$`)

// Parse reads "2026-W47" (also "2026-w47", "2026-W7"), "last" (the week
// before now's) or "" / "current" (now's week).
func Parse(s string, now time.Time) (Week, error) {
	switch strings.ToLower(strings.TrimSpace(s)) {
	case "", "current", "this":
		return Of(now), nil
	case "last", "previous":
		return Of(now).Prev(), nil
	}
	m := weekRE.FindStringSubmatch(strings.TrimSpace(s))
	if m == nil {
		return Week{}, fmt.Errorf("%q is not a week like 2026-W47, last or current", s)
	}
	y, _ := strconv.Atoi(m[1])
	n, _ := strconv.Atoi(m[2])
	if y < 2000 || y > 2200 || n < 1 || n > Weeks(y) {
		return Week{}, fmt.Errorf("%q: %d has weeks 1 to %d", s, y, Weeks(y))
	}
	return Week{y, n}, nil
}

// Range is the part of a week a report covers: the whole week, or, for
// the week now is in, from its Monday until now.
type Range struct {
	Week     Week
	From, To time.Time // To is exclusive
	// Partial is true when the week is not over at now.
	Partial bool
}

// RangeOf returns the range of w as it stands at now.
func RangeOf(w Week, now time.Time) Range {
	r := Range{Week: w, From: w.Start(), To: w.End()}
	if now.Before(r.To) {
		r.Partial = true
		if now.After(r.From) {
			r.To = now
		} else {
			r.To = r.From
		}
	}
	return r
}

// Shift returns the same stretch of time a number of weeks earlier (-1:
// the previous week up to the same weekday and hour), for week-over-week
// comparisons of a week still in progress.
func (r Range) Shift(weeks int) Range {
	w := r.Week
	for i := 0; i > weeks; i-- {
		w = w.Prev()
	}
	for i := 0; i < weeks; i++ {
		w = w.Next()
	}
	return Range{Week: w, From: w.Start(), To: w.Start().Add(r.To.Sub(r.From)), Partial: r.Partial}
}

// YearStart is 1 January 00:00 in Mexico City of t's calendar year there.
func YearStart(t time.Time) time.Time {
	return time.Date(t.In(Zone()).Year(), time.January, 1, 0, 0, 0, 0, Zone())
}

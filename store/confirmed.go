package store

import (
	"fmt"
	"time"
)

// The office's own check of an entry (a directory entry, a shelter) is
// kept as the day it was made, "YYYY-MM-DD", beside who made it; "" and ""
// when the office never confirmed it. The bot says "revisado" only of an
// entry with one.

// confirmedDay is how the confirmed column keeps d.
func confirmedDay(d time.Time) string {
	if d.IsZero() {
		return ""
	}
	return d.Format(time.DateOnly)
}

// parseConfirmedDay reads a confirmed column; what of names the entry in
// the error.
func parseConfirmedDay(what, s string) (time.Time, error) {
	if s == "" {
		return time.Time{}, nil
	}
	d, err := time.Parse(time.DateOnly, s)
	if err != nil {
		return time.Time{}, fmt.Errorf("%s: confirmed %q: %w", what, s, err)
	}
	return d, nil
}

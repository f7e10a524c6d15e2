package flows

import (
	"testing"
	"time"

	"github.com/acercate/acercate/hours"
)

func TestStaffHours(t *testing.T) {
	h, err := ParseStaffHours("Lun-Vie 09:00-17:00, Sat 10:00-13:00")
	if err != nil {
		t.Fatal(err)
	}
	at := func(day, hour, min int) time.Time { return time.Date(2026, 11, day, hour, min, 0, 0, hours.Zone()) }
	cases := []struct {
		t    time.Time
		open bool
		next time.Time
	}{
		{at(16, 9, 0), true, at(16, 9, 0)},     // Monday opening
		{at(16, 16, 59), true, at(16, 16, 59)}, // Monday before closing
		{at(16, 17, 0), false, at(17, 9, 0)},   // Monday closing → Tuesday
		{at(20, 18, 0), false, at(21, 10, 0)},  // Friday evening → Saturday
		{at(21, 13, 30), false, at(23, 9, 0)},  // Saturday after → Monday
		{at(22, 12, 0), false, at(23, 9, 0)},   // Sunday → Monday
		{at(23, 8, 59), false, at(23, 9, 0)},   // Monday early
	}
	for _, c := range cases {
		if got := h.Open(c.t); got != c.open {
			t.Errorf("Open(%v) = %v", c.t, got)
		}
		if got := h.Next(c.t); !got.Equal(c.next) {
			t.Errorf("Next(%v) = %v, want %v", c.t, got, c.next)
		}
	}
	for _, bad := range []string{"", "Mon-Fri", "Mon-Fri 9-5", "Foo 09:00-10:00", "Mon 10:00-09:00"} {
		if _, err := ParseStaffHours(bad); err == nil {
			t.Errorf("%q accepted", bad)
		}
	}
}

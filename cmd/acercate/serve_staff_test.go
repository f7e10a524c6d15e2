package main

import (
	"strings"
	"testing"
	"time"
)

func TestStaffSettings(t *testing.T) {
	env := func(kv ...string) func(string) string {
		m := map[string]string{}
		for i := 0; i+1 < len(kv); i += 2 {
			m[kv[i]] = kv[i+1]
		}
		return func(k string) string { return m[k] }
	}
	c, err := readConfig(env("ACERCATE_STAFF_CHAT", "-1001234", "ACERCATE_STAFF_USERS", "11, 22",
		"ACERCATE_STAFF_HOURS", "Mon-Fri 09:00-17:00; Sat 09:00-13:00", "ACERCATE_STAFF_LANG", "FR",
		"ACERCATE_URGENT_REANNOUNCE", "5m"))
	if err != nil {
		t.Fatal(err)
	}
	s := c.Staff
	if s.Staff.Chat != -1001234 || len(s.Staff.Users) != 2 || s.Staff.Users[1] != 22 || s.Staff.Lang != "fr" ||
		s.Reannounce != 5*time.Minute || len(s.Staff.Hours.Spans) != 2 {
		t.Fatalf("settings = %+v", s)
	}
	dc, err := readConfig(env())
	if err != nil {
		t.Fatal(err)
	}
	if d := dc.Staff; d.Staff.Chat != 0 || d.Staff.Hours != nil || d.Staff.Lang != "es" || d.Reannounce != 10*time.Minute {
		t.Fatalf("defaults = %+v", d)
	}
	for _, c := range [][2]string{
		{"ACERCATE_STAFF_CHAT", "staff"},
		{"ACERCATE_STAFF_USERS", "11,ana"},
		{"ACERCATE_STAFF_USERS", "-5"},
		{"ACERCATE_STAFF_HOURS", "weekdays"},
		{"ACERCATE_STAFF_HOURS", "Mon-Fri 17:00-09:00"},
		{"ACERCATE_STAFF_HOURS", "Xyz-Vie 09:00-17:00"},
		{"ACERCATE_STAFF_LANG", "de"},
		{"ACERCATE_URGENT_REANNOUNCE", "soon"},
	} {
		_, err := readConfig(env(c[0], c[1]))
		var ue usageError
		if err == nil || !strings.Contains(err.Error(), c[0]) {
			t.Errorf("%s=%q: %v, want an error naming it", c[0], c[1], err)
		} else if !asUsage(err, &ue) {
			t.Errorf("%s=%q: %T is not a usage error (exit 2)", c[0], c[1], err)
		}
	}
}

func asUsage(err error, ue *usageError) bool {
	u, ok := err.(usageError)
	*ue = u
	return ok
}

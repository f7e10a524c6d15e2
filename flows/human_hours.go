package flows

import (
	"fmt"
	"strings"
	"time"

	"github.com/acercate/acercate/hours"
)

// StaffConfig configures "Hablar con una persona" and the staff groups.
type StaffConfig struct {
	// Chat is the default staff group (ACERCATE_STAFF_CHAT): tickets of
	// people without a módulo, or of a módulo without its own group.
	Chat int64
	// Users are the staff members' user ids (ACERCATE_STAFF_USERS); each
	// módulo may add its own (modulos.staff_users).
	Users []int64
	// Hours are the staff's working hours (ACERCATE_STAFF_HOURS); nil
	// when not configured: then nothing is said about hours.
	Hours *StaffHours
	// Lang is the language of messages to staff (ACERCATE_STAFF_LANG, es).
	Lang string
}

// SetStaff replaces the staff configuration (Config.Staff). `acercate
// serve` reads it with the staff desk's other settings and sets it before
// receiving; events handled meanwhile see the old or the new one whole.
func (e *Engine) SetStaff(cfg StaffConfig) { e.staff.Store(&cfg) }

// Staff returns the staff configuration in force.
func (e *Engine) Staff() StaffConfig { return *e.staff.Load() }

// StaffHours are the weekly hours the staff answer, in the office's time
// (hours.Zone).
type StaffHours struct {
	Spans []HoursSpan
}

// HoursSpan is one line of hours: days From..To (inclusive, Monday 1 ...
// Sunday 7) between Open and Close (minutes after midnight).
type HoursSpan struct {
	FromDay, ToDay int
	Open, Close    int
}

var dayCodes = []string{"mon", "tue", "wed", "thu", "fri", "sat", "sun"}

// ParseStaffHours reads "Mon-Fri 09:00-17:00" (or "Lun-Vie 09:00-17:00") or several spans separated
// by commas or semicolons ("Mon-Fri 09:00-17:00; Sat 09:00-13:00").
func ParseStaffHours(s string) (*StaffHours, error) {
	h := &StaffHours{}
	for _, part := range strings.FieldsFunc(s, func(r rune) bool { return r == ';' || r == ',' }) {
		f := strings.Fields(part)
		if len(f) != 2 {
			return nil, fmt.Errorf("%q: want days and times, like Mon-Fri 09:00-17:00", strings.TrimSpace(part))
		}
		var sp HoursSpan
		from, to, ok := strings.Cut(strings.ToLower(f[0]), "-")
		if !ok {
			to = from
		}
		sp.FromDay, sp.ToDay = dayIndex(from), dayIndex(to)
		if sp.FromDay == 0 || sp.ToDay == 0 {
			return nil, fmt.Errorf("%q: days are Mon Tue Wed Thu Fri Sat Sun", f[0])
		}
		open, close, ok := strings.Cut(f[1], "-")
		var err1, err2 error
		sp.Open, err1 = clockMinutes(open)
		sp.Close, err2 = clockMinutes(close)
		if !ok || err1 != nil || err2 != nil || sp.Close <= sp.Open {
			return nil, fmt.Errorf("%q: times are HH:MM-HH:MM, opening before closing", f[1])
		}
		h.Spans = append(h.Spans, sp)
	}
	if len(h.Spans) == 0 {
		return nil, fmt.Errorf("no hours given")
	}
	return h, nil
}

// spanishDays are the Spanish day abbreviations, accepted too.
var spanishDays = []string{"lun", "mar", "mie", "jue", "vie", "sab", "dom"}

func dayIndex(s string) int {
	s = strings.NewReplacer("é", "e", "á", "a").Replace(strings.ToLower(s))
	if len(s) < 3 {
		return 0
	}
	for i := range dayCodes {
		if strings.HasPrefix(s, dayCodes[i]) || strings.HasPrefix(s, spanishDays[i]) {
			return i + 1
		}
	}
	return 0
}

func clockMinutes(s string) (int, error) {
	t, err := time.Parse("15:04", strings.TrimSpace(s))
	if err != nil {
		if s == "24:00" {
			return 24 * 60, nil
		}
		return 0, err
	}
	return t.Hour()*60 + t.Minute(), nil
}

func isoDay(t time.Time) int {
	d := int(t.Weekday())
	if d == 0 {
		return 7
	}
	return d
}

func (sp HoursSpan) hasDay(d int) bool {
	if sp.FromDay <= sp.ToDay {
		return d >= sp.FromDay && d <= sp.ToDay
	}
	return d >= sp.FromDay || d <= sp.ToDay // Sat-Mon
}

// Open reports whether t falls within the hours.
func (h *StaffHours) Open(t time.Time) bool {
	l := t.In(hours.Zone())
	m := l.Hour()*60 + l.Minute()
	for _, sp := range h.Spans {
		if sp.hasDay(isoDay(l)) && m >= sp.Open && m < sp.Close {
			return true
		}
	}
	return false
}

// Next returns the next opening time after t (t itself when open), within
// a week; zero when there is none.
func (h *StaffHours) Next(t time.Time) time.Time {
	l := t.In(hours.Zone())
	if h.Open(l) {
		return l
	}
	day := time.Date(l.Year(), l.Month(), l.Day(), 0, 0, 0, 0, hours.Zone())
	for i := 0; i <= 7; i++ {
		d := day.AddDate(0, 0, i)
		best := -1
		for _, sp := range h.Spans {
			if sp.hasDay(isoDay(d)) && (best < 0 || sp.Open < best) {
				at := d.Add(time.Duration(sp.Open) * time.Minute)
				if at.After(l) {
					best = sp.Open
				}
			}
		}
		if best >= 0 {
			return d.Add(time.Duration(best) * time.Minute)
		}
	}
	return time.Time{}
}

// hoursText renders the hours in a language: "lun–vie 09:00–17:00".
func hoursText(c *Ctx, lang string, h *StaffHours) string {
	var parts []string
	for _, sp := range h.Spans {
		days := c.TIn(lang, "staff.day."+dayCodes[sp.FromDay-1])
		if sp.ToDay != sp.FromDay {
			days += "–" + c.TIn(lang, "staff.day."+dayCodes[sp.ToDay-1])
		}
		parts = append(parts, fmt.Sprintf("%s %02d:%02d–%02d:%02d", days, sp.Open/60, sp.Open%60, sp.Close/60, sp.Close%60))
	}
	return strings.Join(parts, ", ")
}

// whenText renders an opening time: "lun 09:00".
func whenText(c *Ctx, lang string, t time.Time) string {
	l := t.In(hours.Zone())
	return c.TIn(lang, "staff.day."+dayCodes[isoDay(l)-1]) + " " + l.Format("15:04")
}

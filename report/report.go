// Package report builds the coordinators' weekly summary from the store's
// counts: who came (new and returning people, by campaign, módulo and
// language), what they asked (rights topics, shelter searches, denuncias,
// escalations, emergencies), how fast staff answered, the change from the
// week before and the progress against the year's goals. It renders the
// summary as Markdown, CSV, JSON (a stable schema, docs/weekly-report.md),
// HTML, a Telegram message and a chart, and delivers it every Monday.
package report

import (
	"context"
	"errors"
	"sort"
	"strings"
	"sync"
	"time"

	"github.com/acercate/acercate/flows"
	"github.com/acercate/acercate/hours"
	"github.com/acercate/acercate/store"
)

// SchemaVersion is the version of the JSON schema; it changes only when a
// field changes meaning or is removed (adding a field keeps it).
const SchemaVersion = 1

// Report is one week's summary. Its JSON form is documented field by field
// in docs/weekly-report.md; counts in it are exact (the "<5" rule applies
// to the human-readable formats).
type Report struct {
	Schema       int    `json:"schema"`
	Week         string `json:"week"`
	TimeZone     string `json:"time_zone"`
	From         string `json:"from"`
	To           string `json:"to"`
	Partial      bool   `json:"partial"`
	GeneratedAt  string `json:"generated_at"`
	Empty        bool   `json:"empty"`
	PreviousWeek string `json:"previous_week"`
	// Totals are this week's headline figures, Previous the same figures
	// for the week before (up to the same hour when this one is partial).
	Totals      Totals    `json:"totals"`
	Previous    Totals    `json:"previous"`
	Rights      []Count   `json:"rights"`
	Shelters    []Count   `json:"shelters"`
	Denuncias   Denuncias `json:"denuncias"`
	Emergencies []Count   `json:"emergencies"`
	// Families are the families flow's subjects viewed (remains,
	// detained, missing, paisano, municipal, casa).
	Families    []Count     `json:"families"`
	Escalations Escalations `json:"escalations"`
	Segments    Segments    `json:"segments"`
	// Channels are the week's people and requests per channel (Telegram,
	// the web chat).
	Channels []Channel `json:"channels"`
	Goals    []Goal    `json:"goals"`

	// cities are the shelter directory's city names by key, for the
	// human-readable formats.
	cities map[string]string
	// before is the previous week's (or stretch's) breakdowns, so its
	// column is hidden as its own report hides it.
	before *Report
	// shown and shownBefore are both weeks' figures as every format shows
	// them (small counts and what would reveal them hidden), worked out
	// once by Build.
	shown, shownBefore *sheet
}

// Totals are the headline figures of a week.
type Totals struct {
	People            int `json:"people"`
	NewPeople         int `json:"new_people"`
	ReturningPeople   int `json:"returning_people"`
	Requests          int `json:"requests"`
	RightsViews       int `json:"rights_views"`
	ShelterSearches   int `json:"shelter_searches"`
	Denuncias         int `json:"denuncias"`
	EscalationsOpened int `json:"escalations_opened"`
	Emergencies       int `json:"emergencies"`
	// FamiliesPeople are the people who used the families flow (for
	// Chiapanecos abroad and their families); FamiliesRequests its
	// subjects viewed.
	FamiliesPeople   int `json:"families_people"`
	FamiliesRequests int `json:"families_requests"`
	// InfoRequests are the information answers shown (legal aid,
	// consulates, UNHCR/IOM, módulos, CURP, cards: flows.KindInfo).
	InfoRequests int `json:"info_requests"`
}

// Count is how many of one kind: Key is a stable id (a rights topic, a
// city key, a denuncia category...).
type Count struct {
	Key   string `json:"key"`
	Count int    `json:"count"`
}

// Denuncias are the denuncias filed in the week.
type Denuncias struct {
	ByCategory     []Count `json:"by_category"`
	ByMunicipality []Count `json:"by_municipality"`
	ByPerpetrator  []Count `json:"by_perpetrator"`
}

// Escalations are the tickets of the staff desk: opened, first answered
// and closed in the week, and how long the first answer took (over the
// tickets first answered in the week). Available is false when this
// installation has no staff desk (no tickets table).
type Escalations struct {
	Available                 bool     `json:"available"`
	Opened                    int      `json:"opened"`
	Answered                  int      `json:"answered"`
	Closed                    int      `json:"closed"`
	FirstResponseMedianSecond *float64 `json:"first_response_median_seconds"`
	FirstResponseP90Second    *float64 `json:"first_response_p90_seconds"`
}

// Segments break the week down by the attribution in force at each
// request (campaign, módulo) and by the person's language.
type Segments struct {
	Campaign []Segment `json:"campaign"`
	Modulo   []Segment `json:"modulo"`
	Lang     []Segment `json:"lang"`
}

// Segment is one campaign, módulo or language ("" = none).
type Segment struct {
	Key         string `json:"key"`
	Name        string `json:"name"`
	People      int    `json:"people"`
	NewPeople   int    `json:"new_people"`
	Requests    int    `json:"requests"`
	RightsViews int    `json:"rights_views"`
	Shelters    int    `json:"shelter_searches"`
	Denuncias   int    `json:"denuncias"`
	Escalations int    `json:"escalations_opened"`
	Emergencies int    `json:"emergencies"`
	// FamiliesPeople and Families are the families flow's people and
	// subjects viewed in this campaign, módulo or language.
	FamiliesPeople int `json:"families_people"`
	Families       int `json:"families_requests"`
}

// Channel is one channel's figures: Key is the adapter's name
// ("telegram", "web"). A person who came through two channels in the week
// counts once in each (and once in Totals.People); the requests of all
// channels add up to Totals.Requests.
type Channel struct {
	Key      string `json:"key"`
	People   int    `json:"people"`
	Requests int    `json:"requests"`
}

// Goal is the year's progress on one of the office's counted goals.
// Target is nil when no goal was set (acercate meta set goal.KEY N).
type Goal struct {
	Key    string `json:"key"`
	Year   int    `json:"year"`
	Actual int    `json:"actual"`
	Target *int   `json:"target"`
}

// Source is what the report reads; *store.DB implements it.
type Source interface {
	ReportData(ctx context.Context, from, to time.Time) (*store.ReportData, error)
	YearData(ctx context.Context, yearStart, to time.Time) (*store.YearData, error)
	Campaigns(ctx context.Context) ([]store.Campaign, error)
	Modulos(ctx context.Context) ([]store.Modulo, error)
	ShelterCities(ctx context.Context) ([]flows.ShelterCity, error)
}

// Build builds the report of a week as it stands at now.
func Build(ctx context.Context, src Source, week hours.Week, now time.Time) (*Report, error) {
	r := hours.RangeOf(week, now)
	prev := r.Shift(-1)
	if !r.Partial {
		prev = hours.RangeOf(week.Prev(), now)
	}
	// The year is the calendar year of the week's last day reported.
	yearStart := hours.YearStart(r.To.Add(-time.Millisecond))
	if r.To.Equal(r.From) {
		yearStart = hours.YearStart(r.From)
	}
	// The two weeks are read at once: each is a scan of its rows, and
	// SQLite in WAL mode serves concurrent readers.
	var cur, before *store.ReportData
	var year *store.YearData
	var errs [3]error
	var wg sync.WaitGroup
	wg.Add(2)
	go func() { defer wg.Done(); before, errs[1] = src.ReportData(ctx, prev.From, prev.To) }()
	go func() { defer wg.Done(); year, errs[2] = src.YearData(ctx, yearStart, r.To) }()
	cur, errs[0] = src.ReportData(ctx, r.From, r.To)
	wg.Wait()
	if err := errors.Join(errs[:]...); err != nil {
		return nil, err
	}
	names := map[string]map[string]string{"campaign": {}, "modulo": {}}
	cs, err := src.Campaigns(ctx)
	if err != nil {
		return nil, err
	}
	for _, c := range cs {
		names["campaign"][c.Code] = c.Name
	}
	ms, err := src.Modulos(ctx)
	if err != nil {
		return nil, err
	}
	for _, m := range ms {
		names["modulo"][m.Code] = m.Name
	}

	cities, err := src.ShelterCities(ctx)
	if err != nil {
		return nil, err
	}
	zone := hours.Zone()
	rep := &Report{
		Schema: SchemaVersion, Week: week.String(), TimeZone: hours.ZoneName,
		From: r.From.In(zone).Format(time.RFC3339), To: r.To.In(zone).Format(time.RFC3339),
		Partial: r.Partial, GeneratedAt: now.In(zone).Format(time.RFC3339),
		PreviousWeek: prev.Week.String(),
	}
	rep.cities = map[string]string{}
	for _, c := range cities {
		rep.cities[c.Key] = c.Name
	}
	rep.fill(cur, r.From, r.To, names)
	rep.before = &Report{}
	rep.before.fill(before, prev.From, prev.To, names)
	rep.Previous = rep.before.Totals
	rep.Empty = rep.Totals.Requests == 0 && rep.Totals.Denuncias == 0 &&
		rep.Escalations.Answered == 0 && rep.Escalations.Closed == 0
	rep.Goals = goals(year, yearStart.Year())
	rep.shown, rep.shownBefore = suppressed(rep), suppressed(rep.before)
	return rep, nil
}

// fill sets the totals and breakdowns of the data of [from, to).
func (rep *Report) fill(d *store.ReportData, from, to time.Time, names map[string]map[string]string) {
	rep.Totals = totals(d)
	rights, shelters, emergencies, families := counter{}, counter{}, counter{}, counter{}
	for _, g := range d.Requests {
		switch kindOf(g) {
		case flows.KindRights:
			rights.add(g.Topic, g.N)
		case flows.KindShelters:
			shelters.add(shelterPlace(g.Detail), g.N)
		case flows.KindEmergency:
			emergencies.add(g.Detail, g.N)
		case flows.KindFamilies:
			families.add(g.Topic, g.N)
		}
	}
	rep.Rights, rep.Shelters, rep.Emergencies, rep.Families = rights.list(), shelters.list(), emergencies.list(), families.list()
	cat, mun, who := counter{}, counter{}, counter{}
	for _, g := range d.Denuncias {
		cat.add(g.Category, g.N)
		mun.add(g.Municipality, g.N)
		who.add(g.Perpetrator, g.N)
	}
	rep.Denuncias = Denuncias{ByCategory: cat.list(), ByMunicipality: mun.list(), ByPerpetrator: who.list()}
	rep.Escalations = escalations(d, from, to)
	rep.Totals.EscalationsOpened = rep.Escalations.Opened
	rep.Segments = segments(d, from, to, names)
	rep.Channels = channels(d)
}

// channels are the channels' figures, most people first.
func channels(d *store.ReportData) []Channel {
	out := make([]Channel, 0, len(d.Channels))
	for _, c := range d.Channels {
		out = append(out, Channel{Key: c.Channel, People: c.People, Requests: c.Requests})
	}
	sort.Slice(out, func(i, j int) bool {
		a, b := out[i], out[j]
		if a.People != b.People {
			return a.People > b.People
		}
		if a.Requests != b.Requests {
			return a.Requests > b.Requests
		}
		return a.Key < b.Key
	})
	return out
}

// kindOf says what a group of request-log rows counts as, by the one
// definition (flows.RequestKinds): a rights topic's first page, a shelter
// search, an emergency trigger, a families subject; "" for none.
func kindOf(g store.RequestGroup) string { return flows.CountedAs(g.Flow, g.Topic, g.Detail) }

// shelterPlace turns a search's detail ("city=tapachula;filter=women",
// "by_location", "city=unknown") into the place counted: a city key,
// "location" or "unknown".
func shelterPlace(detail string) string {
	for _, part := range strings.Split(detail, ";") {
		switch {
		case part == "by_location":
			return "location"
		case strings.HasPrefix(part, "city="):
			return strings.TrimPrefix(part, "city=")
		}
	}
	return "unknown"
}

func totals(d *store.ReportData) Totals {
	t := Totals{People: d.People, NewPeople: d.New, ReturningPeople: d.People - d.New}
	for _, k := range d.Kinds {
		if k.Kind == flows.KindFamilies && k.Dim == "" {
			t.FamiliesPeople = k.People
		}
	}
	for _, g := range d.Requests {
		t.Requests += g.N
		switch kindOf(g) {
		case flows.KindRights:
			t.RightsViews += g.N
		case flows.KindShelters:
			t.ShelterSearches += g.N
		case flows.KindEmergency:
			t.Emergencies += g.N
		case flows.KindFamilies:
			t.FamiliesRequests += g.N
		case flows.KindInfo:
			t.InfoRequests += g.N
		}
	}
	for _, g := range d.Denuncias {
		t.Denuncias += g.N
	}
	return t
}

// openedIn reports whether a ticket was opened in [from, to).
func openedIn(tt store.TicketTimes, from, to time.Time) bool {
	return !tt.Opened.Before(from) && tt.Opened.Before(to)
}

func in(t, from, to time.Time) bool { return !t.IsZero() && !t.Before(from) && t.Before(to) }

func escalations(d *store.ReportData, from, to time.Time) Escalations {
	e := Escalations{Available: d.TicketsKnown}
	var waits []float64
	for _, tt := range d.Tickets {
		if openedIn(tt, from, to) {
			e.Opened++
		}
		if in(tt.FirstResponse, from, to) {
			e.Answered++
			waits = append(waits, tt.FirstResponse.Sub(tt.Opened).Seconds())
		}
		if in(tt.Closed, from, to) {
			e.Closed++
		}
	}
	if len(waits) > 0 {
		sort.Float64s(waits)
		m, p := percentile(waits, 50), percentile(waits, 90)
		e.FirstResponseMedianSecond, e.FirstResponseP90Second = &m, &p
	}
	return e
}

// percentile is the nearest-rank percentile of sorted values: the
// smallest value with at least p% of values at or below it.
func percentile(sorted []float64, p int) float64 {
	rank := (p*len(sorted) + 99) / 100
	if rank < 1 {
		rank = 1
	}
	return sorted[rank-1]
}

func segments(d *store.ReportData, from, to time.Time, names map[string]map[string]string) Segments {
	type key struct{ dim, key string }
	m := map[key]*Segment{}
	get := func(dim, k string) *Segment {
		s := m[key{dim, k}]
		if s == nil {
			s = &Segment{Key: k, Name: names[dim][k]}
			m[key{dim, k}] = s
		}
		return s
	}
	each := func(lang, campaign, modulo string, f func(*Segment)) {
		f(get("campaign", campaign))
		f(get("modulo", modulo))
		f(get("lang", lang))
	}
	for _, p := range d.Segments {
		s := get(p.Dim, p.Key)
		s.People += p.People
		s.NewPeople += p.New
	}
	for _, k := range d.Kinds {
		if k.Kind == flows.KindFamilies && k.Dim != "" {
			get(k.Dim, k.Key).FamiliesPeople += k.People
		}
	}
	for _, g := range d.Requests {
		k := kindOf(g)
		each(g.Lang, g.Campaign, g.Modulo, func(s *Segment) {
			s.Requests += g.N
			switch k {
			case flows.KindRights:
				s.RightsViews += g.N
			case flows.KindShelters:
				s.Shelters += g.N
			case flows.KindEmergency:
				s.Emergencies += g.N
			case flows.KindFamilies:
				s.Families += g.N
			}
		})
	}
	for _, g := range d.Denuncias {
		each(g.Lang, g.Campaign, g.Modulo, func(s *Segment) { s.Denuncias += g.N })
	}
	for _, tt := range d.Tickets {
		if openedIn(tt, from, to) {
			each(tt.Lang, tt.Campaign, tt.Modulo, func(s *Segment) { s.Escalations++ })
		}
	}
	var out Segments
	for k, s := range m {
		switch k.dim {
		case "campaign":
			out.Campaign = append(out.Campaign, *s)
		case "modulo":
			out.Modulo = append(out.Modulo, *s)
		case "lang":
			out.Lang = append(out.Lang, *s)
		}
	}
	for _, l := range []*[]Segment{&out.Campaign, &out.Modulo, &out.Lang} {
		sortSegments(*l)
		if *l == nil {
			*l = []Segment{}
		}
	}
	return out
}

// sortSegments orders by people, then requests, most first; "" (none) last.
func sortSegments(s []Segment) {
	sort.Slice(s, func(i, j int) bool {
		a, b := s[i], s[j]
		if (a.Key == "") != (b.Key == "") {
			return b.Key == ""
		}
		if a.People != b.People {
			return a.People > b.People
		}
		if a.Requests != b.Requests {
			return a.Requests > b.Requests
		}
		return a.Key < b.Key
	})
}

// GoalNames are the goals the report follows, in order, with the meta key
// of each target.
var GoalNames = []string{"campaigns", "modulos", "workshops", "people", "families_people"}

func goals(y *store.YearData, year int) []Goal {
	out := make([]Goal, 0, len(GoalNames))
	for _, k := range GoalNames {
		g := Goal{Key: k, Year: year}
		switch k {
		case "campaigns":
			g.Actual = y.Campaigns
		case "modulos":
			g.Actual = y.Modulos
		case "workshops":
			g.Actual = y.Goals["done.workshops"]
		case "people":
			g.Actual = y.People
		case "families_people":
			g.Actual = y.FamiliesPeople
		}
		if v, ok := y.Goals["goal."+k]; ok {
			g.Target = &v
		}
		out = append(out, g)
	}
	return out
}

// counter counts by key and lists counts most first.
type counter map[string]int

func (c counter) add(k string, n int) { c[k] += n }

func (c counter) list() []Count {
	out := make([]Count, 0, len(c))
	for k, n := range c {
		out = append(out, Count{k, n})
	}
	sort.Slice(out, func(i, j int) bool {
		if out[i].Count != out[j].Count {
			return out[i].Count > out[j].Count
		}
		return out[i].Key < out[j].Key
	})
	return out
}

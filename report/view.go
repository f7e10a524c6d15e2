package report

import (
	"fmt"
	"math"
	"strconv"
	"strings"
	"time"

	"github.com/acercate/acercate/flows"
)

// Small is the smallest count shown as a number outside the JSON format:
// 1 to Small-1 show as "<5", so a summary never singles a person out.
const Small = 5

// Labels renders the words of a report in one language, from
// locales/report.*.toml and the flows' own labels (rights topics,
// denuncia categories...).
type Labels struct {
	cat  *flows.Catalog
	lang string
}

// NewLabels returns the labels of lang (one of the shipped languages;
// anything else falls back to Spanish).
func NewLabels(cat *flows.Catalog, lang string) Labels {
	if !cat.Has(lang) {
		lang = cat.Languages()[0]
	}
	return Labels{cat: cat, lang: lang}
}

// Lang is the labels' language.
func (l Labels) Lang() string { return l.lang }

// T renders message id with key/value pairs of template data.
func (l Labels) T(id string, kv ...any) string {
	var data map[string]any
	if len(kv) > 0 {
		data = map[string]any{}
		for i := 0; i+1 < len(kv); i += 2 {
			data[fmt.Sprint(kv[i])] = kv[i+1]
		}
	}
	return l.cat.T(l.lang, id, data)
}

// name is the label of a stable id: the message "prefix+key+suffix" when
// the catalog has it, else the key itself.
func (l Labels) name(prefix, key, suffix string) string {
	id := prefix + key + suffix
	if s := l.cat.T(l.lang, id, nil); s != id && s != "" {
		return s
	}
	return key
}

// Num formats a count by the "<5" rule.
func Num(n int) string {
	if n > 0 && n < Small {
		return "<" + strconv.Itoa(Small)
	}
	return strconv.Itoa(n)
}

// change is the week-over-week change of cell c of this week's grid from
// cell p of the previous week's, or "–" when either is hidden. Two shown
// figures of two different weeks reveal nothing their difference does
// not: the change shows whatever it is, +1 included.
func change(cur *grid, c int, prev *grid, p int) string {
	if cur.hidden(c) || prev.hidden(p) || prev.val[p] == 0 {
		return "–"
	}
	pct := math.Round(float64(cur.val[c]-prev.val[p]) * 100 / float64(prev.val[p]))
	if pct > 0 {
		return fmt.Sprintf("+%.0f%%", pct)
	}
	return fmt.Sprintf("%.0f%%", pct)
}

// duration formats seconds as minutes, hours and minutes, or days and hours.
func (l Labels) duration(sec *float64) string {
	if sec == nil {
		return "–"
	}
	m := int(math.Round(*sec / 60))
	switch {
	case m < 60:
		return l.T("report.dur.min", "M", m)
	case m < 48*60:
		return l.T("report.dur.hmin", "H", m/60, "M", m%60)
	}
	return l.T("report.dur.dh", "D", m/(24*60), "H", (m/60)%24)
}

// table is one section of a rendered report.
type table struct {
	ID    string // stable id of the section, for the CSV
	Title string
	Note  string
	Head  []string
	// Metrics are stable ids of the columns, for the CSV.
	Metrics []string
	Rows    []row
}

type row struct {
	Key   string // stable id of the row, for the CSV
	Cells []string
}

// view is a report as tables of formatted cells, shared by the Markdown,
// HTML and CSV formats so they always say the same.
type view struct {
	Title, Period, Partial, Empty, Small string
	Tables                               []table
}

func (l Labels) view(r *Report) view {
	v := view{
		Title:  l.T("report.title", "Week", r.Week),
		Period: l.T("report.period", "From", day(r.From), "To", lastDay(r)),
		Small:  l.T("report.small"),
	}
	if r.Partial {
		v.Partial = l.T("report.partial", "To", strings.Replace(r.To[:16], "T", " ", 1))
	}
	if r.Empty {
		v.Empty = l.T("report.empty")
	}
	cur, prev := r.shown, r.shownBefore
	totals := table{ID: "totals", Title: l.T("report.section.totals"),
		Head:    []string{l.T("report.col.item"), l.T("report.col.week"), l.T("report.col.previous", "Week", r.PreviousWeek), l.T("report.col.change")},
		Metrics: []string{"", "week", "previous", "change"}}
	for _, k := range totalKeys {
		c, p := cur.total[k], prev.total[k]
		totals.Rows = append(totals.Rows, row{k, []string{l.T("report.total." + k), cur.g.text(c), prev.g.text(p), change(cur.g, c, prev.g, p)}})
	}
	v.Tables = append(v.Tables, totals)
	if r.Empty {
		v.Tables = append(v.Tables, l.goalsTable(r))
		return v
	}

	count := func(id, title string, cs []Count, cells []int, name func(string) string) table {
		tb := table{ID: id, Title: title, Head: []string{l.T("report.col.item"), l.T("report.col.count")}, Metrics: []string{"", "count"}}
		for i, c := range cs {
			tb.Rows = append(tb.Rows, row{c.Key, []string{name(c.Key), cur.g.text(cells[i])}})
		}
		if len(cs) == 0 {
			tb.Note = l.T("report.nothing")
		}
		return tb
	}
	v.Tables = append(v.Tables,
		count("rights", l.T("report.section.rights"), r.Rights, cur.rights, func(k string) string { return l.name("rights.", k, ".title") }),
		count("shelters", l.T("report.section.shelters"), r.Shelters, cur.shelters, func(k string) string {
			if n := r.cities[k]; n != "" {
				return n
			}
			return l.name("report.place.", k, "")
		}),
		count("denuncias_category", l.T("report.section.denuncias_category"), r.Denuncias.ByCategory, cur.cat, func(k string) string { return l.name("denuncia.cat.", k, "") }),
		count("denuncias_municipality", l.T("report.section.denuncias_municipality"), r.Denuncias.ByMunicipality, cur.mun, func(k string) string { return l.name("denuncia.mun.", k, "") }),
		count("denuncias_perpetrator", l.T("report.section.denuncias_perpetrator"), r.Denuncias.ByPerpetrator, cur.who, func(k string) string { return l.name("denuncia.who.", k, "") }),
		count("emergencies", l.T("report.section.emergencies"), r.Emergencies, cur.emerg, func(k string) string { return l.name("report.trigger.", k, "") }),
		count("families", l.T("report.section.families"), r.Families, cur.families, func(k string) string { return l.name("families.", k, ".title") }),
	)

	e := r.Escalations
	esc := table{ID: "escalations", Title: l.T("report.section.escalations"), Head: []string{l.T("report.col.item"), l.T("report.col.week")},
		Metrics: []string{"", "week"}}
	if !e.Available {
		esc.Note = l.T("report.esc.unavailable")
	}
	median, p90 := cur.firstResponse(l, e)
	esc.Rows = []row{
		{"opened", []string{l.T("report.esc.opened"), cur.g.text(cur.total["escalations_opened"])}},
		{"answered", []string{l.T("report.esc.answered"), cur.g.text(cur.answered)}},
		{"closed", []string{l.T("report.esc.closed"), cur.g.text(cur.closed)}},
		{"first_response_median", []string{l.T("report.esc.median"), median}},
		{"first_response_p90", []string{l.T("report.esc.p90"), p90}},
	}
	v.Tables = append(v.Tables, esc)

	for _, s := range []struct {
		id   string
		segs []Segment
	}{{"campaign", r.Segments.Campaign}, {"modulo", r.Segments.Modulo}, {"lang", r.Segments.Lang}} {
		tb := table{ID: "by_" + s.id, Title: l.T("report.section." + s.id),
			Head: []string{l.T("report.col." + s.id), l.T("report.col.people"), l.T("report.col.new"), l.T("report.col.requests"),
				l.T("report.col.rights"), l.T("report.col.shelters"), l.T("report.col.denuncias"), l.T("report.col.escalations"), l.T("report.col.emergencies"),
				l.T("report.col.families_people"), l.T("report.col.families")},
			Metrics: append([]string{""}, segmentColumns...)}
		for i, g := range s.segs {
			cells := []string{l.segmentName(s.id, g)}
			for _, c := range cur.seg[s.id][i] {
				cells = append(cells, cur.g.text(c))
			}
			tb.Rows = append(tb.Rows, row{g.Key, cells})
		}
		v.Tables = append(v.Tables, tb)
	}
	v.Tables = append(v.Tables, l.channelsTable(r), l.goalsTable(r))
	return v
}

// channelsTable is the people and requests of each channel.
func (l Labels) channelsTable(r *Report) table {
	tb := table{ID: "by_channel", Title: l.T("report.section.channel"),
		Head:    []string{l.T("report.col.channel"), l.T("report.col.people"), l.T("report.col.requests")},
		Metrics: []string{"", "people", "requests"}}
	for i, c := range r.Channels {
		cells := r.shown.channels[i]
		tb.Rows = append(tb.Rows, row{c.Key, []string{l.name("report.channel.", c.Key, ""), r.shown.g.text(cells[0]), r.shown.g.text(cells[1])}})
	}
	return tb
}

func (l Labels) segmentName(dim string, g Segment) string {
	switch {
	case g.Key == "" && dim == "lang":
		return l.T("report.seg.nolang")
	case g.Key == "":
		return l.T("report.seg.none")
	case dim == "lang":
		if l.cat.Has(g.Key) {
			return l.cat.T(g.Key, "lang.name", nil)
		}
		return g.Key
	case g.Name != "":
		return g.Key + " — " + g.Name
	}
	return g.Key
}

func (l Labels) goalsTable(r *Report) table {
	year := 0
	if len(r.Goals) > 0 {
		year = r.Goals[0].Year
	}
	tb := table{ID: "goals", Title: l.T("report.section.goals", "Year", year),
		Head:    []string{l.T("report.col.goal"), l.T("report.col.actual"), l.T("report.col.target"), l.T("report.col.percent")},
		Metrics: []string{"", "actual", "target", "percent"}}
	for _, g := range r.Goals {
		// Goals that count people are shown by the "<5" rule.
		people := g.Key == "people" || g.Key == "families_people"
		actual := strconv.Itoa(g.Actual)
		if people {
			actual = Num(g.Actual)
		}
		target, pct := l.T("report.goal.unset"), "–"
		if g.Target != nil {
			target = strconv.Itoa(*g.Target)
			if *g.Target > 0 && (!people || g.Actual >= Small || g.Actual == 0) {
				pct = fmt.Sprintf("%.0f%%", math.Floor(float64(g.Actual)*100/float64(*g.Target)))
			}
		}
		tb.Rows = append(tb.Rows, row{g.Key, []string{l.T("report.goal." + g.Key), actual, target, pct}})
	}
	return tb
}

// day is the date part of an RFC 3339 time.
func day(rfc string) string {
	if len(rfc) >= 10 {
		return rfc[:10]
	}
	return rfc
}

// lastDay is the last day the report covers (Sunday, or today).
func lastDay(r *Report) string {
	to, err := time.Parse(time.RFC3339, r.To)
	if err != nil || r.Partial {
		return day(r.To)
	}
	return to.Add(-time.Millisecond).Format("2006-01-02")
}

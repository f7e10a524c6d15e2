package report

import "strconv"

// Cell suppression, as statistics offices do it (docs/weekly-report.md,
// "Small counts"): a count from 1 to Small-1 is hidden as "<5" (primary
// suppression); then, wherever a table shows a total and its parts, more
// cells are hidden as "x" (complementary suppression) until no hidden
// count can be worked out by subtraction. The reader is assumed to know
// the rule: a "<5" is 1 to 4, an "x" is at least 5, a 0 is 0.

// Hidden is how a complementary-suppressed cell shows: a count of Small or
// more, hidden so that a small one beside it cannot be worked out.
const Hidden = "x"

// cell states
const (
	shown  uint8 = iota
	small        // 1 to Small-1, shown "<5"
	masked       // Small or more, shown "x"
)

// inf is the upper bound a reader has of an "x".
const inf = 1 << 40

// grid is a set of counts and the sums that tie them: each relation says
// its first cell is the sum of the others, as a reader of the report
// knows.
type grid struct {
	val   []int
	state []uint8
	rels  [][]int
}

// cell adds a count; 1 to Small-1 is hidden from the start.
func (g *grid) cell(v int) int {
	st := shown
	if v > 0 && v < Small {
		st = small
	}
	g.val = append(g.val, v)
	g.state = append(g.state, st)
	return len(g.val) - 1
}

// sum says total is the sum of parts.
func (g *grid) sum(total int, parts ...int) {
	if len(parts) > 0 {
		g.rels = append(g.rels, append([]int{total}, parts...))
	}
}

// hidden reports whether cell i is not shown as its number.
func (g *grid) hidden(i int) bool { return g.state[i] != shown }

// text is how cell i shows.
func (g *grid) text(i int) string {
	switch g.state[i] {
	case small:
		return "<" + strconv.Itoa(Small)
	case masked:
		return Hidden
	}
	return strconv.Itoa(g.val[i])
}

// bounds are what a reader can work out of every cell: its label's range,
// narrowed through the sums until nothing changes.
func (g *grid) bounds() (lo, hi []int) {
	lo, hi = make([]int, len(g.val)), make([]int, len(g.val))
	for i, v := range g.val {
		switch g.state[i] {
		case shown:
			lo[i], hi[i] = v, v
		case small:
			lo[i], hi[i] = 1, Small-1
		case masked:
			lo[i], hi[i] = Small, inf
		}
	}
	for round := 0; round < 1000; round++ {
		changed := false
		tighten := func(i, l, h int) {
			if l > lo[i] {
				lo[i], changed = l, true
			}
			if h < hi[i] {
				hi[i], changed = h, true
			}
		}
		for _, r := range g.rels {
			t, parts := r[0], r[1:]
			sumLo, sumHi, infs := 0, 0, 0
			for _, p := range parts {
				sumLo += lo[p]
				if hi[p] >= inf {
					infs++
				} else {
					sumHi += hi[p]
				}
			}
			if infs == 0 {
				tighten(t, sumLo, sumHi)
			} else {
				tighten(t, sumLo, inf)
			}
			for _, p := range parts {
				l, h := lo[p], hi[p]
				// the others at their largest leave p at least this
				if othersInf := infs - b2i(hi[p] >= inf); othersInf == 0 {
					others := sumHi
					if hi[p] < inf {
						others -= hi[p]
					}
					l = lo[t] - others
				}
				if hi[t] < inf {
					h = hi[t] - (sumLo - lo[p])
				}
				tighten(p, l, h)
			}
		}
		if !changed {
			break
		}
	}
	return lo, hi
}

func b2i(b bool) int {
	if b {
		return 1
	}
	return 0
}

// exposed lists the relations through which a hidden count can be worked
// out: a hidden cell whose value a reader can pin, or hidden parts whose
// sum a reader can pin to 1 to Small-1.
func (g *grid) exposed() []int {
	lo, hi := g.bounds()
	var out []int
	for ri, r := range g.rels {
		bad := false
		for _, c := range r {
			if g.hidden(c) && lo[c] == hi[c] {
				bad = true
			}
		}
		if t := r[0]; !bad && lo[t] == hi[t] {
			rest, any := lo[t], false
			for _, p := range r[1:] {
				if g.hidden(p) {
					any = true
				} else {
					rest -= g.val[p]
				}
			}
			bad = any && rest > 0 && rest < Small
		}
		if bad {
			out = append(out, ri)
		}
	}
	return out
}

// suppress hides cells until no hidden count can be worked out: while a
// relation exposes one, it hides that relation's smallest shown non-zero
// part, or its total when no part is left. Then it shows again, last
// first, every "x" the others made unnecessary.
func (g *grid) suppress() {
	var order []int
	for len(order) <= len(g.val) {
		next := -1
		for _, ri := range g.exposed() {
			if next = g.complement(g.rels[ri]); next >= 0 {
				break
			}
		}
		if next < 0 {
			break
		}
		g.state[next] = masked
		order = append(order, next)
	}
	for i := len(order) - 1; i >= 0; i-- {
		c := order[i]
		g.state[c] = shown
		if len(g.exposed()) > 0 {
			g.state[c] = masked
		}
	}
}

// complement is the cell of r to hide next, or -1.
func (g *grid) complement(r []int) int {
	best := -1
	for _, p := range r[1:] {
		if g.state[p] == shown && g.val[p] > 0 && (best < 0 || g.val[p] < g.val[best]) {
			best = p
		}
	}
	if best < 0 && g.state[r[0]] == shown && g.val[r[0]] > 0 {
		best = r[0]
	}
	return best
}

// totalKeys are the headline figures, in the order the reports show them.
var totalKeys = []string{"people", "new_people", "returning_people", "requests", "rights_views",
	"shelter_searches", "denuncias", "escalations_opened", "emergencies", "families_people", "families_requests",
	"info_requests"}

func (t Totals) byKey() []int {
	return []int{t.People, t.NewPeople, t.ReturningPeople, t.Requests, t.RightsViews,
		t.ShelterSearches, t.Denuncias, t.EscalationsOpened, t.Emergencies, t.FamiliesPeople, t.FamiliesRequests,
		t.InfoRequests}
}

// segmentColumns are the metrics of a campaign, módulo or language row;
// the sum of each column but the people's is the headline figure of the
// same key (a person can count under two campaigns or languages in a
// week, so people do not add up).
var segmentColumns = []string{"people", "new_people", "requests", "rights_views", "shelter_searches",
	"denuncias", "escalations_opened", "emergencies", "families_people", "families_requests"}

// segmentPeople are the columns of segmentColumns that count people.
var segmentPeople = map[string]bool{"people": true, "new_people": true, "families_people": true}

func (s Segment) byColumn() []int {
	return []int{s.People, s.NewPeople, s.Requests, s.RightsViews, s.Shelters, s.Denuncias, s.Escalations, s.Emergencies,
		s.FamiliesPeople, s.Families}
}

// sheet is every count one week's report shows, suppressed together.
type sheet struct {
	g                                                *grid
	total                                            map[string]int
	rights, shelters, cat, mun, who, emerg, families []int
	answered, closed                                 int
	seg                                              map[string][][]int // dim → row → column
	// channels are each channel's people and requests cells.
	channels [][2]int
}

// suppressed lays out r's counts with the sums a reader knows between
// them, and hides what must be hidden.
func suppressed(r *Report) *sheet {
	g := &grid{}
	s := &sheet{g: g, total: map[string]int{}, seg: map[string][][]int{}}
	for i, v := range r.Totals.byKey() {
		s.total[totalKeys[i]] = g.cell(v)
	}
	g.sum(s.total["people"], s.total["new_people"], s.total["returning_people"])
	counts := func(total string, cs []Count) []int {
		ids := make([]int, len(cs))
		for i, c := range cs {
			ids[i] = g.cell(c.Count)
		}
		g.sum(s.total[total], ids...)
		return ids
	}
	s.rights = counts("rights_views", r.Rights)
	s.shelters = counts("shelter_searches", r.Shelters)
	s.cat = counts("denuncias", r.Denuncias.ByCategory)
	s.mun = counts("denuncias", r.Denuncias.ByMunicipality)
	s.who = counts("denuncias", r.Denuncias.ByPerpetrator)
	s.emerg = counts("emergencies", r.Emergencies)
	s.families = counts("families_requests", r.Families)
	s.answered, s.closed = g.cell(r.Escalations.Answered), g.cell(r.Escalations.Closed)
	for _, d := range []struct {
		dim  string
		segs []Segment
	}{{"campaign", r.Segments.Campaign}, {"modulo", r.Segments.Modulo}, {"lang", r.Segments.Lang}} {
		rows := make([][]int, len(d.segs))
		for i, sg := range d.segs {
			for _, v := range sg.byColumn() {
				rows[i] = append(rows[i], g.cell(v))
			}
		}
		for c := range segmentColumns {
			if segmentPeople[segmentColumns[c]] {
				continue
			}
			col := make([]int, len(rows))
			for i := range rows {
				col[i] = rows[i][c]
			}
			g.sum(s.total[segmentColumns[c]], col...)
		}
		s.seg[d.dim] = rows
	}
	// A channel's requests are its part of the week's; its people do not
	// add up (a person can come through both channels), as a segment's.
	reqs := make([]int, len(r.Channels))
	for i, c := range r.Channels {
		s.channels = append(s.channels, [2]int{g.cell(c.People), g.cell(c.Requests)})
		reqs[i] = s.channels[i][1]
	}
	g.sum(s.total["requests"], reqs...)
	g.suppress()
	return s
}

// firstResponse is the median and 90th-percentile time to the first
// answer as shown: a time over 1 to 4 answers is one person's wait, or
// near it, so it shows only when the number answered does.
func (s *sheet) firstResponse(l Labels, e Escalations) (median, p90 string) {
	if s.g.hidden(s.answered) {
		return "–", "–"
	}
	return l.duration(e.FirstResponseMedianSecond), l.duration(e.FirstResponseP90Second)
}

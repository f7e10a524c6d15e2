package report

import (
	"slices"
	"testing"
)

// TestSuppress covers one total and its parts: what shows, and that no
// hidden count can be worked out of what shows.
func TestSuppress(t *testing.T) {
	for _, tc := range []struct {
		name  string
		total int
		parts []int
		// want is the total then the parts as they show
		want []string
	}{
		{"nothing small", 17, []int{9, 8}, []string{"17", "9", "8"}},
		{"zero is not sensitive", 9, []int{9, 0, 0}, []string{"9", "9", "0", "0"}},
		// 6 − 5 = 1: hiding the 5 is not enough (an "x" is at least 5,
		// so the other is at most 1); the total goes, the 5 shows again.
		{"one hidden cell, two parts", 6, []int{5, 1}, []string{"x", "5", "<5"}},
		// 12 − 9 = 3 with one hidden: the next smallest part hides, and
		// 12 − 9 leaves the two hidden between 5+1 and 8+4.
		{"one hidden cell", 21, []int{9, 8, 3, 0}, []string{"21", "9", "x", "<5", "0"}},
		// 20 − 17 = 3 is two small counts summing to under 5.
		{"hidden cells summing under 5", 20, []int{9, 8, 2, 1}, []string{"20", "9", "x", "<5", "<5"}},
		// 5 = 1 + 4 or 2 + 3...: the sum is not small and pins neither.
		{"hidden cells summing to 5", 14, []int{9, 3, 2}, []string{"14", "9", "<5", "<5"}},
		{"total itself under 5", 3, []int{2, 1}, []string{"<5", "<5", "<5"}},
		{"total under 5, one part", 3, []int{3, 0}, []string{"<5", "<5", "0"}},
		// 4 + 4 + 4 = 12 pins each to 4: only hiding the total helps.
		{"all cells hidden", 12, []int{4, 4, 4}, []string{"x", "<5", "<5", "<5"}},
		{"all cells hidden, sum ambiguous", 7, []int{4, 2, 1}, []string{"7", "<5", "<5", "<5"}},
		{"all zero", 0, []int{0, 0}, []string{"0", "0", "0"}},
		{"no parts", 4, nil, []string{"<5"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			g := &grid{}
			tot := g.cell(tc.total)
			ids := []int{tot}
			for _, p := range tc.parts {
				ids = append(ids, g.cell(p))
			}
			g.sum(tot, ids[1:]...)
			g.suppress()
			var got []string
			for _, c := range ids {
				got = append(got, g.text(c))
			}
			if !slices.Equal(got, tc.want) {
				t.Errorf("shows %v, want %v", got, tc.want)
			}
			assertUnrecoverable(t, g)
			assertAmbiguous(t, g)
		})
	}
}

// assertUnrecoverable checks, with the suppression's own reasoning
// (bounds narrowed through the sums), that no hidden cell is pinned and
// that the bounds hold each true value; assertAmbiguous checks the same
// without that reasoning, for grids small enough to try every value.
func assertUnrecoverable(t *testing.T, g *grid) {
	t.Helper()
	if e := g.exposed(); len(e) > 0 {
		t.Errorf("relations %v still expose a hidden count", e)
	}
	lo, hi := g.bounds()
	for i := range g.val {
		if g.hidden(i) && lo[i] == hi[i] {
			t.Errorf("cell %d (%d) is pinned", i, g.val[i])
		}
		if lo[i] > g.val[i] || hi[i] < g.val[i] {
			t.Errorf("cell %d: bounds [%d, %d] exclude its value %d", i, lo[i], hi[i], g.val[i])
		}
	}
}

// TestSuppressSharedTotal is a total broken down two ways (denuncias by
// category and by municipality): hiding it for one breakdown must not let
// the other give it back.
func TestSuppressSharedTotal(t *testing.T) {
	g := &grid{}
	tot := g.cell(6)
	cat := []int{g.cell(5), g.cell(1)}
	mun := []int{g.cell(6), g.cell(0)}
	g.sum(tot, cat...)
	g.sum(tot, mun...)
	g.suppress()
	if !g.hidden(tot) || !g.hidden(mun[0]) || g.hidden(cat[0]) {
		t.Errorf("total %s, category %s, municipality %s", g.text(tot), g.text(cat[0]), g.text(mun[0]))
	}
	assertUnrecoverable(t, g)
	assertAmbiguous(t, g)
}

// assertAmbiguous tries, as a reader could, every value each hidden cell
// may take ("<5": 1 to 4; "x": 5 up to the sum of every count) and keeps
// the assignments all the sums allow: each hidden cell must have at least
// two possible values, and the hidden parts of a sum must not add up to
// one known number from 1 to 4.
func assertAmbiguous(t *testing.T, g *grid) {
	t.Helper()
	top := Small
	for _, v := range g.val {
		top += v
	}
	var hiddenCells []int
	for i := range g.val {
		if g.hidden(i) {
			hiddenCells = append(hiddenCells, i)
		}
	}
	try := slices.Clone(g.val)
	possible := make([]map[int]bool, len(g.val))
	hiddenSums := make([]map[int]bool, len(g.rels))
	for i := range possible {
		possible[i] = map[int]bool{}
	}
	for i := range hiddenSums {
		hiddenSums[i] = map[int]bool{}
	}
	var walk func(k int)
	walk = func(k int) {
		if k == len(hiddenCells) {
			for _, r := range g.rels {
				sum := 0
				for _, c := range r[1:] {
					sum += try[c]
				}
				if sum != try[r[0]] {
					return
				}
			}
			for _, c := range hiddenCells {
				possible[c][try[c]] = true
			}
			for ri, r := range g.rels {
				sum := 0
				for _, c := range r[1:] {
					if g.hidden(c) {
						sum += try[c]
					}
				}
				hiddenSums[ri][sum] = true
			}
			return
		}
		c := hiddenCells[k]
		lo, hi := 1, Small-1
		if g.state[c] == masked {
			lo, hi = Small, top
		}
		for v := lo; v <= hi; v++ {
			try[c] = v
			walk(k + 1)
		}
	}
	walk(0)
	for _, c := range hiddenCells {
		if !possible[c][g.val[c]] {
			t.Errorf("cell %d: its true value %d is not among those a reader finds possible", c, g.val[c])
		}
		if len(possible[c]) < 2 {
			t.Errorf("cell %d (%d) can be worked out: only %v is possible", c, g.val[c], possible[c])
		}
	}
	for ri, sums := range hiddenSums {
		if len(sums) == 1 {
			for v := range sums {
				if v > 0 && v < Small {
					t.Errorf("the hidden parts of sum %v add up to exactly %d", g.rels[ri], v)
				}
			}
		}
	}
}

// TestSmallChannelIsSuppressed: a channel with 1 to 4 requests beside a
// busy one shows "<5", and the busy one's requests hide too, or the
// week's total would give the small one away by subtraction.
func TestSmallChannelIsSuppressed(t *testing.T) {
	r := &Report{Totals: Totals{People: 12, NewPeople: 12, Requests: 43},
		Channels: []Channel{{"telegram", 11, 40}, {"web", 1, 3}}}
	s := suppressed(r)
	if got := s.g.text(s.channels[1][0]) + " " + s.g.text(s.channels[1][1]); got != "<5 <5" {
		t.Errorf("web shows %s, want <5 <5", got)
	}
	if s.g.text(s.channels[0][1]) != Hidden && s.g.text(s.total["requests"]) != Hidden {
		t.Errorf("telegram's 40 and the total 43 both show: 43 − 40 is web's 3")
	}
	assertUnrecoverable(t, s.g)
}

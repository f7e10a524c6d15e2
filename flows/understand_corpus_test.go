package flows_test

import (
	"bufio"
	"fmt"
	"os"
	"sort"
	"strings"
	"testing"

	"github.com/acercate/acercate/apptest"
	"github.com/acercate/acercate/flows"
	"github.com/acercate/acercate/understand"
)

// corpusLine is one labelled message of flows/testdata/corpus.
type corpusLine struct {
	lang, intent, text string
	line               int
}

func loadCorpus(t testing.TB, name string) []corpusLine {
	t.Helper()
	f, err := os.Open("testdata/corpus/" + name)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	var out []corpusLine
	sc := bufio.NewScanner(f)
	for n := 1; sc.Scan(); n++ {
		if strings.TrimSpace(sc.Text()) == "" || strings.HasPrefix(sc.Text(), "#") {
			continue
		}
		p := strings.SplitN(sc.Text(), "\t", 3)
		if len(p) != 3 {
			t.Fatalf("%s:%d: want lang<TAB>intent<TAB>text", name, n)
		}
		out = append(out, corpusLine{lang: p[0], intent: p[1], text: p[2], line: n})
	}
	if err := sc.Err(); err != nil {
		t.Fatal(err)
	}
	return out
}

// verdict is what the engine made of one corpus message, against its label.
type verdict struct {
	danger      bool // labelled danger
	gotDanger   bool // answered with the emergency
	rightIntent bool
}

// judge scores one message. A danger label is right when the emergency
// answer comes, of the right kind (a child alone, sexual violence), and,
// for "emergency+denuncia", the flow after it; "unknown" is right when the
// bot asks or says it did not understand, without an emergency; any other
// label is right when it is the intent acted on.
func judge(eng *flows.Engine, m corpusLine) verdict {
	r := eng.Read(m.text, m.lang)
	want, then, _ := strings.Cut(m.intent, "+")
	v := verdict{danger: understand.IsDanger(want), gotDanger: r.Danger != ""}
	switch {
	case v.danger:
		v.rightIntent = r.Danger == want && (then == "" || r.Sure() && r.Top() == then)
	case want == "unknown":
		v.rightIntent = !v.gotDanger && !r.Sure()
	default:
		v.rightIntent = !v.gotDanger && r.Sure() && r.Top() == want
	}
	return v
}

type tally struct{ n, right, danger, dangerHit, rest, falseAlarm int }

func (t *tally) add(v verdict) {
	t.n++
	if v.rightIntent {
		t.right++
	}
	if v.danger {
		t.danger++
		if v.gotDanger {
			t.dangerHit++
		}
	} else {
		t.rest++
		if v.gotDanger {
			t.falseAlarm++
		}
	}
}

func pct(a, b int) float64 {
	if b == 0 {
		return 100
	}
	return 100 * float64(a) / float64(b)
}

func (t tally) String() string {
	return fmt.Sprintf("n=%3d  intent %5.1f%%  danger recall %5.1f%% (%d/%d)  false emergency %4.1f%% (%d/%d)",
		t.n, pct(t.right, t.n), pct(t.dangerHit, t.danger), t.dangerHit, t.danger, pct(t.falseAlarm, t.rest), t.falseAlarm, t.rest)
}

// corpusReport scores a corpus file: overall, per language, per intent,
// and the messages it got wrong.
func corpusReport(eng *flows.Engine, lines []corpusLine) (all tally, report string) {
	byLang, byIntent := map[string]*tally{}, map[string]*tally{}
	var b, miss strings.Builder
	for _, m := range lines {
		v := judge(eng, m)
		all.add(v)
		for key, tbl := range map[string]map[string]*tally{m.lang: byLang, m.intent: byIntent} {
			if tbl[key] == nil {
				tbl[key] = &tally{}
			}
			tbl[key].add(v)
		}
		if !v.rightIntent || v.danger != v.gotDanger {
			r := eng.Read(m.text, m.lang)
			fmt.Fprintf(&miss, "  line %d %s want %s, got danger=%q top=%q sure=%v near=%v: %s\n",
				m.line, m.lang, m.intent, r.Danger, r.Top(), r.Sure(), r.Near, m.text)
		}
	}
	fmt.Fprintf(&b, "all      %s\n", all)
	for _, tbl := range []map[string]*tally{byLang, byIntent} {
		keys := make([]string, 0, len(tbl))
		for k := range tbl {
			keys = append(keys, k)
		}
		sort.Strings(keys)
		for _, k := range keys {
			fmt.Fprintf(&b, "%-20s %s\n", k, tbl[k])
		}
	}
	return all, b.String() + "misses:\n" + miss.String()
}

// The targets on the held-out part (issue 15).
const (
	minDangerRecall = 99.0
	maxFalseAlarm   = 2.0
	minRightIntent  = 90.0
)

// TestCorpus reports what the engine understands of the labelled corpus,
// per language and per intent, and fails when the held-out part falls
// below the targets: every danger message answered with the emergency
// (recall ≥ 99%), a false emergency on ≤ 2% of the rest, the right intent
// for ≥ 90%.
func TestCorpus(t *testing.T) {
	env := apptest.New(t)
	train := loadCorpus(t, "train.tsv")
	held := loadCorpus(t, "heldout.tsv")
	if n := len(train) + len(held); n < 600 {
		t.Errorf("corpus has %d messages, want at least 600", n)
	}
	seen := map[string]bool{}
	for _, m := range train {
		seen[strings.Join(strings.Fields(strings.ToLower(m.text)), " ")] = true
	}
	for _, m := range held {
		if seen[strings.Join(strings.Fields(strings.ToLower(m.text)), " ")] {
			t.Errorf("heldout.tsv:%d is also in train.tsv: %s", m.line, m.text)
		}
	}
	_, rep := corpusReport(env.Engine, train)
	t.Logf("train:\n%s", rep)
	all, rep := corpusReport(env.Engine, held)
	t.Logf("held-out:\n%s", rep)
	if r := pct(all.dangerHit, all.danger); r < minDangerRecall {
		t.Errorf("held-out danger recall %.1f%%, want ≥ %.0f%%", r, minDangerRecall)
	}
	if r := pct(all.falseAlarm, all.rest); r > maxFalseAlarm {
		t.Errorf("held-out false emergency %.1f%%, want ≤ %.0f%%", r, maxFalseAlarm)
	}
	if r := pct(all.right, all.n); r < minRightIntent {
		t.Errorf("held-out right intent %.1f%%, want ≥ %.0f%%", r, minRightIntent)
	}
}

// BenchmarkUnderstand reads every held-out message once per iteration and
// prints the held-out figures.
//
//	go test ./flows -run '^$' -bench Understand
func BenchmarkUnderstand(b *testing.B) {
	env := apptest.New(b)
	held := loadCorpus(b, "heldout.tsv")
	all, rep := corpusReport(env.Engine, held)
	b.Logf("held-out:\n%s", rep)
	b.ReportMetric(pct(all.dangerHit, all.danger), "danger-recall-%")
	b.ReportMetric(pct(all.falseAlarm, all.rest), "false-emergency-%")
	b.ReportMetric(pct(all.right, all.n), "right-intent-%")
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		for _, m := range held {
			env.Engine.Read(m.text, m.lang)
		}
	}
	b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(b.N*len(held)), "ns/message")
}

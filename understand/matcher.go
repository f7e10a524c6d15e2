package understand

import (
	"fmt"
	"sort"
	"strings"
	"unicode/utf8"
)

// The danger intents, strongest answer first: sexual violence gets the
// emergency numbers and what the law gives within hours; a child alone the
// numbers and the child-protection authority; the rest the numbers.
const (
	Sexual    = "sexual"
	Child     = "child"
	Emergency = "emergency"
)

var dangerOrder = []string{Sexual, Child, Emergency}

// IsDanger reports whether intent is one of the danger intents.
func IsDanger(intent string) bool {
	return intent == Sexual || intent == Child || intent == Emergency
}

// Source is one list of phrases of one language for one intent; with no
// Intent, a list of words known not to be typos of the phrases' words.
type Source struct {
	Lang   string
	Intent string
	// Phrases holds one phrase per line or per comma. A "#" line is a
	// comment; a phrase starting with "~" is weak: it counts only when no
	// other (not weak) intent matched ("ayuda" alone is a call for help,
	// "ayuda con mis papeles" is not).
	Phrases string
	// Weak makes every phrase of the source weak (greetings).
	Weak bool
}

// Language is how one language is normalised.
type Language struct {
	Code string
	// Abbrev lists chat abbreviations, "q=que, xq=porque".
	Abbrev string
}

// Matcher matches text against the phrases of every language. It is
// immutable once built and safe for concurrent use.
type Matcher struct {
	langs []*index
	// known holds every phrase word of every language, squeezed: a word
	// people write that is one of them is that word, not a typo of
	// another ("enfermo" is not a misspelt "enfermé", "san" not "sang").
	known map[string]bool
}

type index struct {
	lang
	vocab   []token
	byStem  map[string][]int
	phrases []phrase
	// using lists, for each vocabulary word, the phrases that contain it.
	using [][]int
}

type phrase struct {
	ids    []int
	intent string
	weak   bool
	// cue marks a word that alone says little ("pandilla", "encapuchados")
	// but, with another cue of the same intent, is that intent.
	cue  bool
	text string
}

// New builds a matcher over the languages and phrase sources.
func New(langs []Language, sources []Source) (*Matcher, error) {
	m := &Matcher{known: map[string]bool{}}
	byCode := map[string]*index{}
	for _, l := range langs {
		ix := &index{lang: lang{code: l.Code, abbrev: parseAbbrev(l.Abbrev), stem: stemmers[l.Code]}, byStem: map[string][]int{}}
		m.langs = append(m.langs, ix)
		byCode[l.Code] = ix
	}
	for _, s := range sources {
		ix := byCode[s.Lang]
		if ix == nil {
			return nil, fmt.Errorf("understand: phrases for %q, a language not given", s.Lang)
		}
		for _, line := range strings.Split(s.Phrases, "\n") {
			line = strings.TrimSpace(line)
			if strings.HasPrefix(line, "#") {
				continue
			}
			for _, p := range strings.Split(line, ",") {
				if s.Intent == "" {
					// Words that are no intent's, only known not to be
					// typos of one ("mexico" is not "medico").
					for _, t := range ix.words(p) {
						m.known[t.sq] = true
					}
					continue
				}
				ix.add(strings.TrimSpace(p), s.Intent, s.Weak)
			}
		}
	}
	for _, ix := range m.langs {
		for _, v := range ix.vocab {
			m.known[v.sq] = true
		}
	}
	return m, nil
}

// maxVariants bounds how many phrases one line with alternatives makes.
const maxVariants = 512

// add indexes a phrase. A word written "a/b/c" is any of them: "niño/niña
// solo/sola" is the four phrases "niño solo", "niño sola", "niña solo" and
// "niña sola".
func (ix *index) add(p, intent string, weak bool) {
	cue := false
	switch {
	case strings.HasPrefix(p, "~"):
		weak, p = true, strings.TrimSpace(p[1:])
	case strings.HasPrefix(p, "+"):
		cue, p = true, strings.TrimSpace(p[1:])
	}
	variants := []string{""}
	for _, w := range strings.Fields(p) {
		var next []string
		for _, v := range variants {
			for _, alt := range strings.Split(w, "/") {
				if alt != "" && len(next) < maxVariants {
					next = append(next, strings.TrimSpace(v+" "+alt))
				}
			}
		}
		variants = next
	}
	for _, v := range variants {
		ix.addOne(v, p, intent, weak, cue)
	}
}

func (ix *index) addOne(p, line, intent string, weak, cue bool) {
	toks := ix.words(p)
	if len(toks) == 0 {
		return
	}
	ph := phrase{intent: intent, weak: weak, cue: cue, text: line}
	for _, t := range toks {
		ph.ids = append(ph.ids, ix.vocabID(t))
	}
	for _, q := range ix.phrases {
		if q.intent == intent && q.weak == weak && q.cue == cue && equalIDs(q.ids, ph.ids) {
			return
		}
	}
	n := len(ix.phrases)
	ix.phrases = append(ix.phrases, ph)
	seen := map[int]bool{}
	for _, id := range ph.ids {
		if !seen[id] {
			seen[id] = true
			ix.using[id] = append(ix.using[id], n)
		}
	}
}

func (ix *index) vocabID(t token) int {
	for _, id := range ix.byStem[t.stem] {
		if ix.vocab[id].sq == t.sq {
			return id
		}
	}
	id := len(ix.vocab)
	ix.vocab = append(ix.vocab, t)
	ix.using = append(ix.using, nil)
	ix.byStem[t.stem] = append(ix.byStem[t.stem], id)
	return id
}

func equalIDs(a, b []int) bool {
	if len(a) != len(b) {
		return false
	}
	for i := range a {
		if a[i] != b[i] {
			return false
		}
	}
	return true
}

// Score is how well the text matched one intent.
type Score struct {
	Intent string
	Score  float64
	// Lang is the language whose phrase matched best.
	Lang string
	// Phrase is the phrase that matched best (for tests and tuning).
	Phrase string
	// at are the words of the text that phrase covered.
	at []int
}

// Reading is what the matcher made of a text.
type Reading struct {
	// Danger is the strongest danger intent matched (Sexual, Child,
	// Emergency), or "".
	Danger string
	// DangerLang is the language of the danger phrase that matched, and
	// DangerPhrase the phrase (for tests and tuning).
	DangerLang, DangerPhrase string
	// Near is true when a danger word is close without a danger match (a
	// weak call for help beside another subject, a danger word with two
	// typos): an answer that asks should still show the emergency line.
	Near bool
	// Intents are the other intents matched, best first.
	Intents []Score
	// Weak are the intents only weak phrases matched ("sin papeles"),
	// best first: in Intents too when nothing else matched.
	Weak []Score
}

// Sure reports whether the best intent is clear enough to act on: a whole
// word matched, well ahead of the next intent.
func (r Reading) Sure() bool {
	if len(r.Intents) == 0 || r.Intents[0].Score < 0.9 {
		return false
	}
	if len(r.Intents) == 1 {
		return true
	}
	top, next := r.Intents[0], r.Intents[1]
	// Two intents read into the same words: the closer reading wins
	// ("réfugié" is the word of asylum, "refuge" only shares its stem).
	// Two intents named by different words: only a clear lead.
	return next.Score <= top.Score-0.5 || next.Score < top.Score && sameWords(top.at, next.at)
}

func sameWords(a, b []int) bool {
	da, db := distinct(a), distinct(b)
	if len(da) != len(db) {
		return false
	}
	for k := range da {
		if !db[k] {
			return false
		}
	}
	return true
}

// Top returns the best intent, or "".
func (r Reading) Top() string {
	if len(r.Intents) == 0 {
		return ""
	}
	return r.Intents[0].Intent
}

// maxGap is how many words may stand between two words of a phrase:
// "nos tienen encerrados" matches "nos tienen a todos encerrados".
const maxGap = 3

// Read reads text. prefer is the person's language: phrases of every
// language are tried, since people mix them, but a word the person's own
// language already explains counts less in another's ("refugee" is not the
// French "refuge", a shelter).
func (m *Matcher) Read(text, prefer string) Reading {
	var found []found
	for _, ix := range m.langs {
		toks := ix.words(text)
		if len(toks) == 0 {
			continue
		}
		hits := ix.hits(toks, m.known)
		for pi, f := range ix.match(hits) {
			p := ix.phrases[pi]
			for i := range f.at {
				f.at[i] = toks[f.at[i]].at
			}
			f.phrase, f.lang = &p, ix.code
			found = append(found, f)
		}
	}
	claimed := map[int]bool{}
	for _, f := range found {
		if f.lang == prefer && !f.phrase.weak {
			for _, at := range f.at {
				claimed[at] = true
			}
		}
	}
	type acc struct {
		best   Score
		bestAt []int
		cover  map[int]bool
		// groups are the cue lines matched: two cues must come from
		// two lines (who, and what they did).
		groups map[string]bool
	}
	strong, weak, cues := map[string]*acc{}, map[string]*acc{}, map[string]*acc{}
	for _, f := range found {
		p := f.phrase
		sc := f.score
		switch {
		case f.lang == prefer:
		case IsDanger(p.intent) && allIn(f.at, claimed) && sc < float64(len(p.ids)):
			// A word of the person's own language that only shares its
			// stem or a typo with another language's danger word is that
			// word ("enferma" is not the French "enfermé").
			continue
		case allIn(f.at, claimed):
			sc *= 0.7
		default:
			sc *= 0.99
		}
		tbl := strong
		switch {
		case p.weak:
			tbl = weak
		case p.cue:
			tbl = cues
		}
		a := tbl[p.intent]
		if a == nil {
			a = &acc{cover: map[int]bool{}, groups: map[string]bool{}}
			tbl[p.intent] = a
		}
		for _, at := range f.at {
			a.cover[at] = true
		}
		a.groups[p.text] = true
		if sc > a.best.Score {
			a.best = Score{Intent: p.intent, Score: sc, Lang: f.lang, Phrase: p.text, at: f.at}
			a.bestAt = f.at
		}
	}
	// Cues of one intent on two different words of the text are that
	// intent: "encapuchados nos bajaron del bus", "me agarraron entre
	// varios y me hicieron cosas".
	for in, a := range cues {
		if len(a.cover) >= 2 && len(a.groups) >= 2 && strong[in] == nil {
			strong[in] = a
		}
	}
	var r Reading
	for _, d := range dangerOrder {
		if a := strong[d]; a != nil && r.Danger == "" {
			r.Danger, r.DangerLang, r.DangerPhrase = d, a.best.Lang, a.best.Phrase
		}
	}
	for in, a := range strong {
		if IsDanger(in) {
			continue
		}
		// More of the text explained by the same intent makes it surer:
		// "albergue para dormir" more than "dormir".
		s := a.best
		s.Score += min(0.25*float64(len(a.cover)-len(distinct(a.bestAt))), 0.75)
		r.Intents = append(r.Intents, s)
	}
	other := len(r.Intents) > 0
	if r.Danger == "" {
		// A weak call for help is a danger when it is (nearly) the whole
		// message: "ayudaaa", "necesito ayuda por favor", "me ajuda" — not
		// "¿me pueden ayudar pronto con la cita?".
		words := len(strings.Fields(Fold(text)))
		polite := map[int]bool{}
		if a := weak["greeting"]; a != nil {
			polite = a.cover
		}
		for _, d := range dangerOrder {
			a := weak[d]
			if a == nil {
				continue
			}
			rest := words
			for at := range distinct(a.bestAt) {
				if !polite[at] {
					rest--
				}
			}
			rest -= len(polite)
			if other || rest > 1 {
				r.Near = true
			} else if r.Danger == "" {
				r.Danger, r.DangerLang, r.DangerPhrase = d, a.best.Lang, a.best.Phrase
			}
		}
	}
	for in, a := range weak {
		if !IsDanger(in) {
			r.Weak = append(r.Weak, a.best)
			if !other {
				r.Intents = append(r.Intents, a.best)
			}
		}
	}
	sortScores(r.Weak)
	if r.Danger == "" && !r.Near {
		for _, ix := range m.langs {
			if ix.near(ix.words(text), m.known) {
				r.Near = true
				break
			}
		}
	}
	sortScores(r.Intents)
	return r
}

func sortScores(s []Score) {
	sort.Slice(s, func(i, j int) bool {
		a, b := s[i], s[j]
		if a.Score != b.Score {
			return a.Score > b.Score
		}
		return a.Intent < b.Intent
	})
}

// found is one phrase that matched: its score and the words of the text
// it covered.
type found struct {
	phrase *phrase
	lang   string
	score  float64
	at     []int
}

func allIn(at []int, set map[int]bool) bool {
	for _, a := range at {
		if !set[a] {
			return false
		}
	}
	return len(at) > 0
}

func distinct(at []int) map[int]bool {
	m := map[int]bool{}
	for _, a := range at {
		m[a] = true
	}
	return m
}

// hit is one vocabulary word a text word matched; fuzzy when only within
// a typo.
type hit struct {
	id int
	// w is how much the word counts: 1 the same word, 0.9 the same stem
	// ("enfermos" for "enfermo"), 0.75 within a typo.
	w float64
}

// hits lists, for each text word, the vocabulary words it matches.
func (ix *index) hits(toks []token, known map[string]bool) [][]hit {
	out := make([][]hit, len(toks))
	for i, t := range toks {
		exact := map[int]bool{}
		for _, id := range ix.byStem[t.stem] {
			// A short stem joins too much ("como", "comida" and "comar"
			// are all "com"): it counts only for words that also begin
			// alike ("matar", "mataron").
			if v := ix.vocab[id].sq; len(t.stem) < 4 && v != t.sq && commonPrefix(v, t.sq) < 4 {
				continue
			}
			w := 0.9
			if ix.vocab[id].sq == t.sq {
				w = 1
			}
			out[i] = append(out[i], hit{id: id, w: w})
			exact[id] = true
		}
		if utf8.RuneCountInString(t.sq) < 5 || known[t.sq] {
			continue
		}
		for id, v := range ix.vocab {
			if exact[id] {
				continue
			}
			if d := fuzzyMax(v.sq); d > 0 && distance(t.sq, v.sq, d) <= d {
				out[i] = append(out[i], hit{id: id, w: 0.75})
			}
		}
	}
	return out
}

// fuzzyMax is how many typos a vocabulary word tolerates: none below six
// letters ("robo" and "rojo", "volé" and "violé" are different words),
// one up to eight, two from nine.
func fuzzyMax(w string) int {
	switch n := utf8.RuneCountInString(w); {
	case n < 6:
		return 0
	case n < 9:
		return 1
	default:
		return 2
	}
}

// match returns every phrase that matched, by phrase index, with the
// token positions it covered.
func (ix *index) match(hits [][]hit) map[int]found {
	cand := map[int]bool{}
	for _, hs := range hits {
		for _, h := range hs {
			for _, pi := range ix.using[h.id] {
				cand[pi] = true
			}
		}
	}
	out := map[int]found{}
	for pi := range cand {
		if sc, at, ok := ix.order(ix.phrases[pi].ids, hits, 0, -1); ok {
			out[pi] = found{score: sc, at: at}
		}
	}
	return out
}

// order finds the phrase words ids[k:] in hits after position from, each
// within maxGap of the previous, and returns the best score (the sum of
// the words' weights, hit.w) and the positions used.
func (ix *index) order(ids []int, hits [][]hit, k, from int) (float64, []int, bool) {
	if k == len(ids) {
		return 0, nil, true
	}
	lo, hi := from+1, len(hits)-1
	if k > 0 {
		hi = min(hi, from+1+maxGap)
	}
	best, found := 0.0, false
	var bestAt []int
	for i := lo; i <= hi; i++ {
		for _, h := range hits[i] {
			if h.id != ids[k] {
				continue
			}
			w := h.w
			if rest, at, ok := ix.order(ids, hits, k+1, i); ok && w+rest > best {
				best, found = w+rest, true
				bestAt = append([]int{i}, at...)
			}
		}
		if found && k > 0 {
			break
		}
	}
	return best, bestAt, found
}

// near reports whether a word of the text is within two typos of a long
// word of a one-word danger phrase ("secuesrtado"): not enough to answer
// with the emergency, enough to show its line.
func (ix *index) near(toks []token, known map[string]bool) bool {
	for _, p := range ix.phrases {
		if !IsDanger(p.intent) || len(p.ids) != 1 {
			continue
		}
		v := ix.vocab[p.ids[0]]
		if utf8.RuneCountInString(v.sq) < 6 {
			continue
		}
		for _, t := range toks {
			if !known[t.sq] && distance(t.sq, v.sq, 2) <= 2 {
				return true
			}
		}
	}
	return false
}

func commonPrefix(a, b string) int {
	n := 0
	for n < len(a) && n < len(b) && a[n] == b[n] {
		n++
	}
	return n
}

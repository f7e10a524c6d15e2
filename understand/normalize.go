// Package understand reads what a person wrote and says what they asked for:
// first whether they are in danger, then which intent (a flow, a rights topic,
// an information topic) the words point to, with a score, so the engine can
// act, or ask when it is unsure.
//
// It is a lexicon matcher, not a statistical model: every intent is a list of
// phrases in the locale files (locales/understand.<lang>.toml and the flows'
// keyword messages), which translators and the office edit without touching
// code. Text and phrases go through the same normalisation per language —
// lowercase, accents stripped, repeated letters squeezed ("ayudaaa"), chat
// abbreviations expanded ("xq" → "porque"), a Snowball stemmer for es, en,
// fr and pt (Haitian Creole has almost no inflection and no stemmer; its
// words are compared whole) — then a phrase matches when its words appear in
// order, with at most a few words between them, each word equal after
// stemming or within one typo (Damerau–Levenshtein) for longer words.
// Why not a classifier: a missed "me violaron" must be fixable by adding
// one line a translator can read, and explainable; a trained model is neither,
// and the labelled data (the corpus in flows/testdata/corpus) is small.
package understand

import (
	"strings"
	"sync"
	"unicode"
	"unicode/utf8"

	"github.com/blevesearch/snowballstem"
	"github.com/blevesearch/snowballstem/english"
	"github.com/blevesearch/snowballstem/french"
	"github.com/blevesearch/snowballstem/portuguese"
	"github.com/blevesearch/snowballstem/spanish"
	"golang.org/x/text/runes"
	"golang.org/x/text/transform"
	"golang.org/x/text/unicode/norm"
)

// token is one word of a text or a phrase, in the forms the matcher
// compares: squeezed (lowercase, no accents, no repeated letters) and its
// stem.
type token struct {
	sq, stem string
	// at is the index of the word of the text it comes from: one
	// abbreviation may stand for several tokens ("xq" → "por que").
	at int
}

// stemmers are the Snowball stemmers of the shipped languages that have one.
var stemmers = map[string]func(*snowballstem.Env) bool{
	"es": spanish.Stem,
	"en": english.Stem,
	"fr": french.Stem,
	"pt": portuguese.Stem,
}

// Fold lowercases s, strips accents and turns everything that is not a
// letter or a digit into a space ("j'ai" is "j ai", "¡Auxilio!" "auxilio",
// "Acércate" "acercate"). It is the one folding of text for matching:
// the matcher's words start from it, and the flows compare button labels,
// keywords and city names with it.
func Fold(s string) string {
	// ASCII has no accents to strip: decomposing and recomposing it gives
	// it back unchanged, so only other text goes through the chain.
	if !isASCII(s) {
		t := stripAccents.Get().(transform.Transformer)
		if out, _, err := transform.String(t, s); err == nil {
			s = out
		}
		stripAccents.Put(t)
	}
	return strings.Map(func(r rune) rune {
		if unicode.IsLetter(r) || unicode.IsDigit(r) {
			return unicode.ToLower(r)
		}
		return ' '
	}, s)
}

// stripAccents keeps chains that decompose, drop combining marks and
// recompose. A chain is not safe for concurrent use and making one
// allocates its buffers (tens of KB), which Fold, called several times an
// event, would do for every call; transform.String resets it.
var stripAccents = sync.Pool{New: func() any {
	return transform.Chain(norm.NFD, runes.Remove(runes.In(unicode.Mn)), norm.NFC)
}}

func isASCII(s string) bool {
	for i := 0; i < len(s); i++ {
		if s[i] >= utf8.RuneSelf {
			return false
		}
	}
	return true
}

// squeeze collapses every run of one letter into one: "ayudaaa" and
// "ayudaa" become "ayuda", and, on both sides of a comparison alike,
// "llamar" "lamar". Digits are kept as they are (a phone number).
func squeeze(w string) string {
	var b strings.Builder
	var last rune
	for _, r := range w {
		if r == last && !unicode.IsDigit(r) {
			continue
		}
		b.WriteRune(r)
		last = r
	}
	return b.String()
}

// lang holds how one language's text is normalised.
type lang struct {
	code   string
	abbrev map[string][]string
	stem   func(*snowballstem.Env) bool
}

// words splits text into normalised tokens for this language: folded,
// squeezed, abbreviations expanded, stemmed.
func (l *lang) words(text string) []token {
	var out []token
	for i, w := range strings.Fields(Fold(text)) {
		w = squeeze(w)
		if exp, ok := l.abbrev[w]; ok {
			for _, x := range exp {
				t := l.token(x)
				t.at = i
				out = append(out, t)
			}
			continue
		}
		t := l.token(w)
		t.at = i
		out = append(out, t)
	}
	return out
}

func (l *lang) token(w string) token {
	t := token{sq: w, stem: w}
	if l.stem != nil && utf8.RuneCountInString(w) > 3 {
		env := snowballstem.NewEnv(w)
		l.stem(env)
		// The stemmer may give back a doubled letter ("carr"): squeeze
		// again so both sides agree.
		t.stem = squeeze(env.Current())
	}
	return t
}

// parseAbbrev reads "q=que, xq=porque, pq=por que" into a map of squeezed
// abbreviation to the words it stands for.
func parseAbbrev(s string) map[string][]string {
	m := map[string][]string{}
	for _, item := range strings.Split(s, ",") {
		k, v, ok := strings.Cut(item, "=")
		if !ok {
			continue
		}
		k = squeeze(strings.TrimSpace(Fold(k)))
		var exp []string
		for _, w := range strings.Fields(Fold(v)) {
			exp = append(exp, squeeze(w))
		}
		if k != "" && len(exp) > 0 && !strings.Contains(k, " ") {
			m[k] = exp
		}
	}
	return m
}

// distance is the optimal-string-alignment (Damerau–Levenshtein) distance
// between a and b, stopping early past max.
func distance(a, b string, max int) int {
	ra, rb := []rune(a), []rune(b)
	if d := len(ra) - len(rb); d > max || -d > max {
		return max + 1
	}
	prev2 := make([]int, len(rb)+1)
	prev := make([]int, len(rb)+1)
	cur := make([]int, len(rb)+1)
	for j := range prev {
		prev[j] = j
	}
	for i := 1; i <= len(ra); i++ {
		cur[0] = i
		best := cur[0]
		for j := 1; j <= len(rb); j++ {
			cost := 1
			if ra[i-1] == rb[j-1] {
				cost = 0
			}
			v := min(prev[j]+1, cur[j-1]+1, prev[j-1]+cost)
			if i > 1 && j > 1 && ra[i-1] == rb[j-2] && ra[i-2] == rb[j-1] {
				v = min(v, prev2[j-2]+1)
			}
			cur[j] = v
			best = min(best, v)
		}
		if best > max {
			return max + 1
		}
		prev2, prev, cur = prev, cur, prev2
	}
	return prev[len(rb)]
}

package flows

import (
	"sort"
	"strings"
	"sync"

	"github.com/acercate/acercate/understand"
	"github.com/nicksnyder/go-i18n/v2/i18n"
)

// Catalog renders messages in the shipped languages.
type Catalog struct {
	langs []string
	loc   map[string]*i18n.Localizer
	// plain caches messages rendered without template data, by language
	// then id (id → string): the same text each time, and most messages are
	// such. Only shipped languages and ids the bundle has are kept, so it
	// holds at most the bundle's messages.
	plain map[string]*sync.Map
}

// NewCatalog returns a Catalog over a bundle for the given languages; the
// first is the fallback when a message is missing in a language (the
// locale completeness test keeps that from happening in a release). tag
// maps a language to the tag its messages are kept under in the bundle.
func NewCatalog(b *i18n.Bundle, langs []string, tag func(string) string) *Catalog {
	c := &Catalog{langs: langs, loc: map[string]*i18n.Localizer{}, plain: map[string]*sync.Map{}}
	for _, l := range langs {
		c.loc[l] = i18n.NewLocalizer(b, tag(l))
		c.plain[l] = &sync.Map{}
	}
	return c
}

// Languages returns the shipped languages, fallback first.
func (c *Catalog) Languages() []string { return c.langs }

// Has reports whether lang is shipped.
func (c *Catalog) Has(lang string) bool { _, ok := c.loc[lang]; return ok }

// T renders message id in lang with template data (a map or struct).
func (c *Catalog) T(lang, id string, data any) string {
	if m, isMap := data.(map[string]any); data == nil || isMap && m == nil {
		if cache := c.plain[lang]; cache != nil {
			if s, ok := cache.Load(id); ok {
				return s.(string)
			}
			s, ok := c.render(lang, id, nil)
			if ok {
				cache.Store(id, s)
			}
			return s
		}
	}
	s, _ := c.render(lang, id, data)
	return s
}

// render renders a message, falling back to the first language, then to
// the id itself; ok is false in that last case.
func (c *Catalog) render(lang, id string, data any) (string, bool) {
	loc := c.loc[lang]
	if loc == nil {
		loc = c.loc[c.langs[0]]
	}
	s, err := loc.Localize(&i18n.LocalizeConfig{MessageID: id, TemplateData: data})
	if err != nil && lang != c.langs[0] {
		return c.render(c.langs[0], id, data)
	}
	if err != nil {
		return id, false
	}
	return s, true
}

// Match picks the shipped language for a language code an app reports
// ("pt-BR" → "pt", "fr_CA" → "fr"), or "" when none is shipped.
func (c *Catalog) Match(code string) string {
	code = strings.ToLower(strings.TrimSpace(code))
	if i := strings.IndexAny(code, "-_"); i > 0 {
		code = code[:i]
	}
	if c.Has(code) {
		return code
	}
	return ""
}

// keywords maps normalised phrases of every language to a target name.
type keywords struct {
	phrases []phrase
}

type phrase struct {
	words  []string
	target string
	// lang is the language whose message the phrase came from (the first
	// one, when several languages share it).
	lang string
}

// add indexes the comma-separated phrases of message id, in every
// language, for target.
func (k *keywords) add(c *Catalog, id, target string) {
	k.index(c, id, func(string) string { return target })
}

// addNames indexes the comma-separated phrases of message id, each for the
// language it is written in: the names a language is known by.
func (k *keywords) addNames(c *Catalog, id string) {
	k.index(c, id, func(lang string) string { return lang })
}

func (k *keywords) index(c *Catalog, id string, target func(lang string) string) {
	seen := map[string]bool{}
	for _, p := range k.phrases {
		seen[strings.Join(p.words, " ")+"\x00"+p.target] = true
	}
	for _, l := range c.langs {
		for _, p := range strings.Split(c.T(l, id, nil), ",") {
			w := strings.Fields(normalize(p))
			key := strings.Join(w, " ") + "\x00" + target(l)
			if len(w) == 0 || seen[key] {
				continue
			}
			seen[key] = true
			k.phrases = append(k.phrases, phrase{words: w, target: target(l), lang: l})
		}
	}
	// Longer phrases first, so "no tengo papeles" wins over "papeles".
	sort.SliceStable(k.phrases, func(i, j int) bool { return len(k.phrases[i].words) > len(k.phrases[j].words) })
}

// match returns the target of the first phrase found in text, or "".
func (k *keywords) match(text string) string {
	target, _ := k.matchLang(text)
	return target
}

// matchLang returns the target of the first phrase found in text and the
// language of that phrase, or "", "".
func (k *keywords) matchLang(text string) (target, lang string) {
	words := strings.Fields(normalize(text))
	for _, p := range k.phrases {
		if containsRun(words, p.words) {
			return p.target, p.lang
		}
	}
	return "", ""
}

// exact returns the target of a phrase that is the whole text, or "":
// "hola" is a greeting, "hola, busco albergue" is not only one.
func (k *keywords) exact(text string) string {
	words := strings.Fields(normalize(text))
	for _, p := range k.phrases {
		if len(words) == len(p.words) && containsRun(words, p.words) {
			return p.target
		}
	}
	return ""
}

func containsRun(words, run []string) bool {
	for i := 0; i+len(run) <= len(words); i++ {
		ok := true
		for j, w := range run {
			if words[i+j] != w {
				ok = false
				break
			}
		}
		if ok {
			return true
		}
	}
	return false
}

// normalize folds text for matching as understand does ("¡Auxilio!" is
// "auxilio", "m'ap" "m ap", "Acércate" "acercate"): one implementation,
// so a keyword, a button label and a city name match as the matcher's
// phrases do.
func normalize(s string) string { return understand.Fold(s) }

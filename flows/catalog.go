package flows

import (
	"sort"
	"strconv"
	"strings"
	"sync"
	"text/template"
	"text/template/parse"

	"github.com/acercate/acercate/understand"
	"github.com/nicksnyder/go-i18n/v2/i18n"
	i18ntemplate "github.com/nicksnyder/go-i18n/v2/i18n/template"
)

// Catalog renders messages in the shipped languages.
type Catalog struct {
	langs []string
	loc   map[string]*i18n.Localizer
	// msgs caches each message, by language then id (id → *message), as
	// the text it renders to without data, or its template cut at the
	// {{.Field}} it fills in: rendering through go-i18n runs text/template
	// by reflection for every message, and each step renders dozens. Only
	// shipped languages and ids the bundle has are kept, so it holds at
	// most the bundle's messages.
	msgs map[string]*sync.Map
}

// NewCatalog returns a Catalog over a bundle for the given languages; the
// first is the fallback when a message is missing in a language (the
// locale completeness test keeps that from happening in a release). tag
// maps a language to the tag its messages are kept under in the bundle.
func NewCatalog(b *i18n.Bundle, langs []string, tag func(string) string) *Catalog {
	c := &Catalog{langs: langs, loc: map[string]*i18n.Localizer{}, msgs: map[string]*sync.Map{}}
	for _, l := range langs {
		c.loc[l] = i18n.NewLocalizer(b, tag(l))
		c.msgs[l] = &sync.Map{}
	}
	return c
}

// Languages returns the shipped languages, fallback first.
func (c *Catalog) Languages() []string { return c.langs }

// Has reports whether lang is shipped.
func (c *Catalog) Has(lang string) bool { _, ok := c.loc[lang]; return ok }

// T renders message id in lang with template data (a map or struct).
func (c *Catalog) T(lang, id string, data any) string {
	m, isMap := data.(map[string]any)
	if data != nil && !isMap {
		s, _ := c.render(lang, id, data)
		return s
	}
	if msg := c.message(lang, id); msg != nil {
		if m == nil && msg.plainOK {
			return msg.plain
		}
		if m != nil {
			if s, ok := msg.fill(func(key string) (any, bool) { v, ok := m[key]; return v, ok }); ok {
				return s
			}
		}
	}
	s, _ := c.render(lang, id, data)
	return s
}

// tkv is T with the data as alternating keys and values (Ctx.T's), read
// where they are instead of gathered in a map first.
func (c *Catalog) tkv(lang, id string, kv []any) string {
	if len(kv) == 0 {
		return c.T(lang, id, nil)
	}
	if msg := c.message(lang, id); msg != nil {
		if s, ok := msg.fill(func(key string) (any, bool) { return lookup(kv, key) }); ok {
			return s
		}
	}
	return c.T(lang, id, pairs(kv))
}

// lookup finds key in alternating keys and values; a later pair wins, as
// in the map pairs makes. ok is false for a key that is not a string
// (pairs would print it) or not there.
func lookup(kv []any, key string) (any, bool) {
	for i := len(kv) &^ 1; i >= 2; i -= 2 {
		k, isString := kv[i-2].(string)
		if !isString {
			return nil, false
		}
		if k == key {
			return kv[i-1], true
		}
	}
	return nil, false
}

// message is a cached message of one language.
type message struct {
	// plain is the text rendered without data; plainOK is false when
	// that rendering failed (a template with fields), rendered again each
	// time, as before.
	plain   string
	plainOK bool
	// text and fields are the template cut at its actions: text[0],
	// fields[0]'s value, text[1]... len(text) is len(fields)+1. A template
	// with any other action (a condition, a function) has simple false and
	// is rendered by go-i18n each time.
	text   []string
	fields []string
	simple bool
}

// fill renders the message with the values value finds. ok is false when
// it cannot give what text/template would: a value missing or of a type
// whose printing it does not repeat.
func (m *message) fill(value func(key string) (any, bool)) (string, bool) {
	if !m.simple {
		return "", false
	}
	if len(m.fields) == 0 {
		return m.text[0], true
	}
	var b strings.Builder
	n := 0
	for _, t := range m.text {
		n += len(t)
	}
	b.Grow(n + 16*len(m.fields))
	for i, f := range m.fields {
		b.WriteString(m.text[i])
		v, ok := value(f)
		if !ok {
			return "", false
		}
		// What text/template prints (fmt.Fprint) for the types steps pass.
		switch v := v.(type) {
		case string:
			b.WriteString(v)
		case int:
			b.WriteString(strconv.Itoa(v))
		case int64:
			b.WriteString(strconv.FormatInt(v, 10))
		default:
			return "", false
		}
	}
	b.WriteString(m.text[len(m.fields)])
	return b.String(), true
}

// message returns the cached message id of lang, reading it from the
// bundle the first time; nil for a language not shipped or an id the
// bundle does not have in it (rendered, and falling back, as before).
func (c *Catalog) message(lang, id string) *message {
	cache := c.msgs[lang]
	if cache == nil {
		return nil
	}
	if m, ok := cache.Load(id); ok {
		return m.(*message)
	}
	// go-i18n hands its parser the template it would run (the "other"
	// form: no step passes a plural count): read it there, once.
	src := &sourceParser{}
	if _, err := c.loc[lang].Localize(&i18n.LocalizeConfig{MessageID: id, TemplateParser: src}); err != nil || !src.seen {
		return nil
	}
	m := &message{}
	m.plain, m.plainOK = c.render(lang, id, nil)
	m.text, m.fields, m.simple = cut(src.src, src.left, src.right)
	cache.Store(id, m)
	return m
}

// sourceParser is a go-i18n template parser that only keeps the source
// it is given. Not cacheable, so go-i18n keeps no parse of its own.
type sourceParser struct {
	src, left, right string
	seen             bool
}

func (p *sourceParser) Cacheable() bool { return false }

func (p *sourceParser) Parse(src, left, right string) (i18ntemplate.ParsedTemplate, error) {
	p.src, p.left, p.right, p.seen = src, left, right, true
	return p, nil
}

func (p *sourceParser) Execute(any) (string, error) { return "", nil }

// cut splits a template into its text and the fields of its {{.Field}}
// actions, parsed as go-i18n's own text parser does; simple is false for
// any other action, or a template that does not parse (go-i18n then
// reports the error each time, as before).
func cut(src, left, right string) (text, fields []string, simple bool) {
	if left == "" {
		left = "{{"
	}
	if right == "" {
		right = "}}"
	}
	if !strings.Contains(src, left) {
		return []string{src}, nil, true
	}
	t, err := template.New("").Delims(left, right).Option("missingkey=default").Parse(src)
	if err != nil || len(t.Templates()) != 1 || t.Tree == nil {
		return nil, nil, false
	}
	var cur strings.Builder
	for _, n := range t.Tree.Root.Nodes {
		switch n := n.(type) {
		case *parse.TextNode:
			cur.Write(n.Text)
		case *parse.ActionNode:
			p := n.Pipe
			if len(p.Decl) > 0 || p.IsAssign || len(p.Cmds) != 1 || len(p.Cmds[0].Args) != 1 {
				return nil, nil, false
			}
			f, ok := p.Cmds[0].Args[0].(*parse.FieldNode)
			if !ok || len(f.Ident) != 1 {
				return nil, nil, false
			}
			text = append(text, cur.String())
			cur.Reset()
			fields = append(fields, f.Ident[0])
		default:
			return nil, nil, false
		}
	}
	return append(text, cur.String()), fields, true
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

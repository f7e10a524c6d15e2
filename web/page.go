package web

import (
	"bytes"
	"crypto/rand"
	"encoding/binary"
	"fmt"
	"html/template"
	"io/fs"
	"net/http"
	"net/url"
	"path"
	"strconv"
	"strings"

	"github.com/acercate/acercate/locales"
	"golang.org/x/text/language"
)

// page is what every template sees: the language, its messages, the links
// that keep the language, and the page's own data.
type page struct {
	s    *Server
	r    *http.Request
	Lang string
	// Title is the page's heading and the start of its <title>.
	Title string
	// CSRF is the form token of the visitor's session ("" on pages
	// without a form).
	CSRF string
	// Data is the page's own data.
	Data any
}

// T renders a message in the page's language; kv are alternating keys and
// values for its template.
func (p *page) T(id string, kv ...any) string {
	var data map[string]any
	if len(kv) > 0 {
		data = make(map[string]any, len(kv)/2)
		for i := 0; i+1 < len(kv); i += 2 {
			data[fmt.Sprint(kv[i])] = kv[i+1]
		}
	}
	return p.s.cat.T(p.Lang, id, data)
}

// T0 renders a message without template data.
func (p *page) T0(id string) string { return p.T(id) }

// Blocks renders a message as paragraphs and bullet lists.
func (p *page) Blocks(id string, kv ...any) []block { return blocks(p.T(id, kv...)) }

// L is a link to one of the portal's paths in the page's language.
func (p *page) L(path string) string { return path + "?lang=" + p.Lang }

// CSS and JS are the static files' versioned paths.
func (p *page) CSS() string { return p.s.cssPath }
func (p *page) JS() string  { return p.s.jsPath }

// Field is the form token's field name.
func (p *page) Field() string { return csrfField }

// langLink is one entry of the language switcher.
type langLink struct {
	Code, Name, Href string
	Current          bool
}

// Langs is the language switcher: this page in every shipped language,
// each named in its own words.
func (p *page) Langs() []langLink {
	q := url.Values{}
	if p.r.Method == http.MethodGet {
		q = p.r.URL.Query()
	}
	var out []langLink
	for _, l := range p.s.cat.Languages() {
		q.Set("lang", l)
		out = append(out, langLink{Code: l, Name: p.s.cat.T(l, "lang.name", nil),
			Href: p.r.URL.Path + "?" + q.Encode(), Current: l == p.Lang})
	}
	return out
}

// block is a paragraph or a bullet list of a message.
type block struct {
	Text  string
	Items []string
}

// blocks splits a message the way the bot writes them: lines starting
// with "•" make a list, every other line is a paragraph.
func blocks(text string) []block {
	var out []block
	for _, line := range strings.Split(text, "\n") {
		line = strings.TrimSpace(line)
		switch {
		case line == "":
		case strings.HasPrefix(line, "•"):
			item := strings.TrimSpace(strings.TrimPrefix(line, "•"))
			if n := len(out); n > 0 && out[n-1].Items != nil {
				out[n-1].Items = append(out[n-1].Items, item)
			} else {
				out = append(out, block{Items: []string{item}})
			}
		default:
			out = append(out, block{Text: line})
		}
	}
	return out
}

// lang is the page's language: ?lang= when it names a shipped language,
// else the browser's preference (Accept-Language), else Spanish.
func (s *Server) lang(r *http.Request) string {
	if l := s.cat.Match(r.URL.Query().Get("lang")); l != "" {
		return l
	}
	if r.Method == http.MethodPost {
		if l := s.cat.Match(r.PostFormValue("lang")); l != "" {
			return l
		}
	}
	tags, _, err := language.ParseAcceptLanguage(r.Header.Get("Accept-Language"))
	if err == nil {
		for _, t := range tags {
			base, _ := t.Base()
			if l := s.cat.Match(base.String()); l != "" {
				return l
			}
		}
	}
	return locales.Source
}

// funcs are the templates' functions.
var funcs = template.FuncMap{
	// nonce is a fresh random number for a chat form's "u" field, so a
	// form sent twice (a double tap, a reload) is handled once; the
	// update id the engine gets is given when it first arrives
	// (transcript.nextUpdate).
	"nonce": func() string { return strconv.FormatInt(randomUpdateID(), 10) },
}

// randomUpdateID is a random positive update id below 2^53 (a number
// JavaScript holds exactly).
func randomUpdateID() int64 {
	var b [8]byte
	rand.Read(b[:])
	return int64(binary.BigEndian.Uint64(b[:])>>11) | 1
}

// parsePages parses each page template with the layout around it.
func parsePages() (map[string]*template.Template, error) {
	names, err := fs.Glob(templateFiles, "templates/*.html")
	if err != nil {
		return nil, err
	}
	out := map[string]*template.Template{}
	for _, name := range names {
		base := path.Base(name)
		if base == "layout.html" {
			continue
		}
		t, err := template.New("layout.html").Funcs(funcs).ParseFS(templateFiles, "templates/layout.html", name)
		if err != nil {
			return nil, fmt.Errorf("web: template %s: %w", base, err)
		}
		out[strings.TrimSuffix(base, ".html")] = t
	}
	return out, nil
}

// render sends a page.
func (s *Server) render(w http.ResponseWriter, r *http.Request, status int, name string, p *page) {
	t := s.pages[name]
	if t == nil {
		panic("web: no template " + name)
	}
	var buf bytes.Buffer
	if err := t.Execute(&buf, p); err != nil {
		s.log.Error("render page", "page", name, "err", err)
		http.Error(w, "", http.StatusInternalServerError)
		return
	}
	w.Header().Set("Cache-Control", "no-store")
	s.write(w, r, status, "text/html; charset=utf-8", buf.Bytes())
}

// newPage starts a page in the request's language.
func (s *Server) newPage(r *http.Request, titleID string, data any) *page {
	p := &page{s: s, r: r, Lang: s.lang(r), Data: data}
	if titleID != "" {
		p.Title = p.T(titleID)
	}
	return p
}

// fail answers with a kind page saying what went wrong (messageID) in the
// visitor's language.
func (s *Server) fail(w http.ResponseWriter, r *http.Request, status int, messageID string) {
	p := s.newPage(r, "web.error.title", nil)
	p.Data = p.T(messageID, "Max", maxText)
	s.render(w, r, status, "error", p)
}

func (s *Server) notFound(w http.ResponseWriter, r *http.Request) {
	s.fail(w, r, http.StatusNotFound, "web.error.not_found")
}

// badToken answers a form sent without its session's token or from
// another site: most often a page left open past its session.
func (s *Server) badToken(w http.ResponseWriter, r *http.Request) {
	s.fail(w, r, http.StatusForbidden, "web.error.expired")
}

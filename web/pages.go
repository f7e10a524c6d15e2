package web

import (
	"net/http"

	"github.com/acercate/acercate/flows"
)

// maxText is the most any text field of the portal takes, in bytes.
const maxText = 4096

// choice is one of the home page's main choices.
type choice struct{ Href, Label, Hint string }

type homeData struct {
	Choices []choice
	// Telegram is the bot's link, "" when its username is not configured.
	Telegram string
}

func (s *Server) home(w http.ResponseWriter, r *http.Request) {
	s.keepAttribution(w, r)
	p := s.newPage(r, "web.home.title", nil)
	d := homeData{Choices: []choice{
		{p.L("/derechos"), p.T("menu.rights"), p.T("web.home.rights")},
		{p.L("/albergues"), p.T("menu.albergues"), p.T("web.home.albergues")},
		{p.L("/denuncia"), p.T("menu.denuncia"), p.T("web.home.denuncia")},
		{p.L("/privacidad"), p.T("menu.privacy"), p.T("web.home.privacy")},
	}}
	if s.chat != nil {
		// The chat comes first after the emergency numbers: it is all the
		// bot is, without Telegram.
		d.Choices = append([]choice{{p.L("/chat"), p.T("web.chat.title"), p.T("web.home.chat")}}, d.Choices...)
	}
	if s.cfg.BotUsername != "" {
		d.Telegram = "https://t.me/" + s.cfg.BotUsername
	}
	p.Data = d
	s.render(w, r, http.StatusOK, "home", p)
}

// keepAttribution remembers the campaign (?c=) or módulo (?m=) of the QR
// code or link a visitor came from, for the conversation they start here
// (the same codes, and so the same weekly figures, as a Telegram link).
func (s *Server) keepAttribution(w http.ResponseWriter, r *http.Request) {
	q := r.URL.Query()
	var a string
	switch {
	case q.Get("c") != "":
		a = flows.ParseAttribution("c-" + q.Get("c"))
	case q.Get("m") != "":
		a = flows.ParseAttribution("m-" + q.Get("m"))
	}
	if a != "" {
		s.setCookie(w, attrCookie, a, s.cfg.SessionTTL)
	}
}

// attribution is the campaign or módulo code kept by keepAttribution.
func attribution(r *http.Request) string {
	c, err := r.Cookie(attrCookie)
	if err != nil {
		return ""
	}
	return flows.ParseAttribution(c.Value)
}

type topicLink struct{ Href, Title string }

func (s *Server) rightsList(w http.ResponseWriter, r *http.Request) {
	p := s.newPage(r, "menu.rights", nil)
	var topics []topicLink
	for _, id := range flows.RightsTopics() {
		t, _ := s.cat.RightsTopic(p.Lang, id)
		topics = append(topics, topicLink{p.L("/derechos/" + id), t.Title})
	}
	p.Data = topics
	s.render(w, r, http.StatusOK, "rights", p)
}

type topicData struct {
	flows.RightsTopic
	// Pages are the topic's pages as blocks.
	Pages [][]block
	// Next are the topic's follow-up choices, as in the bot.
	Next []choice
}

func (s *Server) rightsTopic(w http.ResponseWriter, r *http.Request) {
	p := s.newPage(r, "", nil)
	t, ok := s.cat.RightsTopic(p.Lang, r.PathValue("topic"))
	if !ok {
		s.notFound(w, r)
		return
	}
	p.Title = t.Title
	d := topicData{RightsTopic: t}
	for _, pg := range t.Pages {
		d.Pages = append(d.Pages, blocks(pg))
	}
	switch t.ID {
	case "victims":
		d.Next = append(d.Next, choice{Href: p.L("/denuncia"), Label: p.T("menu.denuncia")})
	case "trafficking":
		d.Next = append(d.Next, choice{Href: p.L("/emergencia"), Label: p.T("menu.emergency")},
			choice{Href: p.L("/denuncia"), Label: p.T("menu.denuncia")})
	}
	p.Data = d
	s.render(w, r, http.StatusOK, "topic", p)
}

func (s *Server) emergency(w http.ResponseWriter, r *http.Request) {
	s.render(w, r, http.StatusOK, "emergency", s.newPage(r, "web.emergency.title", nil))
}

type denunciaData struct {
	Telegram string
	// Chat is the web chat's link, "" when it is off.
	Chat string
	// Also is where else a denuncia can go, in the bot's words.
	Also []block
}

func (s *Server) denuncia(w http.ResponseWriter, r *http.Request) {
	d := denunciaData{}
	if s.cfg.BotUsername != "" {
		d.Telegram = "https://t.me/" + s.cfg.BotUsername
	}
	p := s.newPage(r, "menu.denuncia", nil)
	if s.chat != nil {
		d.Chat = p.L("/chat")
	}
	// The same "where else" lines the bot gives after a denuncia is filed
	// (flows/denuncia.go): the humanitarian visitor card is not promised
	// here either, it needs a complaint to the Ministerio Público.
	d.Also = blocks(p.T("denuncia.next.fiscalia") + "\n" + p.T("denuncia.next.cndh"))
	p.Data = d
	s.render(w, r, http.StatusOK, "denuncia", p)
}

func (s *Server) privacy(w http.ResponseWriter, r *http.Request) {
	p := s.newPage(r, "menu.privacy", nil)
	p.Data = map[string]any{"Days": int(s.cfg.SessionTTL.Hours() / 24), "Hours": int(s.cfg.SessionTTL.Hours()), "Chat": s.chat != nil,
		"Photos": s.chat != nil && s.chat.photos != nil}
	s.render(w, r, http.StatusOK, "privacy", p)
}

// exit is the quick exit: it forgets the session (its cookies) and sends
// the browser to a neutral site. The script makes the link replace the
// history entry; without it, this is an ordinary link.
func (s *Server) exit(w http.ResponseWriter, r *http.Request) {
	if sid := session(r); sid != "" && s.chat != nil {
		// As /salir on Telegram deletes the chat's messages: the
		// conversation is gone from the page and from the server.
		if err := s.chat.transcripts.forget(r.Context(), sid); err != nil {
			s.log.Error("quick exit: delete a transcript", "err", err)
		}
		// A draft's photos go with it: the draft can no longer be reached.
		if err := s.chat.dropPhotos(r.Context(), sid); err != nil {
			s.log.Error("quick exit: drop a draft's photos", "err", err)
		}
		s.chat.hub.notify(sid)
	}
	s.clearCookie(w, sessionCookie)
	s.clearCookie(w, attrCookie)
	w.Header().Set("Cache-Control", "no-store")
	// Tells the browser to drop what it keeps for this site: its cache and
	// its cookies (storage too, though the portal keeps none).
	w.Header().Set("Clear-Site-Data", `"cache", "cookies", "storage"`)
	http.Redirect(w, r, s.exitURL, http.StatusSeeOther)
}

// Package web is the ACERCA-T portal: Acércate for anyone with a browser.
// Its pages (home, rights, shelters, emergency, how to make a denuncia,
// privacy) are rendered on the server from the same locale messages and
// the same flows code as the bot, and are complete without JavaScript; one
// small script adds what only a browser can do (sharing a location, a
// quick exit that replaces the history entry).
//
// What it promises the people who use it, and how:
//   - nothing from a third party: every page, style and script is served
//     from here, and the Content-Security-Policy forbids anything else;
//   - no IP address stored or logged: an address is only hashed (keyed) to
//     key an in-memory flood limit, and the server's own error log is
//     scrubbed of addresses (ErrorLog);
//   - low bandwidth: no web fonts, no images, a page is a few KB gzipped;
//   - a quick exit on every page (/salir) that forgets the session.
//
// A new channel goes in its own package like this one; the web chat
// (/chat) is the channel adapter for browsers.
package web

import (
	"bytes"
	"compress/gzip"
	"context"
	"embed"
	"errors"
	"fmt"
	"html/template"
	"io"
	"log"
	"log/slog"
	"net/http"
	"net/url"
	"regexp"
	"strings"
	"sync"
	"time"

	"github.com/acercate/acercate/flows"
	"github.com/acercate/acercate/flows/run"
	"github.com/acercate/acercate/secret"
	"github.com/redis/go-redis/v9"
)

// DefaultExitURL is where the quick exit goes: a page that says nothing
// about the person (a search engine's weather answer).
const DefaultExitURL = "https://www.google.com/search?q=clima"

// Config is what the portal needs.
type Config struct {
	// Engine renders the messages (its catalog) and the shelter answers.
	Engine *flows.Engine
	// Shelters is the shelter directory (the store).
	Shelters flows.Shelters
	// Keys hash session ids (CSRF tokens) and addresses (flood limits).
	Keys *secret.Keys
	// PublicURL is the portal's public base ("https://acercate.example");
	// with https the cookies are marked Secure. "" serves relative links.
	PublicURL string
	// BotUsername is the Telegram bot's username, for "also on Telegram"
	// links; "" shows none.
	BotUsername string
	// ExitURL is where the quick exit goes (DefaultExitURL).
	ExitURL string
	// SessionTTL is how long a visitor's cookie lives (72 h, the state's TTL).
	SessionTTL time.Duration
	// Redis keeps the web chat's transcripts (under RedisPrefix, with
	// SessionTTL).
	Redis       redis.UniversalClient
	RedisPrefix string
	// Others delivers a reply the web chat's flows address to another
	// channel (a staff group on Telegram); nil drops it, logged.
	Others func(ctx context.Context, r flows.Reply) error
	// Photos keeps the photos attached to a denuncia in the web chat (the
	// store); nil answers that this chat takes no photos.
	Photos Photos
	// Limits are the flood limits (DefaultLimits when zero).
	Limits Limits
	Now    func() time.Time
	Logger *slog.Logger
}

// Server serves the portal.
type Server struct {
	cfg     Config
	cat     *flows.Catalog
	pages   map[string]*template.Template
	static  map[string]*asset
	limits  *limiters
	chat    *chatChannel
	log     *slog.Logger
	secure  bool
	handler http.Handler
	cssPath string
	jsPath  string
	exitURL string
}

//go:embed templates/*.html
var templateFiles embed.FS

//go:embed static
var staticFiles embed.FS

// New returns the portal's server.
func New(cfg Config) (*Server, error) {
	if cfg.Engine == nil || cfg.Shelters == nil || cfg.Keys == nil || cfg.Redis == nil {
		return nil, errors.New("web: an engine, the shelter directory, keys and Redis are required")
	}
	if cfg.Now == nil {
		cfg.Now = time.Now
	}
	if cfg.Logger == nil {
		cfg.Logger = slog.Default()
	}
	if cfg.SessionTTL == 0 {
		cfg.SessionTTL = 72 * time.Hour
	}
	if cfg.ExitURL == "" {
		cfg.ExitURL = DefaultExitURL
	}
	if cfg.Limits == (Limits{}) {
		cfg.Limits = DefaultLimits
	}
	s := &Server{
		cfg: cfg, cat: cfg.Engine.Catalog(),
		limits:  newLimiters(cfg.Limits),
		log:     cfg.Logger.With("component", "web"),
		exitURL: cfg.ExitURL,
	}
	if cfg.PublicURL != "" {
		u, err := url.Parse(cfg.PublicURL)
		if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
			return nil, fmt.Errorf("web: public URL %q is not an http(s) URL", cfg.PublicURL)
		}
		s.secure = u.Scheme == "https"
	}
	var err error
	if s.static, err = loadStatic(); err != nil {
		return nil, err
	}
	s.cssPath, s.jsPath = s.static["site.css"].path, s.static["site.js"].path
	if s.pages, err = parsePages(); err != nil {
		return nil, err
	}
	s.chat = &chatChannel{
		eng:         cfg.Engine,
		transcripts: &transcripts{rdb: cfg.Redis, keys: cfg.Keys, prefix: cfg.RedisPrefix, ttl: cfg.SessionTTL},
		hub:         newHub(), log: s.log, others: cfg.Others, now: cfg.Now,
		photos: cfg.Photos, keys: cfg.Keys,
	}
	s.chat.hub.push = s.pushStream
	// A post waits for its answer, so an engine that keeps failing (Redis
	// down) is tried three times and the visitor told, not kept waiting.
	if s.chat.runner, err = run.New[flows.Address](run.Config{Engine: cfg.Engine, Workers: 16, Attempts: 3, Logger: s.log}); err != nil {
		return nil, err
	}
	// /borrar erases what the channel keeps: the transcript.
	cfg.Engine.OnForget(func(ctx context.Context, chat flows.Address) error {
		if chat.Channel != ChannelWeb {
			return nil
		}
		return s.chat.transcripts.forget(ctx, chat.ID)
	})
	s.handler = s.routes()
	return s, nil
}

// Handler returns the portal's HTTP handler, to mount at "/".
func (s *Server) Handler() http.Handler { return s.handler }

func (s *Server) routes() http.Handler {
	mux := http.NewServeMux()
	mux.HandleFunc("GET /{$}", s.home)
	mux.HandleFunc("GET /derechos", s.rightsList)
	mux.HandleFunc("GET /derechos/{topic}", s.rightsTopic)
	mux.HandleFunc("GET /albergues", s.shelters)
	mux.HandleFunc("POST /albergues", s.sheltersNear)
	mux.HandleFunc("GET /emergencia", s.emergency)
	mux.HandleFunc("GET /denuncia", s.denuncia)
	mux.HandleFunc("GET /privacidad", s.privacy)
	mux.HandleFunc("GET /salir", s.exit)
	if s.chat != nil {
		mux.HandleFunc("GET /chat", s.chatPage)
		mux.HandleFunc("POST /chat", s.chatPost)
		mux.HandleFunc("GET /chat/events", s.chatEvents)
	}
	mux.HandleFunc("GET /static/{file}", s.asset)
	mux.HandleFunc("/", s.notFound)
	// Cross-origin POSTs are refused by the browser's own Fetch metadata
	// (Sec-Fetch-Site, Origin) before any handler runs; the token tied to
	// the session (session.go) covers browsers that send neither.
	cop := http.NewCrossOriginProtection()
	cop.SetDenyHandler(http.HandlerFunc(s.badToken))
	return s.guard(cop.Handler(mux))
}

// csp allows only this origin: no inline script or style, no frames, no
// plugins, forms only to here. Nothing from a third party can load.
const csp = "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self'; connect-src 'self'; " +
	"font-src 'none'; object-src 'none'; base-uri 'none'; form-action 'self'; frame-ancestors 'none'"

// guard sets the security headers on every answer, applies the per-address
// flood limit and turns a panic into a kind page. It never logs who asked.
func (s *Server) guard(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		h := w.Header()
		h.Set("Content-Security-Policy", csp)
		h.Set("Referrer-Policy", "no-referrer")
		h.Set("X-Content-Type-Options", "nosniff")
		h.Set("X-Frame-Options", "DENY")
		h.Set("Cross-Origin-Opener-Policy", "same-origin")
		h.Set("Cross-Origin-Resource-Policy", "same-origin")
		h.Set("Permissions-Policy", "geolocation=(self), camera=(), microphone=(), payment=(), usb=()")
		if s.secure {
			h.Set("Strict-Transport-Security", "max-age=31536000")
		}
		defer func() {
			if v := recover(); v != nil {
				if v == http.ErrAbortHandler {
					panic(v)
				}
				s.log.Error("panic serving a page", "path", routeName(r), "panic", fmt.Sprint(v))
				s.fail(w, r, http.StatusInternalServerError, "web.error.internal")
			}
		}()
		if !s.limits.addr(s.addrKey(r), s.cfg.Now()) {
			s.fail(w, r, http.StatusTooManyRequests, "input.flood")
			return
		}
		next.ServeHTTP(w, r)
	})
}

// routeName is what a log line may say about a request: the route, never
// its query or form.
func routeName(r *http.Request) string {
	if r.Pattern != "" {
		return r.Pattern
	}
	return r.Method
}

// gzipWriters are the compressors of write, used again: a new one
// allocates and clears about a megabyte of tables at BestCompression, more
// than compressing a page costs.
var gzipWriters = sync.Pool{New: func() any {
	zw, _ := gzip.NewWriterLevel(io.Discard, gzip.BestCompression)
	return zw
}}

// write sends a rendered page, gzipped when the browser takes it: pages
// are built whole in memory (a few KB), so the compressed size is known
// and nothing is streamed half-done.
func (s *Server) write(w http.ResponseWriter, r *http.Request, status int, contentType string, body []byte) {
	h := w.Header()
	h.Set("Content-Type", contentType)
	h.Add("Vary", "Accept-Encoding")
	if acceptsGzip(r) && len(body) > 256 {
		var buf bytes.Buffer
		zw := gzipWriters.Get().(*gzip.Writer)
		zw.Reset(&buf)
		zw.Write(body)
		zw.Close()
		gzipWriters.Put(zw)
		body = buf.Bytes()
		h.Set("Content-Encoding", "gzip")
	}
	h.Set("Content-Length", fmt.Sprint(len(body)))
	w.WriteHeader(status)
	if r.Method != http.MethodHead {
		w.Write(body)
	}
}

func acceptsGzip(r *http.Request) bool {
	for _, part := range strings.Split(r.Header.Get("Accept-Encoding"), ",") {
		name, q, _ := strings.Cut(strings.TrimSpace(part), ";")
		if strings.EqualFold(strings.TrimSpace(name), "gzip") && strings.ReplaceAll(q, " ", "") != "q=0" {
			return true
		}
	}
	return false
}

// addrPattern finds what looks like an IP address (with or without a
// port) in a line of the HTTP server's own log.
var addrPattern = regexp.MustCompile(`\[?[0-9A-Fa-f]*:[0-9A-Fa-f:.]+\]?(:\d+)?|\d{1,3}(\.\d{1,3}){3}(:\d+)?`)

// Stop stops the web chat's runner: what is being handled finishes, a
// post still waiting is told to try again.
func (s *Server) Stop(ctx context.Context) error { return s.chat.runner.Stop(ctx) }

// Send delivers a reply to a web visitor from outside their own updates: a
// staff member's answer, sent by the staff desk's router for channel
// "web". It returns the message the reply became. It is there, live, on
// the visitor's open page, or waiting for them when they come back.
func (s *Server) Send(ctx context.Context, r flows.Reply) (int64, error) {
	if s.chat == nil || r.ChatID.Channel != ChannelWeb {
		return 0, fmt.Errorf("web: no web chat for a reply to %q", r.ChatID.Channel)
	}
	return s.chat.deliver(ctx, r.ChatID.ID, r, true)
}

// ErrorLog returns a logger for http.Server.ErrorLog that writes the
// server's own complaints (a bad TLS handshake, a broken connection) to
// logger with every address in them replaced by "[addr]": net/http puts the
// client's address in those lines.
func ErrorLog(logger *slog.Logger) *log.Logger {
	return log.New(scrubWriter{logger.With("component", "http")}, "", 0)
}

type scrubWriter struct{ log *slog.Logger }

func (w scrubWriter) Write(p []byte) (int, error) {
	w.log.Warn(addrPattern.ReplaceAllString(strings.TrimSpace(string(p)), "[addr]"))
	return len(p), nil
}

// LivePages is how many live chat pages are open now.
func (s *Server) LivePages() int { return s.chat.hub.total() }

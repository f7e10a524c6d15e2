package web

import (
	"net"
	"net/http"
	"strings"
	"sync"
	"time"

	"golang.org/x/time/rate"
)

// Limits are the portal's flood limits, per second with a burst. They are
// kept in memory, keyed by a keyed hash of the session or the address
// (never the address itself), and never logged. Many people share one
// address (a shelter's wifi, a carrier's NAT), so the per-address limits
// are loose; they stop a script, not a crowd.
type Limits struct {
	// AddrRate and AddrBurst bound every request from one address.
	AddrRate  float64
	AddrBurst int
	// SessionRate and SessionBurst bound how many sessions one address
	// may start: a script that drops its cookie every time still meets
	// the per-address limit on new sessions.
	SessionRate  float64
	SessionBurst int
	// PostRate and PostBurst bound the forms one session sends.
	PostRate  float64
	PostBurst int
}

// DefaultLimits let a shelter's whole wifi use the portal and stop a
// script flooding it.
var DefaultLimits = Limits{
	AddrRate: 20, AddrBurst: 200,
	SessionRate: 0.5, SessionBurst: 60,
	PostRate: 1, PostBurst: 20,
}

type limiters struct {
	byAddr, sessions, posts *limiter
}

func newLimiters(l Limits) *limiters {
	return &limiters{
		byAddr:   newLimiter(rate.Limit(l.AddrRate), l.AddrBurst),
		sessions: newLimiter(rate.Limit(l.SessionRate), l.SessionBurst),
		posts:    newLimiter(rate.Limit(l.PostRate), l.PostBurst),
	}
}

func (l *limiters) addr(addr string, now time.Time) bool       { return l.byAddr.allow(addr, now) }
func (l *limiters) newSession(addr string, now time.Time) bool { return l.sessions.allow(addr, now) }
func (l *limiters) post(session string, now time.Time) bool    { return l.posts.allow(session, now) }

// limiter is a token bucket per key. Keys idle long enough for their
// bucket to be full again are dropped, so memory follows recent visitors.
type limiter struct {
	mu      sync.Mutex
	r       rate.Limit
	burst   int
	buckets map[string]*bucket
	swept   time.Time
}

type bucket struct {
	lim  *rate.Limiter
	seen time.Time
}

func newLimiter(r rate.Limit, burst int) *limiter {
	return &limiter{r: r, burst: burst, buckets: map[string]*bucket{}}
}

func (l *limiter) allow(key string, now time.Time) bool {
	if l.r <= 0 {
		return true
	}
	l.mu.Lock()
	defer l.mu.Unlock()
	// A bucket left alone this long has refilled: forgetting it changes nothing.
	idle := time.Duration(float64(l.burst)/float64(l.r)*float64(time.Second)) + time.Minute
	if now.Sub(l.swept) > idle {
		for k, b := range l.buckets {
			if now.Sub(b.seen) > idle {
				delete(l.buckets, k)
			}
		}
		l.swept = now
	}
	b := l.buckets[key]
	if b == nil {
		b = &bucket{lim: rate.NewLimiter(l.r, l.burst)}
		l.buckets[key] = b
	}
	b.seen = now
	return b.lim.AllowN(now, 1)
}

// addressOf returns the client's address for the flood limits only. It
// is hashed before it is used as a key (Server.addrKey) and goes nowhere else.
// Behind a reverse proxy on a private or loopback address, the proxy's
// X-Forwarded-For (its last entry, the one the proxy itself added) is the
// client's; anyone else's header is ignored.
func addressOf(r *http.Request) string {
	host, _, err := net.SplitHostPort(r.RemoteAddr)
	if err != nil {
		host = r.RemoteAddr
	}
	if ip := net.ParseIP(host); ip != nil && (ip.IsLoopback() || ip.IsPrivate()) {
		if xff := r.Header.Values("X-Forwarded-For"); len(xff) > 0 {
			parts := strings.Split(xff[len(xff)-1], ",")
			if last := strings.TrimSpace(parts[len(parts)-1]); net.ParseIP(last) != nil {
				host = last
			}
		}
	}
	return host
}

// addrKey is the flood limits' key for the client's address: a keyed
// hash, so not even the process's memory holds the address.
func (s *Server) addrKey(r *http.Request) string {
	return s.cfg.Keys.Hash("web.addr", addressOf(r))
}

// allowPost applies the per-session limit to a form.
func (s *Server) allowPost(r *http.Request) bool {
	id := session(r)
	if id == "" {
		id = addressOf(r)
	}
	return s.limits.post(s.cfg.Keys.Hash("web.session", id), s.cfg.Now())
}

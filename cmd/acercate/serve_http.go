package main

import (
	"crypto/subtle"
	"errors"
	"log/slog"
	"net"
	"net/http"
	"sync"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"golang.org/x/net/netutil"
)

// httpLimits bound what clients can hold of a listener. Without them an
// idle keep-alive connection was held forever, and a few hundred of them
// used up the process's files and made the webhook unreachable.
type httpLimits struct {
	// ReadHeader and Read bound reading a request (its headers; all of it).
	ReadHeader, Read time.Duration
	// Write bounds a request from the end of its headers to the end of its
	// answer. A webhook update is answered once its replies went out, which
	// the per-chat send limit can delay; past Write the answer is lost and
	// Telegram sends the update again, which the engine recognises.
	Write time.Duration
	// Idle is how long a keep-alive connection may wait for its next request.
	Idle time.Duration
	// MaxConns is how many connections are open at once; more wait to be
	// accepted.
	MaxConns int
}

// serveLimits are serve's limits, with ACERCATE_HTTP_MAX_CONNS.
func serveLimits(maxConns int) httpLimits {
	return httpLimits{ReadHeader: 10 * time.Second, Read: 30 * time.Second, Write: 75 * time.Second,
		Idle: 60 * time.Second, MaxConns: maxConns}
}

// listenHTTP serves h on addr within the limits until the server is shut
// down, and returns the address it listens on.
//
// The connection limit is netutil.LimitListener (golang.org/x/net, the Go
// team's): past the limit it stops accepting, so further connections wait
// in the kernel's backlog instead of each taking a file and a goroutine,
// and it frees a slot exactly once however a connection ends — the part a
// hand-written limiter gets wrong.
func listenHTTP(addr string, h http.Handler, lim httpLimits, log *slog.Logger) (*http.Server, net.Addr, error) {
	ln, err := net.Listen("tcp", addr)
	if err != nil {
		return nil, nil, err
	}
	srv := &http.Server{
		Handler:           h,
		ReadHeaderTimeout: lim.ReadHeader,
		ReadTimeout:       lim.Read,
		WriteTimeout:      lim.Write,
		IdleTimeout:       lim.Idle,
		MaxHeaderBytes:    64 << 10,
		ErrorLog:          slog.NewLogLogger(log.Handler(), slog.LevelWarn),
	}
	go func() {
		if err := srv.Serve(netutil.LimitListener(ln, lim.MaxConns)); err != nil && !errors.Is(err, http.ErrServerClosed) {
			log.Error("http server failed", "addr", ln.Addr().String(), "err", err)
		}
	}()
	return srv, ln.Addr(), nil
}

// webhookSecretHeader carries the secret Telegram was given with the webhook.
const webhookSecretHeader = "X-Telegram-Bot-Api-Secret-Token"

// guardWebhook lets through only requests carrying the webhook's secret;
// the others get 401 and are counted by refused. (The bot's handler checks
// the secret too, so it is never served unguarded.)
func guardWebhook(secret string, next http.Handler, refused *refusals) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		got := r.Header.Get(webhookSecretHeader)
		switch {
		case got == "":
			refused.add("missing")
		case subtle.ConstantTimeCompare([]byte(got), []byte(secret)) != 1:
			refused.add("wrong")
		default:
			next.ServeHTTP(w, r)
			return
		}
		http.Error(w, "unauthorized", http.StatusUnauthorized)
	})
}

// refusals counts refused webhook requests, by reason ("missing" or
// "wrong" secret), in acercate_webhook_refused_total and logs them at most
// once per interval with how many there were: each refusal used to be a
// log line, so anyone could flood the logs (5000 requests, 5000 lines).
type refusals struct {
	counter  *prometheus.CounterVec
	log      *slog.Logger
	interval time.Duration

	mu      sync.Mutex
	pending map[string]int // refused since the last line, by reason
	last    time.Time      // when the last line was written
	timer   *time.Timer    // writes the pending line at last+interval
}

func newRefusals(reg prometheus.Registerer, log *slog.Logger, interval time.Duration) *refusals {
	r := &refusals{
		counter: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "acercate_webhook_refused_total",
			Help: "Webhook requests refused with 401, by reason: the secret header missing or wrong.",
		}, []string{"reason"}),
		log: log, interval: interval, pending: map[string]int{},
	}
	for _, reason := range []string{"missing", "wrong"} {
		r.counter.WithLabelValues(reason) // shown as 0 before the first
	}
	reg.MustRegister(r.counter)
	return r
}

// add counts one refusal. The first after a quiet interval is logged at
// once; those that follow within the interval go in one line at its end.
func (r *refusals) add(reason string) {
	r.counter.WithLabelValues(reason).Inc()
	r.mu.Lock()
	defer r.mu.Unlock()
	r.pending[reason]++
	if r.timer != nil {
		return
	}
	if wait := r.interval - time.Since(r.last); wait > 0 {
		r.timer = time.AfterFunc(wait, r.flush)
		return
	}
	r.writeLocked()
}

// flush writes what is pending (at the end of an interval, and on stop).
func (r *refusals) flush() {
	r.mu.Lock()
	defer r.mu.Unlock()
	if r.timer != nil {
		r.timer.Stop()
		r.timer = nil
	}
	r.writeLocked()
}

func (r *refusals) writeLocked() {
	missing, wrong := r.pending["missing"], r.pending["wrong"]
	if missing+wrong == 0 {
		return
	}
	r.log.Warn("webhook requests refused: the secret was missing or wrong", "count", missing+wrong,
		"missing", missing, "wrong", wrong)
	clear(r.pending)
	r.last = time.Now()
}

package web

import (
	"bufio"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"net/http/cookiejar"
	"net/http/httptest"
	"net/url"
	"runtime"
	"slices"
	"strings"
	"sync"
	"sync/atomic"
	"syscall"
	"testing"
	"time"

	"github.com/acercate/acercate/apptest"
	"github.com/acercate/acercate/flows"
)

// benchPortal is the portal over a complete Acércate (the real engine,
// Redis at REDIS_URL or embedded, a SQLite file), with the flood limits
// out of the way: the benchmarks measure the work, not the limits.
func benchPortal(b *testing.B) (*Server, *httptest.Server) {
	b.Helper()
	env := apptest.New(b, apptest.WithEngine(flows.Config{FloodRate: 1e6, FloodBurst: 1e6}))
	s, err := New(Config{
		Engine: env.Engine, Shelters: env.Store.Deps().Shelters, Keys: env.Store.Keys(),
		Redis: env.App.Redis, RedisPrefix: env.Redis.Prefix, Now: time.Now,
		Limits: Limits{AddrRate: 1e6, AddrBurst: 1e6, SessionRate: 1e6, SessionBurst: 1e6, PostRate: 1e6, PostBurst: 1e6},
		Logger: slog.New(slog.NewTextHandler(io.Discard, nil)),
	})
	if err != nil {
		b.Fatal(err)
	}
	ts := httptest.NewServer(s.Handler())
	b.Cleanup(ts.Close)
	return s, ts
}

// visitor opens the chat once (its session, the welcome) and returns a
// client with the cookie and the form token.
func visitor(b *testing.B, ts *httptest.Server) (*http.Client, string) {
	jar, _ := cookiejar.New(nil)
	c := &http.Client{Jar: jar, CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse },
		Transport: &http.Transport{MaxIdleConnsPerHost: 4}}
	res, err := c.Get(ts.URL + "/chat?lang=es")
	if err != nil {
		b.Fatal(err)
	}
	body, _ := io.ReadAll(res.Body)
	res.Body.Close()
	const field = `name="t" value="`
	i := strings.Index(string(body), field)
	if i < 0 {
		b.Fatalf("no form token: %d", res.StatusCode)
	}
	tok := string(body[i+len(field):])
	return c, tok[:strings.IndexByte(tok, '"')]
}

// BenchmarkChatMessages: web-chat messages through the HTTP handler as a
// live page sends them (a background post answered 204 once the replies
// are in the transcript), from 200 visitors at once; it reports messages
// per second and the 99th percentile of a post's time.
//
//	REDIS_URL=redis://127.0.0.1:6379/9 go test -run '^$' -bench ChatMessages -benchtime 5000x ./web
func BenchmarkChatMessages(b *testing.B) {
	_, ts := benchPortal(b)
	const visitors = 200
	type v struct {
		c   *http.Client
		tok string
	}
	vs := make([]v, visitors)
	for i := range vs {
		vs[i].c, vs[i].tok = visitor(b, ts)
	}
	texts := []string{"hola", "albergue", "derechos", "/menu", "emergencia"}
	var next atomic.Int64
	lat := make([]time.Duration, b.N)
	b.ResetTimer()
	start, cpu0 := time.Now(), processCPU()
	var wg sync.WaitGroup
	for w := 0; w < visitors; w++ {
		wg.Add(1)
		go func(w int) {
			defer wg.Done()
			for {
				n := next.Add(1) - 1
				if n >= int64(b.N) {
					return
				}
				form := url.Values{"t": {vs[w].tok}, "u": {fmt.Sprint(n + 1)}, "text": {texts[int(n)%len(texts)]}}
				req, _ := http.NewRequest(http.MethodPost, ts.URL+"/chat", strings.NewReader(form.Encode()))
				req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
				req.Header.Set("Sec-Fetch-Site", "same-origin")
				req.Header.Set("X-Acercate-Live", "1")
				t0 := time.Now()
				res, err := vs[w].c.Do(req)
				if err != nil {
					b.Error(err)
					return
				}
				io.Copy(io.Discard, res.Body)
				res.Body.Close()
				lat[n] = time.Since(t0)
				if res.StatusCode != http.StatusNoContent {
					b.Errorf("post: status %d", res.StatusCode)
					return
				}
			}
		}(w)
	}
	wg.Wait()
	elapsed, cpu := time.Since(start), processCPU()-cpu0
	b.StopTimer()
	slices.Sort(lat)
	// The process's CPU time (user and system, every thread: the handler,
	// the engine, SQLite, the embedded Redis when REDIS_URL is unset, and
	// the benchmark's own clients) over the messages: what a message
	// costs, whatever else the machine is doing.
	b.ReportMetric(float64(cpu.Microseconds())/1000/float64(b.N), "cpu-ms/msg")
	b.ReportMetric(float64(b.N)/elapsed.Seconds(), "msg/s")
	b.ReportMetric(float64(lat[len(lat)*99/100].Microseconds())/1000, "p99-ms")
	b.ReportMetric(float64(lat[len(lat)/2].Microseconds())/1000, "p50-ms")
}

// processCPU is the CPU time the process has used so far.
func processCPU() time.Duration {
	var ru syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_SELF, &ru); err != nil {
		return 0
	}
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}

// BenchmarkLiveConnections opens 1,000 live pages (Server-Sent Events)
// and reports the memory each holds on the server while it waits: the
// process's heap and stacks after, less before, over the connections
// (the clients are bare sockets in the same process, so their share is
// counted too, against us).
//
//	go test -run '^$' -bench LiveConnections -benchtime 1x ./web
func BenchmarkLiveConnections(b *testing.B) {
	s, ts := benchPortal(b)
	const conns = 1000
	addr := strings.TrimPrefix(ts.URL, "http://")
	// Each connection is its own visitor (maxLivePages caps one visitor's
	// pages); sessions are minted here as the cookie a browser would hold.
	ids := make([]string, conns)
	for i := range ids {
		ids[i] = fmt.Sprintf("%022d", i)[:22]
		ids[i] = strings.Map(func(r rune) rune { return 'A' + (r - '0') }, ids[i])
	}
	for i := 0; i < b.N; i++ {
		var before, after runtime.MemStats
		runtime.GC()
		runtime.GC()
		runtime.ReadMemStats(&before)
		open := make([]net.Conn, 0, conns)
		for _, id := range ids {
			c, err := net.Dial("tcp", addr)
			if err != nil {
				b.Fatal(err)
			}
			fmt.Fprintf(c, "GET /chat/events HTTP/1.1\r\nHost: x\r\nCookie: %s=%s\r\nAccept: text/event-stream\r\n\r\n", sessionCookie, id)
			open = append(open, c)
		}
		// Wait until every stream answered its headers and first flush.
		for _, c := range open {
			r := bufio.NewReaderSize(c, 256)
			line, err := r.ReadString('\n')
			if err != nil || !strings.Contains(line, "200") {
				b.Fatalf("stream: %q %v", line, err)
			}
		}
		deadline := time.Now().Add(10 * time.Second)
		for s.chat.hub.total() < conns && time.Now().Before(deadline) {
			time.Sleep(10 * time.Millisecond)
		}
		runtime.GC()
		runtime.GC()
		runtime.ReadMemStats(&after)
		// Live heap (HeapAlloc after a collection) and goroutine stacks.
		per := float64(int64(after.HeapAlloc+after.StackInuse)-int64(before.HeapAlloc+before.StackInuse)) / conns
		b.ReportMetric(per, "B/conn")
		for _, c := range open {
			c.Close()
		}
	}
}

// BenchmarkChatPage: the chat page as a visitor without JavaScript loads
// it after each message (its whole transcript rendered and gzipped), with
// a transcript of 40 messages; it reports the CPU time per page.
//
//	go test -run '^$' -bench ChatPage -benchtime 500x ./web
func BenchmarkChatPage(b *testing.B) {
	_, ts := benchPortal(b)
	c, tok := visitor(b, ts)
	for i := 0; i < 20; i++ {
		form := url.Values{"t": {tok}, "u": {fmt.Sprint(i + 1)}, "text": {[]string{"albergue", "derechos", "/menu"}[i%3]}}
		req, _ := http.NewRequest(http.MethodPost, ts.URL+"/chat", strings.NewReader(form.Encode()))
		req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
		req.Header.Set("Sec-Fetch-Site", "same-origin")
		res, err := c.Do(req)
		if err != nil {
			b.Fatal(err)
		}
		io.Copy(io.Discard, res.Body)
		res.Body.Close()
	}
	b.ResetTimer()
	cpu0 := processCPU()
	for i := 0; i < b.N; i++ {
		req, _ := http.NewRequest(http.MethodGet, ts.URL+"/chat", nil)
		req.Header.Set("Accept-Encoding", "gzip")
		res, err := c.Do(req)
		if err != nil {
			b.Fatal(err)
		}
		n, _ := io.Copy(io.Discard, res.Body)
		res.Body.Close()
		if res.StatusCode != http.StatusOK || res.Header.Get("Content-Encoding") != "gzip" {
			b.Fatalf("page: %d %q", res.StatusCode, res.Header.Get("Content-Encoding"))
		}
		b.SetBytes(n)
	}
	b.ReportMetric(float64((processCPU()-cpu0).Microseconds())/1000/float64(b.N), "cpu-ms/page")
}

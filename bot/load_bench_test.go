package bot_test

import (
	"context"
	"os"
	"runtime"
	"slices"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"syscall"
	"testing"
	"time"

	"github.com/acercate/acercate/bot"
	"github.com/acercate/acercate/bot/telegramtest"
	"github.com/redis/go-redis/v9"
)

// The end-to-end load benchmarks drive many simulated chats through the
// fake Telegram server, the real engine, real Redis (REDIS_URL; the
// embedded one otherwise) and a real SQLite file, with the sending limits
// off so they measure our processing, not Telegram's quota. Run:
//
//	REDIS_URL=redis://127.0.0.1:6379/9 go test -run '^$' -bench Load -benchtime 1x ./bot
//
// Reported: updates/s, handling latency percentiles (from the update
// reaching the fake server to its last reply delivered: e2e; and the
// engine+send part alone: handle), Redis round trips per update, and Go
// heap and Redis memory per active chat.

// loadScript is what each simulated person writes, in a loop.
var loadScript = []string{"/start", "albergue", "derechos", "hola", "/menu", "ayuda", "refugio", "gracias"}

// roundTrips counts Redis round trips: a command or a pipeline is one.
type roundTrips struct{ n atomic.Int64 }

func (r *roundTrips) DialHook(next redis.DialHook) redis.DialHook { return next }
func (r *roundTrips) ProcessHook(next redis.ProcessHook) redis.ProcessHook {
	return func(ctx context.Context, cmd redis.Cmder) error { r.n.Add(1); return next(ctx, cmd) }
}
func (r *roundTrips) ProcessPipelineHook(next redis.ProcessPipelineHook) redis.ProcessPipelineHook {
	return func(ctx context.Context, cmds []redis.Cmder) error { r.n.Add(1); return next(ctx, cmds) }
}

type loadRun struct {
	h       *harness
	rt      *roundTrips
	mu      sync.Mutex
	queued  map[int64]time.Time
	e2e     []time.Duration
	handle  []time.Duration
	handled atomic.Int64
}

func newLoad(b *testing.B, workers int) *loadRun {
	l := &loadRun{queued: map[int64]time.Time{}, rt: &roundTrips{}}
	l.h = newHarness(b, func(c *bot.Config) {
		c.SendRate, c.ChatRate, c.GroupRate = 0, 0, 0
		c.Workers = workers
		c.Logger = discardLogger()
		c.Observe = func(id int64, kind string, d time.Duration) {
			now := time.Now()
			l.mu.Lock()
			if q, ok := l.queued[id]; ok {
				l.e2e = append(l.e2e, now.Sub(q))
				delete(l.queued, id)
			}
			l.handle = append(l.handle, d)
			l.mu.Unlock()
			l.handled.Add(1)
		}
	})
	l.h.env.App.Redis.AddHook(l.rt)
	l.h.tg.Lean()
	return l
}

// send queues the i-th line of chat's script.
func (l *loadRun) send(chat int64, i int) {
	p := telegramtest.Person{ID: chat, Lang: []string{"es", "fr", "ht", "pt", "en"}[chat%5]}
	line := loadScript[i%len(loadScript)]
	var id int64
	at := time.Now()
	if strings.HasPrefix(line, "/") {
		id = l.h.tg.Command(chat, p, line)
	} else {
		id = l.h.tg.Text(chat, p, line)
	}
	l.mu.Lock()
	l.queued[id] = at
	l.mu.Unlock()
}

func pct(ds []time.Duration, p float64) time.Duration {
	if len(ds) == 0 {
		return 0
	}
	s := slices.Clone(ds)
	slices.Sort(s)
	return s[min(len(s)-1, int(float64(len(s))*p))]
}

// cpuTime is the process's CPU time so far (user + system): the bot's
// work and the fake server's, not redis-server's. Divided by updates it
// says what an update costs whatever else runs on the machine.
func cpuTime() time.Duration {
	var ru syscall.Rusage
	syscall.Getrusage(syscall.RUSAGE_SELF, &ru)
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}

func (l *loadRun) report(b *testing.B, n int, elapsed time.Duration, chats int, heapBefore uint64, redisBefore int64, cpuBefore time.Duration) {
	b.ReportMetric(float64(n)/elapsed.Seconds(), "updates/s")
	b.ReportMetric(float64((cpuTime()-cpuBefore).Microseconds())/1000/float64(n), "cpu-ms/update")
	l.mu.Lock()
	b.ReportMetric(float64(pct(l.e2e, .5).Microseconds())/1000, "e2e-p50-ms")
	b.ReportMetric(float64(pct(l.e2e, .99).Microseconds())/1000, "e2e-p99-ms")
	b.ReportMetric(float64(pct(l.handle, .5).Microseconds())/1000, "handle-p50-ms")
	b.ReportMetric(float64(pct(l.handle, .99).Microseconds())/1000, "handle-p99-ms")
	l.mu.Unlock()
	b.ReportMetric(float64(l.rt.n.Load())/float64(n), "redis-rt/update")
	runtime.GC()
	var ms runtime.MemStats
	runtime.ReadMemStats(&ms)
	b.ReportMetric(float64(int64(ms.HeapAlloc)-int64(heapBefore))/float64(chats), "heap-B/chat")
	if after := redisMemory(l.h); after > 0 && redisBefore > 0 {
		b.ReportMetric(float64(after-redisBefore)/float64(chats), "redis-B/chat")
	}
	if la, err := os.ReadFile("/proc/loadavg"); err == nil {
		b.Logf("load average at the end: %s", strings.TrimSpace(string(la)))
	}
}

func redisMemory(h *harness) int64 {
	info, err := h.env.App.Redis.Info(context.Background(), "memory").Result()
	if err != nil {
		return 0
	}
	for _, line := range strings.Split(info, "\n") {
		if v, ok := strings.CutPrefix(line, "used_memory:"); ok {
			n, _ := strconv.ParseInt(strings.TrimSpace(v), 10, 64)
			return n
		}
	}
	return 0
}

func heapNow() uint64 {
	runtime.GC()
	var ms runtime.MemStats
	runtime.ReadMemStats(&ms)
	return ms.HeapAlloc
}

// warm handles a few chats' first messages so that pools, caches and the
// engine's catalogs exist before the heap is measured.
func (l *loadRun) warm(b *testing.B) {
	for c := range 50 {
		l.send(int64(900000+c), 0)
	}
	l.h.run()
	waitFor(b, time.Minute, "warm-up", func() bool { return l.handled.Load() >= 50 })
	l.mu.Lock()
	l.e2e, l.handle = nil, nil
	l.mu.Unlock()
	l.handled.Store(0)
}

// BenchmarkLoadSaturated queues 1,000 chats × 8 messages at once and
// measures how fast the bot works through them.
func BenchmarkLoadSaturated(b *testing.B) {
	const chats, per = 1000, 8
	l := newLoad(b, 32)
	l.warm(b)
	heap, rmem := heapNow(), redisMemory(l.h)
	cpu := cpuTime()
	b.ResetTimer()
	start := time.Now()
	for i := range per {
		for c := range chats {
			l.send(int64(100000+c), i)
		}
	}
	waitFor(b, 5*time.Minute, "all handled", func() bool { return l.handled.Load() >= chats*per })
	elapsed := time.Since(start)
	b.StopTimer()
	l.report(b, chats*per, elapsed, chats, heap, rmem, cpu)
}

// BenchmarkLoadAt500 offers 500 updates/s from 1,000 chats for 10 s and
// measures latency under that load.
func BenchmarkLoadAt500(b *testing.B) {
	const chats, rate, seconds = 1000, 500, 10
	l := newLoad(b, 32)
	l.warm(b)
	heap, rmem := heapNow(), redisMemory(l.h)
	cpu := cpuTime()
	b.ResetTimer()
	start := time.Now()
	total := rate * seconds
	tick := time.NewTicker(time.Second / 100)
	defer tick.Stop()
	sent := 0
	for sent < total {
		<-tick.C
		due := min(total, int(time.Since(start).Seconds()*rate))
		for ; sent < due; sent++ {
			l.send(int64(200000+sent%chats), sent/chats)
		}
	}
	waitFor(b, 2*time.Minute, "all handled", func() bool { return l.handled.Load() >= int64(total) })
	elapsed := time.Since(start)
	b.StopTimer()
	l.report(b, total, elapsed, chats, heap, rmem, cpu)
}

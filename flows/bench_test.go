package flows_test

import (
	"context"
	"regexp"
	"sync/atomic"
	"syscall"
	"testing"
	"time"

	"github.com/acercate/acercate/apptest"
	"github.com/acercate/acercate/flows"
	"github.com/redis/go-redis/v9"
)

// roundTrips counts what the engine asks of Redis: one per command, one
// per pipeline or transaction (each is a single exchange on the wire).
type roundTrips struct{ n atomic.Int64 }

func (h *roundTrips) DialHook(next redis.DialHook) redis.DialHook { return next }
func (h *roundTrips) ProcessHook(next redis.ProcessHook) redis.ProcessHook {
	return func(ctx context.Context, cmd redis.Cmder) error {
		h.n.Add(1)
		return next(ctx, cmd)
	}
}
func (h *roundTrips) ProcessPipelineHook(next redis.ProcessPipelineHook) redis.ProcessPipelineHook {
	return func(ctx context.Context, cmds []redis.Cmder) error {
		h.n.Add(1)
		return next(ctx, cmds)
	}
}

// benchScript is a short visit that moves through three flows: the menu,
// a rights topic read page by page, the shelters by city, back to the menu.
var benchScript = []flows.Event{
	{Kind: flows.EventCommand, Command: "menu"},
	{Kind: flows.EventText, Text: "derechos"},
	{Kind: flows.EventText, Text: "asilo"},
	{Kind: flows.EventText, Text: "albergue"},
	{Kind: flows.EventText, Text: "Tapachula"},
	{Kind: flows.EventText, Text: "hola"},
}

// tapStep is one step of the side-by-side harness's script
// (shared/bench/scripts/es-basic.json): /start, a tap on the button whose
// label matches, or a shared location.
type tapStep struct {
	start bool
	label *regexp.Regexp
	loc   *flows.Location
}

// tapScript is what the harness's virtual users do, over and over: /start
// → rights → asylum → menu → albergues → a location in Tapachula, by
// buttons, as a person does, where benchScript types.
var tapScript = []tapStep{
	{start: true},
	{label: regexp.MustCompile(`(?i)derech`)},
	{label: regexp.MustCompile(`(?i)refugio|asilo|COMAR`)},
	{label: regexp.MustCompile(`(?i)men[uú]|inicio|volver`)},
	{label: regexp.MustCompile(`(?i)albergue`)},
	{loc: &flows.Location{Lat: 14.9061, Lon: -92.2636}},
}

// tapper walks tapScript in one chat, one event a step.
type tapper struct {
	p    *person
	last []flows.Reply
	i    int
}

func (t *tapper) step() {
	t.p.t.Helper()
	s := tapScript[t.i%len(tapScript)]
	t.i++
	switch {
	case s.start:
		t.last = t.p.command("start", "")
		return
	case s.loc != nil:
		t.last = t.p.do(flows.Event{Kind: flows.EventLocation, Location: s.loc})
		return
	}
	for _, r := range t.last {
		for _, row := range r.Buttons {
			for _, b := range row {
				if s.label.MatchString(b.Label) {
					t.last = t.p.tap(b.Data)
					return
				}
			}
		}
	}
	t.p.t.Fatalf("no button matches %s in %q", s.label, texts(t.last))
}

// BenchmarkHandle measures one event through the engine, delivered and
// confirmed as a channel does, against the real Redis when REDIS_URL is set
// (the figure that matters) or the embedded one. It reports Redis round
// trips per event and the bytes one chat's state takes in Redis. serial
// and parallel type (benchScript); taps walks the side-by-side harness's
// script by buttons and a shared location (tapScript).
//
//	REDIS_URL=redis://127.0.0.1:6379/9 go test ./flows -run '^$' -bench Handle -benchmem
func BenchmarkHandle(b *testing.B) {
	for _, mode := range []string{"serial", "parallel", "taps"} {
		b.Run(mode, func(b *testing.B) {
			env := apptest.New(b, apptest.WithEngine(flows.Config{FloodRate: 1e6, FloodBurst: 1e6}))
			rt := &roundTrips{}
			env.App.Redis.AddHook(rt)
			var chats atomic.Int64
			newChat := func() *person {
				p := newPerson(b, env, env.Engine, 7_000_000+chats.Add(1), "es")
				p.command("start", "")
				return p
			}
			first := newChat()
			rt.n.Store(0)
			b.ReportAllocs()
			cpu := cpuTime()
			b.ResetTimer()
			switch mode {
			case "serial":
				for i := 0; i < b.N; i++ {
					first.do(benchScript[i%len(benchScript)])
				}
			case "taps":
				t := &tapper{p: first}
				for i := 0; i < b.N; i++ {
					t.step()
				}
			default:
				b.RunParallel(func(pb *testing.PB) {
					p := newChat() // one chat per goroutine: chats run in parallel
					for i := 0; pb.Next(); i++ {
						p.do(benchScript[i%len(benchScript)])
					}
				})
			}
			b.StopTimer()
			b.ReportMetric(float64((cpuTime()-cpu).Microseconds())/float64(b.N), "cpu-µs/event")
			b.ReportMetric(float64(rt.n.Load())/float64(b.N), "redis-rt/event")
			ctx := context.Background()
			key := env.Engine.Store().StateKey(flows.Telegram(first.id))
			if n, err := env.App.Redis.HStrLen(ctx, key, "b").Result(); err == nil {
				b.ReportMetric(float64(n), "sealed-state-B/chat")
			}
			if n, err := env.App.Redis.MemoryUsage(ctx, key).Result(); err == nil {
				b.ReportMetric(float64(n), "redis-mem-B/chat")
			}
		})
	}
}

// cpuTime is the process's CPU time so far (user + system), not
// redis-server's: per event, a figure the machine's other load moves less
// than the time per event.
func cpuTime() time.Duration {
	var ru syscall.Rusage
	syscall.Getrusage(syscall.RUSAGE_SELF, &ru)
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}

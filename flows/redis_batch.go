package flows

import (
	"context"
	"runtime"
	"strings"
	"sync"

	"github.com/redis/go-redis/v9"
)

// redisBatch group-sends the engine's per-update scripts (the commit, the
// delivered marks): scripts run at the same time by different chats'
// workers go to Redis in one pipeline, one round trip (one write and one
// read on the connection) for many instead of one each. Each caller still
// returns only with its own script's result, once Redis answered it: a
// commit or a mark is as durable, and a chat's calls as ordered, as one
// by one. The scripts are independent (each touches its own chat's keys),
// so sharing a pipeline changes no outcome.
//
// Like the request log's group commit (store/requests_batch.go) it has no
// goroutine of its own: the first caller to find no pipeline under way
// leads, sends everything queued so far, and hands the lead to the first
// caller queued meanwhile. A lead with no one queued yields once first,
// so the workers ready to run on a busy machine join its pipeline; on an
// idle one it returns at once.
type redisBatch struct {
	rdb     redis.UniversalClient
	mu      sync.Mutex
	queue   []*batchedScript
	running bool
}

type batchedScript struct {
	script *redis.Script
	keys   []string
	args   []any
	cmd    *redis.Cmd
	// done receives true when this caller is handed the lead, false once
	// its cmd holds its result.
	done chan bool
}

// maxPipeline bounds one pipeline, so a long queue does not make its
// first caller wait for everyone.
const maxPipeline = 128

// run runs script as Script.Run does, sharing a pipeline with the scripts
// other workers run at the same time.
func (b *redisBatch) run(ctx context.Context, script *redis.Script, keys []string, args ...any) *redis.Cmd {
	q := &batchedScript{script: script, keys: keys, args: args, done: make(chan bool, 1)}
	b.mu.Lock()
	b.queue = append(b.queue, q)
	if b.running {
		b.mu.Unlock()
		// Not abandoned on ctx: the lead may be handed to us.
		if lead := <-q.done; !lead {
			return q.cmd
		}
		b.mu.Lock()
	}
	b.running = true
	if len(b.queue) == 1 {
		b.mu.Unlock()
		runtime.Gosched()
		b.mu.Lock()
	}
	n := min(len(b.queue), maxPipeline)
	batch := b.queue[:n:n]
	b.queue = b.queue[n:]
	b.mu.Unlock()

	b.send(context.WithoutCancel(ctx), batch)
	for _, x := range batch {
		if x != q {
			x.done <- false
		}
	}
	b.mu.Lock()
	if len(b.queue) > 0 {
		b.queue[0].done <- true
	} else {
		b.running = false
		b.queue = nil
	}
	b.mu.Unlock()
	return q.cmd
}

// send runs the batch's scripts in one pipeline by their SHA and, for
// those Redis no longer has (it restarted: NOSCRIPT), again with their
// text, as Script.Run does.
func (b *redisBatch) send(ctx context.Context, batch []*batchedScript) {
	if len(batch) == 1 {
		x := batch[0]
		x.cmd = x.script.Run(ctx, b.rdb, x.keys, x.args...)
		return
	}
	pipe := b.rdb.Pipeline()
	for _, x := range batch {
		x.cmd = x.script.EvalSha(ctx, pipe, x.keys, x.args...)
	}
	pipe.Exec(ctx) // each command keeps its own error
	var again []*batchedScript
	for _, x := range batch {
		if err := x.cmd.Err(); err != nil && strings.HasPrefix(err.Error(), "NOSCRIPT") {
			again = append(again, x)
		}
	}
	if len(again) == 0 {
		return
	}
	pipe = b.rdb.Pipeline()
	for _, x := range again {
		x.cmd = x.script.Eval(ctx, pipe, x.keys, x.args...)
	}
	pipe.Exec(ctx)
}

package flows

import (
	"context"
	"fmt"
	"os"
	"runtime"
	"sync"
	"sync/atomic"
	"testing"

	"github.com/acercate/acercate/localredis"
	"github.com/redis/go-redis/v9"
)

// pipelines counts the pipelines of scripts sent.
type pipelines struct{ n atomic.Int64 }

func (p *pipelines) DialHook(next redis.DialHook) redis.DialHook          { return next }
func (p *pipelines) ProcessHook(next redis.ProcessHook) redis.ProcessHook { return next }
func (p *pipelines) ProcessPipelineHook(next redis.ProcessPipelineHook) redis.ProcessPipelineHook {
	return func(ctx context.Context, cmds []redis.Cmder) error {
		// Not a new connection's handshake (CLIENT SETINFO), which go-redis
		// sends as a pipeline too.
		if n := cmds[0].Name(); n == "evalsha" || n == "eval" {
			p.n.Add(1)
		}
		return next(ctx, cmds)
	}
}

// Scripts queued by many workers at once go in one pipeline, and each
// caller gets its own script's result, also after Redis lost its script
// cache (a restart: NOSCRIPT, then the script's text).
func TestRedisBatchSharesAPipeline(t *testing.T) {
	r := localredis.ForTest(t, os.Getenv("REDIS_URL"))
	ctx := context.Background()
	pl := &pipelines{}
	r.Client.AddHook(pl)
	b := &redisBatch{rdb: r.Client}
	script := redis.NewScript(`return redis.call('INCRBY', KEYS[1], ARGV[1])`)
	const workers = 24
	if err := script.Load(ctx, r.Client).Err(); err != nil {
		t.Fatal(err)
	}
	for _, flush := range []bool{false, true} {
		if flush {
			if err := r.Client.ScriptFlush(ctx).Err(); err != nil {
				t.Fatal(err)
			}
		}
		before := pl.n.Load()
		// A pipeline is under way: every worker queues behind it.
		b.group.Hold()
		var wg sync.WaitGroup
		results := make([]int64, workers)
		errs := make([]error, workers)
		for w := range workers {
			wg.Go(func() {
				key := fmt.Sprintf("%sbatch:%v:%d", r.Prefix, flush, w)
				results[w], errs[w] = b.run(ctx, script, []string{key}, w+1).Int64()
			})
		}
		for b.group.Queued() < workers {
			runtime.Gosched()
		}
		// It ends: the first queued leads and sends them all.
		b.group.Release()
		wg.Wait()
		for w := range workers {
			if errs[w] != nil || results[w] != int64(w+1) {
				t.Errorf("flush=%v worker %d: %d, %v", flush, w, results[w], errs[w])
			}
		}
		want := int64(1)
		if flush {
			want = 2 // by SHA, then the scripts Redis forgot by their text
		}
		if sent := pl.n.Load() - before; sent != want {
			t.Errorf("flush=%v: %d pipelines for %d scripts queued together, want %d", flush, sent, workers, want)
		}
	}
}

package flows

import (
	"context"

	"github.com/acercate/acercate/flows/group"
	"github.com/redis/go-redis/v9"
)

// redisBatch group-sends the engine's per-update scripts (the commit, the
// delivered marks): scripts run at the same time by different chats'
// workers go to Redis in one pipeline, one round trip (one write and one
// read on the connection) for many instead of one each (package group).
// Each caller still returns only with its own script's result, once Redis
// answered it: a commit or a mark is as durable, and a chat's calls as
// ordered, as one by one. The scripts are independent (each touches its
// own chat's keys), so sharing a pipeline changes no outcome.
type redisBatch struct {
	rdb   redis.UniversalClient
	group group.Group[*batchedScript]
}

type batchedScript struct {
	script *redis.Script
	keys   []string
	args   []any
	cmd    *redis.Cmd
}

// maxPipeline bounds one pipeline.
const maxPipeline = 128

// run runs script as Script.Run does, sharing a pipeline with the scripts
// other workers run at the same time.
func (b *redisBatch) run(ctx context.Context, script *redis.Script, keys []string, args ...any) *redis.Cmd {
	q := &batchedScript{script: script, keys: keys, args: args}
	b.group.Do(ctx, maxPipeline, q, b.send)
	return q.cmd
}

// send runs the batch's scripts in one pipeline by their SHA and, for
// those Redis no longer has (it restarted: NOSCRIPT), again with their
// text, as Script.Run does (with its test for NOSCRIPT, HasErrorPrefix:
// a Redis error, also as KVRocks words it, "ERR NOSCRIPT").
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
		if redis.HasErrorPrefix(x.cmd.Err(), "NOSCRIPT") {
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

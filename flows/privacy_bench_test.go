package flows_test

import (
	"context"
	"strconv"
	"testing"

	"github.com/acercate/acercate/apptest"
	"github.com/acercate/acercate/flows"
)

// BenchmarkForgetChat measures the Redis part of /borrar: finding a chat's
// keys by its tag (a SCAN of the whole keyspace) and deleting them, with
// 20 000 other chats' keys in Redis.
func BenchmarkForgetChat(b *testing.B) {
	env := apptest.New(b)
	ctx := context.Background()
	pipe := env.Redis.Client.Pipeline()
	for i := 0; i < 20_000; i++ {
		tag := env.Keys.Hash("chat", strconv.Itoa(1_000_000+i))
		pipe.HSet(ctx, env.Redis.Prefix+"st:{"+tag+"}", "v", 1, "b", "x")
		if i%1000 == 999 {
			if _, err := pipe.Exec(ctx); err != nil {
				b.Fatal(err)
			}
		}
	}
	if _, err := pipe.Exec(ctx); err != nil {
		b.Fatal(err)
	}
	st := env.Engine.Store()
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		b.StopTimer()
		tag := env.Keys.Hash("chat", strconv.Itoa(i))
		env.Redis.Client.HSet(ctx, env.Redis.Prefix+"st:{"+tag+"}", "v", 1, "b", "x")
		env.Redis.Client.Set(ctx, env.Redis.Prefix+"up:{"+tag+"}:1", "x", 0)
		b.StartTimer()
		if err := st.Forget(ctx, flows.Telegram(int64(i))); err != nil {
			b.Fatal(err)
		}
	}
}

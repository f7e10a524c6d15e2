package web

import (
	"context"
	"os"
	"strings"
	"testing"
	"time"

	"github.com/acercate/acercate/flows"
	"github.com/acercate/acercate/localredis"
	"github.com/acercate/acercate/secret"
)

// A transcript is sealed in Redis under a keyed hash of the session, with
// the state's TTL; it keeps its last messages, tells what changed after a
// version, and goes with forget.
func TestTranscripts(t *testing.T) {
	r := localredis.ForTest(t, os.Getenv("REDIS_URL"))
	keys, err := secret.Parse(secret.Generate())
	if err != nil {
		t.Fatal(err)
	}
	ts := &transcripts{rdb: r.Client, keys: keys, prefix: r.Prefix, ttl: time.Hour}
	ctx := context.Background()
	const visitor = "c2Vzc2lvbi1pZC0xMjM0NQ"
	now := time.Date(2026, 11, 16, 16, 0, 0, 0, time.UTC)
	var first int64
	tr, err := ts.change(ctx, visitor, func(t *transcript) bool {
		t.add(message{Mine: true, Text: "me robaron en Tapachula"}, now)
		first = t.add(message{Text: "¿En qué te puedo ayudar?", Buttons: [][]flows.Button{{{Label: "Albergues", Data: "x"}}}}, now)
		return true
	})
	if err != nil || tr.Version != 2 || len(tr.Msgs) != 2 {
		t.Fatalf("after two messages: %+v %v", tr, err)
	}
	keysFound, err := r.Client.Keys(ctx, r.Prefix+"*").Result()
	if err != nil || len(keysFound) != 1 {
		t.Fatalf("redis keys: %v %v", keysFound, err)
	}
	key := keysFound[0]
	if strings.Contains(key, visitor) {
		t.Errorf("the session id is in the key %q", key)
	}
	raw, _ := r.Client.Get(ctx, key).Result()
	if strings.Contains(raw, "Tapachula") || strings.Contains(raw, "Albergues") {
		t.Errorf("the transcript is not sealed: %q", raw)
	}
	if ttl, _ := r.Client.TTL(ctx, key).Result(); ttl <= 0 || ttl > time.Hour {
		t.Errorf("TTL %v", ttl)
	}
	tr, err = ts.change(ctx, visitor, func(t *transcript) bool { return t.edit(first, "Elige una ciudad", nil) })
	if err != nil {
		t.Fatal(err)
	}
	changed := tr.changedSince(2)
	if len(changed) != 1 || changed[0].Seq != first || changed[0].Text != "Elige una ciudad" || changed[0].Buttons != nil {
		t.Errorf("after the edit, changed since 2: %+v", changed)
	}
	if _, err := ts.change(ctx, visitor, func(t *transcript) bool {
		for i := 0; i < transcriptMax+5; i++ {
			t.add(message{Text: "x"}, now)
		}
		return true
	}); err != nil {
		t.Fatal(err)
	}
	if tr, _ = ts.get(ctx, visitor); len(tr.Msgs) != transcriptMax || tr.Msgs[0].Seq != tr.Next-transcriptMax+1 {
		t.Errorf("kept %d messages from %d, next %d", len(tr.Msgs), tr.Msgs[0].Seq, tr.Next)
	}
	if err := ts.forget(ctx, visitor); err != nil {
		t.Fatal(err)
	}
	if tr, _ = ts.get(ctx, visitor); len(tr.Msgs) != 0 || tr.Version != 0 {
		t.Errorf("after forget: %+v", tr)
	}
}

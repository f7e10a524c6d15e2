package secret

import (
	"strconv"
	"sync"
	"testing"
	"time"
)

type addr string

func (a addr) HashInput() string { return string(a) }

func TestRememberedHashesAreTheHashes(t *testing.T) {
	k := testKeys(t)
	var wg sync.WaitGroup
	for w := range 8 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := range 3000 {
				a := addr(strconv.Itoa((i*7 + w) % 2500))
				if k.ChatHash(a) != k.Hash("chat", string(a)) || k.PersonHash(a) != k.Hash("person", string(a)) {
					t.Errorf("%s: a remembered hash differs", a)
					return
				}
			}
		}()
	}
	wg.Wait()
	if k.ChatHash(addr("9")) == k.PersonHash(addr("9")) {
		t.Fatal("chat and person share a hash")
	}
	// Another hash key does not inherit what this one remembered.
	other := k.WithHashKey(make([]byte, 32))
	if other.ChatHash(addr("9")) == k.ChatHash(addr("9")) || other.ChatHash(addr("9")) != other.Hash("chat", "9") {
		t.Fatal("WithHashKey kept the old key's hashes")
	}
}

func TestTheMemoForgets(t *testing.T) {
	now := time.Date(2026, 12, 7, 8, 0, 0, 0, time.UTC)
	m := newMemo(func() time.Time { return now })
	for i := range 100_000 {
		m.add(memoKey{"chat", strconv.Itoa(i)}, "h")
	}
	if n := m.size(); n > 2*memoShards*memoSize {
		t.Fatalf("%d entries after 100,000 chats, want at most %d", n, 2*memoShards*memoSize)
	}
	m.add(memoKey{"chat", "kept"}, "h")
	if _, ok := m.get(memoKey{"chat", "kept"}); !ok {
		t.Fatal("a fresh entry is gone")
	}
	// Two turns without use: every shard has turned twice.
	for range 2 {
		now = now.Add(memoTurn)
		for i := range 2000 {
			m.add(memoKey{"person", strconv.Itoa(i)}, "h")
		}
	}
	if _, ok := m.get(memoKey{"chat", "kept"}); ok {
		t.Fatal("an address unused for two turns is still remembered")
	}
}

// BenchmarkChatHash is an update's lookup of a chat seen lately (compare
// BenchmarkHash, the HMAC itself).
func BenchmarkChatHash(b *testing.B) {
	k, err := FromBytes(make([]byte, KeySize))
	if err != nil {
		b.Fatal(err)
	}
	chats := make([]addr, 1000)
	for i := range chats {
		chats[i] = addr(strconv.Itoa(100000000 + i))
	}
	b.ReportAllocs()
	i := 0
	for b.Loop() {
		k.ChatHash(chats[i%len(chats)])
		i++
	}
}

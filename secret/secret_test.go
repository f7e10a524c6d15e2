package secret

import (
	"bytes"
	"crypto/hmac"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"strings"
	"sync"
	"testing"
)

func testKeys(t *testing.T) *Keys {
	t.Helper()
	k, err := Parse(Generate())
	if err != nil {
		t.Fatal(err)
	}
	return k
}

func TestParseRejectsBadKeys(t *testing.T) {
	for _, in := range []string{"", "not base64!", "c2hvcnQ=", Generate() + "AAAA"} {
		if _, err := Parse(in); !errors.Is(err, ErrKey) {
			t.Errorf("Parse(%q) = %v, want ErrKey", in, err)
		}
	}
}

func TestSealOpen(t *testing.T) {
	k := testKeys(t)
	plain := []byte("me robaron en Huixtla")
	sealed := k.Seal(plain, []byte("denuncia:1"))
	if bytes.Contains(sealed, plain) {
		t.Fatal("sealed data contains the plain text")
	}
	got, err := k.Open(sealed, []byte("denuncia:1"))
	if err != nil || !bytes.Equal(got, plain) {
		t.Fatalf("Open = %q, %v", got, err)
	}
	if _, err := k.Open(sealed, []byte("denuncia:2")); !errors.Is(err, ErrOpen) {
		t.Errorf("Open with other aad = %v, want ErrOpen", err)
	}
	sealed[len(sealed)-1] ^= 1
	if _, err := k.Open(sealed, []byte("denuncia:1")); !errors.Is(err, ErrOpen) {
		t.Errorf("Open of tampered data = %v, want ErrOpen", err)
	}
}

func TestOtherKeyCannotOpen(t *testing.T) {
	a, b := testKeys(t), testKeys(t)
	if _, err := b.Open(a.Seal([]byte("x"), nil), nil); !errors.Is(err, ErrOpen) {
		t.Fatalf("other key opened sealed data: %v", err)
	}
	if a.Check() == b.Check() {
		t.Fatal("two keys share a check value")
	}
}

func TestOlderKeysOpenAfterRotation(t *testing.T) {
	old, cur := testKeys(t), testKeys(t)
	sealed := old.Seal([]byte("folio"), nil)
	ring := cur.WithOlder(old)
	got, err := ring.Open(sealed, nil)
	if err != nil || string(got) != "folio" {
		t.Fatalf("Open = %q, %v", got, err)
	}
	if ring.SealedBy(sealed) {
		t.Error("SealedBy reports old data as current")
	}
	if !ring.SealedBy(ring.Seal([]byte("x"), nil)) {
		t.Error("SealedBy does not recognise current data")
	}
}

func TestHashDomains(t *testing.T) {
	k := testKeys(t)
	if k.Hash("person", "42") == k.Hash("chat", "42") {
		t.Error("domains share hashes")
	}
	if k.Hash("person", "42") != k.Hash("person", "42") {
		t.Error("hash is not stable")
	}
	if k.Hash("person", "42") == k.Hash("person", "43") {
		t.Error("different values share a hash")
	}
}

func TestStringRoundTrip(t *testing.T) {
	k := testKeys(t)
	s := k.SealString("texto", "t")
	if got, err := k.OpenString(s, "t"); err != nil || got != "texto" {
		t.Fatalf("OpenString = %q, %v", got, err)
	}
	if _, err := k.OpenString("%%%", "t"); !errors.Is(err, ErrOpen) {
		t.Fatalf("OpenString of junk = %v", err)
	}
}

// Hash is HMAC-SHA256 over domain, a zero byte and the value, cut to 16
// bytes, whichever pooled HMAC computes it and however many at once: the
// figures and Redis keys of every deployed database depend on it.
func TestHashIsTheKeyedHMAC(t *testing.T) {
	raw := bytes.Repeat([]byte{7}, KeySize)
	k, err := FromBytes(raw)
	if err != nil {
		t.Fatal(err)
	}
	want := func(k *Keys, domain, value string) string {
		m := hmac.New(sha256.New, k.HashKey())
		m.Write([]byte(domain + "\x00" + value))
		return hex.EncodeToString(m.Sum(nil)[:16])
	}
	long := strings.Repeat("x", 300)
	other := k.WithHashKey(bytes.Repeat([]byte{9}, 32))
	var wg sync.WaitGroup
	for g := range 8 {
		wg.Go(func() {
			for i := range 200 {
				for _, kk := range []*Keys{k, other} {
					v := fmt.Sprint(g, ":", i, long[:i%2*300])
					if got, w := kk.Hash("person", v), want(kk, "person", v); got != w {
						t.Errorf("Hash(person, %q) = %s, want %s", v, got, w)
						return
					}
				}
			}
		})
	}
	wg.Wait()
}

func BenchmarkHash(b *testing.B) {
	k, err := FromBytes(bytes.Repeat([]byte{7}, KeySize))
	if err != nil {
		b.Fatal(err)
	}
	b.ReportAllocs()
	for b.Loop() {
		k.Hash("person", "123456789")
	}
}

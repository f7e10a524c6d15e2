package secret

import (
	"bytes"
	"errors"
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

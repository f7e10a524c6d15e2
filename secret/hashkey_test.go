package secret

import "testing"

// TestHashKeySurvivesRotation: a new data key given the old hash key
// hashes as before, while its sealing and its Check are its own.
func TestHashKeySurvivesRotation(t *testing.T) {
	old, err := Parse(Generate())
	if err != nil {
		t.Fatal(err)
	}
	next, err := Parse(Generate())
	if err != nil {
		t.Fatal(err)
	}
	if old.Hash("person", "42") == next.Hash("person", "42") {
		t.Fatal("two data keys hash alike: the test would prove nothing")
	}
	kept := next.WithHashKey(old.HashKey())
	if kept.Hash("person", "42") != old.Hash("person", "42") {
		t.Error("the kept hash key does not hash as before")
	}
	if kept.Check() != next.Check() || kept.Check() == old.Check() {
		t.Error("Check follows the hash key instead of the data key")
	}
	sealed := kept.Seal([]byte("x"), []byte("aad"))
	if !next.SealedBy(sealed) || old.SealedBy(sealed) {
		t.Error("sealing follows the hash key instead of the data key")
	}
	// HashKey is a copy: changing it changes nothing.
	h := old.HashKey()
	h[0] ^= 0xff
	if old.Hash("person", "42") != kept.Hash("person", "42") {
		t.Error("HashKey exposed the key itself")
	}
}

// Package secret turns ACERCATE_DATA_KEY into the two things Acércate needs
// to protect people: keyed hashes (so logs and metrics can count a person
// without naming them) and authenticated encryption of what must be kept
// (denuncia text, contact ids, conversation state).
//
// Every derived key comes from the one data key through HKDF with its own
// label, so the hash key and the encryption key are never the same bytes.
package secret

import (
	"crypto/aes"
	"crypto/cipher"
	"crypto/hkdf"
	"crypto/hmac"
	"crypto/rand"
	"crypto/sha256"
	"encoding/base64"
	"encoding/hex"
	"errors"
	"fmt"
	"hash"
	"strings"
	"sync"
)

// KeySize is the length of the data key in bytes.
const KeySize = 32

// ErrKey reports a data key that is missing, not base64 or not 32 bytes.
var ErrKey = errors.New("data key must be base64 of 32 random bytes (openssl rand -base64 32)")

// ErrOpen reports sealed data that does not authenticate under any known key:
// it was tampered with, truncated, or sealed under another key.
var ErrOpen = errors.New("sealed data does not open under this data key")

const sealVersion = 1

// Keys holds the keys derived from one data key, plus older keys that can
// still open data sealed before a rotation.
type Keys struct {
	hash  []byte
	id    [4]byte
	aead  cipher.AEAD
	older []*Keys
	// check identifies the data key itself (Check), whatever hash key is
	// in use (WithHashKey).
	check string
	// macs are HMACs keyed with hash, reset and reused by Hash: keying a
	// new one (two SHA-256 blocks and three allocations) was about 4% of
	// an update's CPU, and every update hashes its chat and person.
	macs *sync.Pool
}

func (k *Keys) keyMACs() {
	key := k.hash
	k.macs = &sync.Pool{New: func() any { return hmac.New(sha256.New, key) }}
}

// Parse derives Keys from the base64 text of a data key.
func Parse(b64 string) (*Keys, error) {
	raw, err := base64.StdEncoding.DecodeString(strings.TrimSpace(b64))
	if err != nil || len(raw) != KeySize {
		return nil, ErrKey
	}
	return FromBytes(raw)
}

// FromBytes derives Keys from a raw 32-byte data key.
func FromBytes(raw []byte) (*Keys, error) {
	if len(raw) != KeySize {
		return nil, ErrKey
	}
	derive := func(label string) []byte {
		b, err := hkdf.Key(sha256.New, raw, nil, "acercate/"+label, 32)
		if err != nil {
			panic(err) // only fails for impossible lengths
		}
		return b
	}
	block, err := aes.NewCipher(derive("seal"))
	if err != nil {
		return nil, fmt.Errorf("aes: %w", err)
	}
	aead, err := cipher.NewGCM(block)
	if err != nil {
		return nil, fmt.Errorf("gcm: %w", err)
	}
	k := &Keys{hash: derive("hash"), aead: aead}
	k.keyMACs()
	copy(k.id[:], derive("id"))
	k.check = k.Hash("key-check", "acercate")
	return k, nil
}

// Generate returns the base64 text of a new random data key.
func Generate() string {
	raw := make([]byte, KeySize)
	if _, err := rand.Read(raw); err != nil {
		panic(err) // crypto/rand never fails on supported platforms
	}
	return base64.StdEncoding.EncodeToString(raw)
}

// WithOlder returns a copy of k that can also open data sealed under older
// keys. Sealing always uses k itself.
func (k *Keys) WithOlder(older ...*Keys) *Keys {
	c := *k
	c.older = append(append([]*Keys(nil), k.older...), older...)
	return &c
}

// Hash returns a keyed hash of value within a domain ("person", "chat"...).
// The same value hashes differently in different domains, and nobody
// without the data key can tell which value a hash stands for.
func (k *Keys) Hash(domain, value string) string {
	m := k.macs.Get().(hash.Hash)
	defer k.macs.Put(m)
	m.Reset()
	m.Write(append(append([]byte(domain), 0), value...))
	return hex.EncodeToString(m.Sum(nil)[:16])
}

// Addressed is a chat or person address as it is hashed (flows.Address):
// HashInput is the bare id for Telegram, as before channels existed, and
// "channel:id" for any other channel, so a Telegram chat keeps the hash it
// had and no other channel's id can take it.
type Addressed interface{ HashInput() string }

// ChatHash is the keyed hash a chat is known by (Redis keys, the blocked
// list, logs) instead of its address.
func (k *Keys) ChatHash(chat Addressed) string { return k.Hash("chat", chat.HashInput()) }

// PersonHash is the keyed hash a person is known by in the request log,
// tickets and denuncias (and so in the weekly figures) instead of their
// address.
func (k *Keys) PersonHash(person Addressed) string { return k.Hash("person", person.HashInput()) }

// StaffHash is the keyed hash a staff member is known by in tickets and
// the audit log.
func (k *Keys) StaffHash(user Addressed) string { return k.Hash("staff", user.HashInput()) }

// Check returns a value that identifies the data key without revealing it,
// stored beside encrypted data so a wrong key is refused at start instead of
// silently failing to open everything later.
func (k *Keys) Check() string {
	return k.check
}

// HashKey returns a copy of the key behind Hash. The store keeps it,
// sealed, so that keyed hashes survive a rotation of the data key: a hash
// cannot be re-keyed (nobody knows the values behind it), so the hash key
// must not change when the encryption key does.
func (k *Keys) HashKey() []byte {
	return append([]byte(nil), k.hash...)
}

// WithHashKey returns a copy of k whose Hash uses hashKey (a HashKey kept
// from the data key the hashes were first made under). Sealing, opening
// and Check are unchanged.
func (k *Keys) WithHashKey(hashKey []byte) *Keys {
	c := *k
	c.hash = append([]byte(nil), hashKey...)
	c.keyMACs()
	return &c
}

// Seal encrypts and authenticates plain. aad binds the ciphertext to its
// place (a table and row, a Redis key) so it cannot be moved elsewhere.
func (k *Keys) Seal(plain, aad []byte) []byte {
	out := make([]byte, 1+len(k.id), 1+len(k.id)+k.aead.NonceSize()+len(plain)+k.aead.Overhead())
	out[0] = sealVersion
	copy(out[1:], k.id[:])
	nonce := make([]byte, k.aead.NonceSize())
	if _, err := rand.Read(nonce); err != nil {
		panic(err)
	}
	out = append(out, nonce...)
	return k.aead.Seal(out, nonce, plain, aad)
}

// Open reverses Seal, trying older keys for data sealed before a rotation.
func (k *Keys) Open(sealed, aad []byte) ([]byte, error) {
	head := 1 + len(k.id)
	if len(sealed) < head+k.aead.NonceSize()+k.aead.Overhead() || sealed[0] != sealVersion {
		return nil, ErrOpen
	}
	for _, c := range append([]*Keys{k}, k.older...) {
		if !hmac.Equal(sealed[1:head], c.id[:]) {
			continue
		}
		ns := c.aead.NonceSize()
		plain, err := c.aead.Open(nil, sealed[head:head+ns], sealed[head+ns:], aad)
		if err != nil {
			return nil, ErrOpen
		}
		return plain, nil
	}
	return nil, ErrOpen
}

// SealedBy reports whether sealed was sealed under k itself (not an older
// key), so a rekey can skip what is already current.
func (k *Keys) SealedBy(sealed []byte) bool {
	return len(sealed) > 1+len(k.id) && sealed[0] == sealVersion && hmac.Equal(sealed[1:1+len(k.id)], k.id[:])
}

// SealString seals text and returns it base64-encoded, for TEXT columns.
func (k *Keys) SealString(plain, aad string) string {
	return base64.RawStdEncoding.EncodeToString(k.Seal([]byte(plain), []byte(aad)))
}

// OpenString reverses SealString.
func (k *Keys) OpenString(sealed, aad string) (string, error) {
	raw, err := base64.RawStdEncoding.DecodeString(sealed)
	if err != nil {
		return "", ErrOpen
	}
	plain, err := k.Open(raw, []byte(aad))
	return string(plain), err
}

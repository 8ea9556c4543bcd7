// Package pagetoken makes opaque page tokens: a small payload, bound to the
// request it continues and signed with a server secret, so a client can
// neither forge a position nor carry a token over to another query.
//
// Layout before base64url (no padding):
//
//	version(1) | payload | binding(8) | mac(16)
//
// where binding is the first bytes of SHA-256 of the request's binding string
// and mac is HMAC-SHA-256 over everything before it, truncated.
package pagetoken

import (
	"crypto/hmac"
	"crypto/sha256"
	"crypto/subtle"
	"encoding/base64"
	"errors"
	"fmt"
	"hash"
	"sync"
)

const (
	version    = 1
	bindingLen = 8
	macLen     = 16
	// MaxLen bounds accepted tokens; real ones are far shorter.
	MaxLen = 512
)

// Errors returned by Open. Both mean the token must be refused with 400.
var (
	ErrInvalid  = errors.New("page token is invalid")
	ErrMismatch = errors.New("page token does not match the request")
)

// Codec signs and opens tokens with one secret. Replicas share the secret so
// a token issued by one is accepted by all.
type Codec struct {
	pool sync.Pool // of hash.Hash (HMAC)
}

// New returns a Codec for secret, which should be at least 32 random bytes.
func New(secret []byte) (*Codec, error) {
	if len(secret) < 16 {
		return nil, fmt.Errorf("pagetoken: secret of %d bytes is too short", len(secret))
	}
	key := append([]byte(nil), secret...)
	c := &Codec{}
	c.pool.New = func() any { return hmac.New(sha256.New, key) }
	return c, nil
}

func bind(binding string) [sha256.Size]byte { return sha256.Sum256([]byte(binding)) }

// Seal returns a token carrying payload, bound to binding.
func (c *Codec) Seal(payload []byte, binding string) string {
	b := bind(binding)
	buf := make([]byte, 0, 1+len(payload)+bindingLen+macLen)
	buf = append(buf, version)
	buf = append(buf, payload...)
	buf = append(buf, b[:bindingLen]...)
	buf = append(buf, c.mac(buf)...)
	return base64.RawURLEncoding.EncodeToString(buf)
}

// Open checks token and returns its payload. It fails with ErrInvalid for a
// token this server did not issue and ErrMismatch for one issued for another
// binding.
func (c *Codec) Open(token, binding string) ([]byte, error) {
	if len(token) > MaxLen {
		return nil, ErrInvalid
	}
	raw, err := base64.RawURLEncoding.DecodeString(token)
	if err != nil || len(raw) < 1+bindingLen+macLen || raw[0] != version {
		return nil, ErrInvalid
	}
	// The decoder skips CR/LF and ignores stray low bits in the last
	// character; only the exact string the server issued is a token.
	if base64.RawURLEncoding.EncodeToString(raw) != token {
		return nil, ErrInvalid
	}
	body, mac := raw[:len(raw)-macLen], raw[len(raw)-macLen:]
	if subtle.ConstantTimeCompare(mac, c.mac(body)) != 1 {
		return nil, ErrInvalid
	}
	b := bind(binding)
	if subtle.ConstantTimeCompare(body[len(body)-bindingLen:], b[:bindingLen]) != 1 {
		return nil, ErrMismatch
	}
	return body[1 : len(body)-bindingLen], nil
}

func (c *Codec) mac(data []byte) []byte {
	h := c.pool.Get().(hash.Hash)
	defer c.pool.Put(h)
	h.Reset()
	h.Write(data)
	return h.Sum(nil)[:macLen]
}

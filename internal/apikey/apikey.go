// Package apikey defines Open Cloud API keys: their secrets, hashes, scopes
// and IP allow lists. Only the SHA-256 of a secret is ever stored.
package apikey

import (
	"crypto/rand"
	"crypto/sha256"
	"encoding/base64"
	"fmt"
	"net/netip"
	"slices"
	"strings"
	"time"
	"unicode/utf8"
)

// Scopes known to invcloud. Scope strings are "<resource>:<operation>".
const (
	ScopeInventoryRead = "user.inventory-item:read"
	ScopeGroupRead     = "group:read"
	ScopeGroupWrite    = "group:write"
	// The Open Cloud User resource's optional scopes (spec 27): the
	// verification status, and the social network links.
	ScopeUserAdvancedRead = "user.advanced:read"
	ScopeUserSocialRead   = "user.social:read"
)

// KnownScopes lists the scopes a key may carry.
var KnownScopes = []string{ScopeInventoryRead, ScopeGroupRead, ScopeGroupWrite, ScopeUserAdvancedRead, ScopeUserSocialRead}

// Hash is the SHA-256 of a secret.
type Hash [sha256.Size]byte

// HashSecret returns the stored form of secret.
func HashSecret(secret string) Hash { return sha256.Sum256([]byte(secret)) }

// NewSecret returns a fresh random secret: 36 random bytes as 48 characters
// of base64url, the length of the key in Roblox's own examples.
func NewSecret() (string, error) {
	b := make([]byte, 36)
	if _, err := rand.Read(b); err != nil {
		return "", fmt.Errorf("generate api key: %w", err)
	}
	return base64.RawURLEncoding.EncodeToString(b), nil
}

// Key is a stored API key.
type Key struct {
	ID       int64
	OwnerID  int64 // the user the key acts for
	Name     string
	Hash     Hash
	Scopes   []string
	AllowIPs []netip.Prefix // empty: any address
	Expires  time.Time      // zero: never
	Enabled  bool
	Created  time.Time
	LastUsed time.Time // zero: never used
}

// HasScope reports whether k carries scope.
func (k Key) HasScope(scope string) bool { return slices.Contains(k.Scopes, scope) }

// Expired reports whether k has expired at now.
func (k Key) Expired(now time.Time) bool { return !k.Expires.IsZero() && !now.Before(k.Expires) }

// Allows reports whether k may be used from addr.
func (k Key) Allows(addr netip.Addr) bool {
	if len(k.AllowIPs) == 0 {
		return true
	}
	addr = addr.Unmap()
	for _, p := range k.AllowIPs {
		if p.Contains(addr) {
			return true
		}
	}
	return false
}

// ParseScope validates a scope string.
func ParseScope(s string) (string, error) {
	if slices.Contains(KnownScopes, s) {
		return s, nil
	}
	return "", fmt.Errorf("unknown scope %q (known: %s)", s, strings.Join(KnownScopes, ", "))
}

// ParsePrefix accepts a plain IP address or a CIDR, as the Creator Dashboard does.
func ParsePrefix(s string) (netip.Prefix, error) {
	if strings.Contains(s, "/") {
		p, err := netip.ParsePrefix(s)
		if err != nil {
			return netip.Prefix{}, fmt.Errorf("invalid CIDR %q: %w", s, err)
		}
		return p.Masked(), nil
	}
	a, err := netip.ParseAddr(s)
	if err != nil {
		return netip.Prefix{}, fmt.Errorf("invalid IP address %q: %w", s, err)
	}
	a = a.Unmap()
	return netip.PrefixFrom(a, a.BitLen()), nil
}

// Limits of a key's name and allow list, the same on every face that creates
// keys (the web form, the CLI).
const (
	MaxNameLength = 50 // characters
	MaxAllowIPs   = 50
	// MaxPerUser bounds one user's keys: each is a stored row anyone
	// signed in can add (Roblox publishes no number; docs/compat.md).
	MaxPerUser = 100
)

// ValidName returns nil if name is a usable key name: 1 to MaxNameLength
// characters. Callers trim surrounding space first.
func ValidName(name string) error {
	if name == "" || utf8.RuneCountInString(name) > MaxNameLength {
		return fmt.Errorf("a key name has 1 to %d characters", MaxNameLength)
	}
	return nil
}

package apikey

import (
	"net/netip"
	"strings"
	"testing"
	"time"
)

func TestParsePrefix(t *testing.T) {
	for _, tt := range []struct {
		in, want string
		ok       bool
	}{
		{"203.0.113.7", "203.0.113.7/32", true},
		{"192.168.0.0/24", "192.168.0.0/24", true},
		{"192.168.0.77/24", "192.168.0.0/24", true}, // masked, as stored
		{"::1", "::1/128", true},
		{"::ffff:10.0.0.1", "10.0.0.1/32", true},
		{"2001:db8::/32", "2001:db8::/32", true},
		{"10.0.0.1/33", "", false},
		{"not-an-ip", "", false},
		{"", "", false},
	} {
		p, err := ParsePrefix(tt.in)
		if (err == nil) != tt.ok || (tt.ok && p.String() != tt.want) {
			t.Errorf("ParsePrefix(%q) = %v, %v; want %s ok=%v", tt.in, p, err, tt.want, tt.ok)
		}
	}
}

func TestKeyRules(t *testing.T) {
	now := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
	k := Key{Scopes: []string{ScopeInventoryRead}, AllowIPs: []netip.Prefix{netip.MustParsePrefix("192.0.2.0/24")}}
	if !k.HasScope(ScopeInventoryRead) || k.HasScope(ScopeGroupRead) {
		t.Error("HasScope")
	}
	for addr, want := range map[string]bool{"192.0.2.9": true, "::ffff:192.0.2.9": true, "198.51.100.1": false} {
		if got := k.Allows(netip.MustParseAddr(addr)); got != want {
			t.Errorf("Allows(%s) = %v", addr, got)
		}
	}
	if !(Key{}).Allows(netip.MustParseAddr("198.51.100.1")) {
		t.Error("an empty allow list must accept any address")
	}
	if (Key{}).Expired(now) {
		t.Error("a key without expiry expired")
	}
	if !(Key{Expires: now}).Expired(now) || (Key{Expires: now.Add(time.Second)}).Expired(now) {
		t.Error("expiry is at the instant")
	}
	if _, err := ParseScope("universe:write"); err == nil {
		t.Error("unknown scope accepted")
	}
	a, _ := NewSecret()
	b, _ := NewSecret()
	if len(a) != 48 || a == b || HashSecret(a) == HashSecret(b) {
		t.Errorf("secrets %q %q", a, b)
	}
}

func TestValidName(t *testing.T) {
	for _, tt := range []struct {
		name string
		ok   bool
	}{
		{"ci", true},
		{"x", true},
		{strings.Repeat("a", 50), true},
		{strings.Repeat("é", 50), true}, // characters, not bytes
		{"", false},
		{strings.Repeat("a", 51), false},
	} {
		err := ValidName(tt.name)
		if (err == nil) != tt.ok {
			t.Errorf("ValidName(%q) = %v, want ok %v", tt.name, err, tt.ok)
		}
		if err != nil && err.Error() != "a key name has 1 to 50 characters" {
			t.Errorf("ValidName(%q) error %q", tt.name, err)
		}
	}
}

package account

import (
	"strings"
	"testing"
	"time"
)

func TestPasswords(t *testing.T) {
	h, err := HashPassword("correct horse")
	if err != nil {
		t.Fatal(err)
	}
	for _, tt := range []struct {
		hash, pw string
		want     bool
	}{
		{h, "correct horse", true},
		{h, "correct horsE", false},
		{h, "", false},
		{"", "correct horse", false},
	} {
		if got := CheckPassword(tt.hash, tt.pw); got != tt.want {
			t.Errorf("CheckPassword(%q, %q) = %v", tt.hash, tt.pw, got)
		}
	}
	if _, err := HashPassword("short"); err == nil {
		t.Error("short password accepted")
	}
	if _, err := HashPassword(strings.Repeat("x", 73)); err == nil {
		t.Error("over-long password accepted")
	}
}

func TestSessionToken(t *testing.T) {
	c1, h1, err := NewSessionToken()
	if err != nil {
		t.Fatal(err)
	}
	c2, h2, _ := NewSessionToken()
	if c1 == c2 || h1 == h2 {
		t.Fatal("tokens repeat")
	}
	if !strings.HasPrefix(c1, CookiePrefix) {
		t.Fatalf("cookie %q lacks the warning prefix", c1)
	}
	if HashSessionToken(c1) != h1 || HashSessionToken(strings.TrimPrefix(c1, CookiePrefix)) != h1 {
		t.Error("hash depends on the prefix")
	}
	if HashSessionToken(c1+"0") == h1 {
		t.Error("hash ignores a changed token")
	}
}

func TestThrottle(t *testing.T) {
	now := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
	th := NewThrottle(func() time.Time { return now })
	for i := range accountBurst {
		if ok, _ := th.Allow("alice", "198.51.100.1"); !ok {
			t.Fatalf("attempt %d refused", i)
		}
	}
	ok, wait := th.Allow("alice", "198.51.100.2") // another address, same account
	if ok || wait <= 0 || wait > accountEvery {
		t.Fatalf("6th attempt on one account: ok=%v wait=%v", ok, wait)
	}
	if ok, _ := th.Allow("bob", "198.51.100.1"); !ok {
		t.Fatal("another account refused")
	}
	now = now.Add(accountEvery)
	if ok, _ := th.Allow("alice", "198.51.100.1"); !ok {
		t.Fatal("not allowed again after the interval")
	}
	// One address, many accounts.
	th = NewThrottle(func() time.Time { return now })
	for i := range addrBurst {
		if ok, _ := th.Allow("user"+string(rune('a'+i)), "203.0.113.9"); !ok {
			t.Fatalf("address attempt %d refused", i)
		}
	}
	if ok, _ := th.Allow("fresh", "203.0.113.9"); ok {
		t.Fatal("address budget not enforced")
	}
	// Success forgives the account but not the address.
	th = NewThrottle(func() time.Time { return now })
	for range accountBurst {
		th.Allow("carol", "192.0.2.1")
	}
	th.Succeeded("carol")
	if ok, _ := th.Allow("carol", "192.0.2.1"); !ok {
		t.Fatal("success did not reset the account")
	}
}

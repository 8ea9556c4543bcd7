package account

import (
	"fmt"
	"runtime"
	"testing"
	"time"
)

// TestThrottleRefusedAddressCreatesNothing: an address out of budget is
// refused before any account entry is made, so it can't fill the table.
func TestThrottleRefusedAddressCreatesNothing(t *testing.T) {
	now := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
	th := NewThrottle(func() time.Time { return now })
	const addr = "203.0.113.9"
	for i := range addrBurst {
		if ok, _ := th.Allow(fmt.Sprintf("user%d", i), addr); !ok {
			t.Fatalf("attempt %d refused", i)
		}
	}
	for i := range 100 {
		if ok, wait := th.Allow(fmt.Sprintf("other%d", i), addr); ok || wait <= 0 || wait > addrEvery {
			t.Fatalf("refused-address attempt %d: ok=%v wait=%v", i, ok, wait)
		}
		if ok, _ := th.AllowAddress(addr); ok {
			t.Fatalf("AllowAddress %d allowed over budget", i)
		}
	}
	if a, d := th.Sizes(); a != addrBurst || d != 1 {
		t.Fatalf("sizes after refusals: accounts %d, addresses %d; want %d, 1", a, d, addrBurst)
	}
	// AllowAddress spends the address budget but makes no account entry.
	th = NewThrottle(func() time.Time { return now })
	for i := range addrBurst {
		if ok, _ := th.AllowAddress(addr); !ok {
			t.Fatalf("AllowAddress %d refused", i)
		}
	}
	if ok, _ := th.Allow("alice", addr); ok {
		t.Fatal("AllowAddress did not spend the address budget")
	}
	if a, _ := th.Sizes(); a != 0 {
		t.Fatalf("AllowAddress made %d account entries", a)
	}
}

// TestThrottleBounded drives the table-filling attack with unique valid
// names from unique addresses (each address's first attempt is allowed, the
// worst case) and checks both tables stay within ThrottleCapacity and the
// heap stays flat.
func TestThrottleBounded(t *testing.T) {
	const (
		attempts  = 4 * ThrottleCapacity
		heapBound = 16 << 20 // twice the tables' full size, with room for the runtime
	)
	now := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
	th := NewThrottle(func() time.Time { return now })
	var before runtime.MemStats
	runtime.GC()
	runtime.ReadMemStats(&before)
	for i := range attempts {
		name := fmt.Sprintf("u%019d", i) // 20 characters, the longest valid name
		addr := fmt.Sprintf("2001:db8:%x:%x::1", i>>16, i&0xffff)
		th.Allow(name, addr)
		if a, d := th.Sizes(); a > ThrottleCapacity || d > ThrottleCapacity {
			t.Fatalf("after %d attempts: %d accounts, %d addresses (capacity %d)", i+1, a, d, ThrottleCapacity)
		}
	}
	var after runtime.MemStats
	runtime.GC()
	runtime.ReadMemStats(&after)
	if grown := int64(after.HeapAlloc) - int64(before.HeapAlloc); grown > heapBound {
		t.Fatalf("heap grew %d bytes over %d attempts (bound %d)", grown, attempts, heapBound)
	}
	runtime.KeepAlive(th)
	if a, d := th.Sizes(); a != ThrottleCapacity || d != ThrottleCapacity {
		t.Fatalf("full tables: %d accounts, %d addresses", a, d)
	}
}

// TestThrottleEviction: the least recently seen entry goes first, idle
// entries (whose budget has refilled) are dropped without loss, and a
// spent account keeps its refusal while it is recent.
func TestThrottleEviction(t *testing.T) {
	now := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
	b := newBucketTable(3, accountEvery, accountBurst)
	for _, k := range []string{"a", "b", "c"} {
		b.get(k, now)
	}
	b.get("a", now) // a is now the most recent; b the least
	b.get("d", now)
	if _, ok := b.m["b"]; ok || len(b.m) != 3 {
		t.Fatalf("after eviction: %v", keys(b))
	}
	for _, k := range []string{"a", "c", "d"} {
		if _, ok := b.m[k]; !ok {
			t.Fatalf("%s evicted; table %v", k, keys(b))
		}
	}
	// Idle entries go as soon as anything new is added.
	now = now.Add(accountEvery * accountBurst)
	b.get("e", now)
	if len(b.m) != 1 {
		t.Fatalf("idle entries kept: %v", keys(b))
	}

	// A spent account stays refused however many other accounts one
	// address's budget lets in.
	th := NewThrottle(func() time.Time { return now })
	for range accountBurst {
		th.Allow("victim", "198.51.100.1")
	}
	for i := range addrBurst {
		th.Allow(fmt.Sprintf("filler%d", i), "198.51.100.2")
	}
	if ok, _ := th.Allow("victim", "198.51.100.3"); ok {
		t.Fatal("spent account allowed again")
	}
}

func keys(b *bucketTable) []string {
	var ks []string
	for el := b.order.Front(); el != nil; el = el.Next() {
		ks = append(ks, el.Value.(*bucket).key)
	}
	return ks
}

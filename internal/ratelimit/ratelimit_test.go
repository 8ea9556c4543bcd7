package ratelimit

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"testing"
	"time"
)

func TestParseMode(t *testing.T) {
	for _, tt := range []struct {
		in   string
		want float64
		ok   bool
	}{
		{"roblox", 1, true}, {"off", 0, true}, {"x10", 10, true}, {"x0.5", 0.5, true},
		{"x0", 0, false}, {"x-1", 0, false}, {"xInf", 0, false}, {"10", 0, false}, {"", 0, false},
	} {
		got, err := ParseMode(tt.in)
		if (err == nil) != tt.ok || got != tt.want {
			t.Errorf("ParseMode(%q) = %v, %v", tt.in, got, err)
		}
	}
}

// exercise takes n requests at one instant and counts the allowed ones.
func exercise(t *testing.T, lim Limiter, key string, l Limit, n int) (allowed int, last Result) {
	t.Helper()
	for range n {
		r, err := lim.Allow(context.Background(), key, l)
		if err != nil {
			t.Fatal(err)
		}
		if r.Allowed {
			allowed++
		}
		last = r
	}
	return allowed, last
}

func TestMemory(t *testing.T) {
	now := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
	m := NewMemory(func() time.Time { return now })
	l := Limit{Max: 100, Period: time.Minute}
	r, _ := m.Allow(context.Background(), "a", l)
	if !r.Allowed || r.Remaining != 99 || r.Reset != 600*time.Millisecond {
		t.Fatalf("first: %+v", r)
	}
	allowed, last := exercise(t, m, "a", l, 149)
	if allowed != 99 {
		t.Fatalf("allowed %d of the next 149, want 99", allowed)
	}
	if last.Allowed || last.Remaining != 0 || last.RetryAfter != 600*time.Millisecond || last.Reset != time.Minute {
		t.Fatalf("refused: %+v", last)
	}
	if r, _ := m.Allow(context.Background(), "b", l); !r.Allowed {
		t.Fatal("another key shares the bucket")
	}
	now = now.Add(600 * time.Millisecond)
	if allowed, _ := exercise(t, m, "a", l, 3); allowed != 1 {
		t.Fatalf("after one refill interval %d allowed, want 1", allowed)
	}
	now = now.Add(time.Minute)
	if allowed, _ := exercise(t, m, "a", l, 150); allowed != 100 {
		t.Fatalf("after a full period %d allowed, want 100", allowed)
	}
}

type failing struct{}

func (failing) Allow(context.Context, string, Limit) (Result, error) {
	return Result{}, errors.New("connection refused")
}

func TestQuotas(t *testing.T) {
	now := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
	log := slog.New(slog.DiscardHandler)
	q := New(NewMemory(func() time.Time { return now }), 1, false, log)
	ctx := context.Background()
	// API keys of one owner share a bucket; OAuth authorizations have their own, smaller ones.
	rejected := map[bool]int{}
	q.Rejected = func(p Policy, oauth bool) {
		if p.Name != InventoryItems.Name {
			t.Errorf("rejected policy %q", p.Name)
		}
		rejected[oauth]++
	}
	if n, _ := countTake(q, ctx, 7, "", 150); n != 100 || rejected[false] != 50 {
		t.Fatalf("key owner: %d allowed, %d rejections counted", n, rejected[false])
	}
	if n, _ := countTake(q, ctx, 7, "auth-1", 30); n != 20 || rejected[true] != 10 {
		t.Fatalf("oauth authorization: %d allowed, %d rejections counted", n, rejected[true])
	}
	if n, _ := countTake(q, ctx, 8, "", 1); n != 1 {
		t.Fatal("another owner was throttled")
	}
	// Scaled limits.
	q2 := New(NewMemory(func() time.Time { return now }), 0.5, false, log)
	if n, _ := countTake(q2, ctx, 7, "", 100); n != 50 {
		t.Fatalf("x0.5: %d allowed", n)
	}
	if New(nil, 0, false, log).Enabled() {
		t.Fatal("off is enabled")
	}
	// A failing store: open allows, closed refuses with ErrUnavailable.
	if r, err := New(failing{}, 1, true, log).Take(ctx, InventoryItems, 1, ""); err != nil || !r.Allowed {
		t.Fatalf("fail open: %+v %v", r, err)
	}
	if _, err := New(failing{}, 1, false, log).Take(ctx, InventoryItems, 1, ""); !errors.Is(err, ErrUnavailable) {
		t.Fatalf("fail closed: %v", err)
	}
}

func countTake(q *Quotas, ctx context.Context, owner int64, aid string, n int) (int, error) {
	allowed := 0
	for range n {
		r, err := q.Take(ctx, InventoryItems, owner, aid)
		if err != nil {
			return allowed, err
		}
		if r.Allowed {
			allowed++
		}
	}
	return allowed, nil
}

// TestMemoryBounded: a flood of distinct keys (client addresses) whose
// buckets are all in use never makes the map outgrow its capacity.
func TestMemoryBounded(t *testing.T) {
	at := time.Unix(1_700_000_000, 0)
	m := NewMemory(func() time.Time { return at })
	l := Limit{Max: 60, Period: time.Minute}
	for i := range memoryCapacity * 3 / 2 {
		if _, err := m.Allow(context.Background(), fmt.Sprintf("addr:%d", i), l); err != nil {
			t.Fatal(err)
		}
		if len(m.buckets) > memoryCapacity {
			t.Fatalf("after %d keys: %d buckets, capacity %d", i+1, len(m.buckets), memoryCapacity)
		}
	}
	// The newest key keeps its spent budget.
	r, _ := m.Allow(context.Background(), fmt.Sprintf("addr:%d", memoryCapacity*3/2-1), l)
	if r.Remaining != l.Max-2 {
		t.Errorf("newest key: %d remaining, want %d", r.Remaining, l.Max-2)
	}
}

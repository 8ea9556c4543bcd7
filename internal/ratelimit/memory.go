package ratelimit

import (
	"context"
	"math"
	"sync"
	"time"

	"golang.org/x/time/rate"
)

// Memory keeps buckets in this process: right for one server.
type Memory struct {
	mu      sync.Mutex
	buckets map[string]*rate.Limiter
	now     func() time.Time
}

// NewMemory returns an in-process limiter; now may be nil for time.Now.
func NewMemory(now func() time.Time) *Memory {
	if now == nil {
		now = time.Now
	}
	return &Memory{buckets: map[string]*rate.Limiter{}, now: now}
}

// Allow implements Limiter.
func (m *Memory) Allow(_ context.Context, key string, l Limit) (Result, error) {
	every := l.Period / time.Duration(l.Max)
	m.mu.Lock()
	defer m.mu.Unlock()
	now := m.now()
	b, ok := m.buckets[key]
	if !ok || b.Burst() != l.Max || b.Limit() != rate.Every(every) {
		if len(m.buckets) >= memoryCapacity {
			m.sweep(now)
		}
		b = rate.NewLimiter(rate.Every(every), l.Max)
		m.buckets[key] = b
	}
	res := Result{Limit: l}
	r := b.ReserveN(now, 1)
	if d := r.DelayFrom(now); d > 0 {
		r.CancelAt(now)
		res.RetryAfter = d
	} else {
		res.Allowed = true
	}
	tokens := b.TokensAt(now)
	res.Remaining = max(0, int(math.Floor(tokens)))
	res.Reset = time.Duration((float64(l.Max) - tokens) * float64(every))
	return res, nil
}

// memoryCapacity bounds the buckets kept: some keys are client addresses
// (users search), which anyone can make many of.
const memoryCapacity = 100_000

// sweep forgets full buckets: they hold no state worth keeping. If every
// bucket is in use, a tenth go, chosen at random (map order): under such a
// flood forgetting some spent budgets beats growing without bound.
func (m *Memory) sweep(now time.Time) {
	for k, b := range m.buckets {
		if b.TokensAt(now) >= float64(b.Burst()) {
			delete(m.buckets, k)
		}
	}
	for k := range m.buckets {
		if len(m.buckets) < memoryCapacity*9/10 {
			break
		}
		delete(m.buckets, k)
	}
}

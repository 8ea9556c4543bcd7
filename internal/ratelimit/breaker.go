package ratelimit

import (
	"context"
	"errors"
	"log/slog"
	"sync"
	"time"
)

// ErrCircuitOpen is what a call gets while the breaker holds the quota store
// off after a failure: no network round trip is attempted.
var ErrCircuitOpen = errors.New("quota store circuit open after a failure")

// Breaker pauses: after the backend fails, no call reaches it for a pause
// that doubles from minPause to maxPause while it stays down; once a pause
// is over, the next call starts one probe in the background and still fails
// fast, so no request waits on a dead backend for more than the first
// failure. A successful probe (or call) closes the breaker.
//
// It is a few lines of our own rather than sony/gobreaker: gobreaker has no
// growing pause and lets half-open probes through inline, on a request.
type Breaker struct {
	probe    func(context.Context) error
	log      *slog.Logger
	now      func() time.Time
	minPause time.Duration
	maxPause time.Duration
	probeTTL time.Duration

	mu      sync.Mutex
	open    bool
	until   time.Time
	pause   time.Duration
	probing bool
	probes  sync.WaitGroup // tests wait for a probe with it
}

// Pauses of the breaker: short enough that a restarted Redis is used again
// within seconds, long enough that a dead one costs nothing.
const (
	breakerMinPause = 100 * time.Millisecond
	breakerMaxPause = 5 * time.Second
	breakerProbeTTL = time.Second
)

// NewBreaker returns a closed breaker whose probe checks the backend (e.g.
// a Redis PING). log may be nil.
func NewBreaker(probe func(context.Context) error, log *slog.Logger) *Breaker {
	if log == nil {
		log = slog.New(slog.DiscardHandler)
	}
	return &Breaker{probe: probe, log: log, now: time.Now,
		minPause: breakerMinPause, maxPause: breakerMaxPause, probeTTL: breakerProbeTTL}
}

// Do runs call unless the breaker is open, in which case it returns
// ErrCircuitOpen at once (and may start a background probe).
func (b *Breaker) Do(ctx context.Context, call func(context.Context) error) error {
	if !b.allow(ctx) {
		return ErrCircuitOpen
	}
	err := call(ctx)
	b.record(ctx, err)
	return err
}

func (b *Breaker) allow(ctx context.Context) bool {
	b.mu.Lock()
	defer b.mu.Unlock()
	if !b.open {
		return true
	}
	if !b.probing && !b.now().Before(b.until) {
		// One probe at a time, detached from the request that started it
		// (which has its answer already) but bounded in time.
		b.probing = true
		b.probes.Add(1)
		pctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), b.probeTTL)
		go func() {
			defer b.probes.Done()
			defer cancel()
			err := b.probe(pctx)
			b.mu.Lock()
			defer b.mu.Unlock()
			b.probing = false
			if err == nil {
				b.closeLocked(pctx)
				return
			}
			b.pause = min(2*b.pause, b.maxPause)
			b.until = b.now().Add(b.pause)
			b.log.DebugContext(pctx, "quota store still down", "retry_in", b.pause, "err", err)
		}()
	}
	return false
}

// record updates the state after a call went through.
func (b *Breaker) record(ctx context.Context, err error) {
	// A request its client abandoned says nothing about the backend.
	if err != nil && ctx.Err() != nil {
		return
	}
	b.mu.Lock()
	defer b.mu.Unlock()
	switch {
	case err == nil:
		b.closeLocked(ctx)
	case !b.open:
		b.open, b.pause = true, b.minPause
		b.until = b.now().Add(b.pause)
		b.log.WarnContext(ctx, "quota store failed: not calling it until a background probe succeeds", "retry_in", b.pause, "err", err)
	}
}

func (b *Breaker) closeLocked(ctx context.Context) {
	if b.open {
		b.open = false
		b.log.InfoContext(ctx, "quota store answers again")
	}
}

// Fail opens the breaker as a failed call would (e.g. a failed ping at start).
func (b *Breaker) Fail(ctx context.Context, err error) { b.record(ctx, err) }

// Package ratelimit enforces Open Cloud's published quotas: per endpoint,
// counted per API key owner (across all of the owner's keys) or per OAuth
// authorization. Limits are GCRA buckets: a burst of the full limit, refilled
// evenly over the period. Buckets live in memory by default, or in Redis so
// every replica shares one budget.
package ratelimit

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"math"
	"strconv"
	"strings"
	"time"
)

// Limit is Max requests per Period.
type Limit struct {
	Max    int
	Period time.Duration
}

// Policy is an endpoint's published limits (x-roblox-rate-limits).
type Policy struct {
	Name        string // bucket namespace, e.g. "inventory-items"
	PerKeyOwner Limit
	PerOAuth    Limit
}

// InventoryItems is the policy of ListInventoryItems (spec 1.1).
var InventoryItems = Policy{
	Name:        "inventory-items",
	PerKeyOwner: Limit{Max: 100, Period: time.Minute},
	PerOAuth:    Limit{Max: 20, Period: time.Minute},
}

// Result is the outcome of taking one request from a bucket.
type Result struct {
	Allowed    bool
	Limit      Limit
	Remaining  int
	Reset      time.Duration // until the bucket is full again
	RetryAfter time.Duration // when refused: until one request fits
}

// Limiter takes one request from a bucket.
type Limiter interface {
	Allow(ctx context.Context, key string, l Limit) (Result, error)
}

// ErrUnavailable means the limiter's backing store failed and the quota
// could not be checked (with fail-closed).
var ErrUnavailable = errors.New("quota store unavailable")

// Quotas applies policies with a limiter.
type Quotas struct {
	lim      Limiter
	scale    float64 // 0: quotas off
	failOpen bool
	log      *slog.Logger
	// Rejected, if set, is told of every refused request (for metrics).
	Rejected func(p Policy, oauth bool)
}

// ParseMode reads --rate-limits: "roblox" (published limits), "off", or
// "xN" (published limits times N, e.g. x10 or x0.5).
func ParseMode(s string) (float64, error) {
	switch {
	case s == "roblox":
		return 1, nil
	case s == "off":
		return 0, nil
	case strings.HasPrefix(s, "x"):
		f, err := strconv.ParseFloat(s[1:], 64)
		if err == nil && f > 0 && !math.IsInf(f, 0) {
			return f, nil
		}
	}
	return 0, fmt.Errorf("invalid rate limit mode %q: want roblox, off or xN", s)
}

// New returns Quotas over lim with limits scaled by scale (0 disables them).
// failOpen decides what happens when lim fails: allow (and log) or refuse.
func New(lim Limiter, scale float64, failOpen bool, log *slog.Logger) *Quotas {
	if log == nil {
		log = slog.New(slog.DiscardHandler)
	}
	if l, ok := lim.(interface{ useLog(*slog.Logger) }); ok {
		l.useLog(log)
	}
	return &Quotas{lim: lim, scale: scale, failOpen: failOpen, log: log}
}

// checkTimeout bounds Check's ping.
const checkTimeout = time.Second

// Check pings the limiter's backing store, if it has one (Redis), and logs
// a warning when it does not answer, saying what quotas will do meanwhile.
// serve calls it once at start; requests do not wait on a store that failed
// it (the breaker is opened).
func (q *Quotas) Check(ctx context.Context) error {
	p, ok := q.lim.(interface{ Ping(context.Context) error })
	if !q.Enabled() || !ok {
		return nil
	}
	ctx, cancel := context.WithTimeout(ctx, checkTimeout)
	defer cancel()
	if err := p.Ping(ctx); err != nil {
		then := "refused with 503 UNAVAILABLE (--quota-fail closed)"
		if q.failOpen {
			then = "allowed unchecked (--quota-fail open)"
		}
		q.log.WarnContext(ctx, "quota store does not answer: requests are "+then+" until it does", "err", err)
		return fmt.Errorf("quota store: %w", err)
	}
	return nil
}

// Enabled reports whether quotas are enforced.
func (q *Quotas) Enabled() bool { return q != nil && q.scale > 0 }

// Take charges one request of policy p to the API key owner ownerID, or to
// the OAuth authorization authorizationID when it is not empty. It returns
// ErrUnavailable when the limiter fails and quotas fail closed.
func (q *Quotas) Take(ctx context.Context, p Policy, ownerID int64, authorizationID string) (Result, error) {
	l, key := p.PerKeyOwner, p.Name+":owner:"+strconv.FormatInt(ownerID, 10)
	if authorizationID != "" {
		l, key = p.PerOAuth, p.Name+":oauth:"+authorizationID
	}
	l.Max = max(1, int(math.Round(float64(l.Max)*q.scale)))
	res, err := q.lim.Allow(ctx, key, l)
	if err != nil {
		// While the breaker is open every request lands here: it logged
		// the failure once already.
		lvl := slog.LevelError
		if errors.Is(err, ErrCircuitOpen) {
			lvl = slog.LevelDebug
		}
		q.log.Log(ctx, lvl, "quota check failed", "key", key, "fail_open", q.failOpen, "err", err)
		if q.failOpen {
			return Result{Allowed: true, Limit: l, Remaining: l.Max}, nil
		}
		return Result{}, fmt.Errorf("%w: %w", ErrUnavailable, err)
	}
	if !res.Allowed && q.Rejected != nil {
		q.Rejected(p, authorizationID != "")
	}
	return res, nil
}

package account

import (
	"sync"
	"time"

	"golang.org/x/time/rate"
)

// Throttle limits sign-in attempts per account and per client address, so
// passwords can't be guessed at speed from one place or against one user.
type Throttle struct {
	mu       sync.Mutex
	accounts map[string]*entry
	addrs    map[string]*entry
	now      func() time.Time
}

type entry struct {
	lim  *rate.Limiter
	seen time.Time
}

// Sign-in budgets: a burst, then one attempt per interval.
const (
	accountBurst = 5
	accountEvery = time.Minute
	addrBurst    = 20
	addrEvery    = 3 * time.Second
	forgetAfter  = time.Hour
)

// NewThrottle returns a Throttle; now may be nil for time.Now.
func NewThrottle(now func() time.Time) *Throttle {
	if now == nil {
		now = time.Now
	}
	return &Throttle{accounts: map[string]*entry{}, addrs: map[string]*entry{}, now: now}
}

// Allow reports whether a sign-in attempt for account from addr may
// proceed, and if not, how long to wait. An allowed attempt spends budget.
func (t *Throttle) Allow(account, addr string) (bool, time.Duration) {
	t.mu.Lock()
	defer t.mu.Unlock()
	now := t.now()
	t.sweep(now)
	a := t.get(t.accounts, account, accountEvery, accountBurst, now)
	b := t.get(t.addrs, addr, addrEvery, addrBurst, now)
	ra, rb := a.ReserveN(now, 1), b.ReserveN(now, 1)
	wait := max(ra.DelayFrom(now), rb.DelayFrom(now))
	if wait > 0 {
		ra.CancelAt(now)
		rb.CancelAt(now)
		return false, wait
	}
	return true, 0
}

// Succeeded forgives an account's spent attempts after a good sign-in.
func (t *Throttle) Succeeded(account string) {
	t.mu.Lock()
	defer t.mu.Unlock()
	delete(t.accounts, account)
}

func (t *Throttle) get(m map[string]*entry, key string, every time.Duration, burst int, now time.Time) *rate.Limiter {
	e, ok := m[key]
	if !ok {
		e = &entry{lim: rate.NewLimiter(rate.Every(every), burst)}
		m[key] = e
	}
	e.seen = now
	return e.lim
}

// sweep drops idle entries so the maps stay small.
func (t *Throttle) sweep(now time.Time) {
	if len(t.accounts)+len(t.addrs) < 10_000 {
		return
	}
	for _, m := range []map[string]*entry{t.accounts, t.addrs} {
		for k, e := range m {
			if now.Sub(e.seen) > forgetAfter {
				delete(m, k)
			}
		}
	}
}

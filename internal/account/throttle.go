package account

import (
	"container/list"
	"sync"
	"time"

	"golang.org/x/time/rate"
)

// Throttle limits sign-in attempts per account and per client address, so
// passwords can't be guessed at speed from one place or against one user.
//
// Both tables are bounded (ThrottleCapacity entries each), so no stream of
// made-up names or addresses can grow them: an entry that has been idle
// long enough to refill its whole budget is dropped (it is then the same as
// a fresh one), and when a table is still full the least recently seen
// entry is evicted.
type Throttle struct {
	mu       sync.Mutex
	accounts *bucketTable
	addrs    *bucketTable
	now      func() time.Time
}

// Sign-in budgets: a burst, then one attempt per interval.
const (
	accountBurst = 5
	accountEvery = time.Minute
	addrBurst    = 20
	addrEvery    = 3 * time.Second
)

// ThrottleCapacity is the most entries each of the throttle's two tables
// (accounts, addresses) holds. An entry costs about 250 bytes (a key of at
// most MaxUsernameLength bytes or an address, a limiter, a list element and
// its map slot), so both tables together stay under about 10 MB.
const ThrottleCapacity = 16_384

// NewThrottle returns a Throttle; now may be nil for time.Now.
func NewThrottle(now func() time.Time) *Throttle {
	if now == nil {
		now = time.Now
	}
	return &Throttle{
		accounts: newBucketTable(ThrottleCapacity, accountEvery, accountBurst),
		addrs:    newBucketTable(ThrottleCapacity, addrEvery, addrBurst),
		now:      now,
	}
}

// Allow reports whether a sign-in attempt for account from addr may
// proceed, and if not, how long to wait. An allowed attempt spends budget
// on both. The address is checked first: an address out of budget creates
// no account entry, so it can't fill the account table.
func (t *Throttle) Allow(account, addr string) (bool, time.Duration) {
	t.mu.Lock()
	defer t.mu.Unlock()
	now := t.now()
	rb := t.addrs.get(addr, now).ReserveN(now, 1)
	if d := rb.DelayFrom(now); d > 0 {
		rb.CancelAt(now)
		return false, d
	}
	ra := t.accounts.get(account, now).ReserveN(now, 1)
	if d := ra.DelayFrom(now); d > 0 {
		ra.CancelAt(now)
		rb.CancelAt(now)
		return false, d
	}
	return true, 0
}

// AllowAddress is Allow for an attempt that names no valid account (a
// malformed username): it spends only the address's budget, so such
// attempts can't be made at speed either, and creates no account entry.
func (t *Throttle) AllowAddress(addr string) (bool, time.Duration) {
	t.mu.Lock()
	defer t.mu.Unlock()
	now := t.now()
	r := t.addrs.get(addr, now).ReserveN(now, 1)
	if d := r.DelayFrom(now); d > 0 {
		r.CancelAt(now)
		return false, d
	}
	return true, 0
}

// Succeeded forgives an account's spent attempts after a good sign-in.
func (t *Throttle) Succeeded(account string) {
	t.mu.Lock()
	defer t.mu.Unlock()
	t.accounts.remove(account)
}

// Sizes returns how many accounts and addresses the throttle holds.
func (t *Throttle) Sizes() (accounts, addrs int) {
	t.mu.Lock()
	defer t.mu.Unlock()
	return len(t.accounts.m), len(t.addrs.m)
}

// bucketTable is a bounded map of rate limiters, most recently seen first.
type bucketTable struct {
	capacity int
	every    time.Duration
	burst    int
	idle     time.Duration // after this long untouched, a bucket is full again
	m        map[string]*list.Element
	order    list.List // of *bucket, front = most recently seen
}

type bucket struct {
	key  string
	lim  *rate.Limiter
	seen time.Time
}

func newBucketTable(capacity int, every time.Duration, burst int) *bucketTable {
	return &bucketTable{capacity: capacity, every: every, burst: burst,
		idle: every * time.Duration(burst), m: make(map[string]*list.Element)}
}

// get returns key's limiter, creating it if needed, and marks it seen.
func (b *bucketTable) get(key string, now time.Time) *rate.Limiter {
	if el, ok := b.m[key]; ok {
		e := el.Value.(*bucket)
		e.seen = now
		b.order.MoveToFront(el)
		return e.lim
	}
	b.expire(now)
	if len(b.m) >= b.capacity {
		// Still full of live entries: evict the least recently seen. This
		// forgives that key's spent attempts, the price of a bounded table.
		b.remove(b.order.Back().Value.(*bucket).key)
	}
	e := &bucket{key: key, lim: rate.NewLimiter(rate.Every(b.every), b.burst), seen: now}
	b.m[key] = b.order.PushFront(e)
	return e.lim
}

// expire drops, oldest first, the entries idle long enough to have refilled
// their whole burst: forgetting them changes no answer. Each entry is
// dropped once, so the work is bounded by what was added.
func (b *bucketTable) expire(now time.Time) {
	for el := b.order.Back(); el != nil; el = b.order.Back() {
		e := el.Value.(*bucket)
		if now.Sub(e.seen) < b.idle {
			return
		}
		b.order.Remove(el)
		delete(b.m, e.key)
	}
}

func (b *bucketTable) remove(key string) {
	if el, ok := b.m[key]; ok {
		b.order.Remove(el)
		delete(b.m, key)
	}
}

package ratelimit

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/redis/go-redis/v9"

	"github.com/invcloud/invcloud/internal/testsvc"
)

// clock is a hand-advanced time source.
type clock struct {
	mu sync.Mutex
	t  time.Time
}

func (c *clock) now() time.Time { c.mu.Lock(); defer c.mu.Unlock(); return c.t }
func (c *clock) add(d time.Duration) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.t = c.t.Add(d)
}

func TestBreaker(t *testing.T) {
	ctx := context.Background()
	clk := &clock{t: time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)}
	var probeErr atomic.Pointer[error]
	down := errors.New("connection refused")
	probeErr.Store(&down)
	var probes atomic.Int32
	b := NewBreaker(func(context.Context) error { probes.Add(1); return *probeErr.Load() }, nil)
	b.now = clk.now
	calls := 0
	callErr := error(nil)
	call := func(context.Context) error { calls++; return callErr }
	// step advances the clock, makes one call and waits for any probe it started.
	step := func(advance time.Duration) error {
		clk.add(advance)
		err := b.Do(ctx, call)
		b.probes.Wait()
		return err
	}

	if err := step(0); err != nil || calls != 1 {
		t.Fatalf("closed: err %v, %d calls", err, calls)
	}
	callErr = down
	if err := step(0); !errors.Is(err, down) || calls != 2 {
		t.Fatalf("first failure: err %v, %d calls", err, calls)
	}
	for range 1000 {
		if err := b.Do(ctx, call); !errors.Is(err, ErrCircuitOpen) {
			t.Fatalf("open: %v", err)
		}
	}
	if calls != 2 || probes.Load() != 0 {
		t.Fatalf("open breaker called the backend: %d calls, %d probes", calls, probes.Load())
	}
	// Each pause ends with one background probe; failed probes double the pause.
	for i, tc := range []struct {
		advance time.Duration
		probes  int32
	}{
		{99 * time.Millisecond, 0}, {time.Millisecond, 1}, // first pause: 100 ms
		{199 * time.Millisecond, 1}, {time.Millisecond, 2}, // then 200 ms
		{399 * time.Millisecond, 2}, {time.Millisecond, 3}, // then 400 ms
	} {
		if err := step(tc.advance); !errors.Is(err, ErrCircuitOpen) || probes.Load() != tc.probes || calls != 2 {
			t.Fatalf("step %d: err %v, %d probes (want %d), %d calls", i, err, probes.Load(), tc.probes, calls)
		}
	}
	// The pause stops growing at maxPause.
	for range 20 {
		step(b.maxPause)
	}
	if b.pause != b.maxPause || calls != 2 {
		t.Fatalf("pause %v, want %v; %d calls", b.pause, b.maxPause, calls)
	}
	// A probe that succeeds closes the breaker: the next call goes through.
	var ok error
	probeErr.Store(&ok)
	if err := step(b.maxPause); !errors.Is(err, ErrCircuitOpen) {
		t.Fatalf("probing call: %v", err)
	}
	callErr = nil
	if err := step(0); err != nil || calls != 3 {
		t.Fatalf("after recovery: err %v, %d calls", err, calls)
	}
	// A call its client abandoned does not open the breaker.
	cctx, cancel := context.WithCancel(ctx)
	cancel()
	if err := b.Do(cctx, func(context.Context) error { return context.Canceled }); !errors.Is(err, context.Canceled) || b.open {
		t.Fatalf("cancelled call: %v, open %v", err, b.open)
	}
}

// deadRedis returns a Redis limiter on a loopback port nothing listens on,
// with the fail-fast options serve uses, and a count of dial attempts.
func deadRedis(t *testing.T) (*Redis, *atomic.Int32, *clock) {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	addr := ln.Addr().String()
	ln.Close()
	dials := &atomic.Int32{}
	opt := &redis.Options{Addr: addr, Dialer: func(ctx context.Context, network, addr string) (net.Conn, error) {
		dials.Add(1)
		var d net.Dialer
		return d.DialContext(ctx, network, addr)
	}}
	FailFast(opt)
	client := redis.NewClient(opt)
	t.Cleanup(func() { client.Close() })
	r := NewRedis(client)
	clk := &clock{t: time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)}
	r.br.now = clk.now
	return r, dials, clk
}

// TestRedisDownFailsFast checks that once Redis failed, further requests do
// not touch the network (so they cost what they cost with quotas off), in
// both failure modes, until the pause ends and a background probe dials.
func TestRedisDownFailsFast(t *testing.T) {
	ctx := context.Background()
	for _, failOpen := range []bool{true, false} {
		r, dials, clk := deadRedis(t)
		q := New(r, 1, failOpen, slog.New(slog.DiscardHandler))
		check := func(res Result, err error) {
			t.Helper()
			if failOpen && (err != nil || !res.Allowed) {
				t.Fatalf("fail open: %+v %v", res, err)
			}
			if !failOpen && !errors.Is(err, ErrUnavailable) {
				t.Fatalf("fail closed: %v", err)
			}
		}
		check(q.Take(ctx, InventoryItems, 1, ""))
		first := dials.Load()
		if first == 0 || first > 2 {
			t.Fatalf("first call dialled %d times, want 1 or 2 (FailFast: one dial, one retry)", first)
		}
		for range 1000 {
			check(q.Take(ctx, InventoryItems, 1, ""))
		}
		if n := dials.Load(); n != first {
			t.Fatalf("fail open %v: 1000 calls after the failure dialled %d more times, want 0", failOpen, n-first)
		}
		// After the pause, one request starts one background probe.
		clk.add(breakerMinPause)
		for range 100 {
			check(q.Take(ctx, InventoryItems, 1, ""))
		}
		r.br.probes.Wait()
		if n := dials.Load() - first; n < 1 || n > 2 {
			t.Fatalf("fail open %v: the probe dialled %d times, want 1 or 2", failOpen, n)
		}
	}
}

// TestCheck checks the start-up ping: a dead Redis is logged as a warning
// naming the failure mode, and opens the breaker so the first requests do
// not wait on it either.
func TestCheck(t *testing.T) {
	ctx := context.Background()
	for _, tc := range []struct {
		failOpen bool
		want     string
	}{
		{true, "requests are allowed unchecked (--quota-fail open)"},
		{false, "requests are refused with 503 UNAVAILABLE (--quota-fail closed)"},
	} {
		r, dials, _ := deadRedis(t)
		var buf bytes.Buffer
		q := New(r, 1, tc.failOpen, slog.New(slog.NewTextHandler(&buf, nil)))
		if err := q.Check(ctx); err == nil {
			t.Fatal("Check of a dead Redis succeeded")
		}
		if !strings.Contains(buf.String(), "level=WARN") || !strings.Contains(buf.String(), tc.want) {
			t.Errorf("log %q lacks a warning with %q", buf.String(), tc.want)
		}
		n := dials.Load()
		q.Take(ctx, InventoryItems, 1, "")
		if dials.Load() != n {
			t.Errorf("a request after a failed Check dialled")
		}
	}
	// No backing store, or quotas off: nothing to check.
	if err := New(NewMemory(nil), 1, true, nil).Check(ctx); err != nil {
		t.Fatal(err)
	}
	r, dials, _ := deadRedis(t)
	if err := New(r, 0, true, nil).Check(ctx); err != nil || dials.Load() != 0 {
		t.Fatalf("quotas off: %v, %d dials", err, dials.Load())
	}
}

// TestRedisLive runs the quota through a real Redis behind the breaker.
func TestRedisLive(t *testing.T) {
	url := testsvc.Redis(t)
	opt, err := redis.ParseURL(url)
	if err != nil {
		t.Fatal(err)
	}
	FailFast(opt)
	client := redis.NewClient(opt)
	defer client.Close()
	ctx := context.Background()
	q := New(NewRedis(client), 1, false, nil)
	if err := q.Check(ctx); err != nil {
		t.Fatal(err)
	}
	p := Policy{Name: fmt.Sprintf("test-%d", time.Now().UnixNano()), PerKeyOwner: Limit{Max: 5, Period: time.Minute}}
	allowed := 0
	for range 8 {
		res, err := q.Take(ctx, p, 1, "")
		if err != nil {
			t.Fatal(err)
		}
		if res.Allowed {
			allowed++
		}
	}
	if allowed != 5 {
		t.Fatalf("%d of 8 allowed, want 5", allowed)
	}
}

// proxy forwards loopback connections to a real Redis, and can be stopped
// (dropping every connection) and started again on the same port: an
// outage the test controls without touching the shared Redis.
type proxy struct {
	t      *testing.T
	addr   string // its own address
	target string
	mu     sync.Mutex
	ln     net.Listener
	conns  []net.Conn
}

func (p *proxy) start() {
	p.t.Helper()
	ln, err := net.Listen("tcp", p.addr)
	if err != nil {
		p.t.Fatal(err)
	}
	p.addr = ln.Addr().String()
	p.mu.Lock()
	p.ln = ln
	p.mu.Unlock()
	go func() {
		for {
			c, err := ln.Accept()
			if err != nil {
				return
			}
			u, err := net.Dial("tcp", p.target)
			if err != nil {
				c.Close()
				continue
			}
			p.mu.Lock()
			p.conns = append(p.conns, c, u)
			p.mu.Unlock()
			go func() { io.Copy(u, c); u.Close() }()
			go func() { io.Copy(c, u); c.Close() }()
		}
	}()
}

func (p *proxy) stop() {
	p.mu.Lock()
	defer p.mu.Unlock()
	p.ln.Close()
	for _, c := range p.conns {
		c.Close()
	}
	p.conns = nil
}

// TestRedisRecovers: Redis goes away and comes back; quotas fail closed at
// once meanwhile and are enforced again after the next probe, by
// themselves.
func TestRedisRecovers(t *testing.T) {
	opt, err := redis.ParseURL(testsvc.Redis(t))
	if err != nil {
		t.Fatal(err)
	}
	p := &proxy{t: t, addr: "127.0.0.1:0", target: opt.Addr}
	p.start()
	defer p.stop()
	opt.Addr = p.addr
	FailFast(opt)
	client := redis.NewClient(opt)
	defer client.Close()
	r := NewRedis(client)
	clk := &clock{t: time.Now()}
	r.br.now = clk.now
	q := New(r, 1, false, nil)
	ctx := context.Background()
	pol := Policy{Name: fmt.Sprintf("test-%d", time.Now().UnixNano()), PerKeyOwner: Limit{Max: 1000, Period: time.Minute}}
	take := func() error { _, err := q.Take(ctx, pol, 1, ""); return err }
	if err := take(); err != nil {
		t.Fatal(err)
	}
	p.stop()
	if err := take(); !errors.Is(err, ErrUnavailable) {
		t.Fatalf("Redis gone: %v", err)
	}
	if err := take(); !errors.Is(err, ErrCircuitOpen) {
		t.Fatalf("Redis gone, breaker open: %v", err)
	}
	p.start()
	if err := take(); !errors.Is(err, ErrCircuitOpen) {
		t.Fatalf("Redis back, before the pause ends: %v", err)
	}
	clk.add(breakerMinPause)
	take() // starts the probe
	r.br.probes.Wait()
	if err := take(); err != nil {
		t.Fatalf("after a successful probe: %v", err)
	}
}

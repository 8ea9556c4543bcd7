package main

import (
	"context"
	"fmt"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/invcloud/invcloud/internal/demo"
	"github.com/invcloud/invcloud/internal/testsvc"
)

// privateRedis runs a redis-server of the test's own on port, so the test
// can kill it without touching the machine's shared one.
type privateRedis struct {
	t    *testing.T
	port int
	cmd  *exec.Cmd
}

func (r *privateRedis) start() {
	r.t.Helper()
	r.cmd = exec.Command("redis-server", "--port", fmt.Sprint(r.port), "--bind", "127.0.0.1", "--save", "", "--appendonly", "no")
	if err := r.cmd.Start(); err != nil {
		r.t.Fatal(err)
	}
	waitTCP(r.t, r.port)
}

func (r *privateRedis) kill() {
	r.cmd.Process.Kill()
	r.cmd.Wait()
}

// privatePostgres is a throwaway PostgreSQL cluster of the test's own,
// run as the postgres user (the server refuses root).
type privatePostgres struct {
	t    *testing.T
	bin  string
	dir  string
	port int
}

func (p *privatePostgres) pgctl(args ...string) {
	p.t.Helper()
	cmd := exec.Command("runuser", append([]string{"-u", "postgres", "--", filepath.Join(p.bin, "pg_ctl"), "-D", p.dir}, args...)...)
	if out, err := cmd.CombinedOutput(); err != nil {
		p.t.Fatalf("pg_ctl %v: %v\n%s", args, err, out)
	}
}

func (p *privatePostgres) start() {
	p.pgctl("-w", "-l", p.dir+"/log", "-o", fmt.Sprintf("-p %d -k %s -c listen_addresses=127.0.0.1 -c fsync=off", p.port, p.dir), "start")
}

func (p *privatePostgres) kill() { p.pgctl("-m", "immediate", "stop") }

func newPrivatePostgres(t *testing.T) *privatePostgres {
	t.Helper()
	bins, _ := filepath.Glob("/usr/lib/postgresql/*/bin")
	if len(bins) == 0 {
		t.Skip("no PostgreSQL server binaries")
	}
	dir, err := os.MkdirTemp("", "invcloud-pg-")
	if err != nil {
		t.Fatal(err)
	}
	os.Chmod(dir, 0o777)
	p := &privatePostgres{t: t, bin: bins[len(bins)-1], dir: filepath.Join(dir, "data"), port: freePort(t)}
	cmd := exec.Command("runuser", "-u", "postgres", "--", filepath.Join(p.bin, "initdb"), "-A", "trust", "-U", "postgres", "-D", p.dir)
	if out, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("initdb: %v\n%s", err, out)
	}
	p.start()
	t.Cleanup(func() {
		exec.Command("runuser", "-u", "postgres", "--", filepath.Join(p.bin, "pg_ctl"), "-D", p.dir, "-m", "immediate", "stop").Run()
		os.RemoveAll(dir)
	})
	return p
}

func waitTCP(t *testing.T, port int) {
	t.Helper()
	deadline := time.Now().Add(10 * time.Second)
	for {
		c, err := (&netDialer).Dial("tcp", fmt.Sprintf("127.0.0.1:%d", port))
		if err == nil {
			c.Close()
			return
		}
		if time.Now().After(deadline) {
			t.Fatalf("port %d never opened", port)
		}
		time.Sleep(20 * time.Millisecond)
	}
}

// TestOutages kills Redis, then PostgreSQL, under load: the servers answer
// 503 UNAVAILABLE (or fail open for quotas, as configured), never crash,
// and recover by themselves when the services return.
func TestOutages(t *testing.T) {
	testsvc.Postgres(t) // same skip/fail rule as the other service tests
	testsvc.Redis(t)
	if _, err := exec.LookPath("redis-server"); err != nil {
		t.Skip("no redis-server binary")
	}
	pg := newPrivatePostgres(t)
	rd := &privateRedis{t: t, port: freePort(t)}
	rd.start()
	t.Cleanup(rd.kill)
	dsn := fmt.Sprintf("postgres://postgres@127.0.0.1:%d/postgres?sslmode=disable", pg.port)
	redisURL := fmt.Sprintf("redis://127.0.0.1:%d/0", rd.port)
	run(t, "demo", "load", "--db", dsn)
	closed, closedCmd := serve(t, "--db", dsn, "--redis", redisURL, "--quota-fail", "closed", "--rate-limits", "x1000")
	open, openCmd := serve(t, "--db", dsn, "--redis", redisURL, "--quota-fail", "open", "--rate-limits", "x1000")
	target := fmt.Sprintf("/cloud/v2/users/%d/inventory-items?filter=assetIds=1028595", demo.GuideUser)
	key := demo.Keys[0].Secret

	// Load: a few loops per server for the whole test, counting statuses per phase.
	type tally struct {
		mu     sync.Mutex
		counts map[string]int // "server status"
		bodies map[string]string
	}
	var phase atomic.Pointer[tally]
	newTally := func() *tally { return &tally{counts: map[string]int{}, bodies: map[string]string{}} }
	phase.Store(newTally())
	ctx, stop := context.WithCancel(context.Background())
	var wg sync.WaitGroup
	for _, srv := range []struct{ name, base string }{{"closed", closed}, {"open", open}} {
		for range 3 {
			wg.Add(1)
			go func() {
				defer wg.Done()
				for ctx.Err() == nil {
					rctx, cancel := context.WithTimeout(ctx, 5*time.Second)
					st, _, body, err := get(rctx, srv.base+target, key)
					cancel()
					if ctx.Err() != nil {
						return
					}
					k := srv.name + " " + fmt.Sprint(st)
					if err != nil {
						k = srv.name + " error"
					}
					tl := phase.Load()
					tl.mu.Lock()
					tl.counts[k]++
					tl.bodies[k] = body
					tl.mu.Unlock()
					time.Sleep(5 * time.Millisecond)
				}
			}()
		}
	}
	defer func() { stop(); wg.Wait() }()
	observe := func(d time.Duration) *tally {
		phase.Store(newTally())
		time.Sleep(d)
		return phase.Swap(newTally())
	}
	// waitFor polls until both servers answer 200 again.
	waitFor := func(what string) {
		t.Helper()
		deadline := time.Now().Add(30 * time.Second)
		for time.Now().Before(deadline) {
			tl := observe(300 * time.Millisecond)
			tl.mu.Lock()
			ok := tl.counts["closed 200"] > 0 && tl.counts["open 200"] > 0 && len(tl.counts) == 2
			tl.mu.Unlock()
			if ok {
				return
			}
		}
		t.Fatalf("did not recover after %s", what)
	}
	const unavailable = `{"code":"UNAVAILABLE","message":"The service is currently unavailable."}`

	waitFor("start")

	rd.kill()
	tl := observe(2 * time.Second)
	if tl.counts["closed 503"] == 0 || tl.bodies["closed 503"] != unavailable || tl.counts["closed 200"] > 3 {
		t.Errorf("Redis down, fail closed: %v %q", tl.counts, tl.bodies["closed 503"])
	}
	if tl.counts["open 200"] == 0 || tl.counts["open 503"] > 0 {
		t.Errorf("Redis down, fail open: %v", tl.counts)
	}
	if st, _, body, _ := get(context.Background(), closed+"/readyz", ""); st != http.StatusServiceUnavailable || !strings.Contains(body, "redis") {
		t.Errorf("readyz with Redis down: %d %q", st, body)
	}
	rd.start()
	waitFor("Redis returned")

	pg.kill()
	tl = observe(3 * time.Second)
	for _, srv := range []string{"closed", "open"} {
		if tl.counts[srv+" 503"] == 0 || tl.bodies[srv+" 503"] != unavailable || tl.counts[srv+" 500"] > 0 || tl.counts[srv+" error"] > 0 {
			t.Errorf("PostgreSQL down, %s: %v %q", srv, tl.counts, tl.bodies[srv+" 503"])
		}
	}
	pg.start()
	waitFor("PostgreSQL returned")

	for name, cmd := range map[string]*exec.Cmd{"closed": closedCmd, "open": openCmd} {
		if !alive(cmd) {
			t.Errorf("server %s exited", name)
		}
	}
}

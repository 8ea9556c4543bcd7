package server_test

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/invcloud/invcloud/internal/account"
	"github.com/invcloud/invcloud/internal/demo"
	"github.com/invcloud/invcloud/internal/metrics"
	"github.com/invcloud/invcloud/internal/server"
)

func newServer(t testing.TB) http.Handler {
	t.Helper()
	ctx := context.Background()
	s, err := server.OpenStore(ctx, "sqlite:"+filepath.Join(t.TempDir(), "s.db"))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { s.Close() })
	if err := demo.Load(ctx, s, time.Now()); err != nil {
		t.Fatal(err)
	}
	h, err := server.New(ctx, server.Config{Store: s, Log: slog.New(slog.DiscardHandler)})
	if err != nil {
		t.Fatal(err)
	}
	return h
}

func TestRoutes(t *testing.T) {
	h := newServer(t)
	for _, tc := range []struct {
		method, path string
		status       int
		body         string
	}{
		{"GET", "/healthz", 200, "ok\n"},
		{"GET", "/cloud/v2/nope", 404, `{"errors":[{"code":0,"message":"NotFound"}]}`},
		{"GET", "/cloud/v2/users/11111111111/inventory-items", 401, `{"errors":[{"code":0,"message":"Invalid API Key"}]}`},
	} {
		w := httptest.NewRecorder()
		h.ServeHTTP(w, httptest.NewRequest(tc.method, tc.path, nil))
		if w.Code != tc.status || w.Body.String() != tc.body {
			t.Errorf("%s %s = %d %q, want %d %q", tc.method, tc.path, w.Code, w.Body, tc.status, tc.body)
		}
		if w.Header().Get("x-request-id") == "" {
			t.Errorf("%s %s: no x-request-id", tc.method, tc.path)
		}
	}
}

func TestOpenStoreRejectsUnknownScheme(t *testing.T) {
	_, err := server.OpenStore(context.Background(), "mysql://localhost/x")
	if err == nil || !strings.Contains(err.Error(), "unsupported database") {
		t.Fatalf("err = %v", err)
	}
}

// TestGracefulShutdown checks an in-flight request finishes after the stop.
func TestGracefulShutdown(t *testing.T) {
	release := make(chan struct{})
	started := make(chan struct{})
	h := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		close(started)
		<-release
		io.WriteString(w, "done")
	})
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	served := make(chan error, 1)
	go func() { served <- server.Serve(ctx, ln, h, slog.New(slog.DiscardHandler), 5*time.Second) }()
	got := make(chan string, 1)
	go func() {
		resp, err := http.Get("http://" + ln.Addr().String() + "/")
		if err != nil {
			got <- err.Error()
			return
		}
		b, _ := io.ReadAll(resp.Body)
		resp.Body.Close()
		got <- string(b)
	}()
	<-started
	cancel()
	time.Sleep(50 * time.Millisecond) // let Shutdown begin
	close(release)
	if body := <-got; body != "done" {
		t.Fatalf("in-flight request got %q", body)
	}
	if err := <-served; err != nil {
		t.Fatalf("Serve: %v", err)
	}
}

// BenchmarkOwnershipCheckHTTP measures the whole handler chain (auth,
// filter, store, JSON) for the guide's 3-id ownership check, without the
// network.
func BenchmarkOwnershipCheckHTTP(b *testing.B) {
	h := newServer(b)
	req := httptest.NewRequest("GET", "/cloud/v2/users/11111111111/inventory-items?filter=assetIds=62724852,1028595,4773588762", nil)
	req.Header.Set("x-api-key", demo.Keys[0].Secret)
	b.ReportAllocs()
	for b.Loop() {
		w := httptest.NewRecorder()
		h.ServeHTTP(w, req)
		if w.Code != 200 {
			b.Fatal(w.Code, w.Body)
		}
	}
}

func TestReadyzAndMetrics(t *testing.T) {
	ctx := context.Background()
	s, err := server.OpenStore(ctx, "sqlite:"+filepath.Join(t.TempDir(), "m.db"))
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	redisUp := true
	h, err := server.New(ctx, server.Config{Store: s, Metrics: metrics.New(), Ready: map[string]func(context.Context) error{
		"redis": func(context.Context) error {
			if !redisUp {
				return errors.New("connection refused")
			}
			return nil
		},
	}})
	if err != nil {
		t.Fatal(err)
	}
	get := func(path string) *httptest.ResponseRecorder {
		w := httptest.NewRecorder()
		h.ServeHTTP(w, httptest.NewRequest("GET", path, nil))
		return w
	}
	if w := get("/readyz"); w.Code != 200 || w.Body.String() != "ready\nredis: ok\nstore: ok\n" {
		t.Fatalf("readyz: %d %q", w.Code, w.Body)
	}
	redisUp = false
	if w := get("/readyz"); w.Code != 503 || w.Body.String() != "unavailable: redis\nredis: error\nstore: ok\n" {
		t.Fatalf("readyz with redis down: %d %q", w.Code, w.Body)
	}
	get("/cloud/v2/users/1/inventory-items")
	body := get("/metrics").Body.String()
	for _, want := range []string{
		`invcloud_http_requests_total{method="GET",route="GET /cloud/v2/users/{user_id}/inventory-items",status="401"} 1`,
		`invcloud_http_request_duration_seconds_bucket{route="GET /readyz",le=`,
		// The Go runtime and process collectors, on the server's registry.
		"\ngo_goroutines ", "\nprocess_resident_memory_bytes ",
	} {
		if !strings.Contains(body, want) {
			t.Errorf("metrics lack %q", want)
		}
	}
}

// BenchmarkOwnershipCheckHTTPParallel is the same check from many
// goroutines: it shows contention the serial benchmark hides.
func BenchmarkOwnershipCheckHTTPParallel(b *testing.B) {
	h := newServer(b)
	b.ReportAllocs()
	b.SetParallelism(32)
	b.RunParallel(func(pb *testing.PB) {
		for pb.Next() {
			req := httptest.NewRequest("GET", "/cloud/v2/users/11111111111/inventory-items?filter=assetIds=62724852,1028595,4773588762", nil)
			req.Header.Set("x-api-key", demo.Keys[0].Secret)
			w := httptest.NewRecorder()
			h.ServeHTTP(w, req)
			if w.Code != 200 {
				b.Fatal(w.Code, w.Body)
			}
		}
	})
}

// BenchmarkPage100HTTP is a full page of 100 items through the handler chain.
func BenchmarkPage100HTTP(b *testing.B) {
	h := newServer(b)
	req := httptest.NewRequest("GET", "/cloud/v2/users/11111111111/inventory-items?maxPageSize=100", nil)
	req.Header.Set("x-api-key", demo.Keys[0].Secret)
	b.ReportAllocs()
	for b.Loop() {
		w := httptest.NewRecorder()
		h.ServeHTTP(w, req)
		if w.Code != 200 {
			b.Fatal(w.Code, w.Body)
		}
	}
}

// TestReadyzOwnTimeouts: a dependency that hangs is reported as timing out
// on its own; the store, checked with a timeout of its own, is still ok.
// (With one shared deadline, Redis, checked first, used it all up and the
// store was blamed too.)
func TestReadyzOwnTimeouts(t *testing.T) {
	ctx := context.Background()
	s, err := server.OpenStore(ctx, "sqlite:"+filepath.Join(t.TempDir(), "r.db"))
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	hang := func(ctx context.Context) error { <-ctx.Done(); return ctx.Err() }
	for _, tc := range []struct {
		name   string
		ready  map[string]func(context.Context) error
		status int
		body   string
	}{
		{"redis hangs", map[string]func(context.Context) error{"redis": hang}, 503,
			"unavailable: redis\nredis: timeout\nstore: ok\n"},
		{"two hang", map[string]func(context.Context) error{"redis": hang, "cache": hang}, 503,
			"unavailable: cache, redis\ncache: timeout\nredis: timeout\nstore: ok\n"},
		{"redis refuses", map[string]func(context.Context) error{"redis": func(context.Context) error { return errors.New("dial tcp 10.0.0.5:6379: connection refused") }}, 503,
			"unavailable: redis\nredis: error\nstore: ok\n"},
		// A Redis that accepts connections and never answers: go-redis's own
		// read timeout fires before the check's deadline.
		{"redis read timeout", map[string]func(context.Context) error{"redis": func(context.Context) error {
			return &net.OpError{Op: "read", Net: "tcp", Err: os.ErrDeadlineExceeded}
		}}, 503, "unavailable: redis\nredis: timeout\nstore: ok\n"},
		{"store only", nil, 200, "ready\nstore: ok\n"},
	} {
		h, err := server.New(ctx, server.Config{Store: s, Ready: tc.ready, ReadyTimeout: 50 * time.Millisecond})
		if err != nil {
			t.Fatal(err)
		}
		w := httptest.NewRecorder()
		h.ServeHTTP(w, httptest.NewRequest("GET", "/readyz", nil))
		if w.Code != tc.status || w.Body.String() != tc.body {
			t.Errorf("%s: %d %q, want %d %q", tc.name, w.Code, w.Body, tc.status, tc.body)
		}
	}
}

// TestMetricsSeriesBounded drives the label-explosion attack through the
// whole handler: thousands of made-up methods and unknown paths must not
// make thousands of series.
func TestMetricsSeriesBounded(t *testing.T) {
	ctx := context.Background()
	s, err := server.OpenStore(ctx, "sqlite:"+filepath.Join(t.TempDir(), "m.db"))
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	m := metrics.New()
	h, err := server.New(ctx, server.Config{Store: s, Metrics: m})
	if err != nil {
		t.Fatal(err)
	}
	const n = 5000
	paths := []string{"/nope/%d", "/cloud/v2/users/%d/inventory-items", "/v1/users/%d/nope", "/healthz?x=%d", "/oauth/v%d"}
	for i := range n {
		r := httptest.NewRequest("GET", fmt.Sprintf(paths[i%len(paths)], i), nil)
		if i%2 == 0 {
			r.Method = fmt.Sprintf("M%d", i)
		}
		h.ServeHTTP(httptest.NewRecorder(), r)
	}
	families, err := m.Gatherer().Gather()
	if err != nil {
		t.Fatal(err)
	}
	// A handful of routes x {GET, OTHER} x a few statuses.
	const bound = 30
	seen := 0
	for _, f := range families {
		switch f.GetName() {
		case "invcloud_http_requests_total", "invcloud_http_request_duration_seconds":
			seen++
			if got := len(f.GetMetric()); got > bound {
				t.Errorf("%s: %d series after %d requests with made-up methods and paths, want <= %d", f.GetName(), got, n, bound)
			}
			for _, mt := range f.GetMetric() {
				for _, lp := range mt.GetLabel() {
					if v := lp.GetValue(); strings.HasPrefix(v, "M") || strings.Contains(v, "nope") {
						t.Errorf("%s has a client-chosen label %s=%q", f.GetName(), lp.GetName(), v)
					}
				}
			}
		}
	}
	if seen != 2 {
		t.Fatalf("found %d of the 2 request metric families", seen)
	}
}

// TestMaxHeaderBytes: an oversize URL or header is refused with 431 by the
// HTTP server itself, so no handler (and no store) ever sees it.
func TestMaxHeaderBytes(t *testing.T) {
	ctx := context.Background()
	s, err := server.OpenStore(ctx, "sqlite:"+filepath.Join(t.TempDir(), "h.db"))
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	if err := demo.Load(ctx, s, time.Now()); err != nil {
		t.Fatal(err)
	}
	h, err := server.New(ctx, server.Config{Store: s})
	if err != nil {
		t.Fatal(err)
	}
	var handled atomic.Int32
	counted := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { handled.Add(1); h.ServeHTTP(w, r) })
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	sctx, stop := context.WithCancel(ctx)
	served := make(chan error, 1)
	go func() { served <- server.Serve(sctx, ln, counted, slog.New(slog.DiscardHandler), time.Second) }()
	defer func() {
		stop()
		if err := <-served; err != nil {
			t.Errorf("Serve: %v", err)
		}
	}()
	base := "http://" + ln.Addr().String()
	big := strings.Repeat("a", 128<<10)
	for _, tc := range []struct {
		name    string
		url     string
		header  string
		status  int
		handled int32
	}{
		{"oversize state", base + "/oauth/v1/authorize?response_type=code&client_id=1&state=" + big, "", 431, 0},
		{"oversize header", base + "/healthz", big, 431, 0},
		{"8 KiB URL", base + "/healthz?x=" + big[:8<<10], "", 200, 1},
	} {
		handled.Store(0)
		req, _ := http.NewRequestWithContext(ctx, "GET", tc.url, nil)
		if tc.header != "" {
			req.Header.Set("X-Big", tc.header)
		}
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatalf("%s: %v", tc.name, err)
		}
		io.Copy(io.Discard, resp.Body)
		resp.Body.Close()
		if resp.StatusCode != tc.status || handled.Load() != tc.handled {
			t.Errorf("%s: %d, %d handler calls; want %d, %d", tc.name, resp.StatusCode, handled.Load(), tc.status, tc.handled)
		}
	}
}

// TestCancelledEverySurface sends requests whose client has gone away to
// each surface's store-backed endpoints: none is counted or logged by the
// middleware as a 5xx.
func TestCancelledEverySurface(t *testing.T) {
	ctx := context.Background()
	s, err := server.OpenStore(ctx, "sqlite:"+filepath.Join(t.TempDir(), "c.db"))
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	if err := demo.Load(ctx, s, time.Now()); err != nil {
		t.Fatal(err)
	}
	var buf bytes.Buffer
	m := metrics.New()
	h, err := server.New(ctx, server.Config{Store: s, Metrics: m,
		Log: slog.New(slog.NewTextHandler(&buf, &slog.HandlerOptions{Level: slog.LevelDebug}))})
	if err != nil {
		t.Fatal(err)
	}
	cctx, cancel := context.WithCancel(ctx)
	cancel()
	user := fmt.Sprint(demo.GuideUser)
	csrf := strings.Repeat("c", 43)
	for _, tc := range []struct{ surface, method, path, body, cookie string }{
		{"opencloud", "GET", "/cloud/v2/users/" + user + "/inventory-items", "", ""},
		{"opencloud", "POST", "/api-keys/v1/introspect", `{"apiKey":"` + demo.Keys[0].Secret + `"}`, ""},
		{"legacy", "GET", "/v1/users/" + user + "/assets/collectibles", "", ""},
		{"legacy", "GET", "/v1/users/" + user + "/items/GamePass/777777/is-owned", "", ""},
		{"legacy", "GET", "/v2/users/" + user + "/inventory?assetTypes=Hat", "", ""},
		{"web", "POST", "/login", "username=GuideUser&csrf_token=" + csrf + "&password=" + demo.Password, "invcloud_csrf=" + csrf},
		{"web", "GET", "/my/inventory", "", account.CookieName + "=" + strings.Repeat("s", 43)},
		{"oauth", "GET", "/oauth/v1/authorize?response_type=code&client_id=1&redirect_uri=http://x/&scope=openid", "", ""},
	} {
		buf.Reset()
		r := httptest.NewRequest(tc.method, tc.path, strings.NewReader(tc.body)).WithContext(cctx)
		if tc.method == "POST" {
			if strings.HasPrefix(tc.body, "{") {
				r.Header.Set("Content-Type", "application/json")
			} else {
				r.Header.Set("Content-Type", "application/x-www-form-urlencoded")
			}
		}
		r.Header.Set("x-api-key", demo.Keys[0].Secret)
		if tc.cookie != "" {
			r.Header.Set("Cookie", tc.cookie)
		}
		w := httptest.NewRecorder()
		h.ServeHTTP(w, r)
		line := ""
		for l := range strings.Lines(buf.String()) {
			if strings.Contains(l, "msg=request ") {
				line = l
			}
		}
		logged5xx := strings.Contains(line, " status=5")
		if line == "" || logged5xx || (w.Code >= 500 || w.Code == 499) && !strings.Contains(line, "level=DEBUG msg=request") {
			t.Errorf("%s %s %s: wrote %d, logged %q", tc.surface, tc.method, tc.path, w.Code, line)
		}
		t.Logf("%s %s: wrote %d; %s", tc.surface, tc.path, w.Code, strings.TrimSpace(line))
	}
	families, err := m.Gatherer().Gather()
	if err != nil {
		t.Fatal(err)
	}
	for _, f := range families {
		if f.GetName() != "invcloud_http_requests_total" {
			continue
		}
		for _, mt := range f.GetMetric() {
			for _, lp := range mt.GetLabel() {
				if lp.GetName() == "status" && strings.HasPrefix(lp.GetValue(), "5") {
					t.Errorf("a cancelled request was counted as %s: %v", lp.GetValue(), mt.GetLabel())
				}
			}
		}
	}
}

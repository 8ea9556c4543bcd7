package server_test

import (
	"context"
	"errors"
	"io"
	"log/slog"
	"net"
	"net/http"
	"net/http/httptest"
	"path/filepath"
	"strings"
	"testing"
	"time"

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
	if w := get("/readyz"); w.Code != 200 || w.Body.String() != "ready\n" {
		t.Fatalf("readyz: %d %q", w.Code, w.Body)
	}
	redisUp = false
	if w := get("/readyz"); w.Code != 503 || w.Body.String() != "unavailable: redis\n" {
		t.Fatalf("readyz with redis down: %d %q", w.Code, w.Body)
	}
	get("/cloud/v2/users/1/inventory-items")
	body := get("/metrics").Body.String()
	for _, want := range []string{
		`invcloud_http_requests_total{method="GET",route="GET /cloud/v2/users/{user_id}/inventory-items",status="401"} 1`,
		`invcloud_http_request_duration_seconds_bucket{route="GET /readyz",le=`,
		`go_goroutines`,
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

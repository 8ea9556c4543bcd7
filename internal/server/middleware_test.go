package server

import (
	"bytes"
	"context"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/invcloud/invcloud/internal/metrics"
)

// TestCancelledIs499: whatever a handler writes for a request whose client
// went away (some write 500 on their cancelled store call, some nothing),
// the request is counted and logged as 499 at debug, never as a 5xx; a
// response the handler completed keeps its status.
func TestCancelledIs499(t *testing.T) {
	for _, tc := range []struct {
		name      string
		cancelled bool
		write     int // 0: the handler writes nothing
		status    string
		level     string
	}{
		{"cancelled, 500", true, 500, "499", "DEBUG"},
		{"cancelled, 503", true, 503, "499", "DEBUG"},
		{"cancelled, 499", true, 499, "499", "DEBUG"},
		{"cancelled, nothing written", true, 0, "499", "DEBUG"},
		{"cancelled, 200 completed", true, 200, "200", "INFO"},
		{"cancelled, 404 completed", true, 404, "404", "INFO"},
		{"live, 500", false, 500, "500", "INFO"},
		{"live, nothing written", false, 0, "200", "INFO"},
	} {
		var buf bytes.Buffer
		log := slog.New(slog.NewTextHandler(&buf, &slog.HandlerOptions{Level: slog.LevelDebug}))
		m := metrics.New()
		mux := http.NewServeMux()
		mux.HandleFunc("GET /x", func(w http.ResponseWriter, r *http.Request) {
			if tc.write != 0 {
				w.WriteHeader(tc.write)
			}
		})
		ctx, cancel := context.WithCancel(context.Background())
		if tc.cancelled {
			cancel()
		}
		withLogging(log, m, mux).ServeHTTP(httptest.NewRecorder(), httptest.NewRequest("GET", "/x", nil).WithContext(ctx))
		cancel()
		if want := "level=" + tc.level + " msg=request"; !strings.Contains(buf.String(), want) || !strings.Contains(buf.String(), "status="+tc.status+" ") {
			t.Errorf("%s: log %q, want %q with status=%s", tc.name, buf.String(), want, tc.status)
		}
		w := httptest.NewRecorder()
		m.Handler().ServeHTTP(w, httptest.NewRequest("GET", "/metrics", nil))
		if want := `invcloud_http_requests_total{method="GET",route="GET /x",status="` + tc.status + `"} 1`; !strings.Contains(w.Body.String(), want) {
			t.Errorf("%s: metrics lack %s", tc.name, want)
		}
	}
}

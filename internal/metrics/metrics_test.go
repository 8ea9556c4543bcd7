package metrics

import (
	"io"
	"net/http"
	"net/http/httptest"
	"strconv"
	"strings"
	"testing"
	"time"
)

func TestMetrics(t *testing.T) {
	m := New()
	m.QuotaRejected("inventory-items", false)
	m.QuotaRejected("inventory-items", true)
	m.QuotaRejected("inventory-items", true)
	r := httptest.NewRequest("GET", "/x", nil)
	r.Pattern = "GET /x"
	m.Observe(r, 429, 3*time.Millisecond)
	var nilM *Metrics
	nilM.Observe(r, 200, time.Millisecond) // a nil Metrics records nothing, and does not panic

	w := httptest.NewRecorder()
	m.Handler().ServeHTTP(w, httptest.NewRequest("GET", "/metrics", nil))
	body, _ := io.ReadAll(w.Result().Body)
	if w.Code != http.StatusOK {
		t.Fatalf("status %d", w.Code)
	}
	for _, want := range []string{
		`invcloud_quota_rejections_total{policy="inventory-items",principal="api_key_owner"} 1`,
		`invcloud_quota_rejections_total{policy="inventory-items",principal="oauth_authorization"} 2`,
		`invcloud_http_requests_total{method="GET",route="GET /x",status="429"} 1`,
		`invcloud_http_request_duration_seconds_bucket{route="GET /x",le="0.005"} 1`,
		// The Go runtime and process collectors, on this registry, not the global one.
		"\ngo_goroutines ", "\nprocess_resident_memory_bytes ", "\nprocess_open_fds ",
	} {
		if !strings.Contains(string(body), want) {
			t.Errorf("metrics lack %q", want)
		}
	}
}

func TestMethodLabel(t *testing.T) {
	for _, tc := range []struct{ in, want string }{
		{"GET", "GET"}, {"HEAD", "HEAD"}, {"POST", "POST"}, {"PUT", "PUT"}, {"PATCH", "PATCH"},
		{"DELETE", "DELETE"}, {"OPTIONS", "OPTIONS"}, {"CONNECT", "CONNECT"}, {"TRACE", "TRACE"},
		{"get", "OTHER"}, {"PROPFIND", "OTHER"}, {"X1234", "OTHER"}, {"", "OTHER"},
	} {
		if got := Method(&http.Request{Method: tc.in}); got != tc.want {
			t.Errorf("Method(%q) = %q, want %q", tc.in, got, tc.want)
		}
	}
}

// TestLabelsBounded observes requests with made-up methods and no pattern:
// they share one series.
func TestLabelsBounded(t *testing.T) {
	m := New()
	for i := range 1000 {
		r := httptest.NewRequest("GET", "/x/"+strconv.Itoa(i), nil)
		r.Method = "M" + strconv.Itoa(i)
		m.Observe(r, 404, time.Millisecond)
	}
	w := httptest.NewRecorder()
	m.Handler().ServeHTTP(w, httptest.NewRequest("GET", "/metrics", nil))
	if want := `invcloud_http_requests_total{method="OTHER",route="unmatched",status="404"} 1000`; !strings.Contains(w.Body.String(), want) {
		t.Errorf("metrics lack %q", want)
	}
	if n := strings.Count(w.Body.String(), "invcloud_http_requests_total{"); n != 1 {
		t.Errorf("%d request series, want 1", n)
	}
}

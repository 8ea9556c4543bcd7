package metrics

import (
	"io"
	"net/http"
	"net/http/httptest"
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
	} {
		if !strings.Contains(string(body), want) {
			t.Errorf("metrics lack %q", want)
		}
	}
}

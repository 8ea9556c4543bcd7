// Package metrics exposes Prometheus metrics: requests by route and status,
// latency, quota rejections and store latency.
package metrics

import (
	"context"
	"net/http"
	"strconv"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/collectors"
	"github.com/prometheus/client_golang/prometheus/promhttp"

	"github.com/invcloud/invcloud/internal/apikey"
	"github.com/invcloud/invcloud/internal/inventory"
	"github.com/invcloud/invcloud/internal/store"
)

// Metrics is one registry of invcloud's metrics.
type Metrics struct {
	reg      *prometheus.Registry
	requests *prometheus.CounterVec
	latency  *prometheus.HistogramVec
	storeLat *prometheus.HistogramVec
	rejected *prometheus.CounterVec
}

// New returns a registry with Go runtime and process collectors.
func New() *Metrics {
	m := &Metrics{
		reg: prometheus.NewRegistry(),
		requests: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "invcloud_http_requests_total", Help: "HTTP requests by route pattern, method and status.",
		}, []string{"route", "method", "status"}),
		latency: prometheus.NewHistogramVec(prometheus.HistogramOpts{
			Name: "invcloud_http_request_duration_seconds", Help: "HTTP request latency by route pattern.",
			Buckets: []float64{.0005, .001, .0025, .005, .01, .025, .05, .1, .25, .5, 1, 2.5},
		}, []string{"route"}),
		storeLat: prometheus.NewHistogramVec(prometheus.HistogramOpts{
			Name: "invcloud_store_duration_seconds", Help: "Latency of hot-path store calls.",
			Buckets: []float64{.0001, .00025, .0005, .001, .0025, .005, .01, .025, .05, .1, .5},
		}, []string{"op"}),
	}
	m.rejected = prometheus.NewCounterVec(prometheus.CounterOpts{
		Name: "invcloud_quota_rejections_total", Help: "Requests refused with 429 by quota, by policy and principal kind.",
	}, []string{"policy", "principal"})
	m.reg.MustRegister(m.requests, m.latency, m.storeLat, m.rejected,
		collectors.NewGoCollector(), collectors.NewProcessCollector(collectors.ProcessCollectorOpts{}))
	return m
}

// Handler serves the metrics in the Prometheus text format.
func (m *Metrics) Handler() http.Handler { return promhttp.HandlerFor(m.reg, promhttp.HandlerOpts{}) }

// Gatherer is the registry, for tests that count series.
func (m *Metrics) Gatherer() prometheus.Gatherer { return m.reg }

// Method is the method label of r: the standard methods as sent, anything
// else "OTHER" (a client may send any token as a method; each would be a
// new series).
func Method(r *http.Request) string {
	switch r.Method {
	case http.MethodGet, http.MethodHead, http.MethodPost, http.MethodPut, http.MethodPatch,
		http.MethodDelete, http.MethodOptions, http.MethodConnect, http.MethodTrace:
		return r.Method
	}
	return "OTHER"
}

// Unmatched is the route label of a request no pattern served (e.g. a 405
// from the mux): never the raw path, which a client chooses.
const Unmatched = "unmatched"

// Observe records one served request by the mux pattern that served it
// (never the raw path or method, which would explode the label set). 429s
// are the quota rejections: route + status 429. A nil Metrics records
// nothing.
func (m *Metrics) Observe(r *http.Request, status int, d time.Duration) {
	if m == nil {
		return
	}
	route := r.Pattern
	if route == "" {
		route = Unmatched
	}
	m.requests.WithLabelValues(route, Method(r), strconv.Itoa(status)).Inc()
	m.latency.WithLabelValues(route).Observe(d.Seconds())
}

// QuotaRejected counts a request refused by the quota of policy.
func (m *Metrics) QuotaRejected(policy string, oauth bool) {
	kind := "api_key_owner"
	if oauth {
		kind = "oauth_authorization"
	}
	m.rejected.WithLabelValues(policy, kind).Inc()
}

// Store times the hot-path calls of s.
func (m *Metrics) Store(s store.Store) store.Store { return &timedStore{Store: s, h: m.storeLat} }

type timedStore struct {
	store.Store
	h *prometheus.HistogramVec
}

func (t *timedStore) observe(op string, start time.Time) {
	t.h.WithLabelValues(op).Observe(time.Since(start).Seconds())
}

func (t *timedStore) ListInventory(ctx context.Context, userID int64, q inventory.Query, after inventory.Position, limit int) ([]inventory.Item, error) {
	defer t.observe("list_inventory", time.Now())
	return t.Store.ListInventory(ctx, userID, q, after, limit)
}

func (t *timedStore) User(ctx context.Context, id int64) (inventory.User, error) {
	defer t.observe("user", time.Now())
	return t.Store.User(ctx, id)
}

func (t *timedStore) APIKeyByHash(ctx context.Context, h apikey.Hash) (apikey.Key, error) {
	defer t.observe("api_key_by_hash", time.Now())
	return t.Store.APIKeyByHash(ctx, h)
}

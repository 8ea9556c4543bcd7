package opencloud_test

import (
	"context"
	"errors"
	"log/slog"
	"net/http"
	"strconv"
	"testing"
	"time"

	"github.com/invcloud/invcloud/internal/auth"
	"github.com/invcloud/invcloud/internal/inventory"
	"github.com/invcloud/invcloud/internal/opencloud"
	"github.com/invcloud/invcloud/internal/pagetoken"
	"github.com/invcloud/invcloud/internal/ratelimit"
)

// quotaEnv is env with quotas on a fixed clock.
func quotaEnv(t *testing.T, lim ratelimit.Limiter, failOpen bool) *env {
	e := newEnv(t)
	tokens, _ := pagetoken.New([]byte("0123456789abcdef0123456789abcdef"))
	log := slog.New(slog.DiscardHandler)
	mux := http.NewServeMux()
	q := ratelimit.New(lim, 1, failOpen, log)
	opencloud.New(e.Lists, auth.New(e.Store, func() time.Time { return testNow }, log), tokens, log, opencloud.WithQuotas(q)).Register(mux)
	e.Handler = mux
	return e
}

func TestQuotaHeadersAnd429(t *testing.T) {
	e := quotaEnv(t, ratelimit.NewMemory(func() time.Time { return testNow }), false)
	e.user(1, inventory.VisibilityEveryone)
	e.user(2, inventory.VisibilityEveryone)
	k1, k2 := e.key(1, nil), e.key(1, nil) // one owner, two keys: one budget
	other := e.key(2, nil)
	var ok, limited int
	for i := range 150 {
		key := k1
		if i%2 == 1 {
			key = k2
		}
		resp := e.get("/cloud/v2/users/1/inventory-items", key)
		h := resp.Header
		if h.Get("x-ratelimit-limit") != "100, 100;w=60" {
			t.Fatalf("request %d: x-ratelimit-limit %q", i, h.Get("x-ratelimit-limit"))
		}
		switch resp.Status {
		case http.StatusOK:
			ok++
			if got := h.Get("x-ratelimit-remaining"); got != strconv.Itoa(100-ok) {
				t.Fatalf("request %d: remaining %q, want %d", i, got, 100-ok)
			}
			if h.Get("retry-after") != "" {
				t.Fatalf("retry-after on a 200")
			}
		case http.StatusTooManyRequests:
			limited++
			if h.Get("x-ratelimit-remaining") != "0" || h.Get("retry-after") != "1" || h.Get("x-ratelimit-reset") != "60" {
				t.Fatalf("429 headers: %v", h)
			}
			if string(resp.Body) != `{"code":"RESOURCE_EXHAUSTED","message":"Resource has been exhausted (e.g. check quota)."}` {
				t.Fatalf("429 body %s", resp.Body)
			}
		default:
			t.Fatalf("request %d: status %d", i, resp.Status)
		}
	}
	if ok != 100 || limited != 50 {
		t.Fatalf("%d ok, %d limited; want 100 and 50", ok, limited)
	}
	if resp := e.get("/cloud/v2/users/1/inventory-items", other); resp.Status != http.StatusOK {
		t.Fatalf("another owner: %d", resp.Status)
	}
	// Unauthenticated requests are not charged to anyone and carry no quota headers.
	if resp := e.get("/cloud/v2/users/1/inventory-items", "bad"); resp.Status != 401 || resp.Header.Get("x-ratelimit-limit") != "" {
		t.Fatalf("401: %d %v", resp.Status, resp.Header)
	}
}

type downLimiter struct{}

func (downLimiter) Allow(context.Context, string, ratelimit.Limit) (ratelimit.Result, error) {
	return ratelimit.Result{}, errors.New("dial tcp 127.0.0.1:6379: connection refused")
}

func TestQuotaStoreDown(t *testing.T) {
	for _, tt := range []struct {
		failOpen bool
		status   int
	}{{true, http.StatusOK}, {false, http.StatusServiceUnavailable}} {
		e := quotaEnv(t, downLimiter{}, tt.failOpen)
		e.user(1, inventory.VisibilityEveryone)
		resp := e.get("/cloud/v2/users/1/inventory-items", e.key(1, nil))
		if resp.Status != tt.status {
			t.Errorf("fail open %v: status %d, want %d (%s)", tt.failOpen, resp.Status, tt.status, resp.Body)
		}
		if !tt.failOpen && string(resp.Body) != `{"code":"UNAVAILABLE","message":"The service is currently unavailable."}` {
			t.Errorf("503 body %s", resp.Body)
		}
	}
}

func TestStoreDownIs503(t *testing.T) {
	e := newEnv(t)
	e.user(1, inventory.VisibilityEveryone)
	key := e.key(1, nil)
	e.Store.Close() // every query now fails, and so does Ping
	resp := e.get("/cloud/v2/users/1/inventory-items", key)
	if resp.Status != http.StatusServiceUnavailable || string(resp.Body) != `{"code":"UNAVAILABLE","message":"The service is currently unavailable."}` {
		t.Fatalf("store down: %d %s", resp.Status, resp.Body)
	}
}

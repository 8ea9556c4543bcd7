package web

import (
	"context"
	"fmt"
	"net/http"
	"net/http/httptest"
	"net/url"
	"path/filepath"
	"runtime"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/invcloud/invcloud/internal/demo"
	"github.com/invcloud/invcloud/internal/store"
	"github.com/invcloud/invcloud/internal/store/sqlite"
)

// countingStore counts credential look-ups, to show which sign-in attempts
// reach the store (and bcrypt after it).
type countingStore struct {
	store.Store
	creds atomic.Int64
}

func (c *countingStore) Credentials(ctx context.Context, name string) (int64, string, error) {
	c.creds.Add(1)
	return c.Store.Credentials(ctx, name)
}

func newTestSite(t *testing.T) (*Site, *countingStore, http.Handler) {
	t.Helper()
	ctx := context.Background()
	st, err := sqlite.Open(ctx, filepath.Join(t.TempDir(), "web.db"))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { st.Close() })
	if err := demo.Load(ctx, st, time.Now()); err != nil {
		t.Fatal(err)
	}
	cs := &countingStore{Store: st}
	// A stopped clock: throttle budgets don't refill while a test runs, so
	// counts of allowed attempts are exact.
	now := time.Now()
	s, err := New(Config{Store: cs, Now: func() time.Time { return now }})
	if err != nil {
		t.Fatal(err)
	}
	mux := http.NewServeMux()
	s.Register(mux)
	return s, cs, mux
}

const testCSRF = "0123456789abcdef0123456789abcdef0123456789a"

func loginRequest(remote, username, password string) *http.Request {
	body := url.Values{"csrf_token": {testCSRF}, "username": {username}, "password": {password}}.Encode()
	r := httptest.NewRequest("POST", "/login", strings.NewReader(body))
	r.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	r.AddCookie(&http.Cookie{Name: csrfCookie, Value: testCSRF})
	r.RemoteAddr = remote
	return r
}

// TestSignInFloodStaysFlat drives the attack of issue 8 item 1: unique
// 15 KB usernames from one address. Before the fix each attempt left a
// 15 KB account entry for an hour (20,000 attempts: ~300 MB); now a
// malformed name makes no account entry, never reaches the store, and the
// heap stays flat.
func TestSignInFloodStaysFlat(t *testing.T) {
	const (
		attempts  = 20_000
		heapBound = 16 << 20
	)
	s, cs, h := newTestSite(t)
	var before, after runtime.MemStats
	runtime.GC()
	runtime.ReadMemStats(&before)
	statuses := map[int]int{}
	pad := strings.Repeat("x", 15<<10)
	for i := range attempts {
		w := httptest.NewRecorder()
		h.ServeHTTP(w, loginRequest("198.51.100.7:4000", fmt.Sprintf("%d%s", i, pad), "not-the-password"))
		statuses[w.Code]++
	}
	runtime.GC()
	runtime.ReadMemStats(&after)
	if grown := int64(after.HeapAlloc) - int64(before.HeapAlloc); grown > heapBound {
		t.Errorf("heap grew %d bytes over %d attempts (bound %d)", grown, attempts, heapBound)
	}
	if a, d := s.throttle.Sizes(); a != 0 || d != 1 {
		t.Errorf("throttle holds %d accounts, %d addresses; want 0, 1", a, d)
	}
	if n := cs.creds.Load(); n != 0 {
		t.Errorf("malformed names reached the store %d times", n)
	}
	// The address budget was spent: a burst of 401s, then only 429s.
	if statuses[http.StatusUnauthorized] != 20 || statuses[http.StatusTooManyRequests] != attempts-20 {
		t.Errorf("statuses %v", statuses)
	}
}

func TestSignInChecks(t *testing.T) {
	for _, tc := range []struct {
		name           string
		username       string
		password       string
		status         int
		creds          int64 // store look-ups
		accounts       int   // throttle account entries after the attempt
		echoedUsername bool
	}{
		{"valid name, wrong password", "GuideUser", "not-the-password", http.StatusUnauthorized, 1, 1, true},
		{"valid name, right password", "GuideUser", demo.Password, http.StatusSeeOther, 1, 0, false},
		{"unknown valid name", "NoSuchUser", demo.Password, http.StatusUnauthorized, 1, 1, true},
		{"name with a space", "Guide User", demo.Password, http.StatusUnauthorized, 0, 0, true},
		{"two underscores", "a_b_c", demo.Password, http.StatusUnauthorized, 0, 0, true},
		{"too short", "ab", demo.Password, http.StatusUnauthorized, 0, 0, true},
		{"15 KB name", strings.Repeat("x", 15<<10), demo.Password, http.StatusUnauthorized, 0, 0, false},
		{"73-byte password", "GuideUser", strings.Repeat("p", 73), http.StatusUnauthorized, 0, 1, true},
		{"15 KB password", "GuideUser", strings.Repeat("p", 15<<10), http.StatusUnauthorized, 0, 1, true},
	} {
		t.Run(tc.name, func(t *testing.T) {
			s, cs, h := newTestSite(t)
			w := httptest.NewRecorder()
			h.ServeHTTP(w, loginRequest("192.0.2.1:5000", tc.username, tc.password))
			if w.Code != tc.status {
				t.Fatalf("status %d, want %d", w.Code, tc.status)
			}
			if w.Code == http.StatusUnauthorized && !strings.Contains(w.Body.String(), "Incorrect username or password.") {
				t.Error("not the usual wrong-credentials answer")
			}
			if n := cs.creds.Load(); n != tc.creds {
				t.Errorf("%d store look-ups, want %d", n, tc.creds)
			}
			if a, d := s.throttle.Sizes(); a != tc.accounts || d != 1 {
				t.Errorf("throttle holds %d accounts, %d addresses; want %d, 1", a, d, tc.accounts)
			}
			if echoed := strings.Contains(w.Body.String(), `value="`+tc.username[:min(len(tc.username), 40)]); echoed != tc.echoedUsername {
				t.Errorf("username echoed %v, want %v", echoed, tc.echoedUsername)
			}
		})
	}
}

// TestSignInAddressBudgetPerIPv6Prefix: addresses of one /64 share a budget.
func TestSignInAddressBudgetPerIPv6Prefix(t *testing.T) {
	_, _, h := newTestSite(t)
	for i := range 21 {
		w := httptest.NewRecorder()
		h.ServeHTTP(w, loginRequest(fmt.Sprintf("[2001:db8:1:2::%x]:443", i+1), "ab", "x"))
		want := http.StatusUnauthorized
		if i == 20 {
			want = http.StatusTooManyRequests
		}
		if w.Code != want {
			t.Fatalf("attempt %d: %d, want %d", i, w.Code, want)
		}
	}
	w := httptest.NewRecorder()
	h.ServeHTTP(w, loginRequest("[2001:db8:1:3::1]:443", "ab", "x"))
	if w.Code != http.StatusUnauthorized {
		t.Fatalf("another /64: %d", w.Code)
	}
}

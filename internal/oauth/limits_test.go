package oauth_test

import (
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"testing"
	"time"

	"golang.org/x/oauth2"

	"github.com/invcloud/invcloud/internal/oauth"
	"github.com/invcloud/invcloud/internal/store"
)

// anon is a signed-out client that stops at the first redirect: an
// accepted authorize request answers 302 to the consent page with the
// stored request's id.
func (e *env) anon() *http.Client {
	return &http.Client{Transport: e.srv.Client().Transport, CheckRedirect: func(*http.Request, []*http.Request) error {
		return http.ErrUseLastResponse
	}}
}

// pendingCount counts the stored requests nobody has approved yet.
func (e *env) pendingCount(where string, args ...any) int {
	e.t.Helper()
	var n int
	if err := e.db.DB().QueryRow(`SELECT COUNT(*) FROM oauth_requests WHERE user_id IS NULL`+where, args...).Scan(&n); err != nil {
		e.t.Fatal(err)
	}
	return n
}

// requestID is the stored request id an accepted authorize answer leads to.
func requestID(t *testing.T, p page) string {
	t.Helper()
	u, err := url.Parse(p.location)
	if p.status != http.StatusFound || err != nil || u.Path != "/oauth/consent" || u.Query().Get("id") == "" {
		t.Fatalf("want a 302 to the consent page, got %d %q: %.200s", p.status, p.location, p.body)
	}
	return u.Query().Get("id")
}

// TestAuthorizeInputBounds: an authorize request larger than what may be
// stored is refused with invalid_request on invcloud's own page (never
// redirected, so an oversized state is not echoed) and stores nothing; a
// request at the bounds is accepted.
func TestAuthorizeInputBounds(t *testing.T) {
	e := newEnv(t)
	c := e.anon()
	verifier := oauth2.GenerateVerifier()
	long := func(n int) string { return strings.Repeat("a", n) }
	for _, tc := range []struct {
		name   string
		change map[string]string
		desc   string // "" when accepted
	}{
		{"state at the bound", map[string]string{"state": long(1024)}, ""},
		{"state too long", map[string]string{"state": long(1025)}, "The state is too long (at most 1024 characters)."},
		{"nonce at the bound", map[string]string{"nonce": long(1024)}, ""},
		{"nonce too long", map[string]string{"nonce": long(1025)}, "The nonce is too long (at most 1024 characters)."},
		{"20 scopes", map[string]string{"scope": strings.TrimSpace(strings.Repeat("openid ", 20))}, ""},
		{"21 scopes", map[string]string{"scope": strings.TrimSpace(strings.Repeat("openid ", 21))}, "Too many scopes (at most 20)."},
		{"scope too long", map[string]string{"scope": "openid " + long(65)}, "A scope is too long (at most 64 characters)."},
		{"redirect_uri too long", map[string]string{"redirect_uri": "https://app.example/cb?" + long(240)}, "The redirect_uri is too long (at most 256 characters)."},
		{"code_challenge too long", map[string]string{"code_challenge": long(129)}, "The code_challenge is too long (at most 128 characters)."},
		{"5 prompt values", map[string]string{"prompt": "login consent select_account login consent"}, "Too many prompt values (at most 4)."},
		{"prompt value too long", map[string]string{"prompt": long(33)}, "A prompt value is too long (at most 32 characters)."},
		{"unknown client and a long state", map[string]string{"client_id": "123456789012345678", "state": long(5000)}, "The state is too long (at most 1024 characters)."},
	} {
		t.Run(tc.name, func(t *testing.T) {
			before := e.count("oauth_requests")
			params := e.baseParams(verifier)
			for k, v := range tc.change {
				params[k] = v
			}
			resp, err := c.Get(e.authorizeURL(params))
			p := readPage(t, resp, err)
			if tc.desc == "" {
				requestID(t, p)
				if n := e.count("oauth_requests"); n != before+1 {
					t.Errorf("requests stored: %d -> %d, want one more", before, n)
				}
				return
			}
			if p.status != http.StatusBadRequest || p.location != "" || !strings.HasPrefix(p.header.Get("Content-Type"), "text/html") ||
				!strings.Contains(p.body, tc.desc) {
				t.Errorf("= %d %q %q: %.300s, want a 400 page saying %q", p.status, p.location, p.header.Get("Content-Type"), p.body, tc.desc)
			}
			if n := e.count("oauth_requests"); n != before {
				t.Errorf("a refused request stored something: %d -> %d", before, n)
			}
		})
	}
}

// TestAuthorizeFloods drives the review's attacks for a bounded count:
// 300 requests with a 900 KB state store nothing; 250 valid requests from
// one address keep at most DefaultPendingPerAddr pending (the newest);
// expired requests are swept.
func TestAuthorizeFloods(t *testing.T) {
	e := newEnv(t)
	c := e.anon()
	verifier := oauth2.GenerateVerifier()

	params := e.baseParams(verifier)
	params["state"] = strings.Repeat("s", 900<<10)
	huge := e.authorizeURL(params)
	for i := range 300 {
		resp, err := c.Get(huge)
		p := readPage(t, resp, err)
		if p.status != http.StatusBadRequest || p.location != "" {
			t.Fatalf("request %d with a 900 KB state: %d %q", i, p.status, p.location)
		}
	}
	if n := e.count("oauth_requests"); n != 0 {
		t.Errorf("300 requests with a 900 KB state stored %d rows, want 0", n)
	}

	var ids []string
	small := e.authorizeURL(e.baseParams(verifier))
	for range 250 {
		e.clock.Add(time.Millisecond) // a strict order (within a millisecond it is arbitrary)
		resp, err := c.Get(small)
		ids = append(ids, requestID(t, readPage(t, resp, err)))
	}
	if n := e.pendingCount(""); n != oauth.DefaultPendingPerAddr {
		t.Errorf("250 requests from one address: %d pending, want %d", n, oauth.DefaultPendingPerAddr)
	}
	// The newest are kept (a user retrying gets through), the oldest gone.
	if _, err := e.store.OAuthRequest(e.ctx, ids[len(ids)-1], e.clock.Now()); err != nil {
		t.Errorf("the newest request: %v", err)
	}
	if _, err := e.store.OAuthRequest(e.ctx, ids[0], e.clock.Now()); err == nil {
		t.Errorf("the oldest request is still pending")
	}
	// Signed in, the newest request goes through consent to a code.
	b := e.browser()
	b.signIn(guideUser)
	consent := b.get("/oauth/consent?id=" + url.QueryEscape(ids[len(ids)-1]))
	if q := callback(t, b.decide(consent, "allow")); q.Get("code") == "" {
		t.Errorf("consent to the newest request: %v", q)
	}

	// Expired requests are deleted (swept at most once a minute, on the
	// next authorize request).
	e.clock.Add(oauth.RequestLifetime + time.Minute)
	resp, err := c.Get(small)
	requestID(t, readPage(t, resp, err))
	if n := e.count("oauth_requests"); n != 1 {
		t.Errorf("after expiry: %d requests stored, want only the new one", n)
	}
}

// TestAuthorizePendingBounds: with small bounds, the per-address bound
// spans apps and takes an IPv6 /64 as one address, and the per-app bound
// spans addresses.
func TestAuthorizePendingBounds(t *testing.T) {
	e := newEnv(t)
	p, err := oauth.New(e.ctx, oauth.Config{Store: e.store, PublicURL: e.srv.URL, Now: e.clock.Now,
		Pending: store.OAuthRequestLimits{PerAddr: 3, PerClient: 5}})
	if err != nil {
		t.Fatal(err)
	}
	mux := http.NewServeMux()
	p.Register(mux)
	verifier := oauth2.GenerateVerifier()
	authorize := func(app store.OAuthApp, remote string) {
		t.Helper()
		params := e.baseParams(verifier)
		params["client_id"] = app.ClientID
		req := httptest.NewRequest("GET", e.authorizeURL(params), nil)
		req.RemoteAddr = remote
		rec := httptest.NewRecorder()
		mux.ServeHTTP(rec, req)
		if rec.Code != http.StatusFound || !strings.HasPrefix(rec.Header().Get("Location"), "/oauth/consent?id=") {
			t.Fatalf("authorize from %s: %d %q", remote, rec.Code, rec.Header().Get("Location"))
		}
	}
	for _, tc := range []struct {
		name    string
		apps    []store.OAuthApp
		remotes []string
		where   string
		args    []any
		want    int
	}{
		{"one IPv4 address, two apps", []store.OAuthApp{e.app, e.pub}, []string{"192.0.2.7:1000", "192.0.2.7:2000"},
			" AND client_addr = ?", []any{"192.0.2.7"}, 3},
		{"one IPv6 /64, many hosts", []store.OAuthApp{e.other}, []string{"[2001:db8:1:2::1]:1", "[2001:db8:1:2:ffff::9]:1", "[2001:db8:1:2::abcd]:1"},
			" AND client_addr = ?", []any{"2001:db8:1:2::/64"}, 3},
		{"one app, many addresses", []store.OAuthApp{e.app}, []string{"198.51.100.1:1", "198.51.100.2:1", "198.51.100.3:1", "198.51.100.4:1"},
			" AND client_id = ?", []any{e.app.ClientID}, 5},
	} {
		t.Run(tc.name, func(t *testing.T) {
			for i := range 12 {
				e.clock.Add(time.Millisecond) // a strict order
				authorize(tc.apps[i%len(tc.apps)], tc.remotes[i%len(tc.remotes)])
			}
			if n := e.pendingCount(tc.where, tc.args...); n != tc.want {
				t.Errorf("12 requests: %d pending, want %d", n, tc.want)
			}
		})
	}
}

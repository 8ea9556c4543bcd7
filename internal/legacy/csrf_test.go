package legacy_test

import (
	"context"
	"fmt"
	"io"
	"net/http"
	"net/http/cookiejar"
	"net/http/httptest"
	"net/url"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/invcloud/invcloud/internal/account"
	"github.com/invcloud/invcloud/internal/demo"
	"github.com/invcloud/invcloud/internal/golden"
	"github.com/invcloud/invcloud/internal/inventory"
	"github.com/invcloud/invcloud/internal/legacy"
	"github.com/invcloud/invcloud/internal/server"
	"github.com/invcloud/invcloud/internal/store"
)

// collection returns a user's collection as item refs.
func collection(t *testing.T, s store.Store, userID int64) []inventory.ItemRef {
	t.Helper()
	items, err := s.Collection(context.Background(), userID)
	if err != nil {
		t.Fatal(err)
	}
	var refs []inventory.ItemRef
	for _, it := range items {
		refs = append(refs, it.Item)
	}
	return refs
}

// TestCSRFHandshake plays the handshake as noblox.js and RoZod do: send,
// read x-csrf-token from the 403, resend with it.
func TestCSRFHandshake(t *testing.T) {
	e := demoEnv(t)
	hat := demoFacts().guideHats[0]
	target := fmt.Sprintf("/v1/collections/items/Asset/%d", hat)
	before := collection(t, e.Store, demo.GuideUser)

	first := e.do(req{method: http.MethodPost, target: target, as: demo.GuideUser})
	tok := first.Header.Get("x-csrf-token")
	if first.Status != http.StatusForbidden || tok == "" || golden.Compact(first.Body) != `{"errors":[{"code":0,"message":"XSRF token invalid"}]}` {
		t.Fatalf("first call: %d, token %q, body %s", first.Status, tok, first.Body)
	}
	if _, w := e.Calls.counts(); w != 0 || !slices.Equal(collection(t, e.Store, demo.GuideUser), before) {
		t.Fatalf("the refused call changed something (%d writes)", w)
	}
	if len(tok) != 12 {
		t.Errorf("token %q: want 12 characters, like Roblox's", tok)
	}
	retry := e.do(req{method: http.MethodPost, target: target, as: demo.GuideUser, header: map[string]string{"X-CSRF-TOKEN": tok}})
	if retry.Status != http.StatusOK || golden.Compact(retry.Body) != `{}` {
		t.Fatalf("retry: %d %s", retry.Status, retry.Body)
	}
	if got := collection(t, e.Store, demo.GuideUser); !slices.Contains(got, inventory.ItemRef{Type: inventory.ItemAsset, ID: hat}) {
		t.Errorf("collection after the retry: %v", got)
	}
	// The header name is case-insensitive, as HTTP headers are.
	del := e.do(req{method: http.MethodDelete, target: target, as: demo.GuideUser, header: map[string]string{"x-csrf-token": tok}})
	if del.Status != http.StatusOK {
		t.Errorf("DELETE with the token: %d %s", del.Status, del.Body)
	}
}

// TestCSRFRefusals checks every way a token can be wrong: nothing is read
// or changed, and the 403 always carries the session's current token.
func TestCSRFRefusals(t *testing.T) {
	e := demoEnv(t)
	hat := demoFacts().guideHats[0]
	targets := []struct{ method, target string }{
		{http.MethodPost, fmt.Sprintf("/v1/collections/items/Asset/%d", hat)},
		{http.MethodDelete, "/v1/collections/items/Asset/1028595"},
		{http.MethodDelete, "/v2/inventory/asset/1028595"},
		{http.MethodPut, fmt.Sprintf("/v1/users/%d/categories", demo.GuideUser)},
		{http.MethodPatch, fmt.Sprintf("/v2/users/%d/inventory", demo.GuideUser)},
	}
	guideNow := legacy.CSRFToken(csrfSecret(demo.GuideUser), testNow)
	tokens := map[string]string{
		"none":             "",
		"other session":    legacy.CSRFToken(csrfSecret(demo.CollectorUser), testNow),
		"expired":          legacy.CSRFToken(csrfSecret(demo.GuideUser), testNow.Add(-2*legacy.CSRFRotation)),
		"future":           legacy.CSRFToken(csrfSecret(demo.GuideUser), testNow.Add(legacy.CSRFRotation)),
		"web form token":   "k8J1y0m2X3n4b5v6c7x8z9a0s1d2f3g4h5j6k7l8m9n", // another kind of token altogether
		"truncated":        guideNow[:11],
		"extended":         guideNow + "A",
		"case changed":     strings.ToLower(guideNow),
		"padded":           " " + guideNow,
		"twice":            guideNow + "," + guideNow,
		"unicode":          "ÀÀÀÀÀÀÀÀÀÀÀÀ",
		"one char changed": flip(guideNow),
	}
	for name, tok := range tokens {
		if tok == guideNow {
			continue // strings.ToLower may leave a token unchanged
		}
		for _, tg := range targets {
			t.Run(name+" "+tg.method+" "+tg.target, func(t *testing.T) {
				r0, w0 := e.Calls.counts()
				resp := e.do(req{method: tg.method, target: tg.target, as: demo.GuideUser, header: map[string]string{"X-CSRF-TOKEN": tok}})
				if resp.Status != http.StatusForbidden || resp.errorCode() != 0 || resp.Header.Get("x-csrf-token") != guideNow {
					t.Errorf("%d, token %q, body %s; want 403 with token %q", resp.Status, resp.Header.Get("x-csrf-token"), resp.Body, guideNow)
				}
				if r, w := e.Calls.counts(); r != r0 || w != w0 {
					t.Errorf("refused call made %d reads and %d writes", r-r0, w-w0)
				}
			})
		}
	}
	if got := collection(t, e.Store, demo.GuideUser); slices.Contains(got, inventory.ItemRef{Type: inventory.ItemAsset, ID: hat}) ||
		!slices.Contains(got, inventory.ItemRef{Type: inventory.ItemAsset, ID: 1028595}) {
		t.Errorf("collection changed: %v", got)
	}
	items, err := e.Store.ListInventory(context.Background(), demo.GuideUser, inventory.Query{Assets: inventory.Selector{Include: true, IDs: []int64{1028595}}, Types: inventory.AllTypes}, inventory.Start, 10)
	if err != nil || len(items) != 1 {
		t.Errorf("asset 1028595 of GuideUser: %v %v", items, err)
	}
}

func flip(s string) string {
	b := []byte(s)
	if b[0] == 'A' {
		b[0] = 'B'
	} else {
		b[0] = 'A'
	}
	return string(b)
}

// TestCSRFRotation checks the schedule: a token works in its period and the
// next (the grace period), not after; the 403 hands out the current one.
func TestCSRFRotation(t *testing.T) {
	e := demoEnv(t)
	target := "/v1/collections/items/Asset/1028595"
	issued := e.do(req{method: http.MethodDelete, target: target, as: demo.GuideUser}).Header.Get("x-csrf-token")
	if issued == "" {
		t.Fatal("no token issued")
	}
	use := func(tok string) response {
		return e.do(req{method: http.MethodPost, target: target, as: demo.GuideUser, header: map[string]string{"X-CSRF-TOKEN": tok}})
	}
	// In the same period, and in the next one (grace): the token works
	// (403 code 7 "already in the collection" is past the CSRF check).
	for _, d := range []time.Duration{0, legacy.CSRFRotation / 2, legacy.CSRFRotation / 2} {
		e.advance(d)
		if r := use(issued); r.errorCode() != 7 {
			t.Fatalf("after %v: %d %s, want the token accepted", d, r.Status, r.Body)
		}
	}
	e.advance(legacy.CSRFRotation)
	r := use(issued)
	if r.Status != http.StatusForbidden || r.errorCode() != 0 {
		t.Fatalf("two periods on: %d %s, want 403 code 0", r.Status, r.Body)
	}
	fresh := r.Header.Get("x-csrf-token")
	if fresh == "" || fresh == issued {
		t.Fatalf("new token %q (old %q)", fresh, issued)
	}
	if r := use(fresh); r.errorCode() != 7 {
		t.Errorf("fresh token: %d %s", r.Status, r.Body)
	}
}

// TestCSRFCookies checks who is challenged: only state-changing requests
// that carry a cookie. A cookie naming no session gets a token too, and
// then the 401.
func TestCSRFCookies(t *testing.T) {
	e := demoEnv(t)
	target := "/v1/collections/items/Asset/1028595"
	anon := e.do(req{method: http.MethodDelete, target: target})
	if anon.Status != http.StatusUnauthorized || anon.Header.Get("x-csrf-token") != "" {
		t.Errorf("no cookie: %d, token %q", anon.Status, anon.Header.Get("x-csrf-token"))
	}
	bogus := map[string]string{"Cookie": account.CookieName + "=" + account.CookiePrefix + "DEADBEEF"}
	first := e.do(req{method: http.MethodDelete, target: target, header: bogus})
	tok := first.Header.Get("x-csrf-token")
	if first.Status != http.StatusForbidden || tok == "" {
		t.Fatalf("unknown session: %d, token %q", first.Status, tok)
	}
	bogus["X-CSRF-TOKEN"] = tok
	if r := e.do(req{method: http.MethodDelete, target: target, header: bogus}); r.Status != http.StatusUnauthorized || r.errorCode() != 0 {
		t.Errorf("unknown session with its token: %d %s", r.Status, r.Body)
	}
	// An expired session is no session.
	e.advance(31 * 24 * time.Hour)
	r := e.do(req{method: http.MethodDelete, target: target, as: demo.GuideUser, csrf: true})
	if r.Status != http.StatusForbidden {
		t.Errorf("expired session with its old token: %d %s", r.Status, r.Body)
	}
	// GETs never need a token.
	if r := e.do(req{target: fmt.Sprintf("/v1/users/%d/can-view-inventory", demo.GuideUser), as: demo.GuideUser}); r.Status != http.StatusOK {
		t.Errorf("GET with a cookie: %d %s", r.Status, r.Body)
	}
}

// TestCSRFThroughServer drives the full server (server.New) as a client
// with a cookie jar would: it proves the legacy routes are registered there
// and the handshake works end to end.
func TestCSRFThroughServer(t *testing.T) {
	e := demoEnv(t)
	h, err := server.New(context.Background(), server.Config{Store: e.Store, Now: e.clock})
	if err != nil {
		t.Fatal(err)
	}
	srv := httptest.NewServer(h)
	defer srv.Close()
	jar, _ := cookiejar.New(nil)
	base, _ := url.Parse(srv.URL)
	jar.SetCookies(base, []*http.Cookie{{Name: account.CookieName, Value: cookie(demo.TraderUser)}})
	c := &http.Client{Jar: jar}
	token := ""
	do := func(method, path string) (*http.Response, string) {
		for try := 0; ; try++ {
			rq, _ := http.NewRequest(method, srv.URL+path, nil)
			if token != "" {
				rq.Header.Set("X-CSRF-TOKEN", token)
			}
			resp, err := c.Do(rq)
			if err != nil {
				t.Fatal(err)
			}
			body, _ := io.ReadAll(resp.Body)
			resp.Body.Close()
			if resp.StatusCode == http.StatusForbidden && resp.Header.Get("x-csrf-token") != "" && try < 3 {
				token = resp.Header.Get("x-csrf-token")
				continue
			}
			return resp, string(body)
		}
	}
	resp, body := do(http.MethodDelete, fmt.Sprintf("/v2/inventory/asset/%d", demo.UGCBeanie))
	if resp.StatusCode != http.StatusOK || body != "{}" {
		t.Fatalf("give up asset: %d %s", resp.StatusCode, body)
	}
	resp, body = do(http.MethodGet, fmt.Sprintf("/v1/users/%d/items/Asset/%d/is-owned", demo.TraderUser, demo.UGCBeanie))
	if resp.StatusCode != http.StatusOK || body != "false" {
		t.Errorf("is-owned after giving up: %d %s", resp.StatusCode, body)
	}
	resp, body = do(http.MethodDelete, fmt.Sprintf("/v2/inventory/asset/%d", demo.UGCBeanie))
	if resp.StatusCode != http.StatusForbidden || !strings.Contains(body, `"code":2`) {
		t.Errorf("give up again: %d %s", resp.StatusCode, body)
	}
}

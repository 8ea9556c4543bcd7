package main

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"math/rand/v2"
	"net/http"
	"net/http/cookiejar"
	"net/url"
	"regexp"
	"strconv"
	"sync"
	"testing"

	"github.com/invcloud/invcloud/internal/demo"
	"github.com/invcloud/invcloud/internal/testsvc"
)

// TestTwoReplicas runs two server processes on one PostgreSQL database and
// one Redis: what one writes the other reads, page tokens cross replicas,
// and one key owner's quota is one budget across both.
func TestTwoReplicas(t *testing.T) {
	pg := testsvc.PostgresSchema(t)
	rd := testsvc.Redis(t)
	run(t, "demo", "load", "--db", pg)
	a, _ := serve(t, "--db", pg, "--redis", rd)
	b, _ := serve(t, "--db", pg, "--redis", rd)
	ctx := context.Background()

	// Written through A (a privacy change on its web pages), read through B.
	private := fmt.Sprintf("/cloud/v2/users/%d/inventory-items", demo.PrivateUser)
	stranger := demo.Keys[1].Secret
	if st, _, body, _ := get(ctx, b+private, stranger); st != http.StatusForbidden {
		t.Fatalf("B before: %d %s", st, body)
	}
	signInAndSetPrivacy(t, a, "PrivatePat", "everyone")
	if st, _, body, _ := get(ctx, b+private, stranger); st != http.StatusOK {
		t.Fatalf("B after A's change: %d %s", st, body)
	}

	// A page token from A continues on B.
	guide := fmt.Sprintf("/cloud/v2/users/%d/inventory-items?maxPageSize=5", demo.GuideUser)
	_, _, body, _ := get(ctx, a+guide, demo.Keys[0].Secret)
	var page struct{ NextPageToken string }
	json.Unmarshal([]byte(body), &page)
	if page.NextPageToken == "" {
		t.Fatal("no page token from A")
	}
	if st, _, body, _ := get(ctx, b+guide+"&pageToken="+page.NextPageToken, demo.Keys[0].Secret); st != http.StatusOK {
		t.Fatalf("A's token on B: %d %s", st, body)
	}

	// A fresh key owner (so earlier runs' buckets in the shared Redis don't
	// count) with two keys; 150 requests spread over both replicas.
	owner := 4_000_000_000 + rand.Int64N(1_000_000_000)
	run(t, "user", "create", "--db", pg, "--id", strconv.FormatInt(owner, 10), "--name", "quota"+strconv.FormatInt(owner, 10))
	k1 := run(t, "apikey", "create", "--db", pg, "--user", strconv.FormatInt(owner, 10))
	k2 := run(t, "apikey", "create", "--db", pg, "--user", strconv.FormatInt(owner, 10))
	target := fmt.Sprintf("/cloud/v2/users/%d/inventory-items?filter=assetIds=1028595", demo.GuideUser)
	var mu sync.Mutex
	counts := map[int]int{}
	var wg sync.WaitGroup
	sem := make(chan struct{}, 16)
	for i := range 150 {
		wg.Add(1)
		sem <- struct{}{}
		go func() {
			defer wg.Done()
			defer func() { <-sem }()
			base, key := a, k1
			if i%2 == 1 {
				base = b
			}
			if i%3 == 0 {
				key = k2
			}
			st, h, body, err := get(ctx, base+target, key)
			if err != nil {
				t.Error(err)
				return
			}
			if h.Get("x-ratelimit-limit") != "100, 100;w=60" || h.Get("x-ratelimit-remaining") == "" || h.Get("x-ratelimit-reset") == "" {
				t.Errorf("quota headers missing: %v", h)
			}
			if st == http.StatusTooManyRequests {
				if h.Get("retry-after") == "" || body != `{"code":"RESOURCE_EXHAUSTED","message":"Resource has been exhausted (e.g. check quota)."}` {
					t.Errorf("429: %v %s", h, body)
				}
			}
			mu.Lock()
			counts[st]++
			mu.Unlock()
		}()
	}
	wg.Wait()
	if counts[http.StatusOK] != 100 || counts[http.StatusTooManyRequests] != 50 {
		t.Fatalf("statuses %v, want 100 x 200 and 50 x 429", counts)
	}
}

var csrfField = regexp.MustCompile(`name="csrf_token" value="([^"]+)"`)

// signInAndSetPrivacy drives the web pages of base like a browser.
func signInAndSetPrivacy(t *testing.T, base, user, visibility string) {
	t.Helper()
	jar, _ := cookiejar.New(nil)
	c := &http.Client{Jar: jar}
	token := func(path string) string {
		resp, err := c.Get(base + path)
		if err != nil {
			t.Fatal(err)
		}
		defer resp.Body.Close()
		b, _ := io.ReadAll(resp.Body)
		m := csrfField.FindSubmatch(b)
		if m == nil {
			t.Fatalf("no csrf token on %s", path)
		}
		return string(m[1])
	}
	resp, err := c.PostForm(base+"/login", url.Values{"csrf_token": {token("/login")}, "username": {user}, "password": {demo.Password}})
	if err != nil || resp.StatusCode != http.StatusOK {
		t.Fatalf("sign in: %v %v", err, resp.Status)
	}
	resp.Body.Close()
	resp, err = c.PostForm(base+"/my/privacy", url.Values{"csrf_token": {token("/my/privacy")}, "visibility": {visibility}})
	if err != nil || resp.StatusCode != http.StatusOK {
		t.Fatalf("privacy: %v %v", err, resp.Status)
	}
	resp.Body.Close()
}

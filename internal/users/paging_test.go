package users_test

import (
	"encoding/json"
	"fmt"
	"net/http"
	"net/url"
	"slices"
	"testing"

	"github.com/invcloud/invcloud/internal/demo"
	"github.com/invcloud/invcloud/wire"
)

type searchPage = wire.LegacyPage[wire.UserSearchResult]

func (e *env) search(t *testing.T, query string) searchPage {
	t.Helper()
	resp := e.do(req{target: "/v1/users/search?" + query})
	if resp.Status != http.StatusOK {
		t.Fatalf("search %s: %d %s", query, resp.Status, resp.Body)
	}
	var p searchPage
	if err := json.Unmarshal(resp.Body, &p); err != nil {
		t.Fatal(err)
	}
	return p
}

func pageIDs(p searchPage) []int64 {
	var ids []int64
	for _, u := range p.Data {
		ids = append(ids, u.ID)
	}
	return ids
}

// TestSearchPaging walks the search forward to the end and back, as
// ro.py's PageIterator and noblox's getPageResults drive it: the last page
// has a null nextPageCursor, the first a null previousPageCursor.
func TestSearchPaging(t *testing.T) {
	e := newEnv(t, nil)
	pagers(t, e)
	var want []int64
	for i := 1; i <= 12; i++ {
		want = append(want, int64(3000000000+i))
	}
	p1 := e.search(t, "keyword=PAGER&limit=10&cursor=")
	if p1.PreviousPageCursor != nil || p1.NextPageCursor == nil || !slices.Equal(pageIDs(p1), want[:10]) {
		t.Fatalf("page 1: %+v", p1)
	}
	// The cursor is bound to the keyword as matched (ASCII case folded),
	// not to limit.
	p2 := e.search(t, "keyword=pager&limit=25&cursor="+url.QueryEscape(*p1.NextPageCursor))
	if p2.NextPageCursor != nil || p2.PreviousPageCursor == nil || !slices.Equal(pageIDs(p2), want[10:]) {
		t.Fatalf("page 2: %+v", p2)
	}
	back := e.search(t, "keyword=Pager&limit=10&cursor="+url.QueryEscape(*p2.PreviousPageCursor))
	if !slices.Equal(pageIDs(back), want[:10]) || back.PreviousPageCursor != nil || back.NextPageCursor == nil {
		t.Fatalf("back to page 1: %+v", back)
	}
	// Another keyword's cursor is refused.
	resp := e.do(req{target: "/v1/users/search?keyword=turner&cursor=" + url.QueryEscape(*p1.NextPageCursor)})
	if resp.Status != http.StatusBadRequest || errorCode(resp.Body) != 0 {
		t.Errorf("foreign cursor: %d %s", resp.Status, resp.Body)
	}
	// Display names match too: all twelve are "Page Turner".
	if p := e.search(t, "keyword=turner&limit=50"); len(p.Data) != 12 || p.NextPageCursor != nil {
		t.Errorf("display name search: %d results, next %v", len(p.Data), p.NextPageCursor)
	}
}

// TestCloudUserQuota charges GetUser as published: 10 a minute per OAuth
// authorization, 1000 per API key owner, in buckets of its own.
func TestCloudUserQuota(t *testing.T) {
	e := newEnv(t, nil)
	target := fmt.Sprint("/cloud/v2/users/", demo.GuideUser)
	for i := range 11 {
		resp := e.do(req{target: target, header: map[string]string{"Authorization": "Bearer oauth-plain"}})
		want := http.StatusOK
		if i == 10 {
			want = http.StatusTooManyRequests
		}
		if resp.Status != want {
			t.Fatalf("OAuth request %d: %d %s", i+1, resp.Status, resp.Body)
		}
		if got := resp.Header.Get("x-ratelimit-remaining"); i < 10 && got != fmt.Sprint(9-i) {
			t.Fatalf("OAuth request %d: remaining %q", i+1, got)
		}
	}
	// Another authorization has its own bucket.
	if resp := e.do(req{target: target, header: map[string]string{"Authorization": "Bearer oauth-advanced"}}); resp.Status != http.StatusOK {
		t.Errorf("other authorization: %d", resp.Status)
	}
	// API keys of one owner share 1000.
	for i, k := range []string{keyNone, keyAdvanced, keySocial} {
		resp := e.do(req{target: target, header: key(k)})
		if resp.Status != http.StatusOK || resp.Header.Get("x-ratelimit-remaining") != fmt.Sprint(999-i) {
			t.Errorf("key request %d: %d remaining %q", i+1, resp.Status, resp.Header.Get("x-ratelimit-remaining"))
		}
	}
}

// TestSearchThrottle: 60 searches a minute per address, then 429 code 4
// with Retry-After; another address has its own budget.
func TestSearchThrottle(t *testing.T) {
	e := newEnv(t, nil)
	for i := range 61 {
		resp := e.do(req{target: "/v1/users/search?keyword=guide"})
		if i < 60 && resp.Status != http.StatusOK {
			t.Fatalf("search %d: %d %s", i+1, resp.Status, resp.Body)
		}
		if i == 60 {
			if resp.Status != http.StatusTooManyRequests || errorCode(resp.Body) != 4 || resp.Header.Get("Retry-After") == "" {
				t.Fatalf("search 61: %d %s %v", resp.Status, resp.Body, resp.Header)
			}
			checkGolden(t, "search-429-4", resp)
		}
	}
	if resp := e.do(req{target: "/v1/users/search?keyword=guide", remote: "[2001:db8::1]:443"}); resp.Status != http.StatusOK {
		t.Errorf("another address: %d", resp.Status)
	}
	// The same /64 shares one budget.
	for i := range 61 {
		resp := e.do(req{target: "/v1/users/search?keyword=guide", remote: fmt.Sprintf("[2001:db8:1::%x]:443", i+1)})
		if (i < 60) != (resp.Status == http.StatusOK) {
			t.Fatalf("IPv6 search %d: %d", i+1, resp.Status)
		}
	}
}

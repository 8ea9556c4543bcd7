package legacy_test

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"testing"

	"github.com/invcloud/invcloud/internal/account"
	"github.com/invcloud/invcloud/internal/demo"
	"github.com/invcloud/invcloud/internal/legacy"
	"github.com/invcloud/invcloud/internal/pagetoken"
)

// FuzzCursor checks that OpenCursor accepts exactly the strings SealCursor
// issues for the binding, and never panics.
func FuzzCursor(f *testing.F) {
	tokens, err := pagetoken.New(testSecret)
	if err != nil {
		f.Fatal(err)
	}
	const binding = "v1/collectibles\x0042\x000\x00Asc"
	for _, c := range []legacy.Cursor{{Key: 1}, {Back: true, Key: 1}, {Key: 200105119388}, {Back: true, Key: 1<<63 - 1}} {
		s := legacy.SealCursor(tokens, c, binding)
		f.Add(s)
		f.Add(s + "A")
		f.Add(s[:len(s)-1])
		f.Add(strings.ToUpper(s))
		f.Add(legacy.SealCursor(tokens, c, binding+"x"))
	}
	for _, s := range []string{"", "A", "AAAA", "0", "-1", "null", "2_1_d09dc216063e729176e256f6fa903dd5",
		tokens.Seal([]byte{'n'}, binding), tokens.Seal([]byte{'n', 0}, binding), tokens.Seal([]byte{'x', 1}, binding),
		tokens.Seal([]byte{'n', 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x01}, binding),
		tokens.Seal([]byte{'p', 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0x01}, binding),
		tokens.Seal([]byte{'n', 1, 0}, binding)} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		c, err := legacy.OpenCursor(tokens, s, binding)
		if err != nil {
			if !errors.Is(err, pagetoken.ErrInvalid) && !errors.Is(err, pagetoken.ErrMismatch) {
				t.Fatalf("OpenCursor(%q): unexpected error %v", s, err)
			}
			if c != (legacy.Cursor{}) {
				t.Fatalf("OpenCursor(%q) = %+v with error %v", s, c, err)
			}
			return
		}
		if c.Key <= 0 {
			t.Fatalf("OpenCursor(%q) = %+v: key not positive", s, c)
		}
		if again := legacy.SealCursor(tokens, c, binding); again != s {
			t.Fatalf("OpenCursor(%q) = %+v, which seals as %q: a string the server never issued was accepted", s, c, again)
		}
		if _, err := legacy.OpenCursor(tokens, s, binding+"x"); err == nil {
			t.Fatalf("cursor %q opens under another binding", s)
		}
	})
}

// fuzzRoutes are the 15 endpoints with %[n]s where a fuzzed path
// parameter goes: 1 a user id, 2 an item type, 3 an item id, 4 a
// collectible item id or asset type.
var fuzzRoutes = []struct{ method, path string }{
	{http.MethodDelete, "/v1/collections/items/%[2]s/%[3]s"},
	{http.MethodPost, "/v1/collections/items/%[2]s/%[3]s"},
	{http.MethodGet, "/v1/packages/%[3]s/assets"},
	{http.MethodGet, "/v1/users/%[1]s/assets/collectibles"},
	{http.MethodGet, "/v1/users/%[1]s/can-view-inventory"},
	{http.MethodGet, "/v1/users/%[1]s/categories"},
	{http.MethodGet, "/v1/users/%[1]s/categories/favorites"},
	{http.MethodGet, "/v1/users/%[1]s/items/%[2]s/%[3]s"},
	{http.MethodGet, "/v1/users/%[1]s/items/%[2]s/%[3]s/is-owned"},
	{http.MethodGet, "/v1/users/%[1]s/places/inventory"},
	{http.MethodGet, "/v2/assets/%[3]s/owners"},
	{http.MethodGet, "/v2/collectible-items/%[4]s/owners"},
	{http.MethodDelete, "/v2/inventory/asset/%[3]s"},
	{http.MethodGet, "/v2/users/%[1]s/inventory"},
	{http.MethodGet, "/v2/users/%[1]s/inventory/%[4]s"},
}

// FuzzPathParams sends every endpoint fuzzed path parameters and query
// values, signed in or not, with or without a CSRF token. Every answer
// must be a well-formed legacy response: JSON, a 2xx body or the errors
// envelope with one error, never a 5xx, and no change without a token.
func FuzzPathParams(f *testing.F) {
	e := demoEnv(f)
	crown := demoFacts().crownItem
	f.Add(uint8(7), "11111111111", "Asset", "1028595", "8", "10", "Asc", "", uint8(0))
	f.Add(uint8(8), "2000000001", "GamePass", "777777", crown, "25", "Desc", "", uint8(1))
	f.Add(uint8(1), "2000000003", "0", "4000883035", "9", "100", "desc", "AW6L9LECpsaENQJpg1L2", uint8(2))
	f.Add(uint8(12), "2000000005", "Bundle", "5100000001", "Hat", "5", "2", "-1", uint8(3))
	f.Add(uint8(9), "-1", "4", "0", strings.ToUpper(crown), "abc", "Up", "0", uint8(0))
	f.Add(uint8(3), "99999999999999999999", "%20", "１２３", "8,18", "10", "", "%zz", uint8(1))
	f.Add(uint8(13), "2000000002", "asset", "+5", "..", "", "", "", uint8(2))
	f.Add(uint8(0), "", "", "", "", "", "", "", uint8(3))
	f.Fuzz(func(t *testing.T, route uint8, user, itemType, itemID, other, limit, sortOrder, cursor string, mode uint8) {
		rt := fuzzRoutes[int(route)%len(fuzzRoutes)]
		esc := url.PathEscape
		path := fmt.Sprintf(rt.path, esc(user), esc(itemType), esc(itemID), esc(other))
		q := url.Values{"limit": {limit}, "sortOrder": {sortOrder}, "cursor": {cursor}, "assetTypes": {other}, "assetType": {other},
			"placesTab": {itemType}, "itemsPerPage": {limit}}
		r, err := http.NewRequest(rt.method, "http://inventory.local"+path+"?"+q.Encode(), nil)
		if err != nil {
			return
		}
		as := []int64{0, demo.GuideUser, demo.TraderUser, demo.UGCMakerUser}[mode%4]
		if as != 0 {
			r.AddCookie(&http.Cookie{Name: account.CookieName, Value: cookie(as)})
			if mode&4 != 0 {
				r.Header.Set("X-CSRF-TOKEN", e.token(as))
			}
		}
		_, w0 := e.Calls.counts()
		w := httptest.NewRecorder()
		e.Handler.ServeHTTP(w, r)
		body, _ := io.ReadAll(w.Result().Body)
		if w.Code >= 500 {
			t.Fatalf("%s %s: %d %s", rt.method, r.URL, w.Code, body)
		}
		if w.Code >= 300 && w.Code < 400 {
			return // the mux cleaning the path (an empty segment): not a legacy route
		}
		if w.Code == http.StatusNotFound && !bytes.Contains(body, []byte(`"code":1`)) {
			return // the path no longer matches the route (e.g. an escaped "/"): the mux's 404
		}
		if ct := w.Header().Get("Content-Type"); ct != "application/json" {
			t.Fatalf("%s %s: Content-Type %q (%d %s)", rt.method, r.URL, ct, w.Code, body)
		}
		if !json.Valid(body) {
			t.Fatalf("%s %s: invalid JSON %q", rt.method, r.URL, body)
		}
		if w.Code != http.StatusOK {
			var env struct {
				Errors []struct {
					Code    *int    `json:"code"`
					Message *string `json:"message"`
				} `json:"errors"`
			}
			if err := json.Unmarshal(body, &env); err != nil || len(env.Errors) != 1 || env.Errors[0].Code == nil || env.Errors[0].Message == nil {
				t.Fatalf("%s %s: %d with body %s, want the errors envelope", rt.method, r.URL, w.Code, body)
			}
		}
		if _, w1 := e.Calls.counts(); w1 != w0 && (as == 0 || mode&4 == 0) {
			t.Fatalf("%s %s: a write without a session and a token", rt.method, r.URL)
		}
	})
}

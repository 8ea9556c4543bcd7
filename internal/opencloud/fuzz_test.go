package opencloud_test

import (
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/invcloud/invcloud/internal/inventory"
)

// FuzzIntrospectBody sends arbitrary bodies to POST /api-keys/v1/introspect:
// the answer is always 200, 400 or 401 with a JSON body, never a 5xx.
func FuzzIntrospectBody(f *testing.F) {
	e := newEnv(f)
	e.user(1, inventory.VisibilityEveryone)
	key := e.key(1, nil, "user.inventory-item:read")
	for _, s := range []string{`{"apiKey":"` + key + `"}`, `{"apiKey":""}`, `{}`, `[]`, `null`, `{"apiKey":1}`, `{"apiKey":"x"`, "", strings.Repeat("a", 17000)} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, body string) {
		e.t = t // the env's helpers report to this input's test
		r := httptest.NewRequest(http.MethodPost, "/api-keys/v1/introspect", strings.NewReader(body))
		r.RemoteAddr = "192.0.2.10:5555"
		resp := e.do(r)
		switch resp.Status {
		case http.StatusOK, http.StatusBadRequest, http.StatusUnauthorized:
		default:
			t.Fatalf("status %d for %q: %s", resp.Status, body, resp.Body)
		}
		if !json.Valid(resp.Body) {
			t.Fatalf("invalid JSON for %q: %s", body, resp.Body)
		}
	})
}

// FuzzListQuery sends arbitrary query strings to the inventory listing: the
// answer is 200, 400 or 403 with a JSON body, never a 5xx or a panic.
func FuzzListQuery(f *testing.F) {
	e := newEnv(f)
	e.user(1, inventory.VisibilityEveryone)
	key := e.key(1, nil, "user.inventory-item:read")
	for _, s := range []string{"", "filter=assetIds=1,2;badgeIds=3", "maxPageSize=-1", "pageToken=AQ", "filter=%zz", "filter=privateServers=true&maxPageSize=100"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, raw string) {
		e.t = t
		r := httptest.NewRequest(http.MethodGet, "/cloud/v2/users/1/inventory-items", nil)
		r.URL.RawQuery = raw
		r.RemoteAddr = "192.0.2.10:5555"
		r.Header.Set("x-api-key", key)
		resp := e.do(r)
		switch resp.Status {
		case http.StatusOK, http.StatusBadRequest, http.StatusForbidden:
		default:
			t.Fatalf("status %d for %q: %s", resp.Status, raw, resp.Body)
		}
		if !json.Valid(resp.Body) {
			t.Fatalf("invalid JSON for %q: %s", raw, resp.Body)
		}
	})
}

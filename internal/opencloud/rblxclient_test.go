package opencloud_test

import (
	"bytes"
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/invcloud/invcloud/internal/apikey"
	"github.com/invcloud/invcloud/internal/inventory"
)

// rblxUserAgent is what rblx-open-cloud sends on every request (its
// __init__.py; spec 9.2).
const rblxUserAgent = "rblx-open-cloud/2.4.0 (https://github.com/treeben77/rblx-open-cloud)"

// rblxFetchInfo sends POST api-keys/v1/introspect over loopback exactly as
// rblx-open-cloud's ApiKey.fetch_info does through requests: a JSON body
// {"apiKey": ...} as Python's json.dumps writes it (", " and ": "
// separators), no credential header, and requests' default headers.
func rblxFetchInfo(t *testing.T, base, secret string) (*http.Response, []byte) {
	t.Helper()
	body := `{"apiKey": "` + secret + `"}`
	req, err := http.NewRequest(http.MethodPost, base+"/api-keys/v1/introspect", strings.NewReader(body))
	if err != nil {
		t.Fatal(err)
	}
	req.Header.Set("User-Agent", rblxUserAgent)
	req.Header.Set("Accept-Encoding", "gzip, deflate")
	req.Header.Set("Accept", "*/*")
	req.Header.Set("Connection", "keep-alive")
	req.Header.Set("Content-Type", "application/json")
	tr := &http.Transport{}
	defer tr.CloseIdleConnections()
	resp, err := (&http.Client{Transport: tr, Timeout: 15 * time.Second}).Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(io.LimitReader(resp.Body, 1<<20))
	if err != nil {
		t.Fatal(err)
	}
	return resp, b
}

// TestIntrospectRblxOpenCloudFlow checks every field ApiKey.fetch_info
// reads, with the type it needs: expected status exactly 200; the body is
// decoded only under a JSON content type; name, enabled, expired,
// expirationUtcTime (datetime.fromisoformat, None when absent) and scopes
// are read with .get; authorizedUserId with [] (KeyError when missing)
// and passed to User(int); each scope's name and operations, and for
// userIds/groupIds/universeIds the first element (so a present list must
// not be empty).
func TestIntrospectRblxOpenCloudFlow(t *testing.T) {
	e := newEnv(t)
	const owner int64 = 234
	e.user(owner, inventory.VisibilityEveryone)
	srv := httptest.NewServer(e.Handler) // 127.0.0.1:0
	defer srv.Close()

	expires := time.Date(2026, 12, 31, 23, 59, 58, 123_000_000, time.UTC)
	tests := []struct {
		name     string
		secret   string
		wantName string
		enabled  bool
		expired  bool
		expires  *time.Time // nil: expires_at stays None
		scopes   map[string][]string
	}{
		{"expiring key", e.key(owner, func(k *apikey.Key) { k.Name = "test key"; k.Expires = expires }, apikey.ScopeInventoryRead),
			"test key", true, false, &expires, map[string][]string{"user.inventory-item": {"read"}}},
		{"key that never expires", e.key(owner, func(k *apikey.Key) { k.Name = "forever" }, apikey.ScopeGroupRead, apikey.ScopeInventoryRead),
			"forever", true, false, nil, map[string][]string{"group": {"read"}, "user.inventory-item": {"read"}}},
		{"expired, disabled key without scopes", e.key(owner, func(k *apikey.Key) { k.Name = "old"; k.Enabled = false; k.Expires = testNow.Add(-time.Hour) }),
			"old", false, true, ptrTime(testNow.Add(-time.Hour)), map[string][]string{}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			resp, body := rblxFetchInfo(t, srv.URL, tt.secret)
			if resp.StatusCode != http.StatusOK {
				t.Fatalf("status %d (the client expects exactly 200): %s", resp.StatusCode, body)
			}
			if ct := resp.Header.Get("Content-Type"); !strings.Contains(ct, "application/json") {
				t.Fatalf("Content-Type %q: the client would not decode the body", ct)
			}
			d := json.NewDecoder(bytes.NewReader(body))
			d.UseNumber()
			var data map[string]any
			if err := d.Decode(&data); err != nil {
				t.Fatalf("decode %s: %v", body, err)
			}
			if v, ok := data["name"].(string); !ok || v != tt.wantName {
				t.Errorf("name = %#v, want %q", data["name"], tt.wantName)
			}
			if v, ok := data["enabled"].(bool); !ok || v != tt.enabled {
				t.Errorf("enabled = %#v, want %v", data["enabled"], tt.enabled)
			}
			if v, ok := data["expired"].(bool); !ok || v != tt.expired {
				t.Errorf("expired = %#v, want %v", data["expired"], tt.expired)
			}
			raw, present := data["expirationUtcTime"]
			switch {
			case tt.expires == nil && present:
				t.Errorf("expirationUtcTime = %#v for a key that never expires, want it absent", raw)
			case tt.expires != nil:
				s, ok := raw.(string)
				if !ok {
					t.Fatalf("expirationUtcTime = %#v, want a string", raw)
				}
				// The form datetime.fromisoformat reads (Python 3.11+).
				got, err := time.Parse("2006-01-02T15:04:05.000Z07:00", s)
				if err != nil || !got.Equal(*tt.expires) {
					t.Errorf("expirationUtcTime = %q (%v), want %v", s, err, *tt.expires)
				}
				if doc := data["expirationTimeUtc"]; doc != s {
					t.Errorf("expirationTimeUtc = %#v, want %q like expirationUtcTime", doc, s)
				}
			}
			n, ok := data["authorizedUserId"].(json.Number)
			if id, err := n.Int64(); !ok || err != nil || id != owner {
				t.Errorf("authorizedUserId = %#v, want the integer %d", data["authorizedUserId"], owner)
			}
			scopes, ok := data["scopes"].([]any)
			if !ok {
				t.Fatalf("scopes = %#v, want a list", data["scopes"])
			}
			got := map[string][]string{}
			for _, sc := range scopes {
				m, ok := sc.(map[string]any)
				if !ok {
					t.Fatalf("scope %#v is not an object", sc)
				}
				name, ok := m["name"].(string)
				if !ok {
					t.Fatalf("scope name = %#v", m["name"])
				}
				ops, ok := m["operations"].([]any)
				if !ok {
					t.Fatalf("scope %s operations = %#v", name, m["operations"])
				}
				for _, op := range ops {
					s, ok := op.(string)
					if !ok {
						t.Fatalf("scope %s operation %#v is not a string", name, op)
					}
					got[name] = append(got[name], s)
				}
				for _, list := range []string{"userIds", "groupIds", "universeIds", "universeDatastores"} {
					if v, present := m[list]; present {
						if l, ok := v.([]any); !ok || len(l) == 0 {
							t.Errorf("scope %s %s = %#v: the client reads its first element", name, list, v)
						}
					}
				}
			}
			if !equalScopes(got, tt.scopes) {
				t.Errorf("scopes = %v, want %v", got, tt.scopes)
			}
		})
	}
}

func ptrTime(t time.Time) *time.Time { return &t }

func equalScopes(a, b map[string][]string) bool {
	if len(a) != len(b) {
		return false
	}
	for k, v := range a {
		w, ok := b[k]
		if !ok || strings.Join(v, ",") != strings.Join(w, ",") {
			return false
		}
	}
	return true
}

// TestGoldenIntrospect records introspect bodies for a key with and one
// without an expiry.
func TestGoldenIntrospect(t *testing.T) {
	e := newEnv(t)
	const owner int64 = 234
	e.user(owner, inventory.VisibilityEveryone)
	for _, tt := range []struct {
		name   string
		secret string
	}{
		{"introspect-expiring", e.key(owner, func(k *apikey.Key) {
			k.Name = "test key"
			k.Expires = time.Date(2027, 1, 1, 12, 0, 0, 0, time.UTC)
		}, apikey.ScopeInventoryRead)},
		{"introspect-never-expires", e.key(owner, func(k *apikey.Key) { k.Name = "forever" }, apikey.ScopeInventoryRead)},
	} {
		t.Run(tt.name, func(t *testing.T) {
			checkGolden(t, tt.name, e.introspect(introspectBody(t, tt.secret)))
		})
	}
}

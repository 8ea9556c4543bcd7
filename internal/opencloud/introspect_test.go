package opencloud_test

import (
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"net/netip"
	"strings"
	"testing"
	"time"

	"github.com/invcloud/invcloud/internal/apikey"
	"github.com/invcloud/invcloud/internal/demo"
	"github.com/invcloud/invcloud/internal/inventory"
)

const introspectPath = "/api-keys/v1/introspect"

// introspect posts body to the introspect endpoint from 192.0.2.10, as the
// documented curl command does: JSON body, no x-api-key header.
func (e *env) introspect(body string) response {
	e.t.Helper()
	r := httptest.NewRequest(http.MethodPost, introspectPath, strings.NewReader(body))
	r.RemoteAddr = "192.0.2.10:5555"
	r.Header.Set("Content-Type", "application/json")
	return e.do(r)
}

// introspectBody is the request body for secret.
func introspectBody(t *testing.T, secret string) string {
	t.Helper()
	b, err := json.Marshal(map[string]string{"apiKey": secret})
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}

func TestIntrospect(t *testing.T) {
	e := newEnv(t)
	const owner int64 = 234
	e.user(owner, inventory.VisibilityEveryone)

	expires := time.Date(2026, 12, 31, 23, 59, 58, 123_000_000, time.UTC)
	tests := []struct {
		name   string
		secret string
		want   string
	}{
		{
			"scopes and expiry",
			e.key(owner, func(k *apikey.Key) { k.Name = "test key"; k.Expires = expires }, apikey.ScopeInventoryRead),
			`{"name":"test key","authorizedUserId":234,"scopes":[{"name":"user.inventory-item","operations":["read"]}],` +
				`"enabled":true,"expired":false,"expirationTimeUtc":"2026-12-31T23:59:58.123Z","expirationUtcTime":"2026-12-31T23:59:58.123Z"}`,
		},
		{
			"expiry on a whole second",
			e.key(owner, func(k *apikey.Key) { k.Name = "whole"; k.Expires = time.Date(2027, 1, 1, 12, 0, 0, 0, time.UTC) }, apikey.ScopeInventoryRead),
			`{"name":"whole","authorizedUserId":234,"scopes":[{"name":"user.inventory-item","operations":["read"]}],` +
				`"enabled":true,"expired":false,"expirationTimeUtc":"2027-01-01T12:00:00.000Z","expirationUtcTime":"2027-01-01T12:00:00.000Z"}`,
		},
		{
			"expiry in another zone is shown in UTC",
			e.key(owner, func(k *apikey.Key) {
				k.Name = "zoned"
				k.Expires = time.Date(2027, 1, 1, 9, 30, 0, 0, time.FixedZone("X", 2*3600))
			}),
			`{"name":"zoned","authorizedUserId":234,"scopes":[],"enabled":true,"expired":false,"expirationTimeUtc":"2027-01-01T07:30:00.000Z","expirationUtcTime":"2027-01-01T07:30:00.000Z"}`,
		},
		{
			"no expiry",
			e.key(owner, func(k *apikey.Key) { k.Name = "forever" }, apikey.ScopeInventoryRead),
			`{"name":"forever","authorizedUserId":234,"scopes":[{"name":"user.inventory-item","operations":["read"]}],"enabled":true,"expired":false}`,
		},
		{
			"no scopes",
			e.key(owner, func(k *apikey.Key) { k.Name = "bare" }),
			`{"name":"bare","authorizedUserId":234,"scopes":[],"enabled":true,"expired":false}`,
		},
		{
			"scopes grouped by resource",
			e.key(owner, func(k *apikey.Key) { k.Name = "groups" }, apikey.ScopeGroupRead, apikey.ScopeInventoryRead, apikey.ScopeGroupWrite),
			`{"name":"groups","authorizedUserId":234,"scopes":[{"name":"group","operations":["read","write"]},` +
				`{"name":"user.inventory-item","operations":["read"]}],"enabled":true,"expired":false}`,
		},
		{
			"disabled key",
			e.key(owner, func(k *apikey.Key) { k.Name = "off"; k.Enabled = false }, apikey.ScopeInventoryRead),
			`{"name":"off","authorizedUserId":234,"scopes":[{"name":"user.inventory-item","operations":["read"]}],"enabled":false,"expired":false}`,
		},
		{
			"expired key",
			e.key(owner, func(k *apikey.Key) { k.Name = "old"; k.Expires = testNow.Add(-24 * time.Hour) }, apikey.ScopeInventoryRead),
			`{"name":"old","authorizedUserId":234,"scopes":[{"name":"user.inventory-item","operations":["read"]}],` +
				`"enabled":true,"expired":true,"expirationTimeUtc":"2026-05-31T12:00:00.000Z","expirationUtcTime":"2026-05-31T12:00:00.000Z"}`,
		},
		{
			"key expiring at now",
			e.key(owner, func(k *apikey.Key) { k.Name = "now"; k.Expires = testNow }),
			`{"name":"now","authorizedUserId":234,"scopes":[],"enabled":true,"expired":true,"expirationTimeUtc":"2026-06-01T12:00:00.000Z","expirationUtcTime":"2026-06-01T12:00:00.000Z"}`,
		},
		{
			"disabled and expired",
			e.key(owner, func(k *apikey.Key) { k.Name = "both"; k.Enabled = false; k.Expires = testNow.Add(-time.Second) }),
			`{"name":"both","authorizedUserId":234,"scopes":[],"enabled":false,"expired":true,"expirationTimeUtc":"2026-06-01T11:59:59.000Z","expirationUtcTime":"2026-06-01T11:59:59.000Z"}`,
		},
		{
			"allow list with the caller",
			e.key(owner, func(k *apikey.Key) {
				k.Name = "net"
				k.AllowIPs = []netip.Prefix{netip.MustParsePrefix("192.0.2.0/24")}
			}),
			`{"name":"net","authorizedUserId":234,"scopes":[],"enabled":true,"expired":false}`,
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			resp := e.introspect(introspectBody(t, tt.secret))
			checkResponse(t, resp, http.StatusOK, tt.want)
			// authorizedUserId is a JSON number, as in the documented example.
			var fields map[string]json.RawMessage
			resp.decode(t, &fields)
			if id := string(fields["authorizedUserId"]); id != "234" {
				t.Errorf("authorizedUserId is %s, want the number 234", id)
			}
			// The documented name and rblx-open-cloud's carry one value,
			// or are both absent (a key that never expires).
			if a, b := string(fields["expirationTimeUtc"]), string(fields["expirationUtcTime"]); a != b {
				t.Errorf("expirationTimeUtc %s, expirationUtcTime %s: want the same", a, b)
			}
		})
	}

	t.Run("demo key", func(t *testing.T) {
		e := demoEnv(t)
		resp := e.introspect(introspectBody(t, demo.Keys[0].Secret))
		checkResponse(t, resp, http.StatusOK,
			`{"name":"Demo: GuideUser, Inventory: Read","authorizedUserId":11111111111,`+
				`"scopes":[{"name":"user.inventory-item","operations":["read"]}],"enabled":true,"expired":false}`)
	})

	t.Run("introspection does not need an x-api-key", func(t *testing.T) {
		r := httptest.NewRequest(http.MethodPost, introspectPath, strings.NewReader(introspectBody(t, e.key(owner, nil))))
		r.RemoteAddr = "192.0.2.10:5555"
		r.Header.Set("Content-Type", "application/json")
		r.Header.Set("x-api-key", "not-a-key")
		resp := e.do(r)
		if resp.Status != http.StatusOK {
			t.Errorf("status %d, body %s", resp.Status, resp.Body)
		}
	})
}

func TestIntrospectErrors(t *testing.T) {
	e := newEnv(t)
	const owner int64 = 234
	e.user(owner, inventory.VisibilityEveryone)
	outside := e.key(owner, func(k *apikey.Key) {
		k.AllowIPs = []netip.Prefix{netip.MustParsePrefix("198.51.100.0/24"), netip.MustParsePrefix("192.0.2.11/32")}
	}, apikey.ScopeInventoryRead)
	valid := e.key(owner, nil)

	const (
		msgBadBody   = "The request body must be a JSON object with an apiKey string."
		msgNoKey     = "apiKey is required."
		maxBody      = 16 << 10
		bodyOverhead = len(`{"apiKey":""}`)
	)
	// A body of exactly n bytes carrying an unknown key.
	bodyOfSize := func(n int) string {
		return `{"apiKey":"` + strings.Repeat("x", n-bodyOverhead) + `"}`
	}
	tests := []struct {
		name   string
		body   string
		status int
		want   string
	}{
		{"unknown key", introspectBody(t, "invcloud-demo-guideuser-inventory-read-key-000001"), 401, gatewayInvalidKey},
		{"address outside the allow list", introspectBody(t, outside), 401, gatewayInvalidKey},
		{"malformed JSON", `{"apiKey":`, 400, v2Error("INVALID_ARGUMENT", msgBadBody)},
		{"not JSON", `apiKey=abc`, 400, v2Error("INVALID_ARGUMENT", msgBadBody)},
		{"empty body", ``, 400, v2Error("INVALID_ARGUMENT", msgBadBody)},
		{"array", `["abc"]`, 400, v2Error("INVALID_ARGUMENT", msgBadBody)},
		{"apiKey not a string", `{"apiKey":12345}`, 400, v2Error("INVALID_ARGUMENT", msgBadBody)},
		{"trailing garbage", introspectBody(t, valid) + `x`, 400, v2Error("INVALID_ARGUMENT", msgBadBody)},
		{"missing apiKey", `{}`, 400, v2Error("INVALID_ARGUMENT", msgNoKey)},
		{"other field only", `{"key":"abc"}`, 400, v2Error("INVALID_ARGUMENT", msgNoKey)},
		{"empty apiKey", `{"apiKey":""}`, 400, v2Error("INVALID_ARGUMENT", msgNoKey)},
		{"null", `null`, 400, v2Error("INVALID_ARGUMENT", msgNoKey)},
		{"body over 16 KiB", bodyOfSize(maxBody + 1), 400, v2Error("INVALID_ARGUMENT", msgBadBody)},
		{"body far over 16 KiB", bodyOfSize(1 << 20), 400, v2Error("INVALID_ARGUMENT", msgBadBody)},
		{"body of exactly 16 KiB", bodyOfSize(maxBody), 401, gatewayInvalidKey},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			resp := e.introspect(tt.body)
			checkResponse(t, resp, tt.status, tt.want)
		})
	}
	if n := len(bodyOfSize(maxBody)); n != maxBody {
		t.Fatalf("bodyOfSize(%d) has %d bytes", maxBody, n)
	}
}

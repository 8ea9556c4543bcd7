package opencloud_test

import (
	"net/http"
	"net/http/httptest"
	"net/netip"
	"net/url"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/invcloud/invcloud/internal/apikey"
	"github.com/invcloud/invcloud/internal/demo"
)

// gatewayInvalidKey is the body of every authentication failure (spec 2.2).
const gatewayInvalidKey = `{"errors":[{"code":0,"message":"Invalid API Key"}]}`

// v2Error is the JSON of a standard v2 error with no details.
func v2Error(code, msg string) string {
	return `{"code":` + strconv.Quote(code) + `,"message":` + strconv.Quote(msg) + `}`
}

// checkResponse asserts the status and that the body is JSON-equal to want.
func checkResponse(t *testing.T, resp response, status int, want string) {
	t.Helper()
	if resp.Status != status {
		t.Errorf("status %d, want %d (body %s)", resp.Status, status, resp.Body)
	}
	if ct := resp.Header.Get("Content-Type"); ct != "application/json" {
		t.Errorf("Content-Type %q, want application/json", ct)
	}
	if !jsonEqual(t, resp.Body, []byte(want)) {
		t.Errorf("body %s\nwant %s", resp.Body, want)
	}
}

// refused performs the request and asserts it read no inventory.
func refused(t *testing.T, e *env, do func() response) response {
	t.Helper()
	before := e.Lists.calls
	resp := do()
	if e.Lists.calls != before {
		t.Errorf("refused request listed the inventory (%d ListInventory calls)", e.Lists.calls-before)
	}
	return resp
}

func invalidFilter(detail string) string {
	return v2Error("INVALID_ARGUMENT", "The provided filter is invalid: "+detail+".")
}

func TestInvalidFilters(t *testing.T) {
	e := demoEnv(t)
	ids := func(n int) string {
		s := make([]string, n)
		for i := range s {
			s[i] = strconv.Itoa(i + 1)
		}
		return strings.Join(s, ",")
	}
	tests := []struct {
		name, filter, detail string
	}{
		{"unknown field", "hats=true", `unknown field "hats"`},
		{"field name case", "Badges=true", `unknown field "Badges"`},
		{"repeated boolean", "badges=true;badges=false", `field "badges" is repeated`},
		{"repeated list", "assetIds=1;assetIds=2", `field "assetIds" is repeated`},
		{"empty clause", "badges=true;;gamePasses=true", `clause 2 is empty`},
		{"trailing semicolon", "badges=true;", `clause 2 is empty`},
		{"leading semicolon", ";badges=true", `clause 1 is empty`},
		{"only a semicolon", ";", `clause 1 is empty`},
		{"missing =", "badges", `clause "badges" has no '='`},
		{"missing = after a clause", "gamePasses=true;badges", `clause "badges" has no '='`},
		{"missing field name", "=true", `clause "=true" has no field name`},
		{"empty boolean", "badges=", `field "badges" has no value`},
		{"empty asset types", "inventoryItemAssetTypes=", `field "inventoryItemAssetTypes" has no value`},
		{"empty id list", "assetIds=", `field "assetIds" has no value`},
		{"bad boolean", "badges=yes", `field "badges" must be true or false, not "yes"`},
		{"numeric boolean", "gamePasses=1", `field "gamePasses" must be true or false, not "1"`},
		{"unknown asset type", "inventoryItemAssetTypes=HATS", `unknown asset type "HATS" in field "inventoryItemAssetTypes"`},
		{"legacy asset type name", "inventoryItemAssetTypes=TShirt", `unknown asset type "TShirt" in field "inventoryItemAssetTypes"`},
		{"star with names", "inventoryItemAssetTypes=HAT,*", `field "inventoryItemAssetTypes" can't combine '*' with asset types`},
		{"star first with names", "inventoryItemAssetTypes=*,HAT", `field "inventoryItemAssetTypes" can't combine '*' with asset types`},
		{"empty asset type element", "inventoryItemAssetTypes=HAT,,FACE", `field "inventoryItemAssetTypes" has an empty value in "HAT,,FACE"`},
		{"trailing comma in types", "inventoryItemAssetTypes=HAT,", `field "inventoryItemAssetTypes" has an empty value in "HAT,"`},
		{"empty id element", "assetIds=1,,2", `field "assetIds" has an empty ID in "1,,2"`},
		{"trailing comma in ids", "badgeIds=1,", `field "badgeIds" has an empty ID in "1,"`},
		{"non-numeric id", "assetIds=abc", `field "assetIds" has an invalid ID "abc": IDs are positive integers`},
		{"negative id", "badgeIds=-5", `field "badgeIds" has an invalid ID "-5": IDs are positive integers`},
		{"zero id", "gamePassIds=0", `field "gamePassIds" has an invalid ID "0": IDs are positive integers`},
		{"plus-signed id", "assetIds=+5", `field "assetIds" has an invalid ID "+5": IDs are positive integers`},
		{"decimal id", "assetIds=1.5", `field "assetIds" has an invalid ID "1.5": IDs are positive integers`},
		{"hex id", "assetIds=0x10", `field "assetIds" has an invalid ID "0x10": IDs are positive integers`},
		{"overflowing id", "assetIds=9223372036854775808", `field "assetIds" has an invalid ID "9223372036854775808": IDs are positive integers`},
		{"too many ids", "assetIds=" + ids(101), `field "assetIds" lists 101 IDs; at most 100 are allowed`},
		{"type then id field", "badges=true;assetIds=1", `type field "badges" and ID field "assetIds" can't be combined`},
		{"id then type field", "gamePassIds=1;inventoryItemAssetTypes=HAT", `type field "inventoryItemAssetTypes" and ID field "gamePassIds" can't be combined`},
		{"false type field with id field", "badges=false;badgeIds=1", `type field "badges" and ID field "badgeIds" can't be combined`},
		{"onlyCollectibles alone", "onlyCollectibles=true", `field "onlyCollectibles" must be used with "inventoryItemAssetTypes"`},
		{"onlyCollectibles with badges", "onlyCollectibles=true;badges=true", `field "onlyCollectibles" must be used with "inventoryItemAssetTypes"`},
		{"too long", "assetIds=" + strings.Repeat("1", 8192), `filter is longer than 8192 characters`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			resp := refused(t, e, func() response { return e.get(filterURL(demo.GuideUser, tt.filter), ownerKey) })
			checkResponse(t, resp, http.StatusBadRequest, invalidFilter(tt.detail))
		})
		// Unescaped, as the inventory guide writes filters (';' included),
		// unless the query syntax would change the filter's meaning.
		if strings.ContainsAny(tt.filter, "+%&# ") {
			continue
		}
		t.Run(tt.name+" unescaped", func(t *testing.T) {
			resp := refused(t, e, func() response { return e.get(rawFilterURL(demo.GuideUser, tt.filter), ownerKey) })
			checkResponse(t, resp, http.StatusBadRequest, invalidFilter(tt.detail))
		})
	}
	// A query that does not unescape is refused, not read as no filter.
	t.Run("bad escape", func(t *testing.T) {
		resp := refused(t, e, func() response { return e.get(inventoryURL(demo.GuideUser, nil)+"?filter=assetIds%3D1%zz", ownerKey) })
		checkResponse(t, resp, http.StatusBadRequest, v2Error("INVALID_ARGUMENT", `The query parameter "filter" is not properly escaped.`))
	})

	// A hundred ids is the limit, not an error.
	resp := e.get(filterURL(demo.GuideUser, "assetIds="+ids(100)), ownerKey)
	checkResponse(t, resp, http.StatusOK, `{"inventoryItems":[],"nextPageToken":""}`)
}

func TestMaxPageSize(t *testing.T) {
	e := demoEnv(t)
	for _, tt := range []struct {
		size  string // "" leaves maxPageSize out
		items int
	}{
		{"", 10}, {"0", 10}, {"1", 1}, {"10", 10}, {"37", 37}, {"100", 100}, {"101", 100}, {"1000", 100}, {"2147483647", 100},
	} {
		t.Run("size="+tt.size, func(t *testing.T) {
			params := url.Values{}
			if tt.size != "" {
				params.Set("maxPageSize", tt.size)
			}
			resp := e.get(inventoryURL(demo.GuideUser, params), ownerKey)
			if resp.Status != http.StatusOK {
				t.Fatalf("status %d, body %s", resp.Status, resp.Body)
			}
			var body struct {
				InventoryItems []any  `json:"inventoryItems"`
				NextPageToken  string `json:"nextPageToken"`
			}
			resp.decode(t, &body)
			if len(body.InventoryItems) != tt.items {
				t.Errorf("%d items, want %d", len(body.InventoryItems), tt.items)
			}
			if body.NextPageToken == "" {
				t.Error("no nextPageToken: the guide user owns more than 100 items")
			}
		})
	}
	for _, size := range []string{"-1", "abc", "1.5", "99999999999", "2147483648", "1e2", " 5"} {
		t.Run("size="+size, func(t *testing.T) {
			resp := refused(t, e, func() response {
				return e.get(inventoryURL(demo.GuideUser, url.Values{"maxPageSize": {size}}), ownerKey)
			})
			checkResponse(t, resp, http.StatusBadRequest,
				v2Error("INVALID_ARGUMENT", "maxPageSize must be an integer between 0 and 2147483647."))
		})
	}
}

func TestBadUserID(t *testing.T) {
	e := demoEnv(t)
	for _, id := range []string{"abc", "-5", "0", "1.5", "99999999999999999999", "11111111111x"} {
		t.Run(id, func(t *testing.T) {
			resp := refused(t, e, func() response { return e.get("/cloud/v2/users/"+id+"/inventory-items", ownerKey) })
			checkResponse(t, resp, http.StatusBadRequest, v2Error("INVALID_ARGUMENT", "Invalid User ID in the request."))
		})
	}
	t.Run("unknown user", func(t *testing.T) {
		resp := refused(t, e, func() response { return e.get(inventoryURL(999999999, nil), ownerKey) })
		checkResponse(t, resp, http.StatusNotFound, v2Error("NOT_FOUND", "User not found."))
	})
}

const (
	msgNoPermission   = "You do not have permission to view this user's inventory."
	msgNeedsReadScope = "Filtering by private servers or purchased places requires the Inventory read permission."
)

func TestPermissions(t *testing.T) {
	e := demoEnv(t)
	privateOwnerNoScope := e.key(demo.PrivateUser, nil)
	friendsOwnerNoScope := e.key(demo.FriendsUser, nil)
	friendsOwnerRead := e.key(demo.FriendsUser, nil, apikey.ScopeInventoryRead)
	guideOwnerNoScope := e.key(demo.GuideUser, nil)
	otherWithOtherScopes := e.key(demo.CollectorUser, nil, apikey.ScopeGroupRead, apikey.ScopeGroupWrite)

	denied := []struct {
		name   string
		user   int64
		key    string
		filter string
		msg    string
	}{
		{"noone by another user's read key", demo.PrivateUser, ownerKey, "", msgNoPermission},
		{"noone by another user's key", demo.PrivateUser, viewerKey, "", msgNoPermission},
		{"noone by the owner without the scope", demo.PrivateUser, privateOwnerNoScope, "", msgNoPermission},
		{"noone by the owner without the scope, filtered", demo.PrivateUser, privateOwnerNoScope, "badges=true", msgNoPermission},
		{"friends by another user's read key", demo.FriendsUser, ownerKey, "", msgNoPermission},
		{"friends by another user's key with other scopes", demo.FriendsUser, otherWithOtherScopes, "", msgNoPermission},
		{"friends by the owner without the scope", demo.FriendsUser, friendsOwnerNoScope, "", msgNoPermission},
		{"public privateServers=true by another user", demo.GuideUser, viewerKey, "privateServers=true", msgNeedsReadScope},
		{"public privateServers=true with others by another user", demo.GuideUser, viewerKey, "badges=true;privateServers=true", msgNeedsReadScope},
		{"public privateServerIds by another user", demo.GuideUser, viewerKey, "privateServerIds=999999", msgNeedsReadScope},
		{"public PURCHASED_PLACE by another user", demo.GuideUser, viewerKey, "inventoryItemAssetTypes=PURCHASED_PLACE", msgNeedsReadScope},
		{"public PURCHASED_PLACE among types by another user", demo.GuideUser, viewerKey, "inventoryItemAssetTypes=HAT,PURCHASED_PLACE", msgNeedsReadScope},
		{"public collectible PURCHASED_PLACE by another user", demo.GuideUser, viewerKey, "onlyCollectibles=true;inventoryItemAssetTypes=PURCHASED_PLACE", msgNeedsReadScope},
		{"public privateServers=true by the owner without the scope", demo.GuideUser, guideOwnerNoScope, "privateServers=true", msgNeedsReadScope},
	}
	for _, tt := range denied {
		t.Run(tt.name, func(t *testing.T) {
			params := url.Values{}
			if tt.filter != "" {
				params.Set("filter", tt.filter)
			}
			resp := refused(t, e, func() response { return e.get(inventoryURL(tt.user, params), tt.key) })
			checkResponse(t, resp, http.StatusForbidden, v2Error("PERMISSION_DENIED", tt.msg))
		})
	}

	allowed := []struct {
		name   string
		user   int64
		key    string
		filter string
	}{
		{"noone by the owner with the scope", demo.PrivateUser, demo.Keys[2].Secret, ""},
		{"noone private servers by the owner with the scope", demo.PrivateUser, demo.Keys[2].Secret, "privateServers=true"},
		{"friends by the owner with the scope", demo.FriendsUser, friendsOwnerRead, ""},
		{"public by another user", demo.GuideUser, viewerKey, ""},
		{"public by another user with other scopes", demo.GuideUser, otherWithOtherScopes, ""},
		{"public privateServers=false by another user", demo.GuideUser, viewerKey, "privateServers=false;badges=true"},
		{"public CREATED_PLACE by another user", demo.GuideUser, viewerKey, "inventoryItemAssetTypes=CREATED_PLACE"},
		{"public PURCHASED_PLACE by the owner", demo.GuideUser, ownerKey, "inventoryItemAssetTypes=PURCHASED_PLACE"},
	}
	for _, tt := range allowed {
		t.Run(tt.name, func(t *testing.T) {
			params := url.Values{"maxPageSize": {"100"}}
			if tt.filter != "" {
				params.Set("filter", tt.filter)
			}
			resp := e.get(inventoryURL(tt.user, params), tt.key)
			if resp.Status != http.StatusOK {
				t.Fatalf("status %d, body %s", resp.Status, resp.Body)
			}
			checkInvariants(t, tt.user, resp.Body, false)
		})
	}

	// "*" by a non-owner quietly leaves purchased places out.
	t.Run("public * by another user", func(t *testing.T) {
		params := url.Values{"filter": {"inventoryItemAssetTypes=*"}}
		var types []string
		for _, p := range readAllPages(t, e, demo.GuideUser, viewerKey, params) {
			checkInvariants(t, demo.GuideUser, p.Body, true)
			for _, it := range pageItems(t, []response{p}) {
				d := it.(map[string]any)["assetDetails"].(map[string]any)
				types = append(types, d["inventoryItemAssetType"].(string))
			}
		}
		if len(types) == 0 || !slices.Contains(types, "CREATED_PLACE") {
			t.Errorf("public * lists %d assets, none a CREATED_PLACE", len(types))
		}
		if slices.Contains(types, "PURCHASED_PLACE") {
			t.Error("public * lists a PURCHASED_PLACE")
		}
	})
	// The owner's own "*" keeps them.
	t.Run("owner * keeps purchased places", func(t *testing.T) {
		resp := e.get(inventoryURL(demo.GuideUser, url.Values{"filter": {"inventoryItemAssetTypes=PURCHASED_PLACE"}}), ownerKey)
		if resp.Status != http.StatusOK || !strings.Contains(string(resp.Body), `"PURCHASED_PLACE"`) {
			t.Errorf("status %d, body %s", resp.Status, resp.Body)
		}
	})
	// The ID form of a purchased place is trimmed too, not refused.
	t.Run("public assetIds of a purchased place", func(t *testing.T) {
		owner := e.get(inventoryURL(demo.GuideUser, url.Values{"filter": {"inventoryItemAssetTypes=PURCHASED_PLACE"}}), ownerKey)
		items := pageItems(t, []response{owner})
		if len(items) != 1 {
			t.Fatalf("owner lists %d purchased places, want 1: %s", len(items), owner.Body)
		}
		assetID := items[0].(map[string]any)["assetDetails"].(map[string]any)["assetId"].(string)
		resp := e.get(filterURL(demo.GuideUser, "assetIds="+assetID), viewerKey)
		checkResponse(t, resp, http.StatusOK, `{"inventoryItems":[],"nextPageToken":""}`)
		resp = e.get(filterURL(demo.GuideUser, "assetIds="+assetID), ownerKey)
		if resp.Status != http.StatusOK || len(pageItems(t, []response{resp})) != 1 {
			t.Errorf("owner: status %d, body %s", resp.Status, resp.Body)
		}
	})
}

func TestAuthFailures(t *testing.T) {
	e := demoEnv(t)
	disabled := e.key(demo.GuideUser, func(k *apikey.Key) { k.Enabled = false }, apikey.ScopeInventoryRead)
	expired := e.key(demo.GuideUser, func(k *apikey.Key) { k.Expires = testNow.Add(-time.Hour) }, apikey.ScopeInventoryRead)
	expiresNow := e.key(demo.GuideUser, func(k *apikey.Key) { k.Expires = testNow }, apikey.ScopeInventoryRead)
	otherNet := e.key(demo.GuideUser, func(k *apikey.Key) {
		k.AllowIPs = []netip.Prefix{netip.MustParsePrefix("198.51.100.0/24"), netip.MustParsePrefix("192.0.2.11/32")}
	}, apikey.ScopeInventoryRead)
	target := inventoryURL(demo.GuideUser, nil)

	withHeaders := func(h map[string]string) func() response {
		return func() response {
			r := httptest.NewRequest(http.MethodGet, target, nil)
			r.RemoteAddr = "192.0.2.10:5555"
			for k, v := range h {
				r.Header.Set(k, v)
			}
			return e.do(r)
		}
	}
	tests := []struct {
		name string
		do   func() response
	}{
		{"missing x-api-key", func() response { return e.get(target, "") }},
		{"empty x-api-key", withHeaders(map[string]string{"x-api-key": ""})},
		{"unknown key", func() response { return e.get(target, "invcloud-demo-guideuser-inventory-read-key-000009") }},
		{"disabled key", func() response { return e.get(target, disabled) }},
		{"expired key", func() response { return e.get(target, expired) }},
		{"key expiring at now", func() response { return e.get(target, expiresNow) }},
		{"address outside the allow list", func() response { return e.get(target, otherNet) }},
		{"bearer token", withHeaders(map[string]string{"Authorization": "Bearer xyz"})},
		{"bearer with a valid key as token", withHeaders(map[string]string{"Authorization": "Bearer " + ownerKey})},
		{"key in the wrong header", withHeaders(map[string]string{"api-key": ownerKey})},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			resp := refused(t, e, tt.do)
			checkResponse(t, resp, http.StatusUnauthorized, gatewayInvalidKey)
		})
	}
	// Authentication comes before argument checks.
	t.Run("unauthenticated with bad arguments", func(t *testing.T) {
		resp := refused(t, e, func() response { return e.get("/cloud/v2/users/abc/inventory-items?filter=x", "") })
		checkResponse(t, resp, http.StatusUnauthorized, gatewayInvalidKey)
	})

	ok := []struct {
		name  string
		allow []string
	}{
		{"allow list with the caller's network", []string{"192.0.2.0/24"}},
		{"allow list with the caller's address", []string{"203.0.113.0/24", "192.0.2.10/32"}},
	}
	for _, tt := range ok {
		t.Run(tt.name, func(t *testing.T) {
			key := e.key(demo.GuideUser, func(k *apikey.Key) {
				for _, a := range tt.allow {
					k.AllowIPs = append(k.AllowIPs, netip.MustParsePrefix(a))
				}
			}, apikey.ScopeInventoryRead)
			resp := e.get(filterURL(demo.GuideUser, guideFilter), key)
			checkResponse(t, resp, http.StatusOK, documentedGuideResponse)
		})
	}
	t.Run("key expiring after now", func(t *testing.T) {
		key := e.key(demo.GuideUser, func(k *apikey.Key) { k.Expires = testNow.Add(time.Second) }, apikey.ScopeInventoryRead)
		resp := e.get(filterURL(demo.GuideUser, guideFilter), key)
		checkResponse(t, resp, http.StatusOK, documentedGuideResponse)
	})
	t.Run("bearer header ignored next to a valid x-api-key", func(t *testing.T) {
		r := httptest.NewRequest(http.MethodGet, filterURL(demo.GuideUser, guideFilter), nil)
		r.RemoteAddr = "192.0.2.10:5555"
		r.Header.Set("x-api-key", ownerKey)
		r.Header.Set("Authorization", "Bearer xyz")
		checkResponse(t, e.do(r), http.StatusOK, documentedGuideResponse)
	})
}

func TestPageTokenErrors(t *testing.T) {
	e := demoEnv(t)
	first := e.get(inventoryURL(demo.GuideUser, url.Values{"filter": {"gamePasses=true;badges=true"}}), ownerKey)
	var body struct {
		NextPageToken string `json:"nextPageToken"`
	}
	first.decode(t, &body)
	if body.NextPageToken == "" {
		t.Fatalf("no nextPageToken in %s", first.Body)
	}
	tok := body.NextPageToken
	const (
		msgInvalid  = "The page token is invalid."
		msgMismatch = "The page token does not match the request: all parameters but pageToken must match the call that provided it."
	)
	tests := []struct {
		name   string
		user   int64
		filter string
		token  string
		msg    string
	}{
		{"garbage", demo.GuideUser, "gamePasses=true;badges=true", "not-a-token", msgInvalid},
		{"truncated", demo.GuideUser, "gamePasses=true;badges=true", tok[:len(tok)-4], msgInvalid},
		{"tampered", demo.GuideUser, "gamePasses=true;badges=true", flipMiddle(tok), msgInvalid},
		{"too long", demo.GuideUser, "gamePasses=true;badges=true", strings.Repeat("A", 600), msgInvalid},
		{"other filter", demo.GuideUser, "badges=true", tok, msgMismatch},
		{"no filter", demo.GuideUser, "", tok, msgMismatch},
		{"other user", demo.CollectorUser, "gamePasses=true;badges=true", tok, msgMismatch},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			params := url.Values{"pageToken": {tt.token}}
			if tt.filter != "" {
				params.Set("filter", tt.filter)
			}
			resp := refused(t, e, func() response { return e.get(inventoryURL(tt.user, params), ownerKey) })
			checkResponse(t, resp, http.StatusBadRequest, v2Error("INVALID_ARGUMENT", tt.msg))
		})
	}
	// The same filter written differently continues the listing.
	t.Run("equivalent filter", func(t *testing.T) {
		params := url.Values{"pageToken": {tok}, "filter": {"badges=true; gamePasses=True;privateServers=false"}}
		resp := e.get(inventoryURL(demo.GuideUser, params), ownerKey)
		if resp.Status != http.StatusOK {
			t.Fatalf("status %d, body %s", resp.Status, resp.Body)
		}
	})
}

// flipMiddle changes a character in the middle of a base64url token.
func flipMiddle(tok string) string {
	i := len(tok) / 2
	repl := byte('A')
	if tok[i] == 'A' {
		repl = 'B'
	}
	return tok[:i] + string(repl) + tok[i+1:]
}

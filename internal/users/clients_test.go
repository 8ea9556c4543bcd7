package users_test

import (
	"encoding/json"
	"fmt"
	"net/http"
	"testing"
	"time"

	"github.com/invcloud/invcloud/internal/demo"
)

// What each client reads from these responses, with the JSON type it
// needs (spec 26, 27): a missing key is a KeyError or undefined there.
func TestClientRequirements(t *testing.T) {
	e := newEnv(t, nil)
	decode := func(r response) map[string]any {
		t.Helper()
		if r.Status != http.StatusOK {
			t.Fatalf("%d %s", r.Status, r.Body)
		}
		var m map[string]any
		if err := json.Unmarshal(r.Body, &m); err != nil {
			t.Fatal(err)
		}
		return m
	}
	has := func(what string, m map[string]any, types map[string]string) {
		t.Helper()
		for k, typ := range types {
			v, ok := m[k]
			got := fmt.Sprintf("%T", v)
			switch {
			case !ok:
				t.Errorf("%s: no %q", what, k)
			case typ == "null" && v != nil, typ != "null" && got != typ:
				t.Errorf("%s: %q is %s (%v), want %s", what, k, got, v, typ)
			}
		}
	}
	const str, num, boolean, null = "string", "float64", "bool", "null"

	// noblox getUserInfo (all 8 keys, created for new Date) and ro.py's User.
	u := decode(e.do(req{target: fmt.Sprint("/v1/users/", demo.GuideUser)}))
	has("GET /v1/users/{id}", u, map[string]string{"description": str, "created": str, "isBanned": boolean,
		"externalAppDisplayName": null, "hasVerifiedBadge": boolean, "id": num, "name": str, "displayName": str})
	if len(u) != 8 {
		t.Errorf("GET /v1/users/{id}: %d keys, noblox's test expects 8", len(u))
	}
	if _, err := time.Parse(time.RFC3339Nano, u["created"].(string)); err != nil {
		t.Error(err)
	}

	// noblox getIdFromUsername: data[].requestedUsername === the name sent, id.
	byName := decode(e.do(jsonPost("/v1/usernames/users", `{"usernames":["tradertom"],"excludeBannedUsers":false}`)))
	data := byName["data"].([]any)
	if len(data) != 1 || data[0].(map[string]any)["requestedUsername"] != "tradertom" {
		t.Fatalf("usernames: %v", byName)
	}
	has("usernames data[0]", data[0].(map[string]any), map[string]string{"requestedUsername": str, "hasVerifiedBadge": boolean,
		"id": num, "name": str, "displayName": str})

	// ro.py get_users: data[] of PartialUser.
	byID := decode(e.do(jsonPost("/v1/users", fmt.Sprintf(`{"userIds": [%d], "excludeBannedUsers": false}`, demo.GuideUser))))
	has("users data[0]", byID["data"].([]any)[0].(map[string]any), map[string]string{"hasVerifiedBadge": boolean, "id": num, "name": str, "displayName": str})

	// ro.py PageIterator needs both cursor keys; noblox stops on a falsy
	// nextPageCursor; previousUsernames is required by ro.py.
	page := decode(e.do(req{target: "/v1/users/search?cursor=&limit=10&sortOrder=Asc&keyword=guide"}))
	has("search", page, map[string]string{"previousPageCursor": null, "nextPageCursor": null})
	has("search data[0]", page["data"].([]any)[0].(map[string]any), map[string]string{"previousUsernames": "[]interface {}",
		"hasVerifiedBadge": boolean, "id": num, "name": str, "displayName": str})

	// rblx-open-cloud User.fetch_info: name, displayName, createTime (dateutil),
	// locale required; the rest read with .get.
	cu := decode(e.do(req{target: fmt.Sprint("/cloud/v2/users/", demo.GuideUser), header: key(keyBoth)}))
	has("cloud user", cu, map[string]string{"path": str, "createTime": str, "id": str, "name": str, "displayName": str,
		"about": str, "locale": str, "premium": boolean, "idVerified": boolean, "socialNetworkProfiles": "map[string]interface {}"})
	has("socialNetworkProfiles", cu["socialNetworkProfiles"].(map[string]any), map[string]string{"facebook": str, "twitter": str,
		"youtube": str, "twitch": str, "guilded": str, "visibility": str})
	if _, err := time.Parse(time.RFC3339, cu["createTime"].(string)); err != nil {
		t.Error(err)
	}
}

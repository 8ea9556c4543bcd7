package users_test

import (
	"encoding/json"
	"flag"
	"fmt"
	"net/http"
	"strings"
	"testing"

	"github.com/invcloud/invcloud/internal/account"
	"github.com/invcloud/invcloud/internal/demo"
	"github.com/invcloud/invcloud/internal/golden"
	"github.com/invcloud/invcloud/internal/inventory"
	"github.com/invcloud/invcloud/internal/store"
)

var update = flag.Bool("update", false, "rewrite golden files")

const goldenDir = "testdata/golden"

// goldenHeaders are the response headers a golden file records (when
// present): the ones clients act on.
var goldenHeaders = []string{"Content-Type", "Cache-Control", "Allow", "X-Csrf-Token", "X-Ratelimit-Limit"}

type goldenCase struct {
	name string
	req  req
	// wrap and setup make the case run on an environment of its own.
	wrap  func(store.Store) store.Store
	setup func(t *testing.T, e *env)
	// status is the expected status; code the legacy error code (-1: not
	// a legacy error), or for Open Cloud errors codeName.
	status, code int
	codeName     string
}

// jsonPost is a POST as noblox.js and ro.py send it: a JSON body with its
// content type, no cookie, no X-CSRF-TOKEN.
func jsonPost(target, body string) req {
	return req{method: http.MethodPost, target: target, body: body, header: map[string]string{"Content-Type": "application/json"}}
}

func withCookie(r req) req {
	r.header["Cookie"] = account.CookieName + "=" + account.CookiePrefix + strings.Repeat("AB", 32)
	return r
}

func names(n int) string {
	q := make([]string, n)
	for i := range q {
		q[i] = fmt.Sprintf("%q", fmt.Sprintf("name%d", i))
	}
	return strings.Join(q, ",")
}

func numbers(n int) string {
	q := make([]string, n)
	for i := range q {
		q[i] = fmt.Sprint(i + 1)
	}
	return strings.Join(q, ",")
}

func key(k string) map[string]string { return map[string]string{"x-api-key": k} }

// pagers creates 12 users named Pager01..Pager12 (ids 3000000001...).
func pagers(t *testing.T, e *env) {
	for i := 1; i <= 12; i++ {
		u := inventory.User{ID: int64(3000000000 + i), Name: fmt.Sprintf("Pager%02d", i), DisplayName: "Page Turner",
			Created: testNow, Visibility: inventory.VisibilityEveryone}
		if err := e.Store.CreateUser(t.Context(), u); err != nil {
			t.Fatal(err)
		}
	}
}

func goldenCases() []goldenCase {
	ok := func(name string, r req) goldenCase { return goldenCase{name: name, req: r, status: 200, code: -1} }
	bad := func(name string, r req, status, code int) goldenCase {
		return goldenCase{name: name, req: r, status: status, code: code}
	}
	cloudBad := func(name string, r req, status int, code string) goldenCase {
		return goldenCase{name: name, req: r, status: status, code: -1, codeName: code}
	}
	get := func(target string) req { return req{target: target} }
	cloud := func(id any, k string) req { return req{target: fmt.Sprint("/cloud/v2/users/", id), header: key(k)} }
	bearer := func(id any, tok string) req {
		return req{target: fmt.Sprint("/cloud/v2/users/", id), header: map[string]string{"Authorization": "Bearer " + tok}}
	}
	const byName, byID = "/v1/usernames/users", "/v1/users"
	return []goldenCase{
		// POST /v1/usernames/users (26.1)
		ok("usernames-noblox", jsonPost(byName, `{"usernames":["GuideUser"],"excludeBannedUsers":false}`)),
		ok("usernames-echo-as-sent", jsonPost(byName, `{"usernames":["guideuser","TRADERTOM","NoSuchUser","GuideUser","guideuser"],"excludeBannedUsers":false}`)),
		ok("usernames-banned-included", jsonPost(byName, `{"usernames":["BannedBarry","PrivatePat"],"excludeBannedUsers":false}`)),
		ok("usernames-banned-excluded", jsonPost(byName, `{"usernames":["BannedBarry","PrivatePat"],"excludeBannedUsers":true}`)),
		ok("usernames-no-exclude-field", jsonPost(byName, `{"usernames":["bannedbarry"]}`)),
		ok("usernames-with-cookie-no-csrf", withCookie(jsonPost(byName, `{"usernames":["UGCMaker"],"excludeBannedUsers":false}`))),
		ok("usernames-empty-body", jsonPost(byName, "")),
		ok("usernames-empty-list", jsonPost(byName, `{"usernames":[],"excludeBannedUsers":false}`)),
		ok("usernames-100", jsonPost(byName, `{"usernames":[`+names(99)+`,"HiddenHank"]}`)),
		ok("usernames-too-long-absent", jsonPost(byName, `{"usernames":["`+strings.Repeat("a", 65)+`",""]}`)),
		bad("usernames-400-2-too-many", jsonPost(byName, `{"usernames":[`+names(101)+`]}`), 400, 2),
		bad("usernames-400-invalid-json", jsonPost(byName, `{"usernames":["GuideUser"`), 400, 0),
		bad("usernames-400-wrong-type", jsonPost(byName, `{"usernames":"GuideUser"}`), 400, 0),
		bad("usernames-400-array-body", jsonPost(byName, `["GuideUser"]`), 400, 0),
		bad("usernames-400-body-too-large", jsonPost(byName, `{"usernames":["`+strings.Repeat("a", 70<<10)+`"]}`), 400, 0),
		bad("usernames-405", get(byName), 405, 0),
		{name: "usernames-500", req: jsonPost(byName, `{"usernames":["GuideUser"]}`), status: 500, code: 0,
			wrap: func(s store.Store) store.Store { return failingStore{Store: s, err: errDisk} }},

		// POST /v1/users (26.2)
		ok("ids-ro-py", jsonPost(byID, fmt.Sprintf(`{"userIds":[%d,%d,999],"excludeBannedUsers":false}`, demo.TraderUser, demo.GuideUser))),
		ok("ids-banned-included", jsonPost(byID, fmt.Sprintf(`{"userIds":[%d,%d],"excludeBannedUsers":false}`, demo.BannedUser, demo.PassUser))),
		ok("ids-banned-excluded", jsonPost(byID, fmt.Sprintf(`{"userIds":[%d,%d],"excludeBannedUsers":true}`, demo.BannedUser, demo.PassUser))),
		ok("ids-string-and-duplicates", jsonPost(byID, fmt.Sprintf(`{"userIds":["%d",%d,0,-5]}`, demo.HiddenUser, demo.HiddenUser))),
		ok("ids-with-cookie-no-csrf", withCookie(jsonPost(byID, fmt.Sprintf(`{"userIds":[%d]}`, demo.GuideUser)))),
		ok("ids-empty-body", jsonPost(byID, "")),
		ok("ids-100", jsonPost(byID, `{"userIds":[`+numbers(100)+`]}`)),
		bad("ids-400-1-too-many", jsonPost(byID, `{"userIds":[`+numbers(101)+`]}`), 400, 1),
		bad("ids-400-fraction", jsonPost(byID, `{"userIds":[1.5]}`), 400, 0),
		bad("ids-400-overflow", jsonPost(byID, `{"userIds":[9223372036854775808]}`), 400, 0),
		bad("ids-400-not-a-number", jsonPost(byID, `{"userIds":["abc"]}`), 400, 0),
		bad("ids-405", req{method: http.MethodDelete, target: byID}, 405, 0),

		// GET /v1/users/{userId} (26.3)
		ok("user-guide", get(fmt.Sprint("/v1/users/", demo.GuideUser))),
		ok("user-no-description", get(fmt.Sprint("/v1/users/", demo.PassUser))),
		ok("user-banned", get(fmt.Sprint("/v1/users/", demo.BannedUser))),
		bad("user-404-3-unknown", get("/v1/users/999"), 404, 3),
		bad("user-404-3-not-a-number", get("/v1/users/abc"), 404, 3),
		bad("user-404-3-zero", get("/v1/users/0"), 404, 3),
		bad("user-404-3-overflow", get("/v1/users/99999999999999999999"), 404, 3),

		// GET /v1/users/search (26.4)
		ok("search-noblox", get("/v1/users/search?keyword=der&limit=10&cursor=")),
		ok("search-ro-py", get("/v1/users/search?cursor=&limit=10&sortOrder=Asc&keyword=GUIDE")),
		ok("search-display-name", get("/v1/users/search?keyword=hidden+h")),
		ok("search-banned-hidden", get("/v1/users/search?keyword=barry")),
		ok("search-no-match", get("/v1/users/search?keyword=nobody")),
		ok("search-too-long", get("/v1/users/search?keyword="+strings.Repeat("a", 51))),
		{name: "search-first-page", req: get("/v1/users/search?keyword=pager&limit=10"), setup: pagers, status: 200, code: -1},
		bad("search-400-6-short", get("/v1/users/search?keyword=ab"), 400, 6),
		bad("search-400-6-missing", get("/v1/users/search"), 400, 6),
		bad("search-400-6-spaces", get("/v1/users/search?keyword=+a+"), 400, 6),
		bad("search-400-limit", get("/v1/users/search?keyword=guide&limit=20"), 400, 0),
		bad("search-400-cursor", get("/v1/users/search?keyword=guide&cursor=abc"), 400, 0),

		// GET /cloud/v2/users/{user_id} (27)
		ok("cloud-user-no-scopes", cloud(demo.GuideUser, keyNone)),
		ok("cloud-user-advanced", cloud(demo.CollectorUser, keyAdvanced)),
		ok("cloud-user-social", cloud(demo.FriendsUser, keySocial)),
		ok("cloud-user-both", cloud(demo.GuideUser, keyBoth)),
		ok("cloud-user-oauth", bearer(demo.TraderUser, "oauth-plain")),
		ok("cloud-user-oauth-advanced", bearer(demo.TraderUser, "oauth-advanced")),
		ok("cloud-user-banned", cloud(demo.BannedUser, keyNone)),
		bad("cloud-user-401-no-key", get(fmt.Sprint("/cloud/v2/users/", demo.GuideUser)), 401, 0),
		bad("cloud-user-401-bad-key", cloud(demo.GuideUser, "not-a-key"), 401, 0),
		bad("cloud-user-401-bad-token", bearer(demo.GuideUser, "expired"), 401, 0),
		cloudBad("cloud-user-400-invalid-id", cloud("abc", keyNone), 400, "INVALID_ARGUMENT"),
		cloudBad("cloud-user-404", cloud(999, keyNone), 404, "NOT_FOUND"),
		bad("cloud-user-405", req{method: http.MethodPost, target: fmt.Sprint("/cloud/v2/users/", demo.GuideUser), header: key(keyNone)}, 405, 0),
	}
}

func TestGolden(t *testing.T) {
	shared := newEnv(t, nil)
	seen := map[string]bool{}
	for _, c := range goldenCases() {
		if seen[c.name] {
			t.Fatalf("duplicate case %s", c.name)
		}
		seen[c.name] = true
		t.Run(c.name, func(t *testing.T) {
			e := shared
			if c.wrap != nil || c.setup != nil {
				e = newEnv(t, c.wrap)
			}
			if c.setup != nil {
				c.setup(t, e)
			}
			resp := e.do(c.req)
			if resp.Status != c.status {
				t.Errorf("status %d, want %d (body %s)", resp.Status, c.status, resp.Body)
			}
			if c.code >= 0 && errorCode(resp.Body) != c.code {
				t.Errorf("error code %d, want %d (body %s)", errorCode(resp.Body), c.code, resp.Body)
			}
			if c.codeName != "" {
				var body struct{ Code string }
				if json.Unmarshal(resp.Body, &body) != nil || body.Code != c.codeName {
					t.Errorf("error %s, want %s", resp.Body, c.codeName)
				}
			}
			if resp.Header.Get("X-Csrf-Token") != "" {
				t.Errorf("x-csrf-token on a users response: clients would resend it")
			}
			checkGolden(t, c.name, resp)
		})
	}
}

// errorCode returns the code of a legacy (or gateway) error body, or -1.
func errorCode(b []byte) int {
	var body struct {
		Errors []struct {
			Code int `json:"code"`
		} `json:"errors"`
	}
	if json.Unmarshal(b, &body) != nil || len(body.Errors) != 1 {
		return -1
	}
	return body.Errors[0].Code
}

func checkGolden(t *testing.T, name string, resp response) {
	t.Helper()
	golden.Files{Dir: goldenDir, Update: *update, Headers: goldenHeaders}.Check(t, name, resp.Status, resp.Header, resp.Body)
}

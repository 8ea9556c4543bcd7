package groups_test

import (
	"encoding/json"
	"flag"
	"fmt"
	"testing"

	"github.com/invcloud/invcloud/internal/account"
	"github.com/invcloud/invcloud/internal/demo"
	"github.com/invcloud/invcloud/internal/golden"
	"github.com/invcloud/invcloud/internal/store"
	"github.com/invcloud/invcloud/wire"
)

var update = flag.Bool("update", false, "rewrite golden files")

const goldenDir = "testdata/golden"

var goldenHeaders = []string{"Content-Type", "Cache-Control", "Allow", "X-Csrf-Token"}

type goldenCase struct {
	name   string
	req    req
	wrap   func(store.Store) store.Store
	status int
	code   int // the legacy error code; -1: not an error
}

// cursorOf returns the nextPageCursor of target's page.
func cursorOf(t *testing.T, e *env, target string) string {
	t.Helper()
	p := decode[wire.LegacyPage[json.RawMessage]](t, e.get(target))
	if p.NextPageCursor == nil {
		t.Fatalf("%s: no next page", target)
	}
	return *p.NextPageCursor
}

func TestGolden(t *testing.T) {
	for _, engine := range engines {
		t.Run(engine, func(t *testing.T) { testGolden(t, engine) })
	}
}

func testGolden(t *testing.T, engine string) {
	shared := newEnvOn(t, engine, nil)
	g := fmt.Sprint("/v1/groups/", demo.GroupID)
	bare := fmt.Sprint("/v1/groups/", bareGroup)
	member := fmt.Sprint(g, "/roles/", demo.GroupRoleMember, "/users")
	next := cursorOf(t, shared, member)
	nextUsers := cursorOf(t, shared, g+"/users")
	ok := func(name, target string) goldenCase {
		return goldenCase{name: name, req: req{target: target}, status: 200, code: -1}
	}
	bad := func(name, target string, status, code int) goldenCase {
		return goldenCase{name: name, req: req{target: target}, status: status, code: code}
	}
	cookie := map[string]string{"Cookie": account.CookieName + "=" + account.CookiePrefix + "ABAB;"}
	fail := func(s store.Store) store.Store { return failingStore{Store: s, err: errDisk} }
	down := func(s store.Store) store.Store { return downStore{failingStore{Store: s, err: errDisk}} }
	cases := []goldenCase{
		// GET /v1/groups/{groupId} (30)
		ok("group", g),
		{name: "group-with-cookie", req: req{target: g, header: cookie}, status: 200, code: -1},
		ok("group-no-owner-no-shout-locked", bare),
		bad("group-400-1-unknown", "/v1/groups/999999999", 400, 1),
		bad("group-400-1-not-a-number", "/v1/groups/abc", 400, 1),
		bad("group-400-1-zero", "/v1/groups/0", 400, 1),
		{name: "group-500", req: req{target: g}, wrap: fail, status: 500, code: 0},
		{name: "group-503-store-down", req: req{target: g}, wrap: down, status: 503, code: 0},

		// GET /v1/groups/{groupId}/roles (31)
		ok("roles", g+"/roles"),
		ok("roles-bare", bare+"/roles"),
		bad("roles-400-1-unknown", "/v1/groups/999999999/roles", 400, 1),

		// GET /v1/groups/{groupId}/roles/{roleSetId}/users (32)
		ok("role-users", member),
		ok("role-users-page-2", member+"?cursor="+next),
		ok("role-users-noblox-desc", member+"?cursor=&limit=100&sortOrder=Desc"),
		ok("role-users-owner", fmt.Sprint(g, "/roles/", demo.GroupRoleOwner, "/users")),
		ok("role-users-guest-empty", fmt.Sprint(g, "/roles/", demo.GroupRoleGuest, "/users")),
		bad("role-users-403-2-unknown-role", g+"/roles/99999999/users", 403, 2),
		bad("role-users-403-2-other-groups-role", fmt.Sprint(g, "/roles/", bareRoleMember, "/users"), 403, 2),
		bad("role-users-403-2-not-a-number", g+"/roles/x/users", 403, 2),
		bad("role-users-400-1-unknown-group", fmt.Sprint("/v1/groups/999999999/roles/", demo.GroupRoleMember, "/users"), 400, 1),
		bad("role-users-400-limit", member+"?limit=20", 400, 0),
		bad("role-users-400-sort", member+"?sortOrder=Sideways", 400, 0),
		bad("role-users-400-36-cursor", member+"?cursor=garbage", 400, 36),
		bad("role-users-400-36-cursor-of-other-order", member+"?sortOrder=Desc&cursor="+next, 400, 36),

		// GET /v1/groups/{groupId}/users (33)
		ok("users", g+"/users"),
		ok("users-page-2", g+"/users?cursor="+nextUsers),
		ok("users-desc-25", g+"/users?limit=25&sortOrder=Desc"),
		ok("users-bare-empty", bare+"/users"),
		bad("users-400-1-unknown", "/v1/groups/999999999/users", 400, 1),
		bad("users-400-limit", g+"/users?limit=0", 400, 0),
		bad("users-400-sort", g+"/users?sortOrder=up", 400, 0),
		bad("users-400-36-cursor", g+"/users?cursor=garbage", 400, 36),
		bad("users-400-36-cursor-of-role-listing", g+"/users?cursor="+next, 400, 36),
		{name: "users-500", req: req{target: g + "/users"}, wrap: fail, status: 500, code: 0},
	}
	seen := map[string]bool{}
	for _, c := range cases {
		if seen[c.name] {
			t.Fatalf("duplicate case %s", c.name)
		}
		seen[c.name] = true
		t.Run(c.name, func(t *testing.T) {
			e := shared
			if c.wrap != nil {
				e = newEnvOn(t, engine, c.wrap)
			}
			resp := e.do(c.req)
			if resp.Status != c.status {
				t.Errorf("status %d, want %d (body %s)", resp.Status, c.status, resp.Body)
			}
			if c.code >= 0 && errorCode(resp.Body) != c.code {
				t.Errorf("error code %d, want %d (body %s)", errorCode(resp.Body), c.code, resp.Body)
			}
			if resp.Header.Get("X-Csrf-Token") != "" {
				t.Errorf("x-csrf-token on a groups GET: clients would resend it")
			}
			checkGolden(t, c.name, resp)
		})
	}
}

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

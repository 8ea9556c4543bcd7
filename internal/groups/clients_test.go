package groups_test

import (
	"encoding/json"
	"fmt"
	"net/url"
	"slices"
	"testing"
	"time"

	"github.com/invcloud/invcloud/internal/demo"
	"github.com/invcloud/invcloud/internal/store"
)

const str, num, boolean, null, object, array = "string", "float64", "bool", "null", "map[string]interface {}", "[]interface {}"

// has checks that m has every key of types with its JSON type.
func has(t *testing.T, what string, m map[string]any, types map[string]string) {
	t.Helper()
	for k, typ := range types {
		v, ok := m[k]
		got := fmt.Sprintf("%T", v)
		switch {
		case !ok:
			t.Errorf("%s: no %q", what, k)
		case typ == null && v != nil, typ != null && got != typ:
			t.Errorf("%s: %q is %s (%v), want %s", what, k, got, v, typ)
		}
	}
}

var userModel = map[string]string{"hasVerifiedBadge": boolean, "userId": num, "username": str, "displayName": str}

// What noblox.js (getGroup, getShout, getRoles, getRole, changeRank,
// getPlayers) and ro.py (Group, Shout, Role, Member, PartialUser) read from
// these responses, with the JSON type each needs (spec 28, 29.2, 30-33).
func TestClientRequirements(t *testing.T) {
	e := newEnv(t, nil)
	g := fmt.Sprint("/v1/groups/", demo.GroupID)

	// noblox getGroup (test/groups.test.js) and ro.py Group: every key of
	// the detail, owner and shout; shout dates parse (noblox new Date,
	// ro.py isoparse), and as onShout cuts them at the last '.'.
	d := decode[map[string]any](t, e.get(g))
	has(t, "group", d, map[string]string{"id": num, "name": str, "description": str, "owner": object, "shout": object,
		"memberCount": num, "isBuildersClubOnly": boolean, "publicEntryAllowed": boolean, "hasVerifiedBadge": boolean})
	if d["id"] != float64(demo.GroupID) {
		t.Errorf("group id %v: noblox compares ids as numbers", d["id"])
	}
	has(t, "group owner", d["owner"].(map[string]any), userModel)
	shout := d["shout"].(map[string]any)
	has(t, "group shout", shout, map[string]string{"body": str, "poster": object, "created": str, "updated": str})
	has(t, "group shout poster", shout["poster"].(map[string]any), userModel)
	for _, k := range []string{"created", "updated"} {
		if _, err := time.Parse(time.RFC3339Nano, shout[k].(string)); err != nil {
			t.Errorf("shout %s: %v", k, err)
		}
	}
	// ro.py: owner and shout may be null (Group.__init__ checks for None).
	b := decode[map[string]any](t, e.get(fmt.Sprint("/v1/groups/", bareGroup)))
	has(t, "bare group", b, map[string]string{"owner": null, "shout": null, "isLocked": boolean})

	// noblox getRoles: .roles sorted by rank, id/name/rank/memberCount
	// numbers; getRole treats numbers <= 255 as ranks, so role ids are
	// > 255; changeRank walks the list and refuses Guest at rank 0.
	// ro.py get_roles: ["roles"], Role needs id, name, rank.
	rs := decode[map[string]any](t, e.get(g+"/roles"))
	has(t, "roles", rs, map[string]string{"groupId": num, "roles": array})
	roles := rs["roles"].([]any)
	var ranks []float64
	for i, r := range roles {
		m := r.(map[string]any)
		has(t, fmt.Sprint("roles[", i, "]"), m, map[string]string{"id": num, "name": str, "description": str, "rank": num, "memberCount": num})
		if m["id"].(float64) <= 255 {
			t.Errorf("role id %v <= 255: noblox getRole would take it for a rank", m["id"])
		}
		ranks = append(ranks, m["rank"].(float64))
	}
	if !slices.IsSorted(ranks) || len(ranks) == 0 || ranks[0] != store.GuestRank || roles[0].(map[string]any)["name"] != "Guest" {
		t.Errorf("roles %v: ascending by rank, Guest (0) first", ranks)
	}

	// noblox getPlayers: every roleset, ?cursor=&limit=100&sortOrder=Desc,
	// following nextPageCursor until it is null (not absent, not "");
	// ro.py's PageIterator reads both cursor keys.
	total := 0
	for _, r := range roles {
		id := int64(r.(map[string]any)["id"].(float64))
		cursor, seen := "", 0
		for pages := 0; ; pages++ {
			if pages > 50 {
				t.Fatalf("role %d: getPlayers does not terminate", id)
			}
			p := decode[map[string]any](t, e.get(fmt.Sprintf("%s/roles/%d/users?cursor=%s&limit=100&sortOrder=Desc", g, id, url.QueryEscape(cursor))))
			has(t, "role users", p, map[string]string{"data": array})
			for _, k := range []string{"previousPageCursor", "nextPageCursor"} {
				if _, ok := p[k]; !ok {
					t.Fatalf("role users: no %q", k)
				}
			}
			for _, u := range p["data"].([]any) {
				has(t, "role user", u.(map[string]any), userModel)
				seen++
			}
			if p["nextPageCursor"] == nil {
				break
			}
			cursor = p["nextPageCursor"].(string)
		}
		if want := int(r.(map[string]any)["memberCount"].(float64)); seen != want {
			t.Errorf("role %d: getPlayers saw %d users, memberCount %d", id, seen, want)
		}
		total += seen
	}
	if total != int(d["memberCount"].(float64)) {
		t.Errorf("getPlayers over every role: %d users, group memberCount %v", total, d["memberCount"])
	}

	// ro.py get_members: Member needs user{userId, username, displayName,
	// hasVerifiedBadge} and role{id, name, rank}.
	m := decode[map[string]any](t, e.get(g+"/users?limit=10&sortOrder=Asc&cursor="))
	has(t, "users page", m, map[string]string{"previousPageCursor": null, "nextPageCursor": str, "data": array})
	for _, it := range m["data"].([]any) {
		im := it.(map[string]any)
		has(t, "member", im, map[string]string{"user": object, "role": object})
		has(t, "member user", im["user"].(map[string]any), userModel)
		has(t, "member role", im["role"].(map[string]any), map[string]string{"id": num, "name": str, "rank": num})
	}
}

// Both listings, both orders, every limit: walking forward sees every
// member once in order; walking back from the last page retraces it.
func TestPaging(t *testing.T) {
	for _, engine := range engines {
		t.Run(engine, func(t *testing.T) { testPaging(t, newEnvOn(t, engine, nil)) })
	}
}

func testPaging(t *testing.T, e *env) {
	type page struct {
		Prev *string         `json:"previousPageCursor"`
		Next *string         `json:"nextPageCursor"`
		Data json.RawMessage `json:"data"`
	}
	ids := func(t *testing.T, raw json.RawMessage) []int64 {
		var flat []struct {
			UserID int64 `json:"userId"`
			User   struct {
				UserID int64 `json:"userId"`
			} `json:"user"`
		}
		if err := json.Unmarshal(raw, &flat); err != nil {
			t.Fatal(err)
		}
		out := make([]int64, len(flat))
		for i, f := range flat {
			out[i] = f.UserID + f.User.UserID
		}
		return out
	}
	g := fmt.Sprint("/v1/groups/", demo.GroupID)
	listings := map[string]int{g + "/users": 1 + len(demo.GroupMembers) + extraMembers,
		fmt.Sprint(g, "/roles/", demo.GroupRoleMember, "/users"): 9 + extraMembers}
	for base, count := range listings {
		for _, order := range []string{"Asc", "Desc"} {
			for _, limit := range []int{10, 25} {
				t.Run(fmt.Sprint(base, order, limit), func(t *testing.T) {
					target := func(c string) string {
						return fmt.Sprintf("%s?limit=%d&sortOrder=%s&cursor=%s", base, limit, order, url.QueryEscape(c))
					}
					var all []int64
					var pages []page
					cursor := ""
					for {
						p := decode[page](t, e.get(target(cursor)))
						pages = append(pages, p)
						all = append(all, ids(t, p.Data)...)
						if p.Next == nil {
							break
						}
						cursor = *p.Next
					}
					if pages[0].Prev != nil {
						t.Error("first page has a previous cursor")
					}
					want := slices.Clone(all)
					slices.Sort(want)
					if order == "Desc" {
						slices.Reverse(want)
					}
					if len(all) != count || !slices.Equal(all, want) || len(slices.Compact(slices.Clone(want))) != count {
						t.Fatalf("walked %v, want %d distinct in %s order", all, count, order)
					}
					// Back from the last page.
					for i := len(pages) - 1; i > 0; i-- {
						if pages[i].Prev == nil {
							t.Fatalf("page %d has no previous cursor", i)
						}
						p := decode[page](t, e.get(target(*pages[i].Prev)))
						if !slices.Equal(ids(t, p.Data), ids(t, pages[i-1].Data)) {
							t.Errorf("back to page %d: %v, want %v", i-1, ids(t, p.Data), ids(t, pages[i-1].Data))
						}
					}
				})
			}
		}
	}
}

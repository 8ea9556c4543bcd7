package server_test

import (
	"bufio"
	"context"
	"crypto/md5"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"net/http/httptest"
	"net/url"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/invcloud/invcloud/internal/account"
	"github.com/invcloud/invcloud/internal/demo"
	"github.com/invcloud/invcloud/internal/inventory"
	"github.com/invcloud/invcloud/internal/legacy"
	"github.com/invcloud/invcloud/internal/server"
	"github.com/invcloud/invcloud/internal/store"
)

// noblox replays noblox.js 7.4.0 (lib/util/http.js and the functions of
// spec 28's call map) byte for byte: the request line and header lines
// postman-request and Node write, in their order and case, the cookie as
// session_only writes it (".ROBLOSECURITY=<value>;"), x-api-key beside it
// once setAPIKey was called, the X-CSRF-TOKEN cache of 1800 s per md5 of
// the cookie, and the retry on a 403 that carries a token when the request
// sent one (at most 3 tries).
type noblox struct {
	t    *testing.T
	addr string // where invcloud listens
	// host is the Host header for a Roblox host: the Roblox name (DNS
	// pointed at invcloud) or invcloud's address (the base URL changed).
	host    func(robloxHost string) string
	session string // options.jar.session (setCookie)
	apiKey  string // setAPIKey; "" for none
	clock   func() time.Time
	cache   map[string]cached // cache.XCSRF, keyed by md5 of the session
	wire    []string          // every request as sent, for the log
}

type cached struct {
	token   string
	expires time.Time
}

// rawResponse is a response as Node hands it to noblox: lower-case header
// names, the body as text.
type rawResponse struct {
	status  int
	headers http.Header
	body    string
}

// send writes one request exactly as Node does and reads the answer.
// headers are the options' headers in their order, before http.js adds the
// cookie; jar says whether the options carry a jar key (so the cookie and
// x-api-key); jsonBody is options.json when it is an object.
func (n *noblox) send(method, robloxHost, target string, headers [][2]string, jar, acceptJSON bool, jsonBody []byte) rawResponse {
	n.t.Helper()
	var b strings.Builder
	fmt.Fprintf(&b, "%s %s HTTP/1.1\r\n", method, target)
	line := func(k, v string) { fmt.Fprintf(&b, "%s: %s\r\n", k, v) }
	line("user-agent", "noblox-7.4.0") // request.defaults({headers: {'user-agent': `noblox-${version}`}})
	for _, h := range headers {
		line(strings.ToLower(h[0]), h[1]) // http.js lower-cases option headers
	}
	if jar {
		line("cookie", account.CookieName+"="+n.session+";")
		if n.apiKey != "" { // an undefined header is dropped by postman-request
			line("x-api-key", n.apiKey)
		}
	}
	if jsonBody != nil {
		line("content-type", "application/json")
	}
	line("host", n.host(robloxHost))
	if acceptJSON {
		line("accept", "application/json")
	}
	line("accept-encoding", "gzip, deflate") // gzip: true
	switch {
	case jsonBody != nil:
		line("content-length", fmt.Sprint(len(jsonBody)))
	case method == http.MethodPost:
		line("Content-Length", "0") // Node's end() of a bodiless POST; none for GET, DELETE
	}
	line("Connection", "keep-alive") // forever: true
	b.WriteString("\r\n")
	b.Write(jsonBody)
	n.wire = append(n.wire, b.String())

	conn, err := net.Dial("tcp", n.addr)
	if err != nil {
		n.t.Fatal(err)
	}
	defer conn.Close()
	if _, err := io.WriteString(conn, b.String()); err != nil {
		n.t.Fatal(err)
	}
	res, err := http.ReadResponse(bufio.NewReader(conn), nil)
	if err != nil {
		n.t.Fatalf("%s %s: %v", method, target, err)
	}
	defer res.Body.Close()
	body, err := io.ReadAll(res.Body)
	if err != nil {
		n.t.Fatal(err)
	}
	return rawResponse{status: res.StatusCode, headers: res.Header, body: string(body)}
}

// http is lib/util/http.js's exports.func: the request, and the CSRF
// retry when the request carried x-csrf-token.
func (n *noblox) http(method, robloxHost, target string, headers [][2]string, jar, acceptJSON bool, jsonBody []byte) rawResponse {
	n.t.Helper()
	for depth := 0; ; depth++ {
		res := n.send(method, robloxHost, target, headers, jar, acceptJSON, jsonBody)
		i := slices.IndexFunc(headers, func(h [2]string) bool { return strings.EqualFold(h[0], "x-csrf-token") })
		if res.status == http.StatusForbidden && res.headers.Get("x-csrf-token") != "" && i >= 0 {
			if depth >= 2 {
				n.t.Fatalf("Tried %d times and could not refresh XCSRF token successfully", depth+1)
			}
			headers = slices.Clone(headers)
			headers[i][1] = res.headers.Get("x-csrf-token")
			continue
		}
		if depth > 0 {
			n.cache[n.hash()] = cached{headers[i][1], n.clock().Add(1800 * time.Second)}
		}
		return res
	}
}

func (n *noblox) hash() string {
	h := md5.Sum([]byte(n.session))
	return hex.EncodeToString(h[:])
}

// setCookie is lib/client/setCookie.js with validation
// (lib/util/getAuthenticatedUser.js): GET, followRedirect false, json.
func (n *noblox) setCookie(cookie string) map[string]any {
	n.t.Helper()
	if !strings.Contains(strings.ToLower(cookie), "warning:-") {
		n.t.Error("Warning: No Roblox warning detected in provided cookie.")
	}
	prev := n.session
	n.session = cookie
	res := n.http(http.MethodGet, "users.roblox.com", "/v1/users/authenticated", nil, true, true, nil)
	if res.status == http.StatusUnauthorized {
		n.session = prev
		n.t.Fatalf("setCookie: You are not logged in. (%s)", res.body)
	}
	if res.status != http.StatusOK {
		n.t.Fatalf("setCookie: %d %s", res.status, res.body)
	}
	var user map[string]any
	if err := json.Unmarshal([]byte(res.body), &user); err != nil {
		n.t.Fatalf("setCookie: %v (%s)", err, res.body)
	}
	return user
}

// getGeneralToken is lib/util/getGeneralToken.js: POST
// //auth.roblox.com/v2/logout, no body, no token; only the header is read,
// not the status. Cached per md5 of the cookie for 1800 s.
func (n *noblox) getGeneralToken() string {
	n.t.Helper()
	if c, ok := n.cache[n.hash()]; ok && n.clock().Before(c.expires) {
		return c.token
	}
	res := n.http(http.MethodPost, "auth.roblox.com", "/v2/logout", nil, true, false, nil)
	tok := res.headers.Get("x-csrf-token")
	if tok == "" {
		n.t.Fatalf("getGeneralToken: Did not receive X-CSRF-TOKEN (%d %s)", res.status, res.body)
	}
	n.cache[n.hash()] = cached{tok, n.clock().Add(1800 * time.Second)}
	return tok
}

// getIdFromUsername is lib/users/getIdFromUsername.js: POST JSON, no jar,
// results found by an exact echo of each name.
func (n *noblox) getIdFromUsername(names ...string) []any {
	n.t.Helper()
	body, _ := json.Marshal(map[string]any{"usernames": names, "excludeBannedUsers": false})
	res := n.http(http.MethodPost, "users.roblox.com", "/v1/usernames/users", nil, false, true, body)
	if res.status != http.StatusOK {
		n.t.Fatalf("getIdFromUsername: %d %s", res.status, res.body)
	}
	var out struct {
		Data []struct {
			RequestedUsername string `json:"requestedUsername"`
			ID                int64  `json:"id"`
		} `json:"data"`
	}
	if err := json.Unmarshal([]byte(res.body), &out); err != nil {
		n.t.Fatal(err)
	}
	ids := make([]any, len(names))
	for i, name := range names {
		if j := slices.IndexFunc(out.Data, func(r struct {
			RequestedUsername string `json:"requestedUsername"`
			ID                int64  `json:"id"`
		}) bool {
			return r.RequestedUsername == name
		}); j >= 0 {
			ids[i] = out.Data[j].ID
		}
	}
	return ids
}

// getOwnership is lib/inventory/getOwnership.js: no jar, so no cookie.
func (n *noblox) getOwnership(userID, itemTargetID int64, itemType string) bool {
	n.t.Helper()
	res := n.http(http.MethodGet, "inventory.roblox.com", fmt.Sprintf("/v1/users/%d/items/%s/%d", userID, itemType, itemTargetID), nil, false, false, nil)
	if res.status != http.StatusOK {
		n.t.Fatalf("getOwnership: RobloxAPIError %d %s", res.status, res.body)
	}
	var body struct {
		Data []json.RawMessage `json:"data"`
	}
	if err := json.Unmarshal([]byte(res.body), &body); err != nil {
		n.t.Fatal(err)
	}
	return len(body.Data) > 0
}

// getCollectibles is lib/inventory/getCollectibles.js through
// lib/util/getPageResults.js: qs {limit (nearest of 10/25/50/100), cursor
// (empty at first), assetType}; sortOrder is never sent; stops at limit, an empty
// page or a falsy nextPageCursor.
func (n *noblox) getCollectibles(userID int64, assetType string, limit int) []map[string]any {
	n.t.Helper()
	page := 100
	if limit <= 100 {
		page = 10
		for _, l := range []int{10, 25, 50, 100} {
			if abs(l-limit) < abs(page-limit) {
				page = l
			}
		}
	}
	var results []map[string]any
	cursor := ""
	for {
		q := fmt.Sprintf("limit=%d&cursor=%s", page, url.QueryEscape(cursor))
		if assetType != "" {
			q += "&assetType=" + url.QueryEscape(assetType)
		}
		res := n.http(http.MethodGet, "inventory.roblox.com", fmt.Sprintf("/v1/users/%d/assets/collectibles?%s", userID, q), nil, true, true, nil)
		if res.status != http.StatusOK {
			n.t.Fatalf("getCollectibles: RobloxAPIError %d %s", res.status, res.body)
		}
		var body struct {
			NextPageCursor *string          `json:"nextPageCursor"`
			Data           []map[string]any `json:"data"`
		}
		if err := json.Unmarshal([]byte(res.body), &body); err != nil {
			n.t.Fatal(err)
		}
		if body.NextPageCursor != nil && *body.NextPageCursor == "" {
			// Spec 23.4: "" is falsy here, but noblox's getPlayers stops
			// only at null, and an empty cursor re-fetches page 1.
			n.t.Errorf("getCollectibles: nextPageCursor \"\" (%s), want null on the last page", res.body)
		}
		results = append(results, body.Data...)
		if len(results) > limit {
			results = results[:limit]
		}
		if len(results) >= limit || len(body.Data) == 0 || body.NextPageCursor == nil || *body.NextPageCursor == "" {
			return results
		}
		cursor = *body.NextPageCursor
	}
}

func abs(x int) int {
	if x < 0 {
		return -x
	}
	return x
}

// getJSON is a GET with json: true whose answer must be 200.
func (n *noblox) getJSON(what, robloxHost, target string, jar bool) map[string]any {
	n.t.Helper()
	res := n.http(http.MethodGet, robloxHost, target, nil, jar, true, nil)
	if res.status != http.StatusOK {
		n.t.Fatalf("%s: RobloxAPIError %d %s", what, res.status, res.body)
	}
	var m map[string]any
	if err := json.Unmarshal([]byte(res.body), &m); err != nil {
		n.t.Fatalf("%s: %v", what, err)
	}
	return m
}

// getGroup is lib/groups/getGroup.js: no jar; the shout's dates become
// Dates.
func (n *noblox) getGroup(groupID int64) map[string]any {
	n.t.Helper()
	g := n.getJSON("getGroup", "groups.roblox.com", fmt.Sprintf("/v1/groups/%d", groupID), false)
	if sh, ok := g["shout"].(map[string]any); ok {
		for _, k := range []string{"created", "updated"} {
			if _, err := time.Parse(time.RFC3339Nano, fmt.Sprint(sh[k])); err != nil {
				n.t.Errorf("getGroup: shout.%s %v is no date", k, sh[k])
			}
		}
	}
	return g
}

// getRoles is lib/groups/getRoles.js: no jar; .roles sorted by rank, each
// given ID = id.
func (n *noblox) getRoles(groupID int64) []map[string]any {
	n.t.Helper()
	body := n.getJSON("getRoles", "groups.roblox.com", fmt.Sprintf("/v1/groups/%d/roles", groupID), false)
	list, _ := body["roles"].([]any)
	roles := make([]map[string]any, 0, len(list))
	for _, r := range list {
		m := r.(map[string]any)
		m["ID"] = m["id"]
		roles = append(roles, m)
	}
	slices.SortStableFunc(roles, func(a, b map[string]any) int { return int(a["rank"].(float64) - b["rank"].(float64)) })
	return roles
}

// getRole is lib/groups/getRole.js for a number: <= 255 a rank, else a
// role id; exactly one role must match.
func (n *noblox) getRole(groupID int64, q int64) map[string]any {
	n.t.Helper()
	key := "id"
	if q <= 255 {
		key = "rank"
	}
	var found []map[string]any
	for _, r := range n.getRoles(groupID) {
		if r[key] == float64(q) {
			found = append(found, r)
		}
	}
	if len(found) != 1 {
		n.t.Fatalf("getRole(%d): %d roles match", q, len(found))
	}
	return found[0]
}

// getPlayers is lib/groups/getPlayers.js: per roleset, jar (the cookie
// when set), ?cursor=&limit=100&sortOrder=Desc, following nextPageCursor
// until it is null.
func (n *noblox) getPlayers(groupID int64, roleIDs ...int64) []map[string]any {
	n.t.Helper()
	var players []map[string]any
	for _, r := range roleIDs {
		cursor := ""
		for pages := 0; ; pages++ {
			if pages > 100 {
				n.t.Fatalf("getPlayers(%d, %d): does not end", groupID, r)
			}
			body := n.getJSON("getPlayers", "groups.roblox.com",
				fmt.Sprintf("/v1/groups/%d/roles/%d/users?cursor=%s&limit=100&sortOrder=Desc", groupID, r, url.QueryEscape(cursor)), true)
			for _, u := range body["data"].([]any) {
				players = append(players, u.(map[string]any))
			}
			next, ok := body["nextPageCursor"]
			if !ok {
				n.t.Fatalf("getPlayers: no nextPageCursor key (noblox would send cursor=undefined)")
			}
			if next == nil {
				break
			}
			cursor = next.(string)
		}
	}
	return players
}

// deleteFromInventory is lib/asset/deleteFromInventory.js: getGeneralToken,
// then DELETE with headers {'X-CSRF-TOKEN': xcsrf}, no body.
func (n *noblox) deleteFromInventory(assetID int64) rawResponse {
	n.t.Helper()
	tok := n.getGeneralToken()
	return n.http(http.MethodDelete, "inventory.roblox.com", fmt.Sprintf("/v2/inventory/asset/%d", assetID), [][2]string{{"X-CSRF-TOKEN", tok}}, true, false, nil)
}

// testClock is the server's clock, which the test moves.
type testClock struct {
	mu  sync.Mutex
	now time.Time
}

func (c *testClock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.now
}

func (c *testClock) advance(d time.Duration) {
	c.mu.Lock()
	c.now = c.now.Add(d)
	c.mu.Unlock()
}

// TestNobloxCallMap runs spec 28's call map for noblox.js against the real
// server on demo data, once with Roblox's host names in the Host header (a
// bot whose DNS points at invcloud) and once with invcloud's address (the
// base URL changed): setCookie (validated), getIdFromUsername,
// getOwnership, getCollectibles, getGroup, getRoles, getRole, getPlayers,
// getGeneralToken (the session survives) and deleteFromInventory, including a token noblox still holds from its
// 30-minute cache after invcloud rotated it.
func TestNobloxCallMap(t *testing.T) {
	for _, mode := range []string{"roblox-hosts", "base-url"} {
		t.Run(mode, func(t *testing.T) {
			ctx := context.Background()
			s, err := server.OpenStore(ctx, "sqlite:"+filepath.Join(t.TempDir(), "s.db"))
			if err != nil {
				t.Fatal(err)
			}
			t.Cleanup(func() { s.Close() })
			clock := &testClock{now: time.Date(2026, 6, 1, 12, 0, 0, 0, time.UTC)}
			if err := demo.Load(ctx, s, clock.Now()); err != nil {
				t.Fatal(err)
			}
			h, err := server.New(ctx, server.Config{Store: s, Log: slog.New(slog.DiscardHandler), Now: clock.Now})
			if err != nil {
				t.Fatal(err)
			}
			srv := httptest.NewServer(h)
			t.Cleanup(srv.Close)
			addr := strings.TrimPrefix(srv.URL, "http://")
			host := func(rh string) string { return rh }
			if mode == "base-url" {
				host = func(string) string { return addr }
			}
			// The cookie as the site issues it (account.NewSessionToken, as
			// sign-in on /login does).
			const trader = demo.TraderUser
			cookie, hash, err := account.NewSessionToken()
			if err != nil {
				t.Fatal(err)
			}
			secret := []byte("csrf secret of the call map")
			if err := s.CreateSession(ctx, store.Session{Hash: hash, UserID: trader, CSRFSecret: secret,
				Created: clock.Now(), Expires: clock.Now().Add(30 * 24 * time.Hour)}); err != nil {
				t.Fatal(err)
			}
			n := &noblox{t: t, addr: addr, host: host, clock: clock.Now, cache: map[string]cached{}}
			defer func() {
				if t.Failed() {
					t.Logf("requests sent:\n%s", strings.Join(n.wire, "\n"))
				}
			}()

			// setCookie(cookie): validated at /v1/users/authenticated.
			user := n.setCookie(cookie)
			if fmt.Sprint(user) != fmt.Sprint(map[string]any{"id": float64(trader), "name": "TraderTom", "displayName": user["displayName"]}) || len(user) != 3 {
				t.Errorf("setCookie: %v", user)
			}

			// getIdFromUsername: exact echo, case-insensitive match, unknown -> null.
			if ids := n.getIdFromUsername("TraderTom", "guideuser", "x"); fmt.Sprint(ids) != fmt.Sprint([]any{trader, demo.GuideUser, nil}) {
				t.Errorf("getIdFromUsername: %v", ids)
			}

			// getOwnership (itemType default Asset; GamePass): no cookie.
			for _, c := range []struct {
				user, item int64
				typ        string
				want       bool
			}{
				{demo.GuideUser, 1028595, "Asset", true},
				{demo.GuideUser, 62724852, "Asset", false},
				{demo.GuideUser, 777777, "GamePass", true},
			} {
				if got := n.getOwnership(c.user, c.item, c.typ); got != c.want {
					t.Errorf("getOwnership(%d, %d, %s) = %v, want %v", c.user, c.item, c.typ, got, c.want)
				}
			}

			// getCollectibles: every page (limit beyond the total), then a
			// limit of 15 (pages of 10, so the cursor is followed once), and
			// one asset type.
			all := n.getCollectibles(demo.CollectorUser, "", 1000)
			if len(all) <= 15 {
				t.Fatalf("getCollectibles: %d collectibles, want more than 15 to page", len(all))
			}
			first := n.getCollectibles(demo.CollectorUser, "", 15)
			if len(first) != 15 || fmt.Sprint(first) != fmt.Sprint(all[:15]) {
				t.Errorf("getCollectibles(limit 15): %d items, not the first 15 of %d", len(first), len(all))
			}
			if !slices.ContainsFunc(n.wire, func(w string) bool {
				return strings.Contains(w, "?limit=10&cursor=") && !strings.Contains(w, "?limit=10&cursor= ")
			}) {
				t.Error("getCollectibles(limit 15) never followed a nextPageCursor")
			}
			hats := n.getCollectibles(demo.CollectorUser, "Hat", 1000)
			if len(hats) == 0 || len(hats) >= len(all) {
				t.Errorf("getCollectibles(Hat): %d of %d", len(hats), len(all))
			}

			// getGroup, getRoles, getRole, getPlayers (groups.roblox.com): ids
			// as numbers, Guest listed, every member of every role once.
			grp := n.getGroup(demo.GroupID)
			if grp["id"] != float64(demo.GroupID) || grp["owner"].(map[string]any)["userId"] != float64(demo.GuideUser) {
				t.Errorf("getGroup: %v", grp)
			}
			roles := n.getRoles(demo.GroupID)
			if len(roles) != len(demo.GroupRoles) || roles[0]["name"] != "Guest" || roles[len(roles)-1]["rank"] != float64(255) {
				t.Errorf("getRoles: %v", roles)
			}
			if r := n.getRole(demo.GroupID, 100); r["ID"] != float64(demo.GroupRoleModerator) {
				t.Errorf("getRole(100): %v", r)
			}
			var roleIDs []int64
			for _, r := range roles {
				roleIDs = append(roleIDs, int64(r["ID"].(float64)))
			}
			players := n.getPlayers(demo.GroupID, roleIDs...)
			seen := map[any]bool{}
			for _, p := range players {
				seen[p["userId"]] = true
			}
			if len(players) != int(grp["memberCount"].(float64)) || len(seen) != len(players) || !seen[float64(demo.GuideUser)] {
				t.Errorf("getPlayers: %d players (%d distinct), memberCount %v", len(players), len(seen), grp["memberCount"])
			}

			// getGeneralToken: the tokenless logout hands out the token and
			// ends nothing.
			tok := n.getGeneralToken()
			if len(tok) != 12 {
				t.Errorf("token %q", tok)
			}
			if again := n.setCookie(cookie); again["id"] != float64(trader) {
				t.Fatal("the session did not survive getGeneralToken")
			}

			// deleteFromInventory: the cached token, then the DELETE.
			deletable := deletableAssets(t, s, trader)
			if res := n.deleteFromInventory(deletable[0]); res.status != http.StatusOK || res.body != "{}" {
				t.Fatalf("deleteFromInventory(%d): %d %s", deletable[0], res.status, res.body)
			}
			if n.getOwnership(trader, deletable[0], "Asset") {
				t.Errorf("asset %d still owned after deleteFromInventory", deletable[0])
			}
			// 25 minutes on: noblox still trusts its cached token (1800 s),
			// invcloud has rotated it (10-20 minutes): the 403 with a fresh
			// token, noblox's retry, success.
			clock.advance(25 * time.Minute)
			before := len(n.wire)
			if res := n.deleteFromInventory(deletable[1]); res.status != http.StatusOK {
				t.Fatalf("deleteFromInventory with a stale cached token: %d %s", res.status, res.body)
			}
			if got := len(n.wire) - before; got != 2 {
				t.Errorf("%d requests for the stale-token delete, want 2 (the 403, the retry)", got)
			}
			if n.cache[n.hash()].token != legacy.CSRFToken(secret, clock.Now()) {
				t.Errorf("noblox's cache was not refreshed with the new token")
			}
			if again := n.setCookie(cookie); again["id"] != float64(trader) {
				t.Fatal("the session did not survive the state-changing calls")
			}

			// With setAPIKey: x-api-key rides along with the cookie on every
			// jar request, and the legacy hosts ignore it.
			n.apiKey = demo.Keys[0].Secret
			if u := n.setCookie(cookie); u["id"] != float64(trader) {
				t.Errorf("setCookie with x-api-key: %v", u)
			}
			if got := n.getCollectibles(demo.CollectorUser, "", 15); len(got) != 15 {
				t.Errorf("getCollectibles with x-api-key: %d items", len(got))
			}
			if res := n.deleteFromInventory(deletable[2]); res.status != http.StatusOK {
				t.Errorf("deleteFromInventory with x-api-key: %d %s", res.status, res.body)
			}
		})
	}
}

// deletableAssets are three assets user may give up (not Roblox's, not
// limiteds), in listing order.
func deletableAssets(t *testing.T, s store.Store, userID int64) []int64 {
	t.Helper()
	ctx := context.Background()
	items, err := s.ListInventory(ctx, userID, inventory.Query{Assets: inventory.Selector{Include: true}, Types: inventory.AllTypes}, inventory.Start, 1000)
	if err != nil {
		t.Fatal(err)
	}
	var ids []int64
	for _, it := range items {
		if it.Kind != inventory.KindAsset || slices.Contains(ids, it.AssetID) {
			continue
		}
		a, err := s.Asset(ctx, it.AssetID)
		if err != nil {
			t.Fatal(err)
		}
		if a.CreatorID != legacy.RobloxUserID && !a.Collectible {
			ids = append(ids, a.ID)
		}
	}
	if len(ids) < 3 {
		t.Fatalf("user %d has %d deletable assets, want 3", userID, len(ids))
	}
	return ids[:3]
}

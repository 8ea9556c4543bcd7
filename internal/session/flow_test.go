package session_test

import (
	"fmt"
	"net/http"
	"strings"
	"testing"

	"github.com/invcloud/invcloud/internal/account"
	"github.com/invcloud/invcloud/internal/demo"
)

// TestCookieClientFlow plays spec 23/25's flow as noblox.js runs it for
// deleteFromInventory: a tokenless logout hands out the token and ends
// nothing; the token works on the inventory host; the state-changing call
// succeeds; the session survives all of it, and only a logout with the
// token ends it.
func TestCookieClientFlow(t *testing.T) {
	e := newEnv(t)
	const trader = demo.TraderUser
	ck := cookie(trader)
	target := fmt.Sprintf("/v2/inventory/asset/%d", demo.UGCBeanie)

	// getGeneralToken: POST /v2/logout, no body, no content type, no token.
	first := e.do(req{method: http.MethodPost, target: "/v2/logout", cookie: ck})
	tok := first.Header.Get("x-csrf-token")
	if first.Status != http.StatusForbidden || len(tok) != 12 || string(first.Body) != `{"code":0,"message":"Token Validation Failed"}` {
		t.Fatalf("tokenless logout: %d, token %q, body %s", first.Status, tok, first.Body)
	}
	if !e.live(trader) {
		t.Fatal("the tokenless logout ended the session")
	}

	// The state-changing call with that token, as noblox sends it (and
	// with RoZod's empty JSON body, and noblox's x-api-key beside the
	// cookie, which the legacy hosts ignore).
	del := e.do(req{method: http.MethodDelete, target: target, cookie: ck, token: tok,
		header: map[string]string{"Content-Type": "application/json", "x-api-key": demo.Keys[0].Secret}})
	if del.Status != http.StatusOK || string(del.Body) != `{}` {
		t.Fatalf("DELETE with the logout's token: %d %s", del.Status, del.Body)
	}
	if del.Header.Get("x-csrf-token") != "" {
		t.Errorf("a 200 carries x-csrf-token: RoZod would resend it")
	}
	if again := e.do(req{method: http.MethodDelete, target: target, cookie: ck, token: tok}); again.Status != http.StatusForbidden ||
		!strings.Contains(string(again.Body), `"code":2`) {
		t.Errorf("DELETE again: %d %s, want 403 code 2 (no longer owned)", again.Status, again.Body)
	}
	if !e.live(trader) {
		t.Fatal("the session did not survive the state-changing call")
	}

	// A token refused on another host's path is re-issued there: the
	// client's retry rule (403 + header) recovers.
	stale := e.do(req{method: http.MethodPost, target: fmt.Sprintf("/v1/collections/items/Asset/%d", demo.UGCBeanie), cookie: ck, token: "AAAAAAAAAAAA"})
	if stale.Status != http.StatusForbidden || stale.Header.Get("x-csrf-token") != tok {
		t.Errorf("wrong token on inventory: %d, token %q, want 403 and %q", stale.Status, stale.Header.Get("x-csrf-token"), tok)
	}

	// Logging out for real, with the token: 200 {}, and the cookie
	// authenticates nothing any more, on any host.
	out := e.do(req{method: http.MethodPost, target: "/v2/logout", cookie: ck, token: tok})
	if out.Status != http.StatusOK || string(out.Body) != `{}` {
		t.Fatalf("logout with the token: %d %s", out.Status, out.Body)
	}
	if e.live(trader) {
		t.Fatal("the session survived the logout")
	}
	if r := e.do(req{method: http.MethodDelete, target: fmt.Sprintf("/v2/inventory/asset/%d", demo.UGCBeanie), cookie: ck, token: tok}); r.Status != http.StatusForbidden {
		// The old token was the session's: the cookie now names nothing,
		// so it is challenged again (keyed by its hash), then 401.
		t.Errorf("DELETE after logout with the old token: %d %s, want 403", r.Status, r.Body)
	}
	retry := e.do(req{method: http.MethodPost, target: "/v2/logout", cookie: ck})
	if retry.Status != http.StatusForbidden || retry.Header.Get("x-csrf-token") == "" {
		t.Fatalf("tokenless logout after logout: %d", retry.Status)
	}
	if r := e.do(req{method: http.MethodPost, target: "/v2/logout", cookie: ck, token: retry.Header.Get("x-csrf-token")}); r.Status != http.StatusUnauthorized {
		t.Errorf("logout of an ended session: %d %s, want 401", r.Status, r.Body)
	}
}

// TestCookieForms sends the cookie the ways clients write it: noblox.js's
// ".ROBLOSECURITY=<v>;", RoZod's without the semicolon, beside a browser's
// other cookies, and with the warning prefix stripped (some tools keep only
// the token).
func TestCookieForms(t *testing.T) {
	e := newEnv(t)
	ck := cookie(demo.GuideUser)
	for name, header := range map[string]string{
		"noblox":          ".ROBLOSECURITY=" + ck + ";",
		"rozod":           ".ROBLOSECURITY=" + ck,
		"browser":         "RBXEventTrackerV2=CreateDate=1&rbxid=2; .ROBLOSECURITY=" + ck + "; RBXSessionTracker=sessionid=3",
		"prefix stripped": ".ROBLOSECURITY=" + strings.TrimPrefix(ck, account.CookiePrefix) + ";",
	} {
		r := e.do(req{target: "/v1/users/authenticated", header: map[string]string{"Cookie": header}})
		if r.Status != http.StatusOK || !strings.Contains(string(r.Body), `"name":"GuideUser"`) {
			t.Errorf("%s (%q): %d %s", name, header, r.Status, r.Body)
		}
	}
	for name, header := range map[string]string{
		"empty value": ".ROBLOSECURITY=;",
		"other name":  "ROBLOSECURITY=" + ck,
	} {
		if r := e.do(req{target: "/v1/users/authenticated", header: map[string]string{"Cookie": header}}); r.Status != http.StatusUnauthorized {
			t.Errorf("%s: %d %s, want 401", name, r.Status, r.Body)
		}
	}
}

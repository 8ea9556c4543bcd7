package oauth_test

import (
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	"golang.org/x/oauth2"

	"github.com/invcloud/invcloud/internal/demo"
)

// authorizeURL builds an authorize URL by hand.
func (e *env) authorizeURL(params map[string]string) string {
	q := url.Values{}
	for k, v := range params {
		q.Set(k, v)
	}
	return e.srv.URL + "/oauth/v1/authorize?" + q.Encode()
}

func (e *env) baseParams(verifier string) map[string]string {
	return map[string]string{"client_id": e.app.ClientID, "redirect_uri": redirectURI, "response_type": "code",
		"scope": "openid profile", "state": "xyz", "code_challenge": oauth2.S256ChallengeFromVerifier(verifier), "code_challenge_method": "S256"}
}

// TestOpenRedirect: an authorize request whose redirect_uri is not one of
// the app's, exactly, is refused on invcloud's own page, never redirected,
// and stores nothing.
func TestOpenRedirect(t *testing.T) {
	e := newEnv(t)
	b := e.browser()
	b.signIn(guideUser)
	verifier := oauth2.GenerateVerifier()
	for _, tc := range []struct{ name, redirect string }{
		{"changed host", "http://evil.example/callback"},
		{"changed path", "http://127.0.0.1:9/other"},
		{"changed port", "http://127.0.0.1:10/callback"},
		{"localhost for 127.0.0.1", "http://localhost:9/callback"},
		{"https for http", "https://127.0.0.1:9/callback"},
		{"upper-case scheme", "HTTP://127.0.0.1:9/callback"},
		{"suffixed path", redirectURI + "/evil"},
		{"suffixed query", redirectURI + "?next=https://evil.example/"},
		{"suffixed fragment", redirectURI + "#x"},
		{"suffixed slash", redirectURI + "/"},
		{"suffixed host", "https://app.example.evil.example/cb"},
		{"userinfo prefix", "https://app.example@evil.example/cb"},
		{"prefixed", "http://evil.example/" + redirectURI},
		{"prefixed scheme", "x" + redirectURI},
		{"truncated", strings.TrimSuffix(redirectURI, "k")},
		{"encoded", "http://127.0.0.1:9/%63allback"},
		{"empty", ""},
	} {
		t.Run(tc.name, func(t *testing.T) {
			before := e.snapshot()
			p := e.baseParams(verifier)
			p["redirect_uri"] = tc.redirect
			if tc.redirect == "" {
				delete(p, "redirect_uri")
			}
			page := b.get(e.authorizeURL(p))
			if page.status != http.StatusBadRequest || page.location != "" || !strings.Contains(page.body, "redirect_uri") ||
				!strings.HasPrefix(page.header.Get("Content-Type"), "text/html") {
				t.Errorf("status %d, location %q, content type %q: %.300s", page.status, page.location, page.header.Get("Content-Type"), page.body)
			}
			e.unchanged(before, "a refused redirect_uri")
		})
	}
	// An unknown or missing client_id: the same.
	for _, id := range []string{"123456789012345678", ""} {
		before := e.snapshot()
		p := e.baseParams(verifier)
		p["client_id"] = id
		page := b.get(e.authorizeURL(p))
		if page.status != http.StatusBadRequest || page.location != "" || !strings.Contains(page.body, "client_id") {
			t.Errorf("client_id %q: %d %q %.200s", id, page.status, page.location, page.body)
		}
		e.unchanged(before, "an unknown client_id")
	}
	// The other registered URI works, exactly.
	p := e.baseParams(verifier)
	p["redirect_uri"] = "https://app.example/cb"
	if page := b.get(e.authorizeURL(p)); page.status != http.StatusOK || !strings.Contains(page.body, `id="consent"`) {
		t.Errorf("registered URI: %d", page.status)
	}
}

// TestAuthorizeErrorsGoBackToTheApp: once the redirect_uri is known good,
// a bad request goes back to the app with error, error_description and
// state, without any page shown or anything stored.
func TestAuthorizeErrorsGoBackToTheApp(t *testing.T) {
	e := newEnv(t)
	b := e.browser()
	b.signIn(guideUser)
	verifier := oauth2.GenerateVerifier()
	for _, tc := range []struct {
		name   string
		client string // "pub" for the public client
		change map[string]string
		drop   []string
		code   string
	}{
		{"plain PKCE", "", map[string]string{"code_challenge": verifier, "code_challenge_method": "plain"}, nil, "invalid_request"},
		{"PKCE without a method (plain by default)", "", map[string]string{"code_challenge": oauth2.S256ChallengeFromVerifier(verifier)}, []string{"code_challenge_method"}, "invalid_request"},
		{"unknown PKCE method", "", map[string]string{"code_challenge_method": "S512"}, nil, "invalid_request"},
		{"malformed challenge", "", map[string]string{"code_challenge": "short"}, nil, "invalid_request"},
		{"method without challenge", "", nil, []string{"code_challenge"}, "invalid_request"},
		{"public client without PKCE", "pub", nil, []string{"code_challenge", "code_challenge_method"}, "invalid_request"},
		{"public client with plain PKCE", "pub", map[string]string{"code_challenge": verifier, "code_challenge_method": "plain"}, nil, "invalid_request"},
		{"scope the app may not ask for", "", map[string]string{"scope": "openid group:write"}, nil, "invalid_scope"},
		{"unknown scope", "", map[string]string{"scope": "openid email"}, nil, "invalid_scope"},
		{"profile without openid", "", map[string]string{"scope": "profile"}, nil, "invalid_scope"},
		{"no scope", "", nil, []string{"scope"}, "invalid_request"},
		{"no response_type", "", nil, []string{"response_type"}, "invalid_request"},
		{"implicit flow", "", map[string]string{"response_type": "token"}, nil, "unauthorized_client"},
		{"prompt none with another", "", map[string]string{"prompt": "none login"}, nil, "invalid_request"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			before := e.snapshot()
			p := e.baseParams(verifier)
			if tc.client == "pub" {
				p["client_id"] = e.pub.ClientID
			}
			for k, v := range tc.change {
				p[k] = v
			}
			for _, k := range tc.drop {
				delete(p, k)
			}
			q := callback(t, b.get(e.authorizeURL(p)))
			if q.Get("error") != tc.code || q.Get("error_description") == "" || q.Get("state") != "xyz" || q.Get("code") != "" {
				t.Errorf("callback %v, want error=%s with a description and the state", q, tc.code)
			}
			e.unchanged(before, "a refused authorize request")
		})
	}
	// A public client with S256 PKCE is welcome.
	p := e.baseParams(verifier)
	p["client_id"] = e.pub.ClientID
	if page := b.get(e.authorizeURL(p)); page.status != http.StatusOK || !strings.Contains(page.body, `id="consent"`) {
		t.Errorf("public client with S256: %d %q", page.status, page.location)
	}
}

// TestTokenEndpointRefusals: each failure leaves the code (or refresh
// token) to its rightful client, except a replay, which revokes what the
// code issued.
func TestTokenEndpointRefusals(t *testing.T) {
	e := newEnv(t)
	b := e.browser()
	b.signIn(privateUser)
	conf := e.config(e.app, e.secret, allScopes...)
	verifier := oauth2.GenerateVerifier()
	newCode := func() string { return b.authorize(conf, "s", oauth2.S256ChallengeOption(verifier)) }

	t.Run("wrong PKCE verifier", func(t *testing.T) {
		code := newCode()
		before := e.snapshot()
		status, m := e.exchange(e.app, e.secret, code, oauth2.GenerateVerifier())
		wantOAuthError(t, "wrong verifier", status, m, http.StatusUnauthorized, "invalid_grant")
		status, m = e.exchange(e.app, e.secret, code, "")
		wantOAuthError(t, "no verifier", status, m, http.StatusBadRequest, "invalid_request")
		e.unchanged(before, "a wrong verifier")
		if status, m := e.exchange(e.app, e.secret, code, verifier); status != http.StatusOK {
			t.Errorf("the right verifier afterwards: %d %v", status, m)
		}
	})

	t.Run("code from another client", func(t *testing.T) {
		code := newCode()
		before := e.snapshot()
		status, m := e.exchange(e.other, e.otherSecret, code, verifier)
		wantOAuthError(t, "another client's code", status, m, http.StatusUnauthorized, "invalid_grant")
		status, m = e.exchange(e.pub, "", code, verifier)
		wantOAuthError(t, "another (public) client's code", status, m, http.StatusUnauthorized, "invalid_grant")
		e.unchanged(before, "another client's attempt")
		if status, m := e.exchange(e.app, e.secret, code, verifier); status != http.StatusOK {
			t.Errorf("the rightful client afterwards: %d %v", status, m)
		}
	})

	t.Run("wrong client secret", func(t *testing.T) {
		code := newCode()
		before := e.snapshot()
		status, m := e.exchange(e.app, "RBX-wrong", code, verifier)
		wantOAuthError(t, "wrong secret (form)", status, m, http.StatusBadRequest, "invalid_client")
		status, m = e.exchange(e.app, "", code, verifier)
		wantOAuthError(t, "no secret", status, m, http.StatusBadRequest, "invalid_client")
		status, m, h := e.postForm("/oauth/v1/token", url.Values{"grant_type": {"authorization_code"}, "code": {code},
			"code_verifier": {verifier}, "redirect_uri": {redirectURI}}, e.app.ClientID, "RBX-wrong")
		wantOAuthError(t, "wrong secret (Basic)", status, m, http.StatusUnauthorized, "invalid_client")
		if !strings.HasPrefix(h.Get("WWW-Authenticate"), "Basic") {
			t.Errorf("401 to a Basic client without a Basic challenge: %v", h)
		}
		status, m = e.exchange(e.app, e.otherSecret, code, verifier)
		wantOAuthError(t, "another app's secret", status, m, http.StatusBadRequest, "invalid_client")
		e.unchanged(before, "a bad client secret")
		if status, m := e.exchange(e.app, e.secret, code, verifier); status != http.StatusOK {
			t.Errorf("the right secret afterwards: %d %v", status, m)
		}
	})

	t.Run("redirect_uri mismatch", func(t *testing.T) {
		code := newCode()
		before := e.snapshot()
		status, m, _ := e.postForm("/oauth/v1/token", url.Values{"grant_type": {"authorization_code"}, "code": {code}, "code_verifier": {verifier},
			"redirect_uri": {"https://app.example/cb"}, "client_id": {e.app.ClientID}, "client_secret": {e.secret}}, "", "")
		wantOAuthError(t, "other redirect_uri", status, m, http.StatusBadRequest, "invalid_grant")
		e.unchanged(before, "a redirect_uri mismatch")
	})

	t.Run("expired code", func(t *testing.T) {
		code := newCode()
		e.clock.Add(61 * time.Second)
		before := e.snapshot()
		status, m := e.exchange(e.app, e.secret, code, verifier)
		wantOAuthError(t, "expired code", status, m, http.StatusUnauthorized, "invalid_grant")
		e.unchanged(before, "an expired code")
		// A code a second short of a minute old still works.
		code = newCode()
		e.clock.Add(59 * time.Second)
		if status, m := e.exchange(e.app, e.secret, code, verifier); status != http.StatusOK {
			t.Errorf("59-second-old code: %d %v", status, m)
		}
	})

	t.Run("unknown code", func(t *testing.T) {
		before := e.snapshot()
		status, m := e.exchange(e.app, e.secret, "not-a-code", verifier)
		wantOAuthError(t, "unknown code", status, m, http.StatusUnauthorized, "invalid_grant")
		e.unchanged(before, "an unknown code")
	})

	t.Run("code replay", func(t *testing.T) {
		code := newCode()
		status, first := e.exchange(e.app, e.secret, code, verifier)
		if status != http.StatusOK {
			t.Fatalf("first exchange: %d %v", status, first)
		}
		access, refresh := first["access_token"].(string), first["refresh_token"].(string)
		if status, _ := e.inventory(demo.PrivateUser, access); status != http.StatusOK {
			t.Fatalf("first access token: %d", status)
		}
		status, m := e.exchange(e.app, e.secret, code, verifier)
		wantOAuthError(t, "replayed code", status, m, http.StatusUnauthorized, "invalid_grant")
		// What the code issued is revoked.
		if status, _ := e.inventory(demo.PrivateUser, access); status != http.StatusUnauthorized {
			t.Errorf("access token of a replayed code: %d, want 401", status)
		}
		status, m = e.refresh(e.app, e.secret, refresh)
		wantOAuthError(t, "refresh token of a replayed code", status, m, http.StatusUnauthorized, "invalid_grant")
		// Other sessions of the same user and app are untouched.
		other := newCode()
		status, m = e.exchange(e.app, e.secret, other, verifier)
		if status != http.StatusOK {
			t.Fatalf("another code: %d %v", status, m)
		}
		if status, _ := e.inventory(demo.PrivateUser, m["access_token"].(string)); status != http.StatusOK {
			t.Errorf("another session after a replay: %d", status)
		}
	})

	t.Run("refresh token of another client", func(t *testing.T) {
		status, m := e.exchange(e.app, e.secret, newCode(), verifier)
		if status != http.StatusOK {
			t.Fatal(status, m)
		}
		refresh := m["refresh_token"].(string)
		before := e.snapshot()
		status, m = e.refresh(e.other, e.otherSecret, refresh)
		wantOAuthError(t, "another client's refresh token", status, m, http.StatusUnauthorized, "invalid_grant")
		status, m, _ = e.postForm("/oauth/v1/token/introspect", url.Values{"token": {refresh}, "client_id": {e.other.ClientID},
			"client_secret": {e.otherSecret}}, "", "")
		if status != http.StatusOK || m["active"] != false || len(m) != 1 {
			t.Errorf("introspecting another client's token = %d %v, want {active: false}", status, m)
		}
		status, _, _ = e.postForm("/oauth/v1/token/revoke", url.Values{"token": {refresh}, "client_id": {e.other.ClientID},
			"client_secret": {e.otherSecret}}, "", "")
		if status != http.StatusOK {
			t.Errorf("revoking another client's token: %d", status)
		}
		e.unchanged(before, "another client's refresh attempt")
		if status, m := e.refresh(e.app, e.secret, refresh); status != http.StatusOK {
			t.Errorf("the rightful client afterwards: %d %v", status, m)
		}
	})

	t.Run("expired refresh token", func(t *testing.T) {
		status, m := e.exchange(e.app, e.secret, newCode(), verifier)
		if status != http.StatusOK {
			t.Fatal(status, m)
		}
		e.clock.Add(90*24*time.Hour + time.Second)
		status, m = e.refresh(e.app, e.secret, m["refresh_token"].(string))
		wantOAuthError(t, "expired refresh token", status, m, http.StatusUnauthorized, "invalid_grant")
	})

	t.Run("malformed requests", func(t *testing.T) {
		for _, tc := range []struct {
			form url.Values
			code string
		}{
			{url.Values{"code": {"x"}, "client_id": {e.app.ClientID}, "client_secret": {e.secret}}, "invalid_request"},
			{url.Values{"grant_type": {"password"}, "client_id": {e.app.ClientID}, "client_secret": {e.secret}}, "unsupported_grant_type"},
			{url.Values{"grant_type": {"authorization_code"}, "client_id": {e.app.ClientID}, "client_secret": {e.secret}}, "invalid_request"},
			{url.Values{"grant_type": {"refresh_token"}, "client_id": {e.app.ClientID}, "client_secret": {e.secret}}, "invalid_request"},
			{url.Values{"grant_type": {"authorization_code"}, "code": {"x"}}, "invalid_request"},
		} {
			status, m, _ := e.postForm("/oauth/v1/token", tc.form, "", "")
			wantOAuthError(t, "token "+tc.form.Encode(), status, m, http.StatusBadRequest, tc.code)
		}
		status, body, _ := e.call("GET", "/oauth/v1/token", "", nil)
		if status != http.StatusMethodNotAllowed {
			t.Errorf("GET token: %d %s", status, body)
		}
	})
}

// TestCSRF: every form post without the session's token is refused with
// 403 and changes nothing.
func TestCSRF(t *testing.T) {
	e := newEnv(t)
	conf := e.config(e.app, e.secret, allScopes...)
	verifier := oauth2.GenerateVerifier()

	owner := e.browser() // GuideUser owns the test apps
	owner.signIn(guideUser)
	user := e.browser()
	user.signIn(privateUser)
	code := user.authorize(conf, "s", oauth2.S256ChallengeOption(verifier))
	tok, err := conf.Exchange(e.oauthCtx(), code, oauth2.VerifierOption(verifier))
	if err != nil {
		t.Fatal(err)
	}
	consent := user.get(conf.AuthCodeURL("s2", oauth2.S256ChallengeOption(verifier)))
	requestID := field(t, idRe, consent)
	auths, err := e.store.OAuthAuthorizations(e.ctx, demo.PrivateUser, "")
	if err != nil || len(auths) != 1 {
		t.Fatal(auths, err)
	}
	ownerToken, userToken := owner.csrf(), user.csrf()

	for _, tc := range []struct {
		name  string
		b     *browser
		other string // a real token, of another session
		path  string
		form  url.Values
	}{
		{"consent", user, ownerToken, "/oauth/consent", url.Values{"id": {requestID}, "decision": {"allow"}}},
		{"create app", owner, userToken, "/dashboard/oauth-apps", url.Values{"name": {"x"}, "redirect_uris": {"https://x.example/cb"}, "scope": {"openid"}}},
		{"regenerate secret", owner, userToken, "/dashboard/oauth-apps/" + e.app.ClientID + "/regenerate", url.Values{}},
		{"delete app", owner, userToken, "/dashboard/oauth-apps/" + e.app.ClientID + "/delete", url.Values{}},
		{"revoke authorization", user, ownerToken, "/my/authorized-apps/" + auths[0].ID + "/revoke", url.Values{}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			for _, token := range []string{"", "forged", tc.other} {
				before := e.snapshot()
				form := url.Values{}
				for k, v := range tc.form {
					form[k] = v
				}
				if token != "" {
					form.Set("csrf_token", token)
				}
				p := tc.b.post(tc.path, form)
				if p.status != http.StatusForbidden || p.location != "" {
					t.Errorf("token %q: %d %q, want 403", token, p.status, p.location)
				}
				e.unchanged(before, tc.name+" without a valid CSRF token")
			}
		})
	}
	// The grant still works, and the consent request is still pending.
	if status, _ := e.inventory(demo.PrivateUser, tok.AccessToken); status != http.StatusOK {
		t.Errorf("token after refused posts: %d", status)
	}
	if q := callback(t, user.decide(consent, "allow")); q.Get("code") == "" {
		t.Errorf("consent with the token: %v", q)
	}

	// Another user cannot act on the owner's apps, with a valid token.
	csrf := userToken
	for _, action := range []string{"regenerate", "delete"} {
		before := e.snapshot()
		if p := user.post("/dashboard/oauth-apps/"+e.app.ClientID+"/"+action, url.Values{"csrf_token": {csrf}}); p.status != http.StatusNotFound {
			t.Errorf("%s another user's app: %d", action, p.status)
		}
		e.unchanged(before, action+" by another user")
	}
	// ... nor revoke another user's authorization.
	before := e.snapshot()
	if p := owner.post("/my/authorized-apps/"+auths[0].ID+"/revoke", url.Values{"csrf_token": {owner.csrf()}}); p.status != http.StatusNotFound {
		t.Errorf("revoke another user's authorization: %d", p.status)
	}
	e.unchanged(before, "revoking another user's authorization")
	// Signed out, the pages send to sign-in.
	anon := e.browser()
	for _, path := range []string{"/dashboard/oauth-apps", "/my/authorized-apps"} {
		if p := anon.get(path); !strings.Contains(p.body, `action="/login"`) {
			t.Errorf("GET %s signed out: %d", path, p.status)
		}
	}
}

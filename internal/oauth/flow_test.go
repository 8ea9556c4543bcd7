package oauth_test

import (
	"encoding/json"
	"errors"
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	"golang.org/x/oauth2"

	"github.com/invcloud/invcloud/internal/demo"
)

// TestPKCEFlow is the flow a Roblox OAuth client runs (rblx-open-cloud's,
// with PKCE), driven with golang.org/x/oauth2: sign in, consent, code
// exchange, Open Cloud with the bearer token, userinfo, introspection,
// resources, refresh rotation, reuse of a spent refresh token, revocation.
func TestPKCEFlow(t *testing.T) {
	e := newEnv(t)
	ctx := e.oauthCtx()
	conf := e.config(e.app, e.secret, allScopes...)
	verifier := oauth2.GenerateVerifier()

	// Not signed in: authorize leads to the sign-in page, which leads back.
	b := e.browser()
	signin := b.get(conf.AuthCodeURL("st4te", oauth2.S256ChallengeOption(verifier), oauth2.SetAuthURLParam("nonce", "n-0nce")))
	if signin.status != http.StatusOK || !strings.Contains(signin.body, `action="/login"`) {
		t.Fatalf("authorize without a session: %d, want the sign-in page", signin.status)
	}
	returnURL := field(t, regexpReturnURL, signin)
	consent := b.post("/login", url.Values{"csrf_token": {field(t, csrfRe, signin)}, "username": {privateUser},
		"password": {demo.Password}, "returnUrl": {returnURL}})
	if consent.status != http.StatusOK || !strings.Contains(consent.body, `id="consent"`) {
		t.Fatalf("after sign-in: %d, want the consent page: %.400s", consent.status, consent.body)
	}
	for _, words := range []string{"Know who you are", "See your username, display name and profile", "Read your inventory, including private items", "Inventory Viewer"} {
		if !strings.Contains(consent.body, words) {
			t.Errorf("consent page does not say %q", words)
		}
	}
	q := callback(t, b.decide(consent, "allow"))
	if q.Get("state") != "st4te" || q.Get("code") == "" {
		t.Fatalf("callback %v", q)
	}

	tok, err := conf.Exchange(ctx, q.Get("code"), oauth2.VerifierOption(verifier))
	if err != nil {
		t.Fatalf("Exchange: %v", err)
	}
	if tok.TokenType != "Bearer" || tok.ExpiresIn != 899 || tok.RefreshToken == "" || tok.Extra("scope") != "openid profile user.inventory-item:read" {
		t.Errorf("token = %+v, scope %v", tok, tok.Extra("scope"))
	}
	if id, _ := tok.Extra("id_token").(string); id == "" {
		t.Error("no id_token although openid was granted")
	}

	// The token reads the owner's private inventory through Open Cloud.
	if status, body := e.inventory(demo.PrivateUser, tok.AccessToken); status != http.StatusOK || !strings.Contains(body, `"inventoryItems":[{`) {
		t.Errorf("private inventory with the owner's token: %d %.200s", status, body)
	}
	// ... but not someone else's private one.
	if status, _ := e.inventory(demo.FriendsUser, tok.AccessToken); status != http.StatusForbidden {
		t.Errorf("another user's non-public inventory: %d, want 403", status)
	}

	// userinfo (spec 5.5).
	status, body, _ := e.call("GET", "/oauth/v1/userinfo", tok.AccessToken, nil)
	var info map[string]any
	json.Unmarshal([]byte(body), &info)
	if status != http.StatusOK || info["sub"] != "2000000002" || info["preferred_username"] != privateUser || info["name"] != "Private Pat" ||
		info["nickname"] != "Private Pat" || info["profile"] != "https://www.roblox.com/users/2000000002/profile" || info["created_at"] == nil {
		t.Errorf("userinfo = %d %s", status, body)
	}
	if !strings.HasPrefix(body, `{"sub":"2000000002","name":"Private Pat","nickname":"Private Pat","preferred_username":"PrivatePat","created_at":`) {
		t.Errorf("userinfo field order: %s", body)
	}

	// Introspection and resources, with the client's credentials.
	creds := url.Values{"client_id": {e.app.ClientID}, "client_secret": {e.secret}}
	form := func(kv ...string) url.Values {
		f := url.Values{}
		for k, v := range creds {
			f[k] = v
		}
		for i := 0; i < len(kv); i += 2 {
			f.Set(kv[i], kv[i+1])
		}
		return f
	}
	status, intro, _ := e.postForm("/oauth/v1/token/introspect", form("token", tok.AccessToken), "", "")
	if status != http.StatusOK || intro["active"] != true || intro["client_id"] != e.app.ClientID || intro["aud"] != e.app.ClientID ||
		intro["sub"] != "2000000002" || intro["scope"] != "openid profile user.inventory-item:read" || intro["token_type"] != "Bearer" ||
		intro["iss"] != e.srv.URL+"/oauth/" || !strings.HasPrefix(intro["jti"].(string), "AT.") {
		t.Errorf("introspect access token = %d %v", status, intro)
	}
	if exp, iat := intro["exp"].(float64), intro["iat"].(float64); exp-iat != 900 {
		t.Errorf("access token lifetime %v s, want 900", exp-iat)
	}
	status, intro, _ = e.postForm("/oauth/v1/token/introspect", form("token", tok.RefreshToken), "", "")
	if status != http.StatusOK || intro["active"] != true || !strings.HasPrefix(intro["jti"].(string), "RT.") || intro["sub"] != "2000000002" {
		t.Errorf("introspect refresh token = %d %v", status, intro)
	}
	status, res, _ := e.postForm("/oauth/v1/token/resources", form("token", tok.AccessToken), "", "")
	infos, _ := res["resource_infos"].([]any)
	if status != http.StatusOK || len(infos) != 1 {
		t.Fatalf("resources = %d %v", status, res)
	}
	if got, _ := json.Marshal(infos[0]); string(got) != `{"owner":{"id":"2000000002","type":"User"},"resources":{"creator":{"ids":["U"]},"universe":{"ids":[]}}}` {
		t.Errorf("resource info = %s", got)
	}

	// Refresh: a new access token and a new refresh token each time.
	e.clock.Add(10 * time.Minute)
	tok2, err := conf.TokenSource(ctx, &oauth2.Token{RefreshToken: tok.RefreshToken}).Token()
	if err != nil {
		t.Fatalf("refresh: %v", err)
	}
	if tok2.RefreshToken == "" || tok2.RefreshToken == tok.RefreshToken || tok2.AccessToken == tok.AccessToken || tok2.ExpiresIn != 899 {
		t.Errorf("refreshed token = %+v", tok2)
	}
	if status, _ := e.inventory(demo.PrivateUser, tok2.AccessToken); status != http.StatusOK {
		t.Errorf("refreshed access token: %d", status)
	}
	tok3, err := conf.TokenSource(ctx, &oauth2.Token{RefreshToken: tok2.RefreshToken}).Token()
	if err != nil {
		t.Fatalf("second refresh: %v", err)
	}

	// The first refresh token is spent: reusing it is refused, and (a sign
	// that it leaked) ends its session, newest tokens included.
	_, err = conf.TokenSource(ctx, &oauth2.Token{RefreshToken: tok.RefreshToken}).Token()
	var re *oauth2.RetrieveError
	if !errors.As(err, &re) || re.Response.StatusCode != http.StatusUnauthorized || re.ErrorCode != "invalid_grant" || re.ErrorDescription == "" {
		t.Fatalf("reusing a spent refresh token: %v, want 401 invalid_grant", err)
	}
	if _, err := conf.TokenSource(ctx, &oauth2.Token{RefreshToken: tok3.RefreshToken}).Token(); err == nil {
		t.Error("the session's newest refresh token still works after a spent one was reused")
	}
	if status, _ := e.inventory(demo.PrivateUser, tok3.AccessToken); status != http.StatusUnauthorized {
		t.Errorf("access token of a revoked session: %d, want 401", status)
	}

	// A new authorization, then token/revoke with the refresh token: its
	// access token stops working at once.
	code := b.authorize(conf, "again", oauth2.S256ChallengeOption(verifier))
	tok4, err := conf.Exchange(ctx, code, oauth2.VerifierOption(verifier))
	if err != nil {
		t.Fatalf("Exchange: %v", err)
	}
	if status, _ := e.inventory(demo.PrivateUser, tok4.AccessToken); status != http.StatusOK {
		t.Fatalf("new access token: %d", status)
	}
	status, m, h := e.postForm("/oauth/v1/token/revoke", form("token", tok4.RefreshToken), "", "")
	if status != http.StatusOK || m != nil || h.Get("Cache-Control") != "no-store" {
		t.Errorf("revoke = %d %v, want 200 with an empty body", status, m)
	}
	if status, body := e.inventory(demo.PrivateUser, tok4.AccessToken); status != http.StatusUnauthorized || body != `{"errors":[{"code":0,"message":"Invalid API Key"}]}` {
		t.Errorf("revoked access token at Open Cloud: %d %s", status, body)
	}
	if status, _, _ := e.call("GET", "/oauth/v1/userinfo", tok4.AccessToken, nil); status != http.StatusUnauthorized {
		t.Errorf("revoked access token at userinfo: %d", status)
	}
	if _, err := conf.TokenSource(ctx, &oauth2.Token{RefreshToken: tok4.RefreshToken}).Token(); err == nil {
		t.Error("revoked refresh token still works")
	}
	// As Roblox documents, introspection still calls the access token
	// active for its lifetime.
	if _, intro, _ := e.postForm("/oauth/v1/token/introspect", form("token", tok4.AccessToken), "", ""); intro["active"] != true {
		t.Errorf("introspect a revoked access token: %v, want active (Roblox's documented behaviour)", intro)
	}
	// Revoking an unknown token is 200 too.
	if status, _, _ := e.postForm("/oauth/v1/token/revoke", form("token", "no-such-token"), "", ""); status != http.StatusOK {
		t.Errorf("revoke an unknown token: %d", status)
	}

	// Once more, then the user removes the app under Authorized apps: every
	// token stops at once.
	code = b.authorize(conf, "third", oauth2.S256ChallengeOption(verifier))
	tok5, err := conf.Exchange(ctx, code, oauth2.VerifierOption(verifier))
	if err != nil {
		t.Fatalf("Exchange: %v", err)
	}
	apps := b.get("/my/authorized-apps")
	if !strings.Contains(apps.body, "Inventory Viewer") || !strings.Contains(apps.body, "Read your inventory, including private items") {
		t.Fatalf("authorized apps page: %.600s", apps.body)
	}
	action := regexpRevoke.FindStringSubmatch(apps.body)
	if action == nil {
		t.Fatal("no revoke form on the authorized apps page")
	}
	done := b.post(action[1], url.Values{"csrf_token": {field(t, csrfRe, apps)}})
	if done.status != http.StatusOK || !strings.Contains(done.body, "Access removed") || strings.Contains(done.body, "Inventory Viewer") {
		t.Errorf("after revoke: %d %.400s", done.status, done.body)
	}
	if status, _ := e.inventory(demo.PrivateUser, tok5.AccessToken); status != http.StatusUnauthorized {
		t.Errorf("access token after the user revoked the app: %d, want 401", status)
	}
	if _, err := conf.TokenSource(ctx, &oauth2.Token{RefreshToken: tok5.RefreshToken}).Token(); err == nil {
		t.Error("refresh token works after the user revoked the app")
	}
}

// TestScopesGateInventory: a token without user.inventory-item:read does
// not open a private inventory; public ones are readable by any token.
func TestScopesGateInventory(t *testing.T) {
	e := newEnv(t)
	ctx := e.oauthCtx()
	conf := e.config(e.app, e.secret, "openid")
	verifier := oauth2.GenerateVerifier()
	b := e.browser()
	b.signIn(privateUser)
	tok, err := conf.Exchange(ctx, b.authorize(conf, "s", oauth2.S256ChallengeOption(verifier)), oauth2.VerifierOption(verifier))
	if err != nil {
		t.Fatal(err)
	}
	if tok.Extra("scope") != "openid" {
		t.Errorf("scope = %v", tok.Extra("scope"))
	}
	if status, body := e.inventory(demo.PrivateUser, tok.AccessToken); status != http.StatusForbidden || !strings.Contains(body, "PERMISSION_DENIED") {
		t.Errorf("own private inventory without user.inventory-item:read: %d %s, want 403", status, body)
	}
	if status, _ := e.inventory(demo.GuideUser, tok.AccessToken); status != http.StatusOK {
		t.Errorf("a public inventory: %d, want 200", status)
	}
	// userinfo without profile: the subject only.
	if status, body, _ := e.call("GET", "/oauth/v1/userinfo", tok.AccessToken, nil); status != http.StatusOK || strings.TrimSpace(body) != `{"sub":"2000000002"}` {
		t.Errorf("userinfo without profile = %d %s", status, body)
	}
	// Only identity scopes: no resources.
	status, res, _ := e.postForm("/oauth/v1/token/resources", url.Values{"token": {tok.AccessToken}, "client_id": {e.app.ClientID},
		"client_secret": {e.secret}}, "", "")
	if infos, _ := res["resource_infos"].([]any); status != http.StatusOK || infos == nil || len(infos) != 0 {
		t.Errorf("resources of an identity-only token = %d %v", status, res)
	}

	// Without openid: no ID token, and userinfo refuses.
	conf = e.config(e.app, e.secret, "user.inventory-item:read")
	tok, err = conf.Exchange(ctx, b.authorize(conf, "s", oauth2.S256ChallengeOption(verifier)), oauth2.VerifierOption(verifier))
	if err != nil {
		t.Fatal(err)
	}
	if tok.Extra("id_token") != nil {
		t.Error("id_token issued without openid")
	}
	if status, _ := e.inventory(demo.PrivateUser, tok.AccessToken); status != http.StatusOK {
		t.Errorf("private inventory with user.inventory-item:read: %d", status)
	}
	status, body, h := e.call("GET", "/oauth/v1/userinfo", tok.AccessToken, nil)
	if status != http.StatusForbidden || !strings.Contains(body, "insufficient_scope") || !strings.Contains(h.Get("WWW-Authenticate"), "insufficient_scope") {
		t.Errorf("userinfo without openid = %d %s %v", status, body, h)
	}
	if status, _, h := e.call("GET", "/oauth/v1/userinfo", "garbage", nil); status != http.StatusUnauthorized || !strings.HasPrefix(h.Get("WWW-Authenticate"), "Bearer") {
		t.Errorf("userinfo with a bad token = %d %v", status, h)
	}
	// A forged token (signed by another key) gets the gateway 401.
	if status, _ := e.inventory(demo.PrivateUser, forgedToken(t, e)); status != http.StatusUnauthorized {
		t.Errorf("forged token: %d", status)
	}
}

// TestPublicClient runs the flow as a public client: no secret, PKCE.
func TestPublicClient(t *testing.T) {
	e := newEnv(t)
	ctx := e.oauthCtx()
	conf := e.config(e.pub, "", allScopes...)
	verifier := oauth2.GenerateVerifier()
	b := e.browser()
	b.signIn(guideUser)
	tok, err := conf.Exchange(ctx, b.authorize(conf, "s", oauth2.S256ChallengeOption(verifier)), oauth2.VerifierOption(verifier))
	if err != nil {
		t.Fatalf("Exchange: %v", err)
	}
	if _, err := conf.TokenSource(ctx, &oauth2.Token{RefreshToken: tok.RefreshToken}).Token(); err != nil {
		t.Errorf("refresh as a public client: %v", err)
	}
	// Introspection needs a client secret, which a public client lacks.
	status, m, _ := e.postForm("/oauth/v1/token/introspect", url.Values{"token": {tok.AccessToken}, "client_id": {e.pub.ClientID}}, "", "")
	if status < 400 || m["error"] != "invalid_client" {
		t.Errorf("introspect as a public client = %d %v", status, m)
	}
}

// TestConsentChoices covers deny, prompt=none and response_type=none.
func TestConsentChoices(t *testing.T) {
	e := newEnv(t)
	conf := e.config(e.app, e.secret, "openid", "profile")
	verifier := oauth2.GenerateVerifier()
	pkce := oauth2.S256ChallengeOption(verifier)

	// prompt=none without a session: back to the app with login_required.
	anon := e.browser()
	q := callback(t, anon.get(conf.AuthCodeURL("s1", pkce, oauth2.SetAuthURLParam("prompt", "none"))))
	if q.Get("error") != "login_required" || q.Get("state") != "s1" || q.Get("code") != "" {
		t.Errorf("prompt=none, signed out: %v", q)
	}

	b := e.browser()
	b.signIn(guideUser)
	// prompt=none before any consent: consent_required.
	q = callback(t, b.get(conf.AuthCodeURL("s2", pkce, oauth2.SetAuthURLParam("prompt", "none"))))
	if q.Get("error") != "consent_required" || q.Get("state") != "s2" {
		t.Errorf("prompt=none, no consent yet: %v", q)
	}
	// Cancel: access_denied, with the state, and no authorization.
	consent := b.get(conf.AuthCodeURL("s3", pkce))
	q = callback(t, b.decide(consent, "deny"))
	if q.Get("error") != "access_denied" || q.Get("state") != "s3" || q.Get("error_description") == "" || q.Get("code") != "" {
		t.Errorf("deny: %v", q)
	}
	if n := e.count("oauth_authorizations"); n != 0 {
		t.Errorf("%d authorizations after a denial", n)
	}
	// Answering the same request twice does not work.
	if p := b.decide(consent, "allow"); p.status != http.StatusBadRequest {
		t.Errorf("allow after deny: %d", p.status)
	}
	// Consent once; then prompt=none answers at once with a code.
	b.authorize(conf, "s4", pkce)
	q = callback(t, b.get(conf.AuthCodeURL("s5", pkce, oauth2.SetAuthURLParam("prompt", "none"))))
	if q.Get("code") == "" || q.Get("state") != "s5" {
		t.Errorf("prompt=none after consent: %v", q)
	}
	// ... but not for more than was granted.
	wider := e.config(e.app, e.secret, allScopes...)
	q = callback(t, b.get(wider.AuthCodeURL("s6", pkce, oauth2.SetAuthURLParam("prompt", "none"))))
	if q.Get("error") != "consent_required" {
		t.Errorf("prompt=none for new scopes: %v", q)
	}
	// prompt=login asks to sign in again even with a session.
	e.clock.Add(time.Minute)
	p := b.get(conf.AuthCodeURL("s7", pkce, oauth2.SetAuthURLParam("prompt", "login")))
	if !strings.Contains(p.body, `action="/login"`) {
		t.Errorf("prompt=login: %d, want the sign-in page", p.status)
	}
	// response_type=none: back to the app with the state only.
	consent = b.get(conf.AuthCodeURL("s8", pkce, oauth2.SetAuthURLParam("response_type", "none")))
	q = callback(t, b.decide(consent, "allow"))
	if len(q) != 1 || q.Get("state") != "s8" {
		t.Errorf("response_type=none: %v, want the state only", q)
	}
}

// TestCodeExchangeWithoutRedirectURI: Roblox's documented token request has
// no redirect_uri; Basic client authentication works as well as the form.
func TestCodeExchangeWithoutRedirectURI(t *testing.T) {
	e := newEnv(t)
	conf := e.config(e.app, e.secret, "openid")
	verifier := oauth2.GenerateVerifier()
	b := e.browser()
	b.signIn(guideUser)
	code := b.authorize(conf, "s", oauth2.S256ChallengeOption(verifier))
	status, m, h := e.postForm("/oauth/v1/token", url.Values{"grant_type": {"authorization_code"}, "code": {code}, "code_verifier": {verifier}},
		e.app.ClientID, e.secret)
	if status != http.StatusOK || m["access_token"] == nil || m["token_type"] != "Bearer" || m["expires_in"] != float64(899) {
		t.Fatalf("exchange without redirect_uri = %d %v", status, m)
	}
	if h.Get("Cache-Control") != "no-store" || h.Get("Content-Type") != "application/json" {
		t.Errorf("token response headers %v", h)
	}
}

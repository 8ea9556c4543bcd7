package oauth_test

import (
	"net/http"
	"net/url"
	"regexp"
	"strings"
	"testing"
	"time"

	"golang.org/x/oauth2"

	"github.com/invcloud/invcloud/internal/demo"
	"github.com/invcloud/invcloud/internal/oauth"
	"github.com/invcloud/invcloud/internal/store"
)

func TestValidateRedirectURI(t *testing.T) {
	for _, ok := range []string{"https://example.com/cb", "https://example.com:8443/a/b?x=1", "http://localhost:8081/cb",
		"http://127.0.0.1:9/callback", "http://[::1]:3000/", "com.example.app:/oauth", "myapp://callback"} {
		if err := oauth.ValidateRedirectURI(ok); err != nil {
			t.Errorf("%q: %v", ok, err)
		}
	}
	for _, bad := range []string{"", "/relative", "example.com/cb", "http://example.com/cb", "http://10.0.0.1/cb", "https://example.com/cb#frag",
		"https://exa mple.com/", "https://example.com/\n", "javascript:alert(1)", "data:text/html,x", "https:///nohost",
		"https://example.com/" + strings.Repeat("a", 250)} {
		if err := oauth.ValidateRedirectURI(bad); err == nil {
			t.Errorf("%q accepted", bad)
		}
	}
}

func TestNewApp(t *testing.T) {
	now := time.Date(2026, 6, 1, 0, 0, 0, 0, time.UTC)
	app, secret, err := oauth.NewApp(oauth.AppSpec{OwnerID: 1, Name: " My App ", RedirectURIs: []string{"https://a.example/cb", "https://a.example/cb"},
		Scopes: []string{"openid", "user.inventory-item:read", "openid"}}, now)
	if err != nil {
		t.Fatal(err)
	}
	if !regexp.MustCompile(`^[1-9][0-9]{17}$`).MatchString(app.ClientID) || !strings.HasPrefix(secret, "RBX-") || len(secret) < 40 ||
		app.SecretHash != store.HashOAuthSecret(secret) || app.Name != "My App" || len(app.RedirectURIs) != 1 || len(app.Scopes) != 2 || !app.Created.Equal(now) {
		t.Errorf("NewApp = %+v, %q", app, secret)
	}
	pub, secret, err := oauth.NewApp(oauth.AppSpec{OwnerID: 1, Name: "p", RedirectURIs: []string{"myapp://cb"}, Scopes: []string{"openid"}, Public: true}, now)
	if err != nil || secret != "" || pub.SecretHash != (store.OAuthHash{}) || !pub.Public {
		t.Errorf("public NewApp = %+v, %q, %v", pub, secret, err)
	}
	var eleven []string
	for i := range 11 {
		eleven = append(eleven, "https://a.example/"+string(rune('a'+i)))
	}
	for _, spec := range []oauth.AppSpec{
		{Name: "", RedirectURIs: []string{"https://a.example/cb"}, Scopes: []string{"openid"}},
		{Name: strings.Repeat("n", 51), RedirectURIs: []string{"https://a.example/cb"}, Scopes: []string{"openid"}},
		{Name: "x", Scopes: []string{"openid"}},
		{Name: "x", RedirectURIs: eleven, Scopes: []string{"openid"}},
		{Name: "x", RedirectURIs: []string{"http://a.example/cb"}, Scopes: []string{"openid"}},
		{Name: "x", RedirectURIs: []string{"https://a.example/cb"}},
		{Name: "x", RedirectURIs: []string{"https://a.example/cb"}, Scopes: []string{"email"}},
		{Name: "x", RedirectURIs: []string{"https://a.example/cb"}, Scopes: []string{"profile"}},
	} {
		if _, _, err := oauth.NewApp(spec, now); err == nil {
			t.Errorf("NewApp(%+v) accepted", spec)
		}
	}
}

var (
	clientIDRe = regexp.MustCompile(`id="client-id">([0-9]+)<`)
	secretRe   = regexp.MustCompile(`id="secret">(RBX-[^<]+)<`)
)

// TestAppPages: create an app on the dashboard (client id and secret shown
// once), use it, see who authorized it, regenerate its secret, delete it.
func TestAppPages(t *testing.T) {
	e := newEnv(t)
	dev := e.browser()
	dev.signIn(guideUser)
	page := dev.get("/dashboard/oauth-apps")
	if page.status != http.StatusOK || !strings.Contains(page.body, "Inventory Viewer") || !strings.Contains(page.body, "Read your inventory, including private items") {
		t.Fatalf("apps page: %d %.300s", page.status, page.body)
	}
	csrf := field(t, csrfRe, page)

	// Errors keep what was typed.
	bad := dev.post("/dashboard/oauth-apps", url.Values{"csrf_token": {csrf}, "name": {"Bad"}, "redirect_uris": {"http://example.com/cb"}, "scope": {"openid"}})
	if bad.status != http.StatusBadRequest || !strings.Contains(bad.body, "localhost") || !strings.Contains(bad.body, "http://example.com/cb") ||
		!strings.Contains(bad.body, `value="openid" checked`) {
		t.Errorf("bad app: %d %.600s", bad.status, bad.body)
	}
	var uris []string
	for i := range 11 {
		uris = append(uris, "https://a.example/"+string(rune('a'+i)))
	}
	if p := dev.post("/dashboard/oauth-apps", url.Values{"csrf_token": {csrf}, "name": {"Many"}, "redirect_uris": {strings.Join(uris, "\n")},
		"scope": {"openid"}}); p.status != http.StatusBadRequest || !strings.Contains(p.body, "at most 10") {
		t.Errorf("11 redirect URIs: %d", p.status)
	}

	created := dev.post("/dashboard/oauth-apps", url.Values{"csrf_token": {csrf}, "name": {"Dashboard App"},
		"redirect_uris": {redirectURI + "\r\nhttps://dash.example/cb"}, "scope": {"openid", "user.inventory-item:read"}})
	idm, sm := clientIDRe.FindStringSubmatch(created.body), secretRe.FindStringSubmatch(created.body)
	if created.status != http.StatusOK || idm == nil || sm == nil {
		t.Fatalf("create: %d %.600s", created.status, created.body)
	}
	clientID, secret := idm[1], sm[1]
	app, err := e.store.OAuthApp(e.ctx, clientID)
	if err != nil || app.OwnerID != demo.GuideUser || app.Name != "Dashboard App" || len(app.RedirectURIs) != 2 || strings.Join(app.Scopes, " ") != "openid user.inventory-item:read" {
		t.Fatalf("stored app = %+v, %v", app, err)
	}
	// Shown once: the page afterwards has the id but not the secret.
	if again := dev.get("/dashboard/oauth-apps"); !strings.Contains(again.body, clientID) || strings.Contains(again.body, secret) {
		t.Error("the secret is shown again, or the app is not listed")
	}

	// Use it: a user authorizes the app, and the dashboard lists them.
	conf := e.config(app, secret, "openid", "user.inventory-item:read")
	verifier := oauth2.GenerateVerifier()
	user := e.browser()
	user.signIn(privateUser)
	code := user.authorize(conf, "s", oauth2.S256ChallengeOption(verifier))
	if _, err := conf.Exchange(e.oauthCtx(), code, oauth2.VerifierOption(verifier)); err != nil {
		t.Fatalf("exchange with the dashboard app: %v", err)
	}
	listing := dev.get("/dashboard/oauth-apps")
	if !strings.Contains(listing.body, privateUser) {
		t.Errorf("the app's users are not listed: %.1000s", listing.body)
	}

	// Regenerate: a new secret, shown once; the old one stops working.
	regen := dev.post("/dashboard/oauth-apps/"+clientID+"/regenerate", url.Values{"csrf_token": {csrf}})
	nm := secretRe.FindStringSubmatch(regen.body)
	if regen.status != http.StatusOK || nm == nil || nm[1] == secret {
		t.Fatalf("regenerate: %d", regen.status)
	}
	code = user.authorize(conf, "s", oauth2.S256ChallengeOption(verifier))
	if status, m := e.exchange(app, secret, code, verifier); status != http.StatusBadRequest || m["error"] != "invalid_client" {
		t.Errorf("old secret after regenerate: %d %v", status, m)
	}
	if status, m := e.exchange(app, nm[1], code, verifier); status != http.StatusOK {
		t.Errorf("new secret: %d %v", status, m)
	}

	// Delete: gone, with what it issued.
	if p := dev.post("/dashboard/oauth-apps/"+clientID+"/delete", url.Values{"csrf_token": {csrf}}); p.status != http.StatusOK || strings.Contains(p.body, clientID) {
		t.Errorf("delete: %d", p.status)
	}
	if _, err := e.store.OAuthApp(e.ctx, clientID); err == nil {
		t.Error("app still stored")
	}
	if auths, _ := e.store.OAuthAuthorizations(e.ctx, demo.PrivateUser, clientID); len(auths) != 0 {
		t.Errorf("authorizations of a deleted app: %v", auths)
	}

	// A public client from the page: an id, no secret.
	pub := dev.post("/dashboard/oauth-apps", url.Values{"csrf_token": {csrf}, "name": {"Native"}, "redirect_uris": {"myapp://cb"},
		"scope": {"openid"}, "public": {"1"}})
	if clientIDRe.FindStringSubmatch(pub.body) == nil || secretRe.MatchString(pub.body) || !strings.Contains(pub.body, "PKCE") {
		t.Errorf("public app page: %d %.400s", pub.status, pub.body)
	}
}

package server_test

import (
	"bytes"
	"context"
	"crypto/rand"
	"encoding/json"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"net/url"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/chromedp/cdproto/network"
	"github.com/chromedp/chromedp"
	"golang.org/x/oauth2"

	"github.com/invcloud/invcloud/internal/apikey"
	"github.com/invcloud/invcloud/internal/demo"
	"github.com/invcloud/invcloud/internal/server"
)

// chromiumPath is Debian's chromium package.
const chromiumPath = "/usr/bin/chromium"

// TestBrowserFlows drives real headless Chromium through the web pages:
// sign-in, an API key made on the credentials page and used with Open Cloud,
// an OAuth app registered on the dashboard, the authorization code flow with
// PKCE (authorize, sign-in, consent, redirect, exchange), the private
// inventory read with the token, and the app revoked under Authorized apps,
// after which the token is refused. Each page is saved as a PNG under the
// test's artifact directory (kept with go test -artifacts -outputdir DIR).
func TestBrowserFlows(t *testing.T) {
	if _, err := os.Stat(chromiumPath); err != nil {
		if os.Getenv("INVCLOUD_REQUIRE_SERVICES") == "1" {
			t.Fatalf("chromium not installed at %s: %v", chromiumPath, err)
		}
		t.Skip("chromium not installed: browser test skipped")
	}
	ctx, cancel := context.WithTimeout(context.Background(), 90*time.Second)
	defer cancel()

	// The whole server, in-process, on a fresh SQLite file with demo data.
	st, err := server.OpenStore(ctx, "sqlite:"+filepath.Join(t.TempDir(), "browser.db"))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { st.Close() })
	if err := demo.Load(ctx, st, time.Now()); err != nil {
		t.Fatal(err)
	}
	srv := httptest.NewUnstartedServer(nil)
	publicURL := "http://" + srv.Listener.Addr().String() // the issuer is publicURL + "/oauth/"
	h, err := server.New(ctx, server.Config{Store: st, Log: slog.New(slog.DiscardHandler), PublicURL: publicURL})
	if err != nil {
		t.Fatal(err)
	}
	srv.Config.Handler = h
	srv.Start()
	t.Cleanup(srv.Close)

	// The OAuth app's redirect URI: a callback that records what it gets.
	var (
		cbMu  sync.Mutex
		cbGot []url.Values
	)
	cb := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Path != "/callback" {
			http.NotFound(w, r)
			return
		}
		cbMu.Lock()
		cbGot = append(cbGot, r.URL.Query())
		cbMu.Unlock()
		w.Header().Set("Content-Type", "text/html; charset=utf-8")
		io.WriteString(w, `<!doctype html><html lang="en"><head><meta charset="utf-8"><title>Test app</title></head>`+
			`<body><h1 id="callback">Back at the test app</h1></body></html>`)
	}))
	t.Cleanup(cb.Close)
	redirectURI := cb.URL + "/callback"

	shots := newShots(t)
	userID := strconv.FormatInt(demo.PrivateUser, 10)
	inventoryPath := "/cloud/v2/users/" + userID + "/inventory-items"

	// ---- Browser 1: sign in, API key, OAuth app ----
	b1 := startBrowser(t, ctx, "browser 1")
	b1.do("open the sign-in page", chromedp.Navigate(srv.URL+"/login"), chromedp.WaitVisible(chromedp.CSS("#username")))
	b1.signIn(shots, "01-sign-in", "/my/inventory")
	b1.do("inventory page", chromedp.WaitVisible(chromedp.CSS("main table.stack tbody tr")))
	if h1 := b1.text("main h1"); h1 != "My inventory" {
		t.Errorf("after sign-in the page says %q, want My inventory", h1)
	}
	if header := b1.text("header"); !strings.Contains(header, "Sign out PrivatePat") {
		t.Errorf("header after sign-in = %q, want it to offer Sign out PrivatePat", header)
	}
	shots.take(b1, "02-inventory")

	// The same page on a phone-sized screen, in a second tab (same
	// session) so the first keeps its desktop viewport.
	phone, closePhone := b1.newTab("browser 1, phone tab")
	phone.do("phone viewport", chromedp.EmulateViewport(390, 844, chromedp.EmulatePortrait, chromedp.EmulateMobile),
		chromedp.Navigate(srv.URL+"/my/inventory"), chromedp.WaitVisible(chromedp.CSS("main table.stack tbody tr")))
	widths := phone.eval(`[document.documentElement.scrollWidth, window.innerWidth]`)
	t.Logf("inventory at 390 px: [scrollWidth, innerWidth] = %s", widths)
	var w [2]int
	if err := json.Unmarshal([]byte(widths), &w); err != nil || w[1] != 390 || w[0] > w[1] {
		t.Errorf("inventory page on a 390 px screen: [scrollWidth, innerWidth] = %s, want no sideways scrolling", widths)
	}
	shots.take(phone, "03-inventory-390px")
	closePhone()

	// An API key with Inventory: Read, made on the credentials page.
	keyName := "browser test key"
	scopeBox := `input[type="checkbox"][name="scope"][value="` + apikey.ScopeInventoryRead + `"]`
	b1.do("open the credentials page", chromedp.Navigate(srv.URL+"/dashboard/credentials"), chromedp.WaitVisible(chromedp.CSS("#create-key")))
	if label := b1.eval(`document.querySelector('` + scopeBox + `').closest('label').textContent`); !strings.Contains(label, "Inventory: Read") {
		t.Fatalf("the %s checkbox is labelled %s, want Inventory: Read", apikey.ScopeInventoryRead, label)
	}
	b1.do("fill the key form", chromedp.SendKeys(chromedp.CSS("#name"), keyName), chromedp.Click(chromedp.CSS(scopeBox)))
	if b1.eval(`document.querySelector('`+scopeBox+`').checked`) != "true" {
		t.Fatal("the Inventory: Read checkbox is not checked after a click")
	}
	b1.submit("create the API key", "#create-key", http.StatusOK)
	b1.do("the new key", chromedp.WaitVisible(chromedp.CSS("#new-secret #secret")))
	secret := strings.TrimSpace(b1.text("#secret"))
	if secret == "" {
		t.Fatal("no API key secret on the page")
	}
	if keys := b1.text("main"); !strings.Contains(keys, keyName) || !strings.Contains(keys, "Inventory: Read") {
		t.Errorf("the credentials page does not list the new key with Inventory: Read: %q", keys)
	}
	shots.take(b1, "04-credentials-key-created")

	status, body := apiGet(t, srv, inventoryPath, "x-api-key", secret)
	if status != http.StatusOK || countItems(t, body) == 0 {
		t.Fatalf("GET %s with the new API key = %d %.300s, want 200 with items", inventoryPath, status, body)
	}
	if status, _ := apiGet(t, srv, inventoryPath, "", ""); status != http.StatusUnauthorized {
		t.Errorf("GET %s without credentials = %d, want 401", inventoryPath, status)
	}

	// An OAuth app, registered on the OAuth apps page.
	appName := "Browser Test App"
	scopes := []string{"openid", "profile", apikey.ScopeInventoryRead}
	b1.do("open the OAuth apps page", chromedp.Navigate(srv.URL+"/dashboard/oauth-apps"), chromedp.WaitVisible(chromedp.CSS("#create-app")))
	b1.do("fill the app form", chromedp.SendKeys(chromedp.CSS("#name"), appName), chromedp.SendKeys(chromedp.CSS("#redirect_uris"), redirectURI))
	for _, sc := range scopes {
		b1.do("tick scope "+sc, chromedp.Click(chromedp.CSS(`input[type="checkbox"][name="scope"][value="`+sc+`"]`)))
	}
	b1.submit("create the OAuth app", "#create-app", http.StatusOK)
	b1.do("the new app", chromedp.WaitVisible(chromedp.CSS("#new-secret #client-id")), chromedp.WaitVisible(chromedp.CSS("#new-secret #secret")))
	clientID := strings.TrimSpace(b1.text("#client-id"))
	clientSecret := strings.TrimSpace(b1.text("#secret"))
	if clientID == "" || !strings.HasPrefix(clientSecret, "RBX-") {
		t.Fatalf("client id %q, secret %q: want both on the page", clientID, clientSecret)
	}
	b1.do("the app in the list", chromedp.WaitVisible(chromedp.CSS(`.app[data-client-id="`+clientID+`"]`)))
	shots.take(b1, "05-oauth-app-created")

	// ---- Browser 2 (fresh profile): the authorization code flow with PKCE ----
	conf := &oauth2.Config{
		ClientID: clientID, ClientSecret: clientSecret, RedirectURL: redirectURI, Scopes: scopes,
		Endpoint: oauth2.Endpoint{AuthURL: srv.URL + "/oauth/v1/authorize", TokenURL: srv.URL + "/oauth/v1/token", AuthStyle: oauth2.AuthStyleInHeader},
	}
	verifier := oauth2.GenerateVerifier()
	state := rand.Text()
	b2 := startBrowser(t, ctx, "browser 2")
	b2.do("open the authorize URL", chromedp.Navigate(conf.AuthCodeURL(state, oauth2.S256ChallengeOption(verifier))),
		chromedp.WaitVisible(chromedp.CSS("#username")))
	if loc := b2.location(); !strings.HasPrefix(loc, srv.URL+"/login?") || !strings.Contains(loc, "returnUrl=") {
		t.Fatalf("authorize without a session went to %s, want the sign-in page with a returnUrl", loc)
	}
	b2.signIn(shots, "06-oauth-sign-in", "/oauth/consent")
	b2.do("the consent page", chromedp.WaitVisible(chromedp.CSS("#consent #allow")))
	if title := b2.text("#consent h1"); title != "Authorize "+appName {
		t.Errorf("consent title = %q, want %q", title, "Authorize "+appName)
	}
	words := b2.text("#scopes")
	for _, want := range []string{"Know who you are", "See your username, display name and profile", "Read your inventory, including private items"} {
		if !strings.Contains(words, want) {
			t.Errorf("the consent page does not say %q; its scopes read %q", want, words)
		}
	}
	if n := b2.eval(`document.querySelectorAll('#scopes li[data-scope]').length`); n != strconv.Itoa(len(scopes)) {
		t.Errorf("consent page lists %s scopes, want %d", n, len(scopes))
	}
	shots.take(b2, "07-consent")

	b2.submit("approve", "#allow", http.StatusOK)
	b2.do("back at the app", chromedp.WaitVisible(chromedp.CSS("#callback")))
	if loc := b2.location(); !strings.HasPrefix(loc, redirectURI+"?") {
		t.Fatalf("after consent the browser is at %s, want %s", loc, redirectURI)
	}
	shots.take(b2, "08-callback")
	cbMu.Lock()
	got := append([]url.Values(nil), cbGot...)
	cbMu.Unlock()
	if len(got) != 1 {
		t.Fatalf("the callback was called %d times, want once: %v", len(got), got)
	}
	if got[0].Get("state") != state || got[0].Get("code") == "" || got[0].Get("error") != "" {
		t.Fatalf("callback query %v: want a code and state %q", got[0], state)
	}

	octx := context.WithValue(ctx, oauth2.HTTPClient, srv.Client())
	tok, err := conf.Exchange(octx, got[0].Get("code"), oauth2.VerifierOption(verifier))
	if err != nil {
		t.Fatalf("exchange the code: %v", err)
	}
	if tok.TokenType != "Bearer" || tok.AccessToken == "" || tok.RefreshToken == "" || tok.Extra("scope") != strings.Join(scopes, " ") {
		t.Errorf("token type %q, refresh token set %v, scope %v", tok.TokenType, tok.RefreshToken != "", tok.Extra("scope"))
	}
	status, body = apiGet(t, srv, inventoryPath, "Authorization", "Bearer "+tok.AccessToken)
	if status != http.StatusOK || countItems(t, body) == 0 {
		t.Fatalf("private inventory with the OAuth token = %d %.300s, want 200 with items", status, body)
	}

	// The user removes the app under Authorized apps: the token stops.
	row := `#authorized-apps tr[data-client-id="` + clientID + `"]`
	b2.do("open Authorized apps", chromedp.Navigate(srv.URL+"/my/authorized-apps"), chromedp.WaitVisible(chromedp.CSS(row)))
	if text := b2.text(row); !strings.Contains(text, appName) || !strings.Contains(text, "Read your inventory, including private items") {
		t.Errorf("authorized app row = %q, want the app's name and what it can do", text)
	}
	shots.take(b2, "09-authorized-apps")
	b2.submit("revoke the app", row+` button.danger`, http.StatusOK)
	b2.do("access removed", chromedp.WaitVisible(chromedp.CSS(`main .notice[role="status"]`)), chromedp.WaitNotPresent(chromedp.CSS(row)))
	if notice := b2.text("main .notice"); !strings.Contains(notice, "Access removed") {
		t.Errorf("notice after revoke = %q", notice)
	}
	shots.take(b2, "10-authorized-apps-revoked")

	if status, body := apiGet(t, srv, inventoryPath, "Authorization", "Bearer "+tok.AccessToken); status != http.StatusUnauthorized {
		t.Errorf("private inventory with the token of a revoked app = %d %.200s, want 401", status, body)
	}
	if _, err := conf.TokenSource(octx, &oauth2.Token{RefreshToken: tok.RefreshToken}).Token(); err == nil {
		t.Error("the refresh token of a revoked app still works")
	}
	// The API key is the user's own credential: revoking an app leaves it alone.
	if status, _ := apiGet(t, srv, inventoryPath, "x-api-key", secret); status != http.StatusOK {
		t.Errorf("the API key after the app was revoked: %d, want 200", status)
	}
}

// browser is one headless Chromium with its own profile, and its only tab.
type browser struct {
	t    *testing.T
	name string
	ctx  context.Context
}

// startBrowser starts Chromium with a fresh profile; it lives until ctx ends
// or the test ends.
func startBrowser(t *testing.T, ctx context.Context, name string) *browser {
	t.Helper()
	profile := t.TempDir()
	var out lockedBuffer
	opts := append([]chromedp.ExecAllocatorOption(nil), chromedp.DefaultExecAllocatorOptions[:]...)
	opts = append(opts,
		chromedp.ExecPath(chromiumPath),
		chromedp.Headless,
		chromedp.NoSandbox, // tests run as root
		chromedp.DisableGPU,
		chromedp.NoFirstRun,
		chromedp.Flag("disable-quic", true),
		chromedp.Flag("disable-background-networking", true),
		chromedp.Flag("disable-component-update", true),
		chromedp.Flag("disable-sync", true),
		chromedp.UserDataDir(profile),
		chromedp.WindowSize(1280, 900),
		chromedp.CombinedOutput(&out),
	)
	actx, cancelAlloc := chromedp.NewExecAllocator(ctx, opts...)
	bctx, cancelBrowser := chromedp.NewContext(actx)
	t.Cleanup(func() {
		// Close the browser before t.TempDir removes its profile; child
		// processes can write there a moment after it stops.
		chromedp.Cancel(bctx)
		cancelBrowser()
		cancelAlloc()
		for range 50 {
			if err := os.RemoveAll(profile); err == nil {
				break
			}
			time.Sleep(100 * time.Millisecond)
		}
		if t.Failed() {
			t.Logf("%s output (tail):\n%s", name, out.tail(4000))
		}
	})
	if err := chromedp.Do(bctx); err != nil { // starts the browser
		t.Fatalf("start %s (%s): %v\n%s", name, chromiumPath, err, out.tail(4000))
	}
	return &browser{t: t, name: name, ctx: bctx}
}

// newTab opens another tab in the same browser (same cookies); close
// closes it.
func (b *browser) newTab(name string) (tab *browser, close func()) {
	b.t.Helper()
	ctx, cancel := chromedp.NewContext(b.ctx)
	b.t.Cleanup(cancel)
	tab = &browser{t: b.t, name: name, ctx: ctx}
	tab.do("open a tab")
	return tab, cancel
}

func (b *browser) do(what string, actions ...chromedp.Action[chromedp.Void]) {
	b.t.Helper()
	if err := chromedp.Do(b.ctx, actions...); err != nil {
		b.t.Fatalf("%s: %s: %v (at %s)", b.name, what, err, b.locationOrErr())
	}
}

// submit clicks a submit button and waits for the page it leads to, which
// must answer with status (after redirects).
func (b *browser) submit(what, selector string, status int64) *network.Response {
	b.t.Helper()
	resp, err := chromedp.RunResponse(b.ctx, chromedp.Click(chromedp.CSS(selector)))
	if err != nil {
		b.t.Fatalf("%s: %s: %v (at %s)", b.name, what, err, b.locationOrErr())
	}
	if resp.Status != status {
		b.t.Fatalf("%s: %s: %s answered %d, want %d", b.name, what, resp.URL, resp.Status, status)
	}
	return resp
}

// signIn fills in and sends the sign-in form shown in the tab, as
// PrivatePat, saving a screenshot of the filled form, and checks the browser
// lands on a page whose path starts with wantPath.
func (b *browser) signIn(shots *shots, shot, wantPath string) {
	b.t.Helper()
	b.do("fill the sign-in form",
		chromedp.WaitVisible(chromedp.CSS("#username")),
		chromedp.SendKeys(chromedp.CSS("#username"), "PrivatePat"),
		chromedp.SendKeys(chromedp.CSS("#password"), demo.Password))
	shots.take(b, shot)
	resp := b.submit("sign in", "#sign-in", http.StatusOK)
	u, err := url.Parse(resp.URL)
	if err != nil || !strings.HasPrefix(u.Path, wantPath) {
		b.t.Fatalf("%s: after sign-in at %s, want %s", b.name, resp.URL, wantPath)
	}
}

func (b *browser) text(selector string) string {
	b.t.Helper()
	s, err := chromedp.Run(b.ctx, chromedp.Text(chromedp.CSS(selector)))
	if err != nil {
		b.t.Fatalf("%s: text of %s: %v (at %s)", b.name, selector, err, b.locationOrErr())
	}
	return s
}

// eval returns a JavaScript expression's value as JSON, or a string as is.
func (b *browser) eval(expr string) string {
	b.t.Helper()
	v, err := chromedp.Run(b.ctx, chromedp.Evaluate[any](expr))
	if err != nil {
		b.t.Fatalf("%s: evaluate %s: %v", b.name, expr, err)
	}
	if s, ok := v.(string); ok {
		return s
	}
	j, _ := json.Marshal(v)
	return string(j)
}

func (b *browser) location() string {
	b.t.Helper()
	loc, err := chromedp.Run(b.ctx, chromedp.Location())
	if err != nil {
		b.t.Fatalf("%s: location: %v", b.name, err)
	}
	return loc
}

func (b *browser) locationOrErr() string {
	ctx, cancel := context.WithTimeout(b.ctx, 2*time.Second)
	defer cancel()
	loc, err := chromedp.Run(ctx, chromedp.Location())
	if err != nil {
		return "unknown location: " + err.Error()
	}
	return loc
}

// shots saves full-page PNG screenshots in the test's artifact directory.
type shots struct {
	t   *testing.T
	dir string
}

func newShots(t *testing.T) *shots {
	dir := filepath.Join(t.ArtifactDir(), "screenshots")
	if err := os.MkdirAll(dir, 0o755); err != nil {
		t.Fatal(err)
	}
	t.Logf("screenshots in %s (kept with go test -artifacts -outputdir DIR)", dir)
	return &shots{t: t, dir: dir}
}

func (s *shots) take(b *browser, name string) {
	s.t.Helper()
	png, err := chromedp.Run(b.ctx, chromedp.FullScreenshot(100)) // quality 100: PNG
	if err != nil {
		s.t.Fatalf("%s: screenshot %s: %v", b.name, name, err)
	}
	if !bytes.HasPrefix(png, []byte("\x89PNG\r\n\x1a\n")) {
		s.t.Fatalf("screenshot %s is not a PNG", name)
	}
	if err := os.WriteFile(filepath.Join(s.dir, name+".png"), png, 0o644); err != nil {
		s.t.Fatal(err)
	}
}

// apiGet calls the API from Go with one credential header (none if name
// is empty).
func apiGet(t *testing.T, srv *httptest.Server, path, name, value string) (int, string) {
	t.Helper()
	req, err := http.NewRequest(http.MethodGet, srv.URL+path, nil)
	if err != nil {
		t.Fatal(err)
	}
	if name != "" {
		req.Header.Set(name, value)
	}
	resp, err := srv.Client().Do(req)
	if err != nil {
		t.Fatalf("GET %s: %v", path, err)
	}
	defer resp.Body.Close()
	body, err := io.ReadAll(resp.Body)
	if err != nil {
		t.Fatalf("GET %s: %v", path, err)
	}
	return resp.StatusCode, string(body)
}

// countItems returns the number of inventory items in an Open Cloud
// listing.
func countItems(t *testing.T, body string) int {
	t.Helper()
	var page struct {
		InventoryItems []struct {
			Path string `json:"path"`
		} `json:"inventoryItems"`
	}
	if err := json.Unmarshal([]byte(body), &page); err != nil {
		t.Fatalf("inventory listing %.200q: %v", body, err)
	}
	for _, it := range page.InventoryItems {
		if it.Path == "" {
			t.Errorf("inventory item without a path in %.300s", body)
		}
	}
	return len(page.InventoryItems)
}

// lockedBuffer collects the browser's output.
type lockedBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (l *lockedBuffer) Write(p []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.Write(p)
}

func (l *lockedBuffer) tail(n int) string {
	l.mu.Lock()
	defer l.mu.Unlock()
	s := l.b.String()
	if len(s) > n {
		s = "..." + s[len(s)-n:]
	}
	return s
}

package oauth_test

import (
	"context"
	"encoding/json"
	"html"
	"io"
	"log/slog"
	"net/http"
	"net/http/cookiejar"
	"net/http/httptest"
	"net/url"
	"os"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"golang.org/x/oauth2"

	"github.com/invcloud/invcloud/internal/demo"
	"github.com/invcloud/invcloud/internal/oauth"
	"github.com/invcloud/invcloud/internal/server"
	"github.com/invcloud/invcloud/internal/store"
	"github.com/invcloud/invcloud/internal/store/sqlite"
)

func TestMain(m *testing.M) {
	// op logs through the default logger; keep failing tests readable.
	slog.SetDefault(slog.New(slog.DiscardHandler))
	os.Exit(m.Run())
}

// clock is the server's clock in tests: it moves only when told.
type clock struct {
	mu sync.Mutex
	t  time.Time
}

func (c *clock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.t
}

func (c *clock) Add(d time.Duration) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.t = c.t.Add(d)
}

// redirectURI is the test apps' redirect URI. Nothing listens there: the
// browser stops at the redirect.
const redirectURI = "http://127.0.0.1:9/callback"

// The demo users the tests sign in as.
const (
	privateUser = "PrivatePat" // demo.PrivateUser, private inventory
	guideUser   = "GuideUser"  // demo.GuideUser, public inventory
)

var allScopes = []string{"openid", "profile", "user.inventory-item:read"}

type env struct {
	t     *testing.T
	ctx   context.Context
	srv   *httptest.Server
	store store.Store
	db    *sqlite.Store
	clock *clock

	app         store.OAuthApp // confidential, owned by GuideUser
	secret      string
	other       store.OAuthApp // another confidential app
	otherSecret string
	pub         store.OAuthApp // public
}

func newEnv(t *testing.T) *env {
	t.Helper()
	ctx := context.Background()
	db, err := sqlite.Open(ctx, filepath.Join(t.TempDir(), "oauth.db"))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	clk := &clock{t: time.Now().UTC().Truncate(time.Second)}
	if err := demo.Load(ctx, db, clk.Now()); err != nil {
		t.Fatal(err)
	}
	srv := httptest.NewServer(nil)
	t.Cleanup(srv.Close)
	h, err := server.New(ctx, server.Config{Store: db, Log: slog.New(slog.DiscardHandler), Now: clk.Now, PublicURL: srv.URL})
	if err != nil {
		t.Fatal(err)
	}
	srv.Config.Handler = h
	e := &env{t: t, ctx: ctx, srv: srv, store: db, db: db, clock: clk}
	e.app, e.secret = e.newApp("Inventory Viewer", false, allScopes...)
	e.other, e.otherSecret = e.newApp("Other App", false, allScopes...)
	e.pub, _ = e.newApp("Phone App", true, allScopes...)
	return e
}

func (e *env) newApp(name string, public bool, scopes ...string) (store.OAuthApp, string) {
	e.t.Helper()
	app, secret, err := oauth.NewApp(oauth.AppSpec{OwnerID: demo.GuideUser, Name: name, RedirectURIs: []string{redirectURI, "https://app.example/cb"},
		Scopes: scopes, Public: public}, e.clock.Now())
	if err != nil {
		e.t.Fatal(err)
	}
	if err := e.store.CreateOAuthApp(e.ctx, app); err != nil {
		e.t.Fatal(err)
	}
	return app, secret
}

// config is an x/oauth2 client of app.
func (e *env) config(app store.OAuthApp, secret string, scopes ...string) *oauth2.Config {
	style := oauth2.AuthStyleInHeader
	if secret == "" {
		style = oauth2.AuthStyleInParams
	}
	return &oauth2.Config{
		ClientID: app.ClientID, ClientSecret: secret, RedirectURL: redirectURI, Scopes: scopes,
		Endpoint: oauth2.Endpoint{AuthURL: e.srv.URL + "/oauth/v1/authorize", TokenURL: e.srv.URL + "/oauth/v1/token", AuthStyle: style},
	}
}

// oauthCtx makes x/oauth2 use the test server's client.
func (e *env) oauthCtx() context.Context {
	return context.WithValue(e.ctx, oauth2.HTTPClient, e.srv.Client())
}

// count returns the number of rows of an OAuth table.
func (e *env) count(table string) int {
	e.t.Helper()
	var n int
	if err := e.db.DB().QueryRow(`SELECT COUNT(*) FROM ` + table).Scan(&n); err != nil {
		e.t.Fatal(err)
	}
	return n
}

// snapshot counts every OAuth table, to show a refused request changed
// nothing.
func (e *env) snapshot() map[string]int {
	out := map[string]int{}
	for _, tb := range []string{"oauth_apps", "oauth_authorizations", "oauth_requests", "oauth_sessions", "oauth_used_codes",
		"oauth_refresh_tokens", "oauth_access_tokens"} {
		out[tb] = e.count(tb)
	}
	var revoked int
	e.db.DB().QueryRow(`SELECT (SELECT COUNT(*) FROM oauth_sessions WHERE revoked_at IS NOT NULL) +
		(SELECT COUNT(*) FROM oauth_authorizations WHERE revoked_at IS NOT NULL) +
		(SELECT COUNT(*) FROM oauth_requests WHERE user_id IS NOT NULL) +
		(SELECT COUNT(*) FROM oauth_refresh_tokens WHERE used_at IS NOT NULL)`).Scan(&revoked)
	out["revoked, approved or spent"] = revoked
	var secrets string
	e.db.DB().QueryRow(`SELECT group_concat(hex(secret_hash), ',') FROM (SELECT secret_hash FROM oauth_apps ORDER BY client_id)`).Scan(&secrets)
	out["secrets "+secrets] = 1
	return out
}

func (e *env) unchanged(before map[string]int, what string) {
	e.t.Helper()
	after := e.snapshot()
	for k, v := range before {
		if after[k] != v {
			e.t.Errorf("%s changed state: %s %d -> %d", what, k, v, after[k])
		}
	}
	if len(after) != len(before) {
		e.t.Errorf("%s changed state: %v -> %v", what, before, after)
	}
}

// browser is a user agent with a cookie jar. It follows redirects within
// invcloud and stops at one leading elsewhere (to the app).
type browser struct {
	e *env
	c *http.Client
}

func (e *env) browser() *browser {
	jar, _ := cookiejar.New(nil)
	return &browser{e: e, c: &http.Client{Jar: jar, CheckRedirect: func(req *http.Request, via []*http.Request) error {
		if req.URL.Host != strings.TrimPrefix(e.srv.URL, "http://") {
			return http.ErrUseLastResponse
		}
		return nil
	}}}
}

type page struct {
	status   int
	body     string
	location string // set when the browser stopped at a redirect to the app
	header   http.Header
}

func readPage(t *testing.T, resp *http.Response, err error) page {
	t.Helper()
	if err != nil {
		t.Fatal(err)
	}
	body, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	return page{status: resp.StatusCode, body: string(body), location: resp.Header.Get("Location"), header: resp.Header}
}

func (b *browser) get(rawURL string) page {
	b.e.t.Helper()
	if strings.HasPrefix(rawURL, "/") {
		rawURL = b.e.srv.URL + rawURL
	}
	resp, err := b.c.Get(rawURL)
	return readPage(b.e.t, resp, err)
}

func (b *browser) post(path string, form url.Values) page {
	b.e.t.Helper()
	resp, err := b.c.PostForm(b.e.srv.URL+path, form)
	return readPage(b.e.t, resp, err)
}

var (
	csrfRe          = regexp.MustCompile(`name="csrf_token" value="([^"]+)"`)
	idRe            = regexp.MustCompile(`name="id" value="([^"]+)"`)
	regexpReturnURL = regexp.MustCompile(`name="returnUrl" value="([^"]+)"`)
	regexpRevoke    = regexp.MustCompile(`action="(/my/authorized-apps/[^"]+/revoke)"`)
)

func field(t *testing.T, re *regexp.Regexp, p page) string {
	t.Helper()
	m := re.FindStringSubmatch(p.body)
	if m == nil {
		t.Fatalf("no %s in page (status %d): %.300s", re, p.status, p.body)
	}
	return html.UnescapeString(m[1])
}

// signIn signs the browser in as user (demo password).
func (b *browser) signIn(user string) {
	b.e.t.Helper()
	form := b.get("/login")
	p := b.post("/login", url.Values{"csrf_token": {field(b.e.t, csrfRe, form)}, "username": {user}, "password": {demo.Password}, "returnUrl": {"/my/inventory"}})
	if p.status != http.StatusOK || !strings.Contains(p.body, "My inventory") {
		b.e.t.Fatalf("sign in as %s: status %d", user, p.status)
	}
}

// csrf is the signed-in session's form token.
func (b *browser) csrf() string {
	b.e.t.Helper()
	return field(b.e.t, csrfRe, b.get("/my/privacy"))
}

// decide answers a consent page.
func (b *browser) decide(consent page, decision string) page {
	b.e.t.Helper()
	return b.post("/oauth/consent", url.Values{"csrf_token": {field(b.e.t, csrfRe, consent)}, "id": {field(b.e.t, idRe, consent)}, "decision": {decision}})
}

// callback parses a redirect to the app.
func callback(t *testing.T, p page) url.Values {
	t.Helper()
	if p.status != http.StatusFound || !strings.HasPrefix(p.location, redirectURI) {
		t.Fatalf("want a 302 to the app, got %d %q: %.300s", p.status, p.location, p.body)
	}
	u, err := url.Parse(p.location)
	if err != nil {
		t.Fatal(err)
	}
	return u.Query()
}

// authorize runs the browser part of the flow (the browser is signed in)
// and returns the code.
func (b *browser) authorize(conf *oauth2.Config, state string, opts ...oauth2.AuthCodeOption) string {
	b.e.t.Helper()
	consent := b.get(conf.AuthCodeURL(state, opts...))
	if consent.status != http.StatusOK || !strings.Contains(consent.body, `id="consent"`) {
		b.e.t.Fatalf("authorize: want the consent page, got %d %q: %.500s", consent.status, consent.location, consent.body)
	}
	q := callback(b.e.t, b.decide(consent, "allow"))
	if q.Get("state") != state || q.Get("code") == "" {
		b.e.t.Fatalf("callback %v: want a code and state %q", q, state)
	}
	return q.Get("code")
}

// call makes an API request with a bearer token.
func (e *env) call(method, path, token string, form url.Values) (int, string, http.Header) {
	e.t.Helper()
	var body io.Reader
	if form != nil {
		body = strings.NewReader(form.Encode())
	}
	req, _ := http.NewRequest(method, e.srv.URL+path, body)
	if form != nil {
		req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	}
	if token != "" {
		req.Header.Set("Authorization", "Bearer "+token)
	}
	resp, err := e.srv.Client().Do(req)
	p := readPage(e.t, resp, err)
	return p.status, p.body, p.header
}

// inventory reads a user's inventory with an access token.
func (e *env) inventory(userID int64, token string) (int, string) {
	e.t.Helper()
	status, body, _ := e.call("GET", "/cloud/v2/users/"+strconv.FormatInt(userID, 10)+"/inventory-items?maxPageSize=100", token, nil)
	return status, body
}

// postForm posts a form with optional HTTP Basic client authentication.
func (e *env) postForm(path string, form url.Values, basicID, basicSecret string) (int, map[string]any, http.Header) {
	e.t.Helper()
	req, _ := http.NewRequest("POST", e.srv.URL+path, strings.NewReader(form.Encode()))
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	if basicID != "" {
		req.SetBasicAuth(url.QueryEscape(basicID), url.QueryEscape(basicSecret))
	}
	resp, err := e.srv.Client().Do(req)
	p := readPage(e.t, resp, err)
	var m map[string]any
	if strings.TrimSpace(p.body) != "" {
		if err := json.Unmarshal([]byte(p.body), &m); err != nil {
			e.t.Fatalf("POST %s: %d, body %q is not JSON", path, p.status, p.body)
		}
	}
	return p.status, m, p.header
}

// exchange redeems a code by hand (not through x/oauth2).
func (e *env) exchange(app store.OAuthApp, secret, code, verifier string) (int, map[string]any) {
	e.t.Helper()
	form := url.Values{"grant_type": {"authorization_code"}, "code": {code}, "redirect_uri": {redirectURI}, "client_id": {app.ClientID}}
	if secret != "" {
		form.Set("client_secret", secret)
	}
	if verifier != "" {
		form.Set("code_verifier", verifier)
	}
	status, m, _ := e.postForm("/oauth/v1/token", form, "", "")
	return status, m
}

// refresh spends a refresh token by hand.
func (e *env) refresh(app store.OAuthApp, secret, rt string) (int, map[string]any) {
	e.t.Helper()
	status, m, _ := e.postForm("/oauth/v1/token", url.Values{"grant_type": {"refresh_token"}, "refresh_token": {rt},
		"client_id": {app.ClientID}, "client_secret": {secret}}, "", "")
	return status, m
}

func wantOAuthError(t *testing.T, what string, status int, m map[string]any, wantStatus int, wantCode string) {
	t.Helper()
	if status != wantStatus || m["error"] != wantCode {
		t.Errorf("%s: %d %v, want %d error=%s", what, status, m, wantStatus, wantCode)
	}
	if d, _ := m["error_description"].(string); d == "" && status >= 400 {
		t.Errorf("%s: no error_description in %v", what, m)
	}
}

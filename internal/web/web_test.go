package web_test

import (
	"context"
	"fmt"
	"html"
	"io"
	"log/slog"
	"net/http"
	"net/http/cookiejar"
	"net/http/httptest"
	"net/url"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/invcloud/invcloud/internal/account"
	"github.com/invcloud/invcloud/internal/demo"
	"github.com/invcloud/invcloud/internal/inventory"
	"github.com/invcloud/invcloud/internal/server"
	"github.com/invcloud/invcloud/internal/store"
)

type site struct {
	t     *testing.T
	srv   *httptest.Server
	store store.Store
}

func newSite(t *testing.T) *site {
	t.Helper()
	return newSiteWith(t, server.Config{})
}

// newSiteWith is newSite with cfg's options (its Store and Log are set here).
func newSiteWith(t *testing.T, cfg server.Config) *site {
	t.Helper()
	ctx := context.Background()
	s, err := server.OpenStore(ctx, "sqlite:"+filepath.Join(t.TempDir(), "web.db"))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { s.Close() })
	if err := demo.Load(ctx, s, time.Now()); err != nil {
		t.Fatal(err)
	}
	cfg.Store, cfg.Log = s, slog.New(slog.DiscardHandler)
	h, err := server.New(ctx, cfg)
	if err != nil {
		t.Fatal(err)
	}
	srv := httptest.NewServer(h)
	t.Cleanup(srv.Close)
	return &site{t: t, srv: srv, store: s}
}

// browser is a client with its own cookie jar that does not follow redirects.
type browser struct {
	t *testing.T
	s *site
	c *http.Client
}

func (s *site) browser() *browser {
	jar, _ := cookiejar.New(nil)
	return &browser{t: s.t, s: s, c: &http.Client{Jar: jar, CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}}
}

type page struct {
	status   int
	body     string
	location string
}

func (b *browser) get(path string) page {
	b.t.Helper()
	resp, err := b.c.Get(b.s.srv.URL + path)
	if err != nil {
		b.t.Fatal(err)
	}
	return read(resp)
}

func (b *browser) post(path string, form url.Values) page {
	b.t.Helper()
	resp, err := b.c.PostForm(b.s.srv.URL+path, form)
	if err != nil {
		b.t.Fatal(err)
	}
	return read(resp)
}

func read(resp *http.Response) page {
	body, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	return page{status: resp.StatusCode, body: string(body), location: resp.Header.Get("Location")}
}

var csrfRe = regexp.MustCompile(`name="csrf_token" value="([^"]+)"`)

func csrf(t *testing.T, p page) string {
	t.Helper()
	m := csrfRe.FindStringSubmatch(p.body)
	if m == nil {
		t.Fatalf("no csrf token in page (status %d)", p.status)
	}
	return m[1]
}

// signIn signs in and returns the CSRF token of the new session.
func (b *browser) signIn(user, password string) page {
	b.t.Helper()
	form := b.get("/login?returnUrl=%2Fmy%2Fprivacy")
	return b.post("/login", url.Values{"csrf_token": {csrf(b.t, form)}, "username": {user}, "password": {password}, "returnUrl": {"/my/privacy"}})
}

func (b *browser) cookie() string {
	u, _ := url.Parse(b.s.srv.URL)
	for _, c := range b.c.Jar.Cookies(u) {
		if c.Name == account.CookieName {
			return c.Value
		}
	}
	return ""
}

func TestSignIn(t *testing.T) {
	s := newSite(t)
	b := s.browser()
	if p := b.get("/my/inventory"); p.status != http.StatusSeeOther || p.location != "/login?returnUrl=%2Fmy%2Finventory" {
		t.Fatalf("anonymous inventory: %d %q", p.status, p.location)
	}
	if p := b.signIn("GuideUser", "wrong-password"); p.status != http.StatusUnauthorized || !strings.Contains(p.body, "Incorrect username or password.") {
		t.Fatalf("bad password: %d", p.status)
	}
	if p := b.signIn("NoSuchUser", demo.Password); p.status != http.StatusUnauthorized {
		t.Fatalf("unknown user: %d", p.status)
	}
	p := b.signIn("guideuser", demo.Password) // names are case-insensitive
	if p.status != http.StatusSeeOther || p.location != "/my/privacy" {
		t.Fatalf("sign in: %d %q", p.status, p.location)
	}
	if c := b.cookie(); !strings.HasPrefix(c, account.CookiePrefix) || len(c) != len(account.CookiePrefix)+64 {
		t.Fatalf("cookie %q", c)
	}
	inv := b.get("/my/inventory")
	if inv.status != http.StatusOK || !strings.Contains(inv.body, "Classic Logo T-Shirt") || !strings.Contains(inv.body, "200105119388") {
		t.Fatalf("inventory page: %d", inv.status)
	}
	badges := b.get("/my/inventory?category=badges")
	if !strings.Contains(badges.body, "Welcome Badge") {
		t.Fatal("badges tab lacks the Welcome Badge")
	}
	// Sign out needs the CSRF token.
	if p := b.post("/logout", nil); p.status != http.StatusForbidden {
		t.Fatalf("logout without csrf: %d", p.status)
	}
	if p := b.post("/logout", url.Values{"csrf_token": {csrf(t, inv)}}); p.status != http.StatusSeeOther {
		t.Fatalf("logout: %d", p.status)
	}
	if p := b.get("/my/inventory"); p.status != http.StatusSeeOther {
		t.Fatalf("after logout: %d", p.status)
	}
}

func TestSignInCookieAttributes(t *testing.T) {
	s := newSite(t)
	b := s.browser()
	form := b.get("/login")
	req, _ := http.NewRequest("POST", s.srv.URL+"/login", strings.NewReader(url.Values{"csrf_token": {csrf(t, form)}, "username": {"GuideUser"}, "password": {demo.Password}}.Encode()))
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	resp, err := b.c.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	var set *http.Cookie
	for _, c := range resp.Cookies() {
		if c.Name == account.CookieName {
			set = c
		}
	}
	if set == nil || !set.HttpOnly || set.SameSite != http.SameSiteLaxMode || set.Path != "/" {
		t.Fatalf("session cookie %+v", set)
	}
}

func TestSignInRefusesForeignReturnURL(t *testing.T) {
	s := newSite(t)
	for _, ret := range []string{"https://evil.example/", "//evil.example/x", "/\\evil.example", "javascript:alert(1)",
		"/\t/evil.example", "/\n/evil.example", "/\x7f/evil.example", "/a\\..\\\\evil.example", "/\r\n//evil.example"} {
		b := s.browser()
		form := b.get("/login")
		p := b.post("/login", url.Values{"csrf_token": {csrf(t, form)}, "username": {"GuideUser"}, "password": {demo.Password}, "returnUrl": {ret}})
		if p.status != http.StatusSeeOther || p.location != "/my/inventory" {
			t.Errorf("returnUrl %q: redirected to %q", ret, p.location)
		}
	}
}

func TestSignInNeedsCSRF(t *testing.T) {
	s := newSite(t)
	b := s.browser()
	b.get("/login")
	if p := b.post("/login", url.Values{"username": {"GuideUser"}, "password": {demo.Password}}); p.status != http.StatusForbidden || b.cookie() != "" {
		t.Fatalf("csrf-less sign-in: %d, cookie %q", p.status, b.cookie())
	}
	if p := b.post("/login", url.Values{"csrf_token": {"forged-forged-forged-forged-forged-forged"}, "username": {"GuideUser"}, "password": {demo.Password}}); p.status != http.StatusForbidden {
		t.Fatalf("forged token: %d", p.status)
	}
}

// TestSessionFixation: a session id planted before sign-in is not the one
// used after it, and stops working.
func TestSessionFixation(t *testing.T) {
	s := newSite(t)
	attacker := s.browser()
	attacker.signIn("LimitedCollector", demo.Password)
	planted := attacker.cookie()

	victim := s.browser()
	u, _ := url.Parse(s.srv.URL)
	victim.c.Jar.SetCookies(u, []*http.Cookie{{Name: account.CookieName, Value: planted, Path: "/"}})
	victim.signIn("GuideUser", demo.Password)
	if victim.cookie() == planted {
		t.Fatal("sign-in kept the planted session id")
	}
	if p := attacker.get("/my/inventory"); p.status != http.StatusSeeOther {
		t.Fatalf("planted session still valid: %d", p.status)
	}
	if p := victim.get("/my/inventory"); p.status != http.StatusOK || !strings.Contains(p.body, "GuideUser") {
		t.Fatalf("victim: %d", p.status)
	}
}

func TestSignInThrottled(t *testing.T) {
	s := newSite(t)
	b := s.browser()
	var last page
	for i := range 8 {
		last = b.signIn("GuideUser", "not-the-password")
		if i < 5 && last.status != http.StatusUnauthorized {
			t.Fatalf("attempt %d: %d", i, last.status)
		}
	}
	if last.status != http.StatusTooManyRequests || !strings.Contains(last.body, "Too many sign-in attempts") {
		t.Fatalf("after 8 attempts: %d", last.status)
	}
	// Even the right password is refused while throttled.
	if p := b.signIn("GuideUser", demo.Password); p.status != http.StatusTooManyRequests || b.cookie() != "" {
		t.Fatalf("throttled good password: %d", p.status)
	}
	// Another account from another browser (same address) still works.
	if p := s.browser().signIn("LimitedCollector", demo.Password); p.status != http.StatusSeeOther {
		t.Fatalf("other account: %d", p.status)
	}
}

// apiGet calls the Open Cloud inventory API with an API key.
func (s *site) apiGet(path, key string) int {
	req, _ := http.NewRequest("GET", s.srv.URL+path, nil)
	req.Header.Set("x-api-key", key)
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		s.t.Fatal(err)
	}
	resp.Body.Close()
	return resp.StatusCode
}

func TestPrivacyTakesEffectAtOnce(t *testing.T) {
	s := newSite(t)
	b := s.browser()
	p := b.signIn("GuideUser", demo.Password)
	form := b.get(p.location)
	other := demo.Keys[1].Secret // another user's key, no scopes
	inv := "/cloud/v2/users/11111111111/inventory-items"
	if st := s.apiGet(inv, other); st != http.StatusOK {
		t.Fatalf("public inventory: %d", st)
	}
	if p := b.post("/my/privacy", url.Values{"visibility": {"noone"}}); p.status != http.StatusForbidden {
		t.Fatalf("csrf-less privacy post: %d", p.status)
	}
	if u, _ := s.store.User(context.Background(), demo.GuideUser); u.Visibility != inventory.VisibilityEveryone {
		t.Fatalf("refused post changed visibility to %s", u.Visibility)
	}
	if p := b.post("/my/privacy", url.Values{"visibility": {"noone"}, "csrf_token": {csrf(t, form)}}); p.status != http.StatusSeeOther {
		t.Fatalf("privacy post: %d", p.status)
	}
	if st := s.apiGet(inv, other); st != http.StatusForbidden {
		t.Fatalf("after making private: %d", st)
	}
	if st := s.apiGet(inv, demo.Keys[0].Secret); st != http.StatusOK {
		t.Fatalf("owner's own key: %d", st)
	}
}

var secretRe = regexp.MustCompile(`<p class="secret" id="secret">([^<]+)</p>`)

func TestAPIKeyPages(t *testing.T) {
	s := newSite(t)
	b := s.browser()
	b.signIn("PrivatePat", demo.Password)
	page0 := b.get("/dashboard/credentials")
	tok := csrf(t, page0)
	if p := b.post("/dashboard/credentials", url.Values{"name": {"no csrf"}}); p.status != http.StatusForbidden {
		t.Fatalf("csrf-less create: %d", p.status)
	}
	p := b.post("/dashboard/credentials", url.Values{"csrf_token": {tok}, "name": {"bot"}, "scope": {"user.inventory-item:read"}, "ips": {"127.0.0.1, ::1"}})
	m := secretRe.FindStringSubmatch(p.body)
	if p.status != http.StatusOK || m == nil {
		t.Fatalf("create: %d", p.status)
	}
	secret := m[1]
	own := "/cloud/v2/users/2000000002/inventory-items"
	if st := s.apiGet(own, secret); st != http.StatusOK {
		t.Fatalf("new key on own private inventory: %d", st)
	}
	if strings.Contains(b.get("/dashboard/credentials").body, secret) {
		t.Fatal("secret shown again")
	}
	keys, _ := s.store.APIKeys(context.Background(), demo.PrivateUser)
	var id string
	for _, k := range keys {
		if k.Name == "bot" {
			id = itoa(k.ID)
			if k.LastUsed.IsZero() {
				t.Error("last used not recorded")
			}
		}
	}
	if p := b.post("/dashboard/credentials/"+id+"/disable", url.Values{"csrf_token": {tok}}); p.status != http.StatusSeeOther {
		t.Fatalf("disable: %d", p.status)
	}
	if st := s.apiGet(own, secret); st != http.StatusUnauthorized {
		t.Fatalf("disabled key: %d", st)
	}
	b.post("/dashboard/credentials/"+id+"/enable", url.Values{"csrf_token": {tok}})
	p = b.post("/dashboard/credentials/"+id+"/regenerate", url.Values{"csrf_token": {tok}})
	m = secretRe.FindStringSubmatch(p.body)
	if m == nil {
		t.Fatalf("regenerate: %d", p.status)
	}
	if st := s.apiGet(own, secret); st != http.StatusUnauthorized {
		t.Fatalf("old secret after regenerate: %d", st)
	}
	if st := s.apiGet(own, m[1]); st != http.StatusOK {
		t.Fatalf("new secret: %d", st)
	}
	// Another user's key can't be touched.
	other, _ := s.store.APIKeys(context.Background(), demo.GuideUser)
	if p := b.post("/dashboard/credentials/"+itoa(other[0].ID)+"/delete", url.Values{"csrf_token": {tok}}); p.status != http.StatusNotFound {
		t.Fatalf("deleting another user's key: %d", p.status)
	}
	if p := b.post("/dashboard/credentials/"+id+"/delete", url.Values{"csrf_token": {tok}}); p.status != http.StatusSeeOther {
		t.Fatalf("delete: %d", p.status)
	}
	if st := s.apiGet(own, m[1]); st != http.StatusUnauthorized {
		t.Fatalf("deleted key: %d", st)
	}
	// Bad input changes nothing.
	before, _ := s.store.APIKeys(context.Background(), demo.PrivateUser)
	for _, form := range []url.Values{
		{"name": {""}}, {"name": {"x"}, "ips": {"not-an-ip"}}, {"name": {"x"}, "scope": {"universe:write"}}, {"name": {"x"}, "expires": {"2001-01-01"}},
	} {
		form.Set("csrf_token", tok)
		if p := b.post("/dashboard/credentials", form); p.status != http.StatusBadRequest {
			t.Errorf("bad form %v: %d", form, p.status)
		}
	}
	after, _ := s.store.APIKeys(context.Background(), demo.PrivateUser)
	if len(after) != len(before) {
		t.Fatalf("bad forms created keys: %d -> %d", len(before), len(after))
	}
}

func itoa(n int64) string { return strconv.FormatInt(n, 10) }

var (
	nextRe  = regexp.MustCompile(`<a href="([^"]*)" rel="next">`)
	firstRe = regexp.MustCompile(`<a href="([^"]*)">« First page</a>`)
	copyRe  = regexp.MustCompile(`<td data-label="Copy">(\d+)</td>`)
	idRe    = regexp.MustCompile(`<td data-label="ID">(\d+)</td>`)
)

// TestInventoryPagination follows every "Next page" link, as a browser
// would, to the end of every category: each item shows up exactly once and
// the total is the store's count. (The links used to come out as
// "?category%3dassets%26after%3d…", which showed page 1 again.)
func TestInventoryPagination(t *testing.T) {
	s := newSite(t)
	kinds := map[string]inventory.Kind{"assets": inventory.KindAsset, "badges": inventory.KindBadge,
		"gamepasses": inventory.KindGamePass, "privateservers": inventory.KindPrivateServer}
	multiPage := false
	for _, tc := range []struct {
		user string
		id   int64
	}{{"GuideUser", demo.GuideUser}, {"LimitedCollector", demo.CollectorUser}} {
		b := s.browser()
		if p := b.signIn(tc.user, demo.Password); p.status != http.StatusSeeOther {
			t.Fatalf("%s: sign in %d", tc.user, p.status)
		}
		counts, err := s.store.Counts(context.Background(), tc.id)
		if err != nil {
			t.Fatal(err)
		}
		for slug, kind := range kinds {
			want := counts[kind]
			first := "/my/inventory?category=" + slug
			seen := map[string]int{}
			href, pages := first, 0
			for ; href != "" && pages <= want/30+1; pages++ { // bounded: one page more than needed
				p := b.get(href)
				if p.status != http.StatusOK {
					t.Fatalf("%s %s: %d", tc.user, href, p.status)
				}
				re := idRe
				if kind == inventory.KindAsset {
					re = copyRe // the instance: one catalog item may be owned twice
				}
				for _, m := range re.FindAllStringSubmatch(p.body, -1) {
					seen[m[1]]++
				}
				if m := firstRe.FindStringSubmatch(p.body); (m != nil) != (pages > 0) || (m != nil && html.UnescapeString(m[1]) != first) {
					t.Errorf("%s %s page %d: first-page link %q", tc.user, slug, pages+1, m)
				}
				href = ""
				if m := nextRe.FindStringSubmatch(p.body); m != nil {
					href = html.UnescapeString(m[1])
					if u, err := url.Parse(href); err != nil || u.Path != "/my/inventory" || u.Query().Get("category") != slug || u.Query().Get("after") == "" {
						t.Fatalf("%s %s: next link %q", tc.user, slug, m[1])
					}
				}
			}
			if href != "" {
				t.Fatalf("%s %s: still a next page after %d pages of %d items", tc.user, slug, pages, want)
			}
			if pages > 2 {
				multiPage = true
			}
			total := 0
			for id, n := range seen {
				total += n
				if n != 1 {
					t.Errorf("%s %s: item %s shown %d times", tc.user, slug, id, n)
				}
			}
			if total != want {
				t.Errorf("%s %s: %d items over %d pages, store counts %d", tc.user, slug, total, pages, want)
			}
		}
	}
	if !multiPage {
		t.Fatal("no category spans three pages: the demo data no longer tests pagination")
	}
}

// TestCookiesSecure: with SecureCookies every cookie the pages set is
// Secure and the pre-sign-in CSRF cookie is __Host- (Path=/, no Domain);
// without it (plain-HTTP localhost) no cookie is Secure. Each mode accepts
// only its own CSRF cookie name.
func TestCookiesSecure(t *testing.T) {
	for _, tc := range []struct {
		secure      bool
		csrf, other string
	}{
		{false, "invcloud_csrf", "__Host-invcloud_csrf"},
		{true, "__Host-invcloud_csrf", "invcloud_csrf"},
	} {
		t.Run(fmt.Sprintf("secure=%v", tc.secure), func(t *testing.T) {
			s := newSiteWith(t, server.Config{SecureCookies: tc.secure})
			var all []string // every Set-Cookie line of the flow
			do := func(method, path string, form url.Values, cookies ...*http.Cookie) (*http.Response, string) {
				t.Helper()
				req, _ := http.NewRequest(method, s.srv.URL+path, strings.NewReader(form.Encode()))
				if form != nil {
					req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
				}
				for _, c := range cookies {
					req.AddCookie(c)
				}
				resp, err := http.DefaultTransport.RoundTrip(req)
				if err != nil {
					t.Fatal(err)
				}
				body, _ := io.ReadAll(resp.Body)
				resp.Body.Close()
				all = append(all, resp.Header.Values("Set-Cookie")...)
				return resp, string(body)
			}
			cookieOf := func(resp *http.Response, name string) *http.Cookie {
				for _, c := range resp.Cookies() {
					if c.Name == name {
						return c
					}
				}
				t.Fatalf("no %s cookie set; Set-Cookie %q", name, resp.Header.Values("Set-Cookie"))
				return nil
			}

			resp, body := do("GET", "/login", nil)
			c := cookieOf(resp, tc.csrf)
			if c.Path != "/" || c.Domain != "" || !c.HttpOnly || c.SameSite != http.SameSiteLaxMode {
				t.Errorf("csrf cookie %+v", c)
			}
			tok := csrf(t, page{body: body})
			if tok != c.Value {
				t.Fatal("form token is not the cookie's")
			}
			// The other mode's cookie name is no token.
			wrong := &http.Cookie{Name: tc.other, Value: tok}
			if resp, _ := do("POST", "/login", url.Values{"csrf_token": {tok}, "username": {"GuideUser"}, "password": {demo.Password}}, wrong); resp.StatusCode != http.StatusForbidden {
				t.Errorf("sign-in with cookie %s: %d", tc.other, resp.StatusCode)
			}
			resp, _ = do("POST", "/login", url.Values{"csrf_token": {tok}, "username": {"GuideUser"}, "password": {demo.Password}}, c)
			if resp.StatusCode != http.StatusSeeOther {
				t.Fatalf("sign in: %d", resp.StatusCode)
			}
			sess := cookieOf(resp, account.CookieName)
			_, inv := do("GET", "/my/inventory", nil, sess)
			resp, _ = do("POST", "/logout", url.Values{"csrf_token": {csrf(t, page{body: inv})}}, sess)
			if resp.StatusCode != http.StatusSeeOther || cookieOf(resp, account.CookieName).MaxAge >= 0 {
				t.Fatalf("logout: %d %q", resp.StatusCode, resp.Header.Values("Set-Cookie"))
			}
			// The CSRF cookie (from /login and again from the refusal),
			// the session cookie and its deletion.
			if len(all) != 4 {
				t.Fatalf("only %d cookies set: %q", len(all), all)
			}
			for _, line := range all {
				if strings.Contains(line, "; Secure") != tc.secure {
					t.Errorf("Set-Cookie %q: Secure should be %v", line, tc.secure)
				}
				if strings.HasPrefix(line, "__Host-") && (!strings.Contains(line, "; Path=/") || strings.Contains(line, "Domain=")) {
					t.Errorf("Set-Cookie %q breaks the __Host- rules", line)
				}
			}
		})
	}
}

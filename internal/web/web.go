// Package web serves invcloud's pages: sign-in, my inventory, privacy and
// the Creator Dashboard credential pages. Pages are server-rendered with
// html/template, work without JavaScript, and every form carries a CSRF
// token. Other packages (the OAuth provider) add pages through Render,
// Session and CheckCSRF.
package web

import (
	"crypto/hmac"
	"crypto/rand"
	"crypto/sha256"
	"embed"
	"encoding/base64"
	"errors"
	"fmt"
	"html/template"
	"io/fs"
	"log/slog"
	"net/http"
	"net/url"
	"strings"
	"time"

	"github.com/invcloud/invcloud/internal/account"
	"github.com/invcloud/invcloud/internal/inventory"
	"github.com/invcloud/invcloud/internal/routes"
	"github.com/invcloud/invcloud/internal/store"
)

//go:embed templates/*.html
var templateFS embed.FS

//go:embed static
var staticFS embed.FS

// SessionLifetime is how long a sign-in lasts.
const SessionLifetime = 30 * 24 * time.Hour

// Names of the CSRF form field and of the pre-sign-in CSRF cookie. Over
// HTTPS the cookie takes the __Host- prefix (browsers then accept it only
// Secure, with Path=/ and no Domain), so a sibling subdomain or a plain-HTTP
// response can't plant a token; plain HTTP can't set such a cookie, hence
// the two names.
const (
	csrfField        = "csrf_token"
	csrfCookie       = "invcloud_csrf"
	secureCSRFCookie = "__Host-" + csrfCookie
)

// Config is what a Site needs.
type Config struct {
	Store store.Store
	Log   *slog.Logger
	Now   func() time.Time // nil: time.Now
	// SecureCookies marks every cookie Secure and names the CSRF cookie
	// with the __Host- prefix; set it when served over HTTPS.
	SecureCookies bool
}

// Site is the set of pages.
type Site struct {
	store    store.Store
	log      *slog.Logger
	now      func() time.Time
	secure   bool
	throttle *account.Throttle
	pages    map[string]*template.Template
}

// New parses the templates and returns a Site.
func New(cfg Config) (*Site, error) {
	if cfg.Now == nil {
		cfg.Now = time.Now
	}
	if cfg.Log == nil {
		cfg.Log = slog.New(slog.DiscardHandler)
	}
	s := &Site{store: cfg.Store, log: cfg.Log, now: cfg.Now, secure: cfg.SecureCookies,
		throttle: account.NewThrottle(cfg.Now), pages: map[string]*template.Template{}}
	names, err := fs.Glob(templateFS, "templates/*.html")
	if err != nil {
		return nil, err
	}
	funcs := template.FuncMap{
		"time": func(t time.Time) string {
			if t.IsZero() {
				return "never"
			}
			return t.UTC().Format("2006-01-02 15:04 UTC")
		},
	}
	for _, n := range names {
		base := strings.TrimPrefix(n, "templates/")
		if base == "layout.html" {
			continue
		}
		t, err := template.New(base).Funcs(funcs).ParseFS(templateFS, "templates/layout.html", n)
		if err != nil {
			return nil, fmt.Errorf("parse %s: %w", n, err)
		}
		s.pages[base] = t
	}
	return s, nil
}

// Register adds the site's routes to mux.
func (s *Site) Register(mux routes.Mux) {
	static, _ := fs.Sub(staticFS, "static")
	mux.Handle("GET /static/", http.StripPrefix("/static/", http.FileServerFS(static)))
	mux.HandleFunc("GET /{$}", s.home)
	mux.HandleFunc("GET /login", s.loginForm)
	mux.HandleFunc("POST /login", s.login)
	mux.HandleFunc("POST /logout", s.logout)
	mux.HandleFunc("GET /my/inventory", s.inventory)
	mux.HandleFunc("GET /my/privacy", s.privacyForm)
	mux.HandleFunc("POST /my/privacy", s.privacy)
	mux.HandleFunc("GET /dashboard/credentials", s.credentials)
	mux.HandleFunc("POST /dashboard/credentials", s.createKey)
	mux.HandleFunc("POST /dashboard/credentials/{id}/{action}", s.keyAction)
}

// Page is what every template receives.
type Page struct {
	Title string
	Nav   string // which navigation entry is current
	User  *inventory.User
	CSRF  string // the form token for this session (or pre-sign-in cookie)
	Error string
	Data  any
}

// Render writes page with status. p.User and p.CSRF are filled in from the
// request's session when not set.
func (s *Site) Render(w http.ResponseWriter, r *http.Request, status int, page string, p Page) {
	t, ok := s.pages[page]
	if !ok {
		s.log.ErrorContext(r.Context(), "no such template", "page", page)
		http.Error(w, "internal error", http.StatusInternalServerError)
		return
	}
	if sess, ok := s.Session(r); ok {
		if p.User == nil {
			if u, err := s.store.User(r.Context(), sess.UserID); err == nil {
				p.User = &u
			}
		}
		if p.CSRF == "" {
			p.CSRF = CSRFToken(sess)
		}
	} else if p.CSRF == "" {
		p.CSRF = s.anonCSRF(w, r)
	}
	var b strings.Builder
	if err := t.ExecuteTemplate(&b, "layout", p); err != nil {
		s.log.ErrorContext(r.Context(), "render", "page", page, "err", err)
		http.Error(w, "internal error", http.StatusInternalServerError)
		return
	}
	h := w.Header()
	h.Set("Content-Type", "text/html; charset=utf-8")
	h.Set("Cache-Control", "no-store")
	h.Set("X-Frame-Options", "DENY")
	h.Set("Content-Security-Policy", "default-src 'self'; frame-ancestors 'none'; base-uri 'none'")
	h.Set("Referrer-Policy", "same-origin")
	w.WriteHeader(status)
	fmt.Fprint(w, b.String())
}

// Session returns the request's signed-in session, if any.
func (s *Site) Session(r *http.Request) (store.Session, bool) {
	c, err := r.Cookie(account.CookieName)
	if err != nil || c.Value == "" {
		return store.Session{}, false
	}
	sess, err := s.store.Session(r.Context(), account.HashSessionToken(c.Value), s.now())
	if err != nil {
		if !errors.Is(err, store.ErrNotFound) {
			s.log.ErrorContext(r.Context(), "read session", "err", err)
		}
		return store.Session{}, false
	}
	return sess, true
}

// RequireSession returns the signed-in session, or redirects to the sign-in
// page (coming back to this URL) and reports false.
func (s *Site) RequireSession(w http.ResponseWriter, r *http.Request) (store.Session, bool) {
	sess, ok := s.Session(r)
	if !ok {
		http.Redirect(w, r, LoginURL(r.URL.RequestURI()), http.StatusSeeOther)
	}
	return sess, ok
}

// LoginURL is the sign-in page that returns to returnTo afterwards.
func LoginURL(returnTo string) string { return "/login?returnUrl=" + url.QueryEscape(returnTo) }

// CSRFToken is the form token of a session: an HMAC of a fixed label under
// the session's own secret, so it needs no storage and dies with the session.
func CSRFToken(sess store.Session) string {
	m := hmac.New(sha256.New, sess.CSRFSecret)
	m.Write([]byte("invcloud form"))
	return base64.RawURLEncoding.EncodeToString(m.Sum(nil))
}

// CheckCSRF reports whether a POST from a signed-in session carries the
// session's form token.
func (s *Site) CheckCSRF(r *http.Request, sess store.Session) bool {
	got := r.PostFormValue(csrfField)
	return got != "" && hmac.Equal([]byte(got), []byte(CSRFToken(sess)))
}

// anonCSRF returns the pre-sign-in CSRF token, setting its cookie if absent
// (double-submit: the form field must equal the cookie).
func (s *Site) anonCSRF(w http.ResponseWriter, r *http.Request) string {
	if c, err := r.Cookie(s.csrfCookieName()); err == nil && len(c.Value) >= 32 {
		return c.Value
	}
	b := make([]byte, 32)
	rand.Read(b)
	v := base64.RawURLEncoding.EncodeToString(b)
	http.SetCookie(w, s.cookie(s.csrfCookieName(), v, time.Time{}))
	return v
}

// checkAnonCSRF accepts the cookie of the configured name only: with
// SecureCookies, an unprefixed cookie (which anyone on a sibling host could
// have set) is not a token.
func (s *Site) checkAnonCSRF(r *http.Request) bool {
	c, err := r.Cookie(s.csrfCookieName())
	got := r.PostFormValue(csrfField)
	return err == nil && len(c.Value) >= 32 && hmac.Equal([]byte(got), []byte(c.Value))
}

func (s *Site) csrfCookieName() string {
	if s.secure {
		return secureCSRFCookie
	}
	return csrfCookie
}

// cookie is every cookie the site sets: host-only, Path=/, HttpOnly,
// SameSite=Lax, and Secure when the site is served over HTTPS. A zero
// expires makes a session cookie; a value of "" deletes the cookie.
func (s *Site) cookie(name, value string, expires time.Time) *http.Cookie {
	c := &http.Cookie{Name: name, Value: value, Path: "/", Expires: expires,
		HttpOnly: true, Secure: s.secure, SameSite: http.SameSiteLaxMode}
	if value == "" {
		c.MaxAge = -1
	}
	return c
}

// forbidden answers a form post that failed its CSRF check.
func (s *Site) forbidden(w http.ResponseWriter, r *http.Request) {
	s.Render(w, r, http.StatusForbidden, "error.html", Page{Title: "Request refused",
		Error: "This form has expired or did not come from this site. Go back, reload the page and try again."})
}

func (s *Site) internal(w http.ResponseWriter, r *http.Request, err error) {
	s.log.ErrorContext(r.Context(), "page failed", "path", r.URL.Path, "err", err)
	s.Render(w, r, http.StatusInternalServerError, "error.html", Page{Title: "Something went wrong", Error: "Something went wrong. Please try again."})
}

func (s *Site) home(w http.ResponseWriter, r *http.Request) {
	if _, ok := s.Session(r); ok {
		http.Redirect(w, r, "/my/inventory", http.StatusSeeOther)
		return
	}
	http.Redirect(w, r, "/login", http.StatusSeeOther)
}

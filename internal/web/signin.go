package web

import (
	"crypto/rand"
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"strings"

	"github.com/invcloud/invcloud/internal/account"
	"github.com/invcloud/invcloud/internal/auth"
	"github.com/invcloud/invcloud/internal/store"
)

type loginData struct {
	Username  string
	ReturnURL string
}

// safeReturn keeps only same-site paths. Browsers drop tabs and newlines
// from URLs and read '\' as '/', so "/\t/evil.example" or "/\evil.example"
// would leave the site: any control character or backslash is refused, and
// what remains must parse with no scheme and no host.
func safeReturn(u string) string {
	const fallback = "/my/inventory"
	if !strings.HasPrefix(u, "/") || strings.HasPrefix(u, "//") || strings.ContainsRune(u, '\\') {
		return fallback
	}
	for i := 0; i < len(u); i++ {
		if u[i] < 0x20 || u[i] == 0x7f {
			return fallback
		}
	}
	if p, err := url.Parse(u); err != nil || p.Scheme != "" || p.Host != "" {
		return fallback
	}
	return u
}

func (s *Site) loginForm(w http.ResponseWriter, r *http.Request) {
	// The sign-in form always uses the pre-sign-in token, even when a
	// session cookie is present (it may be stale or planted).
	s.Render(w, r, http.StatusOK, "login.html", Page{Title: "Sign in", CSRF: s.anonCSRF(w, r),
		Data: loginData{ReturnURL: safeReturn(r.URL.Query().Get("returnUrl"))}})
}

func (s *Site) login(w http.ResponseWriter, r *http.Request) {
	ctx := r.Context()
	r.Body = http.MaxBytesReader(w, r.Body, 16<<10)
	if !s.checkAnonCSRF(r) {
		s.forbidden(w, r)
		return
	}
	name := strings.TrimSpace(r.PostFormValue("username"))
	data := loginData{Username: name, ReturnURL: safeReturn(r.PostFormValue("returnUrl"))}
	fail := func(status int, msg string) {
		s.Render(w, r, status, "login.html", Page{Title: "Sign in", CSRF: s.anonCSRF(w, r), Error: msg, Data: data})
	}
	addr := auth.ClientAddr(r).String()
	if ok, wait := s.throttle.Allow(strings.ToLower(name), addr); !ok {
		w.Header().Set("Retry-After", fmt.Sprint(int(wait.Seconds())+1))
		fail(http.StatusTooManyRequests, "Too many sign-in attempts. Please wait a while and try again.")
		return
	}
	id, hash, err := s.store.Credentials(ctx, name)
	if err != nil && !errors.Is(err, store.ErrNotFound) {
		s.internal(w, r, err)
		return
	}
	if !account.CheckPassword(hash, r.PostFormValue("password")) {
		// The name is not logged: people type passwords into it.
		s.log.InfoContext(ctx, "sign-in failed", "user_id", id, "addr", addr)
		fail(http.StatusUnauthorized, "Incorrect username or password.")
		return
	}
	s.throttle.Succeeded(strings.ToLower(name))
	// A new session id on every sign-in, and the old one ended: a session
	// id planted before sign-in is worth nothing after it.
	if c, err := r.Cookie(account.CookieName); err == nil {
		if err := s.store.DeleteSession(ctx, account.HashSessionToken(c.Value)); err != nil {
			s.internal(w, r, err)
			return
		}
	}
	if err := s.startSession(w, r, id); err != nil {
		s.internal(w, r, err)
		return
	}
	http.Redirect(w, r, data.ReturnURL, http.StatusSeeOther)
}

// startSession creates a session for userID and sets its cookie.
func (s *Site) startSession(w http.ResponseWriter, r *http.Request, userID int64) error {
	cookie, h, err := account.NewSessionToken()
	if err != nil {
		return err
	}
	secret := make([]byte, 32)
	rand.Read(secret)
	now := s.now()
	sess := store.Session{Hash: h, UserID: userID, CSRFSecret: secret, Created: now, Expires: now.Add(SessionLifetime)}
	if err := s.store.CreateSession(r.Context(), sess); err != nil {
		return err
	}
	http.SetCookie(w, &http.Cookie{
		Name: account.CookieName, Value: cookie, Path: "/", Expires: sess.Expires,
		HttpOnly: true, Secure: s.secure, SameSite: http.SameSiteLaxMode,
	})
	return nil
}

func (s *Site) logout(w http.ResponseWriter, r *http.Request) {
	sess, ok := s.Session(r)
	if !ok {
		http.Redirect(w, r, "/login", http.StatusSeeOther)
		return
	}
	if !s.CheckCSRF(r, sess) {
		s.forbidden(w, r)
		return
	}
	if err := s.store.DeleteSession(r.Context(), sess.Hash); err != nil {
		s.internal(w, r, err)
		return
	}
	http.SetCookie(w, &http.Cookie{Name: account.CookieName, Value: "", Path: "/", MaxAge: -1, HttpOnly: true, Secure: s.secure, SameSite: http.SameSiteLaxMode})
	http.Redirect(w, r, "/login", http.StatusSeeOther)
}

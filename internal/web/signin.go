package web

import (
	"crypto/rand"
	"errors"
	"fmt"
	"net/http"
	"net/netip"
	"net/url"
	"strings"
	"time"

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

// maxPasswordBytes is bcrypt's limit: HashPassword refuses longer
// passwords, so none is stored and a longer one can never match.
const maxPasswordBytes = 72

// maxEchoedUsername bounds the name shown back in the form after a failed
// sign-in (a malformed name may be up to the 16 KiB body).
const maxEchoedUsername = 64

func (s *Site) login(w http.ResponseWriter, r *http.Request) {
	ctx := r.Context()
	r.Body = http.MaxBytesReader(w, r.Body, 16<<10)
	if !s.checkAnonCSRF(r) {
		s.forbidden(w, r)
		return
	}
	name := strings.TrimSpace(r.PostFormValue("username"))
	data := loginData{ReturnURL: safeReturn(r.PostFormValue("returnUrl"))}
	if len(name) <= maxEchoedUsername {
		data.Username = name
	}
	fail := func(status int, msg string) {
		s.Render(w, r, status, "login.html", Page{Title: "Sign in", CSRF: s.anonCSRF(w, r), Error: msg, Data: data})
	}
	throttled := func(wait time.Duration) {
		w.Header().Set("Retry-After", fmt.Sprint(int(wait.Seconds())+1))
		fail(http.StatusTooManyRequests, "Too many sign-in attempts. Please wait a while and try again.")
	}
	addr := throttleAddr(auth.ClientAddr(r))
	// A name no account can have is refused before the store or the
	// account table sees it, but it spends the address's budget so
	// made-up names can't be tried at speed either.
	if account.ValidUsername(name) != nil {
		if ok, wait := s.throttle.AllowAddress(addr); !ok {
			throttled(wait)
			return
		}
		fail(http.StatusUnauthorized, "Incorrect username or password.")
		return
	}
	if ok, wait := s.throttle.Allow(strings.ToLower(name), addr); !ok {
		throttled(wait)
		return
	}
	password := r.PostFormValue("password")
	if len(password) > maxPasswordBytes {
		// No stored password is this long: skip the store and bcrypt's cost.
		s.log.InfoContext(ctx, "sign-in failed", "reason", "password too long", "addr", addr)
		fail(http.StatusUnauthorized, "Incorrect username or password.")
		return
	}
	id, hash, err := s.store.Credentials(ctx, name)
	if err != nil && !errors.Is(err, store.ErrNotFound) {
		s.internal(w, r, err)
		return
	}
	if !account.CheckPassword(hash, password) {
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

// throttleAddr is the key of a client's address budget. An IPv6 client
// usually holds a whole /64, so the budget is per /64, not per address.
func throttleAddr(a netip.Addr) string {
	if a.Is6() {
		if p, err := a.Prefix(64); err == nil {
			return p.String()
		}
	}
	return a.String()
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
	http.SetCookie(w, s.cookie(account.CookieName, cookie, sess.Expires))
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
	http.SetCookie(w, s.cookie(account.CookieName, "", time.Time{}))
	http.Redirect(w, r, "/login", http.StatusSeeOther)
}

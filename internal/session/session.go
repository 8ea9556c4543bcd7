// Package session serves the two endpoints every cookie client calls
// before anything else (spec 24, 25): users.roblox.com's
// GET /v1/users/authenticated, with which noblox.js's setCookie validates a
// cookie, and auth.roblox.com's POST /v2/logout and /v1/logout, from which
// noblox.js's getGeneralToken takes every X-CSRF-TOKEN by posting without
// one — so a tokenless logout must answer the token and end nothing.
//
// Cookies and tokens are the legacy package's (legacy.Sessions): one
// handshake for every host, so a token from the logout works on
// inventory.roblox.com.
package session

import (
	"context"
	"errors"
	"log/slog"
	"net/http"
	"time"

	"github.com/invcloud/invcloud/internal/account"
	"github.com/invcloud/invcloud/internal/inventory"
	"github.com/invcloud/invcloud/internal/legacy"
	"github.com/invcloud/invcloud/internal/routes"
	"github.com/invcloud/invcloud/internal/store"
	"github.com/invcloud/invcloud/wire"
)

// Store is what the handlers read and change.
type Store interface {
	legacy.SessionStore
	User(ctx context.Context, id int64) (inventory.User, error)
	DeleteSession(ctx context.Context, h account.TokenHash) error
}

// Config is what a Handler needs.
type Config struct {
	Store Store
	Log   *slog.Logger     // nil: discard
	Now   func() time.Time // nil: time.Now
	// SecureCookies marks the cookie that clears .ROBLOSECURITY on logout
	// Secure, as the site's own cookies are (served behind HTTPS).
	SecureCookies bool
}

// Handler serves the endpoints.
type Handler struct {
	store    Store
	sessions *legacy.Sessions
	log      *slog.Logger
	secure   bool
}

// New returns a Handler.
func New(cfg Config) *Handler {
	if cfg.Log == nil {
		cfg.Log = slog.New(slog.DiscardHandler)
	}
	return &Handler{store: cfg.Store, sessions: legacy.NewSessions(cfg.Store, cfg.Log, cfg.Now), log: cfg.Log, secure: cfg.SecureCookies}
}

// stateChanging are the methods the handshake guards, which get 405 from
// /v1/users/authenticated. A method-less 405 pattern would conflict with
// users.roblox.com's GET /v1/users/{userId} in ServeMux (neither is more
// specific), so the methods are named; others get the server's 404.
var stateChanging = []string{http.MethodPost, http.MethodPut, http.MethodPatch, http.MethodDelete}

// RegisterUsers adds users.roblox.com's endpoint to mux.
func (h *Handler) RegisterUsers(mux routes.Mux) {
	const path = "/v1/users/authenticated"
	mux.Handle(http.MethodGet+" "+path, h.sessions.Guard(legacy.Envelope, h.authenticated))
	for _, m := range stateChanging {
		// The handshake first, as on every legacy path: a cookie without a
		// token gets the 403 and the token, then the 405.
		mux.Handle(m+" "+path, h.sessions.Guard(legacy.Envelope, methodNotAllowed(legacy.Envelope, "GET, HEAD")))
	}
}

// RegisterAuth adds auth.roblox.com's endpoints to mux.
func (h *Handler) RegisterAuth(mux routes.Mux) {
	for _, path := range []string{"/v2/logout", "/v1/logout"} {
		mux.Handle(http.MethodPost+" "+path, h.sessions.Guard(legacy.Bare, h.logout))
		mux.Handle(path, h.sessions.Guard(legacy.Bare, methodNotAllowed(legacy.Bare, http.MethodPost)))
	}
}

func methodNotAllowed(st legacy.Style, allow string) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Allow", allow)
		st.Write(w, http.StatusMethodNotAllowed, "The requested resource does not support http method '"+r.Method+"'.")
	}
}

// authenticated answers the signed-in user's id, name and display name;
// 401 without a live session (no cookie, an unknown or expired one, or one
// whose user was deleted).
func (h *Handler) authenticated(w http.ResponseWriter, r *http.Request) {
	c, err := h.sessions.Caller(r)
	if err != nil {
		h.sessions.Fail(w, r, legacy.Envelope, err)
		return
	}
	if c.Session == nil {
		legacy.Envelope.Write(w, http.StatusUnauthorized, legacy.MsgUnauthorized)
		return
	}
	u, err := h.store.User(r.Context(), c.Session.UserID)
	if errors.Is(err, store.ErrNotFound) {
		legacy.Envelope.Write(w, http.StatusUnauthorized, legacy.MsgUnauthorized)
		return
	}
	if err != nil {
		h.sessions.Fail(w, r, legacy.Envelope, err)
		return
	}
	legacy.WriteJSON(w, http.StatusOK, wire.AuthenticatedUser{ID: u.ID, Name: u.Name, DisplayName: u.DisplayName})
}

// logout ends the session. It runs only past the handshake: a cookie
// without a valid token never gets here (403 and a token, the session
// untouched). A request without a cookie, or whose cookie names no live
// session, is 401.
func (h *Handler) logout(w http.ResponseWriter, r *http.Request) {
	c, err := h.sessions.Caller(r)
	if err != nil {
		h.sessions.Fail(w, r, legacy.Bare, err)
		return
	}
	if c.Session == nil {
		legacy.Bare.Write(w, http.StatusUnauthorized, legacy.MsgUnauthorized)
		return
	}
	if err := h.store.DeleteSession(r.Context(), c.Hash); err != nil {
		h.sessions.Fail(w, r, legacy.Bare, err)
		return
	}
	h.log.InfoContext(r.Context(), "signed out", "user", c.Session.UserID)
	// A browser forgets the cookie; bots ignore this (RoZod's cookie
	// rotation does not match an empty value, noblox keeps no jar).
	http.SetCookie(w, &http.Cookie{Name: account.CookieName, Value: "", Path: "/", MaxAge: -1,
		HttpOnly: true, Secure: h.secure, SameSite: http.SameSiteLaxMode})
	legacy.WriteBareJSON(w, http.StatusOK, []byte("{}"))
}

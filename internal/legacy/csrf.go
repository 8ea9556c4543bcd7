package legacy

import (
	"context"
	"crypto/hmac"
	"crypto/sha256"
	"encoding/base64"
	"encoding/binary"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"time"

	"github.com/invcloud/invcloud/internal/account"
	"github.com/invcloud/invcloud/internal/reqerr"
	"github.com/invcloud/invcloud/internal/store"
	"github.com/invcloud/invcloud/wire"
)

// CSRFRotation is how often a session's X-CSRF-TOKEN changes. The token of
// the previous period stays valid, so a token lives between one and two
// periods: a client that fetched one just before a rotation is not refused
// mid-request.
const CSRFRotation = 10 * time.Minute

// csrfTokenLen is the token's length in bytes before base64 (12
// characters, the length of Roblox's tokens).
const csrfTokenLen = 9

// CSRFHeader is the request and response header of the handshake.
const CSRFHeader = "X-CSRF-TOKEN"

// CSRFToken derives the token of a key for the period holding t: an HMAC of
// the period number, so tokens need no storage. The key of a session is its
// CSRFSecret; a cookie that names no session gets tokens keyed by its own
// hash (they unlock nothing: the request then fails authentication).
func CSRFToken(key []byte, t time.Time) string { return csrfToken(key, csrfPeriod(t)) }

func csrfPeriod(t time.Time) int64 { return t.Unix() / int64(CSRFRotation/time.Second) }

func csrfToken(key []byte, period int64) string {
	m := hmac.New(sha256.New, key)
	m.Write([]byte("invcloud x-csrf-token\x00"))
	m.Write(binary.BigEndian.AppendUint64(nil, uint64(period)))
	return base64.RawURLEncoding.EncodeToString(m.Sum(nil)[:csrfTokenLen])
}

// validCSRF reports whether got is the token of the current or the
// previous period.
func validCSRF(key []byte, got string, now time.Time) bool {
	if len(got) != base64.RawURLEncoding.EncodedLen(csrfTokenLen) {
		return false
	}
	p := csrfPeriod(now)
	return hmac.Equal([]byte(got), []byte(csrfToken(key, p))) || hmac.Equal([]byte(got), []byte(csrfToken(key, p-1)))
}

// unsafeMethod reports whether a request with method m changes state and
// so needs a token (the methods Roblox's clients guard: POST, PATCH, PUT,
// DELETE).
func unsafeMethod(m string) bool {
	switch m {
	case http.MethodPost, http.MethodPatch, http.MethodPut, http.MethodDelete:
		return true
	}
	return false
}

// ---- error styles ----

// Style is how a host writes its framework (code 0) errors.
type Style int

const (
	// Envelope is the ASP.NET hosts' {"errors":[{"code":0,"message":...}]}
	// (inventory, users, groups).
	Envelope Style = iota
	// Bare is auth.roblox.com's (Kestrel's) {"code":0,"message":...}, no
	// errors array (spec 23.2's capture of POST /v2/logout).
	Bare
)

// Messages of the CSRF refusal: the ASP.NET hosts have answered "XSRF
// token invalid" since 2025 (spec 23.2: groups, users and apis captures;
// the OpenAPI descriptions still say "Token Validation Failed"), while
// auth.roblox.com's bare object says "Token Validation Failed" (a 2024
// capture, and a 2026 client that compares the body to exactly that).
const (
	MsgXSRFInvalid     = "XSRF token invalid"
	MsgTokenValidation = "Token Validation Failed"
)

func (st Style) csrfMessage() string {
	if st == Bare {
		return MsgTokenValidation
	}
	return MsgXSRFInvalid
}

// Write writes a code 0 error in the host's style. Neither style carries a
// userFacingMessage, as Roblox's framework errors do not.
func (st Style) Write(w http.ResponseWriter, status int, msg string) {
	if st == Envelope {
		writeFramework(w, status, msg)
		return
	}
	body, _ := json.Marshal(wire.LegacyError{Code: 0, Message: msg}) // a struct of a string and an int: cannot fail
	WriteBareJSON(w, status, body)
}

// WriteJSON writes v with the headers of the ASP.NET hosts' answers.
func WriteJSON(w http.ResponseWriter, status int, v any) { writeJSON(w, status, v) }

// WriteError writes an endpoint's numbered error in the ASP.NET envelope,
// with the userFacingMessage Roblox adds to those.
func WriteError(w http.ResponseWriter, status, code int, msg string) {
	writeError(w, status, code, msg)
}

// ParseID accepts a positive decimal int64 written with digits only: the
// rule of every legacy path id.
func ParseID(s string) (int64, bool) { return parseID(s) }

// WriteBareJSON writes body with the headers of auth.roblox.com's captured
// answer (spec 23.2): JSON in UTF-8, "no-cache".
func WriteBareJSON(w http.ResponseWriter, status int, body []byte) {
	h := w.Header()
	h.Set("Content-Type", "application/json; charset=utf-8")
	h.Set("Cache-Control", "no-cache")
	w.WriteHeader(status)
	w.Write(body)
}

// ---- sessions and the handshake ----

// SessionStore is what Sessions reads.
type SessionStore interface {
	Session(ctx context.Context, h account.TokenHash, now time.Time) (store.Session, error)
	Ping(ctx context.Context) error
}

// Sessions resolves the .ROBLOSECURITY cookie and runs the X-CSRF-TOKEN
// handshake for every legacy-style host invcloud serves (inventory, users,
// auth): one implementation, so the token noblox.js gets from
// auth.roblox.com's logout works on inventory.roblox.com, as it has on
// Roblox for years. Tokens are stateless HMACs: any replica, any host.
type Sessions struct {
	store SessionStore
	log   *slog.Logger
	now   func() time.Time
}

// NewSessions returns a Sessions; now may be nil for time.Now and log nil to
// discard.
func NewSessions(s SessionStore, log *slog.Logger, now func() time.Time) *Sessions {
	if now == nil {
		now = time.Now
	}
	if log == nil {
		log = slog.New(slog.DiscardHandler)
	}
	return &Sessions{store: s, log: log, now: now}
}

// Caller is a request's cookie, resolved.
type Caller struct {
	Cookie  bool              // a non-empty .ROBLOSECURITY cookie was sent
	Hash    account.TokenHash // its hash, when Cookie
	Session *store.Session    // nil: the cookie names no live session, or there is none
}

// UserID is the signed-in user, or 0.
func (c *Caller) UserID() int64 {
	if c.Session == nil {
		return 0
	}
	return c.Session.UserID
}

// csrfKey keys the caller's tokens: the session's secret, or for a cookie
// that names no session, the cookie's hash (such tokens unlock nothing).
func (c *Caller) csrfKey() []byte {
	if c.Session != nil {
		return c.Session.CSRFSecret
	}
	return c.Hash[:]
}

type callerKey struct{}

// Caller returns the request's caller, looked up once per request (Guard
// stores it in the context). Other credentials, such as the x-api-key
// noblox.js sends beside the cookie, are not looked at: the legacy hosts
// take cookies only.
func (s *Sessions) Caller(r *http.Request) (*Caller, error) {
	if c, ok := r.Context().Value(callerKey{}).(*Caller); ok {
		return c, nil
	}
	c := &Caller{}
	ck, err := r.Cookie(account.CookieName)
	if err != nil || ck.Value == "" {
		return c, nil
	}
	c.Cookie, c.Hash = true, account.HashSessionToken(ck.Value)
	sess, err := s.store.Session(r.Context(), c.Hash, s.now())
	switch {
	case err == nil:
		c.Session = &sess
	case !errors.Is(err, store.ErrNotFound):
		return nil, fmt.Errorf("session: %w", err)
	}
	return c, nil
}

// Guard resolves the request's caller once and runs the handshake: a
// state-changing request that carries a .ROBLOSECURITY cookie but not a
// valid X-CSRF-TOKEN is refused with 403 in the host's style, the current
// token in the x-csrf-token response header, before anything is read or
// changed. That 403 is the only response that carries the header: RoZod
// resends any request whose answer has it (spec 23.2).
func (s *Sessions) Guard(st Style, next http.HandlerFunc) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		c, err := s.Caller(r)
		if err != nil {
			s.Fail(w, r, st, err)
			return
		}
		r = r.WithContext(context.WithValue(r.Context(), callerKey{}, c))
		if unsafeMethod(r.Method) && c.Cookie {
			key, now := c.csrfKey(), s.now()
			if !validCSRF(key, r.Header.Get(CSRFHeader), now) {
				w.Header().Set(CSRFHeader, CSRFToken(key, now))
				st.Write(w, http.StatusForbidden, st.csrfMessage())
				return
			}
		}
		next(w, r)
	})
}

// ClientGone answers a failure caused by the client going away as Open
// Cloud does: 499, logged at debug level, not a 5xx. It reports whether it
// answered.
func (s *Sessions) ClientGone(w http.ResponseWriter, r *http.Request, st Style, err error) bool {
	return clientGone(w, r, s.log, "legacy request failed", st, err)
}

func clientGone(w http.ResponseWriter, r *http.Request, log *slog.Logger, what string, st Style, err error) bool {
	if !reqerr.Log(log, r, what, err, "path", r.URL.Path) {
		return false
	}
	st.Write(w, reqerr.StatusClientClosed, MsgCancelled)
	return true
}

// Fail answers a failure of the store: 499 when the client went away, 503
// when the store does not answer (clients retry), else 500.
func (s *Sessions) Fail(w http.ResponseWriter, r *http.Request, st Style, err error) {
	Fail(w, r, s.log, "legacy request failed", s.store.Ping, st, err)
}

// Fail answers a failed call on any legacy-style host in its style st: 499
// and a debug line when the client went away, 503 when ping says the store
// does not answer (clients back off and retry), else 500 and an error line
// logged as what.
func Fail(w http.ResponseWriter, r *http.Request, log *slog.Logger, what string, ping func(context.Context) error, st Style, err error) {
	if clientGone(w, r, log, what, st, err) {
		return
	}
	ctx, cancel := context.WithTimeout(context.WithoutCancel(r.Context()), 500*time.Millisecond)
	defer cancel()
	if ping(ctx) != nil {
		st.Write(w, http.StatusServiceUnavailable, MsgUnavailable)
		return
	}
	st.Write(w, http.StatusInternalServerError, MsgUnknownError)
}

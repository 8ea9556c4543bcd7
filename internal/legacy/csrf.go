package legacy

import (
	"crypto/hmac"
	"crypto/sha256"
	"encoding/base64"
	"encoding/binary"
	"net/http"
	"time"
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

// guard resolves the request's session once and runs the CSRF handshake:
// a state-changing request that carries a .ROBLOSECURITY cookie but not a
// valid X-CSRF-TOKEN is refused with 403, the current token in the
// x-csrf-token response header, before anything is read or changed.
func (h *Handler) guard(next http.HandlerFunc) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		res, err := h.resolve(r)
		if err != nil {
			h.internal(w, r, err)
			return
		}
		r = withSession(r, res)
		if unsafeMethod(r.Method) && res.cookie {
			key := res.hash[:]
			if res.session != nil {
				key = res.session.CSRFSecret
			}
			now := h.now()
			if !validCSRF(key, r.Header.Get(CSRFHeader), now) {
				w.Header().Set("x-csrf-token", CSRFToken(key, now))
				writeFramework(w, http.StatusForbidden, MsgTokenValidation)
				return
			}
		}
		next(w, r)
	})
}

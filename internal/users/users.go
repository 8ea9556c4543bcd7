// Package users serves users.roblox.com's user lookups (spec 26: ids and
// usernames to users, one user's details, keyword search) and the Open
// Cloud v2 User resource (spec 27), which bots and apps call before
// anything else to turn names into ids.
package users

import (
	"context"
	"log/slog"
	"net/http"
	"time"

	"github.com/invcloud/invcloud/internal/auth"
	"github.com/invcloud/invcloud/internal/inventory"
	"github.com/invcloud/invcloud/internal/legacy"
	"github.com/invcloud/invcloud/internal/opencloud"
	"github.com/invcloud/invcloud/internal/pagetoken"
	"github.com/invcloud/invcloud/internal/ratelimit"
	"github.com/invcloud/invcloud/internal/routes"
	"github.com/invcloud/invcloud/internal/store"
)

// Store is what the handlers read.
type Store interface {
	store.UserLookup
	Ping(ctx context.Context) error
	User(ctx context.Context, id int64) (inventory.User, error)
}

// Gate authenticates an Open Cloud request and charges its quota
// (opencloud.Handler.Gate); nil means it has answered.
type Gate interface {
	Gate(w http.ResponseWriter, r *http.Request, policy ratelimit.Policy) *auth.Principal
}

// GetUserPolicy is the quota of Cloud_GetUser (spec 27): 1000 a minute per
// API key owner, 10 a minute per OAuth authorization.
var GetUserPolicy = ratelimit.Policy{
	Name:        "users",
	PerKeyOwner: ratelimit.Limit{Max: 1000, Period: time.Minute},
	PerOAuth:    ratelimit.Limit{Max: 10, Period: time.Minute},
}

// Handler serves the endpoints.
type Handler struct {
	store  Store
	tokens *pagetoken.Codec
	gate   Gate
	log    *slog.Logger
}

// New returns a Handler. Search cursors are signed with tokens (the codec
// the legacy cursors use); gate fronts the Open Cloud resource; log may be
// nil to discard.
func New(s Store, tokens *pagetoken.Codec, gate Gate, log *slog.Logger) *Handler {
	if log == nil {
		log = slog.New(slog.DiscardHandler)
	}
	return &Handler{store: s, tokens: tokens, gate: gate, log: log}
}

// Register adds the endpoints to mux. The two lookups by POST and the GETs
// take a cookie or none and need no X-CSRF-TOKEN (spec 26.1, 26.2: "Does
// not require X-CSRF-Token protection"), so no session is resolved at all.
func (h *Handler) Register(mux routes.Mux) {
	mux.HandleFunc("POST /v1/usernames/users", h.usersByName)
	mux.HandleFunc("POST /v1/users", h.usersByID)
	mux.HandleFunc("GET /v1/users/search", h.search)
	mux.HandleFunc("GET /v1/users/{userId}", h.user)
	mux.HandleFunc("GET /cloud/v2/users/{user_id}", h.cloudUser)
	// Other methods: JSON 405s where the path is this package's alone.
	// /v1/users/{userId} and /v1/users/search get none: a method-less
	// pattern there would conflict with other hosts' GETs under /v1/users/.
	for _, p := range []string{"/v1/usernames/users", "/v1/users"} {
		allow := http.MethodPost
		mux.HandleFunc(p, func(w http.ResponseWriter, r *http.Request) {
			w.Header().Set("Allow", allow)
			legacy.Envelope.Write(w, http.StatusMethodNotAllowed, "The requested resource does not support http method '"+r.Method+"'.")
		})
	}
	mux.HandleFunc("/cloud/v2/users/{user_id}", func(w http.ResponseWriter, r *http.Request) {
		opencloud.WriteGateway(w, http.StatusMethodNotAllowed, "MethodNotAllowed")
	})
}

// ---- legacy responses (the users.roblox.com envelope, spec 6.1, 23.3) ----

// internal answers a failed store call on the legacy host: 499 when the
// client went away, 503 when the store is down, else 500.
func (h *Handler) internal(w http.ResponseWriter, r *http.Request, err error) {
	legacy.Fail(w, r, h.log, "users request failed", h.store.Ping, legacy.Envelope, err)
}

// ---- parameters ----

// legacyTime formats a time as the legacy hosts do: RFC 3339 in UTC, the
// fraction's trailing zeros trimmed ("2013-07-13T07:50:00.083Z").
func legacyTime(t time.Time) string { return t.UTC().Format(time.RFC3339Nano) }

// cloudTime formats a time as Open Cloud does: Z-normalised with 0 or 3
// fractional digits (stored times are milliseconds; spec 2.4 allows 0, 3,
// 6 or 9).
func cloudTime(t time.Time) string {
	t = t.UTC()
	if t.Nanosecond() == 0 {
		return t.Format("2006-01-02T15:04:05Z")
	}
	return t.Format("2006-01-02T15:04:05.000Z")
}

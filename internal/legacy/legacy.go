// Package legacy serves the 15 legacy inventory.roblox.com endpoints (spec
// 6): /v1/... and /v2/... with Roblox's shapes, numbered error codes and
// quirks, authenticated by the .ROBLOSECURITY session cookie and guarded by
// the X-CSRF-TOKEN handshake.
package legacy

import (
	"context"
	"encoding/json"
	"log/slog"
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/invcloud/invcloud/internal/account"
	"github.com/invcloud/invcloud/internal/inventory"
	"github.com/invcloud/invcloud/internal/pagetoken"
	"github.com/invcloud/invcloud/internal/routes"
	"github.com/invcloud/invcloud/internal/store"
	"github.com/invcloud/invcloud/wire"
)

// Store is what the legacy handlers read and write.
type Store interface {
	store.LegacyStore
	Ping(ctx context.Context) error
	User(ctx context.Context, id int64) (inventory.User, error)
	Asset(ctx context.Context, id int64) (inventory.Asset, error)
	Names(ctx context.Context, kind inventory.Kind, ids []int64) (map[int64]string, error)
	ListInventory(ctx context.Context, userID int64, q inventory.Query, after inventory.Position, limit int) ([]inventory.Item, error)
	Revoke(ctx context.Context, userID int64, ref inventory.Ref) (int, error)
	Session(ctx context.Context, h account.TokenHash, now time.Time) (store.Session, error)
}

// Handler serves the legacy endpoints.
type Handler struct {
	store    Store
	sessions *Sessions
	tokens   *pagetoken.Codec
	log      *slog.Logger
	now      func() time.Time
}

// New returns a Handler. Cursors are signed with tokens (the page token
// codec, whose secret replicas share); now may be nil for time.Now and log
// nil to discard.
func New(s Store, tokens *pagetoken.Codec, log *slog.Logger, now func() time.Time) *Handler {
	if now == nil {
		now = time.Now
	}
	if log == nil {
		log = slog.New(slog.DiscardHandler)
	}
	return &Handler{store: s, sessions: NewSessions(s, log, now), tokens: tokens, log: log, now: now}
}

// route is one endpoint of spec 6.4.
type route struct {
	method, path string
	fn           http.HandlerFunc
}

func (h *Handler) routes() []route {
	return []route{
		{http.MethodDelete, "/v1/collections/items/{itemType}/{itemTargetId}", h.removeFromCollection},
		{http.MethodPost, "/v1/collections/items/{itemType}/{itemTargetId}", h.addToCollection},
		{http.MethodGet, "/v1/packages/{packageId}/assets", h.packageAssets},
		{http.MethodGet, "/v1/users/{userId}/assets/collectibles", h.collectibles},
		{http.MethodGet, "/v1/users/{userId}/can-view-inventory", h.canViewInventory},
		{http.MethodGet, "/v1/users/{userId}/categories", h.categories},
		{http.MethodGet, "/v1/users/{userId}/categories/favorites", h.favoriteCategories},
		{http.MethodGet, "/v1/users/{userId}/items/{itemType}/{itemTargetId}", h.items},
		{http.MethodGet, "/v1/users/{userId}/items/{itemType}/{itemTargetId}/is-owned", h.isOwned},
		{http.MethodGet, "/v1/users/{userId}/places/inventory", h.placesInventory},
		{http.MethodGet, "/v2/assets/{assetId}/owners", h.assetOwners},
		{http.MethodGet, "/v2/collectible-items/{collectibleItemId}/owners", h.collectibleItemOwners},
		{http.MethodDelete, "/v2/inventory/asset/{assetId}", h.deleteAsset},
		{http.MethodGet, "/v2/users/{userId}/inventory", h.inventory},
		{http.MethodGet, "/v2/users/{userId}/inventory/{assetTypeId}", h.inventoryByType},
	}
}

// Register adds the endpoints to mux. Every request passes the CSRF guard
// first; other methods on these paths get 405 in the legacy envelope.
func (h *Handler) Register(mux routes.Mux) {
	allowed := map[string][]string{}
	var paths []string
	for _, rt := range h.routes() {
		mux.Handle(rt.method+" "+rt.path, h.sessions.Guard(Envelope, rt.fn))
		if allowed[rt.path] == nil {
			paths = append(paths, rt.path)
		}
		allowed[rt.path] = append(allowed[rt.path], rt.method)
	}
	for _, p := range paths {
		methods := allowed[p]
		mux.Handle(p, h.sessions.Guard(Envelope, func(w http.ResponseWriter, r *http.Request) {
			allow := strings.Join(methods, ", ")
			if strings.Contains(allow, http.MethodGet) {
				allow += ", " + http.MethodHead
			}
			w.Header().Set("Allow", allow)
			writeFramework(w, http.StatusMethodNotAllowed, "The requested resource does not support http method '"+r.Method+"'.")
		}))
	}
}

// ---- responses ----

// UserFacingMessage is the userFacingMessage of every numbered error.
const UserFacingMessage = "Something went wrong"

// Messages of the framework-level (code 0) errors.
const (
	MsgUnauthorized   = "Authorization has been denied for this request."
	MsgInvalidRequest = "The request is invalid."
	MsgUnknownError   = "An unknown error occured." // sic, as Roblox documents it
	MsgUnavailable    = "The service is unavailable."
	MsgInvalidCursor  = "The cursor is invalid."
	MsgInvalidLimit   = "The limit is invalid. Allowed values are 10, 25, 50 and 100."
	MsgInvalidSort    = "The sortOrder is invalid. Allowed values are Asc and Desc."
	// MsgCancelled answers a request whose client went away (nobody reads
	// it; the status is what metrics and logs see).
	MsgCancelled = "The request was cancelled."
)

func writeJSON(w http.ResponseWriter, status int, v any) {
	body, err := json.Marshal(v)
	if err != nil {
		status, body = http.StatusInternalServerError, []byte(`{"errors":[{"code":0,"message":"`+MsgUnknownError+`"}]}`)
	}
	h := w.Header()
	h.Set("Content-Type", "application/json")
	h.Set("Cache-Control", "no-store, must-revalidate, no-cache")
	w.WriteHeader(status)
	w.Write(body)
}

// writeError writes an endpoint's numbered error.
func writeError(w http.ResponseWriter, status, code int, msg string) {
	writeJSON(w, status, wire.LegacyErrors{Errors: []wire.LegacyError{{Code: code, Message: msg, UserFacingMessage: UserFacingMessage}}})
}

// writeFramework writes a code 0 error, which carries no userFacingMessage.
func writeFramework(w http.ResponseWriter, status int, msg string) {
	writeJSON(w, status, wire.LegacyErrors{Errors: []wire.LegacyError{{Code: 0, Message: msg}}})
}

// clientGone answers a failure caused by the client going away: 499, not
// a 5xx. It reports whether it answered.
func (h *Handler) clientGone(w http.ResponseWriter, r *http.Request, err error) bool {
	return h.sessions.ClientGone(w, r, Envelope, err)
}

// internal answers a failure of the store: 499 when the client went away,
// 503 when the store does not answer (clients retry), else 500.
func (h *Handler) internal(w http.ResponseWriter, r *http.Request, err error) {
	h.sessions.Fail(w, r, Envelope, err)
}

// ---- sessions ----

// viewerID is the signed-in user, or 0.
func (h *Handler) viewerID(w http.ResponseWriter, r *http.Request) (int64, bool) {
	c, err := h.sessions.Caller(r)
	if err != nil {
		h.internal(w, r, err)
		return 0, false
	}
	return c.UserID(), true
}

// requireSession answers 401 unless the request is signed in.
func (h *Handler) requireSession(w http.ResponseWriter, r *http.Request) (int64, bool) {
	id, ok := h.viewerID(w, r)
	if ok && id == 0 {
		writeFramework(w, http.StatusUnauthorized, MsgUnauthorized)
		return 0, false
	}
	return id, ok
}

// access applies the visibility rule for the signed-in viewer (0: none):
// the owner sees everything, friends see a "friends" inventory's public
// part, everyone sees an "everyone" inventory's public part.
func (h *Handler) access(ctx context.Context, viewer int64, owner inventory.User) (inventory.Access, error) {
	v := inventory.Viewer{UserID: viewer, InventoryRead: viewer != 0}
	if viewer != 0 && viewer != owner.ID && owner.Visibility == inventory.VisibilityFriends {
		ok, err := h.store.AreFriends(ctx, viewer, owner.ID)
		if err != nil {
			return inventory.AccessNone, err
		}
		v.Friend = ok
	}
	return inventory.AccessFor(v, owner.ID, owner.Visibility), nil
}

// ---- parameters ----

// parseID accepts a positive decimal int64 written with digits only.
func parseID(s string) (int64, bool) {
	if s == "" || len(s) > 19 || s[0] < '0' || s[0] > '9' {
		return 0, false
	}
	n, err := strconv.ParseInt(s, 10, 64)
	return n, err == nil && n > 0
}

// Limits allowed for limit (spec 6.1).
var allowedLimits = []int{10, 25, 50, 100}

// DefaultLimit is limit's default.
const DefaultLimit = 10

func parseLimit(s string) (int, bool) {
	if s == "" {
		return DefaultLimit, true
	}
	n, err := strconv.Atoi(s)
	if err != nil {
		return 0, false
	}
	for _, l := range allowedLimits {
		if n == l {
			return n, true
		}
	}
	return 0, false
}

// parseSortOrder accepts Asc and Desc (any ASCII case), or the enum's
// values 1 and 2; absent is Asc. It reports whether the order is Desc.
func parseSortOrder(s string) (desc, ok bool) {
	switch strings.ToLower(s) {
	case "", "asc", "1":
		return false, true
	case "desc", "2":
		return true, true
	}
	return false, false
}

func sortName(desc bool) string {
	if desc {
		return "Desc"
	}
	return "Asc"
}

// parseUUID accepts a UUID in canonical 8-4-4-4-12 form, any hex case, and
// returns it in lower case.
func parseUUID(s string) (string, bool) {
	if len(s) != 36 {
		return "", false
	}
	b := []byte(s)
	for i, c := range b {
		switch {
		case i == 8 || i == 13 || i == 18 || i == 23:
			if c != '-' {
				return "", false
			}
		case '0' <= c && c <= '9', 'a' <= c && c <= 'f':
		case 'A' <= c && c <= 'F':
			b[i] = c + 'a' - 'A'
		default:
			return "", false
		}
	}
	return string(b), true
}

// timeString formats a time as Roblox's legacy APIs do: RFC 3339 in UTC
// with the fraction's trailing zeros trimmed.
func timeString(t time.Time) string { return t.UTC().Format(time.RFC3339Nano) }

func ptr[T any](v T) *T { return &v }

// Package opencloud serves the Open Cloud surfaces: /cloud/v2 inventory
// items and /api-keys/v1/introspect.
package opencloud

import (
	"context"
	"encoding/base64"
	"errors"
	"log/slog"
	"net/http"
	"strconv"
	"time"

	"github.com/invcloud/invcloud/internal/auth"
	"github.com/invcloud/invcloud/internal/filter"
	"github.com/invcloud/invcloud/internal/inventory"
	"github.com/invcloud/invcloud/internal/pagetoken"
	"github.com/invcloud/invcloud/internal/ratelimit"
	"github.com/invcloud/invcloud/internal/reqerr"
	"github.com/invcloud/invcloud/internal/routes"
	"github.com/invcloud/invcloud/internal/store"
	"github.com/invcloud/invcloud/wire"
)

// Page sizes of ListInventoryItems (spec 1.2).
const (
	DefaultPageSize = 10
	MaxPageSize     = 100
)

// Store is what the Open Cloud handlers read.
type Store interface {
	Ping(ctx context.Context) error
	User(ctx context.Context, id int64) (inventory.User, error)
	ListInventory(ctx context.Context, userID int64, q inventory.Query, after inventory.Position, limit int) ([]inventory.Item, error)
}

// Handler serves the Open Cloud endpoints.
type Handler struct {
	store  Store
	auth   *auth.Authenticator
	tokens *pagetoken.Codec
	log    *slog.Logger
	quotas *ratelimit.Quotas // nil: no quotas
}

// Option configures a Handler.
type Option func(*Handler)

// WithQuotas enforces the published per-endpoint quotas.
func WithQuotas(q *ratelimit.Quotas) Option { return func(h *Handler) { h.quotas = q } }

// New returns a Handler.
func New(s Store, a *auth.Authenticator, tokens *pagetoken.Codec, log *slog.Logger, opts ...Option) *Handler {
	h := &Handler{store: s, auth: a, tokens: tokens, log: log}
	for _, o := range opts {
		o(h)
	}
	return h
}

// charge takes one request of policy from the caller's quota, sets the
// x-ratelimit-* headers, and answers 429 (or 503 when the quota store is
// down and quotas fail closed) when the request may not proceed.
func (h *Handler) charge(w http.ResponseWriter, r *http.Request, p *auth.Principal, policy ratelimit.Policy) bool {
	if !h.quotas.Enabled() {
		return true
	}
	res, err := h.quotas.Take(r.Context(), policy, p.UserID, p.AuthorizationID)
	if errors.Is(err, ratelimit.ErrUnavailable) {
		writeError(w, http.StatusServiceUnavailable, CodeUnavailable, "The service is currently unavailable.")
		return false
	}
	if err != nil {
		h.internal(w, r, err)
		return false
	}
	hd := w.Header()
	window := strconv.Itoa(int(res.Limit.Period / time.Second))
	hd.Set("x-ratelimit-limit", strconv.Itoa(res.Limit.Max)+", "+strconv.Itoa(res.Limit.Max)+";w="+window)
	hd.Set("x-ratelimit-remaining", strconv.Itoa(res.Remaining))
	hd.Set("x-ratelimit-reset", strconv.Itoa(ceilSeconds(res.Reset)))
	if !res.Allowed {
		hd.Set("retry-after", strconv.Itoa(max(1, ceilSeconds(res.RetryAfter))))
		writeError(w, http.StatusTooManyRequests, CodeResourceExhausted, "Resource has been exhausted (e.g. check quota).")
		return false
	}
	return true
}

func ceilSeconds(d time.Duration) int { return int((d + time.Second - 1) / time.Second) }

// Register adds the handler's routes to mux.
func (h *Handler) Register(mux routes.Mux) {
	mux.HandleFunc("GET /cloud/v2/users/{user_id}/inventory-items", h.listInventoryItems)
	mux.HandleFunc("POST /api-keys/v1/introspect", h.introspect)
	// Other methods on these paths: JSON rather than net/http's plain text.
	for _, p := range []string{"/cloud/v2/users/{user_id}/inventory-items", "/api-keys/v1/introspect"} {
		mux.HandleFunc(p, func(w http.ResponseWriter, r *http.Request) {
			WriteGateway(w, http.StatusMethodNotAllowed, "MethodNotAllowed")
		})
	}
}

// authenticate writes the gateway 401 (or a 500) and returns nil when the
// request carries no valid credential.
func (h *Handler) authenticate(w http.ResponseWriter, r *http.Request) *auth.Principal {
	p, err := h.auth.Authenticate(r)
	if err == nil {
		return p
	}
	var ae *auth.Error
	if errors.As(err, &ae) {
		h.log.InfoContext(r.Context(), "unauthenticated", "reason", ae.Reason)
		WriteGateway(w, http.StatusUnauthorized, MsgInvalidAPIKey)
		return nil
	}
	h.internal(w, r, err)
	return nil
}

func (h *Handler) internal(w http.ResponseWriter, r *http.Request, err error) {
	Fail(w, r, h.log, "request failed", h.store.Ping, err)
}

// Fail answers a failed call on an Open Cloud resource: 499 CANCELLED and a
// debug line when the client went away, 503 UNAVAILABLE when ping says the
// store does not answer, else 500 INTERNAL and an error line logged as what.
func Fail(w http.ResponseWriter, r *http.Request, log *slog.Logger, what string, ping func(context.Context) error, err error) {
	if reqerr.Log(log, r, what, err) {
		writeError(w, reqerr.StatusClientClosed, "CANCELLED", "The request was cancelled.")
		return
	}
	// A store that does not answer is an outage, not a bug: say so, so
	// clients retry (their SDKs back off on 503).
	ctx, cancel := context.WithTimeout(context.WithoutCancel(r.Context()), 500*time.Millisecond)
	defer cancel()
	if ping(ctx) != nil {
		writeError(w, http.StatusServiceUnavailable, CodeUnavailable, "The service is currently unavailable.")
		return
	}
	writeError(w, http.StatusInternalServerError, CodeInternal, "Internal server error.")
}

// parseID accepts a positive decimal int64 written with digits only.
func parseID(s string) (int64, bool) {
	if s == "" || s[0] < '0' || s[0] > '9' {
		return 0, false
	}
	n, err := strconv.ParseInt(s, 10, 64)
	return n, err == nil && n > 0
}

// ParsePageSize applies the maxPageSize rules: absent or 0 gives the
// default, above the maximum gives the maximum, negative or not an int32 is
// an error.
func ParsePageSize(s string) (int, bool) {
	if s == "" {
		return DefaultPageSize, true
	}
	n, err := strconv.ParseInt(s, 10, 32)
	switch {
	case err != nil || n < 0:
		return 0, false
	case n == 0:
		return DefaultPageSize, true
	case n > MaxPageSize:
		return MaxPageSize, true
	}
	return int(n), true
}

// tokenBinding ties a page token to the user and the filter's meaning.
func tokenBinding(userID int64, f filter.Filter) string {
	return "inventory-items\x00" + strconv.FormatInt(userID, 10) + "\x00" + f.String()
}

func (h *Handler) listInventoryItems(w http.ResponseWriter, r *http.Request) {
	p := h.authenticate(w, r)
	if p == nil || !h.charge(w, r, p, ratelimit.InventoryItems) {
		return
	}
	ctx := r.Context()
	userID, ok := parseID(r.PathValue("user_id"))
	if !ok {
		writeError(w, http.StatusBadRequest, CodeInvalidArgument, "Invalid User ID in the request.")
		return
	}
	query, bad := parseQuery(r.URL.RawQuery)
	if bad != "" {
		writeError(w, http.StatusBadRequest, CodeInvalidArgument, "The query parameter "+strconv.Quote(bad)+" is not properly escaped.")
		return
	}
	f, err := filter.Parse(query.Get("filter"))
	if err != nil {
		writeError(w, http.StatusBadRequest, CodeInvalidArgument, "The provided filter is invalid: "+err.Error()+".")
		return
	}
	size, ok := ParsePageSize(query.Get("maxPageSize"))
	if !ok {
		writeError(w, http.StatusBadRequest, CodeInvalidArgument, "maxPageSize must be an integer between 0 and 2147483647.")
		return
	}
	owner, err := h.store.User(ctx, userID)
	if errors.Is(err, store.ErrNotFound) {
		writeError(w, http.StatusNotFound, CodeNotFound, "User not found.")
		return
	}
	if err != nil {
		h.internal(w, r, err)
		return
	}
	access := inventory.AccessFor(p.Viewer(), owner.ID, owner.Visibility)
	switch {
	case access == inventory.AccessNone:
		writeError(w, http.StatusForbidden, CodePermissionDenied, "You do not have permission to view this user's inventory.")
		return
	case access != inventory.AccessFull && f.NeedsInventoryRead():
		writeError(w, http.StatusForbidden, CodePermissionDenied, "Filtering by private servers or purchased places requires the Inventory read permission.")
		return
	}
	binding := tokenBinding(userID, f)
	pos := inventory.Start
	if tok := query.Get("pageToken"); tok != "" {
		pos, err = h.tokens.OpenPosition(tok, binding)
		if err != nil {
			msg := "The page token is invalid."
			if errors.Is(err, pagetoken.ErrMismatch) {
				msg = "The page token does not match the request: all parameters but pageToken must match the call that provided it."
			}
			writeError(w, http.StatusBadRequest, CodeInvalidArgument, msg)
			return
		}
	}
	items, err := h.store.ListInventory(ctx, userID, f.Query().Restrict(access), pos, size+1)
	if err != nil {
		h.internal(w, r, err)
		return
	}
	resp := wire.ListInventoryItemsResponse{InventoryItems: make([]wire.InventoryItem, 0, min(len(items), size))}
	if len(items) > size {
		items = items[:size]
		resp.NextPageToken = h.tokens.SealPosition(inventory.Next(items[size-1]), binding)
	}
	resp.InventoryItems = WireItems(userID, items)
	writeJSON(w, http.StatusOK, resp)
}

// Path id prefixes: the id is the unpadded base64 of "KEY=value" (spec 1.6).
var idKeys = map[inventory.Kind]string{
	inventory.KindAsset:         "USER_ASSET_ID=",
	inventory.KindBadge:         "BADGE_ID=",
	inventory.KindGamePass:      "GAME_PASS_ID=",
	inventory.KindPrivateServer: "PRIVATE_SERVER_ID=",
}

// ItemID returns the opaque inventory item id of it.
func ItemID(it inventory.Item) string {
	return base64.RawURLEncoding.EncodeToString([]byte(idKeys[it.Kind] + strconv.FormatInt(it.ID, 10)))
}

// WireItems converts a page of a user's items to their wire form. It is
// the hot path of every listing: the path prefix is built once and the
// details of every item come from one allocation.
func WireItems(userID int64, items []inventory.Item) []wire.InventoryItem {
	out := make([]wire.InventoryItem, len(items))
	prefix := "users/" + strconv.FormatInt(userID, 10) + "/inventory-items/"
	assets := make([]wire.AssetDetails, len(items))
	var buf []byte
	for i, it := range items {
		buf = append(append(buf[:0], idKeys[it.Kind]...), strconv.FormatInt(it.ID, 10)...)
		out[i] = wireItem(prefix+base64.RawURLEncoding.EncodeToString(buf), it, &assets[i])
	}
	return out
}

func wireItem(path string, it inventory.Item, asset *wire.AssetDetails) wire.InventoryItem {
	out := wire.InventoryItem{Path: path}
	id := strconv.FormatInt(it.ID, 10)
	switch it.Kind {
	case inventory.KindAsset:
		d := asset
		*d = wire.AssetDetails{
			AssetID:                strconv.FormatInt(it.AssetID, 10),
			InventoryItemAssetType: it.AssetType.String(),
			InstanceID:             id,
		}
		if c := it.Collectible; c != nil {
			d.CollectibleDetails = &wire.CollectibleDetails{
				ItemID: c.ItemID, InstanceID: c.InstanceID, InstanceState: c.State.String(), SerialNumber: c.SerialNumber,
			}
		}
		out.AssetDetails = d
	case inventory.KindBadge:
		out.BadgeDetails = &wire.BadgeDetails{BadgeID: id}
	case inventory.KindGamePass:
		out.GamePassDetails = &wire.GamePassDetails{GamePassID: id}
	case inventory.KindPrivateServer:
		out.PrivateServerDetails = &wire.PrivateServerDetails{PrivateServerID: id}
	}
	// Roblox does not populate addTime for passes.
	if !it.AddTime.IsZero() && it.Kind != inventory.KindGamePass {
		out.AddTime = it.AddTime.UTC().Format(time.RFC3339Nano)
	}
	return out
}

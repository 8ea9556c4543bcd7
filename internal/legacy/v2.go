package legacy

import (
	"errors"
	"net/http"
	"slices"
	"strconv"
	"strings"

	"github.com/invcloud/invcloud/internal/inventory"
	"github.com/invcloud/invcloud/internal/store"
	"github.com/invcloud/invcloud/wire"
)

// ---- owners ----

// owner is the owner entry the viewer may see: null when the owner's
// inventory is hidden from the viewer, or when the copy is one the viewer
// may not see in it (a purchased place, for anyone but its owner).
func owner(viewer int64, o store.AssetOwner) *wire.RelatedEntity {
	v := inventory.Viewer{UserID: viewer, InventoryRead: viewer != 0, Friend: o.ViewerIsFriend}
	if !inventory.AccessFor(v, o.Owner.ID, o.Owner.Visibility).VisibleTypes().Has(o.Item.AssetType) {
		return nil
	}
	return &wire.RelatedEntity{ID: o.Owner.ID, Type: "User", Name: o.Owner.Name}
}

// instanceTime is when an instance came to be: its add time, or the
// asset's creation when that is unknown.
func instanceTime(o store.OwnedAsset) string {
	if !o.Item.AddTime.IsZero() {
		return timeString(o.Item.AddTime)
	}
	return timeString(o.Asset.Created)
}

func (h *Handler) assetOwners(w http.ResponseWriter, r *http.Request) {
	const invalid = "The asset id is invalid."
	q := r.URL.Query()
	id, ok := parseID(r.PathValue("assetId"))
	if !ok {
		writeError(w, http.StatusBadRequest, 1, invalid)
		return
	}
	lp, ok := h.listParams(w, q)
	if !ok {
		return
	}
	// The cursor is checked before anything is read.
	binding := "v2/asset-owners\x00" + strconv.FormatInt(id, 10) + "\x00" + sortName(lp.desc)
	cur, ok := h.openCursor(w, q.Get("cursor"), binding)
	if !ok {
		return
	}
	asset, err := h.store.Asset(r.Context(), id)
	if errors.Is(err, store.ErrNotFound) {
		writeError(w, http.StatusBadRequest, 1, invalid)
		return
	}
	if err != nil {
		h.internal(w, r, err)
		return
	}
	if !asset.Collectible {
		writeError(w, http.StatusForbidden, 2, "You do not have permission to view the owners of this asset.")
		return
	}
	viewer, ok := h.viewerID(w, r)
	if !ok {
		return
	}
	p, err := fetchPage(func(sp store.Span) ([]store.AssetOwner, error) {
		return h.store.CollectibleOwners(r.Context(), id, viewer, sp)
	}, func(o store.AssetOwner) int64 { return o.Item.ID }, lp.desc, lp.limit, cur)
	if err != nil {
		h.internal(w, r, err)
		return
	}
	out := wire.LegacyPage[wire.AssetOwner]{Data: make([]wire.AssetOwner, 0, len(p.Items))}
	out.PreviousPageCursor, out.NextPageCursor = h.sealed(p.Prev, binding), h.sealed(p.Next, binding)
	for _, o := range p.Items {
		ao := wire.AssetOwner{ID: o.Item.ID, Owner: owner(viewer, o), Created: instanceTime(o.OwnedAsset), Updated: instanceTime(o.OwnedAsset)}
		if c := o.Item.Collectible; c != nil {
			ao.CollectibleItemInstanceID, ao.SerialNumber = ptr(c.InstanceID), serial(c.SerialNumber)
		}
		out.Data = append(out.Data, ao)
	}
	writeJSON(w, http.StatusOK, out)
}

// parseCollectibleLimit accepts 1 to 100 (the endpoint documents no enum);
// absent is 10.
func parseCollectibleLimit(s string) (int, bool) {
	if s == "" {
		return DefaultLimit, true
	}
	n, err := strconv.Atoi(s)
	return n, err == nil && n >= 1 && n <= 100
}

func (h *Handler) collectibleItemOwners(w http.ResponseWriter, r *http.Request) {
	const invalid = "The collectible item id is invalid."
	viewer, ok := h.requireSession(w, r)
	if !ok {
		return
	}
	q := r.URL.Query()
	itemID, ok := parseUUID(r.PathValue("collectibleItemId"))
	if !ok {
		writeError(w, http.StatusBadRequest, 1, invalid)
		return
	}
	limit, ok := parseCollectibleLimit(q.Get("limit"))
	if !ok {
		writeFramework(w, http.StatusBadRequest, "The limit is invalid. Allowed values are 1 to 100.")
		return
	}
	desc, ok := parseSortOrder(q.Get("sortOrder"))
	if !ok {
		writeFramework(w, http.StatusBadRequest, MsgInvalidSort)
		return
	}
	// The cursor is checked before anything is read.
	binding := "v2/collectible-item-owners\x00" + itemID + "\x00" + sortName(desc)
	cur, ok := h.openCursor(w, q.Get("cursor"), binding)
	if !ok {
		return
	}
	asset, err := h.store.AssetByCollectibleItem(r.Context(), itemID)
	if errors.Is(err, store.ErrNotFound) {
		writeError(w, http.StatusBadRequest, 1, invalid)
		return
	}
	if err != nil {
		h.internal(w, r, err)
		return
	}
	if asset.CreatorID != viewer {
		writeError(w, http.StatusForbidden, 2, "You do not have permission to view the owners of this item.")
		return
	}
	p, err := fetchPage(func(sp store.Span) ([]store.AssetOwner, error) {
		return h.store.CollectibleOwners(r.Context(), asset.ID, viewer, sp)
	}, func(o store.AssetOwner) int64 { return o.Item.ID }, desc, limit, cur)
	if err != nil {
		h.internal(w, r, err)
		return
	}
	out := wire.LegacyPage[wire.CollectibleItemOwner]{Data: make([]wire.CollectibleItemOwner, 0, len(p.Items))}
	out.PreviousPageCursor, out.NextPageCursor = h.sealed(p.Prev, binding), h.sealed(p.Next, binding)
	for _, o := range p.Items {
		co := wire.CollectibleItemOwner{Owner: owner(viewer, o)}
		if c := o.Item.Collectible; c != nil {
			co.CollectibleItemInstanceID, co.SerialNumber = c.InstanceID, serial(c.SerialNumber)
		}
		out.Data = append(out.Data, co)
	}
	writeJSON(w, http.StatusOK, out)
}

// ---- giving up an asset ----

func (h *Handler) deleteAsset(w http.ResponseWriter, r *http.Request) {
	userID, ok := h.viewerID(w, r)
	if !ok {
		return
	}
	if userID == 0 {
		// A credential of another kind: the legacy API takes cookies only.
		if r.Header.Get("x-api-key") != "" || r.Header.Get("Authorization") != "" {
			writeError(w, http.StatusUnauthorized, 4, "You are not authorized.")
			return
		}
		writeFramework(w, http.StatusUnauthorized, MsgUnauthorized)
		return
	}
	ctx := r.Context()
	id, ok := parseID(r.PathValue("assetId"))
	var asset inventory.Asset
	var err error
	if ok {
		asset, err = h.store.Asset(ctx, id)
	}
	if !ok || errors.Is(err, store.ErrNotFound) {
		writeError(w, http.StatusNotFound, 1, "The item does not exist.")
		return
	}
	if err != nil {
		h.unknown(w, r, err)
		return
	}
	items, err := h.store.ListInventory(ctx, userID, inventory.Query{Assets: inventory.Selector{Include: true, IDs: []int64{id}}, Types: inventory.AllTypes}, inventory.Start, 1)
	if err != nil {
		h.unknown(w, r, err)
		return
	}
	if len(items) == 0 {
		writeError(w, http.StatusForbidden, 2, "You don't own the specified item.")
		return
	}
	if asset.CreatorID == RobloxUserID || asset.Collectible {
		writeError(w, http.StatusForbidden, 3, "The item is not allowed to be deleted.")
		return
	}
	// Revoke also takes the asset out of the user's collection, in one
	// transaction: a failure changes nothing.
	if _, err := h.store.Revoke(ctx, userID, inventory.Ref{Kind: inventory.KindAsset, ID: id}); err != nil && !errors.Is(err, store.ErrNotFound) {
		h.unknown(w, r, err)
		return
	}
	writeJSON(w, http.StatusOK, wire.LegacyEmpty{})
}

// unknown is this endpoint's documented 500 (499 when the client went
// away).
func (h *Handler) unknown(w http.ResponseWriter, r *http.Request, err error) {
	if h.clientGone(w, r, err) {
		return
	}
	writeFramework(w, http.StatusInternalServerError, MsgUnknownError)
}

// ---- user inventory ----

// parseAssetTypes parses a comma-separated list of asset type ids or
// names. Game passes and badges are refused ("GamePass and Badges not
// allowed"). The result is sorted and without duplicates.
func parseAssetTypes(s string) ([]int, bool) {
	if s == "" {
		return nil, false
	}
	var out []int
	for part := range strings.SplitSeq(s, ",") {
		t, ok := inventory.ParseLegacyType(strings.TrimSpace(part))
		if !ok || t == inventory.LegacyGamePass || t == inventory.LegacyBadge {
			return nil, false
		}
		out = append(out, t)
	}
	slices.Sort(out)
	return slices.Compact(out), true
}

// inventoryAccess loads the owner and checks the viewer may list types.
func (h *Handler) inventoryAccess(w http.ResponseWriter, r *http.Request, owner inventory.User, types []int) bool {
	viewer, ok := h.viewerID(w, r)
	if !ok {
		return false
	}
	access, err := h.access(r.Context(), viewer, owner)
	if err != nil {
		h.internal(w, r, err)
		return false
	}
	switch {
	case access == inventory.AccessNone:
		writeError(w, http.StatusForbidden, 4, "You are not authorized to view this user's inventory.")
		return false
	case access != inventory.AccessFull && slices.Contains(types, inventory.LegacyPlace):
		// Places include purchased ones, which only the owner may list
		// (as PURCHASED_PLACE on Open Cloud).
		writeError(w, http.StatusForbidden, 3, "Insufficient permission.")
		return false
	}
	return true
}

func (h *Handler) inventory(w http.ResponseWriter, r *http.Request) {
	const noUser = "Invalid user Id."
	q := r.URL.Query()
	userID, ok := parseID(r.PathValue("userId"))
	if !ok {
		writeError(w, http.StatusBadRequest, 1, noUser)
		return
	}
	types, ok := parseAssetTypes(q.Get("assetTypes"))
	if !ok {
		writeError(w, http.StatusBadRequest, 2, "Invalid asset type Id.")
		return
	}
	lp, ok := h.listParams(w, q)
	if !ok {
		return
	}
	typeList := make([]string, len(types))
	for i, t := range types {
		typeList[i] = strconv.Itoa(t)
	}
	// The cursor is checked before anything is read.
	binding := "v2/inventory\x00" + strconv.FormatInt(userID, 10) + "\x00" + strings.Join(typeList, ",") + "\x00" + sortName(lp.desc)
	_, p, ok := h.userAssetsPage(w, r, userID, types, lp, binding, noUser)
	if !ok {
		return
	}
	out := wire.LegacyPage[wire.UserAssetItemV2]{Data: make([]wire.UserAssetItemV2, 0, len(p.Items))}
	out.PreviousPageCursor, out.NextPageCursor = h.sealed(p.Prev, binding), h.sealed(p.Next, binding)
	for _, o := range p.Items {
		name, _ := inventory.LegacyTypeName(o.Asset.LegacyType)
		out.Data = append(out.Data, wire.UserAssetItemV2{AssetID: o.Item.AssetID, Name: o.Asset.Name, AssetType: name, Created: instanceTime(o)})
	}
	writeJSON(w, http.StatusOK, out)
}

func (h *Handler) inventoryByType(w http.ResponseWriter, r *http.Request) {
	const noUser = "Invalid user Id."
	q := r.URL.Query()
	userID, ok := parseID(r.PathValue("userId"))
	if !ok {
		writeError(w, http.StatusBadRequest, 1, noUser)
		return
	}
	types, ok := parseAssetTypes(r.PathValue("assetTypeId"))
	if !ok || len(types) != 1 {
		writeError(w, http.StatusBadRequest, 2, "Invalid asset type Id.")
		return
	}
	lp, ok := h.listParams(w, q)
	if !ok {
		return
	}
	// The cursor is checked before anything is read.
	binding := "v2/inventory-type\x00" + strconv.FormatInt(userID, 10) + "\x00" + strconv.Itoa(types[0]) + "\x00" + sortName(lp.desc)
	owner, p, ok := h.userAssetsPage(w, r, userID, types, lp, binding, noUser)
	if !ok {
		return
	}
	out := wire.LegacyPage[wire.InventoryItemV2]{Data: make([]wire.InventoryItemV2, 0, len(p.Items))}
	out.PreviousPageCursor, out.NextPageCursor = h.sealed(p.Prev, binding), h.sealed(p.Next, binding)
	for _, o := range p.Items {
		it := wire.InventoryItemV2{UserAssetID: o.Item.ID, AssetID: o.Item.AssetID, AssetName: o.Asset.Name,
			Owner:   wire.LegacyUser{UserID: owner.ID, Username: owner.Name, BuildersClubMembershipType: "None"},
			Created: instanceTime(o), Updated: instanceTime(o)}
		if c := o.Item.Collectible; c != nil {
			it.CollectibleItemID, it.CollectibleItemInstanceID, it.SerialNumber = ptr(c.ItemID), ptr(c.InstanceID), serial(c.SerialNumber)
		}
		out.Data = append(out.Data, it)
	}
	writeJSON(w, http.StatusOK, out)
}

// userAssetsPage is the shared part of the two v2 inventory listings: the
// cursor is checked before anything is read, then the owner and the
// caller's access, then one page is fetched. It writes the error and
// reports false when the request ends there.
func (h *Handler) userAssetsPage(w http.ResponseWriter, r *http.Request, userID int64, types []int, lp listParams, binding, noUser string) (inventory.User, page[store.OwnedAsset], bool) {
	cur, ok := h.openCursor(w, r.URL.Query().Get("cursor"), binding)
	if !ok {
		return inventory.User{}, page[store.OwnedAsset]{}, false
	}
	owner, ok := h.loadUser(w, r, userID, http.StatusBadRequest, 1, noUser)
	if !ok || !h.inventoryAccess(w, r, owner, types) {
		return inventory.User{}, page[store.OwnedAsset]{}, false
	}
	p, err := fetchPage(func(sp store.Span) ([]store.OwnedAsset, error) {
		return h.store.UserAssets(r.Context(), owner.ID, types, sp)
	}, ownedKey, lp.desc, lp.limit, cur)
	if err != nil {
		h.internal(w, r, err)
		return inventory.User{}, page[store.OwnedAsset]{}, false
	}
	return owner, p, true
}

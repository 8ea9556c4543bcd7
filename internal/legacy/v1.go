package legacy

import (
	"errors"
	"net/http"
	"strconv"

	"github.com/invcloud/invcloud/internal/inventory"
	"github.com/invcloud/invcloud/internal/store"
	"github.com/invcloud/invcloud/wire"
)

// CollectionCapacity is how many items a user's collection holds: the
// profile's Collections row shows six.
const CollectionCapacity = 6

// collectionAssetTypes are the legacy asset types a collection accepts:
// avatar items (accessories, clothing, body parts, gear, emotes).
var collectionAssetTypes = map[int]bool{
	2: true, 8: true, 11: true, 12: true, 17: true, 18: true, 19: true, 27: true, 28: true, 29: true, 30: true, 31: true,
	41: true, 42: true, 43: true, 44: true, 45: true, 46: true, 47: true, 61: true, 64: true, 65: true, 66: true, 67: true,
	68: true, 69: true, 70: true, 71: true, 72: true, 76: true, 77: true, 79: true,
}

// loadUser reads the user named by a path parameter; a malformed or unknown
// id gets the endpoint's own error. id is the parsed parameter: 0 when it
// did not parse.
func (h *Handler) loadUser(w http.ResponseWriter, r *http.Request, id int64, status, code int, msg string) (inventory.User, bool) {
	if id <= 0 {
		writeError(w, status, code, msg)
		return inventory.User{}, false
	}
	u, err := h.store.User(r.Context(), id)
	if errors.Is(err, store.ErrNotFound) {
		writeError(w, status, code, msg)
		return u, false
	}
	if err != nil {
		h.internal(w, r, err)
		return u, false
	}
	return u, true
}

// pathID is a path parameter parsed as an id, 0 when it does not parse.
func pathID(r *http.Request, name string) int64 {
	id, _ := parseID(r.PathValue(name))
	return id
}

// ---- collections ----

// collectionTarget parses and checks the item of a collections request.
func (h *Handler) collectionTarget(w http.ResponseWriter, r *http.Request) (inventory.ItemRef, inventory.Asset, bool) {
	typ, ok := inventory.ParseItemType(r.PathValue("itemType"))
	if !ok || typ > inventory.ItemBundle {
		writeError(w, http.StatusBadRequest, 1, "The item type does not exist.")
		return inventory.ItemRef{}, inventory.Asset{}, false
	}
	// Only adding can be refused for the type (code 6 is documented for
	// POST); a pass or badge is simply never in a collection to remove.
	if r.Method == http.MethodPost && (typ == inventory.ItemGamePass || typ == inventory.ItemBadge) {
		writeError(w, http.StatusForbidden, 6, "Items of this type are not allowed in collections.")
		return inventory.ItemRef{}, inventory.Asset{}, false
	}
	id, _ := parseID(r.PathValue("itemTargetId"))
	ref := inventory.ItemRef{Type: typ, ID: id}
	var asset inventory.Asset
	var err error
	if typ == inventory.ItemAsset {
		if id > 0 {
			asset, err = h.store.Asset(r.Context(), id)
		}
		if id == 0 || errors.Is(err, store.ErrNotFound) {
			writeError(w, http.StatusBadRequest, 2, "The asset does not exist.")
			return ref, asset, false
		}
	} else {
		if id > 0 {
			_, err = h.store.Bundle(r.Context(), id)
		}
		if id == 0 || errors.Is(err, store.ErrNotFound) {
			writeError(w, http.StatusBadRequest, 3, "The bundle does not exist.")
			return ref, asset, false
		}
	}
	if err != nil {
		h.internal(w, r, err)
		return ref, asset, false
	}
	return ref, asset, true
}

func (h *Handler) addToCollection(w http.ResponseWriter, r *http.Request) {
	userID, ok := h.requireSession(w, r)
	if !ok {
		return
	}
	ref, asset, ok := h.collectionTarget(w, r)
	if !ok {
		return
	}
	ctx := r.Context()
	var owned bool
	var err error
	if ref.Type == inventory.ItemAsset {
		if !collectionAssetTypes[asset.LegacyType] {
			writeError(w, http.StatusForbidden, 5, "Assets of this type are not allowed in collections.")
			return
		}
		var items []inventory.Item
		items, err = h.store.ListInventory(ctx, userID, inventory.Query{Assets: inventory.Selector{Include: true, IDs: []int64{ref.ID}}, Types: inventory.AllTypes}, inventory.Start, 1)
		owned = len(items) > 0
	} else {
		owned, err = h.store.OwnsBundle(ctx, userID, ref.ID)
	}
	if err != nil {
		h.internal(w, r, err)
		return
	}
	if !owned {
		writeError(w, http.StatusForbidden, 4, "You don't own the specified item.")
		return
	}
	err = h.store.AddToCollection(ctx, userID, ref, CollectionCapacity, h.now())
	switch {
	case errors.Is(err, store.ErrExists):
		writeError(w, http.StatusForbidden, 7, "The item is already in the collection.")
	case errors.Is(err, store.ErrFull):
		writeError(w, http.StatusForbidden, 9, "The collection is full.")
	case err != nil:
		h.internal(w, r, err)
	default:
		writeJSON(w, http.StatusOK, wire.LegacyEmpty{})
	}
}

func (h *Handler) removeFromCollection(w http.ResponseWriter, r *http.Request) {
	userID, ok := h.requireSession(w, r)
	if !ok {
		return
	}
	ref, _, ok := h.collectionTarget(w, r)
	if !ok {
		return
	}
	err := h.store.RemoveFromCollection(r.Context(), userID, ref)
	switch {
	case errors.Is(err, store.ErrNotFound):
		writeError(w, http.StatusForbidden, 8, "The item is not in the collection.")
	case err != nil:
		h.internal(w, r, err)
	default:
		writeJSON(w, http.StatusOK, wire.LegacyEmpty{})
	}
}

// ---- packages ----

func (h *Handler) packageAssets(w http.ResponseWriter, r *http.Request) {
	id, ok := parseID(r.PathValue("packageId"))
	if !ok {
		writeFramework(w, http.StatusBadRequest, MsgInvalidRequest)
		return
	}
	ids, err := h.store.PackageAssets(r.Context(), id)
	if err != nil {
		h.internal(w, r, err)
		return
	}
	if ids == nil {
		ids = []int64{}
	}
	writeJSON(w, http.StatusOK, wire.AssetIDList{AssetIDs: ids})
}

// ---- collectibles ----

func (h *Handler) collectibles(w http.ResponseWriter, r *http.Request) {
	const noUser = "The specified user does not exist!"
	q := r.URL.Query()
	userID, ok := parseID(r.PathValue("userId"))
	if !ok {
		writeError(w, http.StatusBadRequest, 1, noUser)
		return
	}
	legacyType := 0
	if s := q.Get("assetType"); s != "" {
		t, ok := inventory.ParseLegacyType(s)
		if !ok {
			writeError(w, http.StatusBadRequest, 2, "The specified asset type(s) are invalid.")
			return
		}
		legacyType = t
	}
	lp, ok := h.listParams(w, q)
	if !ok {
		return
	}
	// The cursor is checked before anything is read.
	binding := "v1/collectibles\x00" + strconv.FormatInt(userID, 10) + "\x00" + strconv.Itoa(legacyType) + "\x00" + sortName(lp.desc)
	cur, ok := h.openCursor(w, q.Get("cursor"), binding)
	if !ok {
		return
	}
	owner, ok := h.loadUser(w, r, userID, http.StatusBadRequest, 1, noUser)
	if !ok {
		return
	}
	viewer, ok := h.viewerID(w, r)
	if !ok {
		return
	}
	access, err := h.access(r.Context(), viewer, owner)
	if err != nil {
		h.internal(w, r, err)
		return
	}
	if access == inventory.AccessNone {
		writeError(w, http.StatusForbidden, 4, "The specified user's inventory is hidden.")
		return
	}
	p, err := fetchPage(func(sp store.Span) ([]store.OwnedAsset, error) {
		// Filtered in the store so that pages keep their size.
		return h.store.UserCollectibles(r.Context(), owner.ID, legacyType, access.VisibleTypes(), sp)
	}, ownedKey, lp.desc, lp.limit, cur)
	if err != nil {
		h.internal(w, r, err)
		return
	}
	out := wire.LegacyPage[wire.CollectibleUserAsset]{Data: make([]wire.CollectibleUserAsset, 0, len(p.Items))}
	out.PreviousPageCursor, out.NextPageCursor = h.sealed(p.Prev, binding), h.sealed(p.Next, binding)
	for _, o := range p.Items {
		c := wire.CollectibleUserAsset{UserAssetID: o.Item.ID, AssetID: o.Item.AssetID, Name: o.Asset.Name,
			RecentAveragePrice: o.Price.RecentAveragePrice, OriginalPrice: o.Price.OriginalPrice, AssetStock: o.Price.AssetStock}
		if col := o.Item.Collectible; col != nil {
			c.SerialNumber = serial(col.SerialNumber)
			c.IsOnHold = col.State == inventory.CollectibleStateHold
		}
		out.Data = append(out.Data, c)
	}
	writeJSON(w, http.StatusOK, out)
}

func ownedKey(o store.OwnedAsset) int64 { return o.Item.ID }

func serial(n int64) *int64 {
	if n == 0 {
		return nil
	}
	return ptr(n)
}

// listParams are the limit and sortOrder of a paged listing.
type listParams struct {
	limit int
	desc  bool
}

func (h *Handler) listParams(w http.ResponseWriter, q map[string][]string) (listParams, bool) {
	get := func(k string) string {
		if v := q[k]; len(v) > 0 {
			return v[0]
		}
		return ""
	}
	limit, ok := parseLimit(get("limit"))
	if !ok {
		writeFramework(w, http.StatusBadRequest, MsgInvalidLimit)
		return listParams{}, false
	}
	desc, ok := parseSortOrder(get("sortOrder"))
	if !ok {
		writeFramework(w, http.StatusBadRequest, MsgInvalidSort)
		return listParams{}, false
	}
	return listParams{limit: limit, desc: desc}, true
}

// openCursor opens a cursor parameter ("" is the first page); a cursor the
// server did not issue for this listing gets 400 and reads nothing.
func (h *Handler) openCursor(w http.ResponseWriter, s, binding string) (*Cursor, bool) {
	if s == "" {
		return nil, true
	}
	c, err := OpenCursor(h.tokens, s, binding)
	if err != nil {
		writeFramework(w, http.StatusBadRequest, MsgInvalidCursor)
		return nil, false
	}
	return &c, true
}

// ---- can view, categories ----

func (h *Handler) canViewInventory(w http.ResponseWriter, r *http.Request) {
	owner, ok := h.loadUser(w, r, pathID(r, "userId"), http.StatusBadRequest, 1, "The specified user does not exist!")
	if !ok {
		return
	}
	viewer, ok := h.viewerID(w, r)
	if !ok {
		return
	}
	access, err := h.access(r.Context(), viewer, owner)
	if err != nil {
		h.internal(w, r, err)
		return
	}
	writeJSON(w, http.StatusOK, wire.CanViewInventoryResponse{CanView: access != inventory.AccessNone})
}

func (h *Handler) categories(w http.ResponseWriter, r *http.Request) {
	if _, ok := parseID(r.PathValue("userId")); !ok {
		writeFramework(w, http.StatusBadRequest, MsgInvalidRequest)
		return
	}
	writeJSON(w, http.StatusOK, inventoryCategories())
}

func (h *Handler) favoriteCategories(w http.ResponseWriter, r *http.Request) {
	id, ok := parseID(r.PathValue("userId"))
	if !ok {
		writeFramework(w, http.StatusBadRequest, MsgInvalidRequest)
		return
	}
	at, bt, err := h.store.FavoriteTypes(r.Context(), id)
	if err != nil {
		h.internal(w, r, err)
		return
	}
	writeJSON(w, http.StatusOK, favoriteCategories(at, bt))
}

// ---- items and is-owned ----

// ownedItems answers the ownership question of /items and /is-owned: the
// copies of the item the owner holds, as the viewer may see them. It
// writes the error and returns false when the request fails.
func (h *Handler) ownedItems(w http.ResponseWriter, r *http.Request, limit int) ([]wire.LegacyItem, bool) {
	typ, ok := inventory.ParseItemType(r.PathValue("itemType"))
	if !ok || typ == inventory.ItemAvatar {
		writeError(w, http.StatusBadRequest, 6, "The specified item type does not exist.")
		return nil, false
	}
	owner, ok := h.loadUser(w, r, pathID(r, "userId"), http.StatusBadRequest, 1, "The specified user does not exist!")
	if !ok {
		return nil, false
	}
	ctx := r.Context()
	id, _ := parseID(r.PathValue("itemTargetId"))
	var name string
	var kind inventory.Kind
	var err error
	missing := id == 0
	switch typ {
	case inventory.ItemAsset:
		kind = inventory.KindAsset
		if !missing {
			var a inventory.Asset
			a, err = h.store.Asset(ctx, id)
			name, missing = a.Name, errors.Is(err, store.ErrNotFound)
		}
	case inventory.ItemGamePass, inventory.ItemBadge:
		kind = inventory.KindGamePass
		if typ == inventory.ItemBadge {
			kind = inventory.KindBadge
		}
		if !missing {
			var names map[int64]string
			names, err = h.store.Names(ctx, kind, []int64{id})
			name, ok = names[id]
			missing = err == nil && !ok
		}
	case inventory.ItemBundle:
		if !missing {
			var b store.Bundle
			b, err = h.store.Bundle(ctx, id)
			name, missing = b.Name, errors.Is(err, store.ErrNotFound)
		}
	}
	if missing {
		switch typ {
		case inventory.ItemAsset:
			writeError(w, http.StatusBadRequest, 7, "The specified Asset does not exist!")
		case inventory.ItemGamePass:
			writeError(w, http.StatusBadRequest, 5, "The specified game pass does not exist! Are you using the new game pass ID?")
		case inventory.ItemBadge:
			writeError(w, http.StatusBadRequest, 10, "The specified asset is not a badge!")
		default:
			writeError(w, http.StatusBadRequest, 12, "The specified bundle does not exist!")
		}
		return nil, false
	}
	if err != nil {
		h.internal(w, r, err)
		return nil, false
	}
	viewer, ok := h.viewerID(w, r)
	if !ok {
		return nil, false
	}
	access, err := h.access(ctx, viewer, owner)
	if err != nil {
		h.internal(w, r, err)
		return nil, false
	}
	if access == inventory.AccessNone {
		writeError(w, http.StatusForbidden, 4, "You don't have permissions for the specificed user.") // sic
		return nil, false
	}
	out := []wire.LegacyItem{}
	if typ == inventory.ItemBundle {
		owned, err := h.store.OwnsBundle(ctx, owner.ID, id)
		if err != nil {
			h.internal(w, r, err)
			return nil, false
		}
		if owned {
			out = append(out, wire.LegacyItem{ID: id, Name: name, Type: typ.String()})
		}
		return out, true
	}
	// The Open Cloud query for this one item, trimmed to what the viewer
	// may see: both APIs answer alike for the same data.
	sel := inventory.Selector{Include: true, IDs: []int64{id}}
	q := inventory.Query{Types: inventory.AllTypes}
	switch kind {
	case inventory.KindAsset:
		q.Assets = sel
	case inventory.KindBadge:
		q.Badges = sel
	default:
		q.GamePasses = sel
	}
	items, err := h.store.ListInventory(ctx, owner.ID, q.Restrict(access), inventory.Start, limit)
	if err != nil {
		h.internal(w, r, err)
		return nil, false
	}
	for _, it := range items {
		li := wire.LegacyItem{ID: id, Name: name, Type: typ.String()}
		if it.Kind == inventory.KindAsset {
			li.InstanceID = ptr(it.ID)
		}
		out = append(out, li)
	}
	return out, true
}

// MaxItemCopies bounds the copies /items lists (it has no paging).
const MaxItemCopies = 100

func (h *Handler) items(w http.ResponseWriter, r *http.Request) {
	items, ok := h.ownedItems(w, r, MaxItemCopies)
	if !ok {
		return
	}
	writeJSON(w, http.StatusOK, wire.LegacyPage[wire.LegacyItem]{Data: items})
}

func (h *Handler) isOwned(w http.ResponseWriter, r *http.Request) {
	items, ok := h.ownedItems(w, r, 1)
	if !ok {
		return
	}
	writeJSON(w, http.StatusOK, len(items) > 0)
}

// ---- places ----

// PlacesTabNames are the names invcloud gives the placesTab values (spec
// 6.2 gives only 0 to 5); the parameter accepts the numbers and the names.
var PlacesTabNames = [store.NumPlacesTabs]string{"Created", "MyGames", "OtherGames", "Purchased", "PrivateServers", "Archived"}

// ownerOnlyTabs need the owner's own session.
var ownerOnlyTabs = [store.NumPlacesTabs]bool{3: true, 4: true, 5: true}

// MaxItemsPerPage bounds itemsPerPage.
const MaxItemsPerPage = 100

func parsePlacesTab(s string) (store.PlacesTab, bool) {
	if n, err := strconv.Atoi(s); err == nil && len(s) == 1 {
		return store.PlacesTab(n), n >= 0 && n < store.NumPlacesTabs
	}
	for i, name := range PlacesTabNames {
		if asciiEqualFold(name, s) {
			return store.PlacesTab(i), true
		}
	}
	return 0, false
}

func asciiEqualFold(a, b string) bool {
	if len(a) != len(b) {
		return false
	}
	for i := range len(a) {
		x, y := a[i], b[i]
		if 'A' <= x && x <= 'Z' {
			x += 'a' - 'A'
		}
		if 'A' <= y && y <= 'Z' {
			y += 'a' - 'A'
		}
		if x != y {
			return false
		}
	}
	return true
}

func (h *Handler) placesInventory(w http.ResponseWriter, r *http.Request) {
	const msg = "Invalid request"
	q := r.URL.Query()
	tab, ok := parsePlacesTab(q.Get("placesTab"))
	if !ok {
		writeError(w, http.StatusBadRequest, 6, msg)
		return
	}
	perPage, err := strconv.Atoi(q.Get("itemsPerPage"))
	if err != nil || perPage < 1 || perPage > MaxItemsPerPage {
		writeError(w, http.StatusBadRequest, 6, msg)
		return
	}
	var cur *Cursor
	if s := q.Get("cursor"); s != "" {
		n, err := strconv.ParseInt(s, 10, 32)
		if err != nil {
			writeError(w, http.StatusBadRequest, 6, msg)
			return
		}
		switch {
		case n > 0:
			cur = &Cursor{Key: n}
		case n < 0:
			cur = &Cursor{Back: true, Key: -n}
		}
	}
	owner, ok := h.loadUser(w, r, pathID(r, "userId"), http.StatusBadRequest, 6, msg)
	if !ok {
		return
	}
	viewer, ok := h.viewerID(w, r)
	if !ok {
		return
	}
	access, err := h.access(r.Context(), viewer, owner)
	if err != nil {
		h.internal(w, r, err)
		return
	}
	if access == inventory.AccessNone || (ownerOnlyTabs[tab] && access != inventory.AccessFull) {
		writeError(w, http.StatusForbidden, 3, "Insufficient permission.")
		return
	}
	p, err := fetchPage(func(sp store.Span) ([]store.PlaceListing, error) {
		return h.store.PlacesInTab(r.Context(), owner.ID, tab, sp)
	}, func(p store.PlaceListing) int64 { return p.Position }, false, perPage, cur)
	if err != nil {
		h.internal(w, r, err)
		return
	}
	out := wire.LegacyPage[wire.LegacyPlace]{PreviousPageCursor: placesCursor(p.Prev), NextPageCursor: placesCursor(p.Next),
		Data: make([]wire.LegacyPlace, 0, len(p.Items))}
	for _, pl := range p.Items {
		name := pl.CreatorName
		if name == "" && pl.CreatorID == RobloxUserID {
			name = "Roblox"
		}
		out.Data = append(out.Data, wire.LegacyPlace{UniverseID: pl.Place.UniverseID, PlaceID: pl.Place.AssetID, Name: pl.Name,
			Creator: wire.PlaceCreator{ID: pl.CreatorID, Name: name, Type: "User"}, PriceInRobux: pl.Place.PriceInRobux})
	}
	writeJSON(w, http.StatusOK, out)
}

// RobloxUserID is the Roblox account, creator of Roblox's own items.
const RobloxUserID = 1

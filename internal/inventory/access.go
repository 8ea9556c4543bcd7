package inventory

// Viewer is who asks to see an inventory, reduced to what the visibility rule
// needs: the user an API key or OAuth token acts for, and whether it carries
// the Inventory read permission (the API key's "Inventory: Read", or an OAuth
// grant of user.inventory-item:read).
type Viewer struct {
	UserID        int64
	InventoryRead bool
	// Friend reports that the viewer is a friend of the inventory's owner.
	// Only signed-in web sessions (the legacy cookie endpoints) set it: Open
	// Cloud has no notion of the caller's friends, so a "friends" inventory
	// is not public there.
	Friend bool
}

// Access is how much of an inventory a viewer may list.
type Access uint8

const (
	// AccessNone: the inventory may not be listed at all.
	AccessNone Access = iota
	// AccessPublic: everything but private servers and purchased places.
	AccessPublic
	// AccessFull: the whole inventory.
	AccessFull
)

// AccessFor applies the Open Cloud rule (spec 1.1, DESIGN 5). An inventory
// visible to everyone can be read by any valid key or token; otherwise only
// with the owner's own permission. Private servers and purchased places always
// need that permission. A "friends" inventory is also visible to a viewer
// marked Friend (the same public view, never the private parts).
func AccessFor(v Viewer, ownerID int64, vis Visibility) Access {
	switch {
	case v.UserID == ownerID && v.InventoryRead:
		return AccessFull
	case vis == VisibilityEveryone:
		return AccessPublic
	case vis == VisibilityFriends && v.Friend && v.UserID != 0 && v.UserID != ownerID:
		return AccessPublic
	default:
		return AccessNone
	}
}

// VisibleTypes is the asset types a viewer with access a may see, the one
// rule every surface applies to assets: purchased places need the owner's
// own permission (AccessFull), and AccessNone shows none. Listings filter
// by it in the store, so pages keep their size; per-row answers (an owner
// in an owners listing) check Has.
func (a Access) VisibleTypes() TypeSet {
	switch a {
	case AccessFull:
		return AllTypes
	case AccessPublic:
		return AllTypes.Without(AssetTypePurchasedPlace)
	default:
		return 0
	}
}

// Restrict removes from q what access does not allow. Callers refuse queries
// that name a restricted part explicitly before they get here; Restrict only
// trims what a whole-inventory or "*" query would otherwise include.
func (q Query) Restrict(a Access) Query {
	if a == AccessFull {
		return q
	}
	q.PrivateServers = Selector{}
	q.Types &= a.VisibleTypes()
	return q
}

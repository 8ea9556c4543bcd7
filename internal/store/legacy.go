package store

import (
	"context"
	"errors"
	"time"

	"github.com/invcloud/invcloud/internal/inventory"
)

// ErrFull is returned when a bounded list (a user's collection) has no room.
var ErrFull = errors.New("full")

// Bundle is a catalog bundle: a set of assets sold together.
type Bundle struct {
	ID        int64
	Name      string
	Type      inventory.BundleType
	CreatorID int64 // user id; 1 is Roblox
	Created   time.Time
	AssetIDs  []int64 // its contents, ascending
}

// AssetPrice is the economy data of a (collectible) asset. Zero pointers
// are unknown: Roblox sends them as null.
type AssetPrice struct {
	AssetID            int64
	RecentAveragePrice int64
	OriginalPrice      *int64
	AssetStock         *int64
}

// Place is the game data of a place asset (legacy asset type 9): its
// universe and, for paid-access places, its price.
type Place struct {
	AssetID      int64
	UniverseID   int64
	PriceInRobux *int64
}

// PlacesTab is a tab of a user's places inventory (placesTab, 0 to 5).
type PlacesTab uint8

// NumPlacesTabs is the size of the placesTab enum.
const NumPlacesTabs = 6

// PlaceEntry puts a place in one tab of a user's places inventory.
// Position orders the tab; Import keeps it, AddPlaceToTab allocates it.
type PlaceEntry struct {
	UserID   int64
	Tab      PlacesTab
	PlaceID  int64
	Position int64
	Added    time.Time
}

// Friendship is a (symmetric) friend relation between two users, given once
// with A < B.
type Friendship struct {
	A, B    int64
	Created time.Time
}

// BundleOwnership is a bundle in a user's inventory.
type BundleOwnership struct {
	UserID   int64
	BundleID int64
	Added    time.Time
}

// PackageContents lists the assets of a package asset (legacy type 32).
type PackageContents struct {
	PackageID int64
	AssetIDs  []int64
}

// UserItem is an entry of a user's favorites or collection: an asset or a
// bundle.
type UserItem struct {
	UserID int64
	Item   inventory.ItemRef
	Added  time.Time
}

// LegacyBatch is the part of a Batch that only the legacy inventory API
// reads. Import skips rows already present.
type LegacyBatch struct {
	Friends          []Friendship
	Bundles          []Bundle
	BundleOwnerships []BundleOwnership
	Packages         []PackageContents
	AssetPrices      []AssetPrice
	Places           []Place
	PlaceEntries     []PlaceEntry
	Favorites        []UserItem
	Collections      []UserItem
}

// Span is a keyset page of a listing ordered by one int64 key: the next
// Limit rows after From (exclusive) going up, or before From going down
// when Desc. From 0 is the start (the lowest key up, the highest down).
type Span struct {
	From  int64
	Desc  bool
	Limit int
}

// OwnedAsset is one asset instance in a user's inventory with its catalog
// row and economy data.
type OwnedAsset struct {
	UserID int64
	Item   inventory.Item // Kind is KindAsset; Item.ID is the user asset id
	Asset  inventory.Asset
	Price  AssetPrice // zero (AssetID 0) when none is recorded
}

// AssetOwner is an instance of an asset with its owner, as the owners
// listings show it.
type AssetOwner struct {
	OwnedAsset
	Owner inventory.User
	// ViewerIsFriend reports that the owner is a friend of the viewer the
	// listing was asked for.
	ViewerIsFriend bool
}

// PlaceListing is a place in a tab of a user's places inventory.
type PlaceListing struct {
	Position    int64
	Place       Place
	Name        string
	CreatorID   int64
	CreatorName string // "" when the creator is not a user here
}

// LegacyStore keeps what the inventory.roblox.com endpoints need beyond
// the Open Cloud inventory: friends, bundles, packages, prices, places in
// tabs, favorites and collections, and the listings they page through.
type LegacyStore interface {
	// AddFriend makes a and b friends: ErrNotFound if either user is
	// unknown, ErrExists if they are friends already.
	AddFriend(ctx context.Context, a, b int64, at time.Time) error
	// RemoveFriend ends a friendship; ErrNotFound if there is none.
	RemoveFriend(ctx context.Context, a, b int64) error
	AreFriends(ctx context.Context, a, b int64) (bool, error)
	// Friends lists a user's friends by id.
	Friends(ctx context.Context, userID int64) ([]int64, error)

	// PutBundle inserts or replaces a bundle and its contents.
	PutBundle(ctx context.Context, b Bundle) error
	Bundle(ctx context.Context, id int64) (Bundle, error)
	// GrantBundle adds a bundle to a user's inventory: ErrNotFound for an
	// unknown user or bundle, ErrExists if owned already.
	GrantBundle(ctx context.Context, userID, bundleID int64, at time.Time) error
	// RevokeBundle removes it; ErrNotFound if not owned.
	RevokeBundle(ctx context.Context, userID, bundleID int64) error
	OwnsBundle(ctx context.Context, userID, bundleID int64) (bool, error)

	// PutPackage sets the contents of a package asset; ErrNotFound if the
	// package or a content asset is not in the catalog.
	PutPackage(ctx context.Context, p PackageContents) error
	// PackageAssets returns a package's asset ids, ascending (none for an
	// unknown package).
	PackageAssets(ctx context.Context, packageID int64) ([]int64, error)
	// PutAssetPrice inserts or replaces an asset's economy data;
	// ErrNotFound for an unknown asset.
	PutAssetPrice(ctx context.Context, p AssetPrice) error
	// AssetByCollectibleItem finds the collectible asset of a collectible
	// item id; ErrNotFound if none.
	AssetByCollectibleItem(ctx context.Context, itemID string) (inventory.Asset, error)

	// PutPlace inserts or replaces the game data of a place asset;
	// ErrNotFound if the asset is unknown.
	PutPlace(ctx context.Context, p Place) error
	// AddPlaceToTab appends a place to a tab of a user's places inventory:
	// ErrNotFound for an unknown user or place, ErrExists if it is there.
	AddPlaceToTab(ctx context.Context, userID int64, tab PlacesTab, placeID int64, at time.Time) error
	// RemovePlaceFromTab removes it; ErrNotFound if it is not there.
	RemovePlaceFromTab(ctx context.Context, userID int64, tab PlacesTab, placeID int64) error
	// PlacesInTab pages through a tab by position.
	PlacesInTab(ctx context.Context, userID int64, tab PlacesTab, s Span) ([]PlaceListing, error)

	// AddFavorite and RemoveFavorite edit a user's favorites (assets and
	// bundles): ErrNotFound for an unknown user or item, ErrExists for a
	// favorite already there; RemoveFavorite ErrNotFound if it is not.
	AddFavorite(ctx context.Context, userID int64, item inventory.ItemRef, at time.Time) error
	RemoveFavorite(ctx context.Context, userID int64, item inventory.ItemRef) error
	// FavoriteTypes returns the legacy asset types and the bundle types a
	// user has favorites of, ascending.
	FavoriteTypes(ctx context.Context, userID int64) (assetTypes []int, bundleTypes []inventory.BundleType, err error)

	// Collection lists a user's collection, oldest first.
	Collection(ctx context.Context, userID int64) ([]UserItem, error)
	// AddToCollection appends an item to a user's collection unless it
	// holds capacity items already (ErrFull) or holds this one (ErrExists).
	AddToCollection(ctx context.Context, userID int64, item inventory.ItemRef, capacity int, at time.Time) error
	// RemoveFromCollection removes it; ErrNotFound if it is not there.
	RemoveFromCollection(ctx context.Context, userID int64, item inventory.ItemRef) error

	// UserCollectibles pages through a user's collectible asset instances
	// by user asset id, of one legacy asset type (0: any), keeping only
	// those whose Open Cloud asset type is in types (the caller's
	// inventory.Access.VisibleTypes, so a purchased place is left out for
	// anyone but its owner).
	UserCollectibles(ctx context.Context, userID int64, legacyType int, types inventory.TypeSet, s Span) ([]OwnedAsset, error)
	// UserAssets pages through a user's asset instances of the given
	// legacy asset types by user asset id.
	UserAssets(ctx context.Context, userID int64, legacyTypes []int, s Span) ([]OwnedAsset, error)
	// CollectibleOwners pages through the instances of a collectible asset
	// by user asset id, with their owners; viewerID (0: none) sets
	// ViewerIsFriend. Non-collectible assets have no rows here.
	CollectibleOwners(ctx context.Context, assetID, viewerID int64, s Span) ([]AssetOwner, error)
}

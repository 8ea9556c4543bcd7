// Package inventory holds the domain of user inventories: item kinds, asset
// types, the queries a filter turns into, and who may see what. It does no I/O.
package inventory

import (
	"fmt"
	"time"
)

// Kind is an inventory item category. The order of the constants is the
// order in which an inventory is listed.
type Kind uint8

const (
	KindAsset Kind = iota
	KindBadge
	KindGamePass
	KindPrivateServer
	numKinds
)

// Kinds lists every kind in listing order.
var Kinds = [numKinds]Kind{KindAsset, KindBadge, KindGamePass, KindPrivateServer}

func (k Kind) String() string {
	switch k {
	case KindAsset:
		return "asset"
	case KindBadge:
		return "badge"
	case KindGamePass:
		return "gamepass"
	case KindPrivateServer:
		return "privateserver"
	}
	return fmt.Sprintf("kind(%d)", uint8(k))
}

// ParseKind is the inverse of Kind.String.
func ParseKind(s string) (Kind, bool) {
	for _, k := range Kinds {
		if k.String() == s {
			return k, true
		}
	}
	return 0, false
}

// Valid reports whether k is a known kind.
func (k Kind) Valid() bool { return k < numKinds }

// Visibility is a user's answer to "Who can see my inventory?".
type Visibility string

const (
	VisibilityEveryone Visibility = "everyone"
	VisibilityFriends  Visibility = "friends"
	VisibilityNoOne    Visibility = "noone"
)

// ParseVisibility validates a visibility name.
func ParseVisibility(s string) (Visibility, error) {
	switch v := Visibility(s); v {
	case VisibilityEveryone, VisibilityFriends, VisibilityNoOne:
		return v, nil
	}
	return "", fmt.Errorf("unknown visibility %q (want everyone, friends or noone)", s)
}

// User is an account whose inventory can be listed.
type User struct {
	ID          int64
	Name        string
	DisplayName string
	Created     time.Time
	Visibility  Visibility
	// Banned marks a terminated account: lookups that exclude banned users
	// skip it, and search never shows it.
	Banned bool
	// Description is the profile's "About" text (the legacy blurb), at
	// most MaxDescriptionLen characters.
	Description string
}

// MaxDescriptionLen bounds a user's description, in characters: Roblox's
// limit for the profile "About" text.
const MaxDescriptionLen = 1000

// Asset is a catalog asset.
type Asset struct {
	ID          int64
	Name        string
	LegacyType  int   // assetTypeId of spec 6.3
	CreatorID   int64 // user id of the creator; 0 for Roblox
	Collectible bool  // a limited item: instances get collectible ids
	// CollectibleItemID is the collectible item's UUID; set when Collectible.
	CollectibleItemID string
	// Serialized limiteds number their copies.
	Serialized bool
	Created    time.Time
}

// Badge, GamePass and PrivateServer are the other catalog kinds.
type Badge struct {
	ID         int64
	Name       string
	UniverseID int64
}

type GamePass struct {
	ID         int64
	Name       string
	UniverseID int64
}

type PrivateServer struct {
	ID         int64
	Name       string
	UniverseID int64
}

// CollectibleState is the trade state of a collectible instance.
type CollectibleState uint8

const (
	CollectibleStateUnspecified CollectibleState = iota
	CollectibleStateAvailable
	CollectibleStateHold
)

func (s CollectibleState) String() string {
	switch s {
	case CollectibleStateAvailable:
		return "AVAILABLE"
	case CollectibleStateHold:
		return "HOLD"
	}
	return "COLLECTIBLE_ITEM_INSTANCE_STATE_UNSPECIFIED"
}

// Collectible holds the fields of a collectible asset instance.
type Collectible struct {
	ItemID       string
	InstanceID   string
	State        CollectibleState
	SerialNumber int64 // 0 when the item is not serialized
}

// Item is one entry of a user's inventory.
type Item struct {
	Kind Kind
	// ID is the item's key within its kind: the user-asset (instance) id for
	// assets, else the badge, game pass or private server id. Listing is
	// ordered by (Kind, ID).
	ID          int64
	AssetID     int64     // assets only
	AssetType   AssetType // assets only
	Collectible *Collectible
	AddTime     time.Time // zero when unknown; never set for game passes
}

// Position is a keyset position in a listing: the next item is the first one
// after (Kind, After) in listing order.
type Position struct {
	Kind  Kind
	After int64
}

// Start is the position before the first item.
var Start = Position{Kind: KindAsset, After: 0}

// Next returns the position just after item.
func Next(it Item) Position { return Position{Kind: it.Kind, After: it.ID} }

// Selector picks the items of one kind.
type Selector struct {
	Include bool
	IDs     []int64 // nil: every item of the kind; else only these ids (sorted)
}

// Query is what a listing selects: the union of its selectors.
type Query struct {
	Assets Selector
	// Types restricts assets selected without IDs.
	Types TypeSet
	// OnlyCollectibles restricts assets to collectibles.
	OnlyCollectibles bool
	Badges           Selector
	GamePasses       Selector
	PrivateServers   Selector
}

// Everything selects a whole inventory, private servers and purchased places included.
var Everything = Query{
	Assets:         Selector{Include: true},
	Types:          AllTypes,
	Badges:         Selector{Include: true},
	GamePasses:     Selector{Include: true},
	PrivateServers: Selector{Include: true},
}

// Selector returns the query's selector for kind k.
func (q Query) Selector(k Kind) Selector {
	switch k {
	case KindAsset:
		return q.Assets
	case KindBadge:
		return q.Badges
	case KindGamePass:
		return q.GamePasses
	case KindPrivateServer:
		return q.PrivateServers
	}
	return Selector{}
}

// Ref names a catalog item of some kind.
type Ref struct {
	Kind Kind
	ID   int64
}

func (r Ref) String() string { return fmt.Sprintf("%s:%d", r.Kind, r.ID) }

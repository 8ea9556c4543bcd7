// Package store defines the persistence contract of invcloud. Backends live
// in subpackages (sqlite, postgres) and all pass the storetest suite.
package store

import (
	"context"
	"errors"
	"time"

	"github.com/invcloud/invcloud/internal/apikey"
	"github.com/invcloud/invcloud/internal/inventory"
)

// Errors every backend returns, wrapped with context.
var (
	ErrNotFound = errors.New("not found")
	ErrExists   = errors.New("already exists")
)

// Ownership is one inventory row to add: an item owned by a user. For
// assets, Item.ID is the instance id (0 asks the store to allocate one) and
// Item.Collectible carries the instance's collectible fields; the
// collectible item id comes from the catalog.
type Ownership struct {
	UserID int64
	Item   inventory.Item
}

// Batch is a set of rows to import: demo data, seed data, test fixtures.
// (`invcloud migrate` copies tables as they are: see Copy.)
type Batch struct {
	Users          []inventory.User
	Assets         []inventory.Asset
	Badges         []inventory.Badge
	GamePasses     []inventory.GamePass
	PrivateServers []inventory.PrivateServer
	Ownerships     []Ownership
	// APIKeys keep their ids (Import requires one), hashes, scopes, allow
	// lists, expiry, state and last use.
	APIKeys []apikey.Key
	// Secrets are the named server secrets (see Store.Secret).
	Secrets map[string][]byte
	// Passwords are password hashes by user id. Import sets a user's hash
	// only where none is set yet, and skips unknown users.
	Passwords map[int64]string
	Sessions  []Session
	// LastInstanceID and LastSerials are the counters behind Grant: the
	// last user-asset instance id handed out, and each serialized asset's
	// last serial number. Import raises the store's counters to them (never
	// lowers), so a store never hands out an id or a serial twice, even
	// those of copies revoked before the batch was made.
	LastInstanceID int64
	LastSerials    map[int64]int64

	// The OAuth provider's state, as stored (see OAuthStore).
	OAuthApps           []OAuthApp
	OAuthAuthorizations []OAuthAuthorization
	OAuthRequests       []OAuthRequestRow
	OAuthSessions       []OAuthSession
	OAuthUsedCodes      []OAuthUsedCode
	OAuthRefreshTokens  []OAuthRefreshToken
	OAuthAccessTokens   []OAuthAccessToken

	LegacyBatch // friends, bundles, places, favorites, collections (legacy.go)
}

// OAuthRequestRow is an authorization request as stored: with the hash of
// its code, zero until one is issued.
type OAuthRequestRow struct {
	OAuthRequest
	Code OAuthHash
}

// OAuthUsedCode is a redeemed authorization code, remembered (for
// UsedCodeRetention) to recognise a replay.
type OAuthUsedCode struct {
	Hash      OAuthHash
	SessionID string
	Used      time.Time
}

// CatalogItem is one catalog entry of any kind.
type CatalogItem struct {
	Ref        inventory.Ref
	Name       string
	UniverseID int64           // badges, game passes and private servers
	Asset      inventory.Asset // assets only: the whole row
}

// UserDeletion counts what DeleteUser removed with the user. Catalog items
// the user created stay (their creator id then names no user).
type UserDeletion struct {
	Items               int // owned items of every kind, bundles included
	APIKeys             int
	Sessions            int
	OAuthApps           int // apps the user owned
	OAuthAuthorizations int // the user's own and those of the user's apps
	Friends             int
}

// Store is everything invcloud keeps.
type Store interface {
	AccountStore
	OAuthStore
	LegacyStore
	UserLookup
	UserProfiles
	GroupStore

	Close() error
	Ping(ctx context.Context) error

	// Secret returns the named server secret, creating it from gen on first
	// use. Replicas on one database share their secrets.
	Secret(ctx context.Context, name string, gen func() ([]byte, error)) ([]byte, error)

	CreateUser(ctx context.Context, u inventory.User) error
	User(ctx context.Context, id int64) (inventory.User, error)
	// Users lists up to limit users with ids above after, by id.
	Users(ctx context.Context, after int64, limit int) ([]inventory.User, error)
	// DeleteUser deletes a user and, in the same transaction, every row that
	// depends on it (see UserDeletion); ErrNotFound if there is no such user.
	DeleteUser(ctx context.Context, id int64) (UserDeletion, error)
	SetVisibility(ctx context.Context, id int64, v inventory.Visibility) error

	// Put* insert or update catalog entries.
	PutAsset(ctx context.Context, a inventory.Asset) error
	PutBadge(ctx context.Context, b inventory.Badge) error
	PutGamePass(ctx context.Context, p inventory.GamePass) error
	PutPrivateServer(ctx context.Context, s inventory.PrivateServer) error
	Asset(ctx context.Context, id int64) (inventory.Asset, error)
	// Names returns the catalog names of the given ids of one kind; unknown
	// ids are absent from the map.
	Names(ctx context.Context, kind inventory.Kind, ids []int64) (map[int64]string, error)
	// Counts returns how many items of each kind a user owns.
	Counts(ctx context.Context, userID int64) (map[inventory.Kind]int, error)

	// CatalogItems lists up to limit catalog entries of one kind with ids
	// above after, by id.
	CatalogItems(ctx context.Context, kind inventory.Kind, after int64, limit int) ([]CatalogItem, error)
	// CatalogItem returns one catalog entry; ErrNotFound if none.
	CatalogItem(ctx context.Context, ref inventory.Ref) (CatalogItem, error)

	// Grant gives a user one catalog item at time at and returns the
	// inventory item. A collectible asset gets a new instance (and serial
	// number) each time; granting anything else the user already owns
	// returns ErrExists.
	Grant(ctx context.Context, userID int64, ref inventory.Ref, at time.Time) (inventory.Item, error)
	// GrantAll grants every ref, in order, in one transaction: all or
	// nothing. The first failure (ErrNotFound for an unknown user or item,
	// ErrExists as for Grant) undoes the others; its error names the ref.
	GrantAll(ctx context.Context, userID int64, refs []inventory.Ref, at time.Time) ([]inventory.Item, error)
	// Revoke removes every copy of ref from the user's inventory and
	// returns how many were removed; ErrNotFound if none.
	Revoke(ctx context.Context, userID int64, ref inventory.Ref) (int, error)
	// Import inserts a batch in one transaction, skipping rows whose key is
	// already present. It is the bulk path for demo, seed and test data.
	Import(ctx context.Context, b Batch) error
	// ListInventory returns up to limit items of q owned by userID, after
	// position after, in listing order (kind, then id).
	ListInventory(ctx context.Context, userID int64, q inventory.Query, after inventory.Position, limit int) ([]inventory.Item, error)

	CreateAPIKey(ctx context.Context, k apikey.Key) (int64, error)
	APIKeyByHash(ctx context.Context, h apikey.Hash) (apikey.Key, error)
	// APIKeys lists keys of one owner, or of everyone for ownerID 0.
	APIKeys(ctx context.Context, ownerID int64) ([]apikey.Key, error)
	SetAPIKeyEnabled(ctx context.Context, id int64, enabled bool) error
	// SetAPIKeyHash replaces a key's secret (regeneration).
	SetAPIKeyHash(ctx context.Context, id int64, h apikey.Hash) error
	DeleteAPIKey(ctx context.Context, id int64) error
	TouchAPIKey(ctx context.Context, id int64, at time.Time) error
}

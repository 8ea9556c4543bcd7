// Package wire holds the JSON types of Roblox's web APIs as they travel on
// the wire: one definition shared by the invcloud server and its Go SDK.
// Field names, casing and omission rules follow Roblox's OpenAPI document.
package wire

// ListInventoryItemsResponse is the body of
// GET /cloud/v2/users/{user_id}/inventory-items. Both fields are always
// present: an empty page is "inventoryItems": [] and the last page carries
// "nextPageToken": "".
type ListInventoryItemsResponse struct {
	InventoryItems []InventoryItem `json:"inventoryItems"`
	NextPageToken  string          `json:"nextPageToken"`
}

// InventoryItem is one item; exactly one *Details field is set.
type InventoryItem struct {
	Path                 string                `json:"path"`
	AssetDetails         *AssetDetails         `json:"assetDetails,omitempty"`
	BadgeDetails         *BadgeDetails         `json:"badgeDetails,omitempty"`
	GamePassDetails      *GamePassDetails      `json:"gamePassDetails,omitempty"`
	PrivateServerDetails *PrivateServerDetails `json:"privateServerDetails,omitempty"`
	// AddTime is RFC 3339; omitted for game passes and where unknown.
	AddTime string `json:"addTime,omitempty"`
}

// AssetDetails describes an asset instance.
type AssetDetails struct {
	AssetID                string              `json:"assetId"`
	InventoryItemAssetType string              `json:"inventoryItemAssetType"`
	InstanceID             string              `json:"instanceId"`
	CollectibleDetails     *CollectibleDetails `json:"collectibleDetails,omitempty"`
}

// CollectibleDetails describes a collectible (limited) instance.
type CollectibleDetails struct {
	ItemID        string `json:"itemId"`
	InstanceID    string `json:"instanceId"`
	InstanceState string `json:"instanceState"`
	// SerialNumber is omitted for collectibles that are not serialized.
	SerialNumber int64 `json:"serialNumber,omitempty"`
}

type BadgeDetails struct {
	BadgeID string `json:"badgeId"`
}

type GamePassDetails struct {
	GamePassID string `json:"gamePassId"`
}

type PrivateServerDetails struct {
	PrivateServerID string `json:"privateServerId"`
}

// Error is the standard Open Cloud v2 error body.
type Error struct {
	Code    string `json:"code"`
	Message string `json:"message"`
	Details []any  `json:"details,omitempty"`
}

// GatewayErrors is the body of authentication and routing failures shared
// by Open Cloud v1 and v2, e.g. {"errors":[{"code":0,"message":"Invalid API Key"}]}.
type GatewayErrors struct {
	Errors []GatewayError `json:"errors"`
}

type GatewayError struct {
	Code    int    `json:"code"`
	Message string `json:"message"`
}

// IntrospectRequest is the body of POST /api-keys/v1/introspect.
type IntrospectRequest struct {
	APIKey string `json:"apiKey"`
}

// IntrospectResponse describes an API key.
type IntrospectResponse struct {
	Name             string     `json:"name"`
	AuthorizedUserID int64      `json:"authorizedUserId"`
	Scopes           []KeyScope `json:"scopes"`
	Enabled          bool       `json:"enabled"`
	Expired          bool       `json:"expired"`
	// ExpirationTimeUTC is omitted for keys that never expire.
	ExpirationTimeUTC string `json:"expirationTimeUtc,omitempty"`
	// ExpirationUTCTime repeats ExpirationTimeUTC under the name
	// rblx-open-cloud reads (its fetch_info); the docs name the field
	// expirationTimeUtc, so both are sent with the same value.
	ExpirationUTCTime string `json:"expirationUtcTime,omitempty"`
}

// KeyScope is one API system of a key with its granted operations. The
// resource lists are omitted for scopes without resource selection.
type KeyScope struct {
	Name               string              `json:"name"`
	Operations         []string            `json:"operations"`
	UserIDs            []string            `json:"userIds,omitempty"`
	GroupIDs           []string            `json:"groupIds,omitempty"`
	UniverseIDs        []string            `json:"universeIds,omitempty"`
	UniverseDatastores []UniverseDatastore `json:"universeDatastores,omitempty"`
}

type UniverseDatastore struct {
	UniverseID    string `json:"universeId"`
	DatastoreName string `json:"datastoreName,omitempty"`
}

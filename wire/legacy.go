package wire

// The legacy inventory.roblox.com API (spec 6). Field order follows
// Roblox's OpenAPI models; enum fields carry the JSON type Roblox sends for
// that field (names for some, integers for others: see docs/compat.md).
// Nullable fields are pointers and are sent as null, never omitted.

// LegacyErrors is the legacy error body:
// {"errors":[{"code":4,"message":"...","userFacingMessage":"Something went wrong"}]}.
type LegacyErrors struct {
	Errors []LegacyError `json:"errors"`
}

// LegacyError is one error. Framework-level errors (code 0: CSRF, 401)
// have no userFacingMessage.
type LegacyError struct {
	Code              int    `json:"code"`
	Message           string `json:"message"`
	UserFacingMessage string `json:"userFacingMessage,omitempty"`
}

// LegacyPage is ApiPageResponse<T>: missing cursors are null.
type LegacyPage[T any] struct {
	PreviousPageCursor *string `json:"previousPageCursor"`
	NextPageCursor     *string `json:"nextPageCursor"`
	Data               []T     `json:"data"`
}

// CollectibleUserAsset is Roblox.Inventory.Api.Models.CollectibleUserAssetModel
// (GET /v1/users/{userId}/assets/collectibles).
type CollectibleUserAsset struct {
	UserAssetID        int64  `json:"userAssetId"`
	SerialNumber       *int64 `json:"serialNumber"`
	AssetID            int64  `json:"assetId"`
	Name               string `json:"name"`
	RecentAveragePrice int64  `json:"recentAveragePrice"`
	OriginalPrice      *int64 `json:"originalPrice"`
	AssetStock         *int64 `json:"assetStock"`
	// BuildersClubMembershipType is an integer here (0 = None), as
	// captured from Roblox.
	BuildersClubMembershipType int  `json:"buildersClubMembershipType"`
	IsOnHold                   bool `json:"isOnHold"`
}

// CanViewInventoryResponse is GET /v1/users/{userId}/can-view-inventory.
type CanViewInventoryResponse struct {
	CanView bool `json:"canView"`
}

// CategoriesResponse is Roblox.Inventory.Api.Models.CategoriesModel.
type CategoriesResponse struct {
	Categories []AssetsExplorerCategory `json:"categories"`
}

// AssetsExplorerCategory is one category of the inventory or favorites page.
type AssetsExplorerCategory struct {
	Name         string                       `json:"name"`
	DisplayName  string                       `json:"displayName"`
	CategoryType string                       `json:"categoryType"`
	Items        []AssetsExplorerCategoryItem `json:"items"`
}

// AssetsExplorerCategoryItem is one entry of a category. Type is the
// enum's name: "AssetType" (ID is an assetTypeId) or "Bundle" (ID is a
// bundle type).
type AssetsExplorerCategoryItem struct {
	Name         string  `json:"name"`
	DisplayName  string  `json:"displayName"`
	Filter       *string `json:"filter"`
	ID           int64   `json:"id"`
	Type         string  `json:"type"`
	CategoryType string  `json:"categoryType"`
}

// LegacyItem is Roblox.Inventory.Api.Models.IItemModel (GET
// /v1/users/{userId}/items/{itemType}/{itemTargetId}). Type is the item
// type's name ("Asset", "GamePass", "Badge", "Bundle"); InstanceID is the
// user asset id of an asset, null otherwise.
type LegacyItem struct {
	ID         int64  `json:"id"`
	Name       string `json:"name"`
	Type       string `json:"type"`
	InstanceID *int64 `json:"instanceId"`
}

// LegacyPlace is Roblox.Inventory.Api.Models.PlaceModel.
type LegacyPlace struct {
	UniverseID   int64        `json:"universeId"`
	PlaceID      int64        `json:"placeId"`
	Name         string       `json:"name"`
	Creator      PlaceCreator `json:"creator"`
	PriceInRobux *int64       `json:"priceInRobux"`
}

// PlaceCreator is Roblox.Inventory.Api.Models.CreatorModel; Type is
// "User", "Group" or "Experience".
type PlaceCreator struct {
	ID   int64  `json:"id"`
	Name string `json:"name"`
	Type string `json:"type"`
}

// RelatedEntity is an owner in the owners listings; Type is "User" or
// "Group".
type RelatedEntity struct {
	ID   int64  `json:"id"`
	Type string `json:"type"`
	Name string `json:"name"`
}

// AssetOwner is Roblox.Inventory.Api.V2.AssetOwnerResponse (GET
// /v2/assets/{assetId}/owners). Owner is null when the owner's inventory
// is hidden from the caller.
type AssetOwner struct {
	ID                        int64          `json:"id"`
	CollectibleItemInstanceID *string        `json:"collectibleItemInstanceId"`
	SerialNumber              *int64         `json:"serialNumber"`
	Owner                     *RelatedEntity `json:"owner"`
	Created                   string         `json:"created"`
	Updated                   string         `json:"updated"`
}

// CollectibleItemOwner is Roblox.Inventory.Api.V2.CollectibleItemOwnerResponse
// (GET /v2/collectible-items/{collectibleItemId}/owners).
type CollectibleItemOwner struct {
	CollectibleItemInstanceID string         `json:"collectibleItemInstanceId"`
	SerialNumber              *int64         `json:"serialNumber"`
	Owner                     *RelatedEntity `json:"owner"`
}

// UserAssetItemV2 is Roblox.Inventory.Api.V2.UserAssetItemModelV2 (GET
// /v2/users/{userId}/inventory); AssetType is the name ("Hat").
type UserAssetItemV2 struct {
	AssetID   int64  `json:"assetId"`
	Name      string `json:"name"`
	AssetType string `json:"assetType"`
	Created   string `json:"created"`
}

// InventoryItemV2 is Roblox.Inventory.Api.Models.InventoryItemModel (GET
// /v2/users/{userId}/inventory/{assetTypeId}).
type InventoryItemV2 struct {
	ExpireAt                  *string    `json:"expireAt"`
	UserAssetID               int64      `json:"userAssetId"`
	AssetID                   int64      `json:"assetId"`
	AssetName                 string     `json:"assetName"`
	CollectibleItemID         *string    `json:"collectibleItemId"`
	CollectibleItemInstanceID *string    `json:"collectibleItemInstanceId"`
	SerialNumber              *int64     `json:"serialNumber"`
	Owner                     LegacyUser `json:"owner"`
	Created                   string     `json:"created"`
	Updated                   string     `json:"updated"`
}

// LegacyUser is Roblox.Inventory.Api.Models.UserModel;
// BuildersClubMembershipType is the name ("None").
type LegacyUser struct {
	UserID                     int64  `json:"userId"`
	Username                   string `json:"username"`
	BuildersClubMembershipType string `json:"buildersClubMembershipType"`
}

// AssetIDList is Roblox.Inventory.Api.Models.AssetIdListModel.
type AssetIDList struct {
	AssetIDs []int64 `json:"assetIds"`
}

// LegacyEmpty is Roblox.Web.WebAPI.ApiEmptyResponseModel: {}.
type LegacyEmpty struct{}

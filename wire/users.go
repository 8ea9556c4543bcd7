package wire

import "encoding/json"

// users.roblox.com (spec 26) and the Open Cloud User resource (spec 27).
// Field order follows Roblox's models and captures.

// MultiGetByUsernameRequest is the body of POST /v1/usernames/users.
type MultiGetByUsernameRequest struct {
	Usernames          []string `json:"usernames"`
	ExcludeBannedUsers bool     `json:"excludeBannedUsers"`
}

// MultiGetByUserIDRequest is the body of POST /v1/users. The ids stay raw
// numbers until checked (json.Number), so an id beyond int64 or with a
// fraction is an error of the request, not a silent rounding.
type MultiGetByUserIDRequest struct {
	UserIDs            []json.Number `json:"userIds"`
	ExcludeBannedUsers bool          `json:"excludeBannedUsers"`
}

// UsersData is {"data": [...]} (ApiArrayResponse).
type UsersData[T any] struct {
	Data []T `json:"data"`
}

// UserByName is MultiGetUserByNameResponse.
type UserByName struct {
	RequestedUsername string `json:"requestedUsername"`
	HasVerifiedBadge  bool   `json:"hasVerifiedBadge"`
	ID                int64  `json:"id"`
	Name              string `json:"name"`
	DisplayName       string `json:"displayName"`
}

// UserByID is MultiGetUserResponse.
type UserByID struct {
	HasVerifiedBadge bool   `json:"hasVerifiedBadge"`
	ID               int64  `json:"id"`
	Name             string `json:"name"`
	DisplayName      string `json:"displayName"`
}

// UserDetail is GetUserResponse (GET /v1/users/{userId}).
type UserDetail struct {
	Description string `json:"description"`
	Created     string `json:"created"`
	IsBanned    bool   `json:"isBanned"`
	// ExternalAppDisplayName is always null ("Unused, legacy attribute").
	ExternalAppDisplayName *string `json:"externalAppDisplayName"`
	HasVerifiedBadge       bool    `json:"hasVerifiedBadge"`
	ID                     int64   `json:"id"`
	Name                   string  `json:"name"`
	DisplayName            string  `json:"displayName"`
}

// UserSearchResult is SearchGetUserResponse (GET /v1/users/search).
type UserSearchResult struct {
	PreviousUsernames []string `json:"previousUsernames"`
	HasVerifiedBadge  bool     `json:"hasVerifiedBadge"`
	ID                int64    `json:"id"`
	Name              string   `json:"name"`
	DisplayName       string   `json:"displayName"`
}

// CloudUser is the Open Cloud v2 User resource (GET /cloud/v2/users/{id}).
// IDVerified and SocialNetworkProfiles are present only with the scopes
// that unlock them.
type CloudUser struct {
	Path                  string                 `json:"path"`
	CreateTime            string                 `json:"createTime"`
	ID                    string                 `json:"id"`
	Name                  string                 `json:"name"`
	DisplayName           string                 `json:"displayName"`
	About                 string                 `json:"about"`
	Locale                string                 `json:"locale"`
	Premium               bool                   `json:"premium"`
	IDVerified            *bool                  `json:"idVerified,omitempty"`
	SocialNetworkProfiles *SocialNetworkProfiles `json:"socialNetworkProfiles,omitempty"`
}

// SocialNetworkProfiles is User_SocialNetworkProfiles: unset links are "".
type SocialNetworkProfiles struct {
	Facebook   string `json:"facebook"`
	Twitter    string `json:"twitter"`
	YouTube    string `json:"youtube"`
	Twitch     string `json:"twitch"`
	Guilded    string `json:"guilded"`
	Visibility string `json:"visibility"`
}

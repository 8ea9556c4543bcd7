package wire

// users.roblox.com's GET /v1/users/authenticated and auth.roblox.com's
// logout (spec 24, 25).

// AuthenticatedUser is Roblox.Users.Api.AuthenticatedGetUserResponse, "the
// absolute minimal authenticating user information": exactly these three
// fields, in this order ("No new attributes should be added to this
// response").
type AuthenticatedUser struct {
	ID          int64  `json:"id"`
	Name        string `json:"name"`
	DisplayName string `json:"displayName"`
}

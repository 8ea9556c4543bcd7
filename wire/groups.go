package wire

// groups.roblox.com (spec 29-33). Field order follows Roblox's models and
// the captures of spec 29.2.

// GroupUser is Roblox.Groups.Api.Models.Response.UserModel as captured
// since 2023: without buildersClubMembershipType (spec 29.2).
type GroupUser struct {
	HasVerifiedBadge bool   `json:"hasVerifiedBadge"`
	UserID           int64  `json:"userId"`
	Username         string `json:"username"`
	DisplayName      string `json:"displayName"`
}

// GroupShout is Roblox.Groups.Api.ShoutResponse. Poster is null when the
// poster is unknown.
type GroupShout struct {
	Body    string     `json:"body"`
	Poster  *GroupUser `json:"poster"`
	Created string     `json:"created"`
	Updated string     `json:"updated"`
}

// GroupDetail is Roblox.Groups.Api.GroupDetailResponse (GET
// /v1/groups/{groupId}). Owner and Shout are null when absent; isLocked
// appears only when true (spec 29.2: the captures lack it).
type GroupDetail struct {
	ID                 int64       `json:"id"`
	Name               string      `json:"name"`
	Description        string      `json:"description"`
	Owner              *GroupUser  `json:"owner"`
	Shout              *GroupShout `json:"shout"`
	MemberCount        int         `json:"memberCount"`
	IsBuildersClubOnly bool        `json:"isBuildersClubOnly"`
	PublicEntryAllowed bool        `json:"publicEntryAllowed"`
	IsLocked           bool        `json:"isLocked,omitempty"`
	HasVerifiedBadge   bool        `json:"hasVerifiedBadge"`
}

// GroupRole is Roblox.Groups.Api.GroupRoleResponse as captured in /roles
// (spec 31).
type GroupRole struct {
	ID          int64  `json:"id"`
	Name        string `json:"name"`
	Description string `json:"description"`
	Rank        int    `json:"rank"`
	MemberCount int    `json:"memberCount"`
}

// GroupAllRoles is Roblox.Groups.Api.GroupAllRolesResponse.
type GroupAllRoles struct {
	GroupID int64       `json:"groupId"`
	Roles   []GroupRole `json:"roles"`
}

// GroupRoleBasic is a role embedded in a member: {id, name, rank}
// (spec 29.2).
type GroupRoleBasic struct {
	ID   int64  `json:"id"`
	Name string `json:"name"`
	Rank int    `json:"rank"`
}

// GroupMember is UserGroupRoleResponse (GET /v1/groups/{groupId}/users).
type GroupMember struct {
	User GroupUser      `json:"user"`
	Role GroupRoleBasic `json:"role"`
}

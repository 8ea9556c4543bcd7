package store

import (
	"context"
	"errors"
	"time"
)

// Group limits, in characters (spec 3.2).
const (
	MaxGroupNameLen        = 50
	MaxGroupDescriptionLen = 1000
	MaxRoleNameLen         = 100
	MaxRoleDescriptionLen  = 1000
	MaxShoutLen            = 255
	// GuestRank is the rank of the guest role: what non-members are, never
	// a member's role. OwnerRank is the owner's role's rank.
	GuestRank = 0
	OwnerRank = 255
)

// Errors of the group rules the store keeps.
var (
	// ErrGuestRole: a membership cannot hold the guest role.
	ErrGuestRole = errors.New("the guest role cannot be assigned")
	// ErrOwnerRole: the rank-255 role is the owner's alone, and the
	// owner's role cannot be changed (nor the owner removed).
	ErrOwnerRole = errors.New("the owner's role cannot be assigned or changed")
)

// Permissions is a role's permission set: bit i is PermissionNames[i]. The
// store keeps it as one integer.
type Permissions uint64

// PermissionNames are the permissions of a group role in the order of spec
// 3.2's GroupRole_RolePermissions (the JSON keys).
var PermissionNames = []string{
	"viewWallPosts", "createWallPosts", "deleteWallPosts", "viewGroupShout", "createGroupShout", "changeRank",
	"acceptRequests", "exileMembers", "manageRelationships", "viewAuditLog", "spendGroupFunds", "advertiseGroup",
	"createAvatarItems", "manageAvatarItems", "manageGroupUniverses", "viewUniverseAnalytics", "createApiKeys",
	"manageApiKeys", "banMembers", "viewForums", "manageCategories", "createPosts", "lockPosts", "pinPosts",
	"removePosts", "createComments", "removeComments", "manageBlockedWords", "viewBlockedWords", "bypassSlowMode",
}

// The permissions the group rules consult; the rest are in PermissionNames.
const (
	PermViewWallPosts Permissions = 1 << iota
	PermCreateWallPosts
	PermDeleteWallPosts
	PermViewGroupShout
	PermCreateGroupShout
	PermChangeRank
	PermAcceptRequests
	PermExileMembers
)

// AllPermissions holds every permission of PermissionNames.
const AllPermissions Permissions = 1<<30 - 1

// Permission returns the permission named name (a key of spec 3.2).
func Permission(name string) (Permissions, bool) {
	for i, n := range PermissionNames {
		if n == name {
			return 1 << i, true
		}
	}
	return 0, false
}

// Has reports whether every permission of q is in p.
func (p Permissions) Has(q Permissions) bool { return p&q == q }

// Group is a group. OwnerID 0 is an abandoned group. MemberCount is read
// only (counted when read).
type Group struct {
	ID          int64
	Name        string
	Description string
	OwnerID     int64
	PublicEntry bool
	Locked      bool
	Verified    bool
	Created     time.Time
	Updated     time.Time
	MemberCount int
}

// GroupRole is a role of a group. MemberCount is read only.
type GroupRole struct {
	ID          int64
	GroupID     int64
	Name        string
	Description string
	Rank        int
	Permissions Permissions
	Created     time.Time
	Updated     time.Time
	MemberCount int
}

// GroupMembership is a user's membership of a group, with its one role.
type GroupMembership struct {
	GroupID int64
	UserID  int64
	RoleID  int64
	Created time.Time
	Updated time.Time
}

// GroupJoinRequest is a pending request to join a group; its id is the
// user's id.
type GroupJoinRequest struct {
	GroupID int64
	UserID  int64
	Created time.Time
}

// GroupShout is a group's shout. PosterID 0 is unknown.
type GroupShout struct {
	GroupID  int64
	Content  string
	PosterID int64
	Created  time.Time
	Updated  time.Time
}

// GroupStore keeps groups, their roles, memberships, join requests and
// shouts. It keeps the data rules (a member never holds the guest role; the
// owner holds the rank-255 role, which no one else is given, and keeps it);
// who may do what is the caller's to decide.
type GroupStore interface {
	// CreateGroup creates a group with its roles in one transaction. The
	// roles need distinct ranks, one of them GuestRank and, when the group
	// has an owner, one OwnerRank; the owner becomes a member holding it.
	// A zero group or role id is allocated. It returns the group and roles
	// as stored; ErrExists if the group id (or a role id) is taken.
	CreateGroup(ctx context.Context, g Group, roles []GroupRole) (Group, []GroupRole, error)
	// Group returns a group with its member count; ErrNotFound if none.
	Group(ctx context.Context, id int64) (Group, error)
	// GroupRoles lists a group's roles by rank, with member counts;
	// ErrNotFound if there is no such group.
	GroupRoles(ctx context.Context, groupID int64) ([]GroupRole, error)
	// GroupRole returns one role of a group; ErrNotFound if the group has
	// no such role.
	GroupRole(ctx context.Context, groupID, roleID int64) (GroupRole, error)

	// GroupMembers lists the memberships of a group in the keyset page sp
	// of user ids (up from sp.From, or down when sp.Desc); roleID other
	// than 0 keeps only that role's members.
	GroupMembers(ctx context.Context, groupID, roleID int64, sp Span) ([]GroupMembership, error)
	// GroupMembership returns a user's membership of a group; ErrNotFound
	// if the user is not a member.
	GroupMembership(ctx context.Context, groupID, userID int64) (GroupMembership, error)
	// UserGroups lists a user's memberships, by group id.
	UserGroups(ctx context.Context, userID int64) ([]GroupMembership, error)
	// AddGroupMember makes a user a member holding roleID (neither the guest
	// nor the owner's role: ErrGuestRole, ErrOwnerRole); ErrExists if the
	// user is a member, ErrNotFound for an unknown group, user or role. A
	// pending join request of the user is removed.
	AddGroupMember(ctx context.Context, groupID, userID, roleID int64, at time.Time) (GroupMembership, error)
	// SetGroupMemberRole changes a member's role, under AddGroupMember's
	// rules; the owner's role cannot be changed (ErrOwnerRole).
	SetGroupMemberRole(ctx context.Context, groupID, userID, roleID int64, at time.Time) (GroupMembership, error)
	// RemoveGroupMember removes a membership; ErrNotFound if there is none,
	// ErrOwnerRole for the owner.
	RemoveGroupMember(ctx context.Context, groupID, userID int64) error

	// GroupJoinRequests lists up to limit pending requests of a group with
	// user ids above afterUser, by user id.
	GroupJoinRequests(ctx context.Context, groupID, afterUser int64, limit int) ([]GroupJoinRequest, error)
	// GroupJoinRequestOf returns a user's pending request; ErrNotFound if none.
	GroupJoinRequestOf(ctx context.Context, groupID, userID int64) (GroupJoinRequest, error)
	// CreateGroupJoinRequest files a request; ErrExists if one is pending
	// or the user is a member, ErrNotFound for an unknown group or user.
	CreateGroupJoinRequest(ctx context.Context, groupID, userID int64, at time.Time) (GroupJoinRequest, error)
	// DeleteGroupJoinRequest removes a pending request (declined, or
	// withdrawn); ErrNotFound if there is none.
	DeleteGroupJoinRequest(ctx context.Context, groupID, userID int64) error
	// AcceptGroupJoinRequest turns a pending request into a membership
	// holding the group's lowest role above the guest role, in one
	// transaction; ErrNotFound if no request is pending (a second accept of
	// the same request finds none).
	AcceptGroupJoinRequest(ctx context.Context, groupID, userID int64, at time.Time) (GroupMembership, error)

	// GroupShout returns a group's shout; ErrNotFound if it has none.
	GroupShout(ctx context.Context, groupID int64) (GroupShout, error)
	// SetGroupShout sets the shout's content and poster (created stays
	// that of the first shout); ErrNotFound for an unknown group.
	SetGroupShout(ctx context.Context, groupID, posterID int64, content string, at time.Time) (GroupShout, error)
}

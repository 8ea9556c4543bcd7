package demo

import (
	"context"
	"errors"
	"fmt"
	"maps"
	"slices"
	"time"

	"github.com/invcloud/invcloud/internal/inventory"
	"github.com/invcloud/invcloud/internal/store"
)

// The demo group: the group of the captured Open Cloud responses (spec
// 3.5), owned by GuideUser. Role ids are those of the captures where they
// name one (the owner's 38353811, the role of the PATCH example 41112469).
const (
	GroupID             int64 = 5850082
	GroupRoleGuest      int64 = 38353808
	GroupRoleMember     int64 = 38353809
	GroupRoleModerator  int64 = 41112469
	GroupRoleOwner      int64 = 38353811
	groupMembersFrom    int64 = 2000000010 // GroupUsers: members, then requesters
	groupRequestersFrom int64 = 2000000014
)

// Group is the demo group as CreateGroup takes it.
var Group = store.Group{
	ID: GroupID, Name: "MightyPart Games", Description: "Hello World!", OwnerID: GuideUser, PublicEntry: true,
	Created: epoch.AddDate(-2, 0, 0), Updated: epoch.AddDate(0, -1, 0),
}

// GroupRoles are the demo group's roles: guest (0), member (1), moderator
// (100: may change lower ranks and accept join requests), owner (255).
var GroupRoles = []store.GroupRole{
	{ID: GroupRoleGuest, Name: "Guest", Rank: store.GuestRank, Permissions: store.PermViewWallPosts | store.PermViewGroupShout},
	{ID: GroupRoleMember, Name: "Member", Rank: 1,
		Permissions: store.PermViewWallPosts | store.PermCreateWallPosts | store.PermViewGroupShout},
	{ID: GroupRoleModerator, Name: "Moderator", Description: "Ranks members and accepts join requests.", Rank: 100,
		Permissions: store.PermViewWallPosts | store.PermCreateWallPosts | store.PermDeleteWallPosts | store.PermViewGroupShout |
			store.PermChangeRank | store.PermAcceptRequests},
	{ID: GroupRoleOwner, Name: "Owner", Rank: store.OwnerRank, Permissions: store.AllPermissions},
}

// GroupMembers are the demo group's members other than its owner, with
// their roles: a dozen members in all.
var GroupMembers = map[int64]int64{
	CollectorUser: GroupRoleModerator, TraderUser: GroupRoleModerator,
	PassUser: GroupRoleMember, PrivateUser: GroupRoleMember, FriendsUser: GroupRoleMember, UGCMakerUser: GroupRoleMember,
	HiddenUser: GroupRoleMember, groupMembersFrom: GroupRoleMember, groupMembersFrom + 1: GroupRoleMember,
	groupMembersFrom + 2: GroupRoleMember, groupMembersFrom + 3: GroupRoleMember,
}

// GroupRequesters have pending requests to join the demo group.
var GroupRequesters = []int64{groupRequestersFrom, groupRequestersFrom + 1}

// GroupShout is the demo group's shout, posted by its owner.
const GroupShout = "Welcome to MightyPart Games! Rank requests go to the moderators."

// groupUsers adds the users only the groups data needs: four members and
// the two requesters. Like profiles, it draws nothing from the random
// source.
func (g *gen) groupUsers() {
	for i, name := range []string{"RookieRiley", "ScripterSam", "ModelerMo", "PixelPia", "HopefulHal", "EagerEve"} {
		g.b.Users = append(g.b.Users, inventory.User{
			ID: groupMembersFrom + int64(i), Name: name, DisplayName: name, Visibility: inventory.VisibilityEveryone,
			Created: epoch.AddDate(-1, i, 0),
		})
	}
}

// loadGroups creates the demo group through the store, skipping whatever
// exists: a second load changes nothing (a request accepted since is a
// membership and is not filed again).
func loadGroups(ctx context.Context, s store.Store) error {
	skip := func(err error) error {
		if errors.Is(err, store.ErrExists) {
			return nil
		}
		return err
	}
	if _, _, err := s.CreateGroup(ctx, Group, GroupRoles); skip(err) != nil {
		return fmt.Errorf("load demo group: %w", err)
	}
	i := 0
	for _, u := range slices.Sorted(maps.Keys(GroupMembers)) {
		at := Group.Created.Add(time.Duration(i+1) * 24 * time.Hour)
		if _, err := s.AddGroupMember(ctx, GroupID, u, GroupMembers[u], at); skip(err) != nil {
			return fmt.Errorf("load demo group member %d: %w", u, err)
		}
		i++
	}
	for j, u := range GroupRequesters {
		if _, err := s.CreateGroupJoinRequest(ctx, GroupID, u, epoch.AddDate(0, 0, -j-1)); skip(err) != nil {
			return fmt.Errorf("load demo join request %d: %w", u, err)
		}
	}
	if _, err := s.GroupShout(ctx, GroupID); errors.Is(err, store.ErrNotFound) {
		if _, err := s.SetGroupShout(ctx, GroupID, GuideUser, GroupShout, epoch.AddDate(0, 0, -7)); err != nil {
			return fmt.Errorf("load demo shout: %w", err)
		}
	} else if err != nil {
		return fmt.Errorf("load demo shout: %w", err)
	}
	return nil
}

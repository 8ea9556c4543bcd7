package storetest

import (
	"errors"
	"fmt"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/invcloud/invcloud/internal/store"
)

// RunGroups runs the conformance tests of store.GroupStore.
func RunGroups(t *testing.T, open func(t *testing.T) store.Store) {
	tests := []struct {
		name string
		fn   func(t *testing.T, s store.Store)
	}{
		{"RoundTrip", testGroupRoundTrip},
		{"Limits", testGroupLimits},
		{"Paging", testGroupPaging},
		{"RoleRules", testGroupRoleRules},
		{"JoinRequests", testGroupJoinRequests},
		{"AcceptConcurrent", testGroupAcceptConcurrent},
		{"Shout", testGroupShout},
		{"DeleteUser", testGroupDeleteUser},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) { tt.fn(t, open(t)) })
	}
}

// Roles of the test group 7: guest, member, moderator, owner.
const (
	roleGuest     int64 = 70
	roleMember    int64 = 71
	roleModerator int64 = 72
	roleOwner     int64 = 73
	testGroup     int64 = 7
)

func testRoles() []store.GroupRole {
	return []store.GroupRole{
		{ID: roleGuest, Name: "Guest", Rank: 0, Permissions: store.PermViewWallPosts | store.PermViewGroupShout},
		{ID: roleMember, Name: "Member", Rank: 1, Permissions: store.PermViewWallPosts | store.PermCreateWallPosts | store.PermViewGroupShout},
		{ID: roleModerator, Name: "Moderator", Description: "may rank and accept", Rank: 100,
			Permissions: store.PermViewGroupShout | store.PermChangeRank | store.PermAcceptRequests},
		{ID: roleOwner, Name: "Owner", Rank: 255, Permissions: store.AllPermissions},
	}
}

// groupFixture creates users 1-3 unless they exist, and group 7 owned by 1.
func groupFixture(t *testing.T, s store.Store, users ...int64) store.Group {
	t.Helper()
	createUsers(t, s, users...)
	g, _, err := s.CreateGroup(ctx, store.Group{ID: testGroup, Name: "Test Group", Description: "for tests", OwnerID: 1, PublicEntry: true,
		Created: now, Updated: now.Add(time.Second)}, testRoles())
	mustNil(t, err, "CreateGroup")
	return g
}

// copyGroupFixture adds a row to every group table for migrate's copy (users
// 1-3 exist): group 7 with member 2 and a request of 3, and an abandoned
// group with only a guest role.
func copyGroupFixture(t *testing.T, s store.Store) {
	t.Helper()
	groupFixture(t, s)
	_, err := s.AddGroupMember(ctx, testGroup, 2, roleModerator, now.Add(time.Minute))
	mustNil(t, err, "AddGroupMember")
	_, err = s.CreateGroupJoinRequest(ctx, testGroup, 3, now.Add(2*time.Minute))
	mustNil(t, err, "CreateGroupJoinRequest")
	_, err = s.SetGroupShout(ctx, testGroup, 1, "Hello «group»", now.Add(3*time.Minute))
	mustNil(t, err, "SetGroupShout")
	_, _, err = s.CreateGroup(ctx, store.Group{ID: 8, Name: "Abandoned", Locked: true, Verified: true, Created: now},
		[]store.GroupRole{{ID: 80, Name: "Guest", Rank: 0}})
	mustNil(t, err, "CreateGroup (abandoned)")
}

func testGroupRoundTrip(t *testing.T, s store.Store) {
	want := groupFixture(t, s, 1)
	got, err := s.Group(ctx, testGroup)
	mustNil(t, err, "Group")
	if want.MemberCount != 1 || got != want {
		t.Errorf("Group = %+v, want %+v (member count 1)", got, want)
	}
	roles, err := s.GroupRoles(ctx, testGroup)
	mustNil(t, err, "GroupRoles")
	wantRoles := testRoles()
	if len(roles) != len(wantRoles) {
		t.Fatalf("GroupRoles = %+v", roles)
	}
	for i, r := range roles {
		w := wantRoles[i]
		w.GroupID, w.Created, w.Updated = testGroup, now, now
		if w.Rank == store.OwnerRank {
			w.MemberCount = 1
		}
		if r != w {
			t.Errorf("role %d = %+v, want %+v", i, r, w)
		}
		one, err := s.GroupRole(ctx, testGroup, r.ID)
		mustNil(t, err, "GroupRole")
		if one != r {
			t.Errorf("GroupRole(%d) = %+v, want %+v", r.ID, one, r)
		}
	}
	if !roles[2].Permissions.Has(store.PermChangeRank|store.PermAcceptRequests) || roles[2].Permissions.Has(store.PermExileMembers) {
		t.Errorf("moderator permissions = %b", roles[2].Permissions)
	}
	m, err := s.GroupMembership(ctx, testGroup, 1)
	mustNil(t, err, "GroupMembership")
	if m != (store.GroupMembership{GroupID: testGroup, UserID: 1, RoleID: roleOwner, Created: now, Updated: now}) {
		t.Errorf("owner's membership = %+v", m)
	}
	_, err = s.Group(ctx, 99)
	wantErr(t, err, store.ErrNotFound, "Group(99)")
	_, err = s.GroupRoles(ctx, 99)
	wantErr(t, err, store.ErrNotFound, "GroupRoles(99)")
	_, err = s.GroupRole(ctx, 99, roleMember)
	wantErr(t, err, store.ErrNotFound, "GroupRole of another group")
	_, _, err = s.CreateGroup(ctx, store.Group{ID: testGroup, Name: "Again", Created: now}, []store.GroupRole{{Name: "Guest", Rank: 0}})
	wantErr(t, err, store.ErrExists, "CreateGroup of a taken id")

	// Ids allocated, an abandoned group.
	g, rs, err := s.CreateGroup(ctx, store.Group{Name: "Allocated", Created: now}, []store.GroupRole{{Name: "Guest", Rank: 0}, {Name: "Member", Rank: 1}})
	mustNil(t, err, "CreateGroup with id 0")
	if g.ID != testGroup+1 || rs[0].ID != roleOwner+1 || rs[1].ID != roleOwner+2 || g.OwnerID != 0 || g.MemberCount != 0 {
		t.Errorf("allocated group %+v roles %+v", g, rs)
	}
	if got, err := s.Group(ctx, g.ID); err != nil || got.OwnerID != 0 || got.MemberCount != 0 {
		t.Errorf("abandoned Group = %+v, %v", got, err)
	}
}

func testGroupLimits(t *testing.T, s store.Store) {
	createUsers(t, s, 1)
	guest := []store.GroupRole{{Name: "Guest", Rank: 0}}
	for _, tc := range []struct {
		what  string
		g     store.Group
		roles []store.GroupRole
	}{
		{"empty name", store.Group{ID: 1}, guest},
		{"long name", store.Group{ID: 1, Name: strings.Repeat("n", store.MaxGroupNameLen+1)}, guest},
		{"long description", store.Group{ID: 1, Name: "x", Description: strings.Repeat("d", store.MaxGroupDescriptionLen+1)}, guest},
		{"no guest role", store.Group{ID: 1, Name: "x"}, []store.GroupRole{{Name: "Member", Rank: 1}}},
		{"owner without an owner's role", store.Group{ID: 1, Name: "x", OwnerID: 1}, guest},
		{"repeated rank", store.Group{ID: 1, Name: "x"}, []store.GroupRole{{Name: "Guest", Rank: 0}, {Name: "Also", Rank: 0}}},
		{"rank 256", store.Group{ID: 1, Name: "x"}, []store.GroupRole{{Name: "Guest", Rank: 0}, {Name: "Big", Rank: 256}}},
		{"long role name", store.Group{ID: 1, Name: "x"}, []store.GroupRole{{Name: strings.Repeat("r", store.MaxRoleNameLen+1), Rank: 0}}},
		{"unknown owner", store.Group{ID: 1, Name: "x", OwnerID: 42}, []store.GroupRole{{Name: "Guest", Rank: 0}, {Name: "Owner", Rank: 255}}},
	} {
		if _, _, err := s.CreateGroup(ctx, tc.g, tc.roles); err == nil {
			t.Errorf("CreateGroup with %s succeeded", tc.what)
		}
	}
	if _, err := s.Group(ctx, 1); !errors.Is(err, store.ErrNotFound) {
		t.Errorf("a refused group exists: %v", err)
	}
	// Limits count characters, not bytes.
	_, _, err := s.CreateGroup(ctx, store.Group{ID: 1, Name: strings.Repeat("é", store.MaxGroupNameLen),
		Description: strings.Repeat("é", store.MaxGroupDescriptionLen), Created: now}, guest)
	mustNil(t, err, "CreateGroup at the limits")
	_, err = s.SetGroupShout(ctx, 1, 1, strings.Repeat("é", store.MaxShoutLen), now)
	mustNil(t, err, "SetGroupShout at the limit")
	if _, err := s.SetGroupShout(ctx, 1, 1, strings.Repeat("x", store.MaxShoutLen+1), now); err == nil {
		t.Error("SetGroupShout past the limit succeeded")
	}
}

func testGroupPaging(t *testing.T, s store.Store) {
	groupFixture(t, s, 1)
	const n = 150
	ids := []int64{1}
	for i := range n {
		id := int64(1000 + 3*i)
		createUsers(t, s, id)
		role := roleMember
		if i%5 == 0 {
			role = roleModerator
		}
		_, err := s.AddGroupMember(ctx, testGroup, id, role, now)
		mustNil(t, err, "AddGroupMember")
		ids = append(ids, id)
	}
	walkDir := func(role int64, size int, desc bool) []int64 {
		var out []int64
		after := int64(0)
		for {
			page, err := s.GroupMembers(ctx, testGroup, role, store.Span{From: after, Limit: size, Desc: desc})
			mustNil(t, err, "GroupMembers")
			if len(page) > size {
				t.Fatalf("page of %d at size %d", len(page), size)
			}
			for _, m := range page {
				if role != 0 && m.RoleID != role {
					t.Errorf("role filter %d returned %+v", role, m)
				}
				out = append(out, m.UserID)
			}
			if len(page) < size {
				return out
			}
			after = page[len(page)-1].UserID
		}
	}
	walk := func(role int64, size int) []int64 { return walkDir(role, size, false) }
	down := slices.Clone(ids)
	slices.Reverse(down)
	for _, size := range []int{1, 7, 100} {
		if got := walk(0, size); fmt.Sprint(got) != fmt.Sprint(ids) {
			t.Errorf("members at page size %d: %d users, want %d in id order", size, len(got), len(ids))
		}
		if got := walkDir(0, size, true); fmt.Sprint(got) != fmt.Sprint(down) {
			t.Errorf("members down at page size %d: %d users, want %d in descending id order", size, len(got), len(ids))
		}
	}
	var mods []int64
	for i, id := range ids[1:] {
		if i%5 == 0 {
			mods = append(mods, id)
		}
	}
	if got := walk(roleModerator, 4); fmt.Sprint(got) != fmt.Sprint(mods) {
		t.Errorf("moderators = %v, want %v", got, mods)
	}
	if got := walk(roleOwner, 10); fmt.Sprint(got) != "[1]" {
		t.Errorf("owners = %v", got)
	}
	g, err := s.Group(ctx, testGroup)
	mustNil(t, err, "Group")
	r, err := s.GroupRole(ctx, testGroup, roleModerator)
	mustNil(t, err, "GroupRole")
	if g.MemberCount != n+1 || r.MemberCount != len(mods) {
		t.Errorf("member counts: group %d, moderators %d; want %d, %d", g.MemberCount, r.MemberCount, n+1, len(mods))
	}
}

func testGroupRoleRules(t *testing.T, s store.Store) {
	groupFixture(t, s, 1, 2, 3)
	_, _, err := s.CreateGroup(ctx, store.Group{ID: 9, Name: "Other", Created: now}, []store.GroupRole{{ID: 90, Name: "Guest", Rank: 0}, {ID: 91, Name: "M", Rank: 1}})
	mustNil(t, err, "CreateGroup")

	_, err = s.AddGroupMember(ctx, testGroup, 2, roleGuest, now)
	wantErr(t, err, store.ErrGuestRole, "AddGroupMember as guest")
	_, err = s.AddGroupMember(ctx, testGroup, 2, roleOwner, now)
	wantErr(t, err, store.ErrOwnerRole, "AddGroupMember as owner")
	_, err = s.AddGroupMember(ctx, testGroup, 2, 91, now)
	wantErr(t, err, store.ErrNotFound, "AddGroupMember with another group's role")
	_, err = s.AddGroupMember(ctx, testGroup, 42, roleMember, now)
	wantErr(t, err, store.ErrNotFound, "AddGroupMember of an unknown user")
	_, err = s.AddGroupMember(ctx, 99, 2, roleMember, now)
	wantErr(t, err, store.ErrNotFound, "AddGroupMember to an unknown group")
	m, err := s.AddGroupMember(ctx, testGroup, 2, roleMember, now)
	mustNil(t, err, "AddGroupMember")
	_, err = s.AddGroupMember(ctx, testGroup, 2, roleModerator, now)
	wantErr(t, err, store.ErrExists, "AddGroupMember twice")
	_, err = s.AddGroupMember(ctx, 9, 2, 91, now)
	mustNil(t, err, "AddGroupMember to group 9")

	later := now.Add(time.Hour)
	got, err := s.SetGroupMemberRole(ctx, testGroup, 2, roleModerator, later)
	mustNil(t, err, "SetGroupMemberRole")
	m.RoleID, m.Updated = roleModerator, later
	if got != m {
		t.Errorf("SetGroupMemberRole = %+v, want %+v", got, m)
	}
	if stored, _ := s.GroupMembership(ctx, testGroup, 2); stored != m {
		t.Errorf("stored membership = %+v, want %+v", stored, m)
	}
	for _, tc := range []struct {
		user, role int64
		want       error
		what       string
	}{
		{2, roleGuest, store.ErrGuestRole, "to guest"},
		{2, roleOwner, store.ErrOwnerRole, "to the owner's role"},
		{2, 91, store.ErrNotFound, "to another group's role"},
		{1, roleMember, store.ErrOwnerRole, "of the owner"},
		{3, roleMember, store.ErrNotFound, "of a non-member"},
	} {
		_, err := s.SetGroupMemberRole(ctx, testGroup, tc.user, tc.role, later)
		wantErr(t, err, tc.want, "SetGroupMemberRole "+tc.what)
	}
	groups, err := s.UserGroups(ctx, 2)
	mustNil(t, err, "UserGroups")
	if len(groups) != 2 || groups[0].GroupID != testGroup || groups[1].GroupID != 9 || groups[0] != m {
		t.Errorf("UserGroups(2) = %+v", groups)
	}
	wantErr(t, s.RemoveGroupMember(ctx, testGroup, 1), store.ErrOwnerRole, "RemoveGroupMember of the owner")
	mustNil(t, s.RemoveGroupMember(ctx, testGroup, 2), "RemoveGroupMember")
	wantErr(t, s.RemoveGroupMember(ctx, testGroup, 2), store.ErrNotFound, "RemoveGroupMember twice")
	_, err = s.GroupMembership(ctx, testGroup, 2)
	wantErr(t, err, store.ErrNotFound, "GroupMembership after removal")
}

func testGroupJoinRequests(t *testing.T, s store.Store) {
	groupFixture(t, s, 1, 2, 3, 4, 5)
	for i, u := range []int64{5, 2, 3, 4} {
		_, err := s.CreateGroupJoinRequest(ctx, testGroup, u, now.Add(time.Duration(i)*time.Second))
		mustNil(t, err, "CreateGroupJoinRequest")
	}
	_, err := s.CreateGroupJoinRequest(ctx, testGroup, 2, now)
	wantErr(t, err, store.ErrExists, "CreateGroupJoinRequest twice")
	_, err = s.CreateGroupJoinRequest(ctx, testGroup, 1, now)
	wantErr(t, err, store.ErrExists, "CreateGroupJoinRequest of a member")
	_, err = s.CreateGroupJoinRequest(ctx, 99, 2, now)
	wantErr(t, err, store.ErrNotFound, "CreateGroupJoinRequest to an unknown group")
	_, err = s.CreateGroupJoinRequest(ctx, testGroup, 42, now)
	wantErr(t, err, store.ErrNotFound, "CreateGroupJoinRequest of an unknown user")

	first, err := s.GroupJoinRequests(ctx, testGroup, 0, 2)
	mustNil(t, err, "GroupJoinRequests")
	rest, err := s.GroupJoinRequests(ctx, testGroup, first[len(first)-1].UserID, 10)
	mustNil(t, err, "GroupJoinRequests")
	if fmt.Sprint(requesters(first), requesters(rest)) != "[2 3] [4 5]" || !first[0].Created.Equal(now.Add(time.Second)) {
		t.Errorf("join request pages = %+v, %+v", first, rest)
	}
	j, err := s.GroupJoinRequestOf(ctx, testGroup, 5)
	mustNil(t, err, "GroupJoinRequestOf")
	if j != (store.GroupJoinRequest{GroupID: testGroup, UserID: 5, Created: now}) {
		t.Errorf("GroupJoinRequestOf = %+v", j)
	}

	at := now.Add(time.Hour)
	m, err := s.AcceptGroupJoinRequest(ctx, testGroup, 2, at)
	mustNil(t, err, "AcceptGroupJoinRequest")
	if m != (store.GroupMembership{GroupID: testGroup, UserID: 2, RoleID: roleMember, Created: at, Updated: at}) {
		t.Errorf("accepted membership = %+v, want the lowest non-guest role", m)
	}
	_, err = s.AcceptGroupJoinRequest(ctx, testGroup, 2, at)
	wantErr(t, err, store.ErrNotFound, "AcceptGroupJoinRequest twice")
	_, err = s.GroupJoinRequestOf(ctx, testGroup, 2)
	wantErr(t, err, store.ErrNotFound, "the accepted request")

	mustNil(t, s.DeleteGroupJoinRequest(ctx, testGroup, 3), "DeleteGroupJoinRequest")
	wantErr(t, s.DeleteGroupJoinRequest(ctx, testGroup, 3), store.ErrNotFound, "DeleteGroupJoinRequest twice")
	_, err = s.AcceptGroupJoinRequest(ctx, testGroup, 3, at)
	wantErr(t, err, store.ErrNotFound, "AcceptGroupJoinRequest of a declined request")
	_, err = s.GroupMembership(ctx, testGroup, 3)
	wantErr(t, err, store.ErrNotFound, "membership of a declined user")

	// Adding a member directly clears the user's request.
	_, err = s.AddGroupMember(ctx, testGroup, 4, roleModerator, at)
	mustNil(t, err, "AddGroupMember")
	left, err := s.GroupJoinRequests(ctx, testGroup, 0, 10)
	mustNil(t, err, "GroupJoinRequests")
	if fmt.Sprint(requesters(left)) != "[5]" {
		t.Errorf("requests left = %+v, want user 5's", left)
	}
}

func requesters(js []store.GroupJoinRequest) []int64 {
	var out []int64
	for _, j := range js {
		out = append(out, j.UserID)
	}
	return out
}

// Accepts of one request racing: one succeeds, the others find no request
// (only PostgreSQL can notice a missing row lock: without it the others
// read the request too and fail on the membership key).
func testGroupAcceptConcurrent(t *testing.T, s store.Store) {
	groupFixture(t, s, 1)
	const racers = 8
	for round := range 5 {
		u := int64(100 + round)
		createUsers(t, s, u)
		_, err := s.CreateGroupJoinRequest(ctx, testGroup, u, now)
		mustNil(t, err, "CreateGroupJoinRequest")
		var wg sync.WaitGroup
		errs := make([]error, racers)
		for i := range racers {
			wg.Go(func() { _, errs[i] = s.AcceptGroupJoinRequest(ctx, testGroup, u, now) })
		}
		wg.Wait()
		ok := 0
		for _, err := range errs {
			switch {
			case err == nil:
				ok++
			case !errors.Is(err, store.ErrNotFound):
				t.Errorf("racing AcceptGroupJoinRequest: %v, want nil or ErrNotFound", err)
			}
		}
		if ok != 1 {
			t.Errorf("round %d: %d racing accepts succeeded, want 1", round, ok)
		}
	}
}

func testGroupShout(t *testing.T, s store.Store) {
	groupFixture(t, s, 1, 2)
	_, err := s.GroupShout(ctx, testGroup)
	wantErr(t, err, store.ErrNotFound, "GroupShout before any")
	_, err = s.SetGroupShout(ctx, 99, 1, "x", now)
	wantErr(t, err, store.ErrNotFound, "SetGroupShout of an unknown group")
	sh, err := s.SetGroupShout(ctx, testGroup, 1, "Hello World!", now)
	mustNil(t, err, "SetGroupShout")
	if sh != (store.GroupShout{GroupID: testGroup, Content: "Hello World!", PosterID: 1, Created: now, Updated: now}) {
		t.Errorf("SetGroupShout = %+v", sh)
	}
	later := now.Add(time.Hour)
	sh, err = s.SetGroupShout(ctx, testGroup, 2, "", later)
	mustNil(t, err, "SetGroupShout again")
	got, err := s.GroupShout(ctx, testGroup)
	mustNil(t, err, "GroupShout")
	if want := (store.GroupShout{GroupID: testGroup, Content: "", PosterID: 2, Created: now, Updated: later}); got != want || sh != want {
		t.Errorf("GroupShout = %+v (set returned %+v), want %+v", got, sh, want)
	}
}

// Deleting a user removes their memberships and requests; deleting the
// owner abandons the group; a deleted poster is unknown.
func testGroupDeleteUser(t *testing.T, s store.Store) {
	groupFixture(t, s, 1, 2, 3)
	_, err := s.AddGroupMember(ctx, testGroup, 2, roleMember, now)
	mustNil(t, err, "AddGroupMember")
	_, err = s.CreateGroupJoinRequest(ctx, testGroup, 3, now)
	mustNil(t, err, "CreateGroupJoinRequest")
	_, err = s.SetGroupShout(ctx, testGroup, 2, "bye", now)
	mustNil(t, err, "SetGroupShout")
	for _, u := range []int64{1, 2, 3} {
		_, err := s.DeleteUser(ctx, u)
		mustNil(t, err, "DeleteUser")
	}
	g, err := s.Group(ctx, testGroup)
	mustNil(t, err, "Group")
	if g.OwnerID != 0 || g.MemberCount != 0 {
		t.Errorf("group after its members' deletion = %+v", g)
	}
	reqs, err := s.GroupJoinRequests(ctx, testGroup, 0, 10)
	mustNil(t, err, "GroupJoinRequests")
	sh, err := s.GroupShout(ctx, testGroup)
	mustNil(t, err, "GroupShout")
	if len(reqs) != 0 || sh.PosterID != 0 || sh.Content != "bye" {
		t.Errorf("requests %+v, shout %+v", reqs, sh)
	}
}

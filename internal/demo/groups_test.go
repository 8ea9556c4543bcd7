package demo_test

import (
	"context"
	"path/filepath"
	"testing"
	"time"

	"github.com/invcloud/invcloud/internal/demo"
	"github.com/invcloud/invcloud/internal/store"
	"github.com/invcloud/invcloud/internal/store/sqlite"
)

// TestLoadGroups checks the demo group: owned by GuideUser through the
// owner's role, a dozen members, two pending requests, a shout.
func TestLoadGroups(t *testing.T) {
	ctx := context.Background()
	s, err := sqlite.Open(ctx, filepath.Join(t.TempDir(), "demo.db"))
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	if err := demo.Load(ctx, s, time.Date(2026, 6, 1, 0, 0, 0, 0, time.UTC)); err != nil {
		t.Fatal(err)
	}
	g, err := s.Group(ctx, demo.GroupID)
	if err != nil {
		t.Fatal(err)
	}
	if g.OwnerID != demo.GuideUser || g.MemberCount != 12 || !g.PublicEntry {
		t.Errorf("demo group = %+v, want owner %d and 12 members", g, demo.GuideUser)
	}
	roles, err := s.GroupRoles(ctx, demo.GroupID)
	if err != nil {
		t.Fatal(err)
	}
	var ranks []int
	for _, r := range roles {
		ranks = append(ranks, r.Rank)
	}
	if len(roles) != 4 || ranks[0] != 0 || ranks[1] != 1 || ranks[2] != 100 || ranks[3] != 255 ||
		!roles[2].Permissions.Has(store.PermChangeRank|store.PermAcceptRequests) || roles[1].Permissions.Has(store.PermChangeRank) {
		t.Errorf("demo roles = %+v", roles)
	}
	owner, err := s.GroupMembership(ctx, demo.GroupID, demo.GuideUser)
	if err != nil || owner.RoleID != demo.GroupRoleOwner {
		t.Errorf("owner's membership = %+v, %v", owner, err)
	}
	members, err := s.GroupMembers(ctx, demo.GroupID, 0, store.Span{Limit: 100})
	if err != nil {
		t.Fatal(err)
	}
	for _, m := range members {
		if m.UserID != demo.GuideUser && m.RoleID != demo.GroupMembers[m.UserID] {
			t.Errorf("member %+v, want role %d", m, demo.GroupMembers[m.UserID])
		}
		if _, err := s.User(ctx, m.UserID); err != nil {
			t.Errorf("member %d: %v", m.UserID, err)
		}
	}
	reqs, err := s.GroupJoinRequests(ctx, demo.GroupID, 0, 10)
	if err != nil || len(reqs) != 2 {
		t.Errorf("join requests = %+v, %v; want 2", reqs, err)
	}
	sh, err := s.GroupShout(ctx, demo.GroupID)
	if err != nil || sh.Content != demo.GroupShout || sh.PosterID != demo.GuideUser {
		t.Errorf("shout = %+v, %v", sh, err)
	}

	// An accepted request is not filed again by a second load.
	if _, err := s.AcceptGroupJoinRequest(ctx, demo.GroupID, reqs[0].UserID, time.Now()); err != nil {
		t.Fatal(err)
	}
	if err := demo.Load(ctx, s, time.Now()); err != nil {
		t.Fatal(err)
	}
	if again, _ := s.GroupJoinRequests(ctx, demo.GroupID, 0, 10); len(again) != 1 {
		t.Errorf("after an accept and a reload: %d requests, want 1", len(again))
	}
}

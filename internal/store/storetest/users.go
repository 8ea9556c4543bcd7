package storetest

import (
	"slices"
	"strings"
	"testing"

	"github.com/invcloud/invcloud/internal/inventory"
	"github.com/invcloud/invcloud/internal/store"
)

// RunUsers runs the conformance tests of the user profile fields and the
// users.roblox.com lookups (store.UserLookup).
func RunUsers(t *testing.T, open func(t *testing.T) store.Store) {
	tests := []struct {
		name string
		fn   func(t *testing.T, s store.Store)
	}{
		{"ProfileRoundTrip", testUserProfileRoundTrip},
		{"DescriptionLimit", testUserDescriptionLimit},
		{"ProfileImport", testUserProfileImport},
		{"SetProfile", testUserSetProfile},
		{"ByID", testUsersByID},
		{"ByName", testUsersByName},
		{"Search", testSearchUsers},
		{"SearchPaging", testSearchUsersPaging},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) { tt.fn(t, open(t)) })
	}
}

// lookupFixture creates users 1-6; 4 is banned.
func lookupFixture(t *testing.T, s store.Store) {
	t.Helper()
	for _, u := range []inventory.User{
		{ID: 1, Name: "GuideUser", DisplayName: "Guide User"},
		{ID: 2, Name: "Builder_42", DisplayName: "Master Builder"},
		{ID: 3, Name: "guidance", DisplayName: "Helper"},
		{ID: 4, Name: "BannedGuide", DisplayName: "Gone", Banned: true, Description: "terminated"},
		{ID: 5, Name: "Percent", DisplayName: "100% Real"},
		{ID: 6, Name: "Zed", DisplayName: "Ünïcode GUIDE"},
	} {
		u.Created, u.Visibility = now, inventory.VisibilityEveryone
		mustNil(t, s.CreateUser(ctx, u), "CreateUser")
	}
}

func testUserProfileRoundTrip(t *testing.T, s store.Store) {
	desc := strings.Repeat("é", inventory.MaxDescriptionLen) // characters, not bytes
	u := inventory.User{ID: 7, Name: "Profiled", DisplayName: "Pro Filed", Created: now, Visibility: inventory.VisibilityFriends,
		Banned: true, Description: desc}
	mustNil(t, s.CreateUser(ctx, u), "CreateUser")
	got, err := s.User(ctx, 7)
	mustNil(t, err, "User")
	if got != u {
		t.Errorf("User = %+v, want %+v", got, u)
	}
	mustNil(t, s.CreateUser(ctx, user(8, "Plain")), "CreateUser")
	list, err := s.Users(ctx, 0, 10)
	mustNil(t, err, "Users")
	if len(list) != 2 || list[0] != u || list[1].Banned || list[1].Description != "" {
		t.Errorf("Users = %+v", list)
	}
	byID, err := s.UsersByID(ctx, []int64{7})
	mustNil(t, err, "UsersByID")
	if len(byID) != 1 || byID[0] != u {
		t.Errorf("UsersByID = %+v", byID)
	}
}

func testUserDescriptionLimit(t *testing.T, s store.Store) {
	u := user(9, "Wordy")
	u.Description = strings.Repeat("x", inventory.MaxDescriptionLen+1)
	if err := s.CreateUser(ctx, u); err == nil {
		t.Fatal("CreateUser with an over-long description succeeded")
	}
	if _, err := s.User(ctx, 9); err == nil {
		t.Error("the refused user exists")
	}
}

func ids(us []inventory.User) []int64 {
	out := make([]int64, len(us))
	for i, u := range us {
		out[i] = u.ID
	}
	return out
}

func testUsersByID(t *testing.T, s store.Store) {
	lookupFixture(t, s)
	for _, c := range []struct {
		in, want []int64
	}{
		{nil, []int64{}},
		{[]int64{3, 1, 999, 4}, []int64{1, 3, 4}}, // by id; banned included; unknown absent
		{[]int64{2, 2}, []int64{2}},
		{[]int64{999}, []int64{}},
	} {
		got, err := s.UsersByID(ctx, c.in)
		mustNil(t, err, "UsersByID")
		if !slices.Equal(ids(got), c.want) {
			t.Errorf("UsersByID(%v) = %v, want %v", c.in, ids(got), c.want)
		}
	}
	got, _ := s.UsersByID(ctx, []int64{4})
	if len(got) != 1 || !got[0].Banned || got[0].Description != "terminated" || got[0].DisplayName != "Gone" {
		t.Errorf("UsersByID(4) = %+v", got)
	}
}

func testUsersByName(t *testing.T, s store.Store) {
	lookupFixture(t, s)
	for _, c := range []struct {
		in   []string
		want []int64
	}{
		{nil, []int64{}},
		{[]string{"guideuser", "BUILDER_42", "nobody"}, []int64{1, 2}},
		{[]string{"bannedguide"}, []int64{4}},
		{[]string{"Builder%42", "Builder_4_", "guid%"}, []int64{}}, // no wildcards
		{[]string{"GUIDANCE", "guidance"}, []int64{3}},
		{[]string{"ZED", "zéd"}, []int64{6}},
	} {
		got, err := s.UsersByName(ctx, c.in)
		mustNil(t, err, "UsersByName")
		if !slices.Equal(ids(got), c.want) {
			t.Errorf("UsersByName(%q) = %v, want %v", c.in, ids(got), c.want)
		}
	}
}

func testSearchUsers(t *testing.T, s store.Store) {
	lookupFixture(t, s)
	for _, c := range []struct {
		kw   string
		want []int64
	}{
		{"guid", []int64{1, 3, 6}}, // names and display names, any ASCII case; banned 4 left out
		{"GUIDE", []int64{1, 6}},
		{"master", []int64{2}},
		{"r_4", []int64{2}},
		{"r_", []int64{2}},
		{"%", []int64{5}}, // literal, not a wildcard
		{"0% r", []int64{5}},
		{"_", []int64{2}},
		{`\`, []int64{}},
		{"ÜNï", []int64{6}},
		{"ünï", []int64{}}, // ASCII folding only, on both engines
		{"ÜNÏ", []int64{}},
		{"gone", []int64{}},
		{"nomatch", []int64{}},
	} {
		got, err := s.SearchUsers(ctx, c.kw, store.Span{Limit: 10})
		mustNil(t, err, "SearchUsers")
		if !slices.Equal(ids(got), c.want) {
			t.Errorf("SearchUsers(%q) = %v, want %v", c.kw, ids(got), c.want)
		}
	}
}

func testSearchUsersPaging(t *testing.T, s store.Store) {
	for id := int64(1); id <= 25; id++ {
		u := user(id*10, "Pager"+strings.Repeat("x", int(id%3))+string(rune('a'+id%26))+strings.Repeat("y", int(id/3)))
		u.Banned = id%5 == 0
		mustNil(t, s.CreateUser(ctx, u), "CreateUser")
	}
	var want []int64
	for id := int64(1); id <= 25; id++ {
		if id%5 != 0 {
			want = append(want, id*10)
		}
	}
	var got []int64
	for sp := (store.Span{Limit: 7}); ; {
		page, err := s.SearchUsers(ctx, "PAGER", sp)
		mustNil(t, err, "SearchUsers")
		got = append(got, ids(page)...)
		if len(page) < sp.Limit {
			break
		}
		sp.From = page[len(page)-1].ID
	}
	if !slices.Equal(got, want) {
		t.Errorf("pages up = %v, want %v", got, want)
	}
	down, err := s.SearchUsers(ctx, "pager", store.Span{From: 120, Desc: true, Limit: 3})
	mustNil(t, err, "SearchUsers")
	if !slices.Equal(ids(down), []int64{110, 90, 80}) {
		t.Errorf("page down from 120 = %v", ids(down))
	}
	top, err := s.SearchUsers(ctx, "pager", store.Span{Desc: true, Limit: 2})
	mustNil(t, err, "SearchUsers")
	if !slices.Equal(ids(top), []int64{240, 230}) {
		t.Errorf("first page down = %v", ids(top))
	}
}

// testUserProfileImport: the bulk import (demo and seed data) keeps the
// profile fields.
func testUserProfileImport(t *testing.T, s store.Store) {
	u := inventory.User{ID: 11, Name: "Imported", DisplayName: "Im Ported", Created: now, Visibility: inventory.VisibilityEveryone,
		Banned: true, Description: "about me"}
	plain := user(12, "PlainImport")
	mustNil(t, s.Import(ctx, store.Batch{Users: []inventory.User{u, plain}}), "Import")
	for _, want := range []inventory.User{u, plain} {
		got, err := s.User(ctx, want.ID)
		mustNil(t, err, "User")
		if got != want {
			t.Errorf("imported %+v, want %+v", got, want)
		}
	}
}

func testUserSetProfile(t *testing.T, s store.Store) {
	createUsers(t, s, 1, 2)
	mustNil(t, s.SetBanned(ctx, 1, true), "SetBanned")
	mustNil(t, s.SetDescription(ctx, 1, "hello"), "SetDescription")
	got, err := s.User(ctx, 1)
	mustNil(t, err, "User")
	if !got.Banned || got.Description != "hello" {
		t.Errorf("after SetBanned/SetDescription: %+v", got)
	}
	if other, _ := s.User(ctx, 2); other.Banned || other.Description != "" {
		t.Errorf("another user changed: %+v", other)
	}
	mustNil(t, s.SetBanned(ctx, 1, false), "SetBanned")
	mustNil(t, s.SetDescription(ctx, 1, ""), "SetDescription")
	if got, _ := s.User(ctx, 1); got.Banned || got.Description != "" {
		t.Errorf("after undoing: %+v", got)
	}
	if err := s.SetDescription(ctx, 1, strings.Repeat("x", inventory.MaxDescriptionLen+1)); err == nil {
		t.Error("an over-long description was set")
	}
	wantErr(t, s.SetBanned(ctx, 99, true), store.ErrNotFound, "SetBanned of an unknown user")
	wantErr(t, s.SetDescription(ctx, 99, "x"), store.ErrNotFound, "SetDescription of an unknown user")
}

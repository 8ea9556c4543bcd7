package store

import "testing"

// The named permission constants and AllPermissions follow PermissionNames.
func TestPermissionNames(t *testing.T) {
	if AllPermissions != 1<<len(PermissionNames)-1 {
		t.Errorf("AllPermissions = %b, want %d bits", AllPermissions, len(PermissionNames))
	}
	seen := map[string]bool{}
	for _, n := range PermissionNames {
		if seen[n] {
			t.Errorf("permission %s twice", n)
		}
		seen[n] = true
	}
	for name, want := range map[string]Permissions{
		"viewWallPosts": PermViewWallPosts, "createWallPosts": PermCreateWallPosts, "deleteWallPosts": PermDeleteWallPosts,
		"viewGroupShout": PermViewGroupShout, "createGroupShout": PermCreateGroupShout, "changeRank": PermChangeRank,
		"acceptRequests": PermAcceptRequests, "exileMembers": PermExileMembers,
	} {
		if got, ok := Permission(name); !ok || got != want {
			t.Errorf("Permission(%q) = %b, %v; want %b", name, got, ok, want)
		}
	}
	if _, ok := Permission("nope"); ok {
		t.Error("Permission(nope) found")
	}
}

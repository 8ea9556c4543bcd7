package inventory

import (
	"math/rand/v2"
	"testing"
)

func TestAccessForFriends(t *testing.T) {
	const owner = 10
	tests := []struct {
		v    Viewer
		vis  Visibility
		want Access
	}{
		{Viewer{UserID: owner, InventoryRead: true}, VisibilityNoOne, AccessFull},
		{Viewer{UserID: owner, InventoryRead: true, Friend: true}, VisibilityFriends, AccessFull},
		{Viewer{UserID: 11, Friend: true}, VisibilityFriends, AccessPublic},
		{Viewer{UserID: 11, InventoryRead: true, Friend: true}, VisibilityFriends, AccessPublic},
		{Viewer{UserID: 11}, VisibilityFriends, AccessNone},
		{Viewer{UserID: 11, Friend: true}, VisibilityNoOne, AccessNone},
		{Viewer{UserID: 0, Friend: true}, VisibilityFriends, AccessNone}, // nobody is anonymous's friend
		{Viewer{UserID: owner, Friend: true}, VisibilityFriends, AccessNone},
		{Viewer{}, VisibilityEveryone, AccessPublic},
	}
	for _, tt := range tests {
		if got := AccessFor(tt.v, owner, tt.vis); got != tt.want {
			t.Errorf("AccessFor(%+v, %s) = %d, want %d", tt.v, tt.vis, got, tt.want)
		}
	}
}

// TestAccessForProperties checks the rule over random viewers: the full
// view is the owner's alone; Friend never grants more than the public view,
// and only of a friends inventory; without Friend the Open Cloud rule is
// unchanged.
func TestAccessForProperties(t *testing.T) {
	r := rand.New(rand.NewPCG(1, 2))
	vis := []Visibility{VisibilityEveryone, VisibilityFriends, VisibilityNoOne}
	for range 100000 {
		owner := int64(r.IntN(4))
		v := Viewer{UserID: int64(r.IntN(4)), InventoryRead: r.IntN(2) == 0, Friend: r.IntN(2) == 0}
		vs := vis[r.IntN(len(vis))]
		got := AccessFor(v, owner, vs)
		if got == AccessFull && (v.UserID != owner || !v.InventoryRead) {
			t.Fatalf("%+v gets the full view of %d", v, owner)
		}
		noFriend := v
		noFriend.Friend = false
		base := AccessFor(noFriend, owner, vs)
		if got != base && !(vs == VisibilityFriends && base == AccessNone && got == AccessPublic && v.UserID != 0) {
			t.Fatalf("Friend turned %d into %d for %+v on %s", base, got, v, vs)
		}
		if vs == VisibilityNoOne && got != AccessNone && v.UserID != owner {
			t.Fatalf("%+v sees a private inventory of %d", v, owner)
		}
	}
}

func TestParseItemType(t *testing.T) {
	for _, tt := range []struct {
		in   string
		want ItemType
		ok   bool
	}{
		{"0", ItemAsset, true}, {"1", ItemGamePass, true}, {"2", ItemBadge, true}, {"3", ItemBundle, true}, {"4", ItemAvatar, true},
		{"Asset", ItemAsset, true}, {"asset", ItemAsset, true}, {"GAMEPASS", ItemGamePass, true}, {"gamePass", ItemGamePass, true},
		{"Badge", ItemBadge, true}, {"bundle", ItemBundle, true}, {"Avatar", ItemAvatar, true},
		{"5", 0, false}, {"00", 0, false}, {"-1", 0, false}, {"", 0, false}, {"Game Pass", 0, false}, {"Gamepasses", 0, false},
		{"ASSET\u212a", 0, false}, {"Hat", 0, false}, {" 1", 0, false},
	} {
		got, ok := ParseItemType(tt.in)
		if ok != tt.ok || (ok && got != tt.want) {
			t.Errorf("ParseItemType(%q) = %v, %v; want %v, %v", tt.in, got, ok, tt.want, tt.ok)
		}
	}
	for i, n := range itemTypeNames {
		if got, ok := ParseItemType(ItemType(i).String()); !ok || got != ItemType(i) || n != got.String() {
			t.Errorf("round trip of %s: %v %v", n, got, ok)
		}
	}
}

func TestParseLegacyType(t *testing.T) {
	for _, tt := range []struct {
		in   string
		want int
		ok   bool
	}{
		{"8", 8, true}, {"Hat", 8, true}, {"hat", 8, true}, {"94", 94, true}, {"Post", 94, true}, {"TShirt", 2, true},
		{"14", 0, false}, {"57", 0, false}, {"0", 0, false}, {"95", 0, false}, {"-8", 0, false}, {"", 0, false},
		{"Hats", 0, false}, {"8.0", 0, false}, {"99999999999999999999", 0, false},
	} {
		got, ok := ParseLegacyType(tt.in)
		if ok != tt.ok || (ok && got != tt.want) {
			t.Errorf("ParseLegacyType(%q) = %d, %v; want %d, %v", tt.in, got, ok, tt.want, tt.ok)
		}
	}
	if len(legacyTypeNames) != 87 {
		t.Errorf("%d asset types, spec 6.3 has 87", len(legacyTypeNames))
	}
	// Every Open Cloud type with a legacy id names a legacy type.
	for i := 1; i < NumAssetTypes; i++ {
		if id := AssetType(i).LegacyID(); id != 0 {
			if _, ok := LegacyTypeName(id); !ok {
				t.Errorf("%s maps to unknown legacy id %d", AssetType(i), id)
			}
		}
	}
}

package filter_test

import (
	"errors"
	"reflect"
	"testing"

	"github.com/invcloud/invcloud/internal/filter"
	"github.com/invcloud/invcloud/internal/inventory"
)

func FuzzParse(f *testing.F) {
	for _, tc := range validCases {
		f.Add(tc.in)
		f.Add(tc.canon)
	}
	for _, tc := range invalidCases {
		f.Add(tc.in)
	}
	for _, s := range []string{
		"inventoryItemAssetTypes=AUDıO",
		"badges=true;gamePasses=true;privateServers=true",
		"assetIds=1;badgeIds=2;gamePassIds=3;privateServerIds=4",
		"inventoryItemAssetTypes=CREATED_PLACE,PURCHASED_PLACE;onlyCollectibles=false",
		"=", ";;", ",", "*", "assetIds=,,", "a=b=c;d",
	} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		got, err := filter.Parse(s)
		if err != nil {
			var fe *filter.Error
			if !errors.As(err, &fe) {
				t.Fatalf("Parse(%q) error %T %v is not a *filter.Error", s, err, err)
			}
			if fe.Msg == "" || err.Error() == "" {
				t.Fatalf("Parse(%q) returned an empty error message", s)
			}
			if !reflect.DeepEqual(got, filter.Filter{}) {
				t.Fatalf("Parse(%q) returned %#v with error %q, want zero Filter", s, got, err)
			}
			return
		}
		if len(s) > filter.MaxLength {
			t.Fatalf("Parse accepted a filter of %d bytes", len(s))
		}
		checkInvariants(t, s, got)

		canon := got.String()
		again, err := filter.Parse(canon)
		if err != nil {
			t.Fatalf("Parse(%q) ok, but its canonical form %q fails: %v", s, canon, err)
		}
		if !reflect.DeepEqual(again, got) {
			t.Fatalf("Parse(%q) = %#v\nbut Parse(canonical %q) = %#v", s, got, canon, again)
		}
		if s2 := again.String(); s2 != canon {
			t.Fatalf("canonical form not stable: %q -> %q -> %q", s, canon, s2)
		}
		if got.IsZero() != (canon == "") {
			t.Fatalf("Parse(%q): IsZero()=%v but String()=%q", s, got.IsZero(), canon)
		}
		q := got.Query()
		if got.IsZero() && !reflect.DeepEqual(q, inventory.Everything) {
			t.Fatalf("Parse(%q): zero filter's Query() = %+v, want Everything", s, q)
		}
		_ = got.NeedsInventoryRead()
	})
}

func checkInvariants(t *testing.T, s string, f filter.Filter) {
	t.Helper()
	lists := map[string][]int64{
		"AssetIDs": f.AssetIDs, "BadgeIDs": f.BadgeIDs,
		"GamePassIDs": f.GamePassIDs, "PrivateServerIDs": f.PrivateServerIDs,
	}
	hasIDs := false
	for name, ids := range lists {
		if ids == nil {
			continue
		}
		hasIDs = true
		if len(ids) == 0 {
			t.Fatalf("Parse(%q): %s is empty but not nil", s, name)
		}
		if len(ids) > filter.MaxIDs {
			t.Fatalf("Parse(%q): %s has %d IDs, more than MaxIDs", s, name, len(ids))
		}
		for i, id := range ids {
			if id <= 0 {
				t.Fatalf("Parse(%q): %s has non-positive ID %d", s, name, id)
			}
			if i > 0 && ids[i-1] >= id {
				t.Fatalf("Parse(%q): %s = %v is not sorted and unique", s, name, ids)
			}
		}
	}
	hasTypes := f.AssetTypes != 0 || f.AllAssetTypes || f.OnlyCollectibles || f.Badges || f.GamePasses || f.PrivateServers
	if hasIDs && hasTypes {
		t.Fatalf("Parse(%q) = %#v mixes type and ID fields", s, f)
	}
	if f.AssetTypes&^inventory.AllTypes != 0 {
		t.Fatalf("Parse(%q): AssetTypes %#x has bits outside the enum", s, uint64(f.AssetTypes))
	}
	if f.AllAssetTypes && f.AssetTypes != inventory.AllTypes {
		t.Fatalf("Parse(%q): AllAssetTypes with AssetTypes %#x", s, uint64(f.AssetTypes))
	}
	if f.OnlyCollectibles && f.AssetTypes == 0 {
		t.Fatalf("Parse(%q): OnlyCollectibles without asset types", s)
	}
}

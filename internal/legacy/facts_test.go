package legacy_test

import (
	"slices"
	"sync"

	"github.com/invcloud/invcloud/internal/demo"
	"github.com/invcloud/invcloud/internal/inventory"
)

// facts are ids of the demo data set the tests use, found rather than
// hard-coded so they follow the data set.
type facts struct {
	guideHats      []int64 // ordinary hats GuideUser owns, ascending
	limiteds       []int64 // Roblox limiteds, in catalog order
	createdPlace   int64   // a place GuideUser created
	purchasedPlace int64   // a place GuideUser bought (CollectorUser's)
	crownItem      string  // collectible item id of the UGC crown
	owned          map[int64]map[inventory.Ref]bool
	assets         map[int64]inventory.Asset
}

var demoFacts = sync.OnceValue(func() facts {
	set := demo.Set()
	f := facts{owned: map[int64]map[inventory.Ref]bool{}, assets: map[int64]inventory.Asset{}}
	for _, a := range set.Assets {
		f.assets[a.ID] = a
		if a.Collectible && a.CreatorID == 1 {
			f.limiteds = append(f.limiteds, a.ID)
		}
		if a.ID == demo.UGCCrown {
			f.crownItem = a.CollectibleItemID
		}
	}
	for _, o := range set.Ownerships {
		if f.owned[o.UserID] == nil {
			f.owned[o.UserID] = map[inventory.Ref]bool{}
		}
		ref := inventory.Ref{Kind: o.Item.Kind, ID: o.Item.ID}
		if o.Item.Kind == inventory.KindAsset {
			ref.ID = o.Item.AssetID
		}
		f.owned[o.UserID][ref] = true
		if o.UserID != demo.GuideUser || o.Item.Kind != inventory.KindAsset {
			continue
		}
		a := f.assets[o.Item.AssetID]
		switch {
		case a.LegacyType == 8 && !a.Collectible:
			f.guideHats = append(f.guideHats, a.ID)
		case a.LegacyType == inventory.LegacyPlace && a.CreatorID == demo.GuideUser && f.createdPlace == 0:
			f.createdPlace = a.ID
		case a.LegacyType == inventory.LegacyPlace && a.CreatorID != demo.GuideUser:
			f.purchasedPlace = a.ID
		}
	}
	slices.Sort(f.guideHats)
	return f
})

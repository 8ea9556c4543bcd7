package legacy_test

import (
	"context"
	"testing"

	"github.com/invcloud/invcloud/internal/inventory"
	"github.com/invcloud/invcloud/internal/store"
)

// The purchased-place data set: buyer (public inventory) bought a place its
// creator catalogued as collectible, and owns a limited hat; the creator
// holds a copy of its own place (a created place, which anyone may see).
const (
	ppBuyer   = 60
	ppOther   = 61
	ppCreator = 62
	ppPlace   = 7001
	ppHat     = 7002
	ppItem    = "d0000000-0000-4000-8000-000000007001"
)

func purchasedPlaceEnv(t *testing.T) *env {
	t.Helper()
	e := newEnv(t)
	var b store.Batch
	for _, u := range []struct {
		id   int64
		name string
	}{{ppBuyer, "Buyer"}, {ppOther, "Other"}, {ppCreator, "Creator"}} {
		b.Users = append(b.Users, inventory.User{ID: u.id, Name: u.name, DisplayName: u.name, Visibility: inventory.VisibilityEveryone, Created: testNow})
	}
	b.Assets = []inventory.Asset{
		{ID: ppPlace, Name: "Limited place", LegacyType: inventory.LegacyPlace, CreatorID: ppCreator, Collectible: true, CollectibleItemID: ppItem, Created: testNow},
		{ID: ppHat, Name: "Limited hat", LegacyType: 8, CreatorID: 1, Collectible: true, CollectibleItemID: "d0000000-0000-4000-8000-000000007002", Created: testNow},
	}
	copyOf := func(user, id, asset int64, typ inventory.AssetType, item, instance string) store.Ownership {
		return store.Ownership{UserID: user, Item: inventory.Item{Kind: inventory.KindAsset, ID: id, AssetID: asset, AssetType: typ, AddTime: testNow,
			Collectible: &inventory.Collectible{ItemID: item, InstanceID: instance, State: inventory.CollectibleStateAvailable}}}
	}
	b.Ownerships = []store.Ownership{
		copyOf(ppBuyer, 70001, ppPlace, inventory.AssetTypePurchasedPlace, ppItem, "e0000000-0000-4000-8000-000000070001"),
		copyOf(ppBuyer, 70002, ppHat, inventory.AssetTypeHat, "d0000000-0000-4000-8000-000000007002", "e0000000-0000-4000-8000-000000070002"),
		copyOf(ppCreator, 70003, ppPlace, inventory.AssetTypeCreatedPlace, ppItem, "e0000000-0000-4000-8000-000000070003"),
	}
	if err := e.Store.Import(context.Background(), b); err != nil {
		t.Fatal(err)
	}
	for _, id := range []int64{ppBuyer, ppOther, ppCreator} {
		e.session(id)
	}
	return e
}

// TestPurchasedPlaceListings: a purchased place catalogued as collectible
// is shown only to its owner, on the two listings that page through
// collectibles, as on every other surface (inventory.Access.VisibleTypes).
func TestPurchasedPlaceListings(t *testing.T) {
	e := purchasedPlaceEnv(t)
	const (
		place = `{"userAssetId":70001,"serialNumber":null,"assetId":7001,"name":"Limited place","recentAveragePrice":0,"originalPrice":null,"assetStock":null,"buildersClubMembershipType":0,"isOnHold":false}`
		hat   = `{"userAssetId":70002,"serialNumber":null,"assetId":7002,"name":"Limited hat","recentAveragePrice":0,"originalPrice":null,"assetStock":null,"buildersClubMembershipType":0,"isOnHold":false}`

		bought       = `{"id":70001,"collectibleItemInstanceId":"e0000000-0000-4000-8000-000000070001","serialNumber":null,"owner":{"id":60,"type":"User","name":"Buyer"},"created":"2026-06-01T12:00:00Z","updated":"2026-06-01T12:00:00Z"}`
		boughtHidden = `{"id":70001,"collectibleItemInstanceId":"e0000000-0000-4000-8000-000000070001","serialNumber":null,"owner":null,"created":"2026-06-01T12:00:00Z","updated":"2026-06-01T12:00:00Z"}`
		created      = `{"id":70003,"collectibleItemInstanceId":"e0000000-0000-4000-8000-000000070003","serialNumber":null,"owner":{"id":62,"type":"User","name":"Creator"},"created":"2026-06-01T12:00:00Z","updated":"2026-06-01T12:00:00Z"}`

		itemBoughtHidden = `{"collectibleItemInstanceId":"e0000000-0000-4000-8000-000000070001","serialNumber":null,"owner":null}`
		itemCreated      = `{"collectibleItemInstanceId":"e0000000-0000-4000-8000-000000070003","serialNumber":null,"owner":{"id":62,"type":"User","name":"Creator"}}`
	)
	page := func(items ...string) string {
		body := `{"previousPageCursor":null,"nextPageCursor":null,"data":[`
		for i, it := range items {
			if i > 0 {
				body += ","
			}
			body += it
		}
		return body + `]}`
	}
	collectibles := "/v1/users/60/assets/collectibles?limit=10"
	owners := "/v2/assets/7001/owners?limit=10"
	itemOwners := "/v2/collectible-items/" + ppItem + "/owners"
	tests := []struct {
		name   string
		target string
		as     int64
		want   string
	}{
		{"collectibles, anonymous", collectibles, 0, page(hat)},
		{"collectibles, other user", collectibles, ppOther, page(hat)},
		{"collectibles, the place's creator", collectibles, ppCreator, page(hat)},
		{"collectibles, owner", collectibles, ppBuyer, page(place, hat)},
		{"collectibles of type Place, anonymous", collectibles + "&assetType=Place", 0, page()},
		{"collectibles of type Place, owner", collectibles + "&assetType=Place", ppBuyer, page(place)},
		// limit 10 is the smallest, so paging past the hidden copy is
		// covered by the store's conformance suite (storetest).
		{"collectibles descending, anonymous", collectibles + "&sortOrder=Desc", 0, page(hat)},
		{"owners, anonymous", owners, 0, page(boughtHidden, created)},
		{"owners, other user", owners, ppOther, page(boughtHidden, created)},
		{"owners, the place's creator", owners, ppCreator, page(boughtHidden, created)},
		{"owners, owner", owners, ppBuyer, page(bought, created)},
		{"collectible item owners, the creator", itemOwners, ppCreator, page(itemBoughtHidden, itemCreated)},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			resp := e.get(tt.target, tt.as)
			if resp.Status != 200 || string(resp.Body) != tt.want {
				t.Errorf("GET %s as %d: %d %s\nwant 200 %s", tt.target, tt.as, resp.Status, resp.Body, tt.want)
			}
		})
	}
}

package storetest

import (
	"errors"
	"reflect"
	"slices"
	"sync"
	"testing"
	"time"

	"github.com/invcloud/invcloud/internal/inventory"
	"github.com/invcloud/invcloud/internal/store"
)

// RunLegacy runs the conformance suite of store.LegacyStore and of the
// legacy rows of Import and Copy. open is as for Run.
func RunLegacy(t *testing.T, open func(t *testing.T) store.Store) {
	tests := []struct {
		name string
		fn   func(t *testing.T, s store.Store)
	}{
		{"Friends", testLegacyFriends},
		{"Bundles", testLegacyBundles},
		{"Packages", testLegacyPackages},
		{"Places", testLegacyPlaces},
		{"Favorites", testLegacyFavorites},
		{"Collections", testLegacyCollections},
		{"UserCollectibles", testLegacyUserCollectibles},
		{"UserAssets", testLegacyUserAssets},
		{"CollectibleOwners", testLegacyCollectibleOwners},
		{"AssetByCollectibleItem", testLegacyAssetByCollectibleItem},
		{"Concurrent", testLegacyConcurrent},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) { tt.fn(t, open(t)) })
	}
	t.Run("CopyRoundTrip", func(t *testing.T) { testLegacyCopyRoundTrip(t, open) })
}

func i64(n int64) *int64 { return &n }

func testLegacyFriends(t *testing.T, s store.Store) {
	createUsers(t, s, 1, 2, 3)
	mustNil(t, s.AddFriend(ctx, 1, 2, now), "AddFriend(1, 2)")
	wantErr(t, s.AddFriend(ctx, 2, 1, now), store.ErrExists, "AddFriend(2, 1) again")
	wantErr(t, s.AddFriend(ctx, 1, 99, now), store.ErrNotFound, "AddFriend(1, unknown)")
	if err := s.AddFriend(ctx, 3, 3, now); err == nil {
		t.Error("AddFriend(3, 3) succeeded")
	}
	for _, c := range []struct {
		a, b int64
		want bool
	}{{1, 2, true}, {2, 1, true}, {1, 3, false}, {3, 2, false}, {1, 1, false}} {
		got, err := s.AreFriends(ctx, c.a, c.b)
		mustNil(t, err, "AreFriends")
		if got != c.want {
			t.Errorf("AreFriends(%d, %d) = %v, want %v", c.a, c.b, got, c.want)
		}
	}
	mustNil(t, s.AddFriend(ctx, 3, 1, now), "AddFriend(3, 1)")
	ids, err := s.Friends(ctx, 1)
	mustNil(t, err, "Friends")
	if !slices.Equal(ids, []int64{2, 3}) {
		t.Errorf("Friends(1) = %v, want [2 3]", ids)
	}
	mustNil(t, s.RemoveFriend(ctx, 2, 1), "RemoveFriend(2, 1)")
	wantErr(t, s.RemoveFriend(ctx, 1, 2), store.ErrNotFound, "RemoveFriend again")
	if ok, _ := s.AreFriends(ctx, 1, 2); ok {
		t.Error("still friends after RemoveFriend")
	}
	ids, _ = s.Friends(ctx, 2)
	if len(ids) != 0 {
		t.Errorf("Friends(2) = %v after removal", ids)
	}
}

func testLegacyBundles(t *testing.T, s store.Store) {
	loadFixture(t, s)
	b := store.Bundle{ID: 500, Name: "Knight", Type: inventory.BundleBodyParts, CreatorID: 1, Created: now, AssetIDs: []int64{105, 101}}
	mustNil(t, s.PutBundle(ctx, b), "PutBundle")
	got, err := s.Bundle(ctx, 500)
	mustNil(t, err, "Bundle")
	b.AssetIDs = []int64{101, 105}
	if !reflect.DeepEqual(got, b) {
		t.Errorf("Bundle = %+v, want %+v", got, b)
	}
	b.Name, b.AssetIDs = "Knight v2", []int64{103}
	mustNil(t, s.PutBundle(ctx, b), "PutBundle (replace)")
	got, _ = s.Bundle(ctx, 500)
	if got.Name != "Knight v2" || !slices.Equal(got.AssetIDs, []int64{103}) {
		t.Errorf("replaced bundle = %+v", got)
	}
	wantErr(t, s.PutBundle(ctx, store.Bundle{ID: 501, Name: "x", Created: now, AssetIDs: []int64{999}}), store.ErrNotFound, "PutBundle with unknown asset")
	_, err = s.Bundle(ctx, 501)
	wantErr(t, err, store.ErrNotFound, "Bundle(501)")

	mustNil(t, s.GrantBundle(ctx, 1, 500, now), "GrantBundle")
	wantErr(t, s.GrantBundle(ctx, 1, 500, now), store.ErrExists, "GrantBundle again")
	wantErr(t, s.GrantBundle(ctx, 1, 999, now), store.ErrNotFound, "GrantBundle unknown bundle")
	wantErr(t, s.GrantBundle(ctx, 99, 500, now), store.ErrNotFound, "GrantBundle unknown user")
	for _, c := range []struct {
		user int64
		want bool
	}{{1, true}, {2, false}} {
		ok, err := s.OwnsBundle(ctx, c.user, 500)
		mustNil(t, err, "OwnsBundle")
		if ok != c.want {
			t.Errorf("OwnsBundle(%d) = %v", c.user, ok)
		}
	}
	mustNil(t, s.RevokeBundle(ctx, 1, 500), "RevokeBundle")
	wantErr(t, s.RevokeBundle(ctx, 1, 500), store.ErrNotFound, "RevokeBundle again")
}

func testLegacyPackages(t *testing.T, s store.Store) {
	loadFixture(t, s)
	mustNil(t, s.PutPackage(ctx, store.PackageContents{PackageID: 103, AssetIDs: []int64{105, 101}}), "PutPackage")
	ids, err := s.PackageAssets(ctx, 103)
	mustNil(t, err, "PackageAssets")
	if !slices.Equal(ids, []int64{101, 105}) {
		t.Errorf("PackageAssets = %v", ids)
	}
	wantErr(t, s.PutPackage(ctx, store.PackageContents{PackageID: 999, AssetIDs: []int64{101}}), store.ErrNotFound, "PutPackage unknown package")
	wantErr(t, s.PutPackage(ctx, store.PackageContents{PackageID: 103, AssetIDs: []int64{999}}), store.ErrNotFound, "PutPackage unknown content")
	ids, err = s.PackageAssets(ctx, 104)
	mustNil(t, err, "PackageAssets(104)")
	if len(ids) != 0 {
		t.Errorf("PackageAssets of a non-package = %v", ids)
	}
}

func testLegacyPlaces(t *testing.T, s store.Store) {
	loadFixture(t, s)
	mustNil(t, s.PutPlace(ctx, store.Place{AssetID: 103, UniverseID: 7}), "PutPlace")
	mustNil(t, s.PutPlace(ctx, store.Place{AssetID: 104, UniverseID: 8, PriceInRobux: i64(25)}), "PutPlace")
	wantErr(t, s.PutPlace(ctx, store.Place{AssetID: 999, UniverseID: 1}), store.ErrNotFound, "PutPlace unknown asset")
	mustNil(t, s.AddPlaceToTab(ctx, 1, 0, 103, now), "AddPlaceToTab")
	mustNil(t, s.AddPlaceToTab(ctx, 1, 0, 104, now), "AddPlaceToTab")
	mustNil(t, s.AddPlaceToTab(ctx, 1, 3, 104, now), "AddPlaceToTab (other tab)")
	wantErr(t, s.AddPlaceToTab(ctx, 1, 0, 103, now), store.ErrExists, "AddPlaceToTab again")
	wantErr(t, s.AddPlaceToTab(ctx, 1, 0, 101, now), store.ErrNotFound, "AddPlaceToTab of an asset without place data")
	wantErr(t, s.AddPlaceToTab(ctx, 99, 0, 103, now), store.ErrNotFound, "AddPlaceToTab unknown user")

	ids := func(ls []store.PlaceListing) []int64 {
		var out []int64
		for _, l := range ls {
			out = append(out, l.Place.AssetID)
		}
		return out
	}
	all, err := s.PlacesInTab(ctx, 1, 0, store.Span{Limit: 10})
	mustNil(t, err, "PlacesInTab")
	if !slices.Equal(ids(all), []int64{103, 104}) || all[0].Position >= all[1].Position {
		t.Fatalf("PlacesInTab = %+v", all)
	}
	p := all[1]
	if p.Name != "Their place" || p.CreatorID != 99 || p.CreatorName != "" || p.Place.UniverseID != 8 || p.Place.PriceInRobux == nil || *p.Place.PriceInRobux != 25 {
		t.Errorf("listing = %+v", p)
	}
	if all[0].CreatorName != "one" || all[0].Place.PriceInRobux != nil {
		t.Errorf("listing = %+v", all[0])
	}
	page, _ := s.PlacesInTab(ctx, 1, 0, store.Span{From: all[0].Position, Limit: 10})
	if !slices.Equal(ids(page), []int64{104}) {
		t.Errorf("after first: %v", ids(page))
	}
	page, _ = s.PlacesInTab(ctx, 1, 0, store.Span{Desc: true, Limit: 1})
	if !slices.Equal(ids(page), []int64{104}) {
		t.Errorf("desc limit 1: %v", ids(page))
	}
	page, _ = s.PlacesInTab(ctx, 1, 0, store.Span{Desc: true, From: all[1].Position, Limit: 5})
	if !slices.Equal(ids(page), []int64{103}) {
		t.Errorf("desc before last: %v", ids(page))
	}
	mustNil(t, s.RemovePlaceFromTab(ctx, 1, 0, 103), "RemovePlaceFromTab")
	wantErr(t, s.RemovePlaceFromTab(ctx, 1, 0, 103), store.ErrNotFound, "RemovePlaceFromTab again")
	mustNil(t, s.AddPlaceToTab(ctx, 1, 0, 103, now), "AddPlaceToTab again")
	page, _ = s.PlacesInTab(ctx, 1, 0, store.Span{Limit: 10})
	if !slices.Equal(ids(page), []int64{104, 103}) {
		t.Errorf("re-added place goes last: %v", ids(page))
	}
}

func testLegacyFavorites(t *testing.T, s store.Store) {
	loadFixture(t, s)
	mustNil(t, s.PutBundle(ctx, store.Bundle{ID: 500, Name: "Anim", Type: inventory.BundleAvatarAnimations, Created: now}), "PutBundle")
	asset := func(id int64) inventory.ItemRef { return inventory.ItemRef{Type: inventory.ItemAsset, ID: id} }
	for _, id := range []int64{105, 101, 102} {
		mustNil(t, s.AddFavorite(ctx, 2, asset(id), now), "AddFavorite")
	}
	mustNil(t, s.AddFavorite(ctx, 2, inventory.ItemRef{Type: inventory.ItemBundle, ID: 500}, now), "AddFavorite bundle")
	wantErr(t, s.AddFavorite(ctx, 2, asset(101), now), store.ErrExists, "AddFavorite again")
	wantErr(t, s.AddFavorite(ctx, 2, asset(999), now), store.ErrNotFound, "AddFavorite unknown asset")
	wantErr(t, s.AddFavorite(ctx, 2, inventory.ItemRef{Type: inventory.ItemBundle, ID: 999}, now), store.ErrNotFound, "AddFavorite unknown bundle")
	wantErr(t, s.AddFavorite(ctx, 99, asset(101), now), store.ErrNotFound, "AddFavorite unknown user")
	at, bt, err := s.FavoriteTypes(ctx, 2)
	mustNil(t, err, "FavoriteTypes")
	if !slices.Equal(at, []int{8, 18}) || !slices.Equal(bt, []inventory.BundleType{inventory.BundleAvatarAnimations}) {
		t.Errorf("FavoriteTypes = %v %v", at, bt)
	}
	mustNil(t, s.RemoveFavorite(ctx, 2, asset(105)), "RemoveFavorite")
	wantErr(t, s.RemoveFavorite(ctx, 2, asset(105)), store.ErrNotFound, "RemoveFavorite again")
	at, _, _ = s.FavoriteTypes(ctx, 2)
	if !slices.Equal(at, []int{8}) {
		t.Errorf("FavoriteTypes after removal = %v", at)
	}
	at, bt, err = s.FavoriteTypes(ctx, 1)
	mustNil(t, err, "FavoriteTypes(1)")
	if len(at) != 0 || len(bt) != 0 {
		t.Errorf("FavoriteTypes(1) = %v %v", at, bt)
	}
}

func testLegacyCollections(t *testing.T, s store.Store) {
	loadFixture(t, s)
	mustNil(t, s.PutBundle(ctx, store.Bundle{ID: 500, Name: "B", Type: inventory.BundleBodyParts, Created: now}), "PutBundle")
	asset := func(id int64) inventory.ItemRef { return inventory.ItemRef{Type: inventory.ItemAsset, ID: id} }
	bundle := inventory.ItemRef{Type: inventory.ItemBundle, ID: 500}
	mustNil(t, s.AddToCollection(ctx, 1, asset(106), 3, now.Add(2*time.Second)), "AddToCollection")
	mustNil(t, s.AddToCollection(ctx, 1, bundle, 3, now.Add(time.Second)), "AddToCollection bundle")
	wantErr(t, s.AddToCollection(ctx, 1, asset(106), 3, now), store.ErrExists, "AddToCollection again")
	wantErr(t, s.AddToCollection(ctx, 1, asset(999), 3, now), store.ErrNotFound, "AddToCollection unknown")
	mustNil(t, s.AddToCollection(ctx, 1, asset(101), 3, now.Add(3*time.Second)), "AddToCollection third")
	wantErr(t, s.AddToCollection(ctx, 1, asset(105), 3, now), store.ErrFull, "AddToCollection when full")
	wantErr(t, s.AddToCollection(ctx, 1, asset(101), 3, now), store.ErrExists, "AddToCollection of a present item when full")
	got, err := s.Collection(ctx, 1)
	mustNil(t, err, "Collection")
	want := []store.UserItem{
		{UserID: 1, Item: bundle, Added: now.Add(time.Second)},
		{UserID: 1, Item: asset(106), Added: now.Add(2 * time.Second)},
		{UserID: 1, Item: asset(101), Added: now.Add(3 * time.Second)},
	}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("Collection = %+v\nwant %+v", got, want)
	}
	mustNil(t, s.RemoveFromCollection(ctx, 1, asset(106)), "RemoveFromCollection")
	wantErr(t, s.RemoveFromCollection(ctx, 1, asset(106)), store.ErrNotFound, "RemoveFromCollection again")
	mustNil(t, s.AddToCollection(ctx, 1, asset(105), 3, now), "AddToCollection after removal")
	got, _ = s.Collection(ctx, 2)
	if len(got) != 0 {
		t.Errorf("Collection(2) = %v", got)
	}
	// Revoking an asset takes it out of the collection too.
	_, err = s.Revoke(ctx, 1, inventory.Ref{Kind: inventory.KindAsset, ID: 101})
	mustNil(t, err, "Revoke")
	got, _ = s.Collection(ctx, 1)
	for _, it := range got {
		if it.Item == asset(101) {
			t.Errorf("revoked asset 101 still in the collection: %+v", got)
		}
	}
	if len(got) != 2 {
		t.Errorf("Collection after revoke = %+v, want the bundle and asset 105", got)
	}
}

func ownedIDs(os []store.OwnedAsset) []int64 {
	var out []int64
	for _, o := range os {
		out = append(out, o.Item.ID)
	}
	return out
}

func ownerIDs(os []store.AssetOwner) []int64 {
	var out []int64
	for _, o := range os {
		out = append(out, o.Item.ID)
	}
	return out
}

func testLegacyUserCollectibles(t *testing.T, s store.Store) {
	loadFixture(t, s)
	mustNil(t, s.PutAssetPrice(ctx, store.AssetPrice{AssetID: 102, RecentAveragePrice: 1768, OriginalPrice: i64(100), AssetStock: i64(500)}), "PutAssetPrice")
	mustNil(t, s.PutAssetPrice(ctx, store.AssetPrice{AssetID: 106, RecentAveragePrice: 5}), "PutAssetPrice")
	mustNil(t, s.PutAssetPrice(ctx, store.AssetPrice{AssetID: 106, RecentAveragePrice: 7}), "PutAssetPrice (replace)")
	wantErr(t, s.PutAssetPrice(ctx, store.AssetPrice{AssetID: 999}), store.ErrNotFound, "PutAssetPrice unknown")
	for _, c := range []struct {
		typ  int
		sp   store.Span
		want []int64
	}{
		{0, store.Span{Limit: 10}, []int64{1002, 1005, 1006}},
		{0, store.Span{Limit: 2}, []int64{1002, 1005}},
		{0, store.Span{From: 1002, Limit: 10}, []int64{1005, 1006}},
		{0, store.Span{Desc: true, Limit: 10}, []int64{1006, 1005, 1002}},
		{0, store.Span{Desc: true, From: 1006, Limit: 1}, []int64{1005}},
		{8, store.Span{Limit: 10}, []int64{1002, 1005}},
		{42, store.Span{Limit: 10}, []int64{1006}},
		{18, store.Span{Limit: 10}, nil},
	} {
		got, err := s.UserCollectibles(ctx, 1, c.typ, inventory.AllTypes, c.sp)
		mustNil(t, err, "UserCollectibles")
		if !slices.Equal(ownedIDs(got), c.want) {
			t.Errorf("UserCollectibles(type %d, %+v) = %v, want %v", c.typ, c.sp, ownedIDs(got), c.want)
		}
	}
	got, _ := s.UserCollectibles(ctx, 1, 0, inventory.AllTypes, store.Span{Limit: 10})
	o := got[1]
	if o.UserID != 1 || o.Item.AssetID != 102 || o.Item.Collectible == nil || o.Item.Collectible.SerialNumber != 2 ||
		o.Item.Collectible.State != inventory.CollectibleStateHold || o.Asset.Name != "Serialized hat" || o.Asset.LegacyType != 8 ||
		!o.Asset.Serialized || o.Price.RecentAveragePrice != 1768 || *o.Price.OriginalPrice != 100 || *o.Price.AssetStock != 500 {
		t.Errorf("collectible = %+v", o)
	}
	if p := got[2].Price; p.AssetID != 106 || p.RecentAveragePrice != 7 || p.OriginalPrice != nil || p.AssetStock != nil {
		t.Errorf("price of 106 = %+v", p)
	}
	got, _ = s.UserCollectibles(ctx, 2, 0, inventory.AllTypes, store.Span{Limit: 10})
	if !slices.Equal(ownedIDs(got), []int64{2003}) || got[0].Price.AssetID != 102 {
		t.Errorf("UserCollectibles(2) = %+v", got)
	}
	testCollectiblePlaces(t, s)
}

// Collectible places of user 1: 1007 purchased (created by 99), 1008 its own.
const (
	itemPurchasedPlace = "c1000000-0000-4000-8000-000000000007"
	itemOwnPlace       = "c1000000-0000-4000-8000-000000000008"
)

// addCollectiblePlaces adds to the fixture a place catalogued as
// collectible that user 1 bought (1007) and one user 1 created (1008).
func addCollectiblePlaces(t *testing.T, s store.Store) {
	t.Helper()
	b := store.Batch{
		Assets: []inventory.Asset{
			{ID: 107, Name: "Limited place", LegacyType: inventory.LegacyPlace, CreatorID: 99, Collectible: true, CollectibleItemID: itemPurchasedPlace, Created: now},
			{ID: 108, Name: "Own limited place", LegacyType: inventory.LegacyPlace, CreatorID: 1, Collectible: true, CollectibleItemID: itemOwnPlace, Created: now},
		},
		Ownerships: []store.Ownership{
			{UserID: 1, Item: inventory.Item{Kind: inventory.KindAsset, ID: 1007, AssetID: 107, AssetType: inventory.AssetTypePurchasedPlace, AddTime: now,
				Collectible: &inventory.Collectible{ItemID: itemPurchasedPlace, InstanceID: "c0000000-0000-4000-8000-000000000007", State: inventory.CollectibleStateAvailable}}},
			{UserID: 1, Item: inventory.Item{Kind: inventory.KindAsset, ID: 1008, AssetID: 108, AssetType: inventory.AssetTypeCreatedPlace, AddTime: now,
				Collectible: &inventory.Collectible{ItemID: itemOwnPlace, InstanceID: "c0000000-0000-4000-8000-000000000008", State: inventory.CollectibleStateAvailable}}},
		},
	}
	mustNil(t, s.Import(ctx, b), "Import collectible places")
}

// testCollectiblePlaces checks that UserCollectibles keeps only the asset
// types it is given, in SQL: a page skips a left-out row and still fills.
func testCollectiblePlaces(t *testing.T, s store.Store) {
	addCollectiblePlaces(t, s)
	public := inventory.AccessPublic.VisibleTypes()
	for _, c := range []struct {
		name  string
		typ   int
		types inventory.TypeSet
		sp    store.Span
		want  []int64
	}{
		{"all types", 0, inventory.AllTypes, store.Span{Limit: 10}, []int64{1002, 1005, 1006, 1007, 1008}},
		{"public types", 0, public, store.Span{Limit: 10}, []int64{1002, 1005, 1006, 1008}},
		{"no types", 0, 0, store.Span{Limit: 10}, nil},
		{"places, all types", inventory.LegacyPlace, inventory.AllTypes, store.Span{Limit: 10}, []int64{1007, 1008}},
		{"places, public types", inventory.LegacyPlace, public, store.Span{Limit: 10}, []int64{1008}},
		{"page after the hidden row fills", 0, public, store.Span{From: 1006, Limit: 1}, []int64{1008}},
		{"page across the hidden row fills", 0, public, store.Span{From: 1005, Limit: 2}, []int64{1006, 1008}},
		{"descending past the hidden row", 0, public, store.Span{Desc: true, Limit: 2}, []int64{1008, 1006}},
		{"descending from the hidden row", 0, public, store.Span{Desc: true, From: 1008, Limit: 1}, []int64{1006}},
	} {
		got, err := s.UserCollectibles(ctx, 1, c.typ, c.types, c.sp)
		mustNil(t, err, "UserCollectibles")
		if !slices.Equal(ownedIDs(got), c.want) {
			t.Errorf("%s: UserCollectibles(type %d, %s, %+v) = %v, want %v", c.name, c.typ, c.types, c.sp, ownedIDs(got), c.want)
		}
	}
	// The owners listing carries each copy's asset type, which the
	// visibility rule needs per row.
	owners, err := s.CollectibleOwners(ctx, 107, 0, store.Span{Limit: 10})
	mustNil(t, err, "CollectibleOwners")
	if len(owners) != 1 || owners[0].Item.ID != 1007 || owners[0].Item.AssetType != inventory.AssetTypePurchasedPlace {
		t.Errorf("owners of the purchased place = %+v", owners)
	}
}

func testLegacyUserAssets(t *testing.T, s store.Store) {
	loadFixture(t, s)
	for _, c := range []struct {
		user  int64
		types []int
		sp    store.Span
		want  []int64
	}{
		{1, []int{8}, store.Span{Limit: 10}, []int64{1001, 1002, 1005}},
		{1, []int{8, 9}, store.Span{Limit: 10}, []int64{1001, 1002, 1003, 1004, 1005}},
		{1, []int{8, 9}, store.Span{From: 1003, Limit: 10}, []int64{1004, 1005}},
		{1, []int{8, 9}, store.Span{Desc: true, Limit: 2}, []int64{1005, 1004}},
		{1, []int{8, 9}, store.Span{Desc: true, From: 1004, Limit: 10}, []int64{1003, 1002, 1001}},
		{1, []int{42}, store.Span{Limit: 10}, []int64{1006}},
		{2, []int{18, 8}, store.Span{Limit: 10}, []int64{2001, 2002, 2003}},
		{2, []int{1}, store.Span{Limit: 10}, nil},
		{3, []int{8}, store.Span{Limit: 10}, nil},
	} {
		got, err := s.UserAssets(ctx, c.user, c.types, c.sp)
		mustNil(t, err, "UserAssets")
		if !slices.Equal(ownedIDs(got), c.want) {
			t.Errorf("UserAssets(%d, %v, %+v) = %v, want %v", c.user, c.types, c.sp, ownedIDs(got), c.want)
		}
	}
	got, _ := s.UserAssets(ctx, 1, []int{9}, store.Span{Limit: 10})
	if len(got) != 2 || got[0].Item.AssetType != inventory.AssetTypeCreatedPlace || got[1].Item.AssetType != inventory.AssetTypePurchasedPlace ||
		got[1].Asset.CreatorID != 99 || !got[1].Item.AddTime.IsZero() || !got[0].Asset.Created.Equal(now) || got[0].Price.AssetID != 0 {
		t.Errorf("places = %+v", got)
	}
}

func testLegacyCollectibleOwners(t *testing.T, s store.Store) {
	loadFixture(t, s)
	mustNil(t, s.SetVisibility(ctx, 2, inventory.VisibilityFriends), "SetVisibility")
	mustNil(t, s.AddFriend(ctx, 3, 2, now), "AddFriend")
	got, err := s.CollectibleOwners(ctx, 102, 3, store.Span{Limit: 10})
	mustNil(t, err, "CollectibleOwners")
	if !slices.Equal(ownerIDs(got), []int64{1002, 1005, 2003}) {
		t.Fatalf("owners = %v", ownerIDs(got))
	}
	if got[0].Owner.ID != 1 || got[0].Owner.Name != "one" || got[0].ViewerIsFriend || got[0].Owner.Visibility != inventory.VisibilityEveryone {
		t.Errorf("owner 0 = %+v", got[0])
	}
	if got[2].Owner.ID != 2 || !got[2].ViewerIsFriend || got[2].Owner.Visibility != inventory.VisibilityFriends || got[2].Item.Collectible.SerialNumber != 3 {
		t.Errorf("owner 2 = %+v", got[2])
	}
	for _, c := range []struct {
		asset int64
		sp    store.Span
		want  []int64
	}{
		{102, store.Span{From: 1002, Limit: 1}, []int64{1005}},
		{102, store.Span{Desc: true, Limit: 2}, []int64{2003, 1005}},
		{102, store.Span{Desc: true, From: 1005, Limit: 2}, []int64{1002}},
		{106, store.Span{Limit: 10}, []int64{1006}},
		{101, store.Span{Limit: 10}, nil}, // not a collectible
		{999, store.Span{Limit: 10}, nil},
	} {
		got, err := s.CollectibleOwners(ctx, c.asset, 0, c.sp)
		mustNil(t, err, "CollectibleOwners")
		if !slices.Equal(ownerIDs(got), c.want) {
			t.Errorf("CollectibleOwners(%d, %+v) = %v, want %v", c.asset, c.sp, ownerIDs(got), c.want)
		}
		for _, o := range got {
			if o.ViewerIsFriend {
				t.Errorf("friend of viewer 0: %+v", o)
			}
		}
	}
}

func testLegacyAssetByCollectibleItem(t *testing.T, s store.Store) {
	loadFixture(t, s)
	a, err := s.AssetByCollectibleItem(ctx, itemLimited)
	mustNil(t, err, "AssetByCollectibleItem")
	if a.ID != 106 || a.CollectibleItemID != itemLimited {
		t.Errorf("AssetByCollectibleItem = %+v", a)
	}
	_, err = s.AssetByCollectibleItem(ctx, "00000000-0000-4000-8000-000000000000")
	wantErr(t, err, store.ErrNotFound, "AssetByCollectibleItem unknown")
}

// legacyFixture writes a row of every legacy table into s (on top of the
// listing fixture).
func legacyFixture(t *testing.T, s store.Store) {
	t.Helper()
	loadFixture(t, s)
	at := now.Add(3 * time.Millisecond)
	mustNil(t, s.AddFriend(ctx, 2, 1, at), "AddFriend")
	mustNil(t, s.AddFriend(ctx, 3, 2, at), "AddFriend")
	mustNil(t, s.PutBundle(ctx, store.Bundle{ID: 500, Name: "Knight", Type: inventory.BundleBodyParts, CreatorID: 1, Created: at, AssetIDs: []int64{101, 105}}), "PutBundle")
	mustNil(t, s.PutBundle(ctx, store.Bundle{ID: 501, Name: "Empty", Type: inventory.BundleShoes, Created: at}), "PutBundle")
	mustNil(t, s.GrantBundle(ctx, 2, 500, at), "GrantBundle")
	mustNil(t, s.GrantBundle(ctx, 1, 501, time.Time{}), "GrantBundle")
	mustNil(t, s.PutPackage(ctx, store.PackageContents{PackageID: 103, AssetIDs: []int64{101, 105}}), "PutPackage")
	mustNil(t, s.PutAssetPrice(ctx, store.AssetPrice{AssetID: 102, RecentAveragePrice: 10, OriginalPrice: i64(0), AssetStock: i64(5)}), "PutAssetPrice")
	mustNil(t, s.PutAssetPrice(ctx, store.AssetPrice{AssetID: 106, RecentAveragePrice: 7}), "PutAssetPrice")
	mustNil(t, s.PutPlace(ctx, store.Place{AssetID: 103, UniverseID: 7}), "PutPlace")
	mustNil(t, s.PutPlace(ctx, store.Place{AssetID: 104, UniverseID: 8, PriceInRobux: i64(25)}), "PutPlace")
	mustNil(t, s.AddPlaceToTab(ctx, 1, 0, 103, at), "AddPlaceToTab")
	mustNil(t, s.AddPlaceToTab(ctx, 1, 3, 104, at), "AddPlaceToTab")
	mustNil(t, s.AddPlaceToTab(ctx, 2, 2, 104, time.Time{}), "AddPlaceToTab")
	mustNil(t, s.AddFavorite(ctx, 1, inventory.ItemRef{Type: inventory.ItemBundle, ID: 500}, at), "AddFavorite")
	mustNil(t, s.AddFavorite(ctx, 1, inventory.ItemRef{Type: inventory.ItemAsset, ID: 101}, time.Time{}), "AddFavorite")
	mustNil(t, s.AddToCollection(ctx, 1, inventory.ItemRef{Type: inventory.ItemAsset, ID: 106}, 6, at), "AddToCollection")
}

func testLegacyCopyRoundTrip(t *testing.T, open func(t *testing.T) store.Store) {
	src := open(t)
	legacyFixture(t, src)
	dst := open(t)
	want, err := store.Copy(ctx, src, dst, nil)
	mustNil(t, err, "Copy")
	// Friendships are stored in both directions.
	for table, n := range map[string]int64{"friends": 4, "bundles": 2, "bundle_assets": 2, "user_bundles": 2, "package_assets": 2,
		"asset_prices": 2, "places": 2, "place_tabs": 3, "favorites": 2, "collections": 1} {
		if want[table].Rows != n {
			t.Errorf("copied %s: %d rows, want %d", table, want[table].Rows, n)
		}
	}
	if _, err := store.Copy(ctx, src, dst, nil); err != nil { // resumes: adds nothing
		t.Fatalf("second Copy: %v", err)
	}
	got, err := store.DigestOf(ctx, dst)
	mustNil(t, err, "DigestOf")
	if diff := got.Diff(want); len(diff) > 0 {
		t.Errorf("after the copy: tables %v differ", diff)
	}
	// The imported store works: positions continue, friendships hold.
	mustNil(t, dst.AddPlaceToTab(ctx, 1, 0, 104, now), "AddPlaceToTab after the copy")
	ls, err := dst.PlacesInTab(ctx, 1, 0, store.Span{Limit: 10})
	mustNil(t, err, "PlacesInTab")
	if len(ls) != 2 || ls[1].Place.AssetID != 104 || ls[1].Position <= ls[0].Position {
		t.Errorf("PlacesInTab after the copy = %+v", ls)
	}
	if ok, _ := dst.AreFriends(ctx, 1, 2); !ok {
		t.Error("friendship lost in the copy")
	}
	wantErr(t, dst.AddToCollection(ctx, 1, inventory.ItemRef{Type: inventory.ItemAsset, ID: 106}, 6, now), store.ErrExists, "collection after the copy")
}

// testLegacyConcurrent appends to one places tab and one collection from
// several goroutines at once: the appends take positions one after the
// other, and the collection stops at its capacity. On PostgreSQL this is
// what the lock on the user's row is for; SQLite serialises the writers.
func testLegacyConcurrent(t *testing.T, s store.Store) {
	createUsers(t, s, 1)
	const n, capacity = 8, 3
	for i := range int64(n) {
		mustNil(t, s.PutAsset(ctx, inventory.Asset{ID: 1000 + i, Name: "Place", LegacyType: inventory.LegacyPlace, CreatorID: 1, Created: now}), "PutAsset")
		mustNil(t, s.PutPlace(ctx, store.Place{AssetID: 1000 + i, UniverseID: 1}), "PutPlace")
	}
	run := func(fn func(i int64) error) []error {
		errs := make([]error, n)
		var wg sync.WaitGroup
		for i := range n {
			wg.Go(func() { errs[i] = fn(int64(i)) })
		}
		wg.Wait()
		return errs
	}
	for i, err := range run(func(i int64) error { return s.AddPlaceToTab(ctx, 1, 0, 1000+i, now) }) {
		if err != nil {
			t.Errorf("concurrent AddPlaceToTab %d: %v", i, err)
		}
	}
	places, err := s.PlacesInTab(ctx, 1, 0, store.Span{Limit: 2 * n})
	mustNil(t, err, "PlacesInTab")
	if len(places) != n {
		t.Errorf("%d concurrent AddPlaceToTab left %d places", n, len(places))
	}

	added := 0
	for i, err := range run(func(i int64) error {
		return s.AddToCollection(ctx, 1, inventory.ItemRef{Type: inventory.ItemAsset, ID: 1000 + i}, capacity, now)
	}) {
		switch {
		case err == nil:
			added++
		case !errors.Is(err, store.ErrFull):
			t.Errorf("concurrent AddToCollection %d: %v", i, err)
		}
	}
	got, err := s.Collection(ctx, 1)
	mustNil(t, err, "Collection")
	if added != capacity || len(got) != capacity {
		t.Errorf("%d concurrent AddToCollection with capacity %d: %d succeeded, %d in the collection", n, capacity, added, len(got))
	}
}

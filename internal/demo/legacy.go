package demo

import (
	"math/rand/v2"
	"time"

	"github.com/invcloud/invcloud/internal/inventory"
	"github.com/invcloud/invcloud/internal/store"
)

// Demo catalog entries of the legacy data.
const (
	// PackageID is a classic package (legacy type 32) of body parts.
	PackageID int64 = 27112056
	// Bundles.
	BundleRobloxian int64 = 192
	BundleNinja     int64 = 33
	BundleSneakers  int64 = 429
	BundleSmiley    int64 = 6470
	// UGC items of UGCMakerUser: UGCBeanie is an ordinary (deletable) hat,
	// UGCCrown a serialized UGC limited.
	UGCBeanie int64 = 5100000001
	UGCWings  int64 = 5100000002
	UGCScarf  int64 = 5100000003
	UGCCrown  int64 = 5100000004
	// ArchivedPlace is a place of CollectorUser's Archived tab.
	ArchivedPlace int64 = 5200000001
)

// legacy adds what the legacy endpoints read: new users, friends, bundles
// and a package, UGC items, collectible prices, places in every tab,
// favorites and collections. It draws from a random source of its own,
// after everything else, so the rest of the data set is unchanged.
func (g *gen) legacy() {
	g.r = rand.New(rand.NewPCG(2000000004, 192))
	lb := &g.b.LegacyBatch
	at := func(days int) time.Time { return epoch.AddDate(0, 0, -days) }

	for i, u := range []struct {
		id         int64
		name, disp string
		vis        inventory.Visibility
	}{
		{UGCMakerUser, "UGCMaker", "UGC Maker", inventory.VisibilityEveryone},
		{TraderUser, "TraderTom", "Trader Tom", inventory.VisibilityEveryone},
		{HiddenUser, "HiddenHank", "Hidden Hank", inventory.VisibilityNoOne},
	} {
		g.b.Users = append(g.b.Users, inventory.User{ID: u.id, Name: u.name, DisplayName: u.disp, Visibility: u.vis, Created: epoch.AddDate(-2, i, 0)})
	}

	// Friends: GuideUser may see FriendlyFran's friends-only inventory.
	for _, f := range [][2]int64{{GuideUser, FriendsUser}, {GuideUser, CollectorUser}, {FriendsUser, TraderUser}, {UGCMakerUser, TraderUser}} {
		lb.Friends = append(lb.Friends, store.Friendship{A: min(f[0], f[1]), B: max(f[0], f[1]), Created: at(100 + int(f[0]%97))})
	}

	// A classic package and bundles, with their own body parts, animations
	// and shoes (made by Roblox).
	asset := func(id int64, name string, legacyType int, creator int64) inventory.Asset {
		a := inventory.Asset{ID: id, Name: name, LegacyType: legacyType, CreatorID: creator, Created: at(200 + g.r.IntN(600))}
		g.b.Assets = append(g.b.Assets, a)
		return a
	}
	var bodyParts, animations, shoes []int64
	for i, p := range []struct {
		name string
		typ  int
	}{{"Robloxian 2.0 Head", 17}, {"Robloxian 2.0 Torso", 27}, {"Robloxian 2.0 Right Arm", 28}, {"Robloxian 2.0 Left Arm", 29},
		{"Robloxian 2.0 Left Leg", 30}, {"Robloxian 2.0 Right Leg", 31}} {
		bodyParts = append(bodyParts, asset(27112025+int64(i), p.name, p.typ, 1).ID)
	}
	for i, typ := range []int{48, 50, 51, 52, 53, 54, 55} {
		name, _ := inventory.LegacyTypeName(typ)
		animations = append(animations, asset(658830000+int64(i), "Ninja "+name, typ, 1).ID)
	}
	shoes = append(shoes, asset(11748356000, "Classic Sneaker (Left)", 70, 1).ID, asset(11748356001, "Classic Sneaker (Right)", 71, 1).ID)
	smileyHead := asset(7430070993, "Smiley Dynamic Head", 79, 1).ID
	asset(PackageID, "Robloxian 2.0 Package", inventory.LegacyPackage, 1)
	lb.Packages = append(lb.Packages, store.PackageContents{PackageID: PackageID, AssetIDs: bodyParts})
	lb.Bundles = append(lb.Bundles,
		store.Bundle{ID: BundleNinja, Name: "Ninja Animation Package", Type: inventory.BundleAvatarAnimations, CreatorID: 1, Created: at(1500), AssetIDs: animations},
		store.Bundle{ID: BundleRobloxian, Name: "Robloxian 2.0", Type: inventory.BundleBodyParts, CreatorID: 1, Created: at(1400), AssetIDs: bodyParts},
		store.Bundle{ID: BundleSneakers, Name: "Classic Sneakers", Type: inventory.BundleShoes, CreatorID: 1, Created: at(300), AssetIDs: shoes},
		store.Bundle{ID: BundleSmiley, Name: "Smiley Dynamic Head", Type: inventory.BundleDynamicHead, CreatorID: 1, Created: at(250), AssetIDs: []int64{smileyHead}},
	)
	for _, bo := range []struct {
		user, bundle int64
	}{{GuideUser, BundleRobloxian}, {GuideUser, BundleNinja}, {FriendsUser, BundleNinja}, {CollectorUser, BundleSmiley},
		{TraderUser, BundleSneakers}, {TraderUser, BundleRobloxian}, {HiddenUser, BundleSneakers}} {
		lb.BundleOwnerships = append(lb.BundleOwnerships, store.BundleOwnership{UserID: bo.user, BundleID: bo.bundle, Added: g.at()})
	}

	// UGC items by UGCMaker; the crown is a serialized UGC limited.
	beanie := asset(UGCBeanie, "Cozy Knit Beanie", 8, UGCMakerUser)
	wings := asset(UGCWings, "Pixel Wings", 46, UGCMakerUser)
	scarf := asset(UGCScarf, "Starry Scarf", 43, UGCMakerUser)
	crown := inventory.Asset{ID: UGCCrown, Name: "Glitch Crown", LegacyType: 8, CreatorID: UGCMakerUser, Collectible: true,
		CollectibleItemID: g.uuid(), Serialized: true, Created: at(60)}
	g.b.Assets = append(g.b.Assets, crown)

	// Prices of every limited: a recent average price, the original price
	// where it was sold new, the stock of serialized ones.
	limiteds := append(append([]inventory.Asset(nil), g.collectibles...), crown)
	for i, a := range limiteds {
		p := store.AssetPrice{AssetID: a.ID, RecentAveragePrice: int64(50 + g.r.IntN(40000))}
		if i%3 != 2 {
			p.OriginalPrice = ptr(int64(25 * (1 + g.r.IntN(40))))
		}
		if a.Serialized {
			p.AssetStock = ptr(int64(100 * (1 + g.r.IntN(50))))
		}
		lb.AssetPrices = append(lb.AssetPrices, p)
	}

	// The new users' inventories: copies of limiteds, UGC items, passes.
	states := []inventory.CollectibleState{inventory.CollectibleStateAvailable, inventory.CollectibleStateHold}
	for i, a := range g.collectibles {
		if i%2 == 0 {
			g.asset(TraderUser, a, states[(i/2)%2])
		}
		if i%3 == 0 {
			g.asset(HiddenUser, a, inventory.CollectibleStateAvailable)
		}
	}
	for _, a := range []inventory.Asset{beanie, wings, scarf} {
		g.asset(TraderUser, a, 0)
		g.asset(UGCMakerUser, a, 0)
	}
	g.asset(UGCMakerUser, crown, inventory.CollectibleStateAvailable)
	g.asset(TraderUser, crown, inventory.CollectibleStateAvailable)
	g.asset(TraderUser, crown, inventory.CollectibleStateHold)
	g.asset(HiddenUser, crown, inventory.CollectibleStateAvailable)
	for _, t := range []inventory.AssetType{inventory.AssetTypeHat, mustType("FACE"), mustType("HAIR_ACCESSORY"), mustType("GEAR")} {
		for _, a := range g.byType[t][:3] {
			g.asset(TraderUser, a, 0)
		}
	}
	for _, a := range g.b.Assets {
		if a.ID >= 27112025 && a.ID < 27112025+int64(len(bodyParts)) {
			g.asset(TraderUser, a, 0)
		}
	}
	g.own(TraderUser, inventory.Item{Kind: inventory.KindGamePass, ID: 777777, AddTime: g.at()})
	g.own(TraderUser, inventory.Item{Kind: inventory.KindBadge, ID: 111111, AddTime: g.at()})

	// Places: game data for every place, and each tab of the places
	// inventory filled for someone.
	archived := asset(ArchivedPlace, "Classic Crossroads (archived)", inventory.LegacyPlace, CollectorUser)
	for i, p := range append(append([]inventory.Asset(nil), g.places...), archived) {
		pl := store.Place{AssetID: p.ID, UniverseID: 3000000000 + int64(i)*7919}
		if i == 0 || i == 2 || i == 3 {
			pl.PriceInRobux = ptr(int64([]int{25, 0, 50, 10}[i]))
		}
		lb.Places = append(lb.Places, pl)
	}
	pos := map[[2]int64]int64{}
	tab := func(user int64, t store.PlacesTab, place int64) {
		k := [2]int64{user, int64(t)}
		pos[k]++
		lb.PlaceEntries = append(lb.PlaceEntries, store.PlaceEntry{UserID: user, Tab: t, PlaceID: place, Position: pos[k], Added: g.at()})
	}
	pl := func(i int) int64 { return g.places[i].ID }
	tab(GuideUser, 0, pl(0))
	tab(GuideUser, 0, pl(1))
	tab(GuideUser, 1, pl(0))
	tab(GuideUser, 2, pl(2))
	tab(GuideUser, 3, pl(2))
	tab(GuideUser, 4, pl(3))
	tab(CollectorUser, 0, pl(2))
	tab(CollectorUser, 0, pl(3))
	tab(CollectorUser, 1, pl(2))
	tab(CollectorUser, 5, archived.ID)
	tab(PrivateUser, 0, pl(4))
	tab(PrivateUser, 3, pl(0))
	tab(FriendsUser, 3, pl(3))
	tab(FriendsUser, 2, pl(0))
	tab(TraderUser, 2, pl(2))

	// Favorites and collections.
	fav := func(user int64, typ inventory.ItemType, ids ...int64) {
		for _, id := range ids {
			lb.Favorites = append(lb.Favorites, store.UserItem{UserID: user, Item: inventory.ItemRef{Type: typ, ID: id}, Added: g.at()})
		}
	}
	fav(GuideUser, inventory.ItemAsset, g.byType[inventory.AssetTypeHat][0].ID, g.byType[mustType("GEAR")][1].ID, 62724852, pl(2))
	fav(GuideUser, inventory.ItemBundle, BundleNinja)
	fav(CollectorUser, inventory.ItemAsset, g.collectibles[0].ID, g.collectibles[1].ID, g.collectibles[2].ID, UGCCrown)
	fav(FriendsUser, inventory.ItemAsset, g.byType[mustType("FACE")][0].ID, g.byType[mustType("EMOTE_ANIMATION")][2].ID)
	fav(FriendsUser, inventory.ItemBundle, BundleRobloxian, BundleSmiley)
	fav(TraderUser, inventory.ItemAsset, UGCCrown, UGCWings)
	fav(TraderUser, inventory.ItemBundle, BundleSneakers)
	coll := func(user int64, typ inventory.ItemType, ids ...int64) {
		for i, id := range ids {
			lb.Collections = append(lb.Collections, store.UserItem{UserID: user, Item: inventory.ItemRef{Type: typ, ID: id}, Added: at(30 - i)})
		}
	}
	coll(GuideUser, inventory.ItemAsset, 1028595, g.collectibles[0].ID)
	coll(CollectorUser, inventory.ItemAsset, g.collectibles[0].ID, g.collectibles[1].ID, g.collectibles[2].ID, g.collectibles[3].ID)
	coll(TraderUser, inventory.ItemAsset, UGCCrown, UGCWings)
	coll(TraderUser, inventory.ItemBundle, BundleSneakers)
}

func ptr[T any](v T) *T { return &v }

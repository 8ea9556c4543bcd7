// Package demo builds invcloud's demo data set: a handful of users with
// public, friends-only and private inventories, a few hundred catalog items
// with realistic names, collectibles with serial numbers, and API keys with
// well-known secrets so the README's curl commands work as printed.
//
// The data is fixed: loading it twice changes nothing.
package demo

import (
	"context"
	"errors"
	"fmt"
	"math/rand/v2"
	"sync"
	"time"

	"github.com/invcloud/invcloud/internal/account"
	"github.com/invcloud/invcloud/internal/apikey"
	"github.com/invcloud/invcloud/internal/inventory"
	"github.com/invcloud/invcloud/internal/store"
)

// Demo users.
const (
	// GuideUser is the user of Roblox's inventory guide: public, owning asset
	// 1028595 (instance 200105119388) but not 62724852 or 4773588762.
	GuideUser     int64 = 11111111111
	CollectorUser int64 = 2000000001
	PrivateUser   int64 = 2000000002
	FriendsUser   int64 = 2000000003
	// PassUser owns game pass 12527, as in a captured real response.
	PassUser int64 = 45348281

	// Users of the legacy inventory.roblox.com data (legacy.go); they own
	// nothing of the users above, so the Open Cloud listings of those stay
	// as they were.
	//
	// UGCMakerUser creates avatar items, a UGC limited among them.
	UGCMakerUser int64 = 2000000004
	// TraderUser collects limiteds, UGC items and bundles.
	TraderUser int64 = 2000000005
	// HiddenUser owns limiteds but shows no one its inventory: owner
	// listings show its copies with a null owner.
	HiddenUser int64 = 2000000006
)

// Key is a demo API key. Its secret is public knowledge: demo data is for
// local trials only.
type Key struct {
	Secret  string
	OwnerID int64
	Name    string
	Scopes  []string
}

// Password is every demo user's password. Like the keys, it is public.
const Password = "invcloud-demo"

// passwordHash is computed once per process: bcrypt is slow on purpose,
// and demo users may share one hash.
var passwordHash = sync.OnceValues(func() (string, error) { return account.HashPassword(Password) })

// Keys are the demo API keys.
var Keys = []Key{
	{"invcloud-demo-guideuser-inventory-read-key-000001", GuideUser, "Demo: GuideUser, Inventory: Read", []string{apikey.ScopeInventoryRead}},
	{"invcloud-demo-collector-no-permissions-key-000002", CollectorUser, "Demo: Collector, no permissions", nil},
	{"invcloud-demo-private-user-inventory-read-key-0003", PrivateUser, "Demo: PrivatePat, Inventory: Read", []string{apikey.ScopeInventoryRead}},
}

// epoch anchors demo timestamps so the data set is the same on every load.
var epoch = time.Date(2024, 3, 1, 12, 0, 0, 0, time.UTC)

// Set returns the demo data set.
func Set() store.Batch {
	var b store.Batch
	g := &gen{r: rand.New(rand.NewPCG(11111111111, 1028595)), b: &b, nextInstance: 200105119389}
	g.users()
	g.catalog()
	g.ownerships()
	g.legacy()
	g.profiles()
	g.groupUsers()
	return b
}

// Load writes the demo data set and keys. It is idempotent.
func Load(ctx context.Context, s store.Store, now time.Time) error {
	if err := s.Import(ctx, Set()); err != nil {
		return fmt.Errorf("load demo data: %w", err)
	}
	for _, u := range Set().Users {
		_, hash, err := s.Credentials(ctx, u.Name)
		if err != nil {
			return fmt.Errorf("load demo password: %w", err)
		}
		if hash != "" {
			continue // already set, perhaps changed by the user: keep it
		}
		h, err := passwordHash()
		if err != nil {
			return err
		}
		if err := s.SetPassword(ctx, u.ID, h); err != nil {
			return fmt.Errorf("load demo password: %w", err)
		}
	}
	if err := loadGroups(ctx, s); err != nil {
		return err
	}
	for _, k := range Keys {
		_, err := s.CreateAPIKey(ctx, apikey.Key{
			OwnerID: k.OwnerID, Name: k.Name, Hash: apikey.HashSecret(k.Secret),
			Scopes: k.Scopes, Enabled: true, Created: now,
		})
		if err != nil && !errors.Is(err, store.ErrExists) {
			return fmt.Errorf("load demo key %q: %w", k.Name, err)
		}
	}
	return nil
}

type gen struct {
	r            *rand.Rand
	b            *store.Batch
	nextInstance int64
	byType       map[inventory.AssetType][]inventory.Asset
	collectibles []inventory.Asset
	places       []inventory.Asset
	serials      map[int64]int64
}

func (g *gen) users() {
	for i, u := range []struct {
		id         int64
		name, disp string
		vis        inventory.Visibility
	}{
		{GuideUser, "GuideUser", "Guide User", inventory.VisibilityEveryone},
		{PassUser, "PassHolder", "Pass Holder", inventory.VisibilityEveryone},
		{CollectorUser, "LimitedCollector", "Collector Cam", inventory.VisibilityEveryone},
		{PrivateUser, "PrivatePat", "Private Pat", inventory.VisibilityNoOne},
		{FriendsUser, "FriendlyFran", "Friendly Fran", inventory.VisibilityFriends},
	} {
		g.b.Users = append(g.b.Users, inventory.User{
			ID: u.id, Name: u.name, DisplayName: u.disp, Visibility: u.vis,
			Created: epoch.AddDate(-3, i, 0),
		})
	}
}

var (
	colors    = []string{"Crimson", "Midnight", "Golden", "Frosted", "Neon", "Rustic", "Emerald", "Violet", "Sunset", "Classic", "Shadow", "Arctic"}
	materials = []string{"Denim", "Leather", "Silk", "Knit", "Velvet", "Canvas", "Chrome", "Wooden"}
	typeNouns = map[inventory.AssetType][]string{
		inventory.AssetTypeClassicTShirt: {"Logo Tee", "Pixel Tee", "Band T-Shirt"},
		inventory.AssetTypeHat:           {"Fedora", "Top Hat", "Beanie", "Crown", "Cowboy Hat", "Viking Helm"},
		mustType("CLASSIC_SHIRT"):        {"Flannel Shirt", "Hoodie", "Blazer"},
		mustType("CLASSIC_PANTS"):        {"Cargo Pants", "Jeans", "Track Pants"},
		mustType("FACE"):                 {"Smile", "Grin", "Wink", "Shades Face"},
		mustType("GEAR"):                 {"Sword", "Rocket Launcher", "Grapple Hook", "Magic Carpet"},
		mustType("HAIR_ACCESSORY"):       {"Ponytail", "Buzz Cut", "Messy Hair", "Braids"},
		mustType("BACK_ACCESSORY"):       {"Wings", "Backpack", "Cape", "Jetpack"},
		mustType("FACE_ACCESSORY"):       {"Sunglasses", "Monocle", "Mask"},
		mustType("EMOTE_ANIMATION"):      {"Dance", "Wave", "Salute", "Floss"},
		mustType("AUDIO"):                {"Lo-fi Loop", "Boss Theme", "Rain Ambience"},
		mustType("DECAL"):                {"Sticker", "Poster", "Graffiti"},
		mustType("MODEL"):                {"Treehouse Kit", "Racing Car", "Castle Tower"},
		mustType("SHIRT_ACCESSORY"):      {"Layered Jacket", "Layered Sweater"},
		mustType("DYNAMIC_HEAD"):         {"Animated Head", "Expressive Head"},
	}
	gameWords = []string{"Tycoon", "Obby", "Simulator", "Tower Defense", "Roleplay", "Racing", "Survival", "Horror"}
)

func mustType(name string) inventory.AssetType {
	t, ok := inventory.ParseAssetType(name)
	if !ok {
		panic("demo: unknown asset type " + name)
	}
	return t
}

func (g *gen) pick(list []string) string { return list[g.r.IntN(len(list))] }

func (g *gen) catalog() {
	g.byType = map[inventory.AssetType][]inventory.Asset{}
	g.serials = map[int64]int64{}
	add := func(a inventory.Asset) inventory.Asset {
		if a.Created.IsZero() {
			a.Created = epoch.AddDate(0, 0, -g.r.IntN(900))
		}
		g.b.Assets = append(g.b.Assets, a)
		return a
	}
	// The guide's three assets.
	add(inventory.Asset{ID: 1028595, Name: "Classic Logo T-Shirt", LegacyType: 2, CreatorID: 1})
	add(inventory.Asset{ID: 62724852, Name: "Chestnut Bun", LegacyType: 41, CreatorID: 1})
	add(inventory.Asset{ID: 4773588762, Name: "Star Sorority Hair", LegacyType: 41, CreatorID: 1})

	id := int64(4_000_000_000)
	for _, t := range sortedTypes() {
		for range 12 {
			id += int64(1 + g.r.IntN(9000))
			a := add(inventory.Asset{ID: id, Name: g.pick(colors) + " " + g.pick(typeNouns[t]), LegacyType: t.LegacyID(), CreatorID: 1})
			g.byType[t] = append(g.byType[t], a)
		}
	}
	// Limiteds: hats and faces from the classic catalog, with serials.
	for i := range 16 {
		id += int64(1 + g.r.IntN(9000))
		t := []inventory.AssetType{inventory.AssetTypeHat, mustType("FACE"), mustType("BACK_ACCESSORY"), mustType("CLASSIC_PANTS")}[i%4]
		a := add(inventory.Asset{
			ID: id, Name: "Limited " + g.pick(materials) + " " + g.pick(typeNouns[t]), LegacyType: t.LegacyID(), CreatorID: 1,
			Collectible: true, CollectibleItemID: g.uuid(), Serialized: i%5 != 4,
		})
		g.collectibles = append(g.collectibles, a)
	}
	// Places: created by the guide user and by the collector; bought by others.
	for i, creator := range []int64{GuideUser, GuideUser, CollectorUser, CollectorUser, PrivateUser} {
		id += int64(1 + g.r.IntN(9000))
		g.places = append(g.places, add(inventory.Asset{
			ID: id, Name: g.pick(colors) + " " + gameWords[i%len(gameWords)], LegacyType: inventory.LegacyPlace, CreatorID: creator,
		}))
	}
	for i := range 24 {
		g.b.Badges = append(g.b.Badges, inventory.Badge{ID: 2124000000 + int64(i)*7919, Name: "Beat " + g.pick(colors) + " " + g.pick(gameWords), UniverseID: 100 + int64(i%4)})
	}
	g.b.Badges = append(g.b.Badges, inventory.Badge{ID: 111111, Name: "Welcome Badge", UniverseID: 100}, inventory.Badge{ID: 222222, Name: "Veteran Badge", UniverseID: 100})
	for i := range 10 {
		g.b.GamePasses = append(g.b.GamePasses, inventory.GamePass{ID: 83167572 + int64(i)*101, Name: g.pick([]string{"VIP", "2x Coins", "Speed Coil", "Radio", "Extra Slots"}), UniverseID: 100 + int64(i%4)})
	}
	g.b.GamePasses = append(g.b.GamePasses, inventory.GamePass{ID: 777777, Name: "VIP Pass", UniverseID: 100}, inventory.GamePass{ID: 12527, Name: "Gravity Coil", UniverseID: 101})
	for i := range 6 {
		g.b.PrivateServers = append(g.b.PrivateServers, inventory.PrivateServer{ID: 175156 + int64(i)*13, Name: "Private " + gameWords[i%len(gameWords)] + " Server", UniverseID: 100 + int64(i%4)})
	}
	g.b.PrivateServers = append(g.b.PrivateServers, inventory.PrivateServer{ID: 999999, Name: "Friends Only Obby Server", UniverseID: 100})
}

func sortedTypes() []inventory.AssetType {
	var ts []inventory.AssetType
	for t := range inventory.NumAssetTypes {
		if _, ok := typeNouns[inventory.AssetType(t)]; ok {
			ts = append(ts, inventory.AssetType(t))
		}
	}
	return ts
}

func (g *gen) uuid() string {
	var b [16]byte
	for i := range b {
		b[i] = byte(g.r.Uint32())
	}
	return inventory.FormatUUID(b)
}

func (g *gen) own(user int64, it inventory.Item) {
	g.b.Ownerships = append(g.b.Ownerships, store.Ownership{UserID: user, Item: it})
}

func (g *gen) at() time.Time {
	return epoch.Add(-time.Duration(g.r.IntN(600*24)) * time.Hour).Add(time.Duration(g.r.IntN(3600)) * time.Second)
}

func (g *gen) asset(user int64, a inventory.Asset, state inventory.CollectibleState) {
	it := inventory.Item{
		Kind: inventory.KindAsset, ID: g.nextInstance, AssetID: a.ID,
		AssetType: inventory.AssetTypeForLegacy(a.LegacyType, a.CreatorID == user), AddTime: g.at(),
	}
	g.nextInstance += int64(1 + g.r.IntN(50))
	if a.Collectible {
		c := &inventory.Collectible{ItemID: a.CollectibleItemID, InstanceID: g.uuid(), State: state}
		if a.Serialized {
			g.serials[a.ID]++
			c.SerialNumber = g.serials[a.ID]
		}
		it.Collectible = c
	}
	g.own(user, it)
}

// ownerships hands out the catalog: each user a share of every type.
func (g *gen) ownerships() {
	// The guide's own example: no addTime on this instance.
	g.own(GuideUser, inventory.Item{Kind: inventory.KindAsset, ID: 200105119388, AssetID: 1028595, AssetType: inventory.AssetTypeClassicTShirt})
	share := map[int64]int{GuideUser: 7, CollectorUser: 4, PrivateUser: 3, FriendsUser: 3, PassUser: 1}
	for _, u := range []int64{GuideUser, CollectorUser, PrivateUser, FriendsUser, PassUser} {
		for _, t := range sortedTypes() {
			list := g.byType[t]
			off := g.r.IntN(len(list))
			for i := range share[u] {
				g.asset(u, list[(off+i)%len(list)], 0)
			}
		}
	}
	states := []inventory.CollectibleState{inventory.CollectibleStateAvailable, inventory.CollectibleStateHold}
	for i, a := range g.collectibles {
		g.asset(CollectorUser, a, states[i%2])
		if i%3 == 0 {
			g.asset(CollectorUser, a, states[(i+1)%2]) // a second copy
		}
		if i%4 == 0 {
			g.asset(GuideUser, a, inventory.CollectibleStateAvailable)
		}
		if i%5 == 0 {
			g.asset(PrivateUser, a, inventory.CollectibleStateHold)
		}
	}
	for _, p := range g.places {
		g.asset(p.CreatorID, p, 0)
	}
	g.asset(GuideUser, g.places[2], 0)   // purchased
	g.asset(PrivateUser, g.places[0], 0) // purchased
	g.asset(FriendsUser, g.places[3], 0) // purchased

	other := func(u int64, k inventory.Kind, ids ...int64) {
		for _, id := range ids {
			g.own(u, inventory.Item{Kind: k, ID: id, AddTime: g.at()})
		}
	}
	badge := func(i int) int64 { return g.b.Badges[i].ID }
	other(GuideUser, inventory.KindBadge, 111111, 222222, badge(0), badge(3), badge(5), badge(8), badge(13), badge(21))
	other(CollectorUser, inventory.KindBadge, 111111, badge(1), badge(2), badge(3), badge(4), badge(9))
	other(PrivateUser, inventory.KindBadge, 111111, badge(6), badge(7))
	other(FriendsUser, inventory.KindBadge, 222222, badge(10), badge(11), badge(12))
	pass := func(i int) int64 { return g.b.GamePasses[i].ID }
	other(GuideUser, inventory.KindGamePass, 777777, pass(0), pass(2), pass(5))
	other(CollectorUser, inventory.KindGamePass, pass(1), pass(3))
	other(PrivateUser, inventory.KindGamePass, pass(4))
	other(FriendsUser, inventory.KindGamePass, 777777)
	other(PassUser, inventory.KindGamePass, 12527)
	ps := func(i int) int64 { return g.b.PrivateServers[i].ID }
	other(GuideUser, inventory.KindPrivateServer, 999999, ps(0), ps(1))
	other(CollectorUser, inventory.KindPrivateServer, ps(2))
	other(PrivateUser, inventory.KindPrivateServer, ps(3), ps(4))
}

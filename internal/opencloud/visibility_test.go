package opencloud_test

import (
	"context"
	"fmt"
	"math/rand/v2"
	"net/http"
	"slices"
	"strconv"
	"testing"

	"github.com/invcloud/invcloud/internal/apikey"
	"github.com/invcloud/invcloud/internal/inventory"
	"github.com/invcloud/invcloud/internal/store"
	"github.com/invcloud/invcloud/wire"
)

// The visibility rule (spec 1.1, 1.3; DESIGN 5), restated for the oracle:
//
//   - the owner's own key with user.inventory-item:read sees everything;
//   - otherwise, if the inventory is visible to everyone, any valid key sees
//     it, but never private servers or purchased places: a filter that asks
//     for them by name (privateServers, privateServerIds, PURCHASED_PLACE in
//     inventoryItemAssetTypes) is 403 PERMISSION_DENIED, and a whole
//     inventory or inventoryItemAssetTypes=* quietly leaves them out;
//   - otherwise 403 PERMISSION_DENIED.

// Catalog of the visibility fixture.
const (
	vtHat         = 5001 // HAT
	vtPants       = 5002 // CLASSIC_PANTS
	vtLimited     = 5003 // HAT, collectible
	vtFace        = 5004 // FACE
	vtPlaceRoblox = 5010 // a place by Roblox: PURCHASED_PLACE for everyone
	vtPlaceUser0  = 5011 // a place by the first user: CREATED_PLACE for them only
	vtOwnPlace    = 5100 // + user index: a place each user made
	vtBadge       = 6001 // 6001..6004
	vtPass        = 7001 // 7001..7003
	vtServer      = 8001 // 8001..8002 shared
	vtOwnServer   = 8100 // + user index
)

var vtUsers = []int64{201, 202, 203, 204, 205, 206}

// vtItem is one owned item as the test knows it.
type vtItem struct {
	kind        string // "asset", "badge", "pass", "server"
	id          int64  // instance id for assets, else the catalog id
	assetID     int64
	assetType   string // Open Cloud enum name
	collectible bool
}

func (it vtItem) path(user int64) string {
	k := map[string]inventory.Kind{"asset": inventory.KindAsset, "badge": inventory.KindBadge, "pass": inventory.KindGamePass, "server": inventory.KindPrivateServer}[it.kind]
	return pgPath(user, k, it.id)
}

// vtFilter is a filter with the meaning the spec gives it, hand-written.
type vtFilter struct {
	raw string
	// names reports whether the filter asks by name for what only the
	// owner's permission may list.
	names bool
	// match reports whether the filter selects an item (before the rule
	// takes anything away).
	match func(vtItem) bool
}

func vtIn(id int64, ids ...int64) bool { return slices.Contains(ids, id) }

var vtFilters = []vtFilter{
	{"", false, func(vtItem) bool { return true }},
	{"privateServers=true", true, func(it vtItem) bool { return it.kind == "server" }},
	{"privateServers=True", true, func(it vtItem) bool { return it.kind == "server" }},
	{"privateServerIds=8001,8104", true, func(it vtItem) bool { return it.kind == "server" && vtIn(it.id, 8001, 8104) }},
	{"inventoryItemAssetTypes=PURCHASED_PLACE", true, func(it vtItem) bool { return it.assetType == "PURCHASED_PLACE" }},
	{"inventoryItemAssetTypes=*", false, func(it vtItem) bool { return it.kind == "asset" }},
	{"badges=true", false, func(it vtItem) bool { return it.kind == "badge" }},
	{"assetIds=5001,5011,5003", false, func(it vtItem) bool { return it.kind == "asset" && vtIn(it.assetID, 5001, 5011, 5003) }},
	{"gamePasses=true;privateServers=true", true, func(it vtItem) bool { return it.kind == "pass" || it.kind == "server" }},
	{"inventoryItemAssetTypes=HAT,PURCHASED_PLACE", true, func(it vtItem) bool { return vtIn2(it.assetType, "HAT", "PURCHASED_PLACE") }},
	{"inventoryItemAssetTypes=HAT,CLASSIC_PANTS;gamePasses=true", false, func(it vtItem) bool {
		return vtIn2(it.assetType, "HAT", "CLASSIC_PANTS") || it.kind == "pass"
	}},
	{"onlyCollectibles=true;inventoryItemAssetTypes=*", false, func(it vtItem) bool { return it.collectible }},
	{"inventoryItemAssetTypes=CREATED_PLACE;badges=true", false, func(it vtItem) bool { return it.assetType == "CREATED_PLACE" || it.kind == "badge" }},
	{"badgeIds=6002,6003;gamePassIds=7001", false, func(it vtItem) bool {
		return it.kind == "badge" && vtIn(it.id, 6002, 6003) || it.kind == "pass" && it.id == 7001
	}},
	{"privateServers=false;badges=true", false, func(it vtItem) bool { return it.kind == "badge" }},
	{"inventoryItemAssetTypes=*;privateServers=true", true, func(it vtItem) bool { return it.kind == "asset" || it.kind == "server" }},
	{"assetIds=5010;privateServerIds=8001", true, func(it vtItem) bool {
		return it.kind == "asset" && it.assetID == 5010 || it.kind == "server" && it.id == 8001
	}},
	{"inventoryItemAssetTypes=hat,purchased_place", true, func(it vtItem) bool { return vtIn2(it.assetType, "HAT", "PURCHASED_PLACE") }},
	{" privateServers = true ", true, func(it vtItem) bool { return it.kind == "server" }},
	{"privateServers=false", false, func(vtItem) bool { return true }},
	{"gamePassIds=7002,7003,9999", false, func(it vtItem) bool { return it.kind == "pass" && vtIn(it.id, 7002, 7003) }},
	{"assetIds=5010,5100,5101,5102,5103,5104,5105", false, func(it vtItem) bool { return it.kind == "asset" && (it.assetID == 5010 || it.assetID >= 5100) }},
}

func vtIn2(s string, set ...string) bool { return slices.Contains(set, s) }

// vtScopeSets are the key scope sets tried, by index.
var vtScopeSets = [][]string{
	nil,
	{apikey.ScopeInventoryRead},
	{apikey.ScopeGroupRead},
	{apikey.ScopeGroupRead, apikey.ScopeInventoryRead},
}

var vtVisibilities = []inventory.Visibility{inventory.VisibilityEveryone, inventory.VisibilityFriends, inventory.VisibilityNoOne}

// vtFixture builds six users whose inventories hold every kind, purchased
// and created places, collectibles and private servers, and one key per
// (owner, scope set).
func vtFixture(t *testing.T) (*env, map[int64][]vtItem, map[int64][]string) {
	e := newEnv(t)
	b := store.Batch{
		Assets: []inventory.Asset{
			{ID: vtHat, Name: "hat", LegacyType: 8, Created: testNow},
			{ID: vtPants, Name: "pants", LegacyType: 12, Created: testNow},
			{ID: vtLimited, Name: "limited", LegacyType: 8, Collectible: true, CollectibleItemID: inventory.FormatUUID([16]byte{1}), Serialized: true, Created: testNow},
			{ID: vtFace, Name: "face", LegacyType: 18, Created: testNow},
			{ID: vtPlaceRoblox, Name: "roblox place", LegacyType: inventory.LegacyPlace, Created: testNow},
			{ID: vtPlaceUser0, Name: "user place", LegacyType: inventory.LegacyPlace, CreatorID: vtUsers[0], Created: testNow},
		},
	}
	for i := range 4 {
		b.Badges = append(b.Badges, inventory.Badge{ID: int64(vtBadge + i), Name: "badge"})
	}
	for i := range 3 {
		b.GamePasses = append(b.GamePasses, inventory.GamePass{ID: int64(vtPass + i), Name: "pass"})
	}
	for i := range 2 {
		b.PrivateServers = append(b.PrivateServers, inventory.PrivateServer{ID: int64(vtServer + i), Name: "server"})
	}
	owned := map[int64][]vtItem{}
	for i, u := range vtUsers {
		b.Users = append(b.Users, inventory.User{ID: u, Name: "vt" + strconv.Itoa(i), DisplayName: "V", Visibility: inventory.VisibilityEveryone, Created: testNow})
		b.Assets = append(b.Assets, inventory.Asset{ID: int64(vtOwnPlace + i), Name: "own place", LegacyType: inventory.LegacyPlace, CreatorID: u, Created: testNow})
		b.PrivateServers = append(b.PrivateServers, inventory.PrivateServer{ID: int64(vtOwnServer + i), Name: "own server"})
		next := int64(i+1) * 100
		asset := func(assetID int64, typ string, collectible bool) {
			next++
			owned[u] = append(owned[u], vtItem{kind: "asset", id: next, assetID: assetID, assetType: typ, collectible: collectible})
			at, ok := inventory.ParseAssetType(typ)
			if !ok {
				t.Fatalf("asset type %q", typ)
			}
			it := inventory.Item{Kind: inventory.KindAsset, ID: next, AssetID: assetID, AssetType: at, AddTime: testNow}
			if collectible {
				it.Collectible = &inventory.Collectible{ItemID: inventory.FormatUUID([16]byte{1}), InstanceID: inventory.FormatUUID([16]byte{byte(next), byte(next >> 8)}), State: inventory.CollectibleStateHold}
			}
			b.Ownerships = append(b.Ownerships, store.Ownership{UserID: u, Item: it})
		}
		other := func(kind string, k inventory.Kind, id int64) {
			owned[u] = append(owned[u], vtItem{kind: kind, id: id})
			b.Ownerships = append(b.Ownerships, store.Ownership{UserID: u, Item: inventory.Item{Kind: k, ID: id, AddTime: testNow}})
		}
		asset(vtHat, "HAT", false)
		if i%2 == 0 {
			asset(vtPants, "CLASSIC_PANTS", false)
		}
		for range i%3 + 1 {
			asset(vtLimited, "HAT", true)
		}
		if i%3 != 0 {
			asset(vtFace, "FACE", false)
		}
		asset(vtPlaceRoblox, "PURCHASED_PLACE", false)
		switch {
		case i == 0:
			asset(vtPlaceUser0, "CREATED_PLACE", false)
		case i%2 == 1:
			asset(vtPlaceUser0, "PURCHASED_PLACE", false)
		}
		if i != 5 {
			asset(int64(vtOwnPlace+i), "CREATED_PLACE", false)
		}
		other("badge", inventory.KindBadge, vtBadge)
		if i%2 == 0 {
			other("badge", inventory.KindBadge, vtBadge+1)
		}
		if i >= 3 {
			other("badge", inventory.KindBadge, vtBadge+2)
		}
		if i == 5 {
			other("badge", inventory.KindBadge, vtBadge+3)
		}
		other("pass", inventory.KindGamePass, vtPass)
		if i%2 == 1 {
			other("pass", inventory.KindGamePass, vtPass+1)
		}
		if i == 2 {
			other("pass", inventory.KindGamePass, vtPass+2)
		}
		other("server", inventory.KindPrivateServer, int64(vtOwnServer+i))
		if i%2 == 0 {
			other("server", inventory.KindPrivateServer, vtServer)
		}
		if i >= 4 {
			other("server", inventory.KindPrivateServer, vtServer+1)
		}
	}
	if err := e.Store.Import(context.Background(), b); err != nil {
		t.Fatal(err)
	}
	keys := map[int64][]string{}
	for _, u := range vtUsers {
		for _, scopes := range vtScopeSets {
			keys[u] = append(keys[u], e.key(u, nil, scopes...))
		}
	}
	return e, owned, keys
}

// vtOracle predicts the status and, for 200, the sorted item paths.
func vtOracle(owned map[int64][]vtItem, caller int64, scopes []string, target int64, vis inventory.Visibility, f vtFilter) (int, []string) {
	ownerRead := caller == target && slices.Contains(scopes, "user.inventory-item:read")
	if !ownerRead {
		if vis != "everyone" {
			return http.StatusForbidden, nil
		}
		if f.names {
			return http.StatusForbidden, nil
		}
	}
	paths := []string{}
	for _, it := range owned[target] {
		if !f.match(it) {
			continue
		}
		if !ownerRead && (it.kind == "server" || it.assetType == "PURCHASED_PLACE") {
			continue
		}
		paths = append(paths, it.path(target))
	}
	slices.Sort(paths)
	return http.StatusOK, paths
}

func TestVisibilityProperty(t *testing.T) {
	e, owned, keys := vtFixture(t)
	// Sanity of the fixture: every user owns every kind and a purchased place.
	for _, u := range vtUsers {
		has := map[string]bool{}
		for _, it := range owned[u] {
			has[it.kind] = true
			has[it.assetType] = true
		}
		for _, want := range []string{"asset", "badge", "pass", "server", "PURCHASED_PLACE"} {
			if !has[want] {
				t.Fatalf("user %d owns no %s", u, want)
			}
		}
	}
	current := map[int64]inventory.Visibility{}
	for _, u := range vtUsers {
		current[u] = inventory.VisibilityEveryone
	}
	rng := rand.New(rand.NewPCG(2026, 6))
	const cases = 10000
	stats := map[string]int{}
	seen := map[string]bool{} // filter -> outcome
	for n := range cases {
		caller := vtUsers[rng.IntN(len(vtUsers))]
		target := caller
		if rng.IntN(3) != 0 {
			target = vtUsers[rng.IntN(len(vtUsers))]
		}
		si := rng.IntN(len(vtScopeSets))
		vis := vtVisibilities[rng.IntN(len(vtVisibilities))]
		f := vtFilters[rng.IntN(len(vtFilters))]
		if current[target] != vis {
			if err := e.Store.SetVisibility(context.Background(), target, vis); err != nil {
				t.Fatal(err)
			}
			current[target] = vis
		}
		wantStatus, wantPaths := vtOracle(owned, caller, vtScopeSets[si], target, vis, f)
		desc := fmt.Sprintf("case %d: caller %d scopes %v -> user %d (%s) filter %q", n, caller, vtScopeSets[si], target, vis, f.raw)

		calls := e.Lists.calls
		r := e.get(pgTarget(target, f.raw, 100, ""), keys[caller][si])
		if r.Status != wantStatus {
			t.Fatalf("%s: status %d, want %d: %s", desc, r.Status, wantStatus, r.Body)
		}
		outcome := f.raw + " -> " + strconv.Itoa(wantStatus)
		if len(wantPaths) > 0 {
			outcome += " items"
		}
		seen[outcome] = true
		if wantStatus != http.StatusOK {
			var werr wire.Error
			r.decode(t, &werr)
			if werr.Code != "PERMISSION_DENIED" {
				t.Fatalf("%s: code %q, want PERMISSION_DENIED", desc, werr.Code)
			}
			if e.Lists.calls != calls {
				t.Fatalf("%s: refused request called ListInventory", desc)
			}
			stats["403"]++
			continue
		}
		var page wire.ListInventoryItemsResponse
		r.decode(t, &page)
		if page.NextPageToken != "" {
			t.Fatalf("%s: nextPageToken %q on the only page", desc, page.NextPageToken)
		}
		got := make([]string, 0, len(page.InventoryItems))
		for _, it := range page.InventoryItems {
			got = append(got, it.Path)
		}
		slices.Sort(got)
		if !slices.Equal(got, wantPaths) {
			t.Fatalf("%s:\n got  %q\n want %q", desc, got, wantPaths)
		}
		if len(wantPaths) == 0 {
			stats["200 empty"]++
		} else {
			stats["200"]++
		}
	}
	// Every filter was both refused and answered with items at least once.
	for _, f := range vtFilters {
		if !seen[f.raw+" -> 200 items"] || !seen[f.raw+" -> 403"] {
			t.Errorf("filter %q: outcomes not all covered", f.raw)
		}
	}
	t.Logf("%d cases: %v", cases, stats)
}

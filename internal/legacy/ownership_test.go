package legacy_test

import (
	"context"
	"fmt"
	"net/http"
	"net/url"
	"slices"
	"strconv"
	"testing"

	"github.com/invcloud/invcloud/internal/apikey"
	"github.com/invcloud/invcloud/internal/demo"
	"github.com/invcloud/invcloud/internal/inventory"
	"github.com/invcloud/invcloud/wire"
)

// strangerUser is nobody's friend; its key gives Open Cloud's public view.
const strangerUser = 777

// ownKey is the Inventory: Read key each demo user gets in this test.
func ownKey(userID int64) string {
	return fmt.Sprintf("ownership-test-key-%d-inventory-read-000000000000", userID)
}

const strangerKey = "ownership-test-key-stranger-no-scopes-0000000000000000"

// answer is what one API says about one user owning one item: forbidden,
// or the instances owned (asset instance ids; the item id otherwise).
type answer struct {
	forbidden bool
	owned     []int64
}

func (a answer) String() string {
	if a.forbidden {
		return "forbidden"
	}
	return fmt.Sprint(a.owned)
}

// openCloudAnswer asks GET /cloud/v2/users/{user}/inventory-items with a
// filter naming the item.
func openCloudAnswer(t *testing.T, e *env, user int64, ref inventory.Ref, key string) answer {
	t.Helper()
	field := map[inventory.Kind]string{inventory.KindAsset: "assetIds", inventory.KindGamePass: "gamePassIds", inventory.KindBadge: "badgeIds"}[ref.Kind]
	target := fmt.Sprintf("/cloud/v2/users/%d/inventory-items?%s", user, url.Values{"filter": {field + "=" + strconv.FormatInt(ref.ID, 10)}, "maxPageSize": {"100"}}.Encode())
	resp := e.do(req{target: target, header: map[string]string{"x-api-key": key}})
	if resp.Status == http.StatusForbidden {
		return answer{forbidden: true}
	}
	if resp.Status != http.StatusOK {
		t.Fatalf("%s: %d %s", target, resp.Status, resp.Body)
	}
	var body wire.ListInventoryItemsResponse
	resp.decode(t, &body)
	if body.NextPageToken != "" {
		t.Fatalf("%s: more than a page", target)
	}
	a := answer{owned: []int64{}}
	for _, it := range body.InventoryItems {
		var id string
		switch {
		case it.AssetDetails != nil:
			id = it.AssetDetails.InstanceID
		case it.GamePassDetails != nil:
			id = it.GamePassDetails.GamePassID
		case it.BadgeDetails != nil:
			id = it.BadgeDetails.BadgeID
		}
		n, _ := strconv.ParseInt(id, 10, 64)
		a.owned = append(a.owned, n)
	}
	return a
}

var legacyTypeName = map[inventory.Kind]string{inventory.KindAsset: "Asset", inventory.KindGamePass: "GamePass", inventory.KindBadge: "Badge"}
var legacyTypeNumber = map[inventory.Kind]string{inventory.KindAsset: "0", inventory.KindGamePass: "1", inventory.KindBadge: "2"}

// legacyAnswers asks /items and /is-owned, with the item type as a name
// and as a number, as viewer (0: anonymous), and checks they agree with
// each other.
func legacyAnswer(t *testing.T, e *env, user int64, ref inventory.Ref, viewer int64) answer {
	t.Helper()
	var answers []answer
	for _, typ := range []string{legacyTypeName[ref.Kind], legacyTypeNumber[ref.Kind]} {
		base := fmt.Sprintf("/v1/users/%d/items/%s/%d", user, typ, ref.ID)
		items := e.get(base, viewer)
		owned := e.get(base+"/is-owned", viewer)
		if items.Status == http.StatusForbidden || owned.Status == http.StatusForbidden {
			if items.Status != owned.Status || items.errorCode() != 4 || owned.errorCode() != 4 {
				t.Fatalf("%s: items %d %s, is-owned %d %s", base, items.Status, items.Body, owned.Status, owned.Body)
			}
			answers = append(answers, answer{forbidden: true})
			continue
		}
		if items.Status != http.StatusOK || owned.Status != http.StatusOK {
			t.Fatalf("%s: items %d %s, is-owned %d %s", base, items.Status, items.Body, owned.Status, owned.Body)
		}
		var page wire.LegacyPage[wire.LegacyItem]
		items.decode(t, &page)
		var isOwned bool
		owned.decode(t, &isOwned)
		a := answer{owned: []int64{}}
		for _, it := range page.Data {
			if it.ID != ref.ID || it.Type != legacyTypeName[ref.Kind] {
				t.Fatalf("%s: item %+v", base, it)
			}
			if ref.Kind == inventory.KindAsset {
				if it.InstanceID == nil {
					t.Fatalf("%s: asset without instanceId", base)
				}
				a.owned = append(a.owned, *it.InstanceID)
			} else {
				if it.InstanceID != nil {
					t.Fatalf("%s: %s with instanceId", base, it.Type)
				}
				a.owned = append(a.owned, it.ID)
			}
		}
		if isOwned != (len(a.owned) > 0) {
			t.Fatalf("%s: is-owned %v, items %v", base, isOwned, a.owned)
		}
		answers = append(answers, a)
	}
	if answers[0].String() != answers[1].String() {
		t.Fatalf("user %d %s: by name %v, by number %v", user, ref, answers[0], answers[1])
	}
	return answers[0]
}

// TestOwnershipAgreesWithOpenCloud asks, for every demo user and every
// catalog asset, game pass and badge, whether the user owns it: the
// noblox.js-style legacy calls must answer as Open Cloud does for the same
// data and the same viewer. The owner's session is the owner's own key
// with Inventory: Read; an anonymous caller is a stranger's key. A friend
// of a friends-only inventory sees what a stranger would see were it
// public: Open Cloud's owner view less its private part.
func TestOwnershipAgreesWithOpenCloud(t *testing.T) {
	e := demoEnv(t)
	ctx := context.Background()
	set := demo.Set()
	if err := e.Store.CreateUser(ctx, inventory.User{ID: strangerUser, Name: "Stranger", DisplayName: "Stranger", Visibility: inventory.VisibilityEveryone, Created: testNow}); err != nil {
		t.Fatal(err)
	}
	keys := map[int64]string{strangerUser: strangerKey}
	if _, err := e.Store.CreateAPIKey(ctx, apikey.Key{OwnerID: strangerUser, Name: "stranger", Hash: apikey.HashSecret(strangerKey), Enabled: true, Created: testNow}); err != nil {
		t.Fatal(err)
	}
	for _, u := range set.Users {
		keys[u.ID] = ownKey(u.ID)
		if _, err := e.Store.CreateAPIKey(ctx, apikey.Key{OwnerID: u.ID, Name: "own", Hash: apikey.HashSecret(ownKey(u.ID)),
			Scopes: []string{apikey.ScopeInventoryRead}, Enabled: true, Created: testNow}); err != nil {
			t.Fatal(err)
		}
	}
	var refs []inventory.Ref
	for _, a := range set.Assets {
		refs = append(refs, inventory.Ref{Kind: inventory.KindAsset, ID: a.ID})
	}
	for _, p := range set.GamePasses {
		refs = append(refs, inventory.Ref{Kind: inventory.KindGamePass, ID: p.ID})
	}
	for _, b := range set.Badges {
		refs = append(refs, inventory.Ref{Kind: inventory.KindBadge, ID: b.ID})
	}
	friends := map[[2]int64]bool{}
	for _, f := range set.Friends {
		friends[[2]int64{f.A, f.B}], friends[[2]int64{f.B, f.A}] = true, true
	}
	purchased := map[int64]map[int64]bool{} // user -> instance ids of purchased places
	for _, o := range set.Ownerships {
		if o.Item.Kind == inventory.KindAsset && o.Item.AssetType == inventory.AssetTypePurchasedPlace {
			if purchased[o.UserID] == nil {
				purchased[o.UserID] = map[int64]bool{}
			}
			purchased[o.UserID][o.Item.ID] = true
		}
	}
	checked, owned, forbidden, viaFriend := 0, 0, 0, 0
	for _, u := range set.Users {
		// The viewers of u's inventory: anonymous, u, and every friend of u.
		viewers := []int64{0, u.ID}
		for _, v := range set.Users {
			if friends[[2]int64{u.ID, v.ID}] {
				viewers = append(viewers, v.ID)
			}
		}
		for _, ref := range refs {
			full := openCloudAnswer(t, e, u.ID, ref, keys[u.ID])
			public := openCloudAnswer(t, e, u.ID, ref, strangerKey)
			for _, v := range viewers {
				want := public
				switch {
				case v == u.ID:
					want = full
				case v != 0 && u.Visibility == inventory.VisibilityFriends:
					// Open Cloud has no friends: a friend sees the owner's
					// view less what only the owner may see.
					want = answer{owned: slices.DeleteFunc(slices.Clone(full.owned), func(id int64) bool { return purchased[u.ID][id] })}
					viaFriend++
				}
				got := legacyAnswer(t, e, u.ID, ref, v)
				if got.String() != want.String() {
					t.Errorf("user %d (%s) %s seen by %d: legacy %v, Open Cloud %v", u.ID, u.Visibility, ref, v, got, want)
				}
				checked++
				if !got.forbidden && len(got.owned) > 0 {
					owned++
				}
				if got.forbidden {
					forbidden++
				}
			}
		}
	}
	t.Logf("%d users x %d items: %d answers compared (%d owned, %d forbidden, %d as a friend)", len(set.Users), len(refs), checked, owned, forbidden, viaFriend)
	if owned < 100 || forbidden < 100 || viaFriend < 100 {
		t.Errorf("the demo data no longer exercises the rule: %d owned, %d forbidden, %d via a friend", owned, forbidden, viaFriend)
	}
}

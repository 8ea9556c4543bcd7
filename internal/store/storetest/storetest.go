// Package storetest is the conformance suite every store.Store backend must
// pass. A backend's test calls Run with a function that opens a fresh, empty
// store (and arranges, with t.Cleanup, for it to be closed).
package storetest

import (
	"cmp"
	"context"
	"errors"
	"fmt"
	"net/netip"
	"regexp"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/invcloud/invcloud/internal/apikey"
	"github.com/invcloud/invcloud/internal/inventory"
	"github.com/invcloud/invcloud/internal/store"
)

// now is the fixed clock of the suite.
var now = time.Date(2026, 6, 1, 12, 0, 0, 0, time.UTC)

var ctx = context.Background()

// uuidRE matches a lowercase version 4 UUID.
var uuidRE = regexp.MustCompile(`^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$`)

// Run runs the conformance suite. open must return a fresh, empty store for
// each call; every subtest calls it once.
func Run(t *testing.T, open func(t *testing.T) store.Store) {
	tests := []struct {
		name string
		fn   func(t *testing.T, s store.Store)
	}{
		{"Ping", testPing},
		{"CreateUser", testCreateUser},
		{"CreateUserDuplicate", testCreateUserDuplicate},
		{"UserNotFound", testUserNotFound},
		{"SetVisibility", testSetVisibility},
		{"PutAsset", testPutAsset},
		{"PutOtherCatalog", testPutOtherCatalog},
		{"GrantNotFound", testGrantNotFound},
		{"GrantNonCollectibleTwice", testGrantNonCollectibleTwice},
		{"GrantCollectible", testGrantCollectible},
		{"GrantPlace", testGrantPlace},
		{"GrantOtherKindsTwice", testGrantOtherKindsTwice},
		{"GrantAddTime", testGrantAddTime},
		{"GrantAfterImport", testGrantAfterImport},
		{"GrantConcurrent", testGrantConcurrent},
		{"GrantNoReuseAfterRevoke", testGrantNoReuseAfterRevoke},
		{"GrantAll", testGrantAll},
		{"CatalogItems", testCatalogItems},
		{"Revoke", testRevoke},
		{"RevokeNotFound", testRevokeNotFound},
		{"Import", testImport},
		{"ImportZeroID", testImportZeroID},
		{"ListOrder", testListOrder},
		{"ListAfter", testListAfter},
		{"ListLimit", testListLimit},
		{"ListPaging", testListPaging},
		{"ListQuery", testListQuery},
		{"ListQueryAfter", testListQueryAfter},
		{"ListOtherUsers", testListOtherUsers},
		{"Secret", testSecret},
		{"SecretGenError", testSecretGenError},
		{"SecretConcurrent", testSecretConcurrent},
		{"APIKeyCreateNotFound", testAPIKeyCreateNotFound},
		{"APIKeyRoundTrip", testAPIKeyRoundTrip},
		{"APIKeyDuplicateHash", testAPIKeyDuplicateHash},
		{"APIKeyList", testAPIKeyList},
		{"APIKeyEnable", testAPIKeyEnable},
		{"APIKeyTouch", testAPIKeyTouch},
		{"APIKeyDelete", testAPIKeyDelete},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			s := open(t)
			if s == nil {
				t.Fatal("open returned a nil store")
			}
			tt.fn(t, s)
		})
	}
}

// ---- helpers ----

func mustNil(t *testing.T, err error, what string) {
	t.Helper()
	if err != nil {
		t.Fatalf("%s: %v", what, err)
	}
}

func wantErr(t *testing.T, err, target error, what string) {
	t.Helper()
	if !errors.Is(err, target) {
		t.Fatalf("%s: got error %v, want %v", what, err, target)
	}
}

func user(id int64, name string) inventory.User {
	return inventory.User{ID: id, Name: name, DisplayName: "Display " + name, Created: now, Visibility: inventory.VisibilityEveryone}
}

func createUsers(t *testing.T, s store.Store, ids ...int64) {
	t.Helper()
	for _, id := range ids {
		mustNil(t, s.CreateUser(ctx, user(id, fmt.Sprintf("user%d", id))), "CreateUser")
	}
}

func grant(t *testing.T, s store.Store, userID int64, ref inventory.Ref) inventory.Item {
	t.Helper()
	it, err := s.Grant(ctx, userID, ref, now)
	mustNil(t, err, fmt.Sprintf("Grant(%d, %s)", userID, ref))
	return it
}

func list(t *testing.T, s store.Store, userID int64, q inventory.Query, after inventory.Position, limit int) []inventory.Item {
	t.Helper()
	items, err := s.ListInventory(ctx, userID, q, after, limit)
	mustNil(t, err, fmt.Sprintf("ListInventory(user %d, after %+v, limit %d)", userID, after, limit))
	return items
}

func refOf(kind inventory.Kind, id int64) inventory.Ref { return inventory.Ref{Kind: kind, ID: id} }

func fmtItem(it inventory.Item) string {
	var b strings.Builder
	fmt.Fprintf(&b, "%s:%d", it.Kind, it.ID)
	if it.Kind == inventory.KindAsset {
		fmt.Fprintf(&b, "{asset %d %s", it.AssetID, it.AssetType)
		if c := it.Collectible; c != nil {
			fmt.Fprintf(&b, " coll(%s %s %s #%d)", c.ItemID, c.InstanceID, c.State, c.SerialNumber)
		}
		b.WriteString("}")
	}
	if !it.AddTime.IsZero() {
		fmt.Fprintf(&b, "@%s", it.AddTime.Format(time.RFC3339Nano))
	}
	return b.String()
}

func fmtItems(items []inventory.Item) string {
	s := make([]string, len(items))
	for i, it := range items {
		s[i] = fmtItem(it)
	}
	return "[" + strings.Join(s, " ") + "]"
}

func sameItem(a, b inventory.Item) bool {
	if a.Kind != b.Kind || a.ID != b.ID || a.AssetID != b.AssetID || a.AssetType != b.AssetType || !a.AddTime.Equal(b.AddTime) {
		return false
	}
	if (a.Collectible == nil) != (b.Collectible == nil) {
		return false
	}
	return a.Collectible == nil || *a.Collectible == *b.Collectible
}

// checkItems fails unless got equals want item by item, in order.
func checkItems(t *testing.T, what string, got, want []inventory.Item) {
	t.Helper()
	if len(got) != len(want) || !slices.EqualFunc(got, want, sameItem) {
		t.Errorf("%s:\n got  %s\n want %s", what, fmtItems(got), fmtItems(want))
	}
}

func checkUTC(t *testing.T, what string, tm time.Time) {
	t.Helper()
	if !tm.IsZero() && tm.Location() != time.UTC {
		t.Errorf("%s: time %s is in %s, want UTC", what, tm, tm.Location())
	}
}

// ---- users ----

func testPing(t *testing.T, s store.Store) {
	mustNil(t, s.Ping(ctx), "Ping")
}

func testCreateUser(t *testing.T, s store.Store) {
	for _, u := range []inventory.User{
		{ID: 1, Name: "Alice", DisplayName: "Alice A.", Created: now.Add(123 * time.Millisecond), Visibility: inventory.VisibilityEveryone},
		{ID: 2, Name: "bob", DisplayName: "Bob", Created: now.AddDate(-3, 0, 0), Visibility: inventory.VisibilityFriends},
		{ID: 9_000_000_000, Name: "carol_99", DisplayName: "", Created: now, Visibility: inventory.VisibilityNoOne},
	} {
		mustNil(t, s.CreateUser(ctx, u), "CreateUser")
		got, err := s.User(ctx, u.ID)
		mustNil(t, err, "User")
		if got.ID != u.ID || got.Name != u.Name || got.DisplayName != u.DisplayName || got.Visibility != u.Visibility || !got.Created.Equal(u.Created) {
			t.Errorf("User(%d) = %+v, want %+v", u.ID, got, u)
		}
		checkUTC(t, "User.Created", got.Created)
	}
}

func testCreateUserDuplicate(t *testing.T, s store.Store) {
	mustNil(t, s.CreateUser(ctx, user(1, "Alice")), "CreateUser")
	for _, tt := range []struct {
		name string
		u    inventory.User
	}{
		{"same id", user(1, "someone-else")},
		{"same id and name", user(1, "Alice")},
		{"same name", user(2, "Alice")},
		{"name lower case", user(3, "alice")},
		{"name upper case", user(4, "ALICE")},
	} {
		t.Run(tt.name, func(t *testing.T) {
			wantErr(t, s.CreateUser(ctx, tt.u), store.ErrExists, fmt.Sprintf("CreateUser(%d, %q)", tt.u.ID, tt.u.Name))
			if tt.u.ID != 1 {
				_, err := s.User(ctx, tt.u.ID)
				wantErr(t, err, store.ErrNotFound, "User after refused CreateUser")
			}
		})
	}
	got, err := s.User(ctx, 1)
	mustNil(t, err, "User")
	if got.Name != "Alice" {
		t.Errorf("first user was overwritten: name %q", got.Name)
	}
}

func testUserNotFound(t *testing.T, s store.Store) {
	_, err := s.User(ctx, 42)
	wantErr(t, err, store.ErrNotFound, "User(missing)")
	createUsers(t, s, 1)
	_, err = s.User(ctx, 42)
	wantErr(t, err, store.ErrNotFound, "User(missing) beside another user")
}

func testSetVisibility(t *testing.T, s store.Store) {
	createUsers(t, s, 1, 2)
	for _, v := range []inventory.Visibility{inventory.VisibilityNoOne, inventory.VisibilityFriends, inventory.VisibilityEveryone, inventory.VisibilityNoOne} {
		mustNil(t, s.SetVisibility(ctx, 1, v), "SetVisibility")
		got, err := s.User(ctx, 1)
		mustNil(t, err, "User")
		if got.Visibility != v {
			t.Errorf("visibility = %q, want %q", got.Visibility, v)
		}
	}
	other, err := s.User(ctx, 2)
	mustNil(t, err, "User")
	if other.Visibility != inventory.VisibilityEveryone {
		t.Errorf("SetVisibility of user 1 changed user 2 to %q", other.Visibility)
	}
	wantErr(t, s.SetVisibility(ctx, 42, inventory.VisibilityNoOne), store.ErrNotFound, "SetVisibility(missing)")
}

// ---- catalog ----

func sameAsset(a, b inventory.Asset) bool {
	return a.ID == b.ID && a.Name == b.Name && a.LegacyType == b.LegacyType && a.CreatorID == b.CreatorID &&
		a.Collectible == b.Collectible && a.CollectibleItemID == b.CollectibleItemID && a.Serialized == b.Serialized
}

func testPutAsset(t *testing.T, s store.Store) {
	_, err := s.Asset(ctx, 100)
	wantErr(t, err, store.ErrNotFound, "Asset(missing)")

	created := now.Add(-time.Hour + 250*time.Millisecond)
	versions := []inventory.Asset{
		{ID: 100, Name: "Hat", LegacyType: 8, Created: created},
		{ID: 100, Name: "Limited Hat", LegacyType: 8, CreatorID: 7, Collectible: true, CollectibleItemID: "0a1b2c3d-0000-4000-8000-000000000001", Serialized: true, Created: created},
		{ID: 100, Name: "Place", LegacyType: inventory.LegacyPlace, CreatorID: 8, Created: created},
	}
	for i, a := range versions {
		mustNil(t, s.PutAsset(ctx, a), "PutAsset")
		got, err := s.Asset(ctx, a.ID)
		mustNil(t, err, "Asset")
		if !sameAsset(got, a) {
			t.Errorf("version %d: Asset = %+v, want %+v", i, got, a)
		}
		if i == 0 && !got.Created.Equal(created) {
			t.Errorf("Asset.Created = %s, want %s", got.Created, created)
		}
		checkUTC(t, "Asset.Created", got.Created)
	}
	other := inventory.Asset{ID: 101, Name: "Other", LegacyType: 18, Created: now}
	mustNil(t, s.PutAsset(ctx, other), "PutAsset")
	got, err := s.Asset(ctx, 100)
	mustNil(t, err, "Asset")
	if !sameAsset(got, versions[len(versions)-1]) {
		t.Errorf("putting asset 101 changed asset 100: %+v", got)
	}
	got, err = s.Asset(ctx, 101)
	mustNil(t, err, "Asset")
	if !sameAsset(got, other) {
		t.Errorf("Asset(101) = %+v, want %+v", got, other)
	}
}

func testPutOtherCatalog(t *testing.T, s store.Store) {
	createUsers(t, s, 1)
	puts := []struct {
		kind inventory.Kind
		put  func(id int64, name string) error
	}{
		{inventory.KindBadge, func(id int64, name string) error {
			return s.PutBadge(ctx, inventory.Badge{ID: id, Name: name, UniverseID: 5})
		}},
		{inventory.KindGamePass, func(id int64, name string) error {
			return s.PutGamePass(ctx, inventory.GamePass{ID: id, Name: name, UniverseID: 5})
		}},
		{inventory.KindPrivateServer, func(id int64, name string) error {
			return s.PutPrivateServer(ctx, inventory.PrivateServer{ID: id, Name: name})
		}},
	}
	for _, p := range puts {
		t.Run(p.kind.String(), func(t *testing.T) {
			ref := inventory.Ref{Kind: p.kind, ID: 77}
			_, err := s.Grant(ctx, 1, ref, now)
			wantErr(t, err, store.ErrNotFound, "Grant before Put")
			mustNil(t, p.put(77, "first"), "Put")
			mustNil(t, p.put(77, "second"), "Put again (update)")
			grant(t, s, 1, ref)
			// The update did not make a second catalog entry: the item is still
			// one item the user owns.
			_, err = s.Grant(ctx, 1, ref, now)
			wantErr(t, err, store.ErrExists, "Grant again")
			q := inventory.Query{Badges: inventory.Selector{Include: true}, GamePasses: inventory.Selector{Include: true}, PrivateServers: inventory.Selector{Include: true}}
			got := list(t, s, 1, q, inventory.Position{Kind: p.kind}, 10)
			checkItems(t, "listing", got[:min(len(got), 1)], []inventory.Item{{Kind: p.kind, ID: 77, AddTime: now}})
		})
	}
}

// ---- grant ----

func testGrantNotFound(t *testing.T, s store.Store) {
	createUsers(t, s, 1)
	mustNil(t, s.PutAsset(ctx, inventory.Asset{ID: 10, Name: "a", LegacyType: 8, Created: now}), "PutAsset")
	mustNil(t, s.PutBadge(ctx, inventory.Badge{ID: 20, Name: "b"}), "PutBadge")
	mustNil(t, s.PutGamePass(ctx, inventory.GamePass{ID: 30, Name: "p"}), "PutGamePass")
	mustNil(t, s.PutPrivateServer(ctx, inventory.PrivateServer{ID: 40, Name: "s"}), "PutPrivateServer")
	for _, tt := range []struct {
		name string
		user int64
		ref  inventory.Ref
	}{
		{"missing user asset", 2, refOf(inventory.KindAsset, 10)},
		{"missing user badge", 2, refOf(inventory.KindBadge, 20)},
		{"missing user pass", 2, refOf(inventory.KindGamePass, 30)},
		{"missing user server", 2, refOf(inventory.KindPrivateServer, 40)},
		{"missing asset", 1, refOf(inventory.KindAsset, 11)},
		{"missing badge", 1, refOf(inventory.KindBadge, 21)},
		{"missing pass", 1, refOf(inventory.KindGamePass, 31)},
		{"missing server", 1, refOf(inventory.KindPrivateServer, 41)},
		// Catalog ids are per kind: a badge id is not an asset id.
		{"badge id as asset", 1, refOf(inventory.KindAsset, 20)},
		{"asset id as server", 1, refOf(inventory.KindPrivateServer, 10)},
	} {
		t.Run(tt.name, func(t *testing.T) {
			_, err := s.Grant(ctx, tt.user, tt.ref, now)
			wantErr(t, err, store.ErrNotFound, fmt.Sprintf("Grant(%d, %s)", tt.user, tt.ref))
		})
	}
	if got := list(t, s, 1, inventory.Everything, inventory.Start, 100); len(got) != 0 {
		t.Errorf("failed grants left items: %s", fmtItems(got))
	}
}

func testGrantNonCollectibleTwice(t *testing.T, s store.Store) {
	createUsers(t, s, 1, 2)
	mustNil(t, s.PutAsset(ctx, inventory.Asset{ID: 10, Name: "Hat", LegacyType: 8, Created: now}), "PutAsset")
	ref := refOf(inventory.KindAsset, 10)
	first := grant(t, s, 1, ref)
	if first.Kind != inventory.KindAsset || first.ID <= 0 || first.AssetID != 10 || first.AssetType != inventory.AssetTypeHat || first.Collectible != nil {
		t.Errorf("Grant = %s, want a HAT instance of asset 10 without collectible fields", fmtItem(first))
	}
	_, err := s.Grant(ctx, 1, ref, now.Add(time.Minute))
	wantErr(t, err, store.ErrExists, "second Grant of a non-collectible")
	checkItems(t, "inventory", list(t, s, 1, inventory.Everything, inventory.Start, 10), []inventory.Item{first})
	// Another user may own it too.
	second := grant(t, s, 2, ref)
	if second.ID == first.ID {
		t.Errorf("two users' instances share id %d", first.ID)
	}
	checkItems(t, "other user's inventory", list(t, s, 2, inventory.Everything, inventory.Start, 10), []inventory.Item{second})
}

func testGrantCollectible(t *testing.T, s store.Store) {
	createUsers(t, s, 1, 2)
	const serialItem, plainItem = "11111111-2222-4333-8444-555555555555", "66666666-7777-4888-9999-aaaaaaaaaaaa"
	mustNil(t, s.PutAsset(ctx, inventory.Asset{ID: 10, Name: "Serialized", LegacyType: 8, Collectible: true, CollectibleItemID: serialItem, Serialized: true, Created: now}), "PutAsset")
	mustNil(t, s.PutAsset(ctx, inventory.Asset{ID: 11, Name: "Limited", LegacyType: 42, Collectible: true, CollectibleItemID: plainItem, Created: now}), "PutAsset")

	for _, tt := range []struct {
		name       string
		assetID    int64
		itemID     string
		assetType  inventory.AssetType
		serialized bool
	}{
		{"serialized", 10, serialItem, inventory.AssetTypeHat, true},
		{"not serialized", 11, plainItem, faceAccessory, false},
	} {
		t.Run(tt.name, func(t *testing.T) {
			ref := refOf(inventory.KindAsset, tt.assetID)
			a := grant(t, s, 1, ref)
			b := grant(t, s, 1, ref)
			c := grant(t, s, 2, ref)
			if a.ID <= 0 || a.ID == b.ID || a.ID == c.ID || b.ID == c.ID {
				t.Errorf("instance ids not distinct and positive: %d %d %d", a.ID, b.ID, c.ID)
			}
			seen := map[string]bool{}
			for i, it := range []inventory.Item{a, b, c} {
				if it.Kind != inventory.KindAsset || it.AssetID != tt.assetID || it.AssetType != tt.assetType {
					t.Errorf("grant %d = %s, want asset %d of type %s", i, fmtItem(it), tt.assetID, tt.assetType)
				}
				col := it.Collectible
				if col == nil {
					t.Fatalf("grant %d = %s: no collectible fields", i, fmtItem(it))
				}
				if col.ItemID != tt.itemID {
					t.Errorf("grant %d: collectible item id %q, want %q", i, col.ItemID, tt.itemID)
				}
				if !uuidRE.MatchString(col.InstanceID) {
					t.Errorf("grant %d: collectible instance id %q is not a v4 UUID", i, col.InstanceID)
				}
				if seen[col.InstanceID] {
					t.Errorf("grant %d: collectible instance id %q repeats", i, col.InstanceID)
				}
				seen[col.InstanceID] = true
				if col.State != inventory.CollectibleStateAvailable {
					t.Errorf("grant %d: state %s, want AVAILABLE", i, col.State)
				}
				want := int64(0)
				if tt.serialized {
					want = int64(i + 1) // serials count an asset's copies across users
				}
				if col.SerialNumber != want {
					t.Errorf("grant %d: serial %d, want %d", i, col.SerialNumber, want)
				}
			}
			q := inventory.Query{Assets: inventory.Selector{Include: true, IDs: []int64{tt.assetID}}, Types: inventory.AllTypes}
			want := []inventory.Item{a, b}
			if b.ID < a.ID {
				want = []inventory.Item{b, a}
			}
			checkItems(t, "user 1 listing", list(t, s, 1, q, inventory.Start, 10), want)
			checkItems(t, "user 2 listing", list(t, s, 2, q, inventory.Start, 10), []inventory.Item{c})
		})
	}
}

func testGrantPlace(t *testing.T, s store.Store) {
	createUsers(t, s, 1, 2)
	mustNil(t, s.PutAsset(ctx, inventory.Asset{ID: 10, Name: "Place", LegacyType: inventory.LegacyPlace, CreatorID: 1, Created: now}), "PutAsset")
	mustNil(t, s.PutAsset(ctx, inventory.Asset{ID: 11, Name: "Roblox place", LegacyType: inventory.LegacyPlace, Created: now}), "PutAsset")
	mustNil(t, s.PutAsset(ctx, inventory.Asset{ID: 12, Name: "Own hat", LegacyType: 8, CreatorID: 1, Created: now}), "PutAsset")
	for _, tt := range []struct {
		user, asset int64
		want        inventory.AssetType
	}{
		{1, 10, inventory.AssetTypeCreatedPlace},
		{2, 10, inventory.AssetTypePurchasedPlace},
		{1, 11, inventory.AssetTypePurchasedPlace},
		{1, 12, inventory.AssetTypeHat}, // creating a non-place changes nothing
	} {
		it := grant(t, s, tt.user, refOf(inventory.KindAsset, tt.asset))
		if it.AssetType != tt.want {
			t.Errorf("user %d, asset %d: granted type %s, want %s", tt.user, tt.asset, it.AssetType, tt.want)
		}
		q := inventory.Query{Assets: inventory.Selector{Include: true, IDs: []int64{tt.asset}}, Types: inventory.AllTypes}
		checkItems(t, fmt.Sprintf("user %d listing of asset %d", tt.user, tt.asset), list(t, s, tt.user, q, inventory.Start, 10), []inventory.Item{it})
	}
}

func testGrantOtherKindsTwice(t *testing.T, s store.Store) {
	createUsers(t, s, 1, 2)
	mustNil(t, s.PutBadge(ctx, inventory.Badge{ID: 20, Name: "b"}), "PutBadge")
	mustNil(t, s.PutGamePass(ctx, inventory.GamePass{ID: 30, Name: "p"}), "PutGamePass")
	mustNil(t, s.PutPrivateServer(ctx, inventory.PrivateServer{ID: 40, Name: "s"}), "PutPrivateServer")
	for _, ref := range []inventory.Ref{{Kind: inventory.KindBadge, ID: 20}, {Kind: inventory.KindGamePass, ID: 30}, {Kind: inventory.KindPrivateServer, ID: 40}} {
		t.Run(ref.Kind.String(), func(t *testing.T) {
			it := grant(t, s, 1, ref)
			if it.Kind != ref.Kind || it.ID != ref.ID || it.AssetID != 0 || it.Collectible != nil {
				t.Errorf("Grant(%s) = %s", ref, fmtItem(it))
			}
			_, err := s.Grant(ctx, 1, ref, now.Add(time.Hour))
			wantErr(t, err, store.ErrExists, "second Grant")
			grant(t, s, 2, ref) // other users are independent
		})
	}
	want := []inventory.Item{
		{Kind: inventory.KindBadge, ID: 20, AddTime: now},
		{Kind: inventory.KindGamePass, ID: 30, AddTime: now},
		{Kind: inventory.KindPrivateServer, ID: 40, AddTime: now},
	}
	checkItems(t, "user 1", list(t, s, 1, inventory.Everything, inventory.Start, 10), want)
	checkItems(t, "user 2", list(t, s, 2, inventory.Everything, inventory.Start, 10), want)
}

func testGrantAddTime(t *testing.T, s store.Store) {
	createUsers(t, s, 1)
	mustNil(t, s.PutAsset(ctx, inventory.Asset{ID: 10, Name: "a", LegacyType: 8, Created: now}), "PutAsset")
	mustNil(t, s.PutBadge(ctx, inventory.Badge{ID: 20, Name: "b"}), "PutBadge")
	mustNil(t, s.PutGamePass(ctx, inventory.GamePass{ID: 30, Name: "p"}), "PutGamePass")
	mustNil(t, s.PutPrivateServer(ctx, inventory.PrivateServer{ID: 40, Name: "s"}), "PutPrivateServer")
	// A sub-millisecond time in a non-UTC zone comes back truncated to the
	// millisecond, in UTC.
	zone := time.FixedZone("UTC+5:30", 5*3600+30*60)
	at := time.Date(2026, 6, 1, 17, 30, 0, 123_456_789, zone)
	want := time.Date(2026, 6, 1, 12, 0, 0, 123_000_000, time.UTC)
	refs := []inventory.Ref{{Kind: inventory.KindAsset, ID: 10}, {Kind: inventory.KindBadge, ID: 20}, {Kind: inventory.KindGamePass, ID: 30}, {Kind: inventory.KindPrivateServer, ID: 40}}
	var granted []inventory.Item
	for _, ref := range refs {
		it, err := s.Grant(ctx, 1, ref, at)
		mustNil(t, err, "Grant")
		if !it.AddTime.Equal(want) {
			t.Errorf("Grant(%s).AddTime = %s, want %s", ref, it.AddTime.Format(time.RFC3339Nano), want.Format(time.RFC3339Nano))
		}
		checkUTC(t, "Grant AddTime", it.AddTime)
		granted = append(granted, it)
	}
	got := list(t, s, 1, inventory.Everything, inventory.Start, 10)
	checkItems(t, "listing", got, granted)
	for _, it := range got {
		if !it.AddTime.Equal(want) {
			t.Errorf("listed %s: AddTime %s, want %s", fmtItem(it), it.AddTime.Format(time.RFC3339Nano), want.Format(time.RFC3339Nano))
		}
		checkUTC(t, "listed AddTime", it.AddTime)
	}
}

// testGrantAfterImport checks that grants after an import of explicit
// instance ids and serial numbers do not reuse either.
func testGrantAfterImport(t *testing.T, s store.Store) {
	const itemID = "11111111-2222-4333-8444-555555555555"
	b := store.Batch{
		Users:  []inventory.User{user(1, "one"), user(2, "two")},
		Assets: []inventory.Asset{{ID: 10, Name: "Serialized", LegacyType: 8, Collectible: true, CollectibleItemID: itemID, Serialized: true, Created: now}},
		Ownerships: []store.Ownership{
			{UserID: 1, Item: inventory.Item{Kind: inventory.KindAsset, ID: 5000, AssetID: 10, AssetType: inventory.AssetTypeHat,
				Collectible: &inventory.Collectible{ItemID: itemID, InstanceID: "00000000-0000-4000-8000-000000000001", State: inventory.CollectibleStateAvailable, SerialNumber: 7}}},
		},
	}
	mustNil(t, s.Import(ctx, b), "Import")
	it := grant(t, s, 2, refOf(inventory.KindAsset, 10))
	if it.ID == 5000 {
		t.Errorf("Grant reused imported instance id %d", it.ID)
	}
	if it.Collectible == nil || it.Collectible.SerialNumber <= 7 {
		t.Errorf("Grant after importing serial 7 = %s, want a serial above 7", fmtItem(it))
	}
}

// testGrantConcurrent grants one serialized collectible from several
// goroutines at once: every grant succeeds with its own instance and serial.
func testGrantConcurrent(t *testing.T, s store.Store) {
	createUsers(t, s, 1, 2)
	mustNil(t, s.PutAsset(ctx, inventory.Asset{ID: 10, Name: "Limited", LegacyType: 8, Collectible: true, CollectibleItemID: "11111111-2222-4333-8444-555555555555", Serialized: true, Created: now}), "PutAsset")
	const n = 8
	var wg sync.WaitGroup
	items := make([]inventory.Item, n)
	errs := make([]error, n)
	for i := range n {
		wg.Go(func() {
			items[i], errs[i] = s.Grant(ctx, int64(1+i%2), refOf(inventory.KindAsset, 10), now)
		})
	}
	wg.Wait()
	ids, serials := map[int64]bool{}, map[int64]bool{}
	for i := range n {
		if errs[i] != nil {
			t.Errorf("concurrent Grant %d: %v", i, errs[i])
			continue
		}
		if c := items[i].Collectible; c != nil {
			serials[c.SerialNumber] = true
		}
		ids[items[i].ID] = true
	}
	if t.Failed() {
		return
	}
	for i := int64(1); i <= n; i++ {
		if !serials[i] {
			t.Errorf("serials of %d concurrent grants: %v, want 1..%d", n, serials, n)
			break
		}
	}
	if len(ids) != n {
		t.Errorf("%d concurrent grants made %d distinct instance ids", n, len(ids))
	}
	got := len(list(t, s, 1, inventory.Everything, inventory.Start, 100)) + len(list(t, s, 2, inventory.Everything, inventory.Start, 100))
	if got != n {
		t.Errorf("%d concurrent grants left %d items", n, got)
	}
}

// testGrantNoReuseAfterRevoke checks that instance ids and serial numbers
// are never handed out twice, even after the copy that held them is revoked:
// an instance id is the item's USER_ASSET_ID path id, and a serial number
// names one copy of a limited for good.
func testGrantNoReuseAfterRevoke(t *testing.T, s store.Store) {
	createUsers(t, s, 1, 2)
	mustNil(t, s.PutAsset(ctx, inventory.Asset{ID: 10, Name: "Limited", LegacyType: 8, Collectible: true, CollectibleItemID: "11111111-2222-4333-8444-555555555555", Serialized: true, Created: now}), "PutAsset")
	mustNil(t, s.PutAsset(ctx, inventory.Asset{ID: 11, Name: "Hat", LegacyType: 8, Created: now}), "PutAsset")
	limited, hat := refOf(inventory.KindAsset, 10), refOf(inventory.KindAsset, 11)

	grant(t, s, 2, limited) // serial 1 stays with user 2
	revoked := grant(t, s, 1, limited)
	if _, err := s.Revoke(ctx, 1, limited); err != nil {
		t.Fatal(err)
	}
	next := grant(t, s, 2, limited)
	if next.ID == revoked.ID {
		t.Errorf("Grant after Revoke reused instance id %d", next.ID)
	}
	if next.Collectible.SerialNumber == revoked.Collectible.SerialNumber {
		t.Errorf("Grant after Revoke reused serial number %d", next.Collectible.SerialNumber)
	}

	h := grant(t, s, 1, hat)
	if _, err := s.Revoke(ctx, 1, hat); err != nil {
		t.Fatal(err)
	}
	if again := grant(t, s, 2, hat); again.ID == h.ID {
		t.Errorf("Grant of a hat to user 2 reused user 1's revoked instance id %d", again.ID)
	}
}

// ---- revoke ----

func testRevoke(t *testing.T, s store.Store) {
	createUsers(t, s, 1, 2)
	mustNil(t, s.PutAsset(ctx, inventory.Asset{ID: 10, Name: "Hat", LegacyType: 8, Created: now}), "PutAsset")
	mustNil(t, s.PutAsset(ctx, inventory.Asset{ID: 11, Name: "Limited", LegacyType: 8, Collectible: true, CollectibleItemID: "11111111-2222-4333-8444-555555555555", Serialized: true, Created: now}), "PutAsset")
	mustNil(t, s.PutBadge(ctx, inventory.Badge{ID: 20, Name: "b"}), "PutBadge")
	mustNil(t, s.PutGamePass(ctx, inventory.GamePass{ID: 30, Name: "p"}), "PutGamePass")
	mustNil(t, s.PutPrivateServer(ctx, inventory.PrivateServer{ID: 40, Name: "s"}), "PutPrivateServer")
	grants := []struct {
		ref    inventory.Ref
		copies int
	}{
		{inventory.Ref{Kind: inventory.KindAsset, ID: 10}, 1},
		{inventory.Ref{Kind: inventory.KindAsset, ID: 11}, 3},
		{inventory.Ref{Kind: inventory.KindBadge, ID: 20}, 1},
		{inventory.Ref{Kind: inventory.KindGamePass, ID: 30}, 1},
		{inventory.Ref{Kind: inventory.KindPrivateServer, ID: 40}, 1},
	}
	for _, g := range grants {
		for range g.copies {
			grant(t, s, 1, g.ref)
		}
		grant(t, s, 2, g.ref)
	}
	user2 := list(t, s, 2, inventory.Everything, inventory.Start, 100)
	if len(user2) != len(grants) {
		t.Fatalf("user 2 has %d items, want %d", len(user2), len(grants))
	}
	remaining := 1 + 3 + 1 + 1 + 1
	for _, g := range grants {
		t.Run(g.ref.String(), func(t *testing.T) {
			n, err := s.Revoke(ctx, 1, g.ref)
			mustNil(t, err, "Revoke")
			if n != g.copies {
				t.Errorf("Revoke(%s) = %d, want %d", g.ref, n, g.copies)
			}
			remaining -= g.copies
			if got := list(t, s, 1, inventory.Everything, inventory.Start, 100); len(got) != remaining {
				t.Errorf("after Revoke(%s): %d items left, want %d: %s", g.ref, len(got), remaining, fmtItems(got))
			}
			_, err = s.Revoke(ctx, 1, g.ref)
			wantErr(t, err, store.ErrNotFound, "second Revoke")
		})
	}
	checkItems(t, "user 2 after revoking from user 1", list(t, s, 2, inventory.Everything, inventory.Start, 100), user2)
	// A revoked non-collectible can be granted again.
	grant(t, s, 1, inventory.Ref{Kind: inventory.KindBadge, ID: 20})
	grant(t, s, 1, inventory.Ref{Kind: inventory.KindAsset, ID: 10})
}

func testRevokeNotFound(t *testing.T, s store.Store) {
	createUsers(t, s, 1, 2)
	mustNil(t, s.PutAsset(ctx, inventory.Asset{ID: 10, Name: "Hat", LegacyType: 8, Created: now}), "PutAsset")
	mustNil(t, s.PutBadge(ctx, inventory.Badge{ID: 20, Name: "b"}), "PutBadge")
	mustNil(t, s.PutGamePass(ctx, inventory.GamePass{ID: 30, Name: "p"}), "PutGamePass")
	mustNil(t, s.PutPrivateServer(ctx, inventory.PrivateServer{ID: 40, Name: "s"}), "PutPrivateServer")
	refs := []inventory.Ref{{Kind: inventory.KindAsset, ID: 10}, {Kind: inventory.KindBadge, ID: 20}, {Kind: inventory.KindGamePass, ID: 30}, {Kind: inventory.KindPrivateServer, ID: 40}}
	for _, ref := range refs {
		grant(t, s, 2, ref) // owned by someone else only
	}
	for _, ref := range refs {
		for _, tt := range []struct {
			name string
			user int64
			ref  inventory.Ref
		}{
			{"owned by another user", 1, ref},
			{"missing user", 3, ref},
			{"missing catalog item", 2, inventory.Ref{Kind: ref.Kind, ID: ref.ID + 1}},
		} {
			n, err := s.Revoke(ctx, tt.user, tt.ref)
			wantErr(t, err, store.ErrNotFound, fmt.Sprintf("Revoke %s, %s", tt.ref, tt.name))
			if n != 0 {
				t.Errorf("Revoke %s, %s: count %d, want 0", tt.ref, tt.name, n)
			}
		}
	}
	if got := list(t, s, 2, inventory.Everything, inventory.Start, 100); len(got) != len(refs) {
		t.Errorf("failed revokes removed items: %s", fmtItems(got))
	}
}

// ---- import and the listing fixture ----

const (
	itemSerialized = "0a0a0a0a-0000-4000-8000-000000000001"
	itemLimited    = "0b0b0b0b-0000-4000-8000-000000000002"
)

var faceAccessory, _ = inventory.ParseAssetType("FACE_ACCESSORY")
var face, _ = inventory.ParseAssetType("FACE")

// fixture is a batch with two users owning items of every kind, and a third
// user owning nothing. user1 and user2 are user 1's and user 2's listings in
// listing order.
func fixture() (b store.Batch, user1, user2 []inventory.Item) {
	at := func(m int) time.Time { return now.Add(time.Duration(m)*time.Minute + 7*time.Millisecond) }
	b.Users = []inventory.User{user(1, "one"), user(2, "two"), user(3, "three")}
	b.Assets = []inventory.Asset{
		{ID: 101, Name: "Hat", LegacyType: 8, Created: now},
		{ID: 102, Name: "Serialized hat", LegacyType: 8, Collectible: true, CollectibleItemID: itemSerialized, Serialized: true, Created: now},
		{ID: 103, Name: "My place", LegacyType: inventory.LegacyPlace, CreatorID: 1, Created: now},
		{ID: 104, Name: "Their place", LegacyType: inventory.LegacyPlace, CreatorID: 99, Created: now},
		{ID: 105, Name: "Face", LegacyType: 18, Created: now},
		{ID: 106, Name: "Limited", LegacyType: 42, Collectible: true, CollectibleItemID: itemLimited, Created: now},
	}
	b.Badges = []inventory.Badge{{ID: 201, Name: "b1"}, {ID: 202, Name: "b2"}, {ID: 203, Name: "b3", UniverseID: 9}}
	b.GamePasses = []inventory.GamePass{{ID: 301, Name: "p1"}, {ID: 302, Name: "p2"}}
	b.PrivateServers = []inventory.PrivateServer{{ID: 401, Name: "s1"}, {ID: 402, Name: "s2"}}

	coll := func(item, inst string, st inventory.CollectibleState, serial int64) *inventory.Collectible {
		return &inventory.Collectible{ItemID: item, InstanceID: inst, State: st, SerialNumber: serial}
	}
	a := func(id, assetID int64, typ inventory.AssetType, c *inventory.Collectible, add time.Time) inventory.Item {
		return inventory.Item{Kind: inventory.KindAsset, ID: id, AssetID: assetID, AssetType: typ, Collectible: c, AddTime: add}
	}
	o := func(k inventory.Kind, id int64, add time.Time) inventory.Item {
		return inventory.Item{Kind: k, ID: id, AddTime: add}
	}
	user1 = []inventory.Item{
		a(1001, 101, inventory.AssetTypeHat, nil, at(1)),
		a(1002, 102, inventory.AssetTypeHat, coll(itemSerialized, "c0000000-0000-4000-8000-000000000001", inventory.CollectibleStateAvailable, 1), at(2)),
		a(1003, 103, inventory.AssetTypeCreatedPlace, nil, at(3)),
		a(1004, 104, inventory.AssetTypePurchasedPlace, nil, time.Time{}), // add time unknown
		a(1005, 102, inventory.AssetTypeHat, coll(itemSerialized, "c0000000-0000-4000-8000-000000000002", inventory.CollectibleStateHold, 2), at(5)),
		a(1006, 106, faceAccessory, coll(itemLimited, "c0000000-0000-4000-8000-000000000003", inventory.CollectibleStateAvailable, 0), at(6)),
		o(inventory.KindBadge, 201, at(7)),
		o(inventory.KindBadge, 203, at(8)),
		o(inventory.KindGamePass, 302, at(9)),
		o(inventory.KindPrivateServer, 401, at(10)),
		o(inventory.KindPrivateServer, 402, at(11)),
	}
	user2 = []inventory.Item{
		a(2001, 101, inventory.AssetTypeHat, nil, at(20)),
		a(2002, 105, face, nil, at(21)),
		a(2003, 102, inventory.AssetTypeHat, coll(itemSerialized, "c0000000-0000-4000-8000-000000000004", inventory.CollectibleStateAvailable, 3), at(22)),
		o(inventory.KindBadge, 202, at(23)),
		o(inventory.KindGamePass, 301, time.Time{}),
		o(inventory.KindPrivateServer, 401, at(24)),
	}
	// Import in an order unlike the listing order, users interleaved.
	for i := max(len(user1), len(user2)) - 1; i >= 0; i-- {
		if i < len(user2) {
			b.Ownerships = append(b.Ownerships, store.Ownership{UserID: 2, Item: user2[i]})
		}
		if i < len(user1) {
			b.Ownerships = append(b.Ownerships, store.Ownership{UserID: 1, Item: user1[i]})
		}
	}
	return b, user1, user2
}

// loadFixture imports the fixture into s.
func loadFixture(t *testing.T, s store.Store) (user1, user2 []inventory.Item) {
	t.Helper()
	b, user1, user2 := fixture()
	mustNil(t, s.Import(ctx, b), "Import fixture")
	return user1, user2
}

func testImport(t *testing.T, s store.Store) {
	b, user1, user2 := fixture()
	check := func(t *testing.T) {
		t.Helper()
		for _, u := range b.Users {
			got, err := s.User(ctx, u.ID)
			mustNil(t, err, "User")
			if got.Name != u.Name || got.DisplayName != u.DisplayName || got.Visibility != u.Visibility || !got.Created.Equal(u.Created) {
				t.Errorf("User(%d) = %+v, want %+v", u.ID, got, u)
			}
		}
		for _, a := range b.Assets {
			got, err := s.Asset(ctx, a.ID)
			mustNil(t, err, "Asset")
			if !sameAsset(got, a) || !got.Created.Equal(a.Created) {
				t.Errorf("Asset(%d) = %+v, want %+v", a.ID, got, a)
			}
		}
		checkItems(t, "user 1", list(t, s, 1, inventory.Everything, inventory.Start, 100), user1)
		checkItems(t, "user 2", list(t, s, 2, inventory.Everything, inventory.Start, 100), user2)
		checkItems(t, "user 3", list(t, s, 3, inventory.Everything, inventory.Start, 100), nil)
	}
	mustNil(t, s.Import(ctx, b), "Import")
	check(t)
	// Importing the same batch again changes nothing.
	mustNil(t, s.Import(ctx, b), "Import again")
	check(t)
	// An overlapping batch adds only its new rows.
	more := store.Batch{
		Users:      []inventory.User{user(1, "one"), user(4, "four")},
		Ownerships: []store.Ownership{{UserID: 1, Item: user1[0]}, {UserID: 4, Item: inventory.Item{Kind: inventory.KindBadge, ID: 201, AddTime: now}}},
	}
	mustNil(t, s.Import(ctx, more), "Import overlapping batch")
	check(t)
	checkItems(t, "user 4", list(t, s, 4, inventory.Everything, inventory.Start, 100), []inventory.Item{{Kind: inventory.KindBadge, ID: 201, AddTime: now}})
	// The catalog entries are the ones Grant uses.
	_, err := s.Grant(ctx, 3, inventory.Ref{Kind: inventory.KindBadge, ID: 203}, now)
	mustNil(t, err, "Grant of an imported badge")
	// Nothing is lost by an empty batch.
	mustNil(t, s.Import(ctx, store.Batch{}), "Import empty batch")
	checkItems(t, "user 1 after empty import", list(t, s, 1, inventory.Everything, inventory.Start, 100), user1)
}

func testImportZeroID(t *testing.T, s store.Store) {
	base, _, _ := fixture()
	mustNil(t, s.Import(ctx, store.Batch{Users: base.Users, Assets: base.Assets, Badges: base.Badges, GamePasses: base.GamePasses, PrivateServers: base.PrivateServers}), "Import catalog")
	for _, tt := range []struct {
		name string
		item inventory.Item
	}{
		{"asset", inventory.Item{Kind: inventory.KindAsset, AssetID: 101, AssetType: inventory.AssetTypeHat, AddTime: now}},
		{"badge", inventory.Item{Kind: inventory.KindBadge, AddTime: now}},
		{"game pass", inventory.Item{Kind: inventory.KindGamePass}},
		{"private server", inventory.Item{Kind: inventory.KindPrivateServer, AddTime: now}},
	} {
		t.Run(tt.name, func(t *testing.T) {
			// A valid row and a new user travel with the bad row: the batch is
			// one transaction, so none of it may land.
			b := store.Batch{
				Users: []inventory.User{user(50, "fifty")},
				Ownerships: []store.Ownership{
					{UserID: 1, Item: inventory.Item{Kind: inventory.KindBadge, ID: 201, AddTime: now}},
					{UserID: 1, Item: tt.item},
				},
			}
			if err := s.Import(ctx, b); err == nil {
				t.Fatalf("Import of a %s with id 0 succeeded", tt.name)
			}
			if got := list(t, s, 1, inventory.Everything, inventory.Start, 100); len(got) != 0 {
				t.Errorf("failed Import left items: %s", fmtItems(got))
			}
			_, err := s.User(ctx, 50)
			wantErr(t, err, store.ErrNotFound, "User of a failed Import")
		})
	}
}

// ---- listing ----

func concat(parts ...[]inventory.Item) []inventory.Item {
	var out []inventory.Item
	for _, p := range parts {
		out = append(out, p...)
	}
	return out
}

func testListOrder(t *testing.T, s store.Store) {
	user1, _ := loadFixture(t, s)
	got := list(t, s, 1, inventory.Everything, inventory.Start, 100)
	checkItems(t, "Everything", got, user1)
	for i := 1; i < len(got); i++ {
		a, b := got[i-1], got[i]
		if a.Kind > b.Kind || (a.Kind == b.Kind && a.ID >= b.ID) {
			t.Errorf("items %d and %d out of order: %s, %s", i-1, i, fmtItem(a), fmtItem(b))
		}
	}
	for _, it := range got {
		checkUTC(t, "AddTime", it.AddTime)
	}
}

func testListAfter(t *testing.T, s store.Store) {
	user1, _ := loadFixture(t, s)
	badges, passes, servers := user1[6:8], user1[8:9], user1[9:]
	for _, tt := range []struct {
		name  string
		after inventory.Position
		want  []inventory.Item
	}{
		{"start", inventory.Start, user1},
		{"zero position", inventory.Position{}, user1},
		{"inside assets", inventory.Position{Kind: inventory.KindAsset, After: 1003}, user1[3:]},
		{"after a collectible", inventory.Position{Kind: inventory.KindAsset, After: 1002}, user1[2:]},
		{"after another user's instance", inventory.Position{Kind: inventory.KindAsset, After: 2001}, concat(badges, passes, servers)},
		{"before first asset", inventory.Position{Kind: inventory.KindAsset, After: 1000}, user1},
		{"last asset", inventory.Position{Kind: inventory.KindAsset, After: 1006}, concat(badges, passes, servers)},
		{"past last asset", inventory.Position{Kind: inventory.KindAsset, After: 5000}, concat(badges, passes, servers)},
		{"start of badges", inventory.Position{Kind: inventory.KindBadge}, concat(badges, passes, servers)},
		{"inside badges", inventory.Position{Kind: inventory.KindBadge, After: 201}, concat(badges[1:], passes, servers)},
		{"unowned badge id", inventory.Position{Kind: inventory.KindBadge, After: 202}, concat(badges[1:], passes, servers)},
		{"last badge", inventory.Position{Kind: inventory.KindBadge, After: 203}, concat(passes, servers)},
		{"start of passes", inventory.Position{Kind: inventory.KindGamePass}, concat(passes, servers)},
		{"before the pass", inventory.Position{Kind: inventory.KindGamePass, After: 301}, concat(passes, servers)},
		{"last pass", inventory.Position{Kind: inventory.KindGamePass, After: 302}, servers},
		{"start of servers", inventory.Position{Kind: inventory.KindPrivateServer}, servers},
		{"inside servers", inventory.Position{Kind: inventory.KindPrivateServer, After: 401}, servers[1:]},
		{"end", inventory.Position{Kind: inventory.KindPrivateServer, After: 402}, nil},
		{"past end", inventory.Position{Kind: inventory.KindPrivateServer, After: 1 << 62}, nil},
	} {
		t.Run(tt.name, func(t *testing.T) {
			checkItems(t, fmt.Sprintf("after %+v", tt.after), list(t, s, 1, inventory.Everything, tt.after, 100), tt.want)
		})
	}
	// After every item, the rest of the listing.
	for i, it := range user1 {
		checkItems(t, fmt.Sprintf("after item %d (%s)", i, fmtItem(it)), list(t, s, 1, inventory.Everything, inventory.Next(it), 100), user1[i+1:])
	}
}

func testListLimit(t *testing.T, s store.Store) {
	user1, _ := loadFixture(t, s)
	for n := 0; n <= len(user1)+2; n++ {
		got := list(t, s, 1, inventory.Everything, inventory.Start, n)
		checkItems(t, fmt.Sprintf("limit %d", n), got, user1[:min(n, len(user1))])
	}
	// A limit also holds from a position.
	checkItems(t, "limit 3 after the second badge", list(t, s, 1, inventory.Everything, inventory.Position{Kind: inventory.KindBadge, After: 201}, 3), user1[7:10])
}

func testListPaging(t *testing.T, s store.Store) {
	user1, _ := loadFixture(t, s)
	for size := 1; size <= 4; size++ {
		var all []inventory.Item
		pos := inventory.Start
		for page := 0; ; page++ {
			if page > len(user1) {
				t.Fatalf("page size %d: paging does not end", size)
			}
			// Ask for one more than the page, as the API does.
			items := list(t, s, 1, inventory.Everything, pos, size+1)
			if len(items) <= size {
				all = append(all, items...)
				break
			}
			items = items[:size]
			all = append(all, items...)
			pos = inventory.Next(items[size-1])
		}
		checkItems(t, fmt.Sprintf("pages of %d", size), all, user1)
	}
}

func testListQuery(t *testing.T, s store.Store) {
	user1, _ := loadFixture(t, s)
	byID := map[int64]inventory.Item{}
	for _, it := range user1 {
		byID[it.ID] = it
	}
	items := func(ids ...int64) []inventory.Item {
		out := []inventory.Item{}
		for _, id := range ids {
			it, ok := byID[id]
			if !ok {
				panic(fmt.Sprintf("no fixture item %d", id))
			}
			out = append(out, it)
		}
		return out
	}
	all := inventory.Selector{Include: true}
	ids := func(v ...int64) inventory.Selector { return inventory.Selector{Include: true, IDs: v} }
	hats := inventory.TypeSet(0).With(inventory.AssetTypeHat)
	for _, tt := range []struct {
		name string
		q    inventory.Query
		want []inventory.Item
	}{
		{"everything", inventory.Everything, user1},
		{"nothing", inventory.Query{}, nil},
		{"assets without types", inventory.Query{Assets: all}, nil},
		{"types without assets", inventory.Query{Types: inventory.AllTypes}, nil},
		{"all assets", inventory.Query{Assets: all, Types: inventory.AllTypes}, user1[:6]},
		{"hats", inventory.Query{Assets: all, Types: hats}, items(1001, 1002, 1005)},
		{"hats and faces", inventory.Query{Assets: all, Types: hats.With(face)}, items(1001, 1002, 1005)},
		{"faces", inventory.Query{Assets: all, Types: inventory.TypeSet(0).With(face)}, nil},
		{"face accessories", inventory.Query{Assets: all, Types: inventory.TypeSet(0).With(faceAccessory)}, items(1006)},
		{"without purchased places", inventory.Query{Assets: all, Types: inventory.AllTypes.Without(inventory.AssetTypePurchasedPlace)}, items(1001, 1002, 1003, 1005, 1006)},
		{"purchased places", inventory.Query{Assets: all, Types: inventory.TypeSet(0).With(inventory.AssetTypePurchasedPlace)}, items(1004)},
		{"created places", inventory.Query{Assets: all, Types: inventory.TypeSet(0).With(inventory.AssetTypeCreatedPlace)}, items(1003)},
		{"only collectibles", inventory.Query{Assets: all, Types: inventory.AllTypes, OnlyCollectibles: true}, items(1002, 1005, 1006)},
		{"only collectible hats", inventory.Query{Assets: all, Types: hats, OnlyCollectibles: true}, items(1002, 1005)},
		{"asset ids", inventory.Query{Assets: ids(101, 102, 105), Types: inventory.AllTypes}, items(1001, 1002, 1005)},
		{"asset ids unsorted", inventory.Query{Assets: ids(106, 101), Types: inventory.AllTypes}, items(1001, 1006)},
		{"asset ids not owned", inventory.Query{Assets: ids(105, 999), Types: inventory.AllTypes}, nil},
		{"asset id of a badge", inventory.Query{Assets: ids(201), Types: inventory.AllTypes}, nil},
		{"instance id is not an asset id", inventory.Query{Assets: ids(1001), Types: inventory.AllTypes}, nil},
		{"asset ids empty", inventory.Query{Assets: inventory.Selector{Include: true, IDs: []int64{}}, Types: inventory.AllTypes}, nil},
		{"asset ids not included", inventory.Query{Assets: inventory.Selector{IDs: []int64{101}}, Types: inventory.AllTypes}, nil},
		{"asset ids restricted", inventory.Query{Assets: ids(103, 104), Types: inventory.AllTypes.Without(inventory.AssetTypePurchasedPlace)}, items(1003)},
		{"asset ids restricted only purchased", inventory.Query{Assets: ids(104), Types: inventory.AllTypes.Without(inventory.AssetTypePurchasedPlace)}, nil},
		{"badges", inventory.Query{Badges: all}, items(201, 203)},
		{"badge ids", inventory.Query{Badges: ids(202, 203, 999)}, items(203)},
		{"badge ids empty", inventory.Query{Badges: inventory.Selector{Include: true, IDs: []int64{}}}, nil},
		{"server ids empty", inventory.Query{PrivateServers: inventory.Selector{Include: true, IDs: []int64{}}, Badges: all}, items(201, 203)},
		{"badge id of an asset", inventory.Query{Badges: ids(101)}, nil},
		{"passes", inventory.Query{GamePasses: all}, items(302)},
		{"pass ids of another user", inventory.Query{GamePasses: ids(301)}, nil},
		{"pass ids", inventory.Query{GamePasses: ids(301, 302)}, items(302)},
		{"servers", inventory.Query{PrivateServers: all}, items(401, 402)},
		{"server ids", inventory.Query{PrivateServers: ids(402)}, items(402)},
		{"badges and servers", inventory.Query{Badges: all, PrivateServers: all}, items(201, 203, 401, 402)},
		{"mixed", inventory.Query{Assets: ids(104, 106), Types: inventory.AllTypes, Badges: all, PrivateServers: ids(401)}, items(1004, 1006, 201, 203, 401)},
		{"everything without purchased places or servers", inventory.Everything.Restrict(inventory.AccessPublic), items(1001, 1002, 1003, 1005, 1006, 201, 203, 302)},
	} {
		t.Run(tt.name, func(t *testing.T) {
			got, err := s.ListInventory(ctx, 1, tt.q, inventory.Start, 100)
			if err != nil {
				t.Fatalf("ListInventory: %v", err)
			}
			checkItems(t, "listing", got, tt.want)
		})
	}
}

func testListQueryAfter(t *testing.T, s store.Store) {
	user1, _ := loadFixture(t, s)
	hats := inventory.Query{Assets: inventory.Selector{Include: true}, Types: inventory.TypeSet(0).With(inventory.AssetTypeHat)}
	checkItems(t, "hats after 1002", list(t, s, 1, hats, inventory.Position{Kind: inventory.KindAsset, After: 1002}, 10), []inventory.Item{user1[4]})
	checkItems(t, "hats after 1001, limit 1", list(t, s, 1, hats, inventory.Position{Kind: inventory.KindAsset, After: 1001}, 1), []inventory.Item{user1[1]})
	byIDs := inventory.Query{Assets: inventory.Selector{Include: true, IDs: []int64{101, 102}}, Types: inventory.AllTypes, Badges: inventory.Selector{Include: true, IDs: []int64{203}}}
	checkItems(t, "ids after 1001", list(t, s, 1, byIDs, inventory.Position{Kind: inventory.KindAsset, After: 1001}, 10), []inventory.Item{user1[1], user1[4], user1[7]})
	checkItems(t, "ids after 1002, limit 1", list(t, s, 1, byIDs, inventory.Position{Kind: inventory.KindAsset, After: 1002}, 1), []inventory.Item{user1[4]})
	checkItems(t, "ids after 1005", list(t, s, 1, byIDs, inventory.Position{Kind: inventory.KindAsset, After: 1005}, 10), []inventory.Item{user1[7]})
	checkItems(t, "ids after badge 201", list(t, s, 1, byIDs, inventory.Position{Kind: inventory.KindBadge, After: 201}, 10), []inventory.Item{user1[7]})
	checkItems(t, "ids after badge 203", list(t, s, 1, byIDs, inventory.Position{Kind: inventory.KindBadge, After: 203}, 10), nil)
}

func testListOtherUsers(t *testing.T, s store.Store) {
	user1, user2 := loadFixture(t, s)
	checkItems(t, "user 1", list(t, s, 1, inventory.Everything, inventory.Start, 100), user1)
	checkItems(t, "user 2", list(t, s, 2, inventory.Everything, inventory.Start, 100), user2)
	checkItems(t, "user 3 (owns nothing)", list(t, s, 3, inventory.Everything, inventory.Start, 100), nil)
	checkItems(t, "user 99 (no such user)", list(t, s, 99, inventory.Everything, inventory.Start, 100), nil)
	// Other users' items stay out whatever the position and query.
	for i, it := range user2 {
		checkItems(t, fmt.Sprintf("user 2 after item %d", i), list(t, s, 2, inventory.Everything, inventory.Next(it), 100), user2[i+1:])
	}
	q := inventory.Query{Assets: inventory.Selector{Include: true, IDs: []int64{101, 102, 105}}, Types: inventory.AllTypes}
	checkItems(t, "user 2 asset ids", list(t, s, 2, q, inventory.Start, 100), user2[:3])
}

// ---- secrets ----

func testSecret(t *testing.T, s store.Store) {
	calls := 0
	gen := func(v []byte) func() ([]byte, error) {
		return func() ([]byte, error) { calls++; return v, nil }
	}
	first := []byte{0, 1, 2, 0xfe, 0xff, 'a'}
	got, err := s.Secret(ctx, "pagetoken", gen(first))
	mustNil(t, err, "Secret")
	if string(got) != string(first) || calls != 1 {
		t.Fatalf("Secret = %x after %d generator calls, want %x after 1", got, calls, first)
	}
	for range 2 {
		got, err = s.Secret(ctx, "pagetoken", gen([]byte("something else")))
		mustNil(t, err, "Secret again")
		if string(got) != string(first) {
			t.Errorf("second Secret = %x, want the first value %x", got, first)
		}
	}
	other, err := s.Secret(ctx, "other", gen([]byte("other secret")))
	mustNil(t, err, "Secret other")
	if string(other) != "other secret" {
		t.Errorf("Secret(other) = %q, want %q", other, "other secret")
	}
	got, err = s.Secret(ctx, "pagetoken", gen(nil))
	mustNil(t, err, "Secret")
	if string(got) != string(first) {
		t.Errorf("Secret after another name = %x, want %x", got, first)
	}
}

func testSecretGenError(t *testing.T, s store.Store) {
	boom := errors.New("boom")
	_, err := s.Secret(ctx, "x", func() ([]byte, error) { return nil, boom })
	wantErr(t, err, boom, "Secret with a failing generator")
	got, err := s.Secret(ctx, "x", func() ([]byte, error) { return []byte("ok"), nil })
	mustNil(t, err, "Secret after a failure")
	if string(got) != "ok" {
		t.Errorf("Secret = %q, want %q", got, "ok")
	}
}

// testSecretConcurrent asks for one new secret from several goroutines at
// once, each with its own generator: all must get the same value.
func testSecretConcurrent(t *testing.T, s store.Store) {
	const n = 8
	got := make([][]byte, n)
	errs := make([]error, n)
	// Generators wait (briefly) for each other, so that a store that calls
	// several of them has them all return at once.
	var arrived sync.WaitGroup
	arrived.Add(n)
	all := make(chan struct{})
	go func() { arrived.Wait(); close(all) }()
	var wg sync.WaitGroup
	for i := range n {
		wg.Go(func() {
			got[i], errs[i] = s.Secret(ctx, "shared", func() ([]byte, error) {
				arrived.Done()
				select {
				case <-all:
				case <-time.After(100 * time.Millisecond):
				}
				return fmt.Appendf(nil, "value %d", i), nil
			})
		})
	}
	wg.Wait()
	for i := range n {
		mustNil(t, errs[i], "concurrent Secret")
		if string(got[i]) != string(got[0]) {
			t.Errorf("concurrent Secret calls got %q and %q", got[0], got[i])
		}
	}
	final, err := s.Secret(ctx, "shared", func() ([]byte, error) { return []byte("late"), nil })
	mustNil(t, err, "Secret")
	if string(final) != string(got[0]) {
		t.Errorf("Secret after the race = %q, want %q", final, got[0])
	}
}

// ---- API keys ----

func sameKey(a, b apikey.Key) bool {
	return a.ID == b.ID && a.OwnerID == b.OwnerID && a.Name == b.Name && a.Hash == b.Hash &&
		slices.Equal(a.Scopes, b.Scopes) && slices.Equal(a.AllowIPs, b.AllowIPs) &&
		a.Expires.Equal(b.Expires) && a.Enabled == b.Enabled && a.Created.Equal(b.Created) && a.LastUsed.Equal(b.LastUsed)
}

func fmtKey(k apikey.Key) string {
	return fmt.Sprintf("{id %d owner %d name %q hash %x scopes %q ips %v expires %s enabled %v created %s used %s}",
		k.ID, k.OwnerID, k.Name, k.Hash[:4], k.Scopes, k.AllowIPs, k.Expires, k.Enabled, k.Created, k.LastUsed)
}

func checkKey(t *testing.T, what string, got, want apikey.Key) {
	t.Helper()
	if !sameKey(got, want) {
		t.Errorf("%s:\n got  %s\n want %s", what, fmtKey(got), fmtKey(want))
	}
	for _, tm := range []time.Time{got.Expires, got.Created, got.LastUsed} {
		checkUTC(t, what, tm)
	}
}

func sampleKeys() []apikey.Key {
	return []apikey.Key{
		{
			OwnerID: 1, Name: "ci key", Hash: apikey.HashSecret("secret-one"),
			Scopes: []string{apikey.ScopeInventoryRead, apikey.ScopeGroupRead},
			AllowIPs: []netip.Prefix{
				netip.MustParsePrefix("10.0.0.0/8"),
				netip.MustParsePrefix("192.0.2.7/32"),
				netip.MustParsePrefix("2001:db8::/32"),
				netip.MustParsePrefix("2001:db8::1/128"),
				netip.MustParsePrefix("::ffff:198.51.100.0/120"),
			},
			Expires: now.Add(30*24*time.Hour + 5*time.Millisecond), Enabled: true, Created: now.Add(-time.Hour),
		},
		{OwnerID: 1, Name: "", Hash: apikey.HashSecret("secret-two"), Enabled: false, Created: now},
		{OwnerID: 2, Name: "other", Hash: apikey.HashSecret("secret-three"), Scopes: []string{apikey.ScopeGroupWrite}, Enabled: true, Created: now},
	}
}

func createKeys(t *testing.T, s store.Store) []apikey.Key {
	t.Helper()
	createUsers(t, s, 1, 2, 3)
	keys := sampleKeys()
	seen := map[int64]bool{}
	for i := range keys {
		id, err := s.CreateAPIKey(ctx, keys[i])
		mustNil(t, err, "CreateAPIKey")
		if id <= 0 || seen[id] {
			t.Fatalf("CreateAPIKey returned id %d (seen before: %v)", id, seen[id])
		}
		seen[id] = true
		keys[i].ID = id
	}
	return keys
}

func testAPIKeyCreateNotFound(t *testing.T, s store.Store) {
	createUsers(t, s, 1)
	k := sampleKeys()[0]
	k.OwnerID = 42
	_, err := s.CreateAPIKey(ctx, k)
	wantErr(t, err, store.ErrNotFound, "CreateAPIKey for a missing user")
	_, err = s.APIKeyByHash(ctx, k.Hash)
	wantErr(t, err, store.ErrNotFound, "APIKeyByHash after a failed create")
	keys, err := s.APIKeys(ctx, 0)
	mustNil(t, err, "APIKeys")
	if len(keys) != 0 {
		t.Errorf("failed create left keys: %d", len(keys))
	}
}

func testAPIKeyRoundTrip(t *testing.T, s store.Store) {
	keys := createKeys(t, s)
	for _, want := range keys {
		got, err := s.APIKeyByHash(ctx, want.Hash)
		mustNil(t, err, "APIKeyByHash")
		checkKey(t, "APIKeyByHash", got, want)
		if !got.LastUsed.IsZero() {
			t.Errorf("new key has LastUsed %s", got.LastUsed)
		}
	}
	_, err := s.APIKeyByHash(ctx, apikey.HashSecret("unknown"))
	wantErr(t, err, store.ErrNotFound, "APIKeyByHash(unknown)")
	_, err = s.APIKeyByHash(ctx, apikey.Hash{})
	wantErr(t, err, store.ErrNotFound, "APIKeyByHash(zero hash)")
}

func testAPIKeyDuplicateHash(t *testing.T, s store.Store) {
	createUsers(t, s, 1)
	k := sampleKeys()[0]
	_, err := s.CreateAPIKey(ctx, k)
	mustNil(t, err, "CreateAPIKey")
	k.Name = "copy"
	_, err = s.CreateAPIKey(ctx, k)
	wantErr(t, err, store.ErrExists, "CreateAPIKey with a hash in use")
}

func testAPIKeyList(t *testing.T, s store.Store) {
	keys := createKeys(t, s)
	sorted := func(ks []apikey.Key) []apikey.Key {
		return slices.SortedFunc(slices.Values(ks), func(a, b apikey.Key) int { return cmp.Compare(a.ID, b.ID) })
	}
	for _, tt := range []struct {
		name  string
		owner int64
		want  []apikey.Key
	}{
		{"owner 1", 1, keys[:2]},
		{"owner 2", 2, keys[2:]},
		{"owner without keys", 3, nil},
		{"missing owner", 42, nil},
		{"everyone", 0, keys},
	} {
		t.Run(tt.name, func(t *testing.T) {
			got, err := s.APIKeys(ctx, tt.owner)
			mustNil(t, err, "APIKeys")
			got, want := sorted(got), sorted(tt.want)
			if len(got) != len(want) {
				t.Fatalf("APIKeys(%d) returned %d keys, want %d", tt.owner, len(got), len(want))
			}
			for i := range got {
				checkKey(t, fmt.Sprintf("APIKeys(%d)[%d]", tt.owner, i), got[i], want[i])
			}
		})
	}
}

func testAPIKeyEnable(t *testing.T, s store.Store) {
	keys := createKeys(t, s)
	for _, step := range []struct {
		key     int
		enabled bool
	}{{0, false}, {0, false}, {1, true}, {0, true}} {
		mustNil(t, s.SetAPIKeyEnabled(ctx, keys[step.key].ID, step.enabled), "SetAPIKeyEnabled")
		keys[step.key].Enabled = step.enabled
		for _, want := range keys {
			got, err := s.APIKeyByHash(ctx, want.Hash)
			mustNil(t, err, "APIKeyByHash")
			checkKey(t, fmt.Sprintf("after SetAPIKeyEnabled(key %d, %v)", step.key, step.enabled), got, want)
		}
	}
	wantErr(t, s.SetAPIKeyEnabled(ctx, 1<<40, true), store.ErrNotFound, "SetAPIKeyEnabled(missing)")
}

func testAPIKeyTouch(t *testing.T, s store.Store) {
	keys := createKeys(t, s)
	for _, at := range []time.Time{now.Add(time.Minute + 42*time.Millisecond), now.Add(2 * time.Hour)} {
		mustNil(t, s.TouchAPIKey(ctx, keys[1].ID, at), "TouchAPIKey")
		keys[1].LastUsed = at
		for _, want := range keys {
			got, err := s.APIKeyByHash(ctx, want.Hash)
			mustNil(t, err, "APIKeyByHash")
			checkKey(t, "after TouchAPIKey", got, want)
		}
	}
	wantErr(t, s.TouchAPIKey(ctx, 1<<40, now), store.ErrNotFound, "TouchAPIKey(missing)")
}

func testAPIKeyDelete(t *testing.T, s store.Store) {
	keys := createKeys(t, s)
	mustNil(t, s.DeleteAPIKey(ctx, keys[0].ID), "DeleteAPIKey")
	_, err := s.APIKeyByHash(ctx, keys[0].Hash)
	wantErr(t, err, store.ErrNotFound, "APIKeyByHash of a deleted key")
	wantErr(t, s.DeleteAPIKey(ctx, keys[0].ID), store.ErrNotFound, "DeleteAPIKey again")
	wantErr(t, s.SetAPIKeyEnabled(ctx, keys[0].ID, true), store.ErrNotFound, "SetAPIKeyEnabled of a deleted key")
	wantErr(t, s.TouchAPIKey(ctx, keys[0].ID, now), store.ErrNotFound, "TouchAPIKey of a deleted key")
	wantErr(t, s.DeleteAPIKey(ctx, 1<<40), store.ErrNotFound, "DeleteAPIKey(missing)")
	got, err := s.APIKeys(ctx, 0)
	mustNil(t, err, "APIKeys")
	if len(got) != 2 {
		t.Fatalf("APIKeys after delete: %d keys, want 2", len(got))
	}
	for _, k := range got {
		if k.ID == keys[0].ID {
			t.Errorf("deleted key %d still listed", k.ID)
		}
	}
	got1, err := s.APIKeyByHash(ctx, keys[1].Hash)
	mustNil(t, err, "APIKeyByHash of a kept key")
	checkKey(t, "kept key", got1, keys[1])
}

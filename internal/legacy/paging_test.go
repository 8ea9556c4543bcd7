package legacy_test

import (
	"bytes"
	"context"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"math/rand/v2"
	"net/http"
	"net/url"
	"slices"
	"strconv"
	"testing"
	"time"

	"github.com/invcloud/invcloud/internal/demo"
	"github.com/invcloud/invcloud/internal/inventory"
	"github.com/invcloud/invcloud/internal/store"
)

// pagingUser owns pagingItems collectible instances of hats and faces,
// and pagingOthers ordinary shirts and pants that neither listing under
// test includes.
const (
	pagingUser   = 42
	pagingOther  = 43
	pagingItems  = 1000
	pagingOthers = 400
)

// pagingEnv is an env holding the paging data set; it returns the user
// asset ids of the listed instances, ascending.
func pagingEnv(t *testing.T) (*env, []int64) {
	t.Helper()
	e := newEnv(t)
	r := rand.New(rand.NewPCG(7, 7))
	var b store.Batch
	for _, id := range []int64{pagingUser, pagingOther} {
		b.Users = append(b.Users, inventory.User{ID: id, Name: fmt.Sprint("pager", id), DisplayName: "Pager", Visibility: inventory.VisibilityEveryone, Created: testNow})
	}
	var limiteds []inventory.Asset
	for i := range 20 {
		typ := []int{8, 18}[i%2]
		a := inventory.Asset{ID: 900000 + int64(i), Name: fmt.Sprint("Limited ", i), LegacyType: typ, CreatorID: 1, Collectible: true,
			CollectibleItemID: inventory.FormatUUID([16]byte{byte(i), 1}), Serialized: i%3 != 0, Created: testNow.AddDate(-1, 0, 0)}
		limiteds = append(limiteds, a)
		b.Assets = append(b.Assets, a)
	}
	for i := range pagingOthers {
		b.Assets = append(b.Assets, inventory.Asset{ID: 800000 + int64(i), Name: fmt.Sprint("Shirt ", i), LegacyType: []int{11, 12}[i%2], CreatorID: 1, Created: testNow})
	}
	// Listed and unlisted instances interleave, with gaps in the ids.
	var listed []int64
	serials := map[int64]int64{}
	instance := int64(5_000_000)
	others := 0
	for len(listed) < pagingItems || others < pagingOthers {
		instance += int64(1 + r.IntN(1000))
		if others < pagingOthers && (len(listed) == pagingItems || r.IntN(3) == 0) {
			a := b.Assets[len(limiteds)+others]
			others++
			b.Ownerships = append(b.Ownerships, store.Ownership{UserID: pagingUser, Item: inventory.Item{Kind: inventory.KindAsset, ID: instance,
				AssetID: a.ID, AssetType: inventory.AssetTypeForLegacy(a.LegacyType, false), AddTime: testNow.Add(-time.Duration(instance) * time.Second)}})
			continue
		}
		a := limiteds[r.IntN(len(limiteds))]
		c := &inventory.Collectible{ItemID: a.CollectibleItemID, InstanceID: inventory.FormatUUID([16]byte{byte(instance), byte(instance >> 8), byte(instance >> 16), 9}),
			State: inventory.CollectibleState(1 + r.IntN(2))}
		if a.Serialized {
			serials[a.ID]++
			c.SerialNumber = serials[a.ID]
		}
		b.Ownerships = append(b.Ownerships, store.Ownership{UserID: pagingUser, Item: inventory.Item{Kind: inventory.KindAsset, ID: instance,
			AssetID: a.ID, AssetType: inventory.AssetTypeForLegacy(a.LegacyType, false), Collectible: c, AddTime: testNow.Add(-time.Duration(instance) * time.Second)}})
		listed = append(listed, instance)
	}
	// Another user's copies, which no listing of pagingUser may show.
	for i := range 50 {
		a := limiteds[i%len(limiteds)]
		instance += 3
		b.Ownerships = append(b.Ownerships, store.Ownership{UserID: pagingOther, Item: inventory.Item{Kind: inventory.KindAsset, ID: instance,
			AssetID: a.ID, AssetType: inventory.AssetTypeForLegacy(a.LegacyType, false),
			Collectible: &inventory.Collectible{ItemID: a.CollectibleItemID, InstanceID: inventory.FormatUUID([16]byte{byte(i), 7, 7}), State: 1}}})
	}
	if err := e.Store.Import(context.Background(), b); err != nil {
		t.Fatal(err)
	}
	return e, listed
}

type pageBody struct {
	Prev *string          `json:"previousPageCursor"`
	Next *string          `json:"nextPageCursor"`
	Data []map[string]any `json:"data"`
}

func decodePage(t *testing.T, r response) pageBody {
	t.Helper()
	if r.Status != http.StatusOK {
		t.Fatalf("status %d: %s", r.Status, r.Body)
	}
	var p pageBody
	d := json.NewDecoder(bytes.NewReader(r.Body))
	d.UseNumber()
	if err := d.Decode(&p); err != nil {
		t.Fatalf("decode %s: %v", r.Body, err)
	}
	return p
}

func pageIDs(t *testing.T, p pageBody, field string) []int64 {
	t.Helper()
	var ids []int64
	for _, it := range p.Data {
		n, err := strconv.ParseInt(string(it[field].(json.Number)), 10, 64)
		if err != nil {
			t.Fatalf("%s = %v", field, it[field])
		}
		ids = append(ids, n)
	}
	return ids
}

func withParams(base string, params url.Values) string {
	if len(params) == 0 {
		return base
	}
	return base + "?" + params.Encode()
}

// walkBothWays pages forward through a listing to its end, then back with
// previousPageCursor to its start, and checks each way lists want (in the
// listing's order) exactly once, every page but the last full, the first
// page without a previous cursor and the last without a next one.
func walkBothWays(t *testing.T, e *env, base string, params url.Values, field string, limit int, want []int64) {
	t.Helper()
	walkBothWaysAs(t, e, 0, base, params, field, limit, want)
}

// walkBothWaysAs is walkBothWays signed in as user as.
func walkBothWaysAs(t *testing.T, e *env, as int64, base string, params url.Values, field string, limit int, want []int64) {
	t.Helper()
	var forward []int64
	var last pageBody
	cursor := ""
	for pages := 0; ; pages++ {
		q := url.Values{}
		for k, v := range params {
			q[k] = v
		}
		q.Set("limit", strconv.Itoa(limit))
		if cursor != "" {
			q.Set("cursor", cursor)
		}
		p := decodePage(t, e.get(withParams(base, q), as))
		ids := pageIDs(t, p, field)
		if pages == 0 && p.Prev != nil {
			t.Fatalf("first page has previousPageCursor %q", *p.Prev)
		}
		if pages > 0 && p.Prev == nil {
			t.Fatalf("page %d has no previousPageCursor", pages+1)
		}
		if p.Next != nil && len(ids) != limit {
			t.Fatalf("page %d has %d items and a next page", pages+1, len(ids))
		}
		forward = append(forward, ids...)
		if p.Next == nil {
			last = p
			break
		}
		if pages > pagingItems {
			t.Fatal("too many pages")
		}
		cursor = *p.Next
	}
	if !slices.Equal(forward, want) {
		t.Fatalf("forward: %d items, want %d in order (first difference at %d)", len(forward), len(want), firstDiff(forward, want))
	}
	// Back from the last page.
	backward := pageIDs(t, last, field)
	p := last
	for pages := 0; p.Prev != nil; pages++ {
		q := url.Values{}
		for k, v := range params {
			q[k] = v
		}
		q.Set("limit", strconv.Itoa(limit))
		q.Set("cursor", *p.Prev)
		p = decodePage(t, e.get(withParams(base, q), as))
		ids := pageIDs(t, p, field)
		if p.Next == nil {
			t.Fatalf("going back, page %d has no nextPageCursor", pages+1)
		}
		if p.Prev != nil && len(ids) != limit {
			t.Fatalf("going back, page %d has %d items and a previous page", pages+1, len(ids))
		}
		backward = append(ids, backward...)
		if pages > pagingItems {
			t.Fatal("too many pages")
		}
	}
	if !slices.Equal(backward, want) {
		t.Fatalf("backward: %d items, want %d in order (first difference at %d)", len(backward), len(want), firstDiff(backward, want))
	}
}

func firstDiff(a, b []int64) int {
	for i := range min(len(a), len(b)) {
		if a[i] != b[i] {
			return i
		}
	}
	return min(len(a), len(b))
}

func TestPagingCollectibles(t *testing.T) {
	e, listed := pagingEnv(t)
	desc := slices.Clone(listed)
	slices.Reverse(desc)
	base := fmt.Sprintf("/v1/users/%d/assets/collectibles", pagingUser)
	for _, limit := range []int{10, 25, 50, 100} {
		for _, order := range []string{"", "Asc", "Desc"} {
			t.Run(fmt.Sprintf("limit %d %s", limit, order), func(t *testing.T) {
				want := listed
				if order == "Desc" {
					want = desc
				}
				params := url.Values{}
				if order != "" {
					params.Set("sortOrder", order)
				}
				walkBothWays(t, e, base, params, "userAssetId", limit, want)
			})
		}
	}
}

func TestPagingInventory(t *testing.T) {
	e, listed := pagingEnv(t)
	desc := slices.Clone(listed)
	slices.Reverse(desc)
	base := fmt.Sprintf("/v2/users/%d/inventory", pagingUser)
	byType := fmt.Sprintf("/v2/users/%d/inventory/", pagingUser)
	for _, limit := range []int{10, 25, 50, 100} {
		for _, order := range []string{"Asc", "Desc"} {
			want := listed
			if order == "Desc" {
				want = desc
			}
			t.Run(fmt.Sprintf("limit %d %s", limit, order), func(t *testing.T) {
				// /v2/users/{id}/inventory lists asset ids: check the
				// user asset ids through the asset-type listing, which shows
				// them, and the asset ids here.
				q := url.Values{"assetTypes": {"8,18"}, "sortOrder": {order}}
				walkBothWays(t, e, byType+"8", url.Values{"sortOrder": {order}}, "userAssetId", limit, onlyType(t, e, want, 8))
				walkAssetIDs(t, e, base, q, limit, want)
			})
		}
	}
}

// onlyType keeps the instances of want whose asset has legacy type typ.
func onlyType(t *testing.T, e *env, want []int64, typ int) []int64 {
	t.Helper()
	owned, err := e.Store.UserAssets(context.Background(), pagingUser, []int{typ}, store.Span{Limit: 10 * pagingItems})
	if err != nil {
		t.Fatal(err)
	}
	keep := map[int64]bool{}
	for _, o := range owned {
		keep[o.Item.ID] = true
	}
	var out []int64
	for _, id := range want {
		if keep[id] {
			out = append(out, id)
		}
	}
	return out
}

// walkAssetIDs walks /v2/users/{id}/inventory both ways and checks the
// asset ids against those of the instances want, in order.
func walkAssetIDs(t *testing.T, e *env, base string, params url.Values, limit int, want []int64) {
	t.Helper()
	owned, err := e.Store.UserAssets(context.Background(), pagingUser, []int{8, 18}, store.Span{Limit: 10 * pagingItems})
	if err != nil {
		t.Fatal(err)
	}
	assetOf := map[int64]int64{}
	for _, o := range owned {
		assetOf[o.Item.ID] = o.Item.AssetID
	}
	wantAssets := make([]int64, len(want))
	for i, id := range want {
		wantAssets[i] = assetOf[id]
	}
	walkBothWays(t, e, base, params, "assetId", limit, wantAssets)
}

// TestPagingBadCursors mutates real cursors every way: each is refused
// with 400 and reads nothing.
func TestPagingBadCursors(t *testing.T) {
	e, _ := pagingEnv(t)
	listings := []struct {
		name, base string
		params     url.Values
		others     []url.Values // same endpoint, another query: the cursor must not carry over
	}{
		{"collectibles", fmt.Sprintf("/v1/users/%d/assets/collectibles", pagingUser), url.Values{},
			[]url.Values{{"sortOrder": {"Desc"}}, {"assetType": {"8"}}}},
		{"inventory", fmt.Sprintf("/v2/users/%d/inventory", pagingUser), url.Values{"assetTypes": {"8,18"}},
			[]url.Values{{"assetTypes": {"8"}}, {"assetTypes": {"8,18"}, "sortOrder": {"Desc"}}}},
		{"inventory by type", fmt.Sprintf("/v2/users/%d/inventory/8", pagingUser), url.Values{},
			[]url.Values{{"sortOrder": {"Desc"}}}},
		{"asset owners", "/v2/assets/900003/owners", url.Values{}, []url.Values{{"sortOrder": {"Desc"}}}},
	}
	for _, l := range listings {
		t.Run(l.name, func(t *testing.T) {
			p := decodePage(t, e.get(withParams(l.base, l.params), 0))
			if p.Next == nil {
				t.Fatal("no cursor")
			}
			good := *p.Next
			p2 := decodePage(t, e.get(withParams(l.base, merge(l.params, url.Values{"cursor": {good}})), 0))
			if p2.Prev == nil {
				t.Fatal("no previous cursor")
			}
			var bad []string
			raw, _ := base64.RawURLEncoding.DecodeString(good)
			for i := range raw {
				m := slices.Clone(raw)
				m[i] ^= 0x01
				bad = append(bad, base64.RawURLEncoding.EncodeToString(m))
			}
			bad = append(bad, good[:len(good)-1], good+"A", good+"=", "x"+good, good[1:], *p2.Prev+"A",
				base64.StdEncoding.EncodeToString(raw), "", " ", "null", "0", "-1", "%00")
			for i := range len(good) {
				b := []byte(good)
				b[i] = map[bool]byte{true: 'B', false: 'A'}[b[i] == 'A']
				bad = append(bad, string(b))
			}
			for _, c := range bad {
				if c == "" || c == good {
					continue // e.g. the standard alphabet, when no character differs
				}
				r0, _ := e.Calls.counts()
				resp := e.get(withParams(l.base, merge(l.params, url.Values{"cursor": {c}})), 0)
				if resp.Status != http.StatusBadRequest || resp.errorCode() != 0 {
					t.Errorf("cursor %q: %d %s, want 400", c, resp.Status, resp.Body)
				}
				if r, _ := e.Calls.counts(); r != r0 {
					t.Errorf("cursor %q: the refused call read %d listings", c, r-r0)
				}
			}
			// A real cursor of one query does not work for another, or for
			// another user.
			for _, o := range l.others {
				r0, _ := e.Calls.counts()
				resp := e.get(withParams(l.base, merge(o, url.Values{"cursor": {good}})), 0)
				if resp.Status != http.StatusBadRequest {
					t.Errorf("cursor of %v used with %v: %d %s", l.params, o, resp.Status, resp.Body)
				}
				if r, _ := e.Calls.counts(); r != r0 {
					t.Errorf("refused cursor read %d listings", r-r0)
				}
			}
			other := bytes.Replace([]byte(l.base), []byte(strconv.Itoa(pagingUser)), []byte(strconv.Itoa(pagingOther)), 1)
			if l.name == "asset owners" {
				other = []byte("/v2/assets/900005/owners") // another asset
			}
			if resp := e.get(withParams(string(other), merge(l.params, url.Values{"cursor": {good}})), 0); resp.Status != http.StatusBadRequest {
				t.Errorf("cursor of %s used for %s: %d %s", l.base, other, resp.Status, resp.Body)
			}
			// limit may change between pages.
			if resp := e.get(withParams(l.base, merge(l.params, url.Values{"cursor": {good}, "limit": {"100"}})), 0); resp.Status != http.StatusOK {
				t.Errorf("cursor with another limit: %d %s", resp.Status, resp.Body)
			}
		})
	}
}

func merge(a, b url.Values) url.Values {
	out := url.Values{}
	for k, v := range a {
		out[k] = v
	}
	for k, v := range b {
		out[k] = v
	}
	return out
}

// TestPagingOwners pages an asset's owners both ways.
func TestPagingOwners(t *testing.T) {
	e, _ := pagingEnv(t)
	owners, err := e.Store.CollectibleOwners(context.Background(), 900003, 0, store.Span{Limit: 10 * pagingItems})
	if err != nil {
		t.Fatal(err)
	}
	var want []int64
	for _, o := range owners {
		want = append(want, o.Item.ID)
	}
	if len(want) < 30 {
		t.Fatalf("only %d owners", len(want))
	}
	desc := slices.Clone(want)
	slices.Reverse(desc)
	walkBothWays(t, e, "/v2/assets/900003/owners", url.Values{}, "id", 10, want)
	walkBothWays(t, e, "/v2/assets/900003/owners", url.Values{"sortOrder": {"Desc"}}, "id", 25, desc)
}

// TestPagingCollectibleItemOwners pages the owners of the demo UGC limited
// as its creator, one by one, both ways, in both orders; the listing is
// keyed by user asset id, which the response does not show, so the serial
// numbers (unique per item) stand for it.
func TestPagingCollectibleItemOwners(t *testing.T) {
	e := demoEnv(t)
	owners, err := e.Store.CollectibleOwners(context.Background(), demo.UGCCrown, 0, store.Span{Limit: 100})
	if err != nil {
		t.Fatal(err)
	}
	var want []int64
	for _, o := range owners {
		want = append(want, o.Item.Collectible.SerialNumber)
	}
	if len(want) < 3 {
		t.Fatalf("%d owners", len(want))
	}
	desc := slices.Clone(want)
	slices.Reverse(desc)
	base := "/v2/collectible-items/" + demoFacts().crownItem + "/owners"
	for _, limit := range []int{1, 2, 3} {
		walkBothWaysAs(t, e, demo.UGCMakerUser, base, url.Values{}, "serialNumber", limit, want)
		walkBothWaysAs(t, e, demo.UGCMakerUser, base, url.Values{"sortOrder": {"2"}}, "serialNumber", limit, desc)
	}
}

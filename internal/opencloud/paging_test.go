package opencloud_test

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
	"strings"
	"testing"
	"time"

	"github.com/invcloud/invcloud/internal/apikey"
	"github.com/invcloud/invcloud/internal/inventory"
	"github.com/invcloud/invcloud/internal/store"
	"github.com/invcloud/invcloud/wire"
)

// pgPathKeys are the documented id prefixes of item paths (spec 1.6), written
// out here rather than taken from the package under test.
var pgPathKeys = map[inventory.Kind]string{
	inventory.KindAsset:         "USER_ASSET_ID=",
	inventory.KindBadge:         "BADGE_ID=",
	inventory.KindGamePass:      "GAME_PASS_ID=",
	inventory.KindPrivateServer: "PRIVATE_SERVER_ID=",
}

// pgPath is the path of the item of kind k with key id (the instance id for
// assets) in userID's inventory.
func pgPath(userID int64, k inventory.Kind, id int64) string {
	return "users/" + strconv.FormatInt(userID, 10) + "/inventory-items/" +
		base64.RawURLEncoding.EncodeToString([]byte(pgPathKeys[k]+strconv.FormatInt(id, 10)))
}

// pgTarget is the request URI of one inventory listing.
func pgTarget(userID int64, filter string, size int, token string) string {
	q := url.Values{}
	if filter != "" {
		q.Set("filter", filter)
	}
	if size != 0 {
		q.Set("maxPageSize", strconv.Itoa(size))
	}
	if token != "" {
		q.Set("pageToken", token)
	}
	target := "/cloud/v2/users/" + strconv.FormatInt(userID, 10) + "/inventory-items"
	if len(q) > 0 {
		target += "?" + q.Encode()
	}
	return target
}

// pgErrorCode checks r is a v2 error with the given status and returns its code.
func pgErrorCode(t testing.TB, r response, status int) string {
	t.Helper()
	if r.Status != status {
		t.Fatalf("status %d, want %d: %s", r.Status, status, r.Body)
	}
	var e wire.Error
	r.decode(t, &e)
	return e.Code
}

// pgItem is what the test knows about one owned item.
type pgItem struct {
	kind       inventory.Kind
	id         int64 // instance id for assets
	assetID    int64
	assetType  inventory.AssetType
	collectUID string // collectible instance id; "" if not collectible
	serial     int64
	addTime    time.Time
}

func (it pgItem) less(o pgItem) int {
	if it.kind != o.kind {
		return int(it.kind) - int(o.kind)
	}
	switch {
	case it.id < o.id:
		return -1
	case it.id > o.id:
		return 1
	}
	return 0
}

// pgFixture is a 1,000-item inventory of one public user plus a second user
// owning some of the same catalog items.
type pgFixture struct {
	e                  *env
	owner, other, peer int64
	ownerKey           string // owner, user.inventory-item:read
	otherKey           string // other, user.inventory-item:read
	peerKey            string // a third user, no scopes
	items              map[int64][]pgItem
}

const (
	pgOwner = 7001
	pgOther = 7002
	pgPeer  = 7003
)

func newPagingFixture(t *testing.T) *pgFixture {
	t.Helper()
	e := newEnv(t)
	f := &pgFixture{e: e, owner: pgOwner, other: pgOther, peer: pgPeer, items: map[int64][]pgItem{}}
	rng := rand.New(rand.NewPCG(1, 2))
	b := store.Batch{Users: []inventory.User{
		{ID: pgOwner, Name: "pgowner", DisplayName: "Owner", Visibility: inventory.VisibilityEveryone, Created: testNow},
		{ID: pgOther, Name: "pgother", DisplayName: "Other", Visibility: inventory.VisibilityEveryone, Created: testNow},
		{ID: pgPeer, Name: "pgpeer", DisplayName: "Peer", Visibility: inventory.VisibilityNoOne, Created: testNow},
	}}

	// Distinct random ids; badge, game pass and private server ids share one
	// small range so equal ids occur in different kinds.
	distinct := func(n int, lo, hi int64) []int64 {
		seen := map[int64]bool{}
		out := make([]int64, 0, n)
		for len(out) < n {
			v := lo + rng.Int64N(hi-lo)
			if !seen[v] {
				seen[v] = true
				out = append(out, v)
			}
		}
		return out
	}
	instances := distinct(1100, 1, 5_000_000_000)
	nextInstance := func() int64 { v := instances[0]; instances = instances[1:]; return v }

	// Catalog: 600 assets, every 6th a collectible (every 12th serialized),
	// every 50th a place (created by the owner for every 100th, else by
	// Roblox, so the owner sees CREATED_PLACE or PURCHASED_PLACE).
	legacyTypes := []int{8, 2, 11, 12, 18, 41, 42, 24, 64, 79}
	assetIDs := distinct(600, 1, 1_000_000)
	type catAsset struct {
		inventory.Asset
		typ inventory.AssetType
	}
	var catalog []catAsset
	for i, id := range assetIDs {
		a := inventory.Asset{ID: id, Name: "asset" + strconv.Itoa(i), LegacyType: legacyTypes[i%len(legacyTypes)], Created: testNow}
		typ := inventory.AssetTypeForLegacy(a.LegacyType, false)
		switch {
		case i%50 == 49 && i%100 == 99:
			a.LegacyType, a.CreatorID, typ = inventory.LegacyPlace, pgOwner, inventory.AssetTypeCreatedPlace
		case i%50 == 49:
			a.LegacyType, typ = inventory.LegacyPlace, inventory.AssetTypePurchasedPlace
		case i%6 == 0:
			a.Collectible = true
			a.CollectibleItemID = inventory.FormatUUID([16]byte{byte(i), byte(i >> 8), 1})
			a.Serialized = i%12 == 0
		}
		catalog = append(catalog, catAsset{a, typ})
		b.Assets = append(b.Assets, a)
	}
	badges := distinct(200, 1, 2000)
	passes := distinct(120, 1, 2000)
	servers := distinct(60, 1, 2000)
	for _, id := range badges {
		b.Badges = append(b.Badges, inventory.Badge{ID: id, Name: "badge", UniverseID: 1})
	}
	for _, id := range passes {
		b.GamePasses = append(b.GamePasses, inventory.GamePass{ID: id, Name: "pass", UniverseID: 1})
	}
	for _, id := range servers {
		b.PrivateServers = append(b.PrivateServers, inventory.PrivateServer{ID: id, Name: "server", UniverseID: 1})
	}

	serials := map[int64]int64{}
	own := func(user int64, k inventory.Kind, id int64, a *catAsset) {
		it := pgItem{kind: k, id: id}
		if id%3 == 0 {
			it.addTime = testNow.Add(-time.Duration(id%1000) * time.Hour)
		}
		wi := inventory.Item{Kind: k, ID: id, AddTime: it.addTime}
		if a != nil {
			typ := a.typ
			if a.LegacyType == inventory.LegacyPlace && a.CreatorID != user {
				typ = inventory.AssetTypePurchasedPlace
			}
			it.assetID, it.assetType = a.ID, typ
			wi.AssetID, wi.AssetType = a.ID, typ
			if a.Collectible {
				it.collectUID = inventory.FormatUUID([16]byte{byte(id), byte(id >> 8), byte(id >> 16), byte(id >> 24), 2})
				c := &inventory.Collectible{ItemID: a.CollectibleItemID, InstanceID: it.collectUID, State: inventory.CollectibleStateAvailable}
				if a.Serialized {
					serials[a.ID]++
					it.serial = serials[a.ID]
					c.SerialNumber = it.serial
				}
				wi.Collectible = c
			}
		}
		if k == inventory.KindGamePass {
			it.addTime = time.Time{} // never listed for passes
		}
		f.items[user] = append(f.items[user], it)
		b.Ownerships = append(b.Ownerships, store.Ownership{UserID: user, Item: wi})
	}
	// The owner: 600 assets once plus a second copy of each of the 100
	// collectibles (700), 150 badges, 100 game passes, 50 private servers.
	for i := range catalog {
		own(pgOwner, inventory.KindAsset, nextInstance(), &catalog[i])
	}
	for i := range catalog {
		if catalog[i].Collectible {
			own(pgOwner, inventory.KindAsset, nextInstance(), &catalog[i])
		}
	}
	for _, id := range badges[:150] {
		own(pgOwner, inventory.KindBadge, id, nil)
	}
	for _, id := range passes[:100] {
		own(pgOwner, inventory.KindGamePass, id, nil)
	}
	for _, id := range servers[:50] {
		own(pgOwner, inventory.KindPrivateServer, id, nil)
	}
	// The other user: some of the same items, instance ids interleaved.
	for i := 0; i < len(catalog); i += 2 {
		own(pgOther, inventory.KindAsset, nextInstance(), &catalog[i])
	}
	for _, id := range badges[100:180] {
		own(pgOther, inventory.KindBadge, id, nil)
	}
	for _, id := range passes[60:110] {
		own(pgOther, inventory.KindGamePass, id, nil)
	}
	for _, id := range servers[30:55] {
		own(pgOther, inventory.KindPrivateServer, id, nil)
	}
	// Insert in random order: listing order must not depend on it.
	rng.Shuffle(len(b.Ownerships), func(i, j int) { b.Ownerships[i], b.Ownerships[j] = b.Ownerships[j], b.Ownerships[i] })
	if err := e.Store.Import(context.Background(), b); err != nil {
		t.Fatal(err)
	}
	for u := range f.items {
		slices.SortFunc(f.items[u], pgItem.less)
	}
	if n := len(f.items[pgOwner]); n != 1000 {
		t.Fatalf("fixture has %d items, want 1000", n)
	}
	f.ownerKey = e.key(pgOwner, nil, apikey.ScopeInventoryRead)
	f.otherKey = e.key(pgOther, nil, apikey.ScopeInventoryRead)
	f.peerKey = e.key(pgPeer, nil)
	return f
}

// expect returns the items of user that match keep, in listing order.
func (f *pgFixture) expect(user int64, keep func(pgItem) bool) []pgItem {
	var out []pgItem
	for _, it := range f.items[user] {
		if keep == nil || keep(it) {
			out = append(out, it)
		}
	}
	return out
}

// checkItem compares a listed item with what the fixture says.
func pgCheckItem(t testing.TB, user int64, got wire.InventoryItem, want pgItem) {
	t.Helper()
	if p := pgPath(user, want.kind, want.id); got.Path != p {
		t.Fatalf("item path %q, want %q (%+v)", got.Path, p, want)
	}
	id := strconv.FormatInt(want.id, 10)
	var wantAdd string
	if !want.addTime.IsZero() {
		wantAdd = want.addTime.UTC().Format(time.RFC3339Nano)
	}
	if got.AddTime != wantAdd {
		t.Fatalf("%s: addTime %q, want %q", got.Path, got.AddTime, wantAdd)
	}
	details := 0
	for _, set := range []bool{got.AssetDetails != nil, got.BadgeDetails != nil, got.GamePassDetails != nil, got.PrivateServerDetails != nil} {
		if set {
			details++
		}
	}
	if details != 1 {
		t.Fatalf("%s: %d details fields set, want 1", got.Path, details)
	}
	switch want.kind {
	case inventory.KindAsset:
		d := got.AssetDetails
		if d == nil || d.InstanceID != id || d.AssetID != strconv.FormatInt(want.assetID, 10) || d.InventoryItemAssetType != want.assetType.String() {
			t.Fatalf("%s: assetDetails %+v, want instance %d asset %d type %s", got.Path, d, want.id, want.assetID, want.assetType)
		}
		c := d.CollectibleDetails
		switch {
		case want.collectUID == "" && c != nil:
			t.Fatalf("%s: unexpected collectibleDetails %+v", got.Path, c)
		case want.collectUID != "" && (c == nil || c.InstanceID != want.collectUID || c.SerialNumber != want.serial || c.InstanceState != "AVAILABLE"):
			t.Fatalf("%s: collectibleDetails %+v, want instance %s serial %d", got.Path, c, want.collectUID, want.serial)
		}
	case inventory.KindBadge:
		if d := got.BadgeDetails; d == nil || d.BadgeID != id {
			t.Fatalf("%s: badgeDetails %+v, want %s", got.Path, d, id)
		}
	case inventory.KindGamePass:
		if d := got.GamePassDetails; d == nil || d.GamePassID != id {
			t.Fatalf("%s: gamePassDetails %+v, want %s", got.Path, d, id)
		}
	case inventory.KindPrivateServer:
		if d := got.PrivateServerDetails; d == nil || d.PrivateServerID != id {
			t.Fatalf("%s: privateServerDetails %+v, want %s", got.Path, d, id)
		}
	}
}

// pgPage fetches one page and checks the envelope: both fields present.
func pgPage(t testing.TB, e *env, target, key string) wire.ListInventoryItemsResponse {
	t.Helper()
	r := e.get(target, key)
	if r.Status != http.StatusOK {
		t.Fatalf("GET %s: status %d: %s", target, r.Status, r.Body)
	}
	var raw map[string]json.RawMessage
	r.decode(t, &raw)
	if _, ok := raw["nextPageToken"]; !ok {
		t.Fatalf("GET %s: no nextPageToken field: %s", target, r.Body)
	}
	if v, ok := raw["inventoryItems"]; !ok || string(v) == "null" {
		t.Fatalf("GET %s: inventoryItems missing or null: %s", target, r.Body)
	}
	var page wire.ListInventoryItemsResponse
	r.decode(t, &page)
	return page
}

func pgJSON(t testing.TB, v any) string {
	t.Helper()
	b, err := json.Marshal(v)
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}

// pgWalk pages through user's inventory and checks every page against want:
// each page holds exactly min(size, remaining) items in listing order, every
// page but the last carries a token, and the last one carries "" (no
// trailing empty page). It returns the tokens it was given.
func pgWalk(t testing.TB, e *env, user int64, key, filter string, size int, want []pgItem) []string {
	t.Helper()
	var tokens []string
	token, got := "", 0
	for page := 1; ; page++ {
		if page > len(want)+1 {
			t.Fatalf("size %d filter %q: more than %d pages", size, filter, len(want)+1)
		}
		calls := e.Lists.calls
		p := pgPage(t, e, pgTarget(user, filter, size, token), key)
		if e.Lists.calls != calls+1 {
			t.Fatalf("size %d page %d: %d ListInventory calls, want 1", size, page, e.Lists.calls-calls)
		}
		if n := min(size, len(want)-got); len(p.InventoryItems) != n {
			t.Fatalf("size %d filter %q page %d: %d items, want %d (%d of %d seen)", size, filter, page, len(p.InventoryItems), n, got, len(want))
		}
		for _, it := range p.InventoryItems {
			pgCheckItem(t, user, it, want[got])
			got++
		}
		if got == len(want) {
			if p.NextPageToken != "" {
				t.Fatalf("size %d filter %q: last page (%d) has nextPageToken %q, want \"\"", size, filter, page, p.NextPageToken)
			}
			return tokens
		}
		if p.NextPageToken == "" {
			t.Fatalf("size %d filter %q page %d: empty nextPageToken after %d of %d items", size, filter, page, got, len(want))
		}
		token = p.NextPageToken
		tokens = append(tokens, token)
	}
}

func TestPagingWholeInventory(t *testing.T) {
	f := newPagingFixture(t)
	want := f.expect(pgOwner, nil)
	// The fixture's own order: kinds in listing order, ids ascending.
	for i := 1; i < len(want); i++ {
		if want[i-1].less(want[i]) >= 0 {
			t.Fatalf("fixture order broken at %d", i)
		}
	}
	for _, size := range []int{1, 7, 10, 99, 100} {
		t.Run("size="+strconv.Itoa(size), func(t *testing.T) {
			tokens := pgWalk(t, f.e, pgOwner, f.ownerKey, "", size, want)
			if pages := (len(want) + size - 1) / size; len(tokens) != pages-1 {
				t.Fatalf("%d tokens, want %d", len(tokens), pages-1)
			}
			seen := map[string]bool{}
			for _, tok := range tokens {
				if seen[tok] {
					t.Fatalf("token %q issued twice", tok)
				}
				seen[tok] = true
			}
		})
	}
	// Above the maximum is the maximum; absent and 0 are the default (10).
	for _, size := range []int{101, 1000} {
		p := pgPage(t, f.e, pgTarget(pgOwner, "", size, ""), f.ownerKey)
		if len(p.InventoryItems) != 100 {
			t.Fatalf("maxPageSize=%d: %d items, want 100", size, len(p.InventoryItems))
		}
	}
	for _, target := range []string{pgTarget(pgOwner, "", 0, ""), pgTarget(pgOwner, "", 0, "") + "?maxPageSize=0"} {
		p := pgPage(t, f.e, target, f.ownerKey)
		if len(p.InventoryItems) != 10 {
			t.Fatalf("%s: %d items, want 10", target, len(p.InventoryItems))
		}
	}
}

func TestPagingFiltered(t *testing.T) {
	f := newPagingFixture(t)
	assetsAndBadges := f.expect(pgOwner, func(it pgItem) bool {
		return it.kind == inventory.KindAsset || it.kind == inventory.KindBadge
	})
	if len(assetsAndBadges) != 850 {
		t.Fatalf("%d assets and badges, want 850", len(assetsAndBadges))
	}
	// 850 % 7 != 0, 850 % 10 == 0.
	for _, size := range []int{7, 10} {
		pgWalk(t, f.e, pgOwner, f.ownerKey, "inventoryItemAssetTypes=*;badges=true", size, assetsAndBadges)
	}
	collectibles := f.expect(pgOwner, func(it pgItem) bool { return it.collectUID != "" })
	if len(collectibles) != 200 {
		t.Fatalf("%d collectibles, want 200", len(collectibles))
	}
	pgWalk(t, f.e, pgOwner, f.ownerKey, "onlyCollectibles=true;inventoryItemAssetTypes=*", 9, collectibles)
	passesAndServers := f.expect(pgOwner, func(it pgItem) bool {
		return it.kind == inventory.KindGamePass || it.kind == inventory.KindPrivateServer
	})
	pgWalk(t, f.e, pgOwner, f.ownerKey, "gamePasses=true;privateServers=true", 15, passesAndServers)
}

// Without the owner's permission, private servers and purchased places are
// left out on every page, across page boundaries too.
func TestPagingPublicView(t *testing.T) {
	f := newPagingFixture(t)
	public := f.expect(pgOwner, func(it pgItem) bool {
		return it.kind != inventory.KindPrivateServer && it.assetType != inventory.AssetTypePurchasedPlace
	})
	if n := len(f.items[pgOwner]) - len(public); n != 50+6 {
		t.Fatalf("public view hides %d items, want 56", n)
	}
	for _, size := range []int{8, 100} {
		pgWalk(t, f.e, pgOwner, f.peerKey, "", size, public)
	}
	// The second user's inventory, seen by the owner's key.
	pgWalk(t, f.e, pgOther, f.ownerKey, "", 33, f.expect(pgOther, func(it pgItem) bool {
		return it.kind != inventory.KindPrivateServer && it.assetType != inventory.AssetTypePurchasedPlace
	}))
	pgWalk(t, f.e, pgOther, f.otherKey, "", 100, f.expect(pgOther, nil))
}

// pgRefused checks a request is 400 INVALID_ARGUMENT and read nothing.
func pgRefused(t testing.TB, e *env, target, key string) {
	t.Helper()
	calls := e.Lists.calls
	r := e.get(target, key)
	if code := pgErrorCode(t, r, http.StatusBadRequest); code != "INVALID_ARGUMENT" {
		t.Fatalf("GET %s: code %q, want INVALID_ARGUMENT", target, code)
	}
	if e.Lists.calls != calls {
		t.Fatalf("GET %s: refused request called ListInventory", target)
	}
}

func TestPageTokenAlteredFilter(t *testing.T) {
	f := newPagingFixture(t)
	const filter = "inventoryItemAssetTypes=*;badges=true"
	first := pgPage(t, f.e, pgTarget(pgOwner, filter, 7, ""), f.ownerKey)
	tok := first.NextPageToken
	if tok == "" {
		t.Fatal("no token")
	}
	for _, altered := range []string{
		"",
		"inventoryItemAssetTypes=*",
		"badges=true",
		"inventoryItemAssetTypes=*;badges=true;gamePasses=true",
		"inventoryItemAssetTypes=HAT;badges=true",
		"onlyCollectibles=true;inventoryItemAssetTypes=*;badges=true",
		"inventoryItemAssetTypes=*;badges=true;privateServers=true",
		"assetIds=1",
	} {
		t.Run("filter="+altered, func(t *testing.T) {
			pgRefused(t, f.e, pgTarget(pgOwner, altered, 7, tok), f.ownerKey)
		})
	}
	// And a token of the unfiltered listing used with a filter.
	plain := pgPage(t, f.e, pgTarget(pgOwner, "", 7, ""), f.ownerKey).NextPageToken
	pgRefused(t, f.e, pgTarget(pgOwner, filter, 7, plain), f.ownerKey)

	// The same filter written differently means the same thing, so the
	// token carries over (the binding is the filter's canonical form).
	want := pgPage(t, f.e, pgTarget(pgOwner, filter, 7, tok), f.ownerKey)
	for _, same := range []string{"badges=true;inventoryItemAssetTypes=*", " badges = TRUE ; inventoryItemAssetTypes=* ", filter + ";gamePasses=false"} {
		got := pgPage(t, f.e, pgTarget(pgOwner, same, 7, tok), f.ownerKey)
		if g, w := pgJSON(t, got), pgJSON(t, want); g != w {
			t.Fatalf("filter %q: page differs from %q's", same, filter)
		}
	}
}

func TestPageTokenOtherUser(t *testing.T) {
	f := newPagingFixture(t)
	for _, filter := range []string{"", "badges=true"} {
		tok := pgPage(t, f.e, pgTarget(pgOwner, filter, 10, ""), f.ownerKey).NextPageToken
		// pgOther exists and is visible to everyone, so only the token is wrong.
		pgRefused(t, f.e, pgTarget(pgOther, filter, 10, tok), f.ownerKey)
		pgRefused(t, f.e, pgTarget(pgOther, filter, 10, tok), f.otherKey)
		pgRefused(t, f.e, pgTarget(pgOther, filter, 10, tok), f.peerKey)
		// The token still works where it came from.
		pgPage(t, f.e, pgTarget(pgOwner, filter, 10, tok), f.ownerKey)
	}
}

// pgMutator makes deterministic corruptions of real page tokens.
type pgMutator struct {
	rng    *rand.Rand
	tokens []string
}

const pgB64 = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_"

// pgOdd are characters outside the base64url alphabet.
var pgOdd = []string{"=", "+", "/", ".", "~", "%", " ", "!", "é", "\x00", "\t", "\n", "\r", "%20", "=="}

func (m *pgMutator) char() string {
	if m.rng.IntN(5) == 0 {
		return pgOdd[m.rng.IntN(len(pgOdd))]
	}
	return string(pgB64[m.rng.IntN(len(pgB64))])
}

// once applies one random corruption to tok.
func (m *pgMutator) once(tok string) (string, string) {
	if tok == "" {
		return m.char(), "extend"
	}
	i := m.rng.IntN(len(tok))
	switch m.rng.IntN(7) {
	case 0: // flip one bit of the character's 6-bit value
		j := bytes.IndexByte([]byte(pgB64), tok[i])
		if j < 0 {
			return tok[:i] + m.char() + tok[i+1:], "flip"
		}
		return tok[:i] + string(pgB64[j^(1<<m.rng.IntN(6))]) + tok[i+1:], "flip"
	case 1:
		return tok[:i] + m.char() + tok[i+1:], "replace"
	case 2:
		i = m.rng.IntN(len(tok) + 1)
		return tok[:i] + m.char() + tok[i:], "insert"
	case 3:
		return tok[:i] + tok[i+1:], "delete"
	case 4:
		return tok[:max(1, i)], "truncate"
	case 5:
		for n := 1 + m.rng.IntN(8); n > 0; n-- {
			tok += m.char()
		}
		return tok, "extend"
	default: // splice in characters from another real token at the same offset
		o := m.tokens[m.rng.IntN(len(m.tokens))]
		n := min(len(tok), len(o))
		a := m.rng.IntN(n)
		b := a + 1 + m.rng.IntN(n-a)
		return tok[:a] + o[a:b] + tok[b:], "swap"
	}
}

// mutate applies one to three corruptions.
func (m *pgMutator) mutate(tok string) (string, string) {
	what := ""
	for n := 1 + m.rng.IntN(3)*m.rng.IntN(2); n > 0; n-- {
		var w string
		tok, w = m.once(tok)
		if what == "" {
			what = w
		} else if !strings.HasSuffix(what, "+") {
			what += "+"
		}
	}
	return tok, what
}

// pgDecodedTokens maps the bytes of each real token to the token.
func pgDecodedTokens(t testing.TB, tokens []string) map[string]string {
	out := map[string]string{}
	for _, tok := range tokens {
		raw, err := base64.RawURLEncoding.Strict().DecodeString(tok)
		if err != nil {
			t.Fatalf("real token %q is not strict base64url: %v", tok, err)
		}
		out[string(raw)] = tok
	}
	return out
}

// pgSameBytes reports whether s is another spelling of a real token: Go's
// lenient base64 decoder ignores CR/LF and non-zero trailing bits.
func pgSameBytes(decoded map[string]string, s string) bool {
	raw, err := base64.RawURLEncoding.DecodeString(s)
	if err != nil {
		return false
	}
	_, ok := decoded[string(raw)]
	return ok
}

func TestPageTokenMutations(t *testing.T) {
	f := newPagingFixture(t)
	const size = 7
	tokens := pgWalk(t, f.e, pgOwner, f.ownerKey, "", size, f.expect(pgOwner, nil))
	isReal := map[string]bool{}
	for _, tok := range tokens {
		isReal[tok] = true
	}
	decoded := pgDecodedTokens(t, tokens)
	m := &pgMutator{rng: rand.New(rand.NewPCG(42, 1337)), tokens: tokens}
	kinds := map[string]int{}
	respellings := 0
	for done, tries := 0, 0; done < 1000; tries++ {
		if tries > 5000 {
			t.Fatal("could not make 1000 distinct mutations")
		}
		orig := tokens[m.rng.IntN(len(tokens))]
		mut, what := m.mutate(orig)
		if mut == "" || isReal[mut] {
			continue // by chance a real token again
		}
		if pgSameBytes(decoded, mut) {
			// The same bytes spelled differently; see
			// TestPageTokenRespelled.
			respellings++
			continue
		}
		done++
		kinds[what]++
		calls := f.e.Lists.calls
		target := pgTarget(pgOwner, "", size, mut)
		r := f.e.get(target, f.ownerKey)
		if r.Status != http.StatusBadRequest {
			t.Fatalf("mutation %d (%s) of %q -> %q: status %d, want 400: %.200s", done, what, orig, mut, r.Status, r.Body)
		}
		var e wire.Error
		r.decode(t, &e)
		if e.Code != "INVALID_ARGUMENT" {
			t.Fatalf("mutation %q: code %q, want INVALID_ARGUMENT", mut, e.Code)
		}
		if f.e.Lists.calls != calls {
			t.Fatalf("mutation %q: refused request called ListInventory", mut)
		}
	}
	t.Logf("1000 mutations refused; by kind %v; %d lenient respellings set aside", kinds, respellings)
}

// A page token is opaque and signed: another spelling of a real token is
// not a token this server issued. Go's default base64 decoder accepts
// non-zero trailing bits in the last character and skips CR and LF, so the
// same bytes can be written several ways.
func TestPageTokenRespelled(t *testing.T) {
	f := newPagingFixture(t)
	const size = 7
	tokens := pgWalk(t, f.e, pgOwner, f.ownerKey, "", size, f.expect(pgOwner, nil))
	var respelled []string
	// CR and LF anywhere are skipped by the decoder.
	tok := tokens[0]
	respelled = append(respelled, tok[:5]+"\n"+tok[5:], tok+"\r\n", "\n"+tok)
	// When 6*len(token) is not a multiple of 8, the last character carries
	// unused low bits that the lenient decoder ignores.
	spareBits := 0
	for _, tok := range tokens {
		if spareBits = len(tok) * 6 % 8; spareBits != 0 {
			last := strings.IndexByte(pgB64, tok[len(tok)-1])
			for v := 1; v < 1<<spareBits; v++ {
				respelled = append(respelled, tok[:len(tok)-1]+string(pgB64[last^v]))
			}
			break
		}
	}
	if spareBits == 0 {
		t.Fatal("no token with spare bits; change the fixture's ids")
	}
	var accepted []string
	for _, mut := range respelled {
		calls := f.e.Lists.calls
		r := f.e.get(pgTarget(pgOwner, "", size, mut), f.ownerKey)
		if r.Status != http.StatusBadRequest || f.e.Lists.calls != calls {
			accepted = append(accepted, fmt.Sprintf("%q (status %d)", mut, r.Status))
		}
	}
	if len(accepted) > 0 {
		t.Fatalf("%d of %d respellings of real tokens were accepted (the decoder must accept only the exact issued string), e.g. %v", len(accepted), len(respelled), accepted)
	}
}

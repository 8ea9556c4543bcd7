package opencloud_test

import (
	"bytes"
	"context"
	"encoding/base64"
	"encoding/json"
	"flag"
	"fmt"
	"net/url"
	"os"
	"path/filepath"
	"reflect"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/invcloud/invcloud/internal/demo"
	"github.com/invcloud/invcloud/internal/inventory"
)

var update = flag.Bool("update", false, "rewrite golden files")

// goldenDir holds one file per golden response.
const goldenDir = "testdata/golden"

// demoEnv is a handler on a store holding the demo data set.
func demoEnv(t testing.TB) *env {
	t.Helper()
	e := newEnv(t)
	if err := demo.Load(context.Background(), e.Store, testNow); err != nil {
		t.Fatal(err)
	}
	return e
}

// Demo credentials of the golden tests.
var (
	ownerKey  = demo.Keys[0].Secret // GuideUser's own key, Inventory: Read
	viewerKey = demo.Keys[1].Secret // CollectorUser's key, no scopes
)

// inventoryURL is the list URL of user with params encoded by url.Values, as
// Python's requests (params=...) and most HTTP clients send them.
func inventoryURL(user int64, params url.Values) string {
	u := "/cloud/v2/users/" + strconv.FormatInt(user, 10) + "/inventory-items"
	if len(params) > 0 {
		u += "?" + params.Encode()
	}
	return u
}

// filterURL is inventoryURL with only a filter, percent-encoded.
func filterURL(user int64, filter string) string {
	return inventoryURL(user, url.Values{"filter": {filter}})
}

// rawFilterURL puts the filter in the URL as the inventory guide writes it:
// "?filter=assetIds=62724852,1028595,4773588762", with no escaping.
func rawFilterURL(user int64, filter string) string {
	return inventoryURL(user, nil) + "?filter=" + filter
}

// specFilters are the filter examples of spec 1.3, in the order given there.
var specFilters = []struct{ slug, filter string }{
	{"collectibles-all-types", "onlyCollectibles=true;inventoryItemAssetTypes=*"},
	{"types-hat-pants-tshirtacc", "inventoryItemAssetTypes=HAT,CLASSIC_PANTS,TSHIRT_ACCESSORY"},
	{"types-and-passes-no-badges", "inventoryItemAssetTypes=HAT,CLASSIC_PANTS,TSHIRT_ACCESSORY;gamePasses=true;badges=false"},
	{"asset-ids-1-4", "assetIds=1,2,3,4"},
	{"all-ids-1-4", "assetIds=1,2,3,4;badgeIds=1,2,3,4;gamePassIds=1,2,3,4;privateServerIds=1,2,3,4"},
	{"guide-asset-ids", "assetIds=62724852,1028595,4773588762"},
	{"guide-collectibles-hat-pants", "onlyCollectibles=true;inventoryItemAssetTypes=HAT,CLASSIC_PANTS"},
	{"guide-badge-pass-server-ids", "badgeIds=111111,222222;gamePassIds=777777;privateServerIds=999999"},
	{"guide-passes-and-badges", "gamePasses=true;badges=true"},
}

// guideFilter is the request of the inventory guide's documented response.
const guideFilter = "assetIds=62724852,1028595,4773588762"

// documentedGuideResponse is spec 1.4 "Documented real response", verbatim.
const documentedGuideResponse = `{
  "inventoryItems": [
    {
      "path": "users/11111111111/inventory-items/VVNFUl9BU1NFVF9JRD0yMDAxMDUxMTkzODg",
      "assetDetails": {
        "assetId": "1028595",
        "inventoryItemAssetType": "CLASSIC_TSHIRT",
        "instanceId": "200105119388"
      }
    }
  ],
  "nextPageToken": ""
}`

// golden is the stored form of a response.
type golden struct {
	Status int             `json:"status"`
	Body   json.RawMessage `json:"body"`
}

func TestGolden(t *testing.T) {
	e := demoEnv(t)
	viewers := []struct {
		prefix string
		key    string
		public bool
	}{{"owner", ownerKey, false}, {"public", viewerKey, true}}
	// Each request is followed through its nextPageTokens; page N of a
	// request is kept in <name>-pageN.json.
	type request struct {
		name   string
		user   int64
		key    string
		params url.Values
		public bool
	}
	var reqs []request
	for _, v := range viewers {
		// No filter at the default page size: only the first page is kept.
		reqs = append(reqs, request{v.prefix + "-no-filter", demo.GuideUser, v.key, nil, v.public})
		reqs = append(reqs, request{v.prefix + "-max-page-size-100", demo.GuideUser, v.key, url.Values{"maxPageSize": {"100"}}, v.public})
		for _, f := range specFilters {
			reqs = append(reqs, request{v.prefix + "-" + f.slug, demo.GuideUser, v.key, url.Values{"filter": {f.filter}}, v.public})
		}
	}
	// The captured real response of spec 1.4 ([OB], user 45348281).
	reqs = append(reqs, request{"passuser-game-passes", demo.PassUser, viewerKey, url.Values{"filter": {"gamePasses=true"}}, true})
	// Collectibles of every state, serialized or not.
	reqs = append(reqs, request{"collector-collectibles", demo.CollectorUser, viewerKey,
		url.Values{"filter": {"onlyCollectibles=true;inventoryItemAssetTypes=*"}, "maxPageSize": {"100"}}, true})

	for _, r := range reqs {
		t.Run(r.name, func(t *testing.T) {
			if r.params == nil {
				resp := e.get(inventoryURL(r.user, nil), r.key)
				checkGolden(t, r.name, resp)
				checkInvariants(t, r.user, resp.Body, r.public)
				return
			}
			first := e.get(inventoryURL(r.user, r.params), r.key)
			if first.Status != 200 {
				checkGolden(t, r.name, first)
				return
			}
			for i, p := range readAllPages(t, e, r.user, r.key, r.params) {
				name := fmt.Sprintf("%s-page%d", r.name, i+1)
				checkGolden(t, name, p)
				checkInvariants(t, r.user, p.Body, r.public)
			}
		})
	}
}

// TestGoldenRawFilter checks that a filter sent unescaped, as the inventory
// guide writes it, means the same as the percent-encoded one.
func TestGoldenRawFilter(t *testing.T) {
	e := demoEnv(t)
	for _, f := range specFilters {
		t.Run(f.slug, func(t *testing.T) {
			raw := e.get(rawFilterURL(demo.GuideUser, f.filter), ownerKey)
			enc := e.get(filterURL(demo.GuideUser, f.filter), ownerKey)
			if raw.Status != enc.Status || !jsonEqual(t, raw.Body, enc.Body) {
				t.Errorf("raw filter: %d %s\npercent-encoded: %d %s", raw.Status, raw.Body, enc.Status, enc.Body)
			}
		})
	}
}

// TestGuideDocumentedResponse compares the guide's ownership check with the
// response the inventory guide documents (spec 1.4), in both URL forms.
func TestGuideDocumentedResponse(t *testing.T) {
	e := demoEnv(t)
	for _, target := range []string{
		rawFilterURL(demo.GuideUser, guideFilter),
		filterURL(demo.GuideUser, guideFilter),
	} {
		t.Run(target, func(t *testing.T) {
			resp := e.get(target, ownerKey)
			if resp.Status != 200 {
				t.Fatalf("status %d, body %s", resp.Status, resp.Body)
			}
			if ct := resp.Header.Get("Content-Type"); ct != "application/json" {
				t.Errorf("Content-Type %q, want application/json", ct)
			}
			if !jsonEqual(t, resp.Body, []byte(documentedGuideResponse)) {
				t.Errorf("got %s\nwant %s", resp.Body, documentedGuideResponse)
			}
		})
	}
	// The public view is the same: nothing in it needs a permission.
	resp := e.get(rawFilterURL(demo.GuideUser, guideFilter), viewerKey)
	if resp.Status != 200 || !jsonEqual(t, resp.Body, []byte(documentedGuideResponse)) {
		t.Errorf("public view: %d %s", resp.Status, resp.Body)
	}
}

// TestGoldenPublicViewDropsPrivate checks that the public view of the whole
// inventory is the owner's view less private servers and purchased places.
func TestGoldenPublicViewDropsPrivate(t *testing.T) {
	e := demoEnv(t)
	params := url.Values{"maxPageSize": {"100"}}
	owner := pageItems(t, readAllPages(t, e, demo.GuideUser, ownerKey, params))
	public := pageItems(t, readAllPages(t, e, demo.GuideUser, viewerKey, params))
	var want []any
	var dropped []string
	for _, it := range owner {
		m := it.(map[string]any)
		if isPrivateItem(m) {
			dropped = append(dropped, m["path"].(string))
			continue
		}
		want = append(want, it)
	}
	if len(dropped) == 0 {
		t.Fatal("the owner's view has no private server or purchased place: the demo data no longer covers the rule")
	}
	if !reflect.DeepEqual(public, want) {
		t.Errorf("public view has %d items, want the owner's %d less %d private ones (%v)", len(public), len(owner), len(dropped), dropped)
	}
}

func isPrivateItem(m map[string]any) bool {
	if _, ok := m["privateServerDetails"]; ok {
		return true
	}
	d, ok := m["assetDetails"].(map[string]any)
	return ok && d["inventoryItemAssetType"] == "PURCHASED_PLACE"
}

// readAllPages lists user's inventory page by page.
func readAllPages(t *testing.T, e *env, user int64, key string, params url.Values) []response {
	t.Helper()
	var pages []response
	token := ""
	for {
		p := url.Values{}
		for k, v := range params {
			p[k] = v
		}
		if token != "" {
			p.Set("pageToken", token)
		}
		resp := e.get(inventoryURL(user, p), key)
		if resp.Status != 200 {
			t.Fatalf("page %d: status %d, body %s", len(pages)+1, resp.Status, resp.Body)
		}
		pages = append(pages, resp)
		var body struct {
			NextPageToken string `json:"nextPageToken"`
		}
		resp.decode(t, &body)
		if body.NextPageToken == "" {
			return pages
		}
		if len(pages) > 100 {
			t.Fatal("more than 100 pages")
		}
		token = body.NextPageToken
	}
}

// pageItems concatenates the items of pages.
func pageItems(t *testing.T, pages []response) []any {
	t.Helper()
	var items []any
	for _, p := range pages {
		var body struct {
			InventoryItems []any `json:"inventoryItems"`
		}
		p.decode(t, &body)
		items = append(items, body.InventoryItems...)
	}
	return items
}

// checkGolden compares resp with the golden file name, or rewrites it under
// -update.
func checkGolden(t *testing.T, name string, resp response) {
	t.Helper()
	path := filepath.Join(goldenDir, name+".json")
	if *update {
		var buf bytes.Buffer
		enc := json.NewEncoder(&buf)
		enc.SetEscapeHTML(false)
		enc.SetIndent("", "  ")
		if err := enc.Encode(golden{Status: resp.Status, Body: resp.Body}); err != nil {
			t.Fatalf("encode %s: %v (body %s)", name, err, resp.Body)
		}
		if err := os.MkdirAll(goldenDir, 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(path, buf.Bytes(), 0o644); err != nil {
			t.Fatal(err)
		}
		return
	}
	data, err := os.ReadFile(path)
	if err != nil {
		t.Fatalf("%v (run go test -update to create it)", err)
	}
	var want golden
	if err := json.Unmarshal(data, &want); err != nil {
		t.Fatalf("golden %s: %v", path, err)
	}
	if resp.Status != want.Status {
		t.Errorf("%s: status %d, golden %d", name, resp.Status, want.Status)
	}
	if !jsonEqual(t, resp.Body, want.Body) {
		t.Errorf("%s: body differs from %s\ngot:  %s\nwant: %s", name, path, resp.Body, compact(want.Body))
	}
}

func compact(b []byte) string {
	var buf bytes.Buffer
	if err := json.Compact(&buf, b); err != nil {
		return string(b)
	}
	return buf.String()
}

// decodeJSON decodes b keeping numbers as json.Number.
func decodeJSON(t testing.TB, b []byte) any {
	t.Helper()
	d := json.NewDecoder(bytes.NewReader(b))
	d.UseNumber()
	var v any
	if err := d.Decode(&v); err != nil {
		t.Fatalf("decode %s: %v", b, err)
	}
	if d.More() {
		t.Fatalf("trailing data after JSON value in %s", b)
	}
	return v
}

// jsonEqual reports whether a and b are the same JSON value.
func jsonEqual(t testing.TB, a, b []byte) bool {
	t.Helper()
	return reflect.DeepEqual(decodeJSON(t, a), decodeJSON(t, b))
}

var (
	digits   = regexp.MustCompile(`^[1-9][0-9]*$`)
	uuidForm = regexp.MustCompile(`^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$`)
)

// detailKinds maps each *Details field to its id field, the prefix of the
// decoded path id and its listing order.
var detailKinds = map[string]struct {
	idField, prefix string
	order           int
}{
	"assetDetails":         {"instanceId", "USER_ASSET_ID=", 0},
	"badgeDetails":         {"badgeId", "BADGE_ID=", 1},
	"gamePassDetails":      {"gamePassId", "GAME_PASS_ID=", 2},
	"privateServerDetails": {"privateServerId", "PRIVATE_SERVER_ID=", 3},
}

// checkInvariants checks the wire rules of spec 1.4 and 1.6 on a list body.
func checkInvariants(t *testing.T, user int64, body []byte, public bool) {
	t.Helper()
	top, ok := decodeJSON(t, body).(map[string]any)
	if !ok {
		t.Fatalf("body is not an object: %s", body)
	}
	if keys := sortedKeys(top); !slices.Equal(keys, []string{"inventoryItems", "nextPageToken"}) {
		t.Errorf("top-level fields %v, want inventoryItems and nextPageToken", keys)
	}
	items, ok := top["inventoryItems"].([]any)
	if !ok {
		t.Fatalf("inventoryItems is %#v, want an array (never null)", top["inventoryItems"])
	}
	if _, ok := top["nextPageToken"].(string); !ok {
		t.Errorf("nextPageToken is %#v, want a string", top["nextPageToken"])
	}
	checkNumbers(t, "", top)

	prefix := "users/" + strconv.FormatInt(user, 10) + "/inventory-items/"
	lastOrder, lastID := -1, int64(0)
	for i, raw := range items {
		it, ok := raw.(map[string]any)
		if !ok {
			t.Errorf("item %d is %#v, want an object", i, raw)
			continue
		}
		var details []string
		for k := range it {
			switch _, isDetail := detailKinds[k]; {
			case isDetail:
				details = append(details, k)
			case k == "path", k == "addTime":
			default:
				t.Errorf("item %d has unknown field %q", i, k)
			}
		}
		if len(details) != 1 {
			t.Errorf("item %d has details %v, want exactly one", i, details)
			continue
		}
		kind := details[0]
		dk := detailKinds[kind]
		d, ok := it[kind].(map[string]any)
		if !ok {
			t.Errorf("item %d: %s is %#v, want an object", i, kind, it[kind])
			continue
		}
		id, ok := d[dk.idField].(string)
		if !ok || !digits.MatchString(id) {
			t.Errorf("item %d: %s.%s is %#v, want a decimal string", i, kind, dk.idField, d[dk.idField])
			continue
		}
		checkFields(t, fmt.Sprintf("item %d %s", i, kind), d, dk.idField)

		path, _ := it["path"].(string)
		encID, ok := strings.CutPrefix(path, prefix)
		if !ok {
			t.Errorf("item %d: path %q does not start with %q", i, path, prefix)
		} else if dec, err := base64.RawURLEncoding.DecodeString(encID); err != nil {
			t.Errorf("item %d: path id %q is not unpadded base64url: %v", i, encID, err)
		} else if string(dec) != dk.prefix+id {
			t.Errorf("item %d: path id decodes to %q, want %q", i, dec, dk.prefix+id)
		}

		if at, ok := it["addTime"]; ok {
			s, isStr := at.(string)
			if _, err := time.Parse(time.RFC3339Nano, s); !isStr || err != nil {
				t.Errorf("item %d: addTime %#v is not an RFC 3339 string", i, at)
			}
			if kind == "gamePassDetails" {
				t.Errorf("item %d: game pass has addTime %v (not populated for passes)", i, at)
			}
		}

		if kind == "assetDetails" {
			checkAsset(t, i, d, public)
		}
		if public && kind == "privateServerDetails" {
			t.Errorf("item %d: public view lists private server %s", i, id)
		}

		// Listing order: assets, badges, passes, private servers; ids ascending.
		n, _ := strconv.ParseInt(id, 10, 64)
		if dk.order < lastOrder || (dk.order == lastOrder && n <= lastID) {
			t.Errorf("item %d (%s %s) is out of order", i, kind, id)
		}
		lastOrder, lastID = dk.order, n
	}
}

func checkAsset(t *testing.T, i int, d map[string]any, public bool) {
	t.Helper()
	typ, _ := d["inventoryItemAssetType"].(string)
	if !slices.Contains(inventory.AssetTypeNames(), typ) {
		t.Errorf("item %d: inventoryItemAssetType %#v is not in the enum", i, d["inventoryItemAssetType"])
	}
	if public && typ == "PURCHASED_PLACE" {
		t.Errorf("item %d: public view lists a purchased place", i)
	}
	if s, ok := d["assetId"].(string); !ok || !digits.MatchString(s) {
		t.Errorf("item %d: assetId %#v, want a decimal string", i, d["assetId"])
	}
	cd, ok := d["collectibleDetails"]
	if !ok {
		return
	}
	c, ok := cd.(map[string]any)
	if !ok {
		t.Errorf("item %d: collectibleDetails is %#v", i, cd)
		return
	}
	for _, f := range []string{"itemId", "instanceId"} {
		if s, ok := c[f].(string); !ok || !uuidForm.MatchString(s) {
			t.Errorf("item %d: collectibleDetails.%s is %#v, want a UUID string", i, f, c[f])
		}
	}
	if s := c["instanceState"]; !slices.Contains([]any{"COLLECTIBLE_ITEM_INSTANCE_STATE_UNSPECIFIED", "AVAILABLE", "HOLD"}, s) {
		t.Errorf("item %d: collectibleDetails.instanceState is %#v", i, s)
	}
	if sn, ok := c["serialNumber"]; ok {
		n, isNum := sn.(json.Number)
		if v, err := strconv.ParseInt(string(n), 10, 64); !isNum || err != nil || v <= 0 {
			t.Errorf("item %d: serialNumber is %#v, want a positive integer", i, sn)
		}
	}
	for k := range c {
		if !slices.Contains([]string{"itemId", "instanceId", "instanceState", "serialNumber"}, k) {
			t.Errorf("item %d: collectibleDetails has unknown field %q", i, k)
		}
	}
}

// checkFields checks that a badge, pass or server details object has only
// its id; asset details are checked by checkAsset.
func checkFields(t *testing.T, where string, d map[string]any, idField string) {
	t.Helper()
	allowed := []string{idField}
	if idField == "instanceId" {
		allowed = []string{"assetId", "inventoryItemAssetType", "instanceId", "collectibleDetails"}
	}
	for k := range d {
		if !slices.Contains(allowed, k) {
			t.Errorf("%s has unknown field %q", where, k)
		}
	}
}

// checkNumbers checks that the only JSON numbers are serial numbers, and
// that serialNumber appears only inside collectibleDetails: every id is a
// string.
func checkNumbers(t *testing.T, parent string, v any) {
	t.Helper()
	switch v := v.(type) {
	case map[string]any:
		for k, c := range v {
			if k == "serialNumber" && parent != "collectibleDetails" {
				t.Errorf("serialNumber inside %q, want only inside collectibleDetails", parent)
			}
			if _, isNum := c.(json.Number); isNum && k != "serialNumber" {
				t.Errorf("%s.%s is the number %v, want a string", parent, k, c)
			}
			checkNumbers(t, k, c)
		}
	case []any:
		for _, c := range v {
			checkNumbers(t, parent, c)
		}
	}
}

func sortedKeys(m map[string]any) []string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	slices.Sort(keys)
	return keys
}

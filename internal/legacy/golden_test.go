package legacy_test

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"net/http"
	"strings"
	"testing"

	"github.com/invcloud/invcloud/internal/demo"
	"github.com/invcloud/invcloud/internal/golden"
	"github.com/invcloud/invcloud/internal/inventory"
)

var update = flag.Bool("update", false, "rewrite golden files")

const goldenDir = "testdata/golden"

// goldenHeaders are the response headers a golden file records (when
// present): the ones clients act on.
var goldenHeaders = []string{"Content-Type", "Cache-Control", "Allow", "X-Csrf-Token"}

// goldenCase is a request whose response is kept in testdata/golden. Cases
// with a setup, or that are not GETs, run on an environment of their own.
type goldenCase struct {
	name  string
	req   req
	setup func(t *testing.T, e *env)
	// wantCode, if not 0 or -1... is the error code the case documents
	// (checked beside the golden file, so a regenerated file cannot drift).
	status, code int
}

func u(format string, args ...any) string { return fmt.Sprintf(format, args...) }

// goldenCases covers every endpoint of spec 6.4: success, and each
// documented error code.
func goldenCases() []goldenCase {
	f := demoFacts()
	const (
		guide     = demo.GuideUser
		collector = demo.CollectorUser
		private   = demo.PrivateUser
		fran      = demo.FriendsUser
		maker     = demo.UGCMakerUser
		trader    = demo.TraderUser
	)
	hat := f.guideHats[0]
	ok := func(name string, r req) goldenCase { return goldenCase{name: name, req: r, status: 200, code: -1} }
	bad := func(name string, r req, status, code int) goldenCase {
		return goldenCase{name: name, req: r, status: status, code: code}
	}
	post := func(target string, as int64) req {
		return req{method: http.MethodPost, target: target, as: as, csrf: true}
	}
	del := func(target string, as int64) req {
		return req{method: http.MethodDelete, target: target, as: as, csrf: true}
	}
	coll := func(typ string, id int64) string { return u("/v1/collections/items/%s/%d", typ, id) }
	fillCollection := func(t *testing.T, e *env) {
		for _, id := range f.limiteds[4:6] {
			if err := e.Store.AddToCollection(context.Background(), collector, inventory.ItemRef{Type: inventory.ItemAsset, ID: id}, 6, testNow); err != nil {
				t.Fatal(err)
			}
		}
	}
	cases := []goldenCase{
		// POST /v1/collections/items/{itemType}/{itemTargetId}
		ok("collections-add-asset", post(coll("Asset", hat), guide)),
		ok("collections-add-asset-number", post(coll("0", hat), guide)),
		ok("collections-add-bundle", post(coll("Bundle", demo.BundleRobloxian), guide)),
		bad("collections-add-401", req{method: http.MethodPost, target: coll("Asset", hat)}, 401, 0),
		bad("collections-add-403-csrf", req{method: http.MethodPost, target: coll("Asset", hat), as: guide}, 403, 0),
		bad("collections-add-400-1-item-type", post(coll("7", hat), guide), 400, 1),
		bad("collections-add-400-1-avatar", post(coll("Avatar", hat), guide), 400, 1),
		bad("collections-add-400-2-asset", post(coll("Asset", 999), guide), 400, 2),
		bad("collections-add-400-3-bundle", post(coll("Bundle", 999), guide), 400, 3),
		bad("collections-add-403-4-not-owned", post(coll("Asset", demo.UGCBeanie), guide), 403, 4),
		bad("collections-add-403-4-bundle-not-owned", post(coll("Bundle", demo.BundleSneakers), guide), 403, 4),
		bad("collections-add-403-5-asset-type", post(coll("Asset", f.createdPlace), guide), 403, 5),
		bad("collections-add-403-6-game-pass", post(coll("GamePass", 777777), guide), 403, 6),
		bad("collections-add-403-6-badge", post(coll("2", 111111), guide), 403, 6),
		bad("collections-add-403-7-already", post(coll("Asset", 1028595), guide), 403, 7),
		{name: "collections-add-403-9-full", req: post(coll("Asset", f.limiteds[6]), collector), setup: fillCollection, status: 403, code: 9},

		// DELETE /v1/collections/items/{itemType}/{itemTargetId}
		ok("collections-remove-asset", del(coll("Asset", 1028595), guide)),
		ok("collections-remove-bundle", del(coll("3", demo.BundleSneakers), trader)),
		bad("collections-remove-401", req{method: http.MethodDelete, target: coll("Asset", 1028595)}, 401, 0),
		bad("collections-remove-403-csrf", req{method: http.MethodDelete, target: coll("Asset", 1028595), as: guide}, 403, 0),
		bad("collections-remove-400-1-item-type", del(coll("Hat", 1028595), guide), 400, 1),
		bad("collections-remove-400-2-asset", del(coll("Asset", 999), guide), 400, 2),
		bad("collections-remove-400-3-bundle", del(coll("Bundle", 999), guide), 400, 3),
		bad("collections-remove-403-8-not-there", del(coll("Asset", hat), guide), 403, 8),

		// GET /v1/packages/{packageId}/assets
		ok("packages-assets", req{target: u("/v1/packages/%d/assets", demo.PackageID)}),
		ok("packages-assets-not-a-package", req{target: "/v1/packages/1028595/assets"}),
		bad("packages-assets-400-invalid-id", req{target: "/v1/packages/abc/assets"}, 400, 0),

		// GET /v1/users/{userId}/assets/collectibles
		ok("collectibles", req{target: u("/v1/users/%d/assets/collectibles", collector)}),
		ok("collectibles-limit-100-desc", req{target: u("/v1/users/%d/assets/collectibles?limit=100&sortOrder=Desc", collector)}),
		ok("collectibles-asset-type-hat", req{target: u("/v1/users/%d/assets/collectibles?assetType=8&limit=25", collector)}),
		ok("collectibles-asset-type-name", req{target: u("/v1/users/%d/assets/collectibles?assetType=Hat&limit=25", collector)}),
		ok("collectibles-friend", req{target: u("/v1/users/%d/assets/collectibles", fran), as: guide}),
		ok("collectibles-own-private", req{target: u("/v1/users/%d/assets/collectibles", private), as: private}),
		ok("collectibles-ugc-limited", req{target: u("/v1/users/%d/assets/collectibles?assetType=8&limit=50", trader)}),
		bad("collectibles-400-1-user", req{target: "/v1/users/999/assets/collectibles"}, 400, 1),
		bad("collectibles-400-2-asset-type", req{target: u("/v1/users/%d/assets/collectibles?assetType=14", collector)}, 400, 2),
		bad("collectibles-403-4-private", req{target: u("/v1/users/%d/assets/collectibles", private)}, 403, 4),
		bad("collectibles-403-4-friends-only", req{target: u("/v1/users/%d/assets/collectibles", fran), as: collector}, 403, 4),
		bad("collectibles-400-limit", req{target: u("/v1/users/%d/assets/collectibles?limit=20", collector)}, 400, 0),
		bad("collectibles-400-sort-order", req{target: u("/v1/users/%d/assets/collectibles?sortOrder=Up", collector)}, 400, 0),
		bad("collectibles-400-cursor", req{target: u("/v1/users/%d/assets/collectibles?cursor=abc", collector)}, 400, 0),

		// GET /v1/users/{userId}/can-view-inventory
		ok("can-view-public", req{target: u("/v1/users/%d/can-view-inventory", guide)}),
		ok("can-view-friends-only-anonymous", req{target: u("/v1/users/%d/can-view-inventory", fran)}),
		ok("can-view-friends-only-friend", req{target: u("/v1/users/%d/can-view-inventory", fran), as: guide}),
		ok("can-view-private-other", req{target: u("/v1/users/%d/can-view-inventory", private), as: guide}),
		ok("can-view-private-own", req{target: u("/v1/users/%d/can-view-inventory", private), as: private}),
		bad("can-view-400-1-user", req{target: "/v1/users/999/can-view-inventory"}, 400, 1),
		bad("can-view-400-1-invalid-id", req{target: "/v1/users/abc/can-view-inventory"}, 400, 1),

		// GET /v1/users/{userId}/categories and categories/favorites
		ok("categories", req{target: u("/v1/users/%d/categories", guide)}),
		bad("categories-400-invalid-id", req{target: "/v1/users/-1/categories"}, 400, 0),
		ok("categories-favorites", req{target: u("/v1/users/%d/categories/favorites", guide)}),
		ok("categories-favorites-fran", req{target: u("/v1/users/%d/categories/favorites", fran)}),
		ok("categories-favorites-none", req{target: u("/v1/users/%d/categories/favorites", demo.PassUser)}),

		// GET /v1/users/{userId}/items/{itemType}/{itemTargetId}
		ok("items-asset", req{target: u("/v1/users/%d/items/Asset/1028595", guide)}),
		ok("items-asset-lower-case", req{target: u("/v1/users/%d/items/asset/1028595", guide)}),
		ok("items-asset-not-owned", req{target: u("/v1/users/%d/items/Asset/62724852", guide)}),
		ok("items-limited-copies", req{target: u("/v1/users/%d/items/0/%d", collector, f.limiteds[0])}),
		ok("items-game-pass", req{target: "/v1/users/45348281/items/GamePass/12527"}),
		ok("items-game-pass-number", req{target: "/v1/users/45348281/items/1/12527"}),
		ok("items-badge", req{target: u("/v1/users/%d/items/Badge/111111", guide)}),
		ok("items-bundle", req{target: u("/v1/users/%d/items/Bundle/%d", guide, demo.BundleRobloxian)}),
		ok("items-purchased-place-anonymous", req{target: u("/v1/users/%d/items/Asset/%d", guide, f.purchasedPlace)}),
		ok("items-purchased-place-own", req{target: u("/v1/users/%d/items/Asset/%d", guide, f.purchasedPlace), as: guide}),
		ok("items-friends-only-friend", req{target: u("/v1/users/%d/items/GamePass/777777", fran), as: guide}),
		bad("items-400-1-user", req{target: "/v1/users/999/items/Asset/1028595"}, 400, 1),
		bad("items-400-5-game-pass", req{target: u("/v1/users/%d/items/GamePass/1", guide)}, 400, 5),
		bad("items-400-6-item-type", req{target: u("/v1/users/%d/items/Hat/1028595", guide)}, 400, 6),
		bad("items-400-6-avatar", req{target: u("/v1/users/%d/items/4/1028595", guide)}, 400, 6),
		bad("items-400-7-asset", req{target: u("/v1/users/%d/items/Asset/1", guide)}, 400, 7),
		bad("items-400-10-badge", req{target: u("/v1/users/%d/items/Badge/1", guide)}, 400, 10),
		bad("items-400-12-bundle", req{target: u("/v1/users/%d/items/Bundle/1", guide)}, 400, 12),
		bad("items-403-4-private", req{target: u("/v1/users/%d/items/Asset/1028595", private)}, 403, 4),

		// GET /v1/users/{userId}/items/{itemType}/{itemTargetId}/is-owned
		ok("is-owned-true", req{target: u("/v1/users/%d/items/Asset/1028595/is-owned", guide)}),
		ok("is-owned-false", req{target: u("/v1/users/%d/items/Asset/62724852/is-owned", guide)}),
		ok("is-owned-game-pass", req{target: "/v1/users/45348281/items/GamePass/12527/is-owned"}),
		ok("is-owned-bundle-number", req{target: u("/v1/users/%d/items/3/%d/is-owned", fran, demo.BundleNinja), as: guide}),
		bad("is-owned-400-1-user", req{target: "/v1/users/0/items/Asset/1028595/is-owned"}, 400, 1),
		bad("is-owned-400-5-game-pass", req{target: u("/v1/users/%d/items/GamePass/999/is-owned", guide)}, 400, 5),
		bad("is-owned-400-6-item-type", req{target: u("/v1/users/%d/items/9/1028595/is-owned", guide)}, 400, 6),
		bad("is-owned-400-7-asset", req{target: u("/v1/users/%d/items/Asset/abc/is-owned", guide)}, 400, 7),
		bad("is-owned-400-10-badge", req{target: u("/v1/users/%d/items/Badge/999/is-owned", guide)}, 400, 10),
		bad("is-owned-400-12-bundle", req{target: u("/v1/users/%d/items/Bundle/999/is-owned", guide)}, 400, 12),
		bad("is-owned-403-4-friends-only", req{target: u("/v1/users/%d/items/GamePass/777777/is-owned", fran)}, 403, 4),

		// GET /v1/users/{userId}/places/inventory
		ok("places-created", req{target: u("/v1/users/%d/places/inventory?placesTab=0&itemsPerPage=10&cursor=0", guide)}),
		ok("places-created-page-1", req{target: u("/v1/users/%d/places/inventory?placesTab=Created&itemsPerPage=1", guide)}),
		ok("places-created-page-2", req{target: u("/v1/users/%d/places/inventory?placesTab=0&itemsPerPage=1&cursor=1", guide)}),
		ok("places-created-page-back", req{target: u("/v1/users/%d/places/inventory?placesTab=0&itemsPerPage=1&cursor=-2", guide)}),
		ok("places-my-games", req{target: u("/v1/users/%d/places/inventory?placesTab=1&itemsPerPage=10", collector)}),
		ok("places-other-games", req{target: u("/v1/users/%d/places/inventory?placesTab=2&itemsPerPage=10", guide)}),
		ok("places-purchased-own", req{target: u("/v1/users/%d/places/inventory?placesTab=3&itemsPerPage=10", guide), as: guide}),
		ok("places-private-servers-own", req{target: u("/v1/users/%d/places/inventory?placesTab=4&itemsPerPage=10", guide), as: guide}),
		ok("places-archived-own", req{target: u("/v1/users/%d/places/inventory?placesTab=5&itemsPerPage=10", collector), as: collector}),
		bad("places-400-6-missing-tab", req{target: u("/v1/users/%d/places/inventory?itemsPerPage=10", guide)}, 400, 6),
		bad("places-400-6-tab", req{target: u("/v1/users/%d/places/inventory?placesTab=6&itemsPerPage=10", guide)}, 400, 6),
		bad("places-400-6-items-per-page", req{target: u("/v1/users/%d/places/inventory?placesTab=0&itemsPerPage=0", guide)}, 400, 6),
		bad("places-400-6-cursor", req{target: u("/v1/users/%d/places/inventory?placesTab=0&itemsPerPage=10&cursor=x", guide)}, 400, 6),
		bad("places-400-6-user", req{target: "/v1/users/999/places/inventory?placesTab=0&itemsPerPage=10"}, 400, 6),
		bad("places-403-3-purchased-other", req{target: u("/v1/users/%d/places/inventory?placesTab=3&itemsPerPage=10", guide)}, 403, 3),
		bad("places-403-3-private", req{target: u("/v1/users/%d/places/inventory?placesTab=0&itemsPerPage=10", private)}, 403, 3),

		// GET /v2/assets/{assetId}/owners
		ok("asset-owners", req{target: u("/v2/assets/%d/owners", f.limiteds[0])}),
		ok("asset-owners-desc-limit-25", req{target: u("/v2/assets/%d/owners?limit=25&sortOrder=Desc", f.limiteds[0])}),
		ok("asset-owners-ugc-limited", req{target: u("/v2/assets/%d/owners?limit=100", demo.UGCCrown), as: trader}),
		bad("asset-owners-400-1-asset", req{target: "/v2/assets/999/owners"}, 400, 1),
		bad("asset-owners-400-1-invalid-id", req{target: "/v2/assets/1e5/owners"}, 400, 1),
		bad("asset-owners-403-2-not-limited", req{target: "/v2/assets/1028595/owners"}, 403, 2),
		bad("asset-owners-400-limit", req{target: u("/v2/assets/%d/owners?limit=5", f.limiteds[0])}, 400, 0),

		// GET /v2/collectible-items/{collectibleItemId}/owners
		ok("collectible-item-owners", req{target: u("/v2/collectible-items/%s/owners", f.crownItem), as: maker}),
		ok("collectible-item-owners-desc", req{target: u("/v2/collectible-items/%s/owners?sortOrder=2&limit=2", strings.ToUpper(f.crownItem)), as: maker}),
		bad("collectible-item-owners-401", req{target: u("/v2/collectible-items/%s/owners", f.crownItem)}, 401, 0),
		bad("collectible-item-owners-400-1-invalid", req{target: "/v2/collectible-items/not-a-uuid/owners", as: maker}, 400, 1),
		bad("collectible-item-owners-400-1-unknown", req{target: "/v2/collectible-items/00000000-0000-4000-8000-000000000000/owners", as: maker}, 400, 1),
		bad("collectible-item-owners-403-2", req{target: u("/v2/collectible-items/%s/owners", f.crownItem), as: trader}, 403, 2),

		// DELETE /v2/inventory/asset/{assetId}
		ok("delete-asset", del(u("/v2/inventory/asset/%d", demo.UGCBeanie), trader)),
		bad("delete-asset-401-0", req{method: http.MethodDelete, target: u("/v2/inventory/asset/%d", demo.UGCBeanie)}, 401, 0),
		bad("delete-asset-401-4-api-key", req{method: http.MethodDelete, target: u("/v2/inventory/asset/%d", demo.UGCBeanie),
			header: map[string]string{"x-api-key": demo.Keys[0].Secret}}, 401, 4),
		bad("delete-asset-403-csrf", req{method: http.MethodDelete, target: u("/v2/inventory/asset/%d", demo.UGCBeanie), as: trader}, 403, 0),
		bad("delete-asset-403-2-not-owned", del(u("/v2/inventory/asset/%d", demo.UGCBeanie), guide), 403, 2),
		bad("delete-asset-403-3-roblox-item", del("/v2/inventory/asset/1028595", guide), 403, 3),
		bad("delete-asset-403-3-limited", del(u("/v2/inventory/asset/%d", demo.UGCCrown), trader), 403, 3),
		bad("delete-asset-404-1", del("/v2/inventory/asset/999", trader), 404, 1),
		{name: "delete-asset-500-0", req: del(u("/v2/inventory/asset/%d", demo.UGCBeanie), trader), status: 500, code: 0,
			setup: func(t *testing.T, e *env) { e.Calls.failWrites = errors.New("disk on fire") }},

		// GET /v2/users/{userId}/inventory
		ok("inventory", req{target: u("/v2/users/%d/inventory?assetTypes=8,41", guide)}),
		ok("inventory-names-desc", req{target: u("/v2/users/%d/inventory?assetTypes=Hat,HairAccessory&sortOrder=Desc&limit=25", guide)}),
		ok("inventory-places-own", req{target: u("/v2/users/%d/inventory?assetTypes=9&filterDisapprovedAssets=true&showApprovedOnly=false", guide), as: guide}),
		ok("inventory-friend", req{target: u("/v2/users/%d/inventory?assetTypes=8,18,41,46&limit=50", fran), as: guide}),
		bad("inventory-400-1-user", req{target: "/v2/users/999/inventory?assetTypes=8"}, 400, 1),
		bad("inventory-400-2-game-pass", req{target: u("/v2/users/%d/inventory?assetTypes=8,34", guide)}, 400, 2),
		bad("inventory-400-2-badge", req{target: u("/v2/users/%d/inventory?assetTypes=Badge", guide)}, 400, 2),
		bad("inventory-400-2-missing", req{target: u("/v2/users/%d/inventory", guide)}, 400, 2),
		bad("inventory-400-2-unknown", req{target: u("/v2/users/%d/inventory?assetTypes=14", guide)}, 400, 2),
		bad("inventory-403-3-places", req{target: u("/v2/users/%d/inventory?assetTypes=8,9", guide)}, 403, 3),
		bad("inventory-403-4-private", req{target: u("/v2/users/%d/inventory?assetTypes=8", private), as: guide}, 403, 4),

		// GET /v2/users/{userId}/inventory/{assetTypeId}
		ok("inventory-by-type", req{target: u("/v2/users/%d/inventory/8?limit=25", trader)}),
		ok("inventory-by-type-name", req{target: u("/v2/users/%d/inventory/Hat?limit=25&sortOrder=Desc", trader)}),
		ok("inventory-by-type-places-own", req{target: u("/v2/users/%d/inventory/9", guide), as: guide}),
		bad("inventory-by-type-400-1-user", req{target: "/v2/users/abc/inventory/8"}, 400, 1),
		bad("inventory-by-type-400-2", req{target: u("/v2/users/%d/inventory/34", guide)}, 400, 2),
		bad("inventory-by-type-403-3", req{target: u("/v2/users/%d/inventory/9", guide)}, 403, 3),
		bad("inventory-by-type-403-4", req{target: u("/v2/users/%d/inventory/8", fran)}, 403, 4),

		// Other methods on legacy paths.
		bad("method-not-allowed", req{method: http.MethodPut, target: u("/v1/users/%d/categories", guide)}, 405, 0),
		bad("method-not-allowed-csrf-first", req{method: http.MethodPatch, target: u("/v1/users/%d/categories", guide), as: guide}, 403, 0),
		bad("method-not-allowed-with-token", req{method: http.MethodPatch, target: u("/v1/users/%d/categories", guide), as: guide, csrf: true}, 405, 0),
	}
	return cases
}

func TestGolden(t *testing.T) {
	shared := demoEnv(t)
	seen := map[string]bool{}
	for _, c := range goldenCases() {
		if seen[c.name] {
			t.Fatalf("duplicate case %s", c.name)
		}
		seen[c.name] = true
		t.Run(c.name, func(t *testing.T) {
			e := shared
			if c.setup != nil || (c.req.method != "" && c.req.method != http.MethodGet) {
				e = demoEnv(t)
			}
			if c.setup != nil {
				c.setup(t, e)
			}
			resp := e.do(c.req)
			if resp.Status != c.status {
				t.Errorf("status %d, want %d (body %s)", resp.Status, c.status, resp.Body)
			}
			if c.code >= 0 && resp.errorCode() != c.code {
				t.Errorf("error code %d, want %d (body %s)", resp.errorCode(), c.code, resp.Body)
			}
			checkGolden(t, c.name, resp)
		})
	}
}

func checkGolden(t *testing.T, name string, resp response) {
	t.Helper()
	golden.Files{Dir: goldenDir, Update: *update, Headers: goldenHeaders}.Check(t, name, resp.Status, resp.Header, resp.Body)
}

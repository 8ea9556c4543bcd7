package storetest

import (
	"errors"
	"fmt"
	"net/netip"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/invcloud/invcloud/internal/apikey"
	"github.com/invcloud/invcloud/internal/inventory"
	"github.com/invcloud/invcloud/internal/store"
)

// RunCopy runs the conformance suite of store.Copy from stores openSrc
// opens to stores openDst opens (of the same engine or another): what one
// holds, the other holds after a copy, with equal digests, counters
// included. open functions are as for Run; each subtest opens its own.
func RunCopy(t *testing.T, openSrc, openDst func(t *testing.T) store.Store) {
	tests := []struct {
		name string
		fn   func(t *testing.T, openSrc, openDst func(t *testing.T) store.Store)
	}{
		{"Empty", testCopyEmpty},
		{"RoundTrip", testCopyRoundTrip},
		{"UsableAfterCopy", testCopyUsable},
		{"Resume", testCopyResume},
		{"ManyRows", testCopyManyRows},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) { tt.fn(t, openSrc, openDst) })
	}
}

// RunImport runs the conformance suite of Import's account rows. open is
// as for Run.
func RunImport(t *testing.T, open func(t *testing.T) store.Store) {
	t.Run("KeepsWhatIsThere", func(t *testing.T) { testImportKeeps(t, open) })
	t.Run("KeyNeedsID", func(t *testing.T) { testImportKeyNeedsID(t, open) })
	t.Run("RaisesCounters", func(t *testing.T) { testImportCounters(t, open) })
}

// RunParity checks the registry against the schema of a store open opens:
// every table and column is registered with its kind and nullability. exec
// runs SQL on the store's database: the suite adds a column and a table no
// registry line names, and expects exactly those reported.
func RunParity(t *testing.T, open func(t *testing.T) store.Store, exec func(t *testing.T, s store.Store, sql string)) {
	s := open(t)
	problems, err := store.SchemaProblems(ctx, s)
	mustNil(t, err, "SchemaProblems")
	for _, p := range problems {
		t.Errorf("schema and registry differ: %s", p)
	}
	exec(t, s, `ALTER TABLE users ADD COLUMN nickname TEXT`)
	problems, err = store.SchemaProblems(ctx, s)
	mustNil(t, err, "SchemaProblems")
	if len(problems) != 1 || !strings.HasPrefix(problems[0], "column users.nickname ") || !strings.Contains(problems[0], "not in the registry") {
		t.Errorf("after adding users.nickname: problems %q, want that column reported, alone", problems)
	}
	exec(t, s, `CREATE TABLE group_forums (id BIGINT PRIMARY KEY, name TEXT NOT NULL)`)
	problems, err = store.SchemaProblems(ctx, s)
	mustNil(t, err, "SchemaProblems")
	if len(problems) != 2 || !slices.ContainsFunc(problems, func(p string) bool { return strings.HasPrefix(p, "table group_forums ") }) {
		t.Errorf("after adding group_forums: problems %q, want users.nickname and group_forums", problems)
	}
}

// copyFixture is a store's worth of every kind of row: the listing
// fixture, passwords, API keys in every state, sessions and secrets.
func copyFixture(t *testing.T, s store.Store) {
	t.Helper()
	loadFixture(t, s)
	mustNil(t, s.SetPassword(ctx, 1, "$argon2id$hash-one"), "SetPassword")
	mustNil(t, s.SetPassword(ctx, 3, ""), "SetPassword (empty hash)")
	keys := []apikey.Key{
		{OwnerID: 1, Name: "full", Hash: apikey.HashSecret("k1"), Scopes: []string{apikey.ScopeInventoryRead, apikey.ScopeGroupRead},
			AllowIPs: []netip.Prefix{netip.MustParsePrefix("10.0.0.0/8"), netip.MustParsePrefix("2001:db8::1/128")},
			Expires:  now.Add(48*time.Hour + 3*time.Millisecond), Enabled: true, Created: now.Add(-time.Hour)},
		{OwnerID: 1, Name: "", Hash: apikey.HashSecret("k2"), Enabled: false, Created: now},
		{OwnerID: 2, Name: "üñí \"quoted\"", Hash: apikey.HashSecret("k3"), Scopes: []string{apikey.ScopeGroupWrite}, Enabled: true, Created: now},
	}
	for i := range keys {
		id, err := s.CreateAPIKey(ctx, keys[i])
		mustNil(t, err, "CreateAPIKey")
		keys[i].ID = id
	}
	mustNil(t, s.TouchAPIKey(ctx, keys[0].ID, now.Add(5*time.Minute+9*time.Millisecond)), "TouchAPIKey")
	// A deleted key leaves a gap in the ids.
	id, err := s.CreateAPIKey(ctx, apikey.Key{OwnerID: 2, Name: "gone", Hash: apikey.HashSecret("gone"), Created: now})
	mustNil(t, err, "CreateAPIKey")
	mustNil(t, s.DeleteAPIKey(ctx, id), "DeleteAPIKey")
	_, err = s.CreateAPIKey(ctx, apikey.Key{OwnerID: 3, Name: "last", Hash: apikey.HashSecret("last"), Enabled: true, Created: now})
	mustNil(t, err, "CreateAPIKey")

	for i, ss := range []store.Session{
		{Hash: tokenHash("s1"), UserID: 1, CSRFSecret: []byte{0, 0xff, 1}, Created: now, Expires: now.Add(time.Hour)},
		{Hash: tokenHash("s2"), UserID: 1, CSRFSecret: []byte("x"), Created: now.Add(-48 * time.Hour), Expires: now.Add(-24 * time.Hour)}, // expired: kept
		{Hash: tokenHash("s3"), UserID: 2, CSRFSecret: make([]byte, 32), Created: now.Add(7 * time.Millisecond), Expires: now.Add(30 * 24 * time.Hour)},
	} {
		mustNil(t, s.CreateSession(ctx, ss), fmt.Sprintf("CreateSession %d", i))
	}
	for name, v := range map[string][]byte{"page-token-hmac-key": {0, 1, 2, 0xfe, 0xff}, "other": []byte("other secret")} {
		_, err := s.Secret(ctx, name, func() ([]byte, error) { return v, nil })
		mustNil(t, err, "Secret")
	}
	// Grants after the import: a serial and instance id allocated by the store.
	grant(t, s, 3, refOf(inventory.KindAsset, 102))
	grant(t, s, 3, refOf(inventory.KindGamePass, 301))
	copyOAuthFixture(t, s)
	copyLegacyFixture(t, s)
	copyGroupFixture(t, s)
}

// copyLegacyFixture makes a row of every legacy table: a friendship, a
// bundle with its contents and an owner, a package, a price, places in tabs,
// favorites and a collection.
func copyLegacyFixture(t *testing.T, s store.Store) {
	t.Helper()
	mustNil(t, s.AddFriend(ctx, 2, 1, now.Add(time.Hour)), "AddFriend")
	mustNil(t, s.PutBundle(ctx, store.Bundle{ID: 501, Name: "Bundle", Type: inventory.BundleAvatarAnimations, CreatorID: 1,
		Created: now.Add(-time.Hour), AssetIDs: []int64{101, 105}}), "PutBundle")
	mustNil(t, s.GrantBundle(ctx, 1, 501, now.Add(2*time.Hour)), "GrantBundle")
	mustNil(t, s.PutAsset(ctx, inventory.Asset{ID: 107, Name: "Package", LegacyType: inventory.LegacyPackage, Created: now}), "PutAsset")
	mustNil(t, s.PutPackage(ctx, store.PackageContents{PackageID: 107, AssetIDs: []int64{105, 101}}), "PutPackage")
	original := int64(500)
	mustNil(t, s.PutAssetPrice(ctx, store.AssetPrice{AssetID: 102, RecentAveragePrice: 1234, OriginalPrice: &original}), "PutAssetPrice")
	price := int64(25)
	mustNil(t, s.PutPlace(ctx, store.Place{AssetID: 103, UniverseID: 77}), "PutPlace")
	mustNil(t, s.PutPlace(ctx, store.Place{AssetID: 104, UniverseID: 78, PriceInRobux: &price}), "PutPlace")
	mustNil(t, s.AddPlaceToTab(ctx, 1, 0, 104, now), "AddPlaceToTab")
	mustNil(t, s.AddPlaceToTab(ctx, 1, 0, 103, now.Add(time.Second)), "AddPlaceToTab")
	mustNil(t, s.AddPlaceToTab(ctx, 2, 3, 103, now), "AddPlaceToTab")
	mustNil(t, s.AddFavorite(ctx, 1, inventory.ItemRef{Type: inventory.ItemAsset, ID: 101}, now), "AddFavorite")
	mustNil(t, s.AddFavorite(ctx, 1, inventory.ItemRef{Type: inventory.ItemBundle, ID: 501}, now.Add(time.Second)), "AddFavorite")
	mustNil(t, s.AddToCollection(ctx, 1, inventory.ItemRef{Type: inventory.ItemAsset, ID: 102}, 10, now), "AddToCollection")
}

// checkLegacyUsable checks the legacy rows of copyLegacyFixture in s.
func checkLegacyUsable(t *testing.T, s store.Store) {
	t.Helper()
	for _, pair := range [][2]int64{{1, 2}, {2, 1}} {
		ok, err := s.AreFriends(ctx, pair[0], pair[1])
		mustNil(t, err, "AreFriends")
		if !ok {
			t.Errorf("AreFriends(%d, %d) = false after the copy", pair[0], pair[1])
		}
	}
	b, err := s.Bundle(ctx, 501)
	mustNil(t, err, "Bundle")
	if b.Name != "Bundle" || !slices.Equal(b.AssetIDs, []int64{101, 105}) {
		t.Errorf("copied bundle = %+v", b)
	}
	owns, err := s.OwnsBundle(ctx, 1, 501)
	mustNil(t, err, "OwnsBundle")
	if !owns {
		t.Error("OwnsBundle after the copy = false")
	}
	pkg, err := s.PackageAssets(ctx, 107)
	mustNil(t, err, "PackageAssets")
	if !slices.Equal(pkg, []int64{101, 105}) {
		t.Errorf("PackageAssets after the copy = %v", pkg)
	}
	places, err := s.PlacesInTab(ctx, 1, 0, store.Span{Limit: 10})
	mustNil(t, err, "PlacesInTab")
	if len(places) != 2 || places[0].Place.AssetID != 104 || places[1].Place.AssetID != 103 {
		t.Errorf("PlacesInTab after the copy = %+v", places)
	}
	coll, err := s.Collection(ctx, 1)
	mustNil(t, err, "Collection")
	if len(coll) != 1 || coll[0].Item.ID != 102 {
		t.Errorf("Collection after the copy = %+v", coll)
	}
	// A new place goes after the copied positions.
	mustNil(t, s.AddPlaceToTab(ctx, 2, 3, 104, now), "AddPlaceToTab after the copy")
	places, err = s.PlacesInTab(ctx, 2, 3, store.Span{Limit: 10})
	mustNil(t, err, "PlacesInTab")
	if len(places) != 2 || places[1].Place.AssetID != 104 || places[1].Position <= places[0].Position {
		t.Errorf("PlacesInTab after an add = %+v", places)
	}
}

// copyOAuthFixture makes OAuth rows in every state: a confidential and a
// public app, a pending request, an approved one holding a code, a redeemed
// code with its session, a spent and a live refresh token, an access token,
// and a revoked authorization.
func copyOAuthFixture(t *testing.T, s store.Store) {
	t.Helper()
	app := store.OAuthApp{ClientID: "export-app", SecretHash: store.HashOAuthSecret("app secret"), Name: "Export app", OwnerID: 1,
		RedirectURIs: []string{"https://app.example/cb", "http://localhost:8081/cb"}, Scopes: []string{"openid", "profile"}, Created: now}
	pub := store.OAuthApp{ClientID: "Export-pub", Name: "Public app", OwnerID: 2, RedirectURIs: []string{"com.example:/cb"},
		Scopes: []string{"openid"}, Public: true, Created: now.Add(time.Second)}
	mustNil(t, s.CreateOAuthApp(ctx, app), "CreateOAuthApp")
	mustNil(t, s.CreateOAuthApp(ctx, pub), "CreateOAuthApp")
	req := func(id, client string) store.OAuthRequest {
		return store.OAuthRequest{ID: id, ClientID: client, RedirectURI: "https://app.example/cb", Scopes: []string{"openid", "profile"},
			ResponseType: "code", State: "state " + id, Nonce: "nonce", Prompt: []string{"consent"}, CodeChallenge: "challenge-" + id,
			CodeChallengeMethod: "S256", ClientAddr: "2001:db8:1::/64", Created: now.Add(3 * time.Millisecond), Expires: now.Add(30 * time.Minute)}
	}
	for _, r := range []store.OAuthRequest{req("rq-pending", "export-app"), req("rq-approved", "export-app"), req("rq-redeemed", "export-app"), req("rq-pub", "Export-pub")} {
		mustNil(t, s.CreateOAuthRequest(ctx, r), "CreateOAuthRequest")
	}
	approve := func(id string, user int64, auth string) {
		_, err := s.ApproveOAuthRequest(ctx, id, user, now.Add(time.Second), now.Add(time.Second), auth)
		mustNil(t, err, "ApproveOAuthRequest "+id)
	}
	approve("rq-approved", 2, "auth-2")
	mustNil(t, s.SetOAuthCode(ctx, "rq-approved", store.HashOAuthSecret("code-approved"), now.Add(time.Minute)), "SetOAuthCode")
	approve("rq-redeemed", 1, "auth-1")
	mustNil(t, s.SetOAuthCode(ctx, "rq-redeemed", store.HashOAuthSecret("code-redeemed"), now.Add(time.Minute)), "SetOAuthCode")
	_, err := s.RedeemOAuthCode(ctx, store.HashOAuthSecret("code-redeemed"),
		store.OAuthSession{ID: "sess-1", Scopes: []string{"openid"}, Created: now.Add(2 * time.Second)}, now.Add(2*time.Second))
	mustNil(t, err, "RedeemOAuthCode")
	rt := func(secret string) store.OAuthRefreshToken {
		return store.OAuthRefreshToken{Hash: store.HashOAuthSecret(secret), ID: "id-" + secret, SessionID: "sess-1",
			Created: now.Add(2 * time.Second), Expires: now.Add(90 * 24 * time.Hour)}
	}
	mustNil(t, s.AddOAuthRefreshToken(ctx, rt("rt-1")), "AddOAuthRefreshToken")
	_, err = s.RotateOAuthRefreshToken(ctx, store.HashOAuthSecret("rt-1"), rt("rt-2"), now.Add(time.Hour))
	mustNil(t, err, "RotateOAuthRefreshToken")
	mustNil(t, s.AddOAuthAccessToken(ctx, store.OAuthAccessToken{ID: "at-1", SessionID: "sess-1", Expires: now.Add(time.Hour)}), "AddOAuthAccessToken")
	approve("rq-pub", 1, "auth-pub")
	mustNil(t, s.RevokeOAuthAuthorization(ctx, "auth-pub", now.Add(time.Minute)), "RevokeOAuthAuthorization")
}

// checkOAuthUsable checks that the OAuth state of copyOAuthFixture works
// in s, copied from another store.
func checkOAuthUsable(t *testing.T, s store.Store) {
	t.Helper()
	app, err := s.OAuthApp(ctx, "export-app")
	mustNil(t, err, "OAuthApp")
	if app.SecretHash != store.HashOAuthSecret("app secret") || len(app.RedirectURIs) != 2 {
		t.Errorf("copied app = %+v", app)
	}
	pub, err := s.OAuthApp(ctx, "Export-pub")
	mustNil(t, err, "OAuthApp")
	if !pub.Public || pub.SecretHash != (store.OAuthHash{}) {
		t.Errorf("copied public app = %+v", pub)
	}
	pending, err := s.OAuthRequest(ctx, "rq-pending", now)
	mustNil(t, err, "OAuthRequest(pending)")
	if pending.ClientAddr != "2001:db8:1::/64" {
		t.Errorf("copied pending request: client address %q", pending.ClientAddr)
	}
	r, err := s.OAuthRequestByCode(ctx, store.HashOAuthSecret("code-approved"))
	mustNil(t, err, "OAuthRequestByCode")
	if r.ID != "rq-approved" || r.UserID != 2 || r.AuthorizationID != "auth-2" || !r.CodeExpires.Equal(now.Add(time.Minute)) {
		t.Errorf("copied request with a code = %+v", r)
	}
	_, err = s.RedeemOAuthCode(ctx, store.HashOAuthSecret("code-redeemed"), store.OAuthSession{ID: "sess-x", Created: now}, now.Add(3*time.Second))
	wantErr(t, err, store.ErrReused, "RedeemOAuthCode of a code redeemed before the copy")
	_, _, err = s.OAuthRefreshToken(ctx, store.HashOAuthSecret("rt-1"))
	mustNil(t, err, "OAuthRefreshToken(spent)")
	_, err = s.RotateOAuthRefreshToken(ctx, store.HashOAuthSecret("rt-1"), store.OAuthRefreshToken{Hash: store.HashOAuthSecret("rt-x"), ID: "x",
		Created: now, Expires: now.Add(time.Hour)}, now.Add(2*time.Hour))
	wantErr(t, err, store.ErrReused, "RotateOAuthRefreshToken of a token spent before the copy")
	at, g, err := s.OAuthAccessToken(ctx, "at-1")
	mustNil(t, err, "OAuthAccessToken")
	if at.SessionID != "sess-1" || !g.Live() || g.Authorization.ID != "auth-1" || g.Authorization.UserID != 1 {
		t.Errorf("copied access token = %+v, grant %+v", at, g)
	}
	auths, err := s.OAuthAuthorizations(ctx, 1, "")
	mustNil(t, err, "OAuthAuthorizations")
	if len(auths) != 1 || auths[0].ID != "auth-1" {
		t.Errorf("live authorizations of user 1 = %+v, want auth-1 only (auth-pub was revoked)", auths)
	}
	g, err = s.RotateOAuthRefreshToken(ctx, store.HashOAuthSecret("rt-2"), store.OAuthRefreshToken{Hash: store.HashOAuthSecret("rt-3"), ID: "id-rt-3",
		Created: now.Add(2 * time.Hour), Expires: now.Add(48 * time.Hour)}, now.Add(2*time.Hour))
	mustNil(t, err, "RotateOAuthRefreshToken of the live token")
	if g.Session.ID != "sess-1" {
		t.Errorf("rotated grant = %+v", g)
	}
}

// copyAll copies src into dst and checks the copy: dst's digest is the one
// Copy read from src, and src's own.
func copyAll(t *testing.T, src, dst store.Store) store.Digest {
	t.Helper()
	d, err := store.Copy(ctx, src, dst, nil)
	mustNil(t, err, "Copy")
	checkDigest(t, "source after the copy", src, d)
	checkDigest(t, "destination after the copy", dst, d)
	return d
}

// checkDigest fails unless s's digest is want.
func checkDigest(t *testing.T, what string, s store.Store, want store.Digest) {
	t.Helper()
	got, err := store.DigestOf(ctx, s)
	mustNil(t, err, "DigestOf")
	for _, table := range want.Diff(got) {
		t.Errorf("%s: table %s: %s, want %s", what, table, got[table], want[table])
	}
}

func testCopyEmpty(t *testing.T, openSrc, openDst func(t *testing.T) store.Store) {
	src, dst := openSrc(t), openDst(t)
	d := copyAll(t, src, dst)
	for _, table := range store.DigestTables() {
		if d[table].Rows != 0 {
			t.Errorf("empty store: table %s has %d rows", table, d[table].Rows)
		}
	}
	for _, s := range []store.Store{src, dst} {
		tables, err := store.NonEmpty(ctx, s)
		mustNil(t, err, "NonEmpty")
		if len(tables) > 0 {
			t.Errorf("NonEmpty of an empty store = %v", tables)
		}
	}
}

func testCopyRoundTrip(t *testing.T, openSrc, openDst func(t *testing.T) store.Store) {
	src, dst := openSrc(t), openDst(t)
	copyFixture(t, src)
	d := copyAll(t, src, dst)
	// Every table of the fixture is there, with the rows the fixture made.
	want := map[string]int64{
		"users": 3, "assets": 7, "badges": 3, "game_passes": 2, "private_servers": 2,
		"user_assets": 10, "user_badges": 3, "user_game_passes": 3, "user_private_servers": 3,
		"counters": 1, "api_keys": 4, "sessions": 3, "settings": 2,
		"oauth_apps": 2, "oauth_authorizations": 3, "oauth_requests": 3, "oauth_sessions": 1,
		"oauth_used_codes": 1, "oauth_refresh_tokens": 2, "oauth_access_tokens": 1,
		"friends": 2, "bundles": 1, "bundle_assets": 2, "user_bundles": 1, "package_assets": 2, "asset_prices": 1,
		"places": 2, "place_tabs": 3, "favorites": 2, "collections": 1,
		"groups": 2, "group_roles": 5, "group_memberships": 2, "group_join_requests": 1, "group_shouts": 1,
	}
	for _, table := range store.DigestTables() {
		if d[table].Rows != want[table] {
			t.Errorf("copy of the fixture: table %s has %d rows, want %d", table, d[table].Rows, want[table])
		}
	}
	tables, err := store.NonEmpty(ctx, dst)
	mustNil(t, err, "NonEmpty")
	if len(tables) != len(store.Tables) {
		t.Errorf("NonEmpty after the copy = %v, want every table", tables)
	}
	// A copy of the copy is the same again.
	again := openSrc(t)
	if d2 := copyAll(t, dst, again); len(d2.Diff(d)) > 0 {
		t.Errorf("copy of the copy differs in %v", d2.Diff(d))
	}
}

func testCopyUsable(t *testing.T, openSrc, openDst func(t *testing.T) store.Store) {
	src, dst := openSrc(t), openDst(t)
	copyFixture(t, src)
	// The newest copy of a serialized asset is revoked before the copy:
	// its instance id and serial number must not come back.
	newest := grant(t, src, 3, refOf(inventory.KindAsset, 102))
	if _, err := src.Revoke(ctx, 3, refOf(inventory.KindAsset, 102)); err != nil {
		t.Fatal(err)
	}
	copyAll(t, src, dst)

	// Sessions, passwords, keys and secrets work as they did.
	checkSession(t, dst, tokenHash("s1"), now, store.Session{Hash: tokenHash("s1"), UserID: 1, CSRFSecret: []byte{0, 0xff, 1}, Created: now, Expires: now.Add(time.Hour)})
	credentials(t, dst, "one", 1, "$argon2id$hash-one")
	credentials(t, dst, "three", 3, "")
	keys, err := src.APIKeys(ctx, 0)
	mustNil(t, err, "APIKeys")
	var maxKey int64
	for _, want := range keys {
		got, err := dst.APIKeyByHash(ctx, want.Hash)
		mustNil(t, err, "APIKeyByHash")
		checkKey(t, "copied key", got, want)
		maxKey = max(maxKey, want.ID)
	}
	checkOAuthUsable(t, dst)
	checkLegacyUsable(t, dst)
	v, err := dst.Secret(ctx, "page-token-hmac-key", func() ([]byte, error) { return nil, errors.New("generator called") })
	mustNil(t, err, "Secret")
	if string(v) != string([]byte{0, 1, 2, 0xfe, 0xff}) {
		t.Errorf("copied secret = %x", v)
	}
	for _, u := range []int64{1, 2, 3} {
		want := list(t, src, u, inventory.Everything, inventory.Start, 100)
		checkItems(t, fmt.Sprintf("user %d listing after the copy", u), list(t, dst, u, inventory.Everything, inventory.Start, 100), want)
	}

	// New rows get ids past the copied ones: instance ids, serials and key
	// ids are not handed out twice, not even those of revoked copies.
	it := grant(t, dst, 2, refOf(inventory.KindAsset, 102))
	if it.ID <= newest.ID {
		t.Errorf("Grant after the copy: instance id %d, want one above the revoked %d", it.ID, newest.ID)
	}
	if it.Collectible == nil || it.Collectible.SerialNumber != newest.Collectible.SerialNumber+1 {
		t.Errorf("Grant after the copy: %s, want serial %d (the revoked copy had %d)", fmtItem(it),
			newest.Collectible.SerialNumber+1, newest.Collectible.SerialNumber)
	}
	if again := grant(t, src, 2, refOf(inventory.KindAsset, 102)); again.ID > it.ID || again.Collectible.SerialNumber != it.Collectible.SerialNumber {
		t.Errorf("source Grant = %s, destination Grant = %s", fmtItem(again), fmtItem(it))
	}
	id, err := dst.CreateAPIKey(ctx, apikey.Key{OwnerID: 1, Name: "new", Hash: apikey.HashSecret("new"), Enabled: true, Created: now})
	mustNil(t, err, "CreateAPIKey after the copy")
	if id <= maxKey {
		t.Errorf("CreateAPIKey after the copy: id %d, want one above %d", id, maxKey)
	}
}

// testCopyResume copies into a destination that holds part of the source,
// and some rows of its own: the copy adds what is missing, keeps what is
// there, and never lowers a counter.
func testCopyResume(t *testing.T, openSrc, openDst func(t *testing.T) store.Store) {
	src, dst := openSrc(t), openDst(t)
	copyFixture(t, src)
	d := copyAll(t, src, dst)
	// Copying again changes nothing.
	if d2 := copyAll(t, src, dst); len(d2.Diff(d)) > 0 {
		t.Errorf("second copy read %v", d2.Diff(d))
	}
	// Rows lost in the destination come back; a row of its own stays, and
	// shows in the digest.
	_, err := dst.Revoke(ctx, 1, refOf(inventory.KindBadge, 201))
	mustNil(t, err, "Revoke")
	mustNil(t, dst.CreateUser(ctx, user(50, "fifty")), "CreateUser")
	high := grant(t, dst, 50, refOf(inventory.KindAsset, 101)) // moves the destination's counter past the source's
	_, err = store.Copy(ctx, src, dst, nil)
	mustNil(t, err, "Copy into a destination with rows of its own")
	got, err := store.DigestOf(ctx, dst)
	mustNil(t, err, "DigestOf")
	if diff := got.Diff(d); !slices.Equal(diff, []string{"users", "user_assets", "counters"}) {
		t.Errorf("destination with rows of its own differs in %v, want users, user_assets, counters", diff)
	}
	if got["user_badges"] != d["user_badges"] {
		t.Errorf("revoked badge not copied again: %s, want %s", got["user_badges"], d["user_badges"])
	}
	if next := grant(t, dst, 50, refOf(inventory.KindAsset, 102)); next.ID <= high.ID {
		t.Errorf("Grant after copying a lower counter: instance id %d, want one above %d", next.ID, high.ID)
	}
}

// testCopyManyRows copies more rows of one table than one batch holds.
func testCopyManyRows(t *testing.T, openSrc, openDst func(t *testing.T) store.Store) {
	if testing.Short() {
		t.Skip("short mode")
	}
	src, dst := openSrc(t), openDst(t)
	const users, badges = 120, 500 // 60,000 ownership rows: two batches
	var cat store.Batch
	for i := range badges {
		cat.Badges = append(cat.Badges, inventory.Badge{ID: int64(1000 + i), Name: fmt.Sprintf("badge %d", i)})
	}
	mustNil(t, src.Import(ctx, cat), "Import catalog")
	var b store.Batch
	for u := range users {
		b.Users = append(b.Users, user(int64(100+u), fmt.Sprintf("user%d", 100+u)))
		for i := range badges {
			b.Ownerships = append(b.Ownerships, store.Ownership{UserID: int64(100 + u), Item: inventory.Item{
				Kind: inventory.KindBadge, ID: int64(1000 + (i*7+u)%badges), AddTime: now.Add(time.Duration(i) * time.Millisecond)}})
		}
	}
	mustNil(t, src.Import(ctx, b), "Import")
	var batches int
	d, err := store.Copy(ctx, src, dst, func(table string, rows int64) {
		if table == "user_badges" {
			batches++
		}
	})
	mustNil(t, err, "Copy")
	if d["user_badges"].Rows != users*badges || d["users"].Rows != users || d["badges"].Rows != badges {
		t.Fatalf("copy: %v", d)
	}
	if want := (users*badges + store.CopyBatch - 1) / store.CopyBatch; batches != want {
		t.Errorf("user_badges came in %d batches, want %d", batches, want)
	}
	checkDigest(t, "destination", dst, d)
}

// testImportKeeps imports rows whose keys are present: Import keeps what
// is there, and sets a password only where none is.
func testImportKeeps(t *testing.T, open func(t *testing.T) store.Store) {
	dst := open(t)
	copyFixture(t, dst)
	before, err := store.DigestOf(ctx, dst)
	mustNil(t, err, "DigestOf")
	keys, err := dst.APIKeys(ctx, 0)
	mustNil(t, err, "APIKeys")
	changed := store.Batch{
		Users:     []inventory.User{{ID: 1, Name: "renamed", DisplayName: "Renamed", Created: now, Visibility: inventory.VisibilityNoOne}},
		Passwords: map[int64]string{1: "other hash"},
		Secrets:   map[string][]byte{"other": []byte("replaced?")},
	}
	for _, k := range keys {
		k.Name, k.Enabled = "renamed", !k.Enabled
		changed.APIKeys = append(changed.APIKeys, k)
	}
	mustNil(t, dst.Import(ctx, changed), "Import of changed rows")
	checkDigest(t, "after importing changed rows", dst, before)
	credentials(t, dst, "one", 1, "$argon2id$hash-one")

	// New rows, and a password for a user that has none, are added.
	mustNil(t, dst.Import(ctx, store.Batch{
		Passwords: map[int64]string{2: "new hash"},
		Secrets:   map[string][]byte{"new": []byte("new secret")},
	}), "Import of new rows")
	credentials(t, dst, "two", 2, "new hash")
	v, err := dst.Secret(ctx, "new", func() ([]byte, error) { return nil, errors.New("generator called") })
	mustNil(t, err, "Secret")
	if string(v) != "new secret" {
		t.Errorf("Secret(new) = %q, want the imported value", v)
	}
}

func testImportKeyNeedsID(t *testing.T, open func(t *testing.T) store.Store) {
	s := open(t)
	b := store.Batch{
		Users:   []inventory.User{user(1, "one")},
		APIKeys: []apikey.Key{{OwnerID: 1, Name: "no id", Hash: apikey.HashSecret("x"), Created: now}},
	}
	if err := s.Import(ctx, b); err == nil {
		t.Fatal("Import of an API key without an id succeeded")
	}
	_, err := s.User(ctx, 1)
	wantErr(t, err, store.ErrNotFound, "User of a failed Import")
	// A key of a missing user fails the whole batch.
	b = store.Batch{
		Users:   []inventory.User{user(1, "one")},
		APIKeys: []apikey.Key{{ID: 5, OwnerID: 2, Name: "orphan", Hash: apikey.HashSecret("x"), Created: now}},
	}
	if err := s.Import(ctx, b); err == nil {
		t.Fatal("Import of an API key of a missing user succeeded")
	}
	_, err = s.User(ctx, 1)
	wantErr(t, err, store.ErrNotFound, "User of a failed Import")
}

// testImportCounters imports rows carrying their ids and serials, and
// counters, twice: later grants and keys take ids and serials past them.
func testImportCounters(t *testing.T, open func(t *testing.T) store.Store) {
	s := open(t)
	b := store.Batch{
		Users: []inventory.User{user(1, "one"), user(2, "two")},
		Assets: []inventory.Asset{
			{ID: 10, Name: "a", LegacyType: 8, Created: now, Collectible: true, CollectibleItemID: "item-10", Serialized: true},
			{ID: 11, Name: "b", LegacyType: 8, Created: now, Collectible: true, CollectibleItemID: "item-11", Serialized: true},
		},
		Ownerships: []store.Ownership{{UserID: 1, Item: inventory.Item{Kind: inventory.KindAsset, ID: 500, AssetID: 10,
			AssetType: inventory.AssetTypeForLegacy(8, false), Collectible: &inventory.Collectible{ItemID: "item-10", InstanceID: "inst", SerialNumber: 7}}}},
		LastInstanceID: 1000,
		LastSerials:    map[int64]int64{11: 5},
		APIKeys:        []apikey.Key{{ID: 50, OwnerID: 1, Name: "k", Hash: apikey.HashSecret("x"), Created: now, Enabled: true}},
	}
	mustNil(t, s.Import(ctx, b), "Import")
	mustNil(t, s.Import(ctx, b), "Import again")
	if it := grant(t, s, 2, refOf(inventory.KindAsset, 10)); it.ID != 1001 || it.Collectible == nil || it.Collectible.SerialNumber != 8 {
		t.Errorf("grant of asset 10: instance %d, %+v, want 1001 and serial 8", it.ID, it.Collectible)
	}
	if it := grant(t, s, 2, refOf(inventory.KindAsset, 11)); it.ID != 1002 || it.Collectible == nil || it.Collectible.SerialNumber != 6 {
		t.Errorf("grant of asset 11: instance %d, %+v, want 1002 and serial 6", it.ID, it.Collectible)
	}
	id, err := s.CreateAPIKey(ctx, apikey.Key{OwnerID: 1, Name: "new", Hash: apikey.HashSecret("y"), Created: now, Enabled: true})
	mustNil(t, err, "CreateAPIKey")
	if id <= 50 {
		t.Errorf("new key id %d, want past the imported 50", id)
	}
}

package storetest

import (
	"errors"
	"fmt"
	"maps"
	"net/netip"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/invcloud/invcloud/internal/apikey"
	"github.com/invcloud/invcloud/internal/inventory"
	"github.com/invcloud/invcloud/internal/store"
)

// RunExport runs the conformance suite of Export and of Import's account
// rows: what one store exports, another imports, and then exports the same.
// open is as for Run; each subtest opens two stores.
func RunExport(t *testing.T, open func(t *testing.T) store.Store) {
	tests := []struct {
		name string
		fn   func(t *testing.T, open func(t *testing.T) store.Store)
	}{
		{"Empty", testExportEmpty},
		{"RoundTrip", testExportRoundTrip},
		{"Order", testExportOrder},
		{"Idempotent", testExportIdempotent},
		{"UsableAfterImport", testExportUsableAfterImport},
		{"ManyRows", testExportManyRows},
		{"CallbackError", testExportCallbackError},
		{"ImportKeyNeedsID", testExportImportKeyNeedsID},
		{"CoversSchema", testExportCoversSchema},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) { tt.fn(t, open) })
	}
}

// exportFixture is a store's worth of every kind of row: the listing
// fixture, passwords, API keys in every state, sessions and secrets.
func exportFixture(t *testing.T, s store.Store) {
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
	exportOAuthFixture(t, s)
	exportLegacyFixture(t, s)
}

// exportLegacyFixture makes a row of every legacy table: a friendship, a
// bundle with its contents and an owner, a package, a price, places in tabs,
// favorites and a collection.
func exportLegacyFixture(t *testing.T, s store.Store) {
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

// checkLegacyUsable checks the legacy rows of exportLegacyFixture in s.
func checkLegacyUsable(t *testing.T, s store.Store) {
	t.Helper()
	for _, pair := range [][2]int64{{1, 2}, {2, 1}} {
		ok, err := s.AreFriends(ctx, pair[0], pair[1])
		mustNil(t, err, "AreFriends")
		if !ok {
			t.Errorf("AreFriends(%d, %d) = false after import", pair[0], pair[1])
		}
	}
	b, err := s.Bundle(ctx, 501)
	mustNil(t, err, "Bundle")
	if b.Name != "Bundle" || !slices.Equal(b.AssetIDs, []int64{101, 105}) {
		t.Errorf("imported bundle = %+v", b)
	}
	owns, err := s.OwnsBundle(ctx, 1, 501)
	mustNil(t, err, "OwnsBundle")
	if !owns {
		t.Error("OwnsBundle after import = false")
	}
	pkg, err := s.PackageAssets(ctx, 107)
	mustNil(t, err, "PackageAssets")
	if !slices.Equal(pkg, []int64{101, 105}) {
		t.Errorf("PackageAssets after import = %v", pkg)
	}
	places, err := s.PlacesInTab(ctx, 1, 0, store.Span{Limit: 10})
	mustNil(t, err, "PlacesInTab")
	if len(places) != 2 || places[0].Place.AssetID != 104 || places[1].Place.AssetID != 103 {
		t.Errorf("PlacesInTab after import = %+v", places)
	}
	coll, err := s.Collection(ctx, 1)
	mustNil(t, err, "Collection")
	if len(coll) != 1 || coll[0].Item.ID != 102 {
		t.Errorf("Collection after import = %+v", coll)
	}
	// A new place goes after the imported positions.
	mustNil(t, s.AddPlaceToTab(ctx, 2, 3, 104, now), "AddPlaceToTab after import")
	places, err = s.PlacesInTab(ctx, 2, 3, store.Span{Limit: 10})
	mustNil(t, err, "PlacesInTab")
	if len(places) != 2 || places[1].Place.AssetID != 104 || places[1].Position <= places[0].Position {
		t.Errorf("PlacesInTab after an add = %+v", places)
	}
}

// exportOAuthFixture makes OAuth rows in every state: a confidential and a
// public app, a pending request, an approved one holding a code, a redeemed
// code with its session, a spent and a live refresh token, an access token,
// and a revoked authorization.
func exportOAuthFixture(t *testing.T, s store.Store) {
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
			CodeChallengeMethod: "S256", Created: now.Add(3 * time.Millisecond), Expires: now.Add(30 * time.Minute)}
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

// checkOAuthUsable checks that the OAuth state of exportOAuthFixture works
// in s, imported from another store.
func checkOAuthUsable(t *testing.T, s store.Store) {
	t.Helper()
	app, err := s.OAuthApp(ctx, "export-app")
	mustNil(t, err, "OAuthApp")
	if app.SecretHash != store.HashOAuthSecret("app secret") || len(app.RedirectURIs) != 2 {
		t.Errorf("imported app = %+v", app)
	}
	pub, err := s.OAuthApp(ctx, "Export-pub")
	mustNil(t, err, "OAuthApp")
	if !pub.Public || pub.SecretHash != (store.OAuthHash{}) {
		t.Errorf("imported public app = %+v", pub)
	}
	_, err = s.OAuthRequest(ctx, "rq-pending", now)
	mustNil(t, err, "OAuthRequest(pending)")
	r, err := s.OAuthRequestByCode(ctx, store.HashOAuthSecret("code-approved"))
	mustNil(t, err, "OAuthRequestByCode")
	if r.ID != "rq-approved" || r.UserID != 2 || r.AuthorizationID != "auth-2" || !r.CodeExpires.Equal(now.Add(time.Minute)) {
		t.Errorf("imported request with a code = %+v", r)
	}
	_, err = s.RedeemOAuthCode(ctx, store.HashOAuthSecret("code-redeemed"), store.OAuthSession{ID: "sess-x", Created: now}, now.Add(3*time.Second))
	wantErr(t, err, store.ErrReused, "RedeemOAuthCode of a code redeemed before the export")
	_, _, err = s.OAuthRefreshToken(ctx, store.HashOAuthSecret("rt-1"))
	mustNil(t, err, "OAuthRefreshToken(spent)")
	_, err = s.RotateOAuthRefreshToken(ctx, store.HashOAuthSecret("rt-1"), store.OAuthRefreshToken{Hash: store.HashOAuthSecret("rt-x"), ID: "x",
		Created: now, Expires: now.Add(time.Hour)}, now.Add(2*time.Hour))
	wantErr(t, err, store.ErrReused, "RotateOAuthRefreshToken of a token spent before the export")
	at, g, err := s.OAuthAccessToken(ctx, "at-1")
	mustNil(t, err, "OAuthAccessToken")
	if at.SessionID != "sess-1" || !g.Live() || g.Authorization.ID != "auth-1" || g.Authorization.UserID != 1 {
		t.Errorf("imported access token = %+v, grant %+v", at, g)
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

// exported is one Export, batch by batch.
func exportAll(t *testing.T, s store.Store) []store.Batch {
	t.Helper()
	var out []store.Batch
	mustNil(t, s.Export(ctx, func(b store.Batch) error { out = append(out, b); return nil }), "Export")
	return out
}

// dump is the canonical rows of an export, table by table.
func dump(batches []store.Batch) (store.Digest, map[string][]string) {
	rows := map[string][]string{}
	d := store.Digester{Tap: func(table, row string) { rows[table] = append(rows[table], row) }}
	for _, b := range batches {
		d.Add(b)
	}
	return d.Digest(), rows
}

// checkSameExport fails unless two exports hold the same rows in the same
// order, and shows the first differences.
func checkSameExport(t *testing.T, what string, got, want []store.Batch) {
	t.Helper()
	gd, grows := dump(got)
	wd, wrows := dump(want)
	for _, table := range gd.Diff(wd) {
		g, w := grows[table], wrows[table]
		var diffs []string
		for i := 0; i < max(len(g), len(w)) && len(diffs) < 5; i++ {
			var gr, wr string
			if i < len(g) {
				gr = g[i]
			}
			if i < len(w) {
				wr = w[i]
			}
			if gr != wr {
				diffs = append(diffs, fmt.Sprintf("  row %d:\n    got  %s\n    want %s", i, gr, wr))
			}
		}
		t.Errorf("%s: table %s differs: got %s, want %s\n%s", what, table, gd[table], wd[table], strings.Join(diffs, "\n"))
	}
}

func importAll(t *testing.T, s store.Store, batches []store.Batch) {
	t.Helper()
	for i, b := range batches {
		mustNil(t, s.Import(ctx, b), fmt.Sprintf("Import of exported batch %d", i))
	}
}

func testExportEmpty(t *testing.T, open func(t *testing.T) store.Store) {
	s := open(t)
	d, err := store.DigestOf(ctx, s)
	mustNil(t, err, "DigestOf")
	for _, table := range store.Tables {
		if d[table].Rows != 0 {
			t.Errorf("empty store: table %s has %d rows", table, d[table].Rows)
		}
	}
	for i, b := range exportAll(t, s) {
		var dd store.Digester
		dd.Add(b)
		for table, td := range dd.Digest() {
			if td.Rows != 0 {
				t.Errorf("empty store: batch %d has %d rows of %s", i, td.Rows, table)
			}
		}
	}
}

func testExportRoundTrip(t *testing.T, open func(t *testing.T) store.Store) {
	src, dst := open(t), open(t)
	exportFixture(t, src)
	want := exportAll(t, src)
	d, _ := dump(want)
	// Every table of the fixture is there, with the rows the fixture made.
	for table, n := range map[string]int64{
		"users": 3, "assets": 7, "badges": 3, "game_passes": 2, "private_servers": 2,
		"user_assets": 10, "user_badges": 3, "user_game_passes": 3, "user_private_servers": 3,
		"counters": 2, "api_keys": 4, "passwords": 2, "sessions": 3, "settings": 2,
		"oauth_apps": 2, "oauth_authorizations": 3, "oauth_requests": 3, "oauth_sessions": 1,
		"oauth_used_codes": 1, "oauth_refresh_tokens": 2, "oauth_access_tokens": 1,
		"friends": 1, "bundles": 1, "bundle_assets": 2, "user_bundles": 1, "package_assets": 2, "asset_prices": 1,
		"places": 2, "place_tabs": 3, "favorites": 2, "collections": 1,
	} {
		if d[table].Rows != n {
			t.Errorf("export of the fixture: table %s has %d rows, want %d", table, d[table].Rows, n)
		}
	}
	importAll(t, dst, want)
	checkSameExport(t, "export after import", exportAll(t, dst), want)
	got, err := store.DigestOf(ctx, dst)
	mustNil(t, err, "DigestOf")
	if diff := got.Diff(d); len(diff) > 0 {
		t.Errorf("DigestOf after import differs in %v", diff)
	}
	// Export does not change the store.
	checkSameExport(t, "second export of the source", exportAll(t, src), want)
}

func testExportOrder(t *testing.T, open func(t *testing.T) store.Store) {
	s := open(t)
	exportFixture(t, s)
	// Tables come in the documented order: a table never reappears once
	// the next has begun, and each table's rows come in key order.
	rank := map[string]int{}
	for i, table := range store.Tables {
		rank[table] = i
	}
	last := -1
	for i, b := range exportAll(t, s) {
		rows := map[string][]string{}
		d := store.Digester{Tap: func(table, row string) { rows[table] = append(rows[table], row) }}
		d.Add(b)
		d.Digest()
		delete(rows, "bundle_assets") // a bundle carries its contents
		if len(rows) > 1 {
			t.Errorf("batch %d mixes tables: %v", i, slices.Sorted(maps.Keys(rows)))
		}
		for table := range rows {
			if rank[table] < last {
				t.Errorf("batch %d: table %s after %s", i, table, store.Tables[last])
			}
			last = max(last, rank[table])
		}
	}
	// Key order within tables, checked on the typed rows.
	var users, assets []int64
	var owned []store.Ownership
	var keys []int64
	var sessions [][]byte
	for _, b := range exportAll(t, s) {
		for _, u := range b.Users {
			users = append(users, u.ID)
		}
		for _, a := range b.Assets {
			assets = append(assets, a.ID)
		}
		owned = append(owned, b.Ownerships...)
		for _, k := range b.APIKeys {
			keys = append(keys, k.ID)
		}
		for _, ss := range b.Sessions {
			sessions = append(sessions, ss.Hash[:])
		}
	}
	// Text keys sort bytewise ("Export-pub" before "export-app").
	var apps, auths, reqs []string
	for _, b := range exportAll(t, s) {
		for _, a := range b.OAuthApps {
			apps = append(apps, a.ClientID)
		}
		for _, a := range b.OAuthAuthorizations {
			auths = append(auths, a.ID)
		}
		for _, r := range b.OAuthRequests {
			reqs = append(reqs, r.ID)
		}
	}
	for name, ids := range map[string][]string{"oauth apps": apps, "oauth authorizations": auths, "oauth requests": reqs} {
		if len(ids) < 2 || !slices.IsSorted(ids) {
			t.Errorf("%s not in bytewise order: %q", name, ids)
		}
	}
	for name, ids := range map[string][]int64{"users": users, "assets": assets, "api keys": keys} {
		if !slices.IsSorted(ids) || len(slices.Compact(slices.Clone(ids))) != len(ids) {
			t.Errorf("%s not in increasing id order: %v", name, ids)
		}
	}
	if !slices.IsSortedFunc(sessions, func(a, b []byte) int { return strings.Compare(string(a), string(b)) }) {
		t.Errorf("sessions not in hash order")
	}
	for i := 1; i < len(owned); i++ {
		a, b := owned[i-1], owned[i]
		if a.Item.Kind > b.Item.Kind || (a.Item.Kind == b.Item.Kind && (a.UserID > b.UserID || (a.UserID == b.UserID && a.Item.ID >= b.Item.ID))) {
			t.Errorf("ownership rows %d and %d out of order: user %d %s, user %d %s", i-1, i, a.UserID, fmtItem(a.Item), b.UserID, fmtItem(b.Item))
		}
	}
}

func testExportIdempotent(t *testing.T, open func(t *testing.T) store.Store) {
	src, dst := open(t), open(t)
	exportFixture(t, src)
	want := exportAll(t, src)
	importAll(t, dst, want)
	// Importing the export again, or all of it as one batch, changes nothing.
	importAll(t, dst, want)
	var one store.Batch
	one.Passwords, one.Secrets = map[int64]string{}, map[string][]byte{}
	for _, b := range want {
		one.Users = append(one.Users, b.Users...)
		one.Assets = append(one.Assets, b.Assets...)
		one.Badges = append(one.Badges, b.Badges...)
		one.GamePasses = append(one.GamePasses, b.GamePasses...)
		one.PrivateServers = append(one.PrivateServers, b.PrivateServers...)
		one.Ownerships = append(one.Ownerships, b.Ownerships...)
		one.APIKeys = append(one.APIKeys, b.APIKeys...)
		one.Sessions = append(one.Sessions, b.Sessions...)
		one.OAuthApps = append(one.OAuthApps, b.OAuthApps...)
		one.OAuthAuthorizations = append(one.OAuthAuthorizations, b.OAuthAuthorizations...)
		one.OAuthRequests = append(one.OAuthRequests, b.OAuthRequests...)
		one.OAuthSessions = append(one.OAuthSessions, b.OAuthSessions...)
		one.OAuthUsedCodes = append(one.OAuthUsedCodes, b.OAuthUsedCodes...)
		one.OAuthRefreshTokens = append(one.OAuthRefreshTokens, b.OAuthRefreshTokens...)
		one.OAuthAccessTokens = append(one.OAuthAccessTokens, b.OAuthAccessTokens...)
		l, m := &one.LegacyBatch, b.LegacyBatch
		l.Friends = append(l.Friends, m.Friends...)
		l.Bundles = append(l.Bundles, m.Bundles...)
		l.BundleOwnerships = append(l.BundleOwnerships, m.BundleOwnerships...)
		l.Packages = append(l.Packages, m.Packages...)
		l.AssetPrices = append(l.AssetPrices, m.AssetPrices...)
		l.Places = append(l.Places, m.Places...)
		l.PlaceEntries = append(l.PlaceEntries, m.PlaceEntries...)
		l.Favorites = append(l.Favorites, m.Favorites...)
		l.Collections = append(l.Collections, m.Collections...)
		one.LastInstanceID = max(one.LastInstanceID, b.LastInstanceID)
		if b.LastSerials != nil {
			one.LastSerials = b.LastSerials
		}
		maps.Copy(one.Passwords, b.Passwords)
		maps.Copy(one.Secrets, b.Secrets)
	}
	mustNil(t, dst.Import(ctx, one), "Import of the whole export as one batch")
	checkSameExport(t, "export after importing twice", exportAll(t, dst), want)

	// Import keeps what is there: a changed password, secret or key in a
	// later import does not overwrite the stored one.
	changed := store.Batch{
		Passwords: map[int64]string{1: "other hash", 2: "new hash"},
		Secrets:   map[string][]byte{"other": []byte("replaced?"), "new": []byte("new secret")},
	}
	for _, b := range want {
		for _, k := range b.APIKeys {
			k.Name, k.Enabled = "renamed", !k.Enabled
			changed.APIKeys = append(changed.APIKeys, k)
		}
	}
	mustNil(t, dst.Import(ctx, changed), "Import of changed account rows")
	credentials(t, dst, "one", 1, "$argon2id$hash-one")
	credentials(t, dst, "two", 2, "new hash") // none was set: set now
	v, err := dst.Secret(ctx, "other", func() ([]byte, error) { return nil, errors.New("generator called") })
	mustNil(t, err, "Secret")
	if string(v) != "other secret" {
		t.Errorf("Secret(other) after a second import = %q, want the first value", v)
	}
	v, err = dst.Secret(ctx, "new", func() ([]byte, error) { return nil, errors.New("generator called") })
	mustNil(t, err, "Secret")
	if string(v) != "new secret" {
		t.Errorf("Secret(new) = %q, want the imported value", v)
	}
	keys, err := dst.APIKeys(ctx, 0)
	mustNil(t, err, "APIKeys")
	for _, k := range keys {
		if k.Name == "renamed" {
			t.Errorf("import overwrote key %d", k.ID)
		}
	}
}

func testExportUsableAfterImport(t *testing.T, open func(t *testing.T) store.Store) {
	src, dst := open(t), open(t)
	exportFixture(t, src)
	// The newest copy of a serialized asset is revoked before the export:
	// its instance id and serial number must not come back.
	newest := grant(t, src, 3, refOf(inventory.KindAsset, 102))
	if _, err := src.Revoke(ctx, 3, refOf(inventory.KindAsset, 102)); err != nil {
		t.Fatal(err)
	}
	batches := exportAll(t, src)
	importAll(t, dst, batches)

	// Sessions, passwords, keys and secrets work as they did.
	checkSession(t, dst, tokenHash("s1"), now, store.Session{Hash: tokenHash("s1"), UserID: 1, CSRFSecret: []byte{0, 0xff, 1}, Created: now, Expires: now.Add(time.Hour)})
	credentials(t, dst, "one", 1, "$argon2id$hash-one")
	credentials(t, dst, "three", 3, "")
	for _, b := range batches {
		for _, want := range b.APIKeys {
			got, err := dst.APIKeyByHash(ctx, want.Hash)
			mustNil(t, err, "APIKeyByHash")
			checkKey(t, "imported key", got, want)
		}
	}
	checkOAuthUsable(t, dst)
	checkLegacyUsable(t, dst)
	v, err := dst.Secret(ctx, "page-token-hmac-key", func() ([]byte, error) { return nil, errors.New("generator called") })
	mustNil(t, err, "Secret")
	if string(v) != string([]byte{0, 1, 2, 0xfe, 0xff}) {
		t.Errorf("imported secret = %x", v)
	}
	for _, u := range []int64{1, 2, 3} {
		want := list(t, src, u, inventory.Everything, inventory.Start, 100)
		checkItems(t, fmt.Sprintf("user %d listing after import", u), list(t, dst, u, inventory.Everything, inventory.Start, 100), want)
	}

	// New rows get ids past the imported ones: instance ids, serials and
	// key ids are not handed out twice, not even those of revoked copies.
	var maxKey int64
	for _, b := range batches {
		for _, k := range b.APIKeys {
			maxKey = max(maxKey, k.ID)
		}
	}
	it := grant(t, dst, 2, refOf(inventory.KindAsset, 102))
	if it.ID <= newest.ID {
		t.Errorf("Grant after import: instance id %d, want one above the revoked %d", it.ID, newest.ID)
	}
	if it.Collectible == nil || it.Collectible.SerialNumber != newest.Collectible.SerialNumber+1 {
		t.Errorf("Grant after import: %s, want serial %d (the revoked copy had %d)", fmtItem(it),
			newest.Collectible.SerialNumber+1, newest.Collectible.SerialNumber)
	}
	// The source, with the same counters, hands out the same.
	if again := grant(t, src, 2, refOf(inventory.KindAsset, 102)); again.ID > it.ID || again.Collectible.SerialNumber != it.Collectible.SerialNumber {
		t.Errorf("source Grant = %s, destination Grant = %s", fmtItem(again), fmtItem(it))
	}
	id, err := dst.CreateAPIKey(ctx, apikey.Key{OwnerID: 1, Name: "new", Hash: apikey.HashSecret("new"), Enabled: true, Created: now})
	mustNil(t, err, "CreateAPIKey after import")
	if id <= maxKey {
		t.Errorf("CreateAPIKey after import: id %d, want one above %d", id, maxKey)
	}
	// Importing into a store that already has rows of its own keeps both.
	mustNil(t, dst.CreateUser(ctx, user(50, "fifty")), "CreateUser")
	importAll(t, dst, batches)
	if _, err := dst.User(ctx, 50); err != nil {
		t.Errorf("User(50) after another import: %v", err)
	}
}

// testExportManyRows exports more rows than fit in one batch (of any
// reasonable size): the rows split across batches in order, none lost.
func testExportManyRows(t *testing.T, open func(t *testing.T) store.Store) {
	if testing.Short() {
		t.Skip("short mode")
	}
	src, dst := open(t), open(t)
	const users, badges = 120, 600
	var cat store.Batch
	for i := range badges {
		cat.Badges = append(cat.Badges, inventory.Badge{ID: int64(1000 + i), Name: fmt.Sprintf("badge %d", i)})
	}
	mustNil(t, src.Import(ctx, cat), "Import catalog")
	for u := range users {
		b := store.Batch{Users: []inventory.User{user(int64(100+u), fmt.Sprintf("user%d", 100+u))}}
		for i := range badges {
			b.Ownerships = append(b.Ownerships, store.Ownership{UserID: int64(100 + u), Item: inventory.Item{
				Kind: inventory.KindBadge, ID: int64(1000 + (i*7+u)%badges), AddTime: now.Add(time.Duration(i) * time.Millisecond)}})
		}
		mustNil(t, src.Import(ctx, b), "Import")
	}
	want := exportAll(t, src)
	d, _ := dump(want)
	if d["user_badges"].Rows != users*badges || d["users"].Rows != users || d["badges"].Rows != badges {
		t.Fatalf("export: %v", d)
	}
	importAll(t, dst, want)
	checkSameExport(t, "export after import", exportAll(t, dst), want)
}

func testExportCallbackError(t *testing.T, open func(t *testing.T) store.Store) {
	s := open(t)
	exportFixture(t, s)
	stop := errors.New("stop here")
	calls := 0
	err := s.Export(ctx, func(b store.Batch) error {
		calls++
		if calls == 2 {
			return stop
		}
		return nil
	})
	wantErr(t, err, stop, "Export with a failing callback")
	if calls != 2 {
		t.Errorf("Export went on after the callback failed: %d calls", calls)
	}
	// The store is still usable.
	if _, err := s.User(ctx, 1); err != nil {
		t.Errorf("User after a stopped Export: %v", err)
	}
	exportAll(t, s)
}

func testExportImportKeyNeedsID(t *testing.T, open func(t *testing.T) store.Store) {
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

// testExportCoversSchema checks that every table of the store's schema is
// one Export copies: a table added by a migration but not to Export would be
// lost by `invcloud migrate`.
func testExportCoversSchema(t *testing.T, open func(t *testing.T) store.Store) {
	s := open(t)
	tl, ok := s.(store.TableLister)
	if !ok {
		t.Skip("store does not list its tables")
	}
	tables, err := tl.SchemaTables(ctx)
	mustNil(t, err, "SchemaTables")
	if len(tables) < 10 {
		t.Fatalf("SchemaTables = %v: too few", tables)
	}
	if u := store.Uncovered(tables); len(u) > 0 {
		t.Errorf("tables %v are not exported: add them to Batch, Export, Import and store.Tables", u)
	}
}

package storetest

import (
	"crypto/sha256"
	"errors"
	"fmt"
	"maps"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/invcloud/invcloud/internal/account"
	"github.com/invcloud/invcloud/internal/apikey"
	"github.com/invcloud/invcloud/internal/inventory"
	"github.com/invcloud/invcloud/internal/store"
)

// RunAccounts runs the conformance suite of store.AccountStore and of the
// lookups the account pages use (Names, Counts, SetAPIKeyHash), and of the
// administration's (Users, DeleteUser). open is as for Run.
func RunAccounts(t *testing.T, open func(t *testing.T) store.Store) {
	tests := []struct {
		name string
		fn   func(t *testing.T, s store.Store)
	}{
		{"Credentials", testAccountCredentials},
		{"CredentialsCase", testAccountCredentialsCase},
		{"SessionRoundTrip", testAccountSessionRoundTrip},
		{"SessionExpiry", testAccountSessionExpiry},
		{"SessionNotFound", testAccountSessionNotFound},
		{"SessionDelete", testAccountSessionDelete},
		{"Names", testAccountNames},
		{"Counts", testAccountCounts},
		{"SetAPIKeyHash", testAccountSetAPIKeyHash},
		{"Users", testAccountUsers},
		{"DeleteUser", testAccountDeleteUser},
		{"DeleteUserNotFound", testAccountDeleteUserNotFound},
		{"OwnedBounds", testAccountOwnedBounds},
		{"OwnedBoundsConcurrent", testAccountOwnedBoundsConcurrent},
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

func credentials(t *testing.T, s store.Store, name string, wantID int64, wantHash string) {
	t.Helper()
	id, hash, err := s.Credentials(ctx, name)
	mustNil(t, err, fmt.Sprintf("Credentials(%q)", name))
	if id != wantID || hash != wantHash {
		t.Errorf("Credentials(%q) = %d, %q; want %d, %q", name, id, hash, wantID, wantHash)
	}
}

func testAccountCredentials(t *testing.T, s store.Store) {
	mustNil(t, s.CreateUser(ctx, user(1, "Alice")), "CreateUser")
	mustNil(t, s.CreateUser(ctx, user(2, "bob_2")), "CreateUser")

	// No password yet: the user is found, with an empty hash.
	credentials(t, s, "Alice", 1, "")
	credentials(t, s, "bob_2", 2, "")

	const h1 = "$argon2id$v=19$m=65536,t=3,p=2$c2FsdHNhbHQ$aGFzaGhhc2hoYXNo"
	mustNil(t, s.SetPassword(ctx, 1, h1), "SetPassword")
	credentials(t, s, "Alice", 1, h1)
	credentials(t, s, "bob_2", 2, "") // the other user is untouched

	// A new hash replaces the old one.
	mustNil(t, s.SetPassword(ctx, 1, "second"), "SetPassword again")
	credentials(t, s, "Alice", 1, "second")
	mustNil(t, s.SetPassword(ctx, 2, "bobs"), "SetPassword")
	credentials(t, s, "bob_2", 2, "bobs")
	credentials(t, s, "Alice", 1, "second")

	wantErr(t, s.SetPassword(ctx, 42, "x"), store.ErrNotFound, "SetPassword(missing user)")
	for _, name := range []string{"carol", "", "Alic", "Alice ", "bob"} {
		_, _, err := s.Credentials(ctx, name)
		wantErr(t, err, store.ErrNotFound, fmt.Sprintf("Credentials(%q)", name))
	}

	// The password survives other changes to the user.
	mustNil(t, s.SetVisibility(ctx, 1, inventory.VisibilityNoOne), "SetVisibility")
	credentials(t, s, "Alice", 1, "second")
}

func testAccountCredentialsCase(t *testing.T, s store.Store) {
	mustNil(t, s.CreateUser(ctx, user(7, "MixedCase_User")), "CreateUser")
	mustNil(t, s.SetPassword(ctx, 7, "h"), "SetPassword")
	for _, name := range []string{"MixedCase_User", "mixedcase_user", "MIXEDCASE_USER", "mIxEdCaSe_uSeR"} {
		credentials(t, s, name, 7, "h")
	}
	_, _, err := s.Credentials(ctx, "mixedcase-user")
	wantErr(t, err, store.ErrNotFound, "Credentials with '-' for '_'")
}

func tokenHash(s string) account.TokenHash { return sha256.Sum256([]byte(s)) }

func sameSession(a, b store.Session) bool {
	return a.Hash == b.Hash && a.UserID == b.UserID && string(a.CSRFSecret) == string(b.CSRFSecret) &&
		a.Created.Equal(b.Created) && a.Expires.Equal(b.Expires)
}

func checkSession(t *testing.T, s store.Store, h account.TokenHash, at time.Time, want store.Session) {
	t.Helper()
	got, err := s.Session(ctx, h, at)
	mustNil(t, err, "Session")
	if !sameSession(got, want) {
		t.Errorf("Session = %+v, want %+v", got, want)
	}
	checkUTC(t, "Session.Created", got.Created)
	checkUTC(t, "Session.Expires", got.Expires)
}

func testAccountSessionRoundTrip(t *testing.T, s store.Store) {
	createUsers(t, s, 1, 2)
	zone := time.FixedZone("UTC-7", -7*3600)
	sessions := []store.Session{
		{Hash: tokenHash("one"), UserID: 1, CSRFSecret: []byte{0, 1, 2, 0xff, 'x'},
			Created: now.Add(123 * time.Millisecond), Expires: now.Add(30*24*time.Hour + 456*time.Millisecond)},
		// A second session of the same user, with times in another zone.
		{Hash: tokenHash("two"), UserID: 1, CSRFSecret: make([]byte, 32),
			Created: now.In(zone), Expires: now.Add(time.Hour).In(zone)},
		{Hash: tokenHash("three"), UserID: 2, CSRFSecret: []byte("csrf"), Created: now, Expires: now.Add(time.Minute)},
	}
	for _, ss := range sessions {
		mustNil(t, s.CreateSession(ctx, ss), "CreateSession")
	}
	for _, ss := range sessions {
		want := ss
		want.Created, want.Expires = ss.Created.UTC(), ss.Expires.UTC()
		checkSession(t, s, ss.Hash, now, want)
	}
}

func testAccountSessionExpiry(t *testing.T, s store.Store) {
	createUsers(t, s, 1)
	ss := store.Session{Hash: tokenHash("exp"), UserID: 1, CSRFSecret: []byte("k"), Created: now, Expires: now.Add(time.Hour)}
	mustNil(t, s.CreateSession(ctx, ss), "CreateSession")
	checkSession(t, s, ss.Hash, now, ss)
	checkSession(t, s, ss.Hash, ss.Expires.Add(-time.Millisecond), ss)
	for _, at := range []time.Time{ss.Expires, ss.Expires.Add(time.Millisecond), ss.Expires.Add(24 * time.Hour)} {
		_, err := s.Session(ctx, ss.Hash, at)
		wantErr(t, err, store.ErrNotFound, fmt.Sprintf("Session at %s (expires %s)", at, ss.Expires))
	}
	// Expiry hides a session; it does not delete it.
	checkSession(t, s, ss.Hash, now, ss)
}

func testAccountSessionNotFound(t *testing.T, s store.Store) {
	_, err := s.Session(ctx, tokenHash("none"), now)
	wantErr(t, err, store.ErrNotFound, "Session(unknown) in an empty store")
	createUsers(t, s, 1)
	err = s.CreateSession(ctx, store.Session{Hash: tokenHash("orphan"), UserID: 42, CSRFSecret: []byte("k"), Created: now, Expires: now.Add(time.Hour)})
	wantErr(t, err, store.ErrNotFound, "CreateSession for a missing user")
	_, err = s.Session(ctx, tokenHash("orphan"), now)
	wantErr(t, err, store.ErrNotFound, "Session after a refused CreateSession")
	mustNil(t, s.CreateSession(ctx, store.Session{Hash: tokenHash("real"), UserID: 1, CSRFSecret: []byte("k"), Created: now, Expires: now.Add(time.Hour)}), "CreateSession")
	_, err = s.Session(ctx, tokenHash("none"), now)
	wantErr(t, err, store.ErrNotFound, "Session(unknown) beside another session")
	_, err = s.Session(ctx, account.TokenHash{}, now)
	wantErr(t, err, store.ErrNotFound, "Session(zero hash)")
}

func testAccountSessionDelete(t *testing.T, s store.Store) {
	createUsers(t, s, 1)
	a := store.Session{Hash: tokenHash("a"), UserID: 1, CSRFSecret: []byte("a"), Created: now, Expires: now.Add(time.Hour)}
	b := store.Session{Hash: tokenHash("b"), UserID: 1, CSRFSecret: []byte("b"), Created: now, Expires: now.Add(time.Hour)}
	mustNil(t, s.CreateSession(ctx, a), "CreateSession")
	mustNil(t, s.CreateSession(ctx, b), "CreateSession")
	mustNil(t, s.DeleteSession(ctx, a.Hash), "DeleteSession")
	_, err := s.Session(ctx, a.Hash, now)
	wantErr(t, err, store.ErrNotFound, "Session after DeleteSession")
	checkSession(t, s, b.Hash, now, b) // the other session stays
	// Deleting what is not there is not an error: signing out twice is fine.
	mustNil(t, s.DeleteSession(ctx, a.Hash), "DeleteSession again")
	mustNil(t, s.DeleteSession(ctx, tokenHash("never")), "DeleteSession(unknown)")
}

func testAccountNames(t *testing.T, s store.Store) {
	b := store.Batch{
		Assets: []inventory.Asset{
			{ID: 101, Name: "Hat", LegacyType: 8, Created: now},
			{ID: 102, Name: "Ünïcødé — hat", LegacyType: 8, Created: now},
			{ID: 9_000_000_000_001, Name: "", LegacyType: 18, Created: now},
		},
		Badges:         []inventory.Badge{{ID: 201, Name: "Badge one"}, {ID: 202, Name: "Badge two"}},
		GamePasses:     []inventory.GamePass{{ID: 301, Name: "Pass"}},
		PrivateServers: []inventory.PrivateServer{{ID: 401, Name: "Server"}, {ID: 101, Name: "Server with an asset's id"}},
	}
	mustNil(t, s.Import(ctx, b), "Import")
	for _, tt := range []struct {
		name string
		kind inventory.Kind
		ids  []int64
		want map[int64]string
	}{
		{"assets", inventory.KindAsset, []int64{101, 102, 9_000_000_000_001}, map[int64]string{101: "Hat", 102: "Ünïcødé — hat", 9_000_000_000_001: ""}},
		{"assets some unknown", inventory.KindAsset, []int64{999, 101, 201}, map[int64]string{101: "Hat"}},
		{"assets repeated", inventory.KindAsset, []int64{101, 101}, map[int64]string{101: "Hat"}},
		{"assets none known", inventory.KindAsset, []int64{1, 2, 3}, map[int64]string{}},
		{"no ids", inventory.KindAsset, nil, map[int64]string{}},
		{"empty ids", inventory.KindBadge, []int64{}, map[int64]string{}},
		{"badges", inventory.KindBadge, []int64{202, 201, 203}, map[int64]string{201: "Badge one", 202: "Badge two"}},
		{"badge ids are not asset ids", inventory.KindBadge, []int64{101}, map[int64]string{}},
		{"passes", inventory.KindGamePass, []int64{301, 302}, map[int64]string{301: "Pass"}},
		{"servers", inventory.KindPrivateServer, []int64{101, 401, 201}, map[int64]string{101: "Server with an asset's id", 401: "Server"}},
	} {
		t.Run(tt.name, func(t *testing.T) {
			got, err := s.Names(ctx, tt.kind, tt.ids)
			mustNil(t, err, "Names")
			if !maps.Equal(got, tt.want) {
				t.Errorf("Names(%s, %v) = %v, want %v", tt.kind, tt.ids, got, tt.want)
			}
		})
	}
	// A renamed entry reports its new name.
	mustNil(t, s.PutBadge(ctx, inventory.Badge{ID: 201, Name: "Renamed"}), "PutBadge")
	got, err := s.Names(ctx, inventory.KindBadge, []int64{201})
	mustNil(t, err, "Names")
	if got[201] != "Renamed" {
		t.Errorf("Names after rename = %v", got)
	}
}

func testAccountCounts(t *testing.T, s store.Store) {
	zero := map[inventory.Kind]int{inventory.KindAsset: 0, inventory.KindBadge: 0, inventory.KindGamePass: 0, inventory.KindPrivateServer: 0}
	check := func(userID int64, want map[inventory.Kind]int) {
		t.Helper()
		got, err := s.Counts(ctx, userID)
		mustNil(t, err, "Counts")
		if !maps.Equal(got, want) {
			t.Errorf("Counts(%d) = %v, want %v", userID, got, want)
		}
	}
	check(1, zero) // no such user: nothing owned
	user1, user2 := loadFixture(t, s)
	count := func(items []inventory.Item) map[inventory.Kind]int {
		m := maps.Clone(zero)
		for _, it := range items {
			m[it.Kind]++
		}
		return m
	}
	check(1, count(user1))
	check(2, count(user2))
	check(3, zero)
	check(99, zero)
	// Grants and revokes move the counts; collectible copies count one each.
	g := grant(t, s, 3, refOf(inventory.KindAsset, 102))
	grant(t, s, 3, refOf(inventory.KindAsset, 102))
	grant(t, s, 3, refOf(inventory.KindBadge, 202))
	check(3, map[inventory.Kind]int{inventory.KindAsset: 2, inventory.KindBadge: 1, inventory.KindGamePass: 0, inventory.KindPrivateServer: 0})
	if _, err := s.Revoke(ctx, 3, refOf(inventory.KindAsset, g.AssetID)); err != nil {
		t.Fatal(err)
	}
	check(3, map[inventory.Kind]int{inventory.KindAsset: 0, inventory.KindBadge: 1, inventory.KindGamePass: 0, inventory.KindPrivateServer: 0})
	check(1, count(user1))
}

func testAccountSetAPIKeyHash(t *testing.T, s store.Store) {
	keys := createKeys(t, s)
	fresh := apikey.HashSecret("regenerated")
	mustNil(t, s.SetAPIKeyHash(ctx, keys[0].ID, fresh), "SetAPIKeyHash")
	_, err := s.APIKeyByHash(ctx, keys[0].Hash)
	wantErr(t, err, store.ErrNotFound, "APIKeyByHash(old hash)")
	got, err := s.APIKeyByHash(ctx, fresh)
	mustNil(t, err, "APIKeyByHash(new hash)")
	want := keys[0]
	want.Hash = fresh
	checkKey(t, "key after SetAPIKeyHash", got, want) // nothing else changed
	for _, k := range keys[1:] {
		got, err := s.APIKeyByHash(ctx, k.Hash)
		mustNil(t, err, "APIKeyByHash(other key)")
		checkKey(t, "other key", got, k)
	}
	// Regenerating again replaces the regenerated secret.
	again := apikey.HashSecret("again")
	mustNil(t, s.SetAPIKeyHash(ctx, keys[0].ID, again), "SetAPIKeyHash again")
	_, err = s.APIKeyByHash(ctx, fresh)
	wantErr(t, err, store.ErrNotFound, "APIKeyByHash(first new hash)")
	got, err = s.APIKeyByHash(ctx, again)
	mustNil(t, err, "APIKeyByHash(second new hash)")
	if got.ID != keys[0].ID {
		t.Errorf("second new hash finds key %d, want %d", got.ID, keys[0].ID)
	}
	// A hash held by another key is refused, and changes nothing.
	if err := s.SetAPIKeyHash(ctx, keys[0].ID, keys[1].Hash); err == nil {
		t.Errorf("SetAPIKeyHash to another key's hash succeeded")
	}
	got, err = s.APIKeyByHash(ctx, keys[1].Hash)
	mustNil(t, err, "APIKeyByHash(other key)")
	checkKey(t, "other key after a refused SetAPIKeyHash", got, keys[1])

	wantErr(t, s.SetAPIKeyHash(ctx, 1<<40, apikey.HashSecret("x")), store.ErrNotFound, "SetAPIKeyHash(missing)")
	mustNil(t, s.DeleteAPIKey(ctx, keys[2].ID), "DeleteAPIKey")
	wantErr(t, s.SetAPIKeyHash(ctx, keys[2].ID, apikey.HashSecret("y")), store.ErrNotFound, "SetAPIKeyHash(deleted)")
}

// ---- administration: users, deletion, catalog listing, GrantAll ----

func userIDs(us []inventory.User) []int64 {
	ids := make([]int64, len(us))
	for i, u := range us {
		ids[i] = u.ID
	}
	return ids
}

func testAccountUsers(t *testing.T, s store.Store) {
	got, err := s.Users(ctx, 0, 10)
	mustNil(t, err, "Users on an empty store")
	if len(got) != 0 {
		t.Fatalf("Users on an empty store = %v", got)
	}
	for _, id := range []int64{5, 1, 9_000_000_000, 3} {
		u := user(id, fmt.Sprintf("user%d", id))
		u.Visibility = inventory.VisibilityFriends
		u.Created = now.Add(time.Duration(id%7) * time.Hour)
		mustNil(t, s.CreateUser(ctx, u), "CreateUser")
	}
	for _, tt := range []struct {
		name         string
		after        int64
		limit        int
		want         []int64
		wantFullRows bool
	}{
		{"all", 0, 10, []int64{1, 3, 5, 9_000_000_000}, true},
		{"limit", 0, 2, []int64{1, 3}, false},
		{"after", 1, 2, []int64{3, 5}, false},
		{"after a gap", 4, 10, []int64{5, 9_000_000_000}, false},
		{"after the last", 9_000_000_000, 10, []int64{}, false},
	} {
		t.Run(tt.name, func(t *testing.T) {
			got, err := s.Users(ctx, tt.after, tt.limit)
			mustNil(t, err, "Users")
			if ids := userIDs(got); !slices.Equal(ids, tt.want) {
				t.Fatalf("Users(%d, %d) = %v, want %v", tt.after, tt.limit, ids, tt.want)
			}
			if !tt.wantFullRows {
				return
			}
			for _, u := range got {
				want, err := s.User(ctx, u.ID)
				mustNil(t, err, "User")
				checkUTC(t, "Created", u.Created)
				if u != want || u.Visibility != inventory.VisibilityFriends || u.DisplayName != "Display "+u.Name {
					t.Errorf("Users row %+v, User %+v", u, want)
				}
			}
		})
	}
}

// deletionFixture makes user 1 own items, keys, a session, an app that
// user 2 authorized, an authorization of user 2's app, friends and a
// collection; users 2 and 3 have rows of their own.
func deletionFixture(t *testing.T, s store.Store) {
	t.Helper()
	createUsers(t, s, 1, 2, 3)
	mustNil(t, s.PutAsset(ctx, inventory.Asset{ID: 10, Name: "Hat", LegacyType: 8, Created: now}), "PutAsset")
	mustNil(t, s.PutAsset(ctx, inventory.Asset{ID: 11, Name: "Limited", LegacyType: 8, Collectible: true,
		CollectibleItemID: inventory.NewUUID(), Serialized: true, Created: now}), "PutAsset")
	mustNil(t, s.PutBadge(ctx, inventory.Badge{ID: 20, Name: "b"}), "PutBadge")
	mustNil(t, s.PutGamePass(ctx, inventory.GamePass{ID: 30, Name: "p"}), "PutGamePass")
	for _, r := range []inventory.Ref{refOf(inventory.KindAsset, 10), refOf(inventory.KindAsset, 11), refOf(inventory.KindAsset, 11),
		refOf(inventory.KindBadge, 20), refOf(inventory.KindGamePass, 30)} {
		grant(t, s, 1, r)
	}
	grant(t, s, 2, refOf(inventory.KindAsset, 11))
	grant(t, s, 2, refOf(inventory.KindBadge, 20))
	for i, owner := range []int64{1, 1, 2} {
		_, err := s.CreateAPIKey(ctx, apikey.Key{OwnerID: owner, Name: "k", Hash: apikey.HashSecret(fmt.Sprintf("key-%d", i)), Enabled: true, Created: now})
		mustNil(t, err, "CreateAPIKey")
	}
	for _, u := range []int64{1, 2} {
		mustNil(t, s.CreateSession(ctx, store.Session{Hash: tokenHash(fmt.Sprint("session-", u)), UserID: u,
			CSRFSecret: []byte("csrf"), Created: now, Expires: now.Add(time.Hour)}), "CreateSession")
	}
	mustNil(t, s.CreateOAuthApp(ctx, oauthApp("100", 1)), "CreateOAuthApp")
	mustNil(t, s.CreateOAuthApp(ctx, oauthApp("200", 2)), "CreateOAuthApp")
	for _, a := range []struct {
		req, client string
		user        int64
	}{{"r1", "100", 2}, {"r2", "200", 1}, {"r3", "200", 3}} {
		mustNil(t, s.CreateOAuthRequest(ctx, oauthRequest(a.req, a.client)), "CreateOAuthRequest")
		_, err := s.ApproveOAuthRequest(ctx, a.req, a.user, now, now, "auth-"+a.req)
		mustNil(t, err, "ApproveOAuthRequest")
	}
	mustNil(t, s.AddFriend(ctx, 1, 2, now), "AddFriend")
	mustNil(t, s.AddFriend(ctx, 1, 3, now), "AddFriend")
	mustNil(t, s.AddFriend(ctx, 2, 3, now), "AddFriend")
	mustNil(t, s.AddToCollection(ctx, 1, inventory.ItemRef{Type: inventory.ItemAsset, ID: 10}, 6, now), "AddToCollection")
}

func testAccountDeleteUser(t *testing.T, s store.Store) {
	deletionFixture(t, s)
	d, err := s.DeleteUser(ctx, 1)
	mustNil(t, err, "DeleteUser")
	want := store.UserDeletion{Items: 5, APIKeys: 2, Sessions: 1, OAuthApps: 1, OAuthAuthorizations: 2, Friends: 2}
	if d != want {
		t.Errorf("DeleteUser = %+v, want %+v", d, want)
	}

	_, err = s.User(ctx, 1)
	wantErr(t, err, store.ErrNotFound, "User after DeleteUser")
	_, _, err = s.Credentials(ctx, "user1")
	wantErr(t, err, store.ErrNotFound, "Credentials after DeleteUser")
	_, err = s.DeleteUser(ctx, 1)
	wantErr(t, err, store.ErrNotFound, "DeleteUser twice")
	us, err := s.Users(ctx, 0, 10)
	mustNil(t, err, "Users")
	if ids := userIDs(us); !slices.Equal(ids, []int64{2, 3}) {
		t.Errorf("Users after DeleteUser = %v", ids)
	}

	// The user's rows are gone...
	keys, err := s.APIKeys(ctx, 0)
	mustNil(t, err, "APIKeys")
	if len(keys) != 1 || keys[0].OwnerID != 2 {
		t.Errorf("API keys after DeleteUser: %v", keys)
	}
	_, err = s.Session(ctx, tokenHash("session-1"), now)
	wantErr(t, err, store.ErrNotFound, "session of a deleted user")
	_, err = s.OAuthApp(ctx, "100")
	wantErr(t, err, store.ErrNotFound, "app of a deleted user")
	_, err = s.OAuthAuthorization(ctx, "auth-r1")
	wantErr(t, err, store.ErrNotFound, "another user's authorization of the deleted user's app")
	_, err = s.OAuthAuthorization(ctx, "auth-r2")
	wantErr(t, err, store.ErrNotFound, "the deleted user's authorization")
	if got := list(t, s, 1, inventory.Everything, inventory.Start, 100); len(got) != 0 {
		t.Errorf("inventory of a deleted user: %s", fmtItems(got))
	}
	coll, err := s.Collection(ctx, 1)
	mustNil(t, err, "Collection")
	if len(coll) != 0 {
		t.Errorf("collection of a deleted user: %v", coll)
	}
	// ...and the others' are not.
	for u, want := range map[int64][]int64{2: {3}, 3: {2}} {
		got, err := s.Friends(ctx, u)
		mustNil(t, err, "Friends")
		if !slices.Equal(got, want) {
			t.Errorf("Friends(%d) = %v, want %v", u, got, want)
		}
	}
	_, err = s.Session(ctx, tokenHash("session-2"), now)
	mustNil(t, err, "another user's session")
	_, err = s.OAuthApp(ctx, "200")
	mustNil(t, err, "another user's app")
	_, err = s.OAuthAuthorization(ctx, "auth-r3")
	mustNil(t, err, "another user's authorization")
	if got := list(t, s, 2, inventory.Everything, inventory.Start, 100); len(got) != 2 {
		t.Errorf("inventory of user 2: %s", fmtItems(got))
	}
	// The catalog stays, and a serial is never handed out twice.
	it := grant(t, s, 2, refOf(inventory.KindAsset, 11))
	if it.Collectible == nil || it.Collectible.SerialNumber != 4 {
		t.Errorf("next serial after a deletion: %+v, want 4", it.Collectible)
	}
	// The id can be used again, and starts empty.
	createUsers(t, s, 1)
	if got := list(t, s, 1, inventory.Everything, inventory.Start, 100); len(got) != 0 {
		t.Errorf("inventory of a re-created user: %s", fmtItems(got))
	}
}

func testAccountDeleteUserNotFound(t *testing.T, s store.Store) {
	createUsers(t, s, 1)
	_, err := s.DeleteUser(ctx, 2)
	wantErr(t, err, store.ErrNotFound, "DeleteUser(missing)")
	_, err = s.User(ctx, 1)
	mustNil(t, err, "other user after a refused DeleteUser")
}

func testCatalogItems(t *testing.T, s store.Store) {
	collID := inventory.NewUUID()
	b := store.Batch{
		Assets: []inventory.Asset{
			{ID: 30, Name: "Place", LegacyType: inventory.LegacyPlace, CreatorID: 7, Created: now},
			{ID: 10, Name: "Hat", LegacyType: 8, Created: now.Add(time.Hour)},
			{ID: 20, Name: "Limited", LegacyType: 8, Collectible: true, CollectibleItemID: collID, Serialized: true, Created: now},
		},
		Badges:         []inventory.Badge{{ID: 10, Name: "Badge", UniverseID: 5}},
		GamePasses:     []inventory.GamePass{{ID: 3, Name: "Pass", UniverseID: 6}, {ID: 1, Name: "Pass one"}},
		PrivateServers: []inventory.PrivateServer{{ID: 4, Name: "Server", UniverseID: 7}},
	}
	mustNil(t, s.Import(ctx, b), "Import")
	asset := func(a inventory.Asset) store.CatalogItem {
		return store.CatalogItem{Ref: refOf(inventory.KindAsset, a.ID), Name: a.Name, Asset: a}
	}
	named := func(k inventory.Kind, id int64, name string, universe int64) store.CatalogItem {
		return store.CatalogItem{Ref: refOf(k, id), Name: name, UniverseID: universe}
	}
	hat, limited, place := asset(b.Assets[1]), asset(b.Assets[2]), asset(b.Assets[0])
	for _, tt := range []struct {
		name  string
		kind  inventory.Kind
		after int64
		limit int
		want  []store.CatalogItem
	}{
		{"assets", inventory.KindAsset, 0, 10, []store.CatalogItem{hat, limited, place}},
		{"assets limit", inventory.KindAsset, 0, 2, []store.CatalogItem{hat, limited}},
		{"assets after", inventory.KindAsset, 10, 10, []store.CatalogItem{limited, place}},
		{"assets after the last", inventory.KindAsset, 30, 10, nil},
		{"badges", inventory.KindBadge, 0, 10, []store.CatalogItem{named(inventory.KindBadge, 10, "Badge", 5)}},
		{"passes", inventory.KindGamePass, 0, 10, []store.CatalogItem{named(inventory.KindGamePass, 1, "Pass one", 0), named(inventory.KindGamePass, 3, "Pass", 6)}},
		{"servers", inventory.KindPrivateServer, 0, 10, []store.CatalogItem{named(inventory.KindPrivateServer, 4, "Server", 7)}},
	} {
		t.Run(tt.name, func(t *testing.T) {
			got, err := s.CatalogItems(ctx, tt.kind, tt.after, tt.limit)
			mustNil(t, err, "CatalogItems")
			if !slices.EqualFunc(got, tt.want, sameCatalogItem) {
				t.Errorf("CatalogItems(%s, %d, %d) =\n%+v\nwant\n%+v", tt.kind, tt.after, tt.limit, got, tt.want)
			}
			for _, c := range tt.want {
				one, err := s.CatalogItem(ctx, c.Ref)
				mustNil(t, err, "CatalogItem")
				if !sameCatalogItem(one, c) {
					t.Errorf("CatalogItem(%s) = %+v, want %+v", c.Ref, one, c)
				}
			}
		})
	}
	for _, r := range []inventory.Ref{refOf(inventory.KindAsset, 11), refOf(inventory.KindBadge, 20), refOf(inventory.KindGamePass, 4), refOf(inventory.KindPrivateServer, 3)} {
		_, err := s.CatalogItem(ctx, r)
		wantErr(t, err, store.ErrNotFound, fmt.Sprintf("CatalogItem(%s)", r))
	}
}

func sameCatalogItem(a, b store.CatalogItem) bool {
	return a.Ref == b.Ref && a.Name == b.Name && a.UniverseID == b.UniverseID && sameAsset(a.Asset, b.Asset) &&
		a.Asset.Created.Location() == time.UTC
}

func testGrantAll(t *testing.T, s store.Store) {
	createUsers(t, s, 1, 2)
	mustNil(t, s.PutAsset(ctx, inventory.Asset{ID: 10, Name: "Hat", LegacyType: 8, Created: now}), "PutAsset")
	mustNil(t, s.PutAsset(ctx, inventory.Asset{ID: 11, Name: "Limited", LegacyType: 8, Collectible: true,
		CollectibleItemID: inventory.NewUUID(), Serialized: true, Created: now}), "PutAsset")
	mustNil(t, s.PutBadge(ctx, inventory.Badge{ID: 20, Name: "b"}), "PutBadge")
	mustNil(t, s.PutBadge(ctx, inventory.Badge{ID: 21, Name: "b2"}), "PutBadge")
	mustNil(t, s.PutGamePass(ctx, inventory.GamePass{ID: 30, Name: "p"}), "PutGamePass")

	refs := []inventory.Ref{refOf(inventory.KindBadge, 20), refOf(inventory.KindAsset, 11), refOf(inventory.KindAsset, 10), refOf(inventory.KindAsset, 11)}
	items, err := s.GrantAll(ctx, 1, refs, now)
	mustNil(t, err, "GrantAll")
	if len(items) != len(refs) {
		t.Fatalf("GrantAll returned %d items for %d refs", len(items), len(refs))
	}
	for i, it := range items {
		id := it.ID
		if it.Kind == inventory.KindAsset {
			id = it.AssetID
		}
		if it.Kind != refs[i].Kind || id != refs[i].ID || !it.AddTime.Equal(now) {
			t.Errorf("item %d = %s, want %s", i, fmtItem(it), refs[i])
		}
	}
	if items[1].Collectible == nil || items[1].Collectible.SerialNumber != 1 || items[3].Collectible.SerialNumber != 2 {
		t.Errorf("serials of two copies in one GrantAll: %s", fmtItems(items))
	}
	before := list(t, s, 1, inventory.Everything, inventory.Start, 100)
	if len(before) != 4 {
		t.Fatalf("listing after GrantAll: %s", fmtItems(before))
	}

	empty, err := s.GrantAll(ctx, 1, nil, now)
	mustNil(t, err, "GrantAll(no refs)")
	if len(empty) != 0 {
		t.Errorf("GrantAll(no refs) = %s", fmtItems(empty))
	}

	// All or nothing: a failing ref undoes the refs before it.
	for _, tt := range []struct {
		name   string
		user   int64
		refs   []inventory.Ref
		target error
		names  string // the error names this
	}{
		{"unknown asset", 1, []inventory.Ref{refOf(inventory.KindBadge, 21), refOf(inventory.KindAsset, 11), refOf(inventory.KindAsset, 999)}, store.ErrNotFound, "asset:999"},
		{"unknown pass", 1, []inventory.Ref{refOf(inventory.KindAsset, 11), refOf(inventory.KindGamePass, 31)}, store.ErrNotFound, "gamepass:31"},
		{"owned already", 1, []inventory.Ref{refOf(inventory.KindAsset, 11), refOf(inventory.KindGamePass, 30), refOf(inventory.KindAsset, 10)}, store.ErrExists, "asset:10"},
		{"twice in one call", 1, []inventory.Ref{refOf(inventory.KindBadge, 21), refOf(inventory.KindBadge, 21)}, store.ErrExists, "badge:21"},
		{"unknown user", 3, []inventory.Ref{refOf(inventory.KindBadge, 21)}, store.ErrNotFound, "user 3"},
	} {
		t.Run(tt.name, func(t *testing.T) {
			_, err := s.GrantAll(ctx, tt.user, tt.refs, now)
			wantErr(t, err, tt.target, "GrantAll")
			if !strings.Contains(err.Error(), tt.names) {
				t.Errorf("GrantAll error %q does not name %s", err, tt.names)
			}
			checkItems(t, "listing after a failed GrantAll", list(t, s, 1, inventory.Everything, inventory.Start, 100), before)
		})
	}
	// A failed GrantAll hands out no serial number.
	it := grant(t, s, 2, refOf(inventory.KindAsset, 11))
	if it.Collectible.SerialNumber != 3 {
		t.Errorf("serial after failed GrantAlls = %d, want 3", it.Collectible.SerialNumber)
	}
}

// A user's API keys and OAuth apps are bounded: anyone signed in can add
// them, and each is a stored row.
func testAccountOwnedBounds(t *testing.T, s store.Store) {
	createUsers(t, s, 1, 2)
	for i := range apikey.MaxPerUser {
		_, err := s.CreateAPIKey(ctx, boundKey(1, i))
		mustNil(t, err, fmt.Sprintf("CreateAPIKey %d", i))
	}
	_, err := s.CreateAPIKey(ctx, boundKey(1, apikey.MaxPerUser))
	wantErr(t, err, store.ErrFull, "CreateAPIKey past the bound")
	keys, err := s.APIKeys(ctx, 1)
	mustNil(t, err, "APIKeys")
	if len(keys) != apikey.MaxPerUser {
		t.Errorf("user 1 has %d keys, want %d", len(keys), apikey.MaxPerUser)
	}
	_, err = s.CreateAPIKey(ctx, boundKey(2, 0))
	mustNil(t, err, "CreateAPIKey for another user")
	mustNil(t, s.DeleteAPIKey(ctx, keys[0].ID), "DeleteAPIKey")
	_, err = s.CreateAPIKey(ctx, boundKey(1, apikey.MaxPerUser+1))
	mustNil(t, err, "CreateAPIKey after a delete")

	for i := range store.MaxOAuthAppsPerOwner {
		mustNil(t, s.CreateOAuthApp(ctx, boundApp(1, i)), fmt.Sprintf("CreateOAuthApp %d", i))
	}
	wantErr(t, s.CreateOAuthApp(ctx, boundApp(1, store.MaxOAuthAppsPerOwner)), store.ErrFull, "CreateOAuthApp past the bound")
	mustNil(t, s.CreateOAuthApp(ctx, boundApp(2, 0)), "CreateOAuthApp for another user")
	_, err = s.CreateAPIKey(ctx, boundKey(42, 0))
	wantErr(t, err, store.ErrNotFound, "CreateAPIKey for a missing user")
	wantErr(t, s.CreateOAuthApp(ctx, boundApp(42, 0)), store.ErrNotFound, "CreateOAuthApp for a missing user")
}

// Creations racing for the last places: exactly as many succeed as there
// is room (only PostgreSQL can notice a missing row lock here).
func testAccountOwnedBoundsConcurrent(t *testing.T, s store.Store) {
	createUsers(t, s, 1)
	const room, racers = 3, 8
	for i := range apikey.MaxPerUser - room {
		_, err := s.CreateAPIKey(ctx, boundKey(1, i))
		mustNil(t, err, "CreateAPIKey")
	}
	var wg sync.WaitGroup
	errs := make([]error, racers)
	for i := range racers {
		wg.Go(func() { _, errs[i] = s.CreateAPIKey(ctx, boundKey(1, 1000+i)) })
	}
	wg.Wait()
	ok := 0
	for _, err := range errs {
		switch {
		case err == nil:
			ok++
		case !errors.Is(err, store.ErrFull):
			t.Errorf("racing CreateAPIKey: %v, want nil or ErrFull", err)
		}
	}
	keys, err := s.APIKeys(ctx, 1)
	mustNil(t, err, "APIKeys")
	if ok != room || len(keys) != apikey.MaxPerUser {
		t.Errorf("%d racing creations succeeded and user 1 has %d keys, want %d and %d", ok, len(keys), room, apikey.MaxPerUser)
	}
}

func boundKey(owner int64, i int) apikey.Key {
	return apikey.Key{OwnerID: owner, Name: fmt.Sprintf("key %d", i), Hash: apikey.HashSecret(fmt.Sprintf("bound-%d-%d", owner, i)),
		Enabled: true, Created: now}
}

func boundApp(owner int64, i int) store.OAuthApp {
	return store.OAuthApp{ClientID: fmt.Sprintf("bound-%d-%d", owner, i), Name: fmt.Sprintf("App %d", i), OwnerID: owner,
		RedirectURIs: []string{"https://example.com/cb"}, Scopes: []string{"openid"}, Public: true, Created: now}
}

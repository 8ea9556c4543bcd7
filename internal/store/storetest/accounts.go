package storetest

import (
	"crypto/sha256"
	"fmt"
	"maps"
	"testing"
	"time"

	"github.com/invcloud/invcloud/internal/account"
	"github.com/invcloud/invcloud/internal/apikey"
	"github.com/invcloud/invcloud/internal/inventory"
	"github.com/invcloud/invcloud/internal/store"
)

// RunAccounts runs the conformance suite of store.AccountStore and of the
// lookups the account pages use (Names, Counts, SetAPIKeyHash). open is as
// for Run.
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

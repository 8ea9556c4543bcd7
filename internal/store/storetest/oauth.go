package storetest

import (
	"errors"
	"fmt"
	"slices"
	"sync"
	"testing"
	"time"

	"github.com/invcloud/invcloud/internal/store"
)

// RunOAuth runs the OAuthStore part of the conformance suite. open must
// return a fresh, empty store for each call.
func RunOAuth(t *testing.T, open func(t *testing.T) store.Store) {
	tests := []struct {
		name string
		fn   func(t *testing.T, s store.Store)
	}{
		{"AppRoundTrip", testOAuthAppRoundTrip},
		{"AppErrors", testOAuthAppErrors},
		{"AppSecretAndDelete", testOAuthAppSecretAndDelete},
		{"RequestLifecycle", testOAuthRequestLifecycle},
		{"RequestExpiry", testOAuthRequestExpiry},
		{"RequestLimits", testOAuthRequestLimits},
		{"RequestLimitsConcurrent", testOAuthRequestLimitsConcurrent},
		{"ApproveMergesScopes", testOAuthApproveMergesScopes},
		{"ApproveConcurrent", testOAuthApproveConcurrent},
		{"CodeSingleUse", testOAuthCodeSingleUse},
		{"CodeExpiry", testOAuthCodeExpiry},
		{"CodeConcurrent", testOAuthCodeConcurrent},
		{"CodeAfterRevokedAuthorization", testOAuthCodeAfterRevokedAuthorization},
		{"RefreshRotation", testOAuthRefreshRotation},
		{"RefreshConcurrent", testOAuthRefreshConcurrent},
		{"AccessToken", testOAuthAccessToken},
		{"RevokeAuthorization", testOAuthRevokeAuthorization},
		{"DeleteAppCascades", testOAuthDeleteAppCascades},
		{"Purge", testOAuthPurge},
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

func oauthApp(clientID string, owner int64) store.OAuthApp {
	return store.OAuthApp{
		ClientID: clientID, SecretHash: store.HashOAuthSecret("secret-" + clientID), Name: "App " + clientID, OwnerID: owner,
		RedirectURIs: []string{"https://app.example/cb", "http://localhost:8081/cb", "com.example.app:/cb"},
		Scopes:       []string{"openid", "profile", "user.inventory-item:read"}, Created: now,
	}
}

func sameOAuthApp(a, b store.OAuthApp) bool {
	return a.ClientID == b.ClientID && a.SecretHash == b.SecretHash && a.Name == b.Name && a.OwnerID == b.OwnerID &&
		slices.Equal(a.RedirectURIs, b.RedirectURIs) && slices.Equal(a.Scopes, b.Scopes) && a.Public == b.Public && a.Created.Equal(b.Created)
}

func oauthRequest(id, clientID string) store.OAuthRequest {
	return store.OAuthRequest{
		ID: id, ClientID: clientID, RedirectURI: "https://app.example/cb", Scopes: []string{"openid", "user.inventory-item:read"},
		ResponseType: "code", State: "st", Nonce: "n0nce", Prompt: []string{"login", "consent"},
		CodeChallenge: "E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM", CodeChallengeMethod: "S256",
		Created: now, Expires: now.Add(30 * time.Minute),
	}
}

// approvedCode creates app "100" for user 1 with a request approved by
// user 1 and holding the code "code-<id>"; it returns the request.
func approvedCode(t *testing.T, s store.Store, id string) store.OAuthRequest {
	t.Helper()
	if _, err := s.OAuthApp(ctx, "100"); err != nil {
		createUsers(t, s, 1)
		mustNil(t, s.CreateOAuthApp(ctx, oauthApp("100", 1)), "CreateOAuthApp")
	}
	mustNil(t, s.CreateOAuthRequest(ctx, oauthRequest(id, "100")), "CreateOAuthRequest")
	r, err := s.ApproveOAuthRequest(ctx, id, 1, now, now, "auth-"+id)
	mustNil(t, err, "ApproveOAuthRequest")
	mustNil(t, s.SetOAuthCode(ctx, id, store.HashOAuthSecret("code-"+id), now.Add(time.Minute)), "SetOAuthCode")
	return r
}

func session(id string) store.OAuthSession {
	return store.OAuthSession{ID: id, Scopes: []string{"openid", "user.inventory-item:read"}, Created: now}
}

func refreshToken(secret, sessionID string, created time.Time) store.OAuthRefreshToken {
	return store.OAuthRefreshToken{Hash: store.HashOAuthSecret(secret), ID: "RT." + secret, SessionID: sessionID,
		Created: created, Expires: created.Add(90 * 24 * time.Hour)}
}

// redeemed returns a live session "s-<id>" started from a fresh code.
func redeemed(t *testing.T, s store.Store, id string) store.OAuthRequest {
	t.Helper()
	approvedCode(t, s, id)
	r, err := s.RedeemOAuthCode(ctx, store.HashOAuthSecret("code-"+id), session("s-"+id), now.Add(time.Second))
	mustNil(t, err, "RedeemOAuthCode")
	return r
}

func testOAuthAppRoundTrip(t *testing.T, s store.Store) {
	createUsers(t, s, 1, 2)
	a := oauthApp("100", 1)
	pub := oauthApp("200", 2)
	pub.SecretHash, pub.Public = store.OAuthHash{}, true
	b := oauthApp("300", 1)
	b.Created = now.Add(time.Hour)
	for _, app := range []store.OAuthApp{a, pub, b} {
		mustNil(t, s.CreateOAuthApp(ctx, app), "CreateOAuthApp "+app.ClientID)
	}
	for _, want := range []store.OAuthApp{a, pub, b} {
		got, err := s.OAuthApp(ctx, want.ClientID)
		mustNil(t, err, "OAuthApp")
		if !sameOAuthApp(got, want) {
			t.Errorf("OAuthApp(%s) = %+v, want %+v", want.ClientID, got, want)
		}
		checkUTC(t, "OAuthApp.Created", got.Created)
	}
	ids := func(apps []store.OAuthApp) (out []string) {
		for _, a := range apps {
			out = append(out, a.ClientID)
		}
		return out
	}
	mine, err := s.OAuthApps(ctx, 1)
	mustNil(t, err, "OAuthApps(1)")
	if got := ids(mine); !slices.Equal(got, []string{"100", "300"}) {
		t.Errorf("OAuthApps(1) = %v, want [100 300]", got)
	}
	all, err := s.OAuthApps(ctx, 0)
	mustNil(t, err, "OAuthApps(0)")
	if got := ids(all); !slices.Equal(got, []string{"100", "200", "300"}) {
		t.Errorf("OAuthApps(0) = %v, want [100 200 300]", got)
	}
	none, err := s.OAuthApps(ctx, 2_000)
	mustNil(t, err, "OAuthApps(2000)")
	if len(none) != 0 {
		t.Errorf("OAuthApps(unknown owner) = %v", none)
	}
}

func testOAuthAppErrors(t *testing.T, s store.Store) {
	wantErr(t, s.CreateOAuthApp(ctx, oauthApp("100", 1)), store.ErrNotFound, "CreateOAuthApp for an unknown owner")
	createUsers(t, s, 1)
	mustNil(t, s.CreateOAuthApp(ctx, oauthApp("100", 1)), "CreateOAuthApp")
	wantErr(t, s.CreateOAuthApp(ctx, oauthApp("100", 1)), store.ErrExists, "CreateOAuthApp twice")
	_, err := s.OAuthApp(ctx, "101")
	wantErr(t, err, store.ErrNotFound, "OAuthApp(unknown)")
	wantErr(t, s.SetOAuthAppSecret(ctx, "101", store.HashOAuthSecret("x")), store.ErrNotFound, "SetOAuthAppSecret(unknown)")
	wantErr(t, s.DeleteOAuthApp(ctx, "101"), store.ErrNotFound, "DeleteOAuthApp(unknown)")
	wantErr(t, s.CreateOAuthRequest(ctx, oauthRequest("r", "101")), store.ErrNotFound, "CreateOAuthRequest for an unknown app")
}

func testOAuthAppSecretAndDelete(t *testing.T, s store.Store) {
	createUsers(t, s, 1)
	mustNil(t, s.CreateOAuthApp(ctx, oauthApp("100", 1)), "CreateOAuthApp")
	h := store.HashOAuthSecret("new secret")
	mustNil(t, s.SetOAuthAppSecret(ctx, "100", h), "SetOAuthAppSecret")
	a, err := s.OAuthApp(ctx, "100")
	mustNil(t, err, "OAuthApp")
	if a.SecretHash != h {
		t.Errorf("secret hash not replaced")
	}
	mustNil(t, s.DeleteOAuthApp(ctx, "100"), "DeleteOAuthApp")
	_, err = s.OAuthApp(ctx, "100")
	wantErr(t, err, store.ErrNotFound, "OAuthApp after delete")
}

func testOAuthRequestLifecycle(t *testing.T, s store.Store) {
	createUsers(t, s, 1)
	mustNil(t, s.CreateOAuthApp(ctx, oauthApp("100", 1)), "CreateOAuthApp")
	want := oauthRequest("req-1", "100")
	mustNil(t, s.CreateOAuthRequest(ctx, want), "CreateOAuthRequest")
	wantErr(t, s.CreateOAuthRequest(ctx, want), store.ErrExists, "CreateOAuthRequest twice")
	got, err := s.OAuthRequest(ctx, "req-1", now)
	mustNil(t, err, "OAuthRequest")
	if got.ID != want.ID || got.ClientID != want.ClientID || got.RedirectURI != want.RedirectURI || !slices.Equal(got.Scopes, want.Scopes) ||
		got.ResponseType != want.ResponseType || got.State != want.State || got.Nonce != want.Nonce || !slices.Equal(got.Prompt, want.Prompt) ||
		got.CodeChallenge != want.CodeChallenge || got.CodeChallengeMethod != want.CodeChallengeMethod ||
		!got.Created.Equal(want.Created) || !got.Expires.Equal(want.Expires) || got.Approved() {
		t.Errorf("OAuthRequest = %+v, want %+v", got, want)
	}

	// A code cannot be attached before approval.
	wantErr(t, s.SetOAuthCode(ctx, "req-1", store.HashOAuthSecret("c"), now.Add(time.Minute)), store.ErrNotFound, "SetOAuthCode before approval")
	_, err = s.ApproveOAuthRequest(ctx, "req-1", 99, now, now, "auth-1")
	wantErr(t, err, store.ErrNotFound, "ApproveOAuthRequest by an unknown user")

	authTime := now.Add(-time.Hour)
	got, err = s.ApproveOAuthRequest(ctx, "req-1", 1, authTime, now, "auth-1")
	mustNil(t, err, "ApproveOAuthRequest")
	if got.UserID != 1 || !got.AuthTime.Equal(authTime) || got.AuthorizationID != "auth-1" || !got.Approved() {
		t.Errorf("approved request = %+v", got)
	}
	_, err = s.ApproveOAuthRequest(ctx, "req-1", 1, now, now, "auth-2")
	wantErr(t, err, store.ErrNotFound, "ApproveOAuthRequest twice")
	a, err := s.OAuthAuthorization(ctx, "auth-1")
	mustNil(t, err, "OAuthAuthorization")
	if a.UserID != 1 || a.ClientID != "100" || !slices.Equal(a.Scopes, want.Scopes) || !a.Live() || !a.Created.Equal(now) {
		t.Errorf("authorization = %+v", a)
	}

	code := store.HashOAuthSecret("the code")
	mustNil(t, s.SetOAuthCode(ctx, "req-1", code, now.Add(time.Minute)), "SetOAuthCode")
	wantErr(t, s.SetOAuthCode(ctx, "req-1", store.HashOAuthSecret("other"), now.Add(time.Minute)), store.ErrNotFound, "SetOAuthCode twice")
	_, err = s.OAuthRequest(ctx, "req-1", now)
	wantErr(t, err, store.ErrNotFound, "OAuthRequest once it holds a code")
	byCode, err := s.OAuthRequestByCode(ctx, code)
	mustNil(t, err, "OAuthRequestByCode")
	if byCode.ID != "req-1" || byCode.UserID != 1 || byCode.AuthorizationID != "auth-1" || !byCode.CodeExpires.Equal(now.Add(time.Minute)) {
		t.Errorf("OAuthRequestByCode = %+v", byCode)
	}
	_, err = s.OAuthRequestByCode(ctx, store.HashOAuthSecret("unknown"))
	wantErr(t, err, store.ErrNotFound, "OAuthRequestByCode(unknown)")

	// Denying deletes the request.
	mustNil(t, s.CreateOAuthRequest(ctx, oauthRequest("req-2", "100")), "CreateOAuthRequest")
	mustNil(t, s.DeleteOAuthRequest(ctx, "req-2"), "DeleteOAuthRequest")
	_, err = s.OAuthRequest(ctx, "req-2", now)
	wantErr(t, err, store.ErrNotFound, "OAuthRequest after delete")
	wantErr(t, s.DeleteOAuthRequest(ctx, "req-2"), store.ErrNotFound, "DeleteOAuthRequest twice")
}

func testOAuthRequestExpiry(t *testing.T, s store.Store) {
	createUsers(t, s, 1)
	mustNil(t, s.CreateOAuthApp(ctx, oauthApp("100", 1)), "CreateOAuthApp")
	r := oauthRequest("req", "100")
	mustNil(t, s.CreateOAuthRequest(ctx, r), "CreateOAuthRequest")
	_, err := s.OAuthRequest(ctx, "req", r.Expires.Add(-time.Millisecond))
	mustNil(t, err, "OAuthRequest just before expiry")
	_, err = s.OAuthRequest(ctx, "req", r.Expires)
	wantErr(t, err, store.ErrNotFound, "OAuthRequest at expiry")
	_, err = s.ApproveOAuthRequest(ctx, "req", 1, now, r.Expires, "auth")
	wantErr(t, err, store.ErrNotFound, "ApproveOAuthRequest at expiry")
}

// testOAuthRequestLimits: CreateOAuthRequestWithin keeps the pending
// requests of an address and of an app within their bounds by evicting
// the oldest pending ones; approved requests are neither counted nor
// evicted, and the new request is always kept.
func testOAuthRequestLimits(t *testing.T, s store.Store) {
	createUsers(t, s, 1)
	mustNil(t, s.CreateOAuthApp(ctx, oauthApp("100", 1)), "CreateOAuthApp")
	mustNil(t, s.CreateOAuthApp(ctx, oauthApp("101", 1)), "CreateOAuthApp")
	lim := store.OAuthRequestLimits{PerAddr: 3, PerClient: 5}
	seq := 0
	add := func(id, client, addr string) {
		t.Helper()
		r := oauthRequest(id, client)
		r.ClientAddr = addr
		seq++
		r.Created = now.Add(time.Duration(seq) * time.Millisecond) // a strict order: the oldest is evicted
		mustNil(t, s.CreateOAuthRequestWithin(ctx, r, lim), "CreateOAuthRequestWithin "+id)
	}
	pending := func(ids ...string) []string {
		t.Helper()
		var live []string
		for _, id := range ids {
			r, err := s.OAuthRequest(ctx, id, now)
			switch {
			case errors.Is(err, store.ErrNotFound), err == nil && r.Approved():
			case err != nil:
				t.Fatalf("OAuthRequest %s: %v", id, err)
			default:
				live = append(live, id)
				if r.ClientAddr == "" {
					t.Errorf("%s: ClientAddr not kept", id)
				}
			}
		}
		return live
	}

	// One address, two apps: at most 3 pending, the newest.
	for i, client := range []string{"100", "101", "100", "101", "100"} {
		add(fmt.Sprintf("a%d", i), client, "192.0.2.1")
	}
	if got, want := pending("a0", "a1", "a2", "a3", "a4"), []string{"a2", "a3", "a4"}; !slices.Equal(got, want) {
		t.Errorf("pending from one address = %v, want %v", got, want)
	}
	r, err := s.OAuthRequest(ctx, "a4", now)
	mustNil(t, err, "OAuthRequest a4")
	if r.ClientAddr != "192.0.2.1" {
		t.Errorf("ClientAddr = %q", r.ClientAddr)
	}

	// An approved request is not pending: it is neither counted nor evicted.
	_, err = s.ApproveOAuthRequest(ctx, "a2", 1, now, now, "auth-a2")
	mustNil(t, err, "ApproveOAuthRequest a2")
	add("a5", "100", "192.0.2.1")
	add("a6", "100", "192.0.2.1")
	if got, want := pending("a3", "a4", "a5", "a6"), []string{"a4", "a5", "a6"}; !slices.Equal(got, want) {
		t.Errorf("pending after approval = %v, want %v", got, want)
	}
	if _, err := s.ApproveOAuthRequest(ctx, "a2", 1, now, now, "x"); !errors.Is(err, store.ErrNotFound) {
		t.Errorf("approved a2 is gone or still pending: %v", err)
	}
	ids := []string{"a2", "a3", "a4", "a5", "a6"}

	// Many addresses, one app: at most 5 pending for app 100 (a4, a5 and
	// a6 so far); d0 of app 101 does not count and stays.
	add("d0", "101", "203.0.113.9")
	for i := range 6 {
		id := fmt.Sprintf("b%d", i)
		add(id, "100", fmt.Sprintf("198.51.100.%d", i))
		ids = append(ids, id)
	}
	var of100 []string
	for _, id := range pending(ids...) {
		if r, _ := s.OAuthRequest(ctx, id, now); r.ClientID == "100" {
			of100 = append(of100, id)
		}
	}
	if want := []string{"b1", "b2", "b3", "b4", "b5"}; !slices.Equal(of100, want) {
		t.Errorf("pending of app 100 = %v, want %v", of100, want)
	}
	if got := pending("d0"); len(got) != 1 {
		t.Errorf("app 101's request was evicted by app 100's bound: %v", got)
	}

	// No bound: CreateOAuthRequest evicts nothing.
	for i := range 4 {
		r := oauthRequest(fmt.Sprintf("c%d", i), "101")
		r.ClientAddr = "192.0.2.1"
		mustNil(t, s.CreateOAuthRequest(ctx, r), "CreateOAuthRequest")
	}
	if got := pending("c0", "c1", "c2", "c3"); len(got) != 4 {
		t.Errorf("unbounded creation kept %v", got)
	}
}

// testOAuthRequestLimitsConcurrent creates bounded requests from one
// address at once: each creation must see the others' rows (PostgreSQL
// needs its lock for that), so no more than the bound stay pending.
func testOAuthRequestLimitsConcurrent(t *testing.T, s store.Store) {
	createUsers(t, s, 1)
	mustNil(t, s.CreateOAuthApp(ctx, oauthApp("100", 1)), "CreateOAuthApp")
	lim := store.OAuthRequestLimits{PerAddr: 3}
	const n = 12
	var wg sync.WaitGroup
	errs := make([]error, n)
	for i := range n {
		wg.Go(func() {
			r := oauthRequest(fmt.Sprintf("r%02d", i), "100")
			r.ClientAddr, r.Created = "192.0.2.1", now.Add(time.Duration(i)*time.Millisecond)
			errs[i] = s.CreateOAuthRequestWithin(ctx, r, lim)
		})
	}
	wg.Wait()
	pending := 0
	for i, err := range errs {
		mustNil(t, err, fmt.Sprintf("CreateOAuthRequestWithin %d", i))
		switch _, err := s.OAuthRequest(ctx, fmt.Sprintf("r%02d", i), now); {
		case err == nil:
			pending++
		case !errors.Is(err, store.ErrNotFound):
			t.Fatalf("OAuthRequest r%02d: %v", i, err)
		}
	}
	if pending != lim.PerAddr {
		t.Errorf("%d requests pending after %d concurrent creations, want %d", pending, n, lim.PerAddr)
	}
}

func testOAuthApproveMergesScopes(t *testing.T, s store.Store) {
	createUsers(t, s, 1, 2)
	mustNil(t, s.CreateOAuthApp(ctx, oauthApp("100", 1)), "CreateOAuthApp")
	first := oauthRequest("r1", "100")
	first.Scopes = []string{"openid", "profile"}
	second := oauthRequest("r2", "100")
	second.Scopes = []string{"user.inventory-item:read", "openid"}
	other := oauthRequest("r3", "100")
	for _, r := range []store.OAuthRequest{first, second, other} {
		mustNil(t, s.CreateOAuthRequest(ctx, r), "CreateOAuthRequest")
	}
	r1, err := s.ApproveOAuthRequest(ctx, "r1", 1, now, now, "a1")
	mustNil(t, err, "approve r1")
	later := now.Add(10 * time.Minute)
	r2, err := s.ApproveOAuthRequest(ctx, "r2", 1, now, later, "a2")
	mustNil(t, err, "approve r2")
	if r1.AuthorizationID != "a1" || r2.AuthorizationID != "a1" {
		t.Errorf("authorization ids %q, %q; want both a1 (one live authorization per user and app)", r1.AuthorizationID, r2.AuthorizationID)
	}
	if !slices.Equal(r2.Scopes, second.Scopes) {
		t.Errorf("request scopes changed to %v", r2.Scopes)
	}
	a, err := s.OAuthAuthorization(ctx, "a1")
	mustNil(t, err, "OAuthAuthorization")
	if want := []string{"openid", "profile", "user.inventory-item:read"}; !slices.Equal(a.Scopes, want) || !a.Updated.Equal(later) || !a.Created.Equal(now) {
		t.Errorf("merged authorization = %+v, want scopes %v", a, want)
	}
	_, err = s.ApproveOAuthRequest(ctx, "r3", 2, now, now, "a3")
	mustNil(t, err, "approve r3 by user 2")

	list := func(userID int64, clientID string) []string {
		t.Helper()
		as, err := s.OAuthAuthorizations(ctx, userID, clientID)
		mustNil(t, err, fmt.Sprintf("OAuthAuthorizations(%d, %q)", userID, clientID))
		var ids []string
		for _, a := range as {
			ids = append(ids, a.ID)
		}
		return ids
	}
	if got := list(1, ""); !slices.Equal(got, []string{"a1"}) {
		t.Errorf("user 1's authorizations = %v", got)
	}
	if got := list(0, "100"); !slices.Equal(got, []string{"a1", "a3"}) {
		t.Errorf("app's authorizations = %v", got)
	}
	if got := list(2, "100"); !slices.Equal(got, []string{"a3"}) {
		t.Errorf("user 2's authorizations of the app = %v", got)
	}

	// After a revocation, a new consent starts a new authorization.
	mustNil(t, s.RevokeOAuthAuthorization(ctx, "a1", later), "RevokeOAuthAuthorization")
	wantErr(t, s.RevokeOAuthAuthorization(ctx, "a1", later), store.ErrNotFound, "RevokeOAuthAuthorization twice")
	wantErr(t, s.RevokeOAuthAuthorization(ctx, "nope", later), store.ErrNotFound, "RevokeOAuthAuthorization(unknown)")
	if got := list(1, ""); len(got) != 0 {
		t.Errorf("user 1's authorizations after revoke = %v", got)
	}
	mustNil(t, s.CreateOAuthRequest(ctx, oauthRequest("r4", "100")), "CreateOAuthRequest")
	r4, err := s.ApproveOAuthRequest(ctx, "r4", 1, now, later, "a4")
	mustNil(t, err, "approve r4")
	if r4.AuthorizationID != "a4" {
		t.Errorf("after revoke, authorization %q, want a4", r4.AuthorizationID)
	}
	old, err := s.OAuthAuthorization(ctx, "a1")
	mustNil(t, err, "OAuthAuthorization(revoked)")
	if old.Live() || !old.Revoked.Equal(later) {
		t.Errorf("revoked authorization = %+v", old)
	}
}

// testOAuthApproveConcurrent approves one user's requests of one app at
// once, in a few rounds (one app each): they must queue (PostgreSQL on the
// user's row), so that all of them end up under the one live
// authorization the first created.
func testOAuthApproveConcurrent(t *testing.T, s store.Store) {
	createUsers(t, s, 1)
	const rounds, n = 5, 8
	for round := range rounds {
		app := fmt.Sprint(100 + round)
		mustNil(t, s.CreateOAuthApp(ctx, oauthApp(app, 1)), "CreateOAuthApp")
		for i := range n {
			mustNil(t, s.CreateOAuthRequest(ctx, oauthRequest(fmt.Sprintf("%s-r%d", app, i), app)), "CreateOAuthRequest")
		}
		var wg sync.WaitGroup
		start := make(chan struct{})
		errs := make([]error, n)
		got := make([]store.OAuthRequest, n)
		for i := range n {
			wg.Go(func() {
				<-start
				got[i], errs[i] = s.ApproveOAuthRequest(ctx, fmt.Sprintf("%s-r%d", app, i), 1, now, now, fmt.Sprintf("%s-a%d", app, i))
			})
		}
		close(start)
		wg.Wait()
		for i, err := range errs {
			mustNil(t, err, fmt.Sprintf("app %s: approval %d", app, i))
		}
		as, err := s.OAuthAuthorizations(ctx, 1, app)
		mustNil(t, err, "OAuthAuthorizations")
		if len(as) != 1 {
			t.Fatalf("app %s: %d live authorizations after %d concurrent approvals, want 1", app, len(as), n)
		}
		for i, r := range got {
			if r.AuthorizationID != as[0].ID {
				t.Errorf("app %s: request %d approved under %q, want %q", app, i, r.AuthorizationID, as[0].ID)
			}
		}
	}
}

func testOAuthCodeSingleUse(t *testing.T, s store.Store) {
	req := approvedCode(t, s, "x")
	code := store.HashOAuthSecret("code-x")
	got, err := s.RedeemOAuthCode(ctx, code, session("s1"), now.Add(time.Second))
	mustNil(t, err, "RedeemOAuthCode")
	if got.ID != req.ID || got.UserID != 1 || got.AuthorizationID != "auth-x" || got.Nonce != "n0nce" {
		t.Errorf("RedeemOAuthCode = %+v", got)
	}
	_, err = s.RedeemOAuthCode(ctx, code, session("s2"), now.Add(2*time.Second))
	wantErr(t, err, store.ErrReused, "RedeemOAuthCode twice")
	_, err = s.OAuthRequestByCode(ctx, code)
	wantErr(t, err, store.ErrReused, "OAuthRequestByCode after redemption")
	_, err = s.RedeemOAuthCode(ctx, store.HashOAuthSecret("never issued"), session("s3"), now)
	wantErr(t, err, store.ErrNotFound, "RedeemOAuthCode(unknown)")
	wantErr(t, s.RevokeOAuthCode(ctx, store.HashOAuthSecret("never issued"), now), store.ErrNotFound, "RevokeOAuthCode(unknown)")

	// The replay revokes the session the code started, and only that one.
	redeemed(t, s, "y")
	mustNil(t, s.AddOAuthRefreshToken(ctx, refreshToken("rt1", "s1", now)), "AddOAuthRefreshToken")
	mustNil(t, s.AddOAuthRefreshToken(ctx, refreshToken("rt2", "s-y", now)), "AddOAuthRefreshToken")
	at := now.Add(time.Minute)
	mustNil(t, s.RevokeOAuthCode(ctx, code, at), "RevokeOAuthCode")
	_, g, err := s.OAuthRefreshToken(ctx, store.HashOAuthSecret("rt1"))
	mustNil(t, err, "OAuthRefreshToken")
	if g.Live() || !g.Session.Revoked.Equal(at) || !g.Authorization.Live() {
		t.Errorf("after replay: grant = %+v, want the session revoked at %v", g, at)
	}
	_, g, err = s.OAuthRefreshToken(ctx, store.HashOAuthSecret("rt2"))
	mustNil(t, err, "OAuthRefreshToken")
	if !g.Live() {
		t.Errorf("another session was revoked by the replay: %+v", g)
	}
	// Revoking again keeps the first time.
	mustNil(t, s.RevokeOAuthCode(ctx, code, at.Add(time.Hour)), "RevokeOAuthCode again")
	_, g, _ = s.OAuthRefreshToken(ctx, store.HashOAuthSecret("rt1"))
	if !g.Session.Revoked.Equal(at) {
		t.Errorf("second revocation moved revoked time to %v", g.Session.Revoked)
	}
}

func testOAuthCodeExpiry(t *testing.T, s store.Store) {
	approvedCode(t, s, "x")
	code := store.HashOAuthSecret("code-x")
	_, err := s.RedeemOAuthCode(ctx, code, session("s1"), now.Add(time.Minute))
	wantErr(t, err, store.ErrNotFound, "RedeemOAuthCode at expiry")
	// An expired code is still found (so the caller can say why it fails),
	// and is not marked as used.
	r, err := s.OAuthRequestByCode(ctx, code)
	mustNil(t, err, "OAuthRequestByCode after expiry")
	if !r.CodeExpires.Equal(now.Add(time.Minute)) {
		t.Errorf("CodeExpires = %v", r.CodeExpires)
	}
}

func testOAuthCodeConcurrent(t *testing.T, s store.Store) {
	approvedCode(t, s, "x")
	code := store.HashOAuthSecret("code-x")
	const n = 8
	var wg sync.WaitGroup
	errs := make([]error, n)
	for i := range n {
		wg.Go(func() {
			_, errs[i] = s.RedeemOAuthCode(ctx, code, session(fmt.Sprintf("s%d", i)), now.Add(time.Second))
		})
	}
	wg.Wait()
	ok := 0
	for i, err := range errs {
		switch {
		case err == nil:
			ok++
		case !isErr(err, store.ErrReused):
			t.Errorf("redemption %d: %v, want nil or ErrReused", i, err)
		}
	}
	if ok != 1 {
		t.Errorf("%d concurrent redemptions succeeded, want exactly 1", ok)
	}
}

func testOAuthCodeAfterRevokedAuthorization(t *testing.T, s store.Store) {
	r := approvedCode(t, s, "x")
	mustNil(t, s.RevokeOAuthAuthorization(ctx, r.AuthorizationID, now), "RevokeOAuthAuthorization")
	_, err := s.RedeemOAuthCode(ctx, store.HashOAuthSecret("code-x"), session("s1"), now.Add(time.Second))
	wantErr(t, err, store.ErrNotFound, "RedeemOAuthCode under a revoked authorization")
}

func testOAuthRefreshRotation(t *testing.T, s store.Store) {
	redeemed(t, s, "x")
	first := refreshToken("rt1", "s-x", now)
	mustNil(t, s.AddOAuthRefreshToken(ctx, first), "AddOAuthRefreshToken")
	wantErr(t, s.AddOAuthRefreshToken(ctx, first), store.ErrExists, "AddOAuthRefreshToken twice")
	wantErr(t, s.AddOAuthRefreshToken(ctx, refreshToken("rt-x", "no-session", now)), store.ErrNotFound, "AddOAuthRefreshToken(unknown session)")

	tok, g, err := s.OAuthRefreshToken(ctx, first.Hash)
	mustNil(t, err, "OAuthRefreshToken")
	if tok.ID != "RT.rt1" || tok.SessionID != "s-x" || !tok.Created.Equal(now) || !tok.Expires.Equal(first.Expires) || !tok.Used.IsZero() {
		t.Errorf("OAuthRefreshToken = %+v", tok)
	}
	if !g.Live() || g.Session.ID != "s-x" || g.Authorization.ID != "auth-x" || g.Authorization.UserID != 1 || g.Authorization.ClientID != "100" ||
		!slices.Equal(g.Session.Scopes, session("").Scopes) {
		t.Errorf("grant = %+v", g)
	}

	t1 := now.Add(time.Hour)
	second := refreshToken("rt2", "", t1)
	g, err = s.RotateOAuthRefreshToken(ctx, first.Hash, second, t1)
	mustNil(t, err, "RotateOAuthRefreshToken")
	if g.Session.ID != "s-x" || !g.Live() {
		t.Errorf("rotate grant = %+v", g)
	}
	tok, _, err = s.OAuthRefreshToken(ctx, second.Hash)
	mustNil(t, err, "OAuthRefreshToken(new)")
	if tok.SessionID != "s-x" {
		t.Errorf("new token's session %q, want s-x", tok.SessionID)
	}
	tok, _, err = s.OAuthRefreshToken(ctx, first.Hash)
	mustNil(t, err, "OAuthRefreshToken(old)")
	if !tok.Used.Equal(t1) {
		t.Errorf("old token used at %v, want %v", tok.Used, t1)
	}

	_, err = s.RotateOAuthRefreshToken(ctx, first.Hash, refreshToken("rt3", "", t1), t1)
	wantErr(t, err, store.ErrReused, "RotateOAuthRefreshToken with a spent token")
	if _, _, err := s.OAuthRefreshToken(ctx, store.HashOAuthSecret("rt3")); !isErr(err, store.ErrNotFound) {
		t.Errorf("a refused rotation stored its new token: %v", err)
	}
	_, err = s.RotateOAuthRefreshToken(ctx, store.HashOAuthSecret("nope"), refreshToken("rt4", "", t1), t1)
	wantErr(t, err, store.ErrNotFound, "RotateOAuthRefreshToken(unknown)")
	_, err = s.RotateOAuthRefreshToken(ctx, second.Hash, refreshToken("rt5", "", t1), second.Expires)
	wantErr(t, err, store.ErrNotFound, "RotateOAuthRefreshToken at expiry")

	// A revoked session refuses rotation and leaves the token unspent.
	mustNil(t, s.RevokeOAuthSession(ctx, "s-x", t1), "RevokeOAuthSession")
	mustNil(t, s.RevokeOAuthSession(ctx, "s-x", t1.Add(time.Hour)), "RevokeOAuthSession twice")
	_, err = s.RotateOAuthRefreshToken(ctx, second.Hash, refreshToken("rt6", "", t1), t1)
	wantErr(t, err, store.ErrNotFound, "RotateOAuthRefreshToken in a revoked session")
	tok, g, err = s.OAuthRefreshToken(ctx, second.Hash)
	mustNil(t, err, "OAuthRefreshToken")
	if !tok.Used.IsZero() || g.Live() || !g.Session.Revoked.Equal(t1) {
		t.Errorf("after refused rotation: token %+v, grant %+v", tok, g)
	}
}

func testOAuthRefreshConcurrent(t *testing.T, s store.Store) {
	redeemed(t, s, "x")
	first := refreshToken("rt", "s-x", now)
	mustNil(t, s.AddOAuthRefreshToken(ctx, first), "AddOAuthRefreshToken")
	const n = 8
	var wg sync.WaitGroup
	errs := make([]error, n)
	for i := range n {
		wg.Go(func() {
			_, errs[i] = s.RotateOAuthRefreshToken(ctx, first.Hash, refreshToken(fmt.Sprintf("next%d", i), "", now), now)
		})
	}
	wg.Wait()
	ok := 0
	for i, err := range errs {
		switch {
		case err == nil:
			ok++
		case !isErr(err, store.ErrReused):
			t.Errorf("rotation %d: %v, want nil or ErrReused", i, err)
		}
	}
	if ok != 1 {
		t.Errorf("%d concurrent rotations succeeded, want exactly 1", ok)
	}
}

func testOAuthAccessToken(t *testing.T, s store.Store) {
	redeemed(t, s, "x")
	at := store.OAuthAccessToken{ID: "AT.1", SessionID: "s-x", Expires: now.Add(15 * time.Minute)}
	mustNil(t, s.AddOAuthAccessToken(ctx, at), "AddOAuthAccessToken")
	wantErr(t, s.AddOAuthAccessToken(ctx, at), store.ErrExists, "AddOAuthAccessToken twice")
	wantErr(t, s.AddOAuthAccessToken(ctx, store.OAuthAccessToken{ID: "AT.2", SessionID: "nope", Expires: now}), store.ErrNotFound,
		"AddOAuthAccessToken(unknown session)")
	got, g, err := s.OAuthAccessToken(ctx, "AT.1")
	mustNil(t, err, "OAuthAccessToken")
	if got.SessionID != "s-x" || !got.Expires.Equal(at.Expires) || !g.Live() || g.Authorization.UserID != 1 || g.Authorization.ClientID != "100" {
		t.Errorf("OAuthAccessToken = %+v, %+v", got, g)
	}
	checkUTC(t, "access token expiry", got.Expires)
	_, _, err = s.OAuthAccessToken(ctx, "AT.2")
	wantErr(t, err, store.ErrNotFound, "OAuthAccessToken(unknown)")
}

func testOAuthRevokeAuthorization(t *testing.T, s store.Store) {
	r := redeemed(t, s, "x")
	mustNil(t, s.AddOAuthAccessToken(ctx, store.OAuthAccessToken{ID: "AT.1", SessionID: "s-x", Expires: now.Add(time.Hour)}), "AddOAuthAccessToken")
	mustNil(t, s.AddOAuthRefreshToken(ctx, refreshToken("rt", "s-x", now)), "AddOAuthRefreshToken")
	mustNil(t, s.RevokeOAuthAuthorization(ctx, r.AuthorizationID, now), "RevokeOAuthAuthorization")
	_, g, err := s.OAuthAccessToken(ctx, "AT.1")
	mustNil(t, err, "OAuthAccessToken")
	if g.Live() || g.Authorization.Live() {
		t.Errorf("access token grant still live after revoking the authorization: %+v", g)
	}
	_, err = s.RotateOAuthRefreshToken(ctx, store.HashOAuthSecret("rt"), refreshToken("rt2", "", now), now)
	wantErr(t, err, store.ErrNotFound, "RotateOAuthRefreshToken under a revoked authorization")
}

func testOAuthDeleteAppCascades(t *testing.T, s store.Store) {
	redeemed(t, s, "x")
	mustNil(t, s.AddOAuthAccessToken(ctx, store.OAuthAccessToken{ID: "AT.1", SessionID: "s-x", Expires: now.Add(time.Hour)}), "AddOAuthAccessToken")
	mustNil(t, s.AddOAuthRefreshToken(ctx, refreshToken("rt", "s-x", now)), "AddOAuthRefreshToken")
	mustNil(t, s.CreateOAuthRequest(ctx, oauthRequest("pending", "100")), "CreateOAuthRequest")
	mustNil(t, s.DeleteOAuthApp(ctx, "100"), "DeleteOAuthApp")
	_, _, err := s.OAuthAccessToken(ctx, "AT.1")
	wantErr(t, err, store.ErrNotFound, "access token of a deleted app")
	_, _, err = s.OAuthRefreshToken(ctx, store.HashOAuthSecret("rt"))
	wantErr(t, err, store.ErrNotFound, "refresh token of a deleted app")
	_, err = s.OAuthRequest(ctx, "pending", now)
	wantErr(t, err, store.ErrNotFound, "request of a deleted app")
	_, err = s.OAuthAuthorization(ctx, "auth-x")
	wantErr(t, err, store.ErrNotFound, "authorization of a deleted app")
}

func testOAuthPurge(t *testing.T, s store.Store) {
	redeemed(t, s, "x")
	mustNil(t, s.AddOAuthAccessToken(ctx, store.OAuthAccessToken{ID: "AT.1", SessionID: "s-x", Expires: now.Add(15 * time.Minute)}), "AddOAuthAccessToken")
	mustNil(t, s.AddOAuthRefreshToken(ctx, refreshToken("rt", "s-x", now)), "AddOAuthRefreshToken")
	approvedCode(t, s, "y") // a code, unredeemed
	mustNil(t, s.CreateOAuthRequest(ctx, oauthRequest("pending", "100")), "CreateOAuthRequest")

	// Nothing usable goes.
	mustNil(t, s.PurgeOAuth(ctx, now.Add(time.Second)), "PurgeOAuth")
	if _, _, err := s.OAuthAccessToken(ctx, "AT.1"); err != nil {
		t.Errorf("live access token purged: %v", err)
	}
	if _, err := s.OAuthRequestByCode(ctx, store.HashOAuthSecret("code-y")); err != nil {
		t.Errorf("live code purged: %v", err)
	}
	if _, err := s.OAuthRequestByCode(ctx, store.HashOAuthSecret("code-x")); !isErr(err, store.ErrReused) {
		t.Errorf("used code forgotten too early: %v", err)
	}

	// An hour later: the access token, the code and the request are gone;
	// the used code is still remembered.
	mustNil(t, s.PurgeOAuth(ctx, now.Add(time.Hour)), "PurgeOAuth")
	if _, _, err := s.OAuthAccessToken(ctx, "AT.1"); !isErr(err, store.ErrNotFound) {
		t.Errorf("expired access token kept: %v", err)
	}
	if _, err := s.OAuthRequestByCode(ctx, store.HashOAuthSecret("code-y")); !isErr(err, store.ErrNotFound) {
		t.Errorf("expired code kept: %v", err)
	}
	if _, err := s.OAuthRequest(ctx, "pending", now); !isErr(err, store.ErrNotFound) {
		t.Errorf("expired request kept: %v", err)
	}
	if _, err := s.OAuthRequestByCode(ctx, store.HashOAuthSecret("code-x")); !isErr(err, store.ErrReused) {
		t.Errorf("used code forgotten too early: %v", err)
	}
	if _, _, err := s.OAuthRefreshToken(ctx, store.HashOAuthSecret("rt")); err != nil {
		t.Errorf("live refresh token purged: %v", err)
	}

	// After the refresh token expires, the session goes with the last of
	// its tokens and codes; the authorization stays.
	mustNil(t, s.PurgeOAuth(ctx, now.Add(91*24*time.Hour)), "PurgeOAuth")
	if _, _, err := s.OAuthRefreshToken(ctx, store.HashOAuthSecret("rt")); !isErr(err, store.ErrNotFound) {
		t.Errorf("expired refresh token kept: %v", err)
	}
	if _, err := s.OAuthRequestByCode(ctx, store.HashOAuthSecret("code-x")); !isErr(err, store.ErrNotFound) {
		t.Errorf("used code kept past retention: %v", err)
	}
	wantErr(t, s.AddOAuthAccessToken(ctx, store.OAuthAccessToken{ID: "AT.2", SessionID: "s-x", Expires: now}), store.ErrNotFound,
		"AddOAuthAccessToken to a purged session")
	if _, err := s.OAuthAuthorization(ctx, "auth-x"); err != nil {
		t.Errorf("authorization purged: %v", err)
	}
}

func isErr(err, target error) bool { return errors.Is(err, target) }

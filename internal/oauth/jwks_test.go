package oauth_test

import (
	"bytes"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"encoding/json"
	"flag"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	jose "github.com/go-jose/go-jose/v4"
	"github.com/go-jose/go-jose/v4/jwt"
	"golang.org/x/oauth2"

	"github.com/invcloud/invcloud/internal/server"
)

var update = flag.Bool("update", false, "rewrite golden files")

func getJSON(t *testing.T, e *env, path string, v any) string {
	t.Helper()
	status, body, h := e.call("GET", path, "", nil)
	if status != http.StatusOK || !strings.HasPrefix(h.Get("Content-Type"), "application/json") {
		t.Fatalf("GET %s: %d %s %s", path, status, h.Get("Content-Type"), body)
	}
	if err := json.Unmarshal([]byte(body), v); err != nil {
		t.Fatalf("GET %s: %v", path, err)
	}
	return body
}

// TestIDTokenVerifiesAgainstJWKS checks the ID and access tokens with a
// standard JOSE library, the way a client does: discovery, then jwks_uri,
// then the ES256 signature, issuer, audience, nonce and lifetimes.
func TestIDTokenVerifiesAgainstJWKS(t *testing.T) {
	e := newEnv(t)
	conf := e.config(e.app, e.secret, allScopes...)
	verifier := oauth2.GenerateVerifier()
	b := e.browser()
	b.signIn(guideUser)
	code := b.authorize(conf, "s", oauth2.S256ChallengeOption(verifier), oauth2.SetAuthURLParam("nonce", "abc-123"))
	tok, err := conf.Exchange(e.oauthCtx(), code, oauth2.VerifierOption(verifier))
	if err != nil {
		t.Fatal(err)
	}

	var disc struct {
		Issuer  string   `json:"issuer"`
		JwksURI string   `json:"jwks_uri"`
		Algs    []string `json:"id_token_signing_alg_values_supported"`
	}
	getJSON(t, e, "/oauth/.well-known/openid-configuration", &disc)
	if disc.Issuer != e.srv.URL+"/oauth/" || disc.JwksURI != e.srv.URL+"/oauth/v1/certs" || len(disc.Algs) != 1 || disc.Algs[0] != "ES256" {
		t.Fatalf("discovery = %+v", disc)
	}
	var jwks jose.JSONWebKeySet
	raw := getJSON(t, e, strings.TrimPrefix(disc.JwksURI, e.srv.URL), &jwks)
	if len(jwks.Keys) != 1 {
		t.Fatalf("jwks has %d keys: %s", len(jwks.Keys), raw)
	}
	key := jwks.Keys[0]
	if key.Algorithm != "ES256" || key.Use != "sig" || key.KeyID == "" || !key.IsPublic() || !key.Valid() {
		t.Fatalf("jwk = %+v", key)
	}
	if ec, ok := key.Key.(*ecdsa.PublicKey); !ok || ec.Curve != elliptic.P256() {
		t.Fatalf("jwk key %T, want a P-256 public key", key.Key)
	}
	// rblx-open-cloud reads the EC coordinates directly.
	var rawKeys struct {
		Keys []map[string]any `json:"keys"`
	}
	json.Unmarshal([]byte(raw), &rawKeys)
	if k := rawKeys.Keys[0]; k["kty"] != "EC" || k["crv"] != "P-256" || k["x"] == nil || k["y"] == nil || k["d"] != nil {
		t.Errorf("jwk JSON = %v", k)
	}

	now := e.clock.Now()
	idToken, _ := tok.Extra("id_token").(string)
	parsed, err := jwt.ParseSigned(idToken, []jose.SignatureAlgorithm{jose.ES256})
	if err != nil {
		t.Fatalf("parse id_token: %v", err)
	}
	if h := parsed.Headers[0]; h.KeyID != key.KeyID || h.Algorithm != "ES256" || h.ExtraHeaders["typ"] != "JWT" {
		t.Errorf("id_token header = %+v", h)
	}
	var std jwt.Claims
	var extra struct {
		Name              string `json:"name"`
		Nickname          string `json:"nickname"`
		PreferredUsername string `json:"preferred_username"`
		CreatedAt         int64  `json:"created_at"`
		Profile           string `json:"profile"`
		Nonce             string `json:"nonce"`
	}
	if err := parsed.Claims(jwks.Keys[0].Key, &std, &extra); err != nil {
		t.Fatalf("id_token signature: %v", err)
	}
	if err := std.ValidateWithLeeway(jwt.Expected{Issuer: disc.Issuer, AnyAudience: jwt.Audience{e.app.ClientID}, Time: now}, 0); err != nil {
		t.Errorf("id_token claims: %v", err)
	}
	if std.Subject != "11111111111" || extra.Nonce != "abc-123" || extra.PreferredUsername != guideUser || extra.Name != "Guide User" ||
		extra.Nickname != "Guide User" || extra.CreatedAt == 0 || extra.Profile != "https://www.roblox.com/users/11111111111/profile" ||
		!strings.HasPrefix(std.ID, "ID.") {
		t.Errorf("id_token claims = %+v %+v", std, extra)
	}
	if life := std.Expiry.Time().Sub(std.IssuedAt.Time()); life != 10*time.Hour {
		t.Errorf("id_token lifetime %v, want 10h", life)
	}
	// Claim order as in Roblox's token.
	var ordered json.RawMessage
	parsed.UnsafeClaimsWithoutVerification(&ordered)
	if !bytes.HasPrefix(ordered, []byte(`{"sub":"11111111111","name":"Guide User","nickname":"Guide User","preferred_username":"GuideUser","created_at":`)) {
		t.Errorf("id_token claim order: %s", ordered)
	}

	// The access token verifies the same way and carries Roblox's claims.
	at, err := jwt.ParseSigned(tok.AccessToken, []jose.SignatureAlgorithm{jose.ES256})
	if err != nil {
		t.Fatal(err)
	}
	var atc struct {
		jwt.Claims
		Aid   string `json:"aid"`
		Scope string `json:"scope"`
	}
	if err := at.Claims(jwks.Keys[0].Key, &atc); err != nil {
		t.Fatalf("access token signature: %v", err)
	}
	if err := atc.ValidateWithLeeway(jwt.Expected{Issuer: disc.Issuer, AnyAudience: jwt.Audience{e.app.ClientID}, Subject: "11111111111", Time: now}, 0); err != nil {
		t.Errorf("access token claims: %v", err)
	}
	if atc.Expiry.Time().Sub(atc.IssuedAt.Time()) != 15*time.Minute || atc.Scope != "openid profile user.inventory-item:read" ||
		!strings.HasPrefix(atc.ID, "AT.") || len(atc.Aid) != 36 || atc.NotBefore == nil {
		t.Errorf("access token claims = %+v", atc)
	}
	at.UnsafeClaimsWithoutVerification(&ordered)
	if !bytes.HasPrefix(ordered, []byte(`{"sub":"11111111111","aid":"`)) || !bytes.Contains(ordered, []byte(`"iss":"`+disc.Issuer+`","aud":"`+e.app.ClientID+`"}`)) {
		t.Errorf("access token claim order: %s", ordered)
	}

	// The key is kept in the store: a second server on the same database
	// (a replica) publishes the same key and accepts the same tokens.
	h2, err := server.New(e.ctx, server.Config{Store: e.store, Log: slog.New(slog.DiscardHandler), Now: e.clock.Now, PublicURL: e.srv.URL})
	if err != nil {
		t.Fatal(err)
	}
	rec := httptest.NewRecorder()
	h2.ServeHTTP(rec, httptest.NewRequest("GET", "/oauth/v1/certs", nil))
	if rec.Body.String() != raw {
		t.Errorf("a replica publishes other keys:\n%s\nvs\n%s", rec.Body, raw)
	}
	rec = httptest.NewRecorder()
	req := httptest.NewRequest("GET", "/cloud/v2/users/11111111111/inventory-items", nil)
	req.Header.Set("Authorization", "Bearer "+tok.AccessToken)
	h2.ServeHTTP(rec, req)
	if rec.Code != http.StatusOK {
		t.Errorf("a replica refuses the token: %d %s", rec.Code, rec.Body)
	}
}

// forgedToken is a well-formed access token signed by a key invcloud does
// not have.
func forgedToken(t *testing.T, e *env) string {
	t.Helper()
	k, _ := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	signer, err := jose.NewSigner(jose.SigningKey{Algorithm: jose.ES256, Key: k}, (&jose.SignerOptions{}).WithType("JWT"))
	if err != nil {
		t.Fatal(err)
	}
	now := e.clock.Now().Unix()
	tok, err := jwt.Signed(signer).Claims(map[string]any{"sub": "2000000002", "aid": "x", "scope": "user.inventory-item:read",
		"jti": "AT.forged", "nbf": now, "iat": now, "exp": now + 900, "iss": e.srv.URL + "/oauth/", "aud": e.app.ClientID}).Serialize()
	if err != nil {
		t.Fatal(err)
	}
	return tok
}

// TestDiscovery compares the discovery document with a golden file (run
// with -update to rewrite it) and with Roblox's own (spec 5.6): same keys
// in the same order, invcloud's URLs.
func TestDiscovery(t *testing.T) {
	e := newEnv(t)
	var doc map[string]any
	body := getJSON(t, e, "/oauth/.well-known/openid-configuration", &doc)
	var pretty bytes.Buffer
	json.Indent(&pretty, []byte(strings.ReplaceAll(body, e.srv.URL, "http://invcloud.test")), "", "  ")
	golden := filepath.Join("testdata", "discovery.json")
	if *update {
		if err := os.WriteFile(golden, pretty.Bytes(), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	want, err := os.ReadFile(golden)
	if err != nil {
		t.Fatal(err)
	}
	if pretty.String() != string(want) {
		t.Errorf("discovery differs from %s:\n%s", golden, pretty.String())
	}

	roblox, err := os.ReadFile(filepath.Join("testdata", "roblox-discovery.json"))
	if err != nil {
		t.Fatal(err)
	}
	gotKeys, wantKeys := topKeys(t, []byte(body)), topKeys(t, roblox)
	if strings.Join(gotKeys, ",") != strings.Join(wantKeys, ",") {
		t.Errorf("keys\n got %v\nwant %v (Roblox's order)", gotKeys, wantKeys)
	}
	var rdoc map[string]any
	json.Unmarshal(roblox, &rdoc)
	// Every listed value is one of Roblox's, in Roblox's relative order.
	for _, k := range []string{"scopes_supported", "response_types_supported", "subject_types_supported",
		"id_token_signing_alg_values_supported", "claims_supported", "token_endpoint_auth_methods_supported"} {
		if !subsequence(doc[k].([]any), rdoc[k].([]any)) {
			t.Errorf("%s = %v: not in the order of Roblox's %v", k, doc[k], rdoc[k])
		}
	}
	for k, path := range map[string]string{"issuer": "/oauth/", "authorization_endpoint": "/oauth/v1/authorize", "token_endpoint": "/oauth/v1/token",
		"introspection_endpoint": "/oauth/v1/token/introspect", "revocation_endpoint": "/oauth/v1/token/revoke",
		"resources_endpoint": "/oauth/v1/token/resources", "userinfo_endpoint": "/oauth/v1/userinfo", "jwks_uri": "/oauth/v1/certs"} {
		if doc[k] != e.srv.URL+path {
			t.Errorf("%s = %v, want %s", k, doc[k], e.srv.URL+path)
		}
		// ... and each endpoint answers there.
		if k == "issuer" {
			continue
		}
		status, _, _ := e.call("GET", path, "", nil)
		if status == http.StatusNotFound {
			t.Errorf("%s (%s) is not served", k, path)
		}
	}
}

// topKeys returns the keys of a JSON object in document order.
func topKeys(t *testing.T, doc []byte) []string {
	t.Helper()
	dec := json.NewDecoder(bytes.NewReader(doc))
	if tok, err := dec.Token(); err != nil || tok != json.Delim('{') {
		t.Fatalf("not a JSON object: %v", err)
	}
	var keys []string
	for dec.More() {
		k, err := dec.Token()
		if err != nil {
			t.Fatal(err)
		}
		keys = append(keys, k.(string))
		var skip json.RawMessage
		if err := dec.Decode(&skip); err != nil {
			t.Fatal(err)
		}
	}
	return keys
}

func subsequence(sub, of []any) bool {
	i := 0
	for _, v := range of {
		if i < len(sub) && sub[i] == v {
			i++
		}
	}
	return i == len(sub) && len(sub) > 0
}

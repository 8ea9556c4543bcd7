package oauth_test

import (
	"bytes"
	"compress/gzip"
	"crypto/x509"
	"encoding/base64"
	"encoding/json"
	"errors"
	"io"
	"net/http"
	"net/url"
	"strings"
	"testing"

	jose "github.com/go-jose/go-jose/v4"
	"golang.org/x/oauth2"

	"github.com/invcloud/invcloud/internal/demo"
)

// grant runs a full code flow for privateUser with e.app and returns the
// token response.
func (e *env) grant(scopes ...string) map[string]any {
	e.t.Helper()
	b := e.browser()
	b.signIn(privateUser)
	verifier := oauth2.GenerateVerifier()
	code := b.authorize(e.config(e.app, e.secret, scopes...), "s", oauth2.S256ChallengeOption(verifier))
	status, m := e.exchange(e.app, e.secret, code, verifier)
	if status != http.StatusOK {
		e.t.Fatalf("exchange: %d %v", status, m)
	}
	return m
}

// rawPost posts body to path?query and returns status, body and header.
func (e *env) rawPost(path, query, body string, header http.Header) (int, string, http.Header) {
	e.t.Helper()
	u := e.srv.URL + path
	if query != "" {
		u += "?" + query
	}
	req, _ := http.NewRequest("POST", u, strings.NewReader(body))
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	for k, v := range header {
		req.Header[k] = v
	}
	resp, err := e.srv.Client().Do(req)
	p := readPage(e.t, resp, err)
	return p.status, p.body, p.header
}

// TestRevokeAnswer: a successful revoke is 200 with an empty body and no
// Content-Type (spec 5.4: "200 OK with an empty response"), whatever the
// token; an error keeps its JSON body.
func TestRevokeAnswer(t *testing.T) {
	e := newEnv(t)
	tok := e.grant(allScopes...)
	creds := url.Values{"client_id": {e.app.ClientID}, "client_secret": {e.secret}}
	for _, tc := range []struct {
		name, token string
		status      int
		body, ctype string
	}{
		{"refresh token", tok["refresh_token"].(string), 200, "", ""},
		{"access token", tok["access_token"].(string), 200, "", ""},
		{"unknown token", "not-a-token", 200, "", ""},
		{"no token", "", 400, `{"error":"invalid_request","error_description":"token missing"}` + "\n", "application/json"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			form := url.Values{"token": {tc.token}}
			for k, v := range creds {
				form[k] = v
			}
			if tc.token == "" {
				form.Del("token")
			}
			status, body, h := e.rawPost("/oauth/v1/token/revoke", "", form.Encode(), nil)
			if status != tc.status || body != tc.body || h.Get("Content-Type") != tc.ctype {
				t.Errorf("revoke = %d %q Content-Type %q, want %d %q %q", status, body, h.Get("Content-Type"), tc.status, tc.body, tc.ctype)
			}
			if status == 200 && h.Get("Content-Length") != "0" {
				t.Errorf("Content-Length %q, want 0", h.Get("Content-Length"))
			}
		})
	}
	// The revocation took: the refresh token is spent, the access token dead.
	if status, m := e.refresh(e.app, e.secret, tok["refresh_token"].(string)); status != http.StatusUnauthorized {
		t.Errorf("refresh after revoke: %d %v", status, m)
	}
}

// rblxClient does what rblx-open-cloud's send_request does
// (rblxopencloud/http.py): a form post of a Python dict (insertion order),
// its user agent, then the body decoded as JSON if and only if the
// Content-Type says application/json (a failed decode raises), and an
// exception for any status outside expected.
type rblxClient struct {
	e *env
}

// rblxError is what send_request or the decode would raise.
type rblxError struct{ msg string }

func (r *rblxError) Error() string { return r.msg }

func (c rblxClient) send(path string, expected int, fields ...[2]string) (any, error) {
	c.e.t.Helper()
	var parts []string
	for _, f := range fields {
		parts = append(parts, url.QueryEscape(f[0])+"="+url.QueryEscape(f[1]))
	}
	req, _ := http.NewRequest("POST", c.e.srv.URL+"/"+path, strings.NewReader(strings.Join(parts, "&")))
	// requests' defaults for data=dict, and the library's user agent.
	req.Header.Set("User-Agent", "rblx-open-cloud/2 (https://github.com/treeben77/rblx-open-cloud)")
	req.Header.Set("Accept-Encoding", "gzip, deflate")
	req.Header.Set("Accept", "*/*")
	req.Header.Set("Connection", "keep-alive")
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	resp, err := c.e.srv.Client().Do(req)
	if err != nil {
		c.e.t.Fatal(err)
	}
	defer resp.Body.Close()
	var r io.Reader = resp.Body
	if resp.Header.Get("Content-Encoding") == "gzip" {
		if r, err = gzip.NewReader(resp.Body); err != nil {
			return nil, &rblxError{"gzip: " + err.Error()}
		}
	}
	raw, _ := io.ReadAll(r)
	var body any = raw
	if strings.Contains(resp.Header.Get("Content-Type"), "application/json") {
		if err := json.Unmarshal(raw, &body); err != nil {
			return nil, &rblxError{"JSONDecodeError: " + err.Error()} // requests' response.json()
		}
	}
	if resp.StatusCode != expected {
		return body, &rblxError{"HttpException " + resp.Status}
	}
	return body, nil
}

// TestRblxOpenCloudClientFlow: rblx-open-cloud's OAuth2App.revoke_token and
// PartialAccessToken.fetch_token_info, request for request, against
// invcloud: neither raises, and what they read is there.
func TestRblxOpenCloudClientFlow(t *testing.T) {
	e := newEnv(t)
	tok := e.grant(allScopes...)
	c := rblxClient{e}
	creds := func(token string) [][2]string {
		return [][2]string{{"token", token}, {"client_id", e.app.ClientID}, {"client_secret", e.secret}}
	}

	// fetch_token_info: AccessTokenInfo(data) reads these keys.
	data, err := c.send("oauth/v1/token/introspect", 200, creds(tok["access_token"].(string))...)
	if err != nil {
		t.Fatalf("fetch_token_info raised %v", err)
	}
	info, ok := data.(map[string]any)
	if !ok || info["active"] != true || info["jti"] == nil || info["client_id"] != e.app.ClientID || info["sub"] != "2000000002" ||
		info["scope"] != "openid profile user.inventory-item:read" || info["exp"] == nil || info["iat"] == nil {
		t.Errorf("fetch_token_info data = %v", data)
	}

	// revoke_token(refresh_token): send_request(..., expected_status=[200],
	// data={client_id, client_secret, token}); it returns nothing.
	revoke := [][2]string{{"client_id", e.app.ClientID}, {"client_secret", e.secret}, {"token", tok["refresh_token"].(string)}}
	data, err = c.send("oauth/v1/token/revoke", 200, revoke...)
	if err != nil {
		t.Fatalf("revoke_token raised %v", err)
	}
	if b, ok := data.([]byte); !ok || len(b) != 0 {
		t.Errorf("revoke body = %#v, want empty bytes", data)
	}
	// Revoking again (the same token, now dead) does not raise either.
	if _, err := c.send("oauth/v1/token/revoke", 200, revoke...); err != nil {
		t.Errorf("second revoke_token raised %v", err)
	}
	// The session is over: the refresh token is inactive, the access token
	// no longer reaches Open Cloud.
	data, err = c.send("oauth/v1/token/introspect", 200, creds(tok["refresh_token"].(string))...)
	if m, _ := data.(map[string]any); err != nil || m["active"] != false {
		t.Errorf("introspect a revoked refresh token: %v %v", data, err)
	}
	if status, _ := e.inventory(demo.PrivateUser, tok["access_token"].(string)); status != http.StatusUnauthorized {
		t.Errorf("access token after revoke: %d, want 401", status)
	}
	// A wrong secret: the 400 rblx-open-cloud maps to an HttpException,
	// with a decodable JSON body.
	data, err = c.send("oauth/v1/token/revoke", 200, [][2]string{{"client_id", e.app.ClientID}, {"client_secret", "RBX-wrong"}, {"token", "x"}}...)
	if re, ok := err.(*rblxError); !ok || re.msg != "HttpException 400 Bad Request" {
		t.Errorf("revoke with a wrong secret: %v %v", data, err)
	}
}

// TestCredentialsOnlyInBody: token, introspect, revoke and token/resources
// read the POST body only (RFC 6749 2.3.1), userinfo the Authorization
// header only. What the query string (or, for userinfo, the form) carries
// is ignored, as if absent; nothing is issued, revoked or disclosed.
func TestCredentialsOnlyInBody(t *testing.T) {
	e := newEnv(t)
	tok := e.grant(allScopes...)
	access, refresh := tok["access_token"].(string), tok["refresh_token"].(string)
	id, secret := e.app.ClientID, e.secret
	enc := func(kv ...string) string {
		v := url.Values{}
		for i := 0; i < len(kv); i += 2 {
			v.Set(kv[i], kv[i+1])
		}
		return v.Encode()
	}
	const (
		grantMissing = `{"error":"invalid_request","error_description":"grant_type missing"}` + "\n"
		noClient     = `{"error":"invalid_request","error_description":"client_id or client_assertion must be provided"}` + "\n"
		badSecret    = `{"error":"invalid_client","error_description":"Invalid client_id or client_secret."}` + "\n"
		noSecret     = `{"error":"invalid_client","error_description":"client must be authenticated"}` + "\n"
		resourcesBad = `{"error":"invalid_client","error_description":"Invalid client_id or client_secret."}` + "\n"
	)
	for _, tc := range []struct {
		name, path, query, body string
		status                  int
		want                    string
	}{
		{"token: everything in the query", "/oauth/v1/token",
			enc("grant_type", "refresh_token", "refresh_token", refresh, "client_id", id, "client_secret", secret), "", 400, grantMissing},
		{"token: grant in the query, credentials in the body", "/oauth/v1/token",
			enc("grant_type", "refresh_token", "refresh_token", refresh), enc("client_id", id, "client_secret", secret), 400, grantMissing},
		{"token: secret in the query", "/oauth/v1/token",
			enc("client_secret", secret), enc("grant_type", "refresh_token", "refresh_token", refresh, "client_id", id), 400, badSecret},
		{"introspect: credentials in the query", "/oauth/v1/token/introspect",
			enc("client_id", id, "client_secret", secret), enc("token", access), 400, noClient},
		{"introspect: secret in the query", "/oauth/v1/token/introspect",
			enc("client_secret", secret), enc("token", access, "client_id", id), 400, noSecret},
		{"introspect: everything in the query", "/oauth/v1/token/introspect",
			enc("token", access, "client_id", id, "client_secret", secret), "", 400, noClient},
		{"revoke: everything in the query", "/oauth/v1/token/revoke",
			enc("token", refresh, "client_id", id, "client_secret", secret), "", 400, noClient},
		{"revoke: secret in the query", "/oauth/v1/token/revoke",
			enc("client_secret", secret), enc("token", refresh, "client_id", id), 400, badSecret},
		{"resources: credentials in the query", "/oauth/v1/token/resources",
			enc("client_id", id, "client_secret", secret), enc("token", access), 401, resourcesBad},
	} {
		t.Run(tc.name, func(t *testing.T) {
			before := e.snapshot()
			status, body, _ := e.rawPost(tc.path, tc.query, tc.body, nil)
			if status != tc.status || body != tc.want {
				t.Errorf("= %d %s, want %d %s", status, body, tc.status, tc.want)
			}
			e.unchanged(before, tc.name)
		})
	}

	// userinfo: a token in the query or the form is not read.
	const noToken = `{"error":"invalid_request","error_description":"access token missing"}` + "\n"
	for _, tc := range []struct {
		name, method, query, body, header string
		status                            int
		want                              string
	}{
		{"query", "GET", enc("access_token", access), "", "", 401, noToken},
		{"query, POST", "POST", enc("access_token", access), "", "", 401, noToken},
		{"form body", "POST", "", enc("access_token", access), "", 401, noToken},
		{"header", "GET", "", "", "Bearer " + access, 200, ""},
		{"header, and junk in the query", "GET", enc("access_token", "junk"), "", "Bearer " + access, 200, ""},
	} {
		t.Run("userinfo: "+tc.name, func(t *testing.T) {
			u := e.srv.URL + "/oauth/v1/userinfo"
			if tc.query != "" {
				u += "?" + tc.query
			}
			req, _ := http.NewRequest(tc.method, u, strings.NewReader(tc.body))
			if tc.body != "" {
				req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
			}
			if tc.header != "" {
				req.Header.Set("Authorization", tc.header)
			}
			resp, err := e.srv.Client().Do(req)
			p := readPage(t, resp, err)
			if p.status != tc.status || (tc.want != "" && p.body != tc.want) {
				t.Errorf("= %d %s, want %d %s", p.status, p.body, tc.status, tc.want)
			}
			if tc.status == 200 && !strings.HasPrefix(p.body, `{"sub":"2000000002",`) {
				t.Errorf("body %s", p.body)
			}
		})
	}

	// The same credentials in the body work: nothing above was refused for
	// another reason.
	if status, m := e.refresh(e.app, e.secret, refresh); status != http.StatusOK {
		t.Errorf("refresh with the body: %d %v", status, m)
	}
}

// TestCORSPolicy: no /oauth answer ever allows credentials to another
// origin. The endpoints a browser app may call (token, revoke, userinfo,
// certs, discovery) allow any origin without credentials; the others
// (authorize, introspect, resources) send no CORS headers.
func TestCORSPolicy(t *testing.T) {
	e := newEnv(t)
	tok := e.grant(allScopes...)
	const origin = "https://evil.example"
	creds := url.Values{"client_id": {e.app.ClientID}, "client_secret": {e.secret}, "token": {tok["access_token"].(string)}}.Encode()
	for _, tc := range []struct {
		method, path, body string
		preflight          bool
		acao               string // the Access-Control-Allow-Origin wanted
	}{
		{"POST", "/oauth/v1/token", "grant_type=refresh_token&refresh_token=x&" + creds, false, "*"},
		{"OPTIONS", "/oauth/v1/token", "", true, "*"},
		{"POST", "/oauth/v1/token/revoke", creds, false, "*"},
		{"OPTIONS", "/oauth/v1/token/revoke", "", true, "*"},
		{"GET", "/oauth/v1/userinfo", "", false, "*"},
		{"OPTIONS", "/oauth/v1/userinfo", "", true, "*"},
		{"GET", "/oauth/v1/certs", "", false, "*"},
		{"GET", "/oauth/.well-known/openid-configuration", "", false, "*"},
		{"OPTIONS", "/oauth/.well-known/openid-configuration", "", true, "*"},
		{"POST", "/oauth/v1/token/introspect", creds, false, ""},
		{"OPTIONS", "/oauth/v1/token/introspect", "", true, ""},
		{"POST", "/oauth/v1/token/resources", creds, false, ""},
		{"GET", "/oauth/v1/authorize?" + url.Values{"client_id": {e.app.ClientID}, "redirect_uri": {redirectURI},
			"response_type": {"code"}, "scope": {"openid"}}.Encode(), "", false, ""},
		{"OPTIONS", "/oauth/v1/authorize", "", true, ""},
	} {
		t.Run(tc.method+" "+tc.path, func(t *testing.T) {
			req, _ := http.NewRequest(tc.method, e.srv.URL+tc.path, strings.NewReader(tc.body))
			req.Header.Set("Origin", origin)
			if tc.body != "" {
				req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
			}
			if tc.preflight {
				req.Header.Set("Access-Control-Request-Method", "POST")
				req.Header.Set("Access-Control-Request-Headers", "authorization,content-type")
			} else if strings.HasSuffix(tc.path, "userinfo") {
				req.Header.Set("Authorization", "Bearer "+tok["access_token"].(string))
			}
			resp, err := e.srv.Client().Do(req)
			p := readPage(t, resp, err)
			h := p.header
			if got := h.Values("Access-Control-Allow-Credentials"); len(got) != 0 {
				t.Errorf("Access-Control-Allow-Credentials: %v", got)
			}
			if got := h.Get("Access-Control-Allow-Origin"); got != tc.acao {
				t.Errorf("Access-Control-Allow-Origin %q, want %q", got, tc.acao)
			}
			if tc.preflight && tc.acao != "" {
				if p.status != http.StatusNoContent || h.Get("Access-Control-Allow-Methods") != "POST" ||
					h.Get("Access-Control-Allow-Headers") != "authorization,content-type" {
					t.Errorf("preflight = %d %v", p.status, h)
				}
			}
		})
	}
}

// resign returns token with its claims changed by mutate, signed with the
// provider's own key, read from the store as the review did from the
// database file.
func (e *env) resign(token string, mutate func(map[string]any)) string {
	e.t.Helper()
	der, err := e.store.Secret(e.ctx, "oauth-es256-key", func() ([]byte, error) { return nil, errors.New("no key yet") })
	if err != nil {
		e.t.Fatal(err)
	}
	k, err := x509.ParsePKCS8PrivateKey(der)
	if err != nil {
		e.t.Fatal(err)
	}
	parts := strings.Split(token, ".")
	var header struct {
		Kid string `json:"kid"`
	}
	hb, _ := base64.RawURLEncoding.DecodeString(parts[0])
	json.Unmarshal(hb, &header)
	payload, _ := base64.RawURLEncoding.DecodeString(parts[1])
	claims := map[string]any{}
	dec := json.NewDecoder(bytes.NewReader(payload))
	dec.UseNumber() // times stay integers
	if err := dec.Decode(&claims); err != nil {
		e.t.Fatal(err)
	}
	mutate(claims)
	signer, err := jose.NewSigner(jose.SigningKey{Algorithm: jose.ES256, Key: jose.JSONWebKey{Key: k, KeyID: header.Kid}},
		(&jose.SignerOptions{}).WithType("JWT"))
	if err != nil {
		e.t.Fatal(err)
	}
	b, _ := json.Marshal(claims)
	jws, err := signer.Sign(b)
	if err != nil {
		e.t.Fatal(err)
	}
	out, err := jws.CompactSerialize()
	if err != nil {
		e.t.Fatal(err)
	}
	return out
}

// TestResignedTokenMustMatchItsRecord: an access token signed with the
// real key but claiming more than was issued (a wider scope, another
// audience, a later expiry) is refused everywhere a bearer token is
// accepted, with the answer an invalid token gets; re-signed unchanged,
// it still works (the forgery, not the re-signing, is refused).
func TestResignedTokenMustMatchItsRecord(t *testing.T) {
	e := newEnv(t)
	tok := e.grant("openid") // no profile, no inventory
	access := tok["access_token"].(string)
	const invalidKey = `{"errors":[{"code":0,"message":"Invalid API Key"}]}`
	for _, tc := range []struct {
		name   string
		mutate func(map[string]any)
		ok     bool
	}{
		{"unchanged", func(map[string]any) {}, true},
		{"scope widened", func(c map[string]any) { c["scope"] = "openid profile user.inventory-item:read" }, false},
		{"scope replaced", func(c map[string]any) { c["scope"] = "user.inventory-item:read" }, false},
		{"audience changed", func(c map[string]any) { c["aud"] = e.other.ClientID }, false},
		{"lifetime extended", func(c map[string]any) { n, _ := c["exp"].(json.Number).Int64(); c["exp"] = n + 86400 }, false},
	} {
		t.Run(tc.name, func(t *testing.T) {
			forged := e.resign(access, tc.mutate)
			// Open Cloud: the private owner's inventory.
			status, body := e.inventory(demo.PrivateUser, forged)
			if tc.ok && status != http.StatusForbidden { // openid alone does not read inventories
				t.Errorf("inventory: %d %.200s, want 403", status, body)
			}
			if !tc.ok && (status != http.StatusUnauthorized || strings.TrimSpace(body) != invalidKey) {
				t.Errorf("inventory: %d %.200s, want 401 %s", status, body, invalidKey)
			}
			// userinfo.
			status, body, _ = e.call("GET", "/oauth/v1/userinfo", forged, nil)
			if want := map[bool]int{true: 200, false: 401}[tc.ok]; status != want {
				t.Errorf("userinfo: %d %s, want %d", status, body, want)
			}
			if !tc.ok && strings.Contains(body, "preferred_username") {
				t.Errorf("userinfo disclosed the profile: %s", body)
			}
			// Introspection by the app: active only as issued.
			status, m, _ := e.postForm("/oauth/v1/token/introspect", url.Values{"token": {forged}, "client_id": {e.app.ClientID},
				"client_secret": {e.secret}}, "", "")
			if status != http.StatusOK || m["active"] != tc.ok {
				t.Errorf("introspect: %d %v, want active %v", status, m, tc.ok)
			}
		})
	}
	// A forged token revokes nothing: the real one still works.
	forged := e.resign(access, func(c map[string]any) { c["aud"] = e.other.ClientID })
	if status, _, _ := e.postForm("/oauth/v1/token/revoke", url.Values{"token": {forged}, "client_id": {e.other.ClientID},
		"client_secret": {e.otherSecret}}, "", ""); status != http.StatusOK {
		t.Errorf("revoke: %d", status)
	}
	if status, body, _ := e.call("GET", "/oauth/v1/userinfo", access, nil); status != http.StatusOK {
		t.Errorf("the real token after a forged revoke: %d %s", status, body)
	}
}

package oauth

import (
	"bytes"
	"encoding/json"
	"maps"
	"net/http"
	"strings"

	"github.com/rs/cors"
	"github.com/zitadel/oidc/v3/pkg/oidc"

	"github.com/invcloud/invcloud/internal/web"
)

// protocol is op's router under /oauth, with what op leaves to its host:
// methods per endpoint, no-store on token responses (RFC 6749 5.1),
// WWW-Authenticate challenges on 401s, an HTML page (not JSON) for an
// authorize request that cannot go back to its app, Roblox's
// redirect_uri-less code exchange, credentials read from the body (or
// header) only, and the CORS policy (docs/compat.md).
func (p *Provider) protocol() http.Handler {
	inner := http.StripPrefix("/oauth", p.srv)
	public := publicCORS().Handler(inner)
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		path := r.URL.Path
		if isCORSPath(path) && r.Method == http.MethodOptions && r.Header.Get("Access-Control-Request-Method") != "" {
			public.ServeHTTP(w, r) // a preflight: rs/cors answers it
			return
		}
		switch path {
		case "/oauth/v1/authorize":
			if r.Method != http.MethodGet && r.Method != http.MethodPost {
				w.Header().Set("Allow", "GET, POST")
				writeOAuthError(w, http.StatusMethodNotAllowed, "invalid_request", "Use GET.")
				return
			}
			p.authorizeFront(w, withRequestAddr(r), inner)
			return
		case "/oauth/v1/token", "/oauth/v1/token/introspect", "/oauth/v1/token/revoke":
			if r.Method != http.MethodPost {
				methodNotAllowed(w, r)
				return
			}
			w.Header().Set("Cache-Control", "no-store")
			w.Header().Set("Pragma", "no-cache")
			r.Body = http.MaxBytesReader(w, r.Body, 64<<10)
			// RFC 6749 2.3.1: client credentials (and every other
			// parameter) travel in the body; what the query string holds
			// is ignored, as if absent.
			r = bodyOnly(r)
			if path == "/oauth/v1/token" && r.ParseForm() == nil &&
				r.Form.Get("grant_type") == string(oidc.GrantTypeCode) && r.Form.Get("redirect_uri") == "" {
				r.Form.Set("redirect_uri", noRedirectURI)
			}
			if hasBasic(r.Header) {
				w = &challenger{ResponseWriter: w, challenge: `Basic realm="invcloud"`}
			}
			if path == "/oauth/v1/token/revoke" {
				w = &emptyOK{ResponseWriter: w}
			}
		case "/oauth/v1/userinfo":
			if r.Method != http.MethodGet && r.Method != http.MethodPost {
				w.Header().Set("Allow", "GET, POST")
				writeOAuthError(w, http.StatusMethodNotAllowed, "invalid_request", "Use GET.")
				return
			}
			w.Header().Set("Cache-Control", "no-store")
			// The access token is read from the Authorization header only:
			// one in the query string or the form body is ignored, as if
			// absent (tokens in URLs end up in logs).
			r.Body = http.MaxBytesReader(w, r.Body, 64<<10)
			r = bodyOnly(r)
			if err := r.ParseForm(); err != nil {
				writeOAuthError(w, http.StatusBadRequest, "invalid_request", "The form could not be parsed.")
				return
			}
			r.Form.Del("access_token")
			r.PostForm.Del("access_token")
			w = &challenger{ResponseWriter: w, challenge: `Bearer realm="invcloud", error="invalid_token"`,
				forbidden: `Bearer realm="invcloud", error="insufficient_scope", scope="openid"`}
		case "/oauth/v1/certs", "/oauth/.well-known/openid-configuration":
			if r.Method != http.MethodGet && r.Method != http.MethodHead {
				w.Header().Set("Allow", "GET")
				writeOAuthError(w, http.StatusMethodNotAllowed, "invalid_request", "Use GET.")
				return
			}
		default:
			if !strings.HasPrefix(path, "/oauth/v1/") && path != "/oauth/healthz" && path != "/oauth/ready" {
				writeOAuthError(w, http.StatusNotFound, "invalid_request", "No such endpoint.")
				return
			}
		}
		if isCORSPath(path) {
			public.ServeHTTP(w, r)
			return
		}
		inner.ServeHTTP(w, r)
	})
}

// isCORSPath reports whether a browser app may call path from another
// origin: the endpoints a public (browser) client needs, as public OpenID
// providers allow. The authorize endpoint is a navigation, not a fetch;
// introspection and token/resources need a client secret, which a browser
// cannot keep.
func isCORSPath(path string) bool {
	switch path {
	case "/oauth/v1/token", "/oauth/v1/token/revoke", "/oauth/v1/userinfo", "/oauth/v1/certs", "/oauth/.well-known/openid-configuration":
		return true
	}
	return false
}

// publicCORS is the policy of the CORS paths: any origin, never
// credentials. None of these endpoints reads a cookie, so a cross-origin
// caller gains nothing a direct one lacks. (op's default reflects any
// origin with Access-Control-Allow-Credentials: true; New turns it off.)
func publicCORS() *cors.Cors {
	return cors.New(cors.Options{
		AllowedOrigins:   []string{"*"},
		AllowedMethods:   []string{http.MethodGet, http.MethodHead, http.MethodPost},
		AllowedHeaders:   []string{"Accept", "Authorization", "Content-Type"},
		AllowCredentials: false,
		MaxAge:           600,
	})
}

// bodyOnly returns r without its query string, so that parameters are read
// from the form body alone. r itself is left as it is (outer handlers log
// its URL).
func bodyOnly(r *http.Request) *http.Request {
	if r.URL.RawQuery == "" {
		return r
	}
	r2 := new(http.Request)
	*r2 = *r
	u := *r.URL
	u.RawQuery = ""
	r2.URL = &u
	r2.RequestURI = u.RequestURI()
	// A form parsed already holds the query too: keep its body part only.
	r2.Form = nil
	if r.PostForm != nil {
		r2.Form = maps.Clone(r.PostForm)
	}
	return r2
}

// emptyOK drops op's JSON Content-Type from a successful revoke: Roblox
// answers "200 OK with an empty response" (spec 5.4), and a client that
// decodes by content type (rblx-open-cloud) fails on an empty JSON body.
// Errors keep their JSON body and type.
type emptyOK struct {
	http.ResponseWriter
	wrote bool
}

func (e *emptyOK) WriteHeader(status int) {
	if !e.wrote && status == http.StatusOK {
		e.Header().Del("Content-Type")
	}
	e.wrote = true
	e.ResponseWriter.WriteHeader(status)
}

func (e *emptyOK) Write(b []byte) (int, error) {
	if !e.wrote {
		e.WriteHeader(http.StatusOK)
	}
	return e.ResponseWriter.Write(b)
}

// challenger adds a WWW-Authenticate challenge to a 401 (and 403) answer.
type challenger struct {
	http.ResponseWriter
	challenge, forbidden string
}

func (c *challenger) WriteHeader(status int) {
	h := c.Header()
	switch {
	case status == http.StatusUnauthorized && h.Get("WWW-Authenticate") == "":
		h.Set("WWW-Authenticate", c.challenge)
	case status == http.StatusForbidden && c.forbidden != "":
		h.Set("WWW-Authenticate", c.forbidden)
	}
	c.ResponseWriter.WriteHeader(status)
}

// recorder keeps a response for a second look.
type recorder struct {
	header http.Header
	status int
	body   bytes.Buffer
}

func (rec *recorder) Header() http.Header { return rec.header }
func (rec *recorder) WriteHeader(status int) {
	if rec.status == 0 {
		rec.status = status
	}
}
func (rec *recorder) Write(b []byte) (int, error) {
	if rec.status == 0 {
		rec.status = http.StatusOK
	}
	return rec.body.Write(b)
}

// authorizeFront runs the authorize endpoint. Redirects (to sign-in and
// consent, or back to the app with an error) pass through; an error op
// must not redirect (unknown client_id, unregistered redirect_uri) is
// shown to the user as a page.
func (p *Provider) authorizeFront(w http.ResponseWriter, r *http.Request, inner http.Handler) {
	rec := &recorder{header: http.Header{}}
	inner.ServeHTTP(rec, r)
	if rec.status < 400 {
		for k, v := range rec.header {
			w.Header()[k] = v
		}
		w.WriteHeader(rec.status)
		w.Write(rec.body.Bytes())
		return
	}
	var e struct {
		Error       string `json:"error"`
		Description string `json:"error_description"`
	}
	json.Unmarshal(rec.body.Bytes(), &e)
	msg := e.Description
	if msg == "" {
		msg = "The authorization request is invalid."
	}
	if rec.status >= 500 {
		msg = "Something went wrong. Please try again."
	}
	p.site.Render(w, r, rec.status, "error.html", web.Page{Title: "This sign-in link does not work",
		Error: msg + " Go back to the app and try again, or tell its developer."})
}

package oauth

import (
	"bytes"
	"encoding/json"
	"net/http"
	"strings"

	"github.com/zitadel/oidc/v3/pkg/oidc"

	"github.com/invcloud/invcloud/internal/web"
)

// protocol is op's router under /oauth, with what op leaves to its host:
// methods per endpoint, no-store on token responses (RFC 6749 5.1),
// WWW-Authenticate challenges on 401s, an HTML page (not JSON) for an
// authorize request that cannot go back to its app, and Roblox's
// redirect_uri-less code exchange.
func (p *Provider) protocol() http.Handler {
	inner := http.StripPrefix("/oauth", p.srv)
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		path := r.URL.Path
		switch path {
		case "/oauth/v1/authorize":
			if r.Method != http.MethodGet && r.Method != http.MethodPost {
				w.Header().Set("Allow", "GET, POST")
				writeOAuthError(w, http.StatusMethodNotAllowed, "invalid_request", "Use GET.")
				return
			}
			p.authorizeFront(w, r, inner)
			return
		case "/oauth/v1/token", "/oauth/v1/token/introspect", "/oauth/v1/token/revoke":
			if r.Method != http.MethodPost {
				methodNotAllowed(w, r)
				return
			}
			w.Header().Set("Cache-Control", "no-store")
			w.Header().Set("Pragma", "no-cache")
			r.Body = http.MaxBytesReader(w, r.Body, 64<<10)
			if path == "/oauth/v1/token" && r.ParseForm() == nil &&
				r.Form.Get("grant_type") == string(oidc.GrantTypeCode) && r.Form.Get("redirect_uri") == "" {
				r.Form.Set("redirect_uri", noRedirectURI)
			}
			if hasBasic(r.Header) {
				w = &challenger{ResponseWriter: w, challenge: `Basic realm="invcloud"`}
			}
		case "/oauth/v1/userinfo":
			if r.Method != http.MethodGet && r.Method != http.MethodPost {
				w.Header().Set("Allow", "GET, POST")
				writeOAuthError(w, http.StatusMethodNotAllowed, "invalid_request", "Use GET.")
				return
			}
			w.Header().Set("Cache-Control", "no-store")
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
		inner.ServeHTTP(w, r)
	})
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

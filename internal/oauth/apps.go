package oauth

import (
	"crypto/rand"
	"encoding/base64"
	"errors"
	"fmt"
	"math/big"
	"net"
	"net/url"
	"slices"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/invcloud/invcloud/internal/store"
)

// App registration limits (spec 5.2: up to 10 redirect URIs of at most 256
// characters).
const (
	MaxRedirectURIs   = 10
	MaxRedirectURILen = 256
	MaxAppNameLen     = 50
)

// AppSpec is what registering an app takes.
type AppSpec struct {
	OwnerID      int64
	Name         string
	RedirectURIs []string
	Scopes       []string
	Public       bool
}

// NewApp checks spec and returns the app to store, with a new client id
// and, for a confidential app, its secret (shown once, stored as a hash).
func NewApp(spec AppSpec, now time.Time) (store.OAuthApp, string, error) {
	app := store.OAuthApp{ClientID: newClientID(), OwnerID: spec.OwnerID, Name: strings.TrimSpace(spec.Name), Public: spec.Public, Created: now}
	if app.Name == "" || utf8.RuneCountInString(app.Name) > MaxAppNameLen {
		return app, "", fmt.Errorf("give the app a name of 1 to %d characters", MaxAppNameLen)
	}
	if len(spec.RedirectURIs) == 0 {
		return app, "", errors.New("add at least one redirect URI")
	}
	if len(spec.RedirectURIs) > MaxRedirectURIs {
		return app, "", fmt.Errorf("at most %d redirect URIs", MaxRedirectURIs)
	}
	for _, u := range spec.RedirectURIs {
		if err := ValidateRedirectURI(u); err != nil {
			return app, "", err
		}
		if !slices.Contains(app.RedirectURIs, u) {
			app.RedirectURIs = append(app.RedirectURIs, u)
		}
	}
	if len(spec.Scopes) == 0 {
		return app, "", errors.New("choose at least one scope")
	}
	for _, sc := range spec.Scopes {
		if _, ok := LookupScope(sc); !ok {
			return app, "", fmt.Errorf("unknown scope %q", sc)
		}
		if !slices.Contains(app.Scopes, sc) {
			app.Scopes = append(app.Scopes, sc)
		}
	}
	if slices.Contains(app.Scopes, scopeProfile) && !slices.Contains(app.Scopes, scopeOpenID) {
		return app, "", errors.New("the profile scope needs the openid scope too")
	}
	if app.Public {
		return app, "", nil
	}
	secret := NewClientSecret()
	app.SecretHash = store.HashOAuthSecret(secret)
	return app, secret, nil
}

// ValidateRedirectURI accepts what Roblox does (spec 5.2): an absolute
// HTTPS URL, http on localhost or a loopback address, or a custom scheme
// (for native apps); at most 256 characters, without a fragment.
func ValidateRedirectURI(raw string) error {
	bad := func(why string) error { return fmt.Errorf("redirect URI %q: %s", raw, why) }
	if raw == "" || len(raw) > MaxRedirectURILen {
		return bad(fmt.Sprintf("must have 1 to %d characters", MaxRedirectURILen))
	}
	if strings.ContainsFunc(raw, func(r rune) bool { return r <= ' ' || r == 0x7f }) {
		return bad("must not contain spaces or control characters")
	}
	u, err := url.Parse(raw)
	if err != nil || u.Scheme == "" {
		return bad("must be an absolute URL")
	}
	if u.Fragment != "" || strings.Contains(raw, "#") {
		return bad("must not contain a fragment")
	}
	switch scheme := strings.ToLower(u.Scheme); scheme {
	case "https":
		if u.Host == "" {
			return bad("needs a host")
		}
	case "http":
		host := u.Hostname()
		ip := net.ParseIP(host)
		if host != "localhost" && (ip == nil || !ip.IsLoopback()) {
			return bad("http is allowed only on localhost; use https")
		}
	case "javascript", "data", "vbscript", "file", "blob", "about":
		return bad("scheme " + scheme + " is not allowed")
	}
	return nil
}

// newClientID returns an 18-digit client id, the form of Roblox's.
func newClientID() string {
	n, _ := rand.Int(rand.Reader, big.NewInt(9e17))
	return n.Add(n, big.NewInt(1e17)).String()
}

// NewClientSecret returns a client secret in the form of Roblox's
// ("RBX-" and random characters).
func NewClientSecret() string {
	b := make([]byte, 48)
	rand.Read(b)
	return "RBX-" + base64.RawURLEncoding.EncodeToString(b)
}

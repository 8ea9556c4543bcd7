package server

import (
	"fmt"
	"net/http"
	"slices"
	"strings"

	"github.com/invcloud/invcloud/internal/routes"
)

// The hosts whose paths invcloud serves. Every one is served on the same
// port, at its Roblox path, so a client written for Roblox works by
// changing only its base URL, whichever hosts it calls.
const (
	HostAPIs      = "apis.roblox.com" // Open Cloud, API keys, OAuth
	HostInventory = "inventory.roblox.com"
	HostUsers     = "users.roblox.com"
	HostAuth      = "auth.roblox.com"
	HostGroups    = "groups.roblox.com"
	// HostSite is invcloud's own: its web pages and probes, which have no
	// Roblox host and so no Host name.
	HostSite = "invcloud"
)

// apisPrefixes are the first path segments that are apis.roblox.com's on
// Roblox, whichever package registers them (the Open Cloud User resource
// lives beside users.roblox.com's lookups, OAuth beside web pages).
var apisPrefixes = []string{"/cloud/", "/api-keys/", "/oauth/"}

// surface is one package's routes: host names the Roblox host they belong
// to, except for paths under apisPrefixes, which are apis.roblox.com's.
type surface struct {
	host     string
	register func(routes.Mux)
}

// hostRoute is one route and the host it belongs to.
type hostRoute struct {
	Host    string
	Pattern string // as the surface registered it
	Handler http.Handler
	// Mounted are the patterns it is on the mux under: Pattern, or, for a
	// route whose path another host's route already has, Pattern under each
	// of the host's names (hostNames).
	Mounted []string
}

// Shared reports whether the route answers only when the Host header names
// its host.
func (r hostRoute) Shared() bool { return len(r.Mounted) > 0 && r.Mounted[0] != r.Pattern }

// collect records every surface's routes with their hosts.
func collect(ss []surface) ([]hostRoute, error) {
	var out []hostRoute
	for _, s := range ss {
		var l routes.List
		s.register(&l)
		for _, rt := range l.Routes {
			_, path, err := splitPattern(rt.Pattern)
			if err != nil {
				return nil, err
			}
			host := s.host
			for _, p := range apisPrefixes {
				if strings.HasPrefix(path, p) || path+"/" == p {
					host = HostAPIs
				}
			}
			out = append(out, hostRoute{Host: host, Pattern: rt.Pattern, Handler: rt.Handler})
		}
	}
	return out, nil
}

// splitPattern splits "[METHOD ]/path" (surfaces register no host
// patterns: the host is the server's business).
func splitPattern(p string) (method, path string, err error) {
	method, path, ok := strings.Cut(p, " ")
	if !ok {
		method, path = "", p
	}
	if !strings.HasPrefix(path, "/") {
		return "", "", fmt.Errorf("route %q: want [METHOD ]/path", p)
	}
	return method, path, nil
}

// hostNames are the Host header values that select a host's routes where
// a path is shared: its Roblox name (a client that keeps Roblox's URLs and
// resolves them to invcloud) and NAME.localhost, which resolves to the
// loopback address without configuration (RFC 6761). invcloud's own routes
// have none.
func hostNames(host string) []string {
	sub, ok := strings.CutSuffix(host, ".roblox.com")
	if !ok {
		return nil
	}
	return []string{host, sub + ".localhost"}
}

// withHost puts host into pattern: "GET /a" -> "GET host/a".
func withHost(pattern, host string) string {
	if method, path, ok := strings.Cut(pattern, " "); ok {
		return method + " " + host + path
	}
	return host + pattern
}

// handle registers pattern on mux, turning the panic of a conflicting
// pattern into an error.
func handle(mux *http.ServeMux, pattern string, h http.Handler) (err error) {
	defer func() {
		if v := recover(); v != nil {
			err = fmt.Errorf("%v", v)
		}
	}()
	mux.Handle(pattern, h)
	return nil
}

// conflicts reports whether ServeMux refuses a and b side by side: the same
// pattern, or two that match some request alike with neither more specific.
func conflicts(a, b string) bool {
	mux := http.NewServeMux()
	mux.Handle(a, http.NotFoundHandler())
	return handle(mux, b, http.NotFoundHandler()) != nil
}

// mount puts the routes on one mux. A route whose pattern conflicts with
// another host's route mounted before it (the same method and path, or
// patterns ServeMux would refuse side by side) is mounted under its host's
// names only (hostNames): such a path is answered by the earlier host
// unless the Host header names the later one. invcloud's own routes are
// mounted last, so Roblox's paths never need a Host header because of
// them, and may not collide with anything (they have no Host name). Two
// conflicting routes of one host are an error, as ServeMux's panic would
// be.
func mount(rs []hostRoute) (*http.ServeMux, []hostRoute, error) {
	order := slices.Clone(rs)
	slices.SortStableFunc(order, func(a, b hostRoute) int {
		return boolInt(a.Host == HostSite) - boolInt(b.Host == HostSite)
	})
	mux, probe := http.NewServeMux(), http.NewServeMux()
	var plain []hostRoute // routes mounted without a host, in order
	for i, r := range order {
		if handle(probe, r.Pattern, http.NotFoundHandler()) == nil {
			if err := handle(mux, r.Pattern, r.Handler); err != nil {
				return nil, nil, err
			}
			order[i].Mounted = []string{r.Pattern}
			plain = append(plain, r)
			continue
		}
		var with []string
		for _, o := range plain {
			if !conflicts(o.Pattern, r.Pattern) {
				continue
			}
			if o.Host == r.Host {
				return nil, nil, fmt.Errorf("%s: route %q conflicts with %q", r.Host, r.Pattern, o.Pattern)
			}
			with = append(with, fmt.Sprintf("%s's %q", o.Host, o.Pattern))
		}
		names := hostNames(r.Host)
		if len(names) == 0 || len(with) == 0 {
			return nil, nil, fmt.Errorf("%s route %q collides with %s: give it another path", r.Host, r.Pattern, strings.Join(with, ", "))
		}
		for _, n := range names {
			p := withHost(r.Pattern, n)
			if err := handle(mux, p, r.Handler); err != nil {
				return nil, nil, err
			}
			order[i].Mounted = append(order[i].Mounted, p)
		}
	}
	return mux, order, nil
}

func boolInt(b bool) int {
	if b {
		return 1
	}
	return 0
}

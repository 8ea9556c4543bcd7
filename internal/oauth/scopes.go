package oauth

import (
	"slices"

	"github.com/invcloud/invcloud/internal/apikey"
)

// Identity scopes (spec 5.2, 5.7).
const (
	scopeOpenID  = "openid"
	scopeProfile = "profile"
)

// Scope is a scope an app may ask for, with what the consent page tells
// the user it allows.
type Scope struct {
	Name  string
	Label string // short, for the dashboard
	Words string // plain words, for the consent page
}

// Scopes are the scopes invcloud's apps may ask for, in display order.
var Scopes = []Scope{
	{scopeOpenID, "OpenID", "Know who you are"},
	{scopeProfile, "Profile", "See your username, display name and profile"},
	{apikey.ScopeInventoryRead, "Inventory: Read", "Read your inventory, including private items"},
	{apikey.ScopeGroupRead, "Groups: Read", "See your groups, their roles and members"},
	{apikey.ScopeGroupWrite, "Groups: Write", "Manage your groups: members, roles, join requests and shouts"},
	{apikey.ScopeUserAdvancedRead, "User: Advanced read", "See whether your identity is verified"},
	{apikey.ScopeUserSocialRead, "User: Social read", "See your social network links"},
}

// LookupScope returns the named scope.
func LookupScope(name string) (Scope, bool) {
	i := slices.IndexFunc(Scopes, func(s Scope) bool { return s.Name == name })
	if i < 0 {
		return Scope{}, false
	}
	return Scopes[i], true
}

// describe returns the scopes named, in display order.
func describe(names []string) []Scope {
	var out []Scope
	for _, s := range Scopes {
		if slices.Contains(names, s.Name) {
			out = append(out, s)
		}
	}
	return out
}

// isIdentity reports whether a scope only identifies the user.
func isIdentity(name string) bool { return name == scopeOpenID || name == scopeProfile }

package demo

import "github.com/invcloud/invcloud/internal/inventory"

// BannedUser is a terminated account: GET /v1/users/{id} shows it with
// isBanned true, lookups with excludeBannedUsers leave it out, and search
// never finds it. It owns nothing.
const BannedUser int64 = 2000000007

// descriptions are the profile "About" texts of some demo users.
var descriptions = map[int64]string{
	GuideUser:     "I am the user of Roblox's inventory guide. I own the Classic Logo T-Shirt.",
	CollectorUser: "Collector of limiteds since 2010. Trades welcome!",
	FriendsUser:   "Friends see my inventory; everyone else sees this.",
	TraderUser:    "Buying and selling UGC limiteds and bundles.",
}

// profiles adds what users.roblox.com serves beyond the inventory data:
// descriptions and the banned user. It runs last and draws nothing from
// the random source, so the rest of the data set is unchanged.
func (g *gen) profiles() {
	for i := range g.b.Users {
		g.b.Users[i].Description = descriptions[g.b.Users[i].ID]
	}
	g.b.Users = append(g.b.Users, inventory.User{
		ID: BannedUser, Name: "BannedBarry", DisplayName: "Banned Barry", Visibility: inventory.VisibilityEveryone,
		Created: epoch.AddDate(-1, 0, 0), Banned: true,
		Description: "This account was terminated: it exists to show how banned users look.",
	})
}

package postgres

import "github.com/invcloud/invcloud/internal/inventory"

// The listings and grants are shared SQL (sqlstore); the bulk import still
// names the ownership tables here.

// otherTables names the ownership table and item column of each kind but
// assets.
var otherTables = map[inventory.Kind][2]string{
	inventory.KindBadge:         {"user_badges", "badge_id"},
	inventory.KindGamePass:      {"user_game_passes", "game_pass_id"},
	inventory.KindPrivateServer: {"user_private_servers", "private_server_id"},
}

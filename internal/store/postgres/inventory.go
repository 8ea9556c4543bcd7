package postgres

import "github.com/invcloud/invcloud/internal/inventory"

// The listings and grants are shared SQL (sqlstore). These names serve the
// bulk import and export.go until the generic copy replaces them.
const assetColumns = `ua.instance_id, ua.asset_id, ua.asset_type, ua.serial_number,
	ua.collectible_instance_id, ua.collectible_state, ua.added_at, a.collectible_item_id`

// otherTables names the ownership table and item column of each kind but
// assets.
var otherTables = map[inventory.Kind][2]string{
	inventory.KindBadge:         {"user_badges", "badge_id"},
	inventory.KindGamePass:      {"user_game_passes", "game_pass_id"},
	inventory.KindPrivateServer: {"user_private_servers", "private_server_id"},
}

package sqlstore

import (
	"context"
	"fmt"
	"maps"
	"slices"
	"strings"

	"github.com/invcloud/invcloud/internal/inventory"
	"github.com/invcloud/invcloud/internal/store"
)

// Bulk is what an engine does its own way with whole tables: the bulk
// writer Import and migrate's copy write with, the counters, the schema.
// Insert and RaiseCounters run inside a transaction of the engine's DB.
type Bulk interface {
	// Insert writes n rows into the columns of t (a registry table, or one
	// cut to some of its columns: the rest take their defaults), skipping
	// rows whose key or another unique value is present (ON CONFLICT DO
	// NOTHING). row(i, r) fills row i's canonical values (see store.Kind)
	// into r, in t's column order; r starts all nil (NULL). SQLite writes
	// multi-row VALUES, PostgreSQL unnest of typed column arrays.
	Insert(ctx context.Context, q Querier, t *store.Table, n int, row func(i int, r []any)) error
	// RaiseCounters raises each counter of store.Counters to at least
	// values[name] and the largest id its column holds, and moves any
	// other id generator (PostgreSQL identities) past the ids present,
	// never lowering one.
	RaiseCounters(ctx context.Context, q Querier, values map[string]int64) error
	// Counters returns the value of every counter of store.Counters.
	Counters(ctx context.Context, q Querier) (map[string]int64, error)
	// Schema describes every column of every table of the schema.
	Schema(ctx context.Context, q Querier) ([]store.SchemaColumn, error)
}

// cut returns the registry table name with only the columns cols, in that
// order. It panics on a name the registry lacks: the lists are constant.
func cut(name string, cols ...string) *store.Table {
	for _, t := range store.Tables {
		if t.Name != name {
			continue
		}
		out := &store.Table{Name: t.Name, Key: t.Key}
		for _, c := range cols {
			rc := t.Col(c)
			if rc == nil {
				panic("sqlstore: import: no column " + name + "." + c + " in the registry")
			}
			out.Cols = append(out.Cols, *rc)
		}
		return out
	}
	panic("sqlstore: import: no table " + name + " in the registry")
}

// The columns Import writes, table by table, in the registry's order
// (parents first). A column left out takes its default.
var (
	impSettings    = cut("settings", "name", "value")
	impUsers       = cut("users", "id", "name", "display_name", "created_at", "visibility", "banned", "description")
	impAssets      = cut("assets", "id", "name", "asset_type_id", "creator_user_id", "collectible_item_id", "serialized", "created_at")
	impBadges      = cut("badges", "id", "name", "universe_id")
	impPasses      = cut("game_passes", "id", "name", "universe_id")
	impServers     = cut("private_servers", "id", "name", "universe_id")
	impUserAssets  = cut("user_assets", "user_id", "instance_id", "asset_id", "asset_type", "serial_number", "collectible_instance_id", "collectible_state", "added_at")
	impUserBadges  = cut("user_badges", "user_id", "badge_id", "added_at")
	impUserPasses  = cut("user_game_passes", "user_id", "game_pass_id", "added_at")
	impUserServers = cut("user_private_servers", "user_id", "private_server_id", "added_at")
	impAPIKeys     = cut("api_keys", "id", "owner_user_id", "name", "secret_hash", "scopes", "allow_ips", "expires_at", "enabled", "created_at", "last_used_at")
	impSessions    = cut("sessions", "id_hash", "user_id", "csrf_secret", "created_at", "expires_at")
	impApps        = cut("oauth_apps", "client_id", "secret_hash", "name", "owner_user_id", "redirect_uris", "scopes", "public", "created_at")
	impAuths       = cut("oauth_authorizations", "id", "user_id", "client_id", "scopes", "created_at", "updated_at", "revoked_at")
	impRequests    = cut("oauth_requests", "id", "client_id", "redirect_uri", "scopes", "response_type", "state", "nonce", "prompt",
		"code_challenge", "code_challenge_method", "created_at", "expires_at", "user_id", "auth_time", "authorization_id", "code_hash",
		"code_expires_at", "client_addr")
	impOSessions     = cut("oauth_sessions", "id", "authorization_id", "scopes", "created_at", "revoked_at")
	impUsedCodes     = cut("oauth_used_codes", "code_hash", "session_id", "used_at")
	impRefresh       = cut("oauth_refresh_tokens", "hash", "id", "session_id", "created_at", "expires_at", "used_at")
	impAccess        = cut("oauth_access_tokens", "id", "session_id", "expires_at")
	impFriends       = cut("friends", "user_id", "friend_id", "created_at")
	impBundles       = cut("bundles", "id", "name", "bundle_type", "creator_user_id", "created_at")
	impBundleAssets  = cut("bundle_assets", "bundle_id", "asset_id")
	impUserBundles   = cut("user_bundles", "user_id", "bundle_id", "added_at")
	impPackageAssets = cut("package_assets", "package_id", "asset_id")
	impPrices        = cut("asset_prices", "asset_id", "recent_average_price", "original_price", "asset_stock")
	impPlaces        = cut("places", "asset_id", "universe_id", "price_in_robux")
	impPlaceTabs     = cut("place_tabs", "user_id", "tab", "position", "place_id", "added_at")
	impFavorites     = cut("favorites", "user_id", "item_type", "item_id", "added_at")
	impCollections   = cut("collections", "user_id", "item_type", "item_id", "added_at")
)

// rowsOf is the rows of one table Import writes.
type rowsOf struct {
	t   *store.Table
	n   int
	row func(i int, r []any)
}

// Import implements store.Store: the batch's domain rows become rows of
// the registry's tables (parents first), written by the engine's bulk
// writer in one transaction, skipping rows already present. Then the
// counters move past what the batch holds (never back): the instance-id
// counter, every PostgreSQL identity (imported rows carry their ids), and
// the assets' serial counters; and passwords are set where none is.
//
// On PostgreSQL a batch with instance or key ids first takes api_keys and
// user_assets in SHARE ROW EXCLUSIVE mode (the order RaiseCounters takes
// them in): that waits for every running Grant or CreateAPIKey (ROW
// EXCLUSIVE) to commit and holds new ones until Import commits, so no
// nextval runs between reading a sequence and setting it.
func (s *Store) Import(ctx context.Context, b store.Batch) error {
	byKind := map[inventory.Kind][]store.Ownership{}
	for _, r := range b.Ownerships {
		if !r.Item.Kind.Valid() {
			return fmt.Errorf("import: invalid kind %d", r.Item.Kind)
		}
		if r.Item.ID <= 0 {
			return fmt.Errorf("import: %s of user %d needs an id", r.Item.Kind, r.UserID)
		}
		byKind[r.Item.Kind] = append(byKind[r.Item.Kind], r)
	}
	for _, k := range b.APIKeys {
		if k.ID <= 0 {
			return fmt.Errorf("import: api key %q of user %d needs an id", k.Name, k.OwnerID)
		}
	}
	for _, e := range b.PlaceEntries {
		if e.Position <= 0 {
			return fmt.Errorf("import: place %d in tab %d of user %d needs a position", e.PlaceID, e.Tab, e.UserID)
		}
	}
	ids := len(byKind[inventory.KindAsset]) > 0 || b.LastInstanceID > 0 || len(b.APIKeys) > 0
	return s.tx(ctx, func(q Querier) error {
		if ids {
			for _, t := range []string{"api_keys", "user_assets"} {
				if err := s.lockTable(ctx, q, t, "SHARE ROW EXCLUSIVE"); err != nil {
					return fmt.Errorf("import: %w", err)
				}
			}
		}
		for _, in := range importRows(b, byKind) {
			if in.n == 0 {
				continue
			}
			if err := s.bulk.Insert(ctx, q, in.t, in.n, in.row); err != nil {
				return fmt.Errorf("import %s: %w", in.t.Name, err)
			}
		}
		if ids {
			if err := s.bulk.RaiseCounters(ctx, q, map[string]int64{"user_asset_instance": b.LastInstanceID}); err != nil {
				return fmt.Errorf("import counters: %w", err)
			}
		}
		serials := maps.Clone(b.LastSerials)
		for _, r := range byKind[inventory.KindAsset] {
			if c := r.Item.Collectible; c != nil && c.SerialNumber > serials[r.Item.AssetID] {
				if serials == nil {
					serials = map[int64]int64{}
				}
				serials[r.Item.AssetID] = c.SerialNumber
			}
		}
		err := updatePairs(ctx, q, `UPDATE assets SET last_serial = v.column2 FROM (VALUES %s) AS v
			WHERE assets.id = v.column1 AND assets.last_serial < v.column2`, "BIGINT", serials)
		if err != nil {
			return fmt.Errorf("import serial counters: %w", err)
		}
		err = updatePairs(ctx, q, `UPDATE users SET password_hash = v.column2 FROM (VALUES %s) AS v
			WHERE users.id = v.column1 AND users.password_hash IS NULL`, "TEXT", b.Passwords)
		if err != nil {
			return fmt.Errorf("import passwords: %w", err)
		}
		return nil
	})
}

// pairsPerUpdate is how many (key, value) rows one updatePairs statement
// carries.
const pairsPerUpdate = 100

// updatePairs runs update, whose %s is a VALUES list of (key, value) rows
// (v.column1 and v.column2 on both engines), for every entry of m in key
// order, pairsPerUpdate a statement. The last statement repeats its last
// pair to fill up: an update by key does not mind, and the text stays the
// same for the statement caches.
func updatePairs[V any](ctx context.Context, q Querier, update, valueType string, m map[int64]V) error {
	if len(m) == 0 {
		return nil
	}
	var tuples strings.Builder
	for i := range pairsPerUpdate {
		if i > 0 {
			tuples.WriteString(", ")
		}
		fmt.Fprintf(&tuples, "(CAST($%d AS BIGINT), CAST($%d AS %s))", 2*i+1, 2*i+2, valueType)
	}
	stmt := fmt.Sprintf(update, tuples.String())
	keys := slices.Sorted(maps.Keys(m))
	args := make([]any, 2*pairsPerUpdate)
	for lo := 0; lo < len(keys); lo += pairsPerUpdate {
		for i := range pairsPerUpdate {
			k := keys[min(lo+i, len(keys)-1)]
			args[2*i], args[2*i+1] = k, m[k]
		}
		if _, err := q.Exec(ctx, stmt, args...); err != nil {
			return err
		}
	}
	return nil
}

// importRows maps the batch to the rows of each table, in registry order.
func importRows(b store.Batch, byKind map[inventory.Kind][]store.Ownership) []rowsOf {
	names := slices.Sorted(maps.Keys(b.Secrets))
	type pair struct{ a, b int64 }
	var bundleAssets, packageAssets []pair
	for _, x := range b.Bundles {
		for _, a := range x.AssetIDs {
			bundleAssets = append(bundleAssets, pair{x.ID, a})
		}
	}
	for _, x := range b.Packages {
		for _, a := range x.AssetIDs {
			packageAssets = append(packageAssets, pair{x.PackageID, a})
		}
	}
	assets, badges, passes, servers := byKind[inventory.KindAsset], byKind[inventory.KindBadge], byKind[inventory.KindGamePass], byKind[inventory.KindPrivateServer]
	userItems := func(v []store.UserItem, added func(store.UserItem) any) func(i int, r []any) {
		return func(i int, r []any) {
			x := v[i]
			r[0], r[1], r[2], r[3] = x.UserID, int64(x.Item.Type), x.Item.ID, added(x)
		}
	}
	owned := func(v []store.Ownership) func(i int, r []any) {
		return func(i int, r []any) { r[0], r[1], r[2] = v[i].UserID, v[i].Item.ID, millis(v[i].Item.AddTime) }
	}
	return []rowsOf{
		{impSettings, len(names), func(i int, r []any) { r[0], r[1] = names[i], nonNil(b.Secrets[names[i]]) }},
		{impUsers, len(b.Users), func(i int, r []any) {
			u := b.Users[i]
			r[0], r[1], r[2], r[3], r[4] = u.ID, u.Name, u.DisplayName, u.Created.UnixMilli(), string(u.Visibility)
			r[5], r[6] = u.Banned, u.Description
		}},
		{impAssets, len(b.Assets), func(i int, r []any) {
			x := b.Assets[i]
			r[0], r[1], r[2], r[3], r[5], r[6] = x.ID, x.Name, int64(x.LegacyType), x.CreatorID, x.Serialized, x.Created.UnixMilli()
			if x.Collectible {
				r[4] = x.CollectibleItemID
			}
		}},
		{impBadges, len(b.Badges), func(i int, r []any) { x := b.Badges[i]; r[0], r[1], r[2] = x.ID, x.Name, x.UniverseID }},
		{impPasses, len(b.GamePasses), func(i int, r []any) { x := b.GamePasses[i]; r[0], r[1], r[2] = x.ID, x.Name, x.UniverseID }},
		{impServers, len(b.PrivateServers), func(i int, r []any) { x := b.PrivateServers[i]; r[0], r[1], r[2] = x.ID, x.Name, x.UniverseID }},
		{impUserAssets, len(assets), func(i int, r []any) {
			it := &assets[i].Item
			r[0], r[1], r[2], r[3], r[7] = assets[i].UserID, it.ID, it.AssetID, int64(it.AssetType), millis(it.AddTime)
			if c := it.Collectible; c != nil {
				r[4], r[5], r[6] = intOrNull(c.SerialNumber), c.InstanceID, int64(c.State)
			}
		}},
		{impUserBadges, len(badges), owned(badges)},
		{impUserPasses, len(passes), owned(passes)},
		{impUserServers, len(servers), owned(servers)},
		{impAPIKeys, len(b.APIKeys), func(i int, r []any) {
			k := &b.APIKeys[i]
			r[0], r[1], r[2], r[3], r[4], r[5] = k.ID, k.OwnerID, k.Name, k.Hash[:], strings.Join(k.Scopes, " "), joinIPs(k.AllowIPs)
			r[6], r[7], r[8], r[9] = millis(k.Expires), k.Enabled, k.Created.UnixMilli(), millis(k.LastUsed)
		}},
		{impSessions, len(b.Sessions), func(i int, r []any) {
			x := &b.Sessions[i]
			r[0], r[1], r[2], r[3], r[4] = x.Hash[:], x.UserID, nonNil(x.CSRFSecret), x.Created.UnixMilli(), x.Expires.UnixMilli()
		}},
		{impApps, len(b.OAuthApps), func(i int, r []any) {
			x := b.OAuthApps[i]
			r[0], r[1], r[2], r[3] = x.ClientID, blobOrNull(hashOrNil(x.SecretHash)), x.Name, x.OwnerID
			r[4], r[5], r[6], r[7] = joinLines(x.RedirectURIs), strings.Join(x.Scopes, " "), x.Public, x.Created.UnixMilli()
		}},
		{impAuths, len(b.OAuthAuthorizations), func(i int, r []any) {
			x := b.OAuthAuthorizations[i]
			r[0], r[1], r[2], r[3] = x.ID, x.UserID, x.ClientID, strings.Join(x.Scopes, " ")
			r[4], r[5], r[6] = x.Created.UnixMilli(), x.Updated.UnixMilli(), millis(x.Revoked)
		}},
		{impRequests, len(b.OAuthRequests), func(i int, r []any) {
			x := b.OAuthRequests[i]
			r[0], r[1], r[2], r[3], r[4], r[5] = x.ID, x.ClientID, x.RedirectURI, strings.Join(x.Scopes, " "), x.ResponseType, x.State
			r[6], r[7], r[8], r[9] = x.Nonce, strings.Join(x.Prompt, " "), x.CodeChallenge, x.CodeChallengeMethod
			r[10], r[11], r[12], r[13] = x.Created.UnixMilli(), x.Expires.UnixMilli(), intOrNull(x.UserID), millis(x.AuthTime)
			r[14], r[15], r[16], r[17] = textOrNull(x.AuthorizationID), blobOrNull(hashOrNil(x.Code)), millis(x.CodeExpires), x.ClientAddr
		}},
		{impOSessions, len(b.OAuthSessions), func(i int, r []any) {
			x := b.OAuthSessions[i]
			r[0], r[1], r[2], r[3], r[4] = x.ID, x.AuthorizationID, strings.Join(x.Scopes, " "), x.Created.UnixMilli(), millis(x.Revoked)
		}},
		{impUsedCodes, len(b.OAuthUsedCodes), func(i int, r []any) {
			x := &b.OAuthUsedCodes[i]
			r[0], r[1], r[2] = x.Hash[:], x.SessionID, x.Used.UnixMilli()
		}},
		{impRefresh, len(b.OAuthRefreshTokens), func(i int, r []any) {
			x := &b.OAuthRefreshTokens[i]
			r[0], r[1], r[2], r[3], r[4], r[5] = x.Hash[:], x.ID, x.SessionID, x.Created.UnixMilli(), x.Expires.UnixMilli(), millis(x.Used)
		}},
		{impAccess, len(b.OAuthAccessTokens), func(i int, r []any) {
			x := b.OAuthAccessTokens[i]
			r[0], r[1], r[2] = x.ID, x.SessionID, x.Expires.UnixMilli()
		}},
		{impFriends, 2 * len(b.Friends), func(i int, r []any) { // both directions
			f := b.Friends[i/2]
			if i%2 == 1 {
				f.A, f.B = f.B, f.A
			}
			r[0], r[1], r[2] = f.A, f.B, f.Created.UnixMilli()
		}},
		{impBundles, len(b.Bundles), func(i int, r []any) {
			x := b.Bundles[i]
			r[0], r[1], r[2], r[3], r[4] = x.ID, x.Name, int64(x.Type), x.CreatorID, x.Created.UnixMilli()
		}},
		{impBundleAssets, len(bundleAssets), func(i int, r []any) { r[0], r[1] = bundleAssets[i].a, bundleAssets[i].b }},
		{impUserBundles, len(b.BundleOwnerships), func(i int, r []any) {
			x := b.BundleOwnerships[i]
			r[0], r[1], r[2] = x.UserID, x.BundleID, millis(x.Added)
		}},
		{impPackageAssets, len(packageAssets), func(i int, r []any) { r[0], r[1] = packageAssets[i].a, packageAssets[i].b }},
		{impPrices, len(b.AssetPrices), func(i int, r []any) {
			x := b.AssetPrices[i]
			r[0], r[1], r[2], r[3] = x.AssetID, x.RecentAveragePrice, optInt(x.OriginalPrice), optInt(x.AssetStock)
		}},
		{impPlaces, len(b.Places), func(i int, r []any) {
			x := b.Places[i]
			r[0], r[1], r[2] = x.AssetID, x.UniverseID, optInt(x.PriceInRobux)
		}},
		{impPlaceTabs, len(b.PlaceEntries), func(i int, r []any) {
			x := b.PlaceEntries[i]
			r[0], r[1], r[2], r[3], r[4] = x.UserID, int64(x.Tab), x.Position, x.PlaceID, millis(x.Added)
		}},
		{impFavorites, len(b.Favorites), userItems(b.Favorites, func(x store.UserItem) any { return millis(x.Added) })},
		{impCollections, len(b.Collections), userItems(b.Collections, func(x store.UserItem) any { return x.Added.UnixMilli() })},
	}
}

// blobOrNull is b as a value, NULL (nil) for a nil slice: a nil []byte in
// an interface is not nil.
func blobOrNull(b []byte) any {
	if b == nil {
		return nil
	}
	return b
}

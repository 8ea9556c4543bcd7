package store

import (
	"fmt"
	"slices"
	"strings"
)

// Kind is how a column's values are read, written and hashed, whatever the
// engine stores: an int is an int64, text a string, a bool a bool (SQLite's
// 0/1 as much as PostgreSQL's boolean), a blob a []byte. NULL is nil.
type Kind uint8

// The column kinds.
const (
	KindInt Kind = iota + 1
	KindText
	KindBool
	KindBlob
)

var kindNames = map[string]Kind{"int": KindInt, "text": KindText, "bool": KindBool, "blob": KindBlob}

func (k Kind) String() string {
	switch k {
	case KindInt:
		return "int"
	case KindText:
		return "text"
	case KindBool:
		return "bool"
	case KindBlob:
		return "blob"
	}
	return fmt.Sprintf("kind(%d)", uint8(k))
}

// Column is one column of a registered table.
type Column struct {
	Name     string
	Kind     Kind
	Nullable bool
}

// Table is one table an installation keeps: its name, its key (the order
// rows are copied and hashed in) and every column.
type Table struct {
	Name string
	Key  []string
	Cols []Column
}

// T defines a table from its name, its comma-separated key columns and its
// columns as "name kind", "?" after the kind marking a NULL-able column.
// It panics on a malformed definition: the registry is constant.
func T(name, key string, cols ...string) Table {
	t := Table{Name: name}
	for _, k := range strings.Split(key, ",") {
		t.Key = append(t.Key, strings.TrimSpace(k))
	}
	for _, c := range cols {
		col, kind, ok := strings.Cut(c, " ")
		nullable := strings.HasSuffix(kind, "?")
		k, known := kindNames[strings.TrimSuffix(kind, "?")]
		if !ok || !known {
			panic(fmt.Sprintf("store: table %s: bad column %q", name, c))
		}
		t.Cols = append(t.Cols, Column{Name: col, Kind: k, Nullable: nullable})
	}
	for _, k := range t.Key {
		if t.Col(k) == nil {
			panic(fmt.Sprintf("store: table %s: key column %s is not a column", name, k))
		}
	}
	return t
}

// Col returns the column named name, or nil.
func (t *Table) Col(name string) *Column {
	for i := range t.Cols {
		if t.Cols[i].Name == name {
			return &t.Cols[i]
		}
	}
	return nil
}

// ColumnNames returns the columns' names, comma separated, in order.
func (t *Table) ColumnNames() string {
	names := make([]string, len(t.Cols))
	for i, c := range t.Cols {
		names[i] = c.Name
	}
	return strings.Join(names, ", ")
}

// Tables is every table an installation keeps, parents first: the order
// migrate copies them in, so foreign keys hold at every step. A table or a
// column added by a migration needs its line here, or the schema parity
// check (CheckSchema, run by migrate and the tests) fails.
var Tables = []Table{
	T("settings", "name", "name text", "value blob"),
	T("users", "id", "id int", "name text", "display_name text", "created_at int", "visibility text", "password_hash text?",
		"banned bool", "description text"),
	T("assets", "id", "id int", "name text", "asset_type_id int", "creator_user_id int", "collectible_item_id text?",
		"serialized bool", "created_at int", "last_serial int"),
	T("badges", "id", "id int", "name text", "universe_id int"),
	T("game_passes", "id", "id int", "name text", "universe_id int"),
	T("private_servers", "id", "id int", "name text", "universe_id int"),
	T("user_assets", "user_id, instance_id", "user_id int", "instance_id int", "asset_id int", "asset_type int",
		"serial_number int?", "collectible_instance_id text?", "collectible_state int?", "added_at int?"),
	T("user_badges", "user_id, badge_id", "user_id int", "badge_id int", "added_at int?"),
	T("user_game_passes", "user_id, game_pass_id", "user_id int", "game_pass_id int", "added_at int?"),
	T("user_private_servers", "user_id, private_server_id", "user_id int", "private_server_id int", "added_at int?"),
	T("api_keys", "id", "id int", "owner_user_id int", "name text", "secret_hash blob", "scopes text", "allow_ips text",
		"expires_at int?", "enabled bool", "created_at int", "last_used_at int?"),
	T("sessions", "id_hash", "id_hash blob", "user_id int", "csrf_secret blob", "created_at int", "expires_at int"),
	T("oauth_apps", "client_id", "client_id text", "secret_hash blob?", "name text", "owner_user_id int", "redirect_uris text",
		"scopes text", "public bool", "created_at int"),
	T("oauth_authorizations", "id", "id text", "user_id int", "client_id text", "scopes text", "created_at int",
		"updated_at int", "revoked_at int?"),
	// client_addr (00006 in SQLite, 00004 in PostgreSQL) was the column the
	// hand-written export forgot: the registry and its parity check exist so
	// that cannot happen again.
	T("oauth_requests", "id", "id text", "client_id text", "redirect_uri text", "scopes text", "response_type text",
		"state text", "nonce text", "prompt text", "code_challenge text", "code_challenge_method text", "created_at int",
		"expires_at int", "user_id int?", "auth_time int?", "authorization_id text?", "code_hash blob?", "code_expires_at int?",
		"client_addr text"),
	T("oauth_sessions", "id", "id text", "authorization_id text", "scopes text", "created_at int", "revoked_at int?"),
	T("oauth_used_codes", "code_hash", "code_hash blob", "session_id text", "used_at int"),
	T("oauth_refresh_tokens", "hash", "hash blob", "id text", "session_id text", "created_at int", "expires_at int", "used_at int?"),
	T("oauth_access_tokens", "id", "id text", "session_id text", "expires_at int"),
	T("friends", "user_id, friend_id", "user_id int", "friend_id int", "created_at int"),
	T("bundles", "id", "id int", "name text", "bundle_type int", "creator_user_id int", "created_at int"),
	T("bundle_assets", "bundle_id, asset_id", "bundle_id int", "asset_id int"),
	T("user_bundles", "user_id, bundle_id", "user_id int", "bundle_id int", "added_at int?"),
	T("package_assets", "package_id, asset_id", "package_id int", "asset_id int"),
	T("asset_prices", "asset_id", "asset_id int", "recent_average_price int", "original_price int?", "asset_stock int?"),
	T("places", "asset_id", "asset_id int", "universe_id int", "price_in_robux int?"),
	T("place_tabs", "user_id, tab, position", "user_id int", "tab int", "position int", "place_id int", "added_at int?"),
	T("favorites", "user_id, item_type, item_id", "user_id int", "item_type int", "item_id int", "added_at int?"),
	T("collections", "user_id, item_type, item_id", "user_id int", "item_type int", "item_id int", "added_at int"),
	T("groups", "id", "id int", "name text", "description text", "owner_user_id int?", "public_entry bool", "locked bool",
		"verified bool", "created_at int", "updated_at int"),
	T("group_roles", "id", "id int", "group_id int", "name text", "description text", "rank int", "permissions int",
		"created_at int", "updated_at int"),
	T("group_memberships", "group_id, user_id", "group_id int", "user_id int", "role_id int", "created_at int", "updated_at int"),
	T("group_join_requests", "group_id, user_id", "group_id int", "user_id int", "created_at int"),
	T("group_shouts", "group_id", "group_id int", "content text", "poster_user_id int?", "created_at int", "updated_at int"),
}

// Counter is a counter behind ids that are never handed out twice: a
// sequence row in SQLite (table sequences), the identity sequence of
// Table.Column in PostgreSQL. Its value is the last id handed out.
type Counter struct {
	Name          string
	Table, Column string
}

// Counters are the installation's counters. Migrate copies them as one
// pseudo-table, "counters", raising (never lowering) the destination's.
var Counters = []Counter{
	{Name: "user_asset_instance", Table: "user_assets", Column: "instance_id"},
}

// CountersTable names the counters in a Digest.
const CountersTable = "counters"

// internalTables are tables of a schema that are not copied as rows:
// goose's migration record, and SQLite's counters (copied as Counters).
var internalTables = map[string]bool{"goose_db_version": true, "sequences": true}

// SchemaColumn is a column as an engine's schema declares it.
type SchemaColumn struct {
	Table, Column string
	Type          string // as declared, for messages
	Kinds         []Kind // the kinds the type holds (SQLite's INTEGER holds ints and bools)
	Nullable      bool
}

// CheckSchema compares a schema with the registry and returns, one line
// each, every table and column that is not in the registry, is in the
// registry but not in the schema, or differs in kind or nullability. Nothing
// means migrate copies every value the schema can hold.
func CheckSchema(schema []SchemaColumn) []string {
	var out []string
	seen := map[string]map[string]bool{}
	for _, c := range schema {
		if internalTables[c.Table] {
			continue
		}
		t := tableNamed(c.Table)
		if t == nil {
			if seen[c.Table] == nil {
				out = append(out, fmt.Sprintf("table %s is not in the registry (internal/store/tables.go)", c.Table))
				seen[c.Table] = map[string]bool{}
			}
			continue
		}
		if seen[c.Table] == nil {
			seen[c.Table] = map[string]bool{}
		}
		seen[c.Table][c.Column] = true
		rc := t.Col(c.Column)
		switch {
		case rc == nil:
			out = append(out, fmt.Sprintf("column %s.%s (%s) is not in the registry (internal/store/tables.go)", c.Table, c.Column, c.Type))
		case !slices.Contains(c.Kinds, rc.Kind):
			out = append(out, fmt.Sprintf("column %s.%s: the registry says %s, the schema %s", c.Table, c.Column, rc.Kind, c.Type))
		case rc.Nullable != c.Nullable:
			out = append(out, fmt.Sprintf("column %s.%s: the registry says %s, the schema %s", c.Table, c.Column, nullWord(rc.Nullable), nullWord(c.Nullable)))
		}
	}
	for _, t := range Tables {
		if seen[t.Name] == nil {
			out = append(out, fmt.Sprintf("table %s of the registry is not in the schema", t.Name))
			continue
		}
		for _, c := range t.Cols {
			if !seen[t.Name][c.Name] {
				out = append(out, fmt.Sprintf("column %s.%s of the registry is not in the schema", t.Name, c.Name))
			}
		}
	}
	return out
}

func tableNamed(name string) *Table {
	for i := range Tables {
		if Tables[i].Name == name {
			return &Tables[i]
		}
	}
	return nil
}

func nullWord(nullable bool) string {
	if nullable {
		return "NULL-able"
	}
	return "NOT NULL"
}

// Package filter parses the Open Cloud inventory filter grammar
// (spec 1.3): clauses "field=value" separated by ';', list values separated
// by ','. Type fields and ID fields can't be combined.
package filter

import (
	"fmt"
	"slices"
	"strconv"
	"strings"

	"github.com/invcloud/invcloud/internal/inventory"
)

// MaxIDs is the most IDs one ID field may list. Roblox documents no limit;
// 100 matches the largest page, so one page can answer any ownership check.
const MaxIDs = 100

// MaxLength bounds the raw filter so parsing stays cheap on hostile input.
const MaxLength = 8192

// Field names as they appear on the wire.
const (
	fieldAssetTypes       = "inventoryItemAssetTypes"
	fieldBadges           = "badges"
	fieldGamePasses       = "gamePasses"
	fieldPrivateServers   = "privateServers"
	fieldOnlyCollectibles = "onlyCollectibles"
	fieldAssetIDs         = "assetIds"
	fieldBadgeIDs         = "badgeIds"
	fieldGamePassIDs      = "gamePassIds"
	fieldPrivateServerIDs = "privateServerIds"
)

var typeFields = map[string]bool{
	fieldAssetTypes: true, fieldBadges: true, fieldGamePasses: true,
	fieldPrivateServers: true, fieldOnlyCollectibles: true,
}

var idFields = map[string]bool{
	fieldAssetIDs: true, fieldBadgeIDs: true, fieldGamePassIDs: true, fieldPrivateServerIDs: true,
}

// Filter is a parsed inventory filter. The zero Filter selects the whole
// inventory.
type Filter struct {
	// Type fields. AssetTypes is empty when inventoryItemAssetTypes is absent.
	AssetTypes       inventory.TypeSet
	AllAssetTypes    bool // inventoryItemAssetTypes=*
	OnlyCollectibles bool
	Badges           bool
	GamePasses       bool
	PrivateServers   bool

	// ID fields, sorted and without duplicates.
	AssetIDs         []int64
	BadgeIDs         []int64
	GamePassIDs      []int64
	PrivateServerIDs []int64
}

// Error describes what is wrong with a filter.
type Error struct{ Msg string }

func (e *Error) Error() string { return e.Msg }

func errorf(format string, args ...any) error { return &Error{Msg: fmt.Sprintf(format, args...)} }

// Parse parses a raw filter value. An empty string is the zero Filter.
//
// Booleans are accepted in any case ("True" is what some clients send) and
// white space around names and values is ignored; anything else unknown,
// repeated, empty or malformed is an error naming the offending part.
func Parse(s string) (Filter, error) {
	var f Filter
	if len(s) > MaxLength {
		return f, errorf("filter is longer than %d characters", MaxLength)
	}
	if strings.TrimSpace(s) == "" {
		return f, nil
	}
	seen := map[string]bool{}
	var typeField, idField string
	for i, clause := range strings.Split(s, ";") {
		name, value, ok := strings.Cut(clause, "=")
		name, value = strings.TrimSpace(name), strings.TrimSpace(value)
		switch {
		case strings.TrimSpace(clause) == "":
			return Filter{}, errorf("clause %d is empty", i+1)
		case !ok:
			return Filter{}, errorf("clause %q has no '='", clause)
		case name == "":
			return Filter{}, errorf("clause %q has no field name", clause)
		case !typeFields[name] && !idFields[name]:
			return Filter{}, errorf("unknown field %q", name)
		case seen[name]:
			return Filter{}, errorf("field %q is repeated", name)
		case value == "":
			return Filter{}, errorf("field %q has no value", name)
		}
		seen[name] = true
		if typeFields[name] && typeField == "" {
			typeField = name
		}
		if idFields[name] && idField == "" {
			idField = name
		}
		if typeField != "" && idField != "" {
			return Filter{}, errorf("type field %q and ID field %q can't be combined", typeField, idField)
		}
		var err error
		switch name {
		case fieldAssetTypes:
			err = f.parseAssetTypes(value)
		case fieldBadges:
			f.Badges, err = parseBool(name, value)
		case fieldGamePasses:
			f.GamePasses, err = parseBool(name, value)
		case fieldPrivateServers:
			f.PrivateServers, err = parseBool(name, value)
		case fieldOnlyCollectibles:
			f.OnlyCollectibles, err = parseBool(name, value)
		case fieldAssetIDs:
			f.AssetIDs, err = parseIDs(name, value)
		case fieldBadgeIDs:
			f.BadgeIDs, err = parseIDs(name, value)
		case fieldGamePassIDs:
			f.GamePassIDs, err = parseIDs(name, value)
		case fieldPrivateServerIDs:
			f.PrivateServerIDs, err = parseIDs(name, value)
		}
		if err != nil {
			return Filter{}, err
		}
	}
	if f.OnlyCollectibles && f.AssetTypes == 0 {
		return Filter{}, errorf("field %q must be used with %q", fieldOnlyCollectibles, fieldAssetTypes)
	}
	return f, nil
}

func parseBool(name, value string) (bool, error) {
	switch asciiUpper(value) {
	case "TRUE":
		return true, nil
	case "FALSE":
		return false, nil
	}
	return false, errorf("field %q must be true or false, not %q", name, value)
}

func (f *Filter) parseAssetTypes(value string) error {
	if value == "*" {
		f.AllAssetTypes, f.AssetTypes = true, inventory.AllTypes
		return nil
	}
	for _, v := range strings.Split(value, ",") {
		v = strings.TrimSpace(v)
		switch {
		case v == "":
			return errorf("field %q has an empty value in %q", fieldAssetTypes, value)
		case v == "*":
			return errorf("field %q can't combine '*' with asset types", fieldAssetTypes)
		}
		t, ok := inventory.ParseAssetType(asciiUpper(v))
		if !ok {
			return errorf("unknown asset type %q in field %q", v, fieldAssetTypes)
		}
		f.AssetTypes = f.AssetTypes.With(t)
	}
	return nil
}

// asciiUpper upper-cases ASCII letters only: strings.ToUpper would map
// lookalikes such as 'ı' and 'ſ' onto enum names.
func asciiUpper(s string) string {
	b := []byte(s)
	for i, c := range b {
		if 'a' <= c && c <= 'z' {
			b[i] = c - ('a' - 'A')
		}
	}
	return string(b)
}

func parseIDs(name, value string) ([]int64, error) {
	parts := strings.Split(value, ",")
	if len(parts) > MaxIDs {
		return nil, errorf("field %q lists %d IDs; at most %d are allowed", name, len(parts), MaxIDs)
	}
	ids := make([]int64, 0, len(parts))
	for _, p := range parts {
		p = strings.TrimSpace(p)
		id, err := strconv.ParseInt(p, 10, 64)
		if err != nil || id <= 0 || p[0] == '+' {
			if p == "" {
				return nil, errorf("field %q has an empty ID in %q", name, value)
			}
			return nil, errorf("field %q has an invalid ID %q: IDs are positive integers", name, p)
		}
		ids = append(ids, id)
	}
	slices.Sort(ids)
	return slices.Compact(ids), nil
}

// IsZero reports whether f selects the whole inventory.
func (f Filter) IsZero() bool {
	return f.AssetTypes == 0 && !f.Badges && !f.GamePasses && !f.PrivateServers &&
		f.AssetIDs == nil && f.BadgeIDs == nil && f.GamePassIDs == nil && f.PrivateServerIDs == nil
}

// NeedsInventoryRead reports whether f names something that only the owner's
// Inventory read permission may list: private servers, or purchased places
// asked for by name ("*" quietly leaves them out instead).
func (f Filter) NeedsInventoryRead() bool {
	return f.PrivateServers || f.PrivateServerIDs != nil ||
		(!f.AllAssetTypes && f.AssetTypes.Has(inventory.AssetTypePurchasedPlace))
}

// Query returns what f selects.
func (f Filter) Query() inventory.Query {
	if f.IsZero() {
		return inventory.Everything
	}
	q := inventory.Query{
		Assets:           inventory.Selector{Include: f.AssetTypes != 0},
		Types:            f.AssetTypes,
		OnlyCollectibles: f.OnlyCollectibles,
		Badges:           inventory.Selector{Include: f.Badges},
		GamePasses:       inventory.Selector{Include: f.GamePasses},
		PrivateServers:   inventory.Selector{Include: f.PrivateServers},
	}
	if f.AssetIDs != nil || f.BadgeIDs != nil || f.GamePassIDs != nil || f.PrivateServerIDs != nil {
		q = inventory.Query{
			Assets:         inventory.Selector{Include: f.AssetIDs != nil, IDs: f.AssetIDs},
			Types:          inventory.AllTypes,
			Badges:         inventory.Selector{Include: f.BadgeIDs != nil, IDs: f.BadgeIDs},
			GamePasses:     inventory.Selector{Include: f.GamePassIDs != nil, IDs: f.GamePassIDs},
			PrivateServers: inventory.Selector{Include: f.PrivateServerIDs != nil, IDs: f.PrivateServerIDs},
		}
	}
	return q
}

// String returns the canonical form of f: fields in a fixed order, false
// booleans dropped, lists sorted. Filters that select the same items in the
// same way have the same canonical form, and Parse(f.String()) equals f.
func (f Filter) String() string {
	var clauses []string
	add := func(name, value string) { clauses = append(clauses, name+"="+value) }
	switch {
	case f.AllAssetTypes:
		add(fieldAssetTypes, "*")
	case f.AssetTypes != 0:
		add(fieldAssetTypes, f.AssetTypes.String())
	}
	if f.OnlyCollectibles {
		add(fieldOnlyCollectibles, "true")
	}
	if f.Badges {
		add(fieldBadges, "true")
	}
	if f.GamePasses {
		add(fieldGamePasses, "true")
	}
	if f.PrivateServers {
		add(fieldPrivateServers, "true")
	}
	for _, l := range []struct {
		name string
		ids  []int64
	}{{fieldAssetIDs, f.AssetIDs}, {fieldBadgeIDs, f.BadgeIDs}, {fieldGamePassIDs, f.GamePassIDs}, {fieldPrivateServerIDs, f.PrivateServerIDs}} {
		if l.ids != nil {
			add(l.name, joinIDs(l.ids))
		}
	}
	return strings.Join(clauses, ";")
}

func joinIDs(ids []int64) string {
	var b strings.Builder
	for i, id := range ids {
		if i > 0 {
			b.WriteByte(',')
		}
		b.WriteString(strconv.FormatInt(id, 10))
	}
	return b.String()
}

package filter_test

import (
	"errors"
	"reflect"
	"strconv"
	"strings"
	"testing"

	"github.com/invcloud/invcloud/internal/filter"
	"github.com/invcloud/invcloud/internal/inventory"
)

// types builds a TypeSet from Open Cloud enum names; it fails the test binary
// on an unknown name so a typo can't silently shrink an expectation.
func types(names ...string) inventory.TypeSet {
	var s inventory.TypeSet
	for _, n := range names {
		t, ok := inventory.ParseAssetType(n)
		if !ok {
			panic("unknown asset type in test: " + n)
		}
		s = s.With(t)
	}
	return s
}

// idList returns "1,2,...,n" (or "v,v,...,v" n times when same is true).
func idList(n int, same bool) string {
	parts := make([]string, n)
	for i := range parts {
		if same {
			parts[i] = "7"
		} else {
			parts[i] = strconv.Itoa(i + 1)
		}
	}
	return strings.Join(parts, ",")
}

func seq(n int) []int64 {
	ids := make([]int64, n)
	for i := range ids {
		ids[i] = int64(i + 1)
	}
	return ids
}

var allNames = strings.Join(inventory.AssetTypeNames(), ",")

type validCase struct {
	name  string
	in    string
	want  filter.Filter
	canon string
}

// validCases holds well-formed filters with the Filter they parse to and its
// canonical form. The spec 1.3 examples come first, verbatim.
var validCases = []validCase{
	// --- spec 1.3 examples (patterns.md) ---
	{"spec all collectibles", "onlyCollectibles=true;inventoryItemAssetTypes=*",
		filter.Filter{AssetTypes: inventory.AllTypes, AllAssetTypes: true, OnlyCollectibles: true},
		"inventoryItemAssetTypes=*;onlyCollectibles=true"},
	{"spec listed types", "inventoryItemAssetTypes=HAT,CLASSIC_PANTS,TSHIRT_ACCESSORY",
		filter.Filter{AssetTypes: types("HAT", "CLASSIC_PANTS", "TSHIRT_ACCESSORY")},
		"inventoryItemAssetTypes=HAT,CLASSIC_PANTS,TSHIRT_ACCESSORY"},
	{"spec listed types or game passes", "inventoryItemAssetTypes=HAT,CLASSIC_PANTS,TSHIRT_ACCESSORY;gamePasses=true;badges=false",
		filter.Filter{AssetTypes: types("HAT", "CLASSIC_PANTS", "TSHIRT_ACCESSORY"), GamePasses: true},
		"inventoryItemAssetTypes=HAT,CLASSIC_PANTS,TSHIRT_ACCESSORY;gamePasses=true"},
	{"spec asset ids", "assetIds=1,2,3,4",
		filter.Filter{AssetIDs: []int64{1, 2, 3, 4}},
		"assetIds=1,2,3,4"},
	{"spec all id fields", "assetIds=1,2,3,4;badgeIds=1,2,3,4;gamePassIds=1,2,3,4;privateServerIds=1,2,3,4",
		filter.Filter{AssetIDs: []int64{1, 2, 3, 4}, BadgeIDs: []int64{1, 2, 3, 4}, GamePassIDs: []int64{1, 2, 3, 4}, PrivateServerIDs: []int64{1, 2, 3, 4}},
		"assetIds=1,2,3,4;badgeIds=1,2,3,4;gamePassIds=1,2,3,4;privateServerIds=1,2,3,4"},
	// --- spec 1.3 guide examples (inventory.md) ---
	{"guide asset ids", "assetIds=62724852,1028595,4773588762",
		filter.Filter{AssetIDs: []int64{1028595, 62724852, 4773588762}},
		"assetIds=1028595,62724852,4773588762"},
	{"guide collectible hats and pants", "onlyCollectibles=true;inventoryItemAssetTypes=HAT,CLASSIC_PANTS",
		filter.Filter{AssetTypes: types("HAT", "CLASSIC_PANTS"), OnlyCollectibles: true},
		"inventoryItemAssetTypes=HAT,CLASSIC_PANTS;onlyCollectibles=true"},
	{"guide badge game pass server ids", "badgeIds=111111,222222;gamePassIds=777777;privateServerIds=999999",
		filter.Filter{BadgeIDs: []int64{111111, 222222}, GamePassIDs: []int64{777777}, PrivateServerIDs: []int64{999999}},
		"badgeIds=111111,222222;gamePassIds=777777;privateServerIds=999999"},
	{"guide game passes and badges", "gamePasses=true;badges=true",
		filter.Filter{Badges: true, GamePasses: true},
		"badges=true;gamePasses=true"},

	// --- whole inventory ---
	{"empty", "", filter.Filter{}, ""},
	{"blank", "  \t ", filter.Filter{}, ""},
	{"badges false alone is the whole inventory", "badges=false", filter.Filter{}, ""},
	{"every boolean false", "badges=false;gamePasses=FALSE;privateServers=False;onlyCollectibles=false", filter.Filter{}, ""},

	// --- booleans in any case ---
	{"python True", "onlyCollectibles=True;inventoryItemAssetTypes=HAT",
		filter.Filter{AssetTypes: types("HAT"), OnlyCollectibles: true},
		"inventoryItemAssetTypes=HAT;onlyCollectibles=true"},
	{"upper TRUE", "badges=TRUE", filter.Filter{Badges: true}, "badges=true"},
	{"mixed tRuE", "gamePasses=tRuE", filter.Filter{GamePasses: true}, "gamePasses=true"},
	{"private servers", "privateServers=true", filter.Filter{PrivateServers: true}, "privateServers=true"},
	{"false does not hide a true", "badges=False;privateServers=true", filter.Filter{PrivateServers: true}, "privateServers=true"},

	// --- white space ---
	{"spaces around names and values", " badges = true ; gamePasses=\ttrue\n",
		filter.Filter{Badges: true, GamePasses: true}, "badges=true;gamePasses=true"},
	{"spaces around ids", " assetIds = 3 , 1 ,\t2 ",
		filter.Filter{AssetIDs: []int64{1, 2, 3}}, "assetIds=1,2,3"},
	{"spaces around asset types", "inventoryItemAssetTypes= HAT , CLASSIC_PANTS ",
		filter.Filter{AssetTypes: types("HAT", "CLASSIC_PANTS")}, "inventoryItemAssetTypes=HAT,CLASSIC_PANTS"},
	{"spaces around star", "inventoryItemAssetTypes= * ",
		filter.Filter{AssetTypes: inventory.AllTypes, AllAssetTypes: true}, "inventoryItemAssetTypes=*"},

	// --- ids: sorted, deduplicated, canonical digits ---
	{"ids sorted and deduplicated", "assetIds=5,3,5,1,3",
		filter.Filter{AssetIDs: []int64{1, 3, 5}}, "assetIds=1,3,5"},
	{"leading zeros", "badgeIds=007,7,0010",
		filter.Filter{BadgeIDs: []int64{7, 10}}, "badgeIds=7,10"},
	{"max int64", "gamePassIds=9223372036854775807,1",
		filter.Filter{GamePassIDs: []int64{1, 9223372036854775807}}, "gamePassIds=1,9223372036854775807"},
	{"exactly MaxIDs ids", "privateServerIds=" + idList(filter.MaxIDs, false),
		filter.Filter{PrivateServerIDs: seq(filter.MaxIDs)}, "privateServerIds=" + idList(filter.MaxIDs, false)},
	{"MaxIDs duplicates", "assetIds=" + idList(filter.MaxIDs, true),
		filter.Filter{AssetIDs: []int64{7}}, "assetIds=7"},
	{"field order does not matter", "privateServerIds=9;assetIds=2",
		filter.Filter{AssetIDs: []int64{2}, PrivateServerIDs: []int64{9}}, "assetIds=2;privateServerIds=9"},

	// --- asset types ---
	{"types deduplicated and in enum order", "inventoryItemAssetTypes=TSHIRT_ACCESSORY,HAT,CLASSIC_PANTS,HAT",
		filter.Filter{AssetTypes: types("HAT", "CLASSIC_PANTS", "TSHIRT_ACCESSORY")},
		"inventoryItemAssetTypes=HAT,CLASSIC_PANTS,TSHIRT_ACCESSORY"},
	{"star alone", "inventoryItemAssetTypes=*",
		filter.Filter{AssetTypes: inventory.AllTypes, AllAssetTypes: true}, "inventoryItemAssetTypes=*"},
	{"purchased place", "inventoryItemAssetTypes=PURCHASED_PLACE",
		filter.Filter{AssetTypes: types("PURCHASED_PLACE")}, "inventoryItemAssetTypes=PURCHASED_PLACE"},
	{"unspecified is a member of the enum", "inventoryItemAssetTypes=INVENTORY_ITEM_ASSET_TYPE_UNSPECIFIED",
		filter.Filter{AssetTypes: types("INVENTORY_ITEM_ASSET_TYPE_UNSPECIFIED")},
		"inventoryItemAssetTypes=INVENTORY_ITEM_ASSET_TYPE_UNSPECIFIED"},
	// Every name listed is not '*': it keeps AllAssetTypes false (and so
	// asks for purchased places by name).
	{"every name listed", "inventoryItemAssetTypes=" + allNames,
		filter.Filter{AssetTypes: inventory.AllTypes}, "inventoryItemAssetTypes=" + allNames},
	// Parse upper-cases asset type names on purpose (strings.ToUpper).
	{"ascii lower-case type names", "inventoryItemAssetTypes=hat,Classic_Pants",
		filter.Filter{AssetTypes: types("HAT", "CLASSIC_PANTS")}, "inventoryItemAssetTypes=HAT,CLASSIC_PANTS"},
	{"all type fields", "privateServers=true;gamePasses=true;badges=true;onlyCollectibles=true;inventoryItemAssetTypes=HAT",
		filter.Filter{AssetTypes: types("HAT"), OnlyCollectibles: true, Badges: true, GamePasses: true, PrivateServers: true},
		"inventoryItemAssetTypes=HAT;onlyCollectibles=true;badges=true;gamePasses=true;privateServers=true"},

	// --- length ---
	{"exactly MaxLength", "badges=true" + strings.Repeat(" ", filter.MaxLength-len("badges=true")),
		filter.Filter{Badges: true}, "badges=true"},
}

func TestParseValid(t *testing.T) {
	for _, tc := range validCases {
		t.Run(tc.name, func(t *testing.T) {
			got, err := filter.Parse(tc.in)
			if err != nil {
				t.Fatalf("Parse(%q) error: %v", tc.in, err)
			}
			if !reflect.DeepEqual(got, tc.want) {
				t.Errorf("Parse(%q) =\n  %#v\nwant\n  %#v", tc.in, got, tc.want)
			}
			if s := got.String(); s != tc.canon {
				t.Errorf("Parse(%q).String() = %q, want %q", tc.in, s, tc.canon)
			}
			if got.IsZero() != (tc.canon == "") {
				t.Errorf("Parse(%q).IsZero() = %v, canonical form %q", tc.in, got.IsZero(), tc.canon)
			}
			// The canonical form parses back to the same filter.
			again, err := filter.Parse(tc.canon)
			if err != nil {
				t.Fatalf("Parse(canonical %q) error: %v", tc.canon, err)
			}
			if !reflect.DeepEqual(again, got) {
				t.Errorf("Parse(canonical %q) = %#v, want %#v", tc.canon, again, got)
			}
		})
	}
}

// TestEquivalentFiltersShareCanonicalForm checks that spellings of the same
// filter have one canonical form (page tokens are bound to it).
func TestEquivalentFiltersShareCanonicalForm(t *testing.T) {
	groups := [][]string{
		{"", "badges=false", "gamePasses=false;badges=FALSE", " privateServers = false "},
		{"badges=true;gamePasses=true", "gamePasses=true;badges=true", "gamePasses=TRUE; badges=True", "badges=true;gamePasses=true;privateServers=false"},
		{"assetIds=1,2,3", "assetIds=3,2,1", "assetIds=3,3,2,01,1", " assetIds = 2 , 1 , 3 "},
		{"inventoryItemAssetTypes=HAT,CLASSIC_PANTS", "inventoryItemAssetTypes=CLASSIC_PANTS,HAT,HAT", "inventoryItemAssetTypes=hat,classic_pants"},
		{"onlyCollectibles=true;inventoryItemAssetTypes=*", "inventoryItemAssetTypes=*;onlyCollectibles=True"},
	}
	for _, g := range groups {
		var first string
		for i, in := range g {
			f, err := filter.Parse(in)
			if err != nil {
				t.Fatalf("Parse(%q) error: %v", in, err)
			}
			if i == 0 {
				first = f.String()
				continue
			}
			if s := f.String(); s != first {
				t.Errorf("Parse(%q).String() = %q, want %q (same as %q)", in, s, first, g[0])
			}
		}
	}
	// '*' and the full list of names do not select the same way.
	star, _ := filter.Parse("inventoryItemAssetTypes=*")
	all, _ := filter.Parse("inventoryItemAssetTypes=" + allNames)
	if star.String() == all.String() {
		t.Errorf("'*' and every name listed share the canonical form %q", star.String())
	}
}

type invalidCase struct {
	name string
	in   string
	msg  string // substring of the error message
}

var invalidCases = []invalidCase{
	// fields
	{"unknown field", "foo=bar", `unknown field "foo"`},
	{"field name is case-sensitive", "AssetIds=1", `unknown field "AssetIds"`},
	{"upper-case boolean field", "Badges=true", `unknown field "Badges"`},
	{"singular field", "assetId=1", `unknown field "assetId"`},
	{"unknown field after a good one", "badges=true;privateServer=true", `unknown field "privateServer"`},
	{"space inside field name", "game Passes=true", `unknown field "game Passes"`},
	{"repeated boolean", "badges=true;badges=false", `field "badges" is repeated`},
	{"repeated id field", "assetIds=1;assetIds=2", `field "assetIds" is repeated`},
	{"repeated with spaces", "gamePasses=true; gamePasses =true", `field "gamePasses" is repeated`},
	{"repeated asset types", "inventoryItemAssetTypes=HAT;inventoryItemAssetTypes=*", `field "inventoryItemAssetTypes" is repeated`},

	// clauses
	{"empty middle clause", "badges=true;;gamePasses=true", "clause 2 is empty"},
	{"trailing semicolon", "badges=true;", "clause 2 is empty"},
	{"trailing semicolon and space", "assetIds=1; ", "clause 2 is empty"},
	{"leading semicolon", ";badges=true", "clause 1 is empty"},
	{"lone semicolon", ";", "clause 1 is empty"},
	{"missing equals", "badges", `clause "badges" has no '='`},
	{"colon instead of equals", "badges:true", `clause "badges:true" has no '='`},
	{"second clause missing equals", "badges=true;gamePasses", `clause "gamePasses" has no '='`},
	{"missing field name", "=true", `clause "=true" has no field name`},
	{"blank field name", "  =true", `clause "  =true" has no field name`},
	{"empty value", "badges=", `field "badges" has no value`},
	{"blank value", "assetIds=  ", `field "assetIds" has no value`},
	{"empty types value", "inventoryItemAssetTypes=", `field "inventoryItemAssetTypes" has no value`},

	// booleans
	{"boolean yes", "badges=yes", `field "badges" must be true or false, not "yes"`},
	{"boolean 1", "gamePasses=1", `field "gamePasses" must be true or false, not "1"`},
	{"boolean t", "privateServers=t", `field "privateServers" must be true or false, not "t"`},
	{"boolean list", "badges=true,false", `field "badges" must be true or false, not "true,false"`},
	{"double equals", "badges==true", `field "badges" must be true or false, not "=true"`},
	{"bad onlyCollectibles", "onlyCollectibles=yes;inventoryItemAssetTypes=HAT", `field "onlyCollectibles" must be true or false, not "yes"`},

	// asset types
	{"unknown asset type", "inventoryItemAssetTypes=HATS", `unknown asset type "HATS" in field "inventoryItemAssetTypes"`},
	{"unknown asset type after good one", "inventoryItemAssetTypes=HAT,SHOES", `unknown asset type "SHOES" in field "inventoryItemAssetTypes"`},
	{"legacy asset type id", "inventoryItemAssetTypes=8", `unknown asset type "8" in field "inventoryItemAssetTypes"`},
	{"star then name", "inventoryItemAssetTypes=*,HAT", `field "inventoryItemAssetTypes" can't combine '*' with asset types`},
	{"name then star", "inventoryItemAssetTypes=HAT,*", `field "inventoryItemAssetTypes" can't combine '*' with asset types`},
	{"star twice", "inventoryItemAssetTypes=*,*", `field "inventoryItemAssetTypes" can't combine '*' with asset types`},
	{"empty type in list", "inventoryItemAssetTypes=HAT,,CLASSIC_PANTS", `field "inventoryItemAssetTypes" has an empty value in "HAT,,CLASSIC_PANTS"`},
	{"trailing comma in types", "inventoryItemAssetTypes=HAT,", `field "inventoryItemAssetTypes" has an empty value in "HAT,"`},

	// ids
	{"empty id in list", "assetIds=1,,2", `field "assetIds" has an empty ID in "1,,2"`},
	{"trailing comma in ids", "badgeIds=1,", `field "badgeIds" has an empty ID in "1,"`},
	{"only commas", "gamePassIds=,", `field "gamePassIds" has an empty ID in ","`},
	{"non-numeric id", "assetIds=abc", `field "assetIds" has an invalid ID "abc": IDs are positive integers`},
	{"negative id", "assetIds=1,-5", `field "assetIds" has an invalid ID "-5": IDs are positive integers`},
	{"zero id", "badgeIds=0", `field "badgeIds" has an invalid ID "0": IDs are positive integers`},
	{"minus zero id", "badgeIds=-0", `field "badgeIds" has an invalid ID "-0": IDs are positive integers`},
	{"plus sign", "gamePassIds=+5", `field "gamePassIds" has an invalid ID "+5": IDs are positive integers`},
	{"int64 overflow", "privateServerIds=9223372036854775808", `field "privateServerIds" has an invalid ID "9223372036854775808": IDs are positive integers`},
	{"huge id", "assetIds=99999999999999999999999", `field "assetIds" has an invalid ID "99999999999999999999999"`},
	{"decimal id", "assetIds=1.5", `field "assetIds" has an invalid ID "1.5"`},
	{"hex id", "assetIds=0x10", `field "assetIds" has an invalid ID "0x10"`},
	{"underscore id", "assetIds=1_000", `field "assetIds" has an invalid ID "1_000"`},
	{"space inside id", "assetIds=1 2", `field "assetIds" has an invalid ID "1 2"`},
	{"non-ascii digits", "assetIds=١٢", `field "assetIds" has an invalid ID "١٢"`},
	{"more than MaxIDs", "assetIds=" + idList(filter.MaxIDs+1, false), `field "assetIds" lists 101 IDs; at most 100 are allowed`},
	{"more than MaxIDs before dedup", "badgeIds=" + idList(filter.MaxIDs+1, true), `field "badgeIds" lists 101 IDs; at most 100 are allowed`},

	// type and id fields mixed
	{"type then id", "inventoryItemAssetTypes=HAT;assetIds=1", `type field "inventoryItemAssetTypes" and ID field "assetIds" can't be combined`},
	{"id then type", "assetIds=1;badges=true", `type field "badges" and ID field "assetIds" can't be combined`},
	{"false boolean still mixes", "badges=false;badgeIds=1", `type field "badges" and ID field "badgeIds" can't be combined`},
	{"private servers both ways", "privateServerIds=1;privateServers=true", `type field "privateServers" and ID field "privateServerIds" can't be combined`},
	{"first of each named", "gamePasses=true;badges=true;gamePassIds=1;badgeIds=2", `type field "gamePasses" and ID field "gamePassIds" can't be combined`},

	// onlyCollectibles
	{"onlyCollectibles alone", "onlyCollectibles=true", `field "onlyCollectibles" must be used with "inventoryItemAssetTypes"`},
	{"onlyCollectibles with badges", "onlyCollectibles=true;badges=true", `field "onlyCollectibles" must be used with "inventoryItemAssetTypes"`},
	{"onlyCollectibles with ids", "onlyCollectibles=true;assetIds=1", `type field "onlyCollectibles" and ID field "assetIds" can't be combined`},

	// length
	{"over-long garbage", strings.Repeat("a", filter.MaxLength+1), "filter is longer than 8192 characters"},
	{"over-long but otherwise valid", "badges=true" + strings.Repeat(" ", filter.MaxLength+1-len("badges=true")), "filter is longer than 8192 characters"},
}

func TestParseInvalid(t *testing.T) {
	if len(invalidCases) < 25 {
		t.Fatalf("only %d invalid cases", len(invalidCases))
	}
	seen := map[string]bool{}
	for _, tc := range invalidCases {
		if seen[tc.in] {
			t.Errorf("duplicate invalid case input %q", tc.in)
		}
		seen[tc.in] = true
		t.Run(tc.name, func(t *testing.T) {
			got, err := filter.Parse(tc.in)
			if err == nil {
				t.Fatalf("Parse(%q) = %#v (%q), want error containing %q", tc.in, got, got.String(), tc.msg)
			}
			var fe *filter.Error
			if !errors.As(err, &fe) {
				t.Errorf("Parse(%q) error %T %v is not a *filter.Error", tc.in, err, err)
			} else if fe.Msg != err.Error() {
				t.Errorf("Error.Msg %q != Error() %q", fe.Msg, err.Error())
			}
			if !strings.Contains(err.Error(), tc.msg) {
				t.Errorf("Parse(%q) error = %q, want it to contain %q", tc.in, err.Error(), tc.msg)
			}
			if !reflect.DeepEqual(got, filter.Filter{}) {
				t.Errorf("Parse(%q) returned non-zero Filter %#v with its error", tc.in, got)
			}
		})
	}
}

// TestParseRejectsNonASCIIAssetTypeLookalikes: asset type names are upper-
// cased with strings.ToUpper, which folds some non-ASCII letters onto ASCII
// ones (U+0131 'ı' -> 'I', U+017F 'ſ' -> 'S'). Those are not enum names and
// must be reported as unknown asset types.
func TestParseRejectsNonASCIIAssetTypeLookalikes(t *testing.T) {
	for _, in := range []string{
		"inventoryItemAssetTypes=AUDıO",           // dotless i
		"inventoryItemAssetTypes=CLAſſIC_PANTS",   // long s
		"inventoryItemAssetTypes=HAT,ANımATION",   // dotless i, lower-case m
		"inventoryItemAssetTypes=PURCHAſED_PLACE", // long s
	} {
		f, err := filter.Parse(in)
		if err == nil {
			t.Errorf("Parse(%q) = %q, want an unknown asset type error", in, f.String())
			continue
		}
		if !strings.Contains(err.Error(), "unknown asset type") {
			t.Errorf("Parse(%q) error = %q, want unknown asset type", in, err)
		}
	}
}

// TestParseErrorReturnsZeroFilter checks that fields parsed before the
// offending clause don't leak into the result.
func TestParseErrorReturnsZeroFilter(t *testing.T) {
	for _, in := range []string{
		"badges=true;foo=1",
		"inventoryItemAssetTypes=HAT;gamePasses=maybe",
		"assetIds=1,2;badgeIds=x",
		"assetIds=1;assetIds=1",
		"onlyCollectibles=true;badges=true;gamePasses=true",
		"privateServers=true;",
	} {
		f, err := filter.Parse(in)
		if err == nil {
			t.Errorf("Parse(%q) succeeded", in)
			continue
		}
		if !reflect.DeepEqual(f, filter.Filter{}) || !f.IsZero() {
			t.Errorf("Parse(%q) returned %#v with error %v, want zero Filter", in, f, err)
		}
	}
}

func mustParse(t *testing.T, s string) filter.Filter {
	t.Helper()
	f, err := filter.Parse(s)
	if err != nil {
		t.Fatalf("Parse(%q): %v", s, err)
	}
	return f
}

func TestQuery(t *testing.T) {
	hatPants := types("HAT", "CLASSIC_PANTS")
	for _, tc := range []struct {
		in   string
		want inventory.Query
	}{
		{"", inventory.Everything},
		{"badges=false", inventory.Everything},
		{"badges=false;gamePasses=false;privateServers=false", inventory.Everything},
		{"badges=true", inventory.Query{Badges: inventory.Selector{Include: true}}},
		{"gamePasses=true;badges=true", inventory.Query{
			Badges: inventory.Selector{Include: true}, GamePasses: inventory.Selector{Include: true}}},
		{"privateServers=true", inventory.Query{PrivateServers: inventory.Selector{Include: true}}},
		{"inventoryItemAssetTypes=HAT,CLASSIC_PANTS", inventory.Query{
			Assets: inventory.Selector{Include: true}, Types: hatPants}},
		{"inventoryItemAssetTypes=HAT,CLASSIC_PANTS;gamePasses=true;badges=false", inventory.Query{
			Assets: inventory.Selector{Include: true}, Types: hatPants, GamePasses: inventory.Selector{Include: true}}},
		{"onlyCollectibles=true;inventoryItemAssetTypes=HAT,CLASSIC_PANTS", inventory.Query{
			Assets: inventory.Selector{Include: true}, Types: hatPants, OnlyCollectibles: true}},
		{"onlyCollectibles=true;inventoryItemAssetTypes=*", inventory.Query{
			Assets: inventory.Selector{Include: true}, Types: inventory.AllTypes, OnlyCollectibles: true}},
		{"inventoryItemAssetTypes=*;privateServers=true", inventory.Query{
			Assets: inventory.Selector{Include: true}, Types: inventory.AllTypes, PrivateServers: inventory.Selector{Include: true}}},
		{"assetIds=3,1", inventory.Query{
			Assets: inventory.Selector{Include: true, IDs: []int64{1, 3}}, Types: inventory.AllTypes}},
		{"badgeIds=5", inventory.Query{
			Badges: inventory.Selector{Include: true, IDs: []int64{5}}, Types: inventory.AllTypes}},
		{"gamePassIds=8,9;privateServerIds=2", inventory.Query{
			GamePasses:     inventory.Selector{Include: true, IDs: []int64{8, 9}},
			PrivateServers: inventory.Selector{Include: true, IDs: []int64{2}},
			Types:          inventory.AllTypes}},
		{"assetIds=1,2,3,4;badgeIds=1,2,3,4;gamePassIds=1,2,3,4;privateServerIds=1,2,3,4", inventory.Query{
			Assets:         inventory.Selector{Include: true, IDs: []int64{1, 2, 3, 4}},
			Types:          inventory.AllTypes,
			Badges:         inventory.Selector{Include: true, IDs: []int64{1, 2, 3, 4}},
			GamePasses:     inventory.Selector{Include: true, IDs: []int64{1, 2, 3, 4}},
			PrivateServers: inventory.Selector{Include: true, IDs: []int64{1, 2, 3, 4}}}},
	} {
		got := mustParse(t, tc.in).Query()
		if !reflect.DeepEqual(got, tc.want) {
			t.Errorf("Parse(%q).Query() =\n  %+v\nwant\n  %+v", tc.in, got, tc.want)
		}
		for _, k := range inventory.Kinds {
			sel := got.Selector(k)
			if sel.IDs != nil && !sel.Include {
				t.Errorf("Parse(%q).Query() selector %v has IDs but is not included", tc.in, k)
			}
		}
	}
}

func TestNeedsInventoryRead(t *testing.T) {
	for _, tc := range []struct {
		in   string
		want bool
	}{
		{"", false},
		{"badges=true", false},
		{"gamePasses=true;badges=true", false},
		{"privateServers=true", true},
		{"privateServers=True", true},
		{"privateServers=false", false},
		{"gamePasses=true;privateServers=true", true},
		{"privateServerIds=1", true},
		{"assetIds=1,2;privateServerIds=999999", true},
		{"badgeIds=111111,222222;gamePassIds=777777;privateServerIds=999999", true},
		{"assetIds=1", false},
		{"badgeIds=1;gamePassIds=2", false},
		{"inventoryItemAssetTypes=PURCHASED_PLACE", true},
		{"inventoryItemAssetTypes=HAT,PURCHASED_PLACE", true},
		{"inventoryItemAssetTypes=purchased_place", true},
		{"onlyCollectibles=true;inventoryItemAssetTypes=PURCHASED_PLACE", true},
		{"inventoryItemAssetTypes=" + allNames, true},
		{"inventoryItemAssetTypes=CREATED_PLACE", false},
		{"inventoryItemAssetTypes=HAT,CLASSIC_PANTS,TSHIRT_ACCESSORY", false},
		{"inventoryItemAssetTypes=*", false},
		{"onlyCollectibles=true;inventoryItemAssetTypes=*", false},
		{"inventoryItemAssetTypes=*;privateServers=true", true},
	} {
		if got := mustParse(t, tc.in).NeedsInventoryRead(); got != tc.want {
			t.Errorf("Parse(%q).NeedsInventoryRead() = %v, want %v", tc.in, got, tc.want)
		}
	}
}

func TestIsZero(t *testing.T) {
	for _, tc := range []struct {
		f    filter.Filter
		want bool
	}{
		{filter.Filter{}, true},
		{filter.Filter{Badges: true}, false},
		{filter.Filter{GamePasses: true}, false},
		{filter.Filter{PrivateServers: true}, false},
		{filter.Filter{AssetTypes: types("HAT")}, false},
		{filter.Filter{AssetIDs: []int64{1}}, false},
		{filter.Filter{BadgeIDs: []int64{1}}, false},
		{filter.Filter{GamePassIDs: []int64{1}}, false},
		{filter.Filter{PrivateServerIDs: []int64{1}}, false},
	} {
		if got := tc.f.IsZero(); got != tc.want {
			t.Errorf("%#v.IsZero() = %v, want %v", tc.f, got, tc.want)
		}
	}
}

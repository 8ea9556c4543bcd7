package inventory

import "strings"

// AssetType is the Open Cloud inventoryItemAssetType enum. Its numeric value
// is the enum's position in Roblox's OpenAPI document (spec 1.5), which is
// also what storage keeps.
type AssetType uint8

// NumAssetTypes is the size of the Open Cloud enum.
const NumAssetTypes = 53

// Asset types that carry a rule of their own.
const (
	AssetTypeUnspecified   AssetType = 0
	AssetTypeClassicTShirt AssetType = 1
	AssetTypeHat           AssetType = 3
	AssetTypeCreatedPlace  AssetType = 51
	// AssetTypePurchasedPlace needs the Inventory read permission to list.
	AssetTypePurchasedPlace AssetType = 52
)

// assetTypes pairs each Open Cloud name with the legacy assetTypeId of
// spec 6.3 (0 where the legacy API has no equivalent).
var assetTypes = [NumAssetTypes]struct {
	name   string
	legacy int
}{
	{"INVENTORY_ITEM_ASSET_TYPE_UNSPECIFIED", 0},
	{"CLASSIC_TSHIRT", 2}, {"AUDIO", 3}, {"HAT", 8}, {"MODEL", 10},
	{"CLASSIC_SHIRT", 11}, {"CLASSIC_PANTS", 12}, {"DECAL", 13},
	{"CLASSIC_HEAD", 17}, {"FACE", 18}, {"GEAR", 19}, {"ANIMATION", 24},
	{"TORSO", 27}, {"RIGHT_ARM", 28}, {"LEFT_ARM", 29}, {"LEFT_LEG", 30},
	{"RIGHT_LEG", 31}, {"PACKAGE", 32}, {"PLUGIN", 38}, {"MESH_PART", 40},
	{"HAIR_ACCESSORY", 41}, {"FACE_ACCESSORY", 42}, {"NECK_ACCESSORY", 43},
	{"SHOULDER_ACCESSORY", 44}, {"FRONT_ACCESSORY", 45},
	{"BACK_ACCESSORY", 46}, {"WAIST_ACCESSORY", 47},
	{"CLIMB_ANIMATION", 48}, {"DEATH_ANIMATION", 49}, {"FALL_ANIMATION", 50},
	{"IDLE_ANIMATION", 51}, {"JUMP_ANIMATION", 52}, {"RUN_ANIMATION", 53},
	{"SWIM_ANIMATION", 54}, {"WALK_ANIMATION", 55}, {"POSE_ANIMATION", 56},
	{"EMOTE_ANIMATION", 61}, {"VIDEO", 62}, {"TSHIRT_ACCESSORY", 64},
	{"SHIRT_ACCESSORY", 65}, {"PANTS_ACCESSORY", 66},
	{"JACKET_ACCESSORY", 67}, {"SWEATER_ACCESSORY", 68},
	{"SHORTS_ACCESSORY", 69}, {"LEFT_SHOE_ACCESSORY", 70},
	{"RIGHT_SHOE_ACCESSORY", 71}, {"DRESS_SKIRT_ACCESSORY", 72},
	{"EYEBROW_ACCESSORY", 76}, {"EYELASH_ACCESSORY", 77},
	{"MOOD_ANIMATION", 78}, {"DYNAMIC_HEAD", 79},
	{"CREATED_PLACE", 9}, {"PURCHASED_PLACE", 9},
}

// LegacyPlace is the legacy assetTypeId of places (created or purchased).
const LegacyPlace = 9

// String returns the Open Cloud enum name.
func (t AssetType) String() string {
	if int(t) >= NumAssetTypes {
		return assetTypes[0].name
	}
	return assetTypes[t].name
}

// LegacyID returns the inventory.roblox.com assetTypeId, or 0 if none.
func (t AssetType) LegacyID() int {
	if int(t) >= NumAssetTypes {
		return 0
	}
	return assetTypes[t].legacy
}

// Valid reports whether t is a member of the enum.
func (t AssetType) Valid() bool { return int(t) < NumAssetTypes }

// ParseAssetType returns the asset type with the given Open Cloud name,
// matched exactly (the filter parser upper-cases user input first).
func ParseAssetType(name string) (AssetType, bool) {
	for i, a := range assetTypes {
		if a.name == name {
			return AssetType(i), true
		}
	}
	return 0, false
}

// AssetTypeForLegacy maps a legacy assetTypeId to the Open Cloud type an
// owner sees. Places are CREATED_PLACE for their creator and PURCHASED_PLACE
// for everyone else; unknown ids map to INVENTORY_ITEM_ASSET_TYPE_UNSPECIFIED.
func AssetTypeForLegacy(legacyID int, ownerIsCreator bool) AssetType {
	if legacyID == LegacyPlace {
		if ownerIsCreator {
			return AssetTypeCreatedPlace
		}
		return AssetTypePurchasedPlace
	}
	for i, a := range assetTypes {
		if i > 0 && a.legacy == legacyID {
			return AssetType(i)
		}
	}
	return AssetTypeUnspecified
}

// AssetTypeNames lists every enum name in order.
func AssetTypeNames() []string {
	names := make([]string, NumAssetTypes)
	for i, a := range assetTypes {
		names[i] = a.name
	}
	return names
}

// TypeSet is a set of asset types, one bit per enum value.
type TypeSet uint64

// AllTypes holds every asset type.
const AllTypes TypeSet = 1<<NumAssetTypes - 1

// With returns s plus t.
func (s TypeSet) With(t AssetType) TypeSet { return s | 1<<t }

// Without returns s less t.
func (s TypeSet) Without(t AssetType) TypeSet { return s &^ (1 << t) }

// Has reports whether t is in s.
func (s TypeSet) Has(t AssetType) bool { return s&(1<<t) != 0 }

// Types lists the members of s in enum order.
func (s TypeSet) Types() []AssetType {
	var out []AssetType
	for i := range NumAssetTypes {
		if s.Has(AssetType(i)) {
			out = append(out, AssetType(i))
		}
	}
	return out
}

// String lists the members' names, comma-separated.
func (s TypeSet) String() string {
	var b strings.Builder
	for i, t := range s.Types() {
		if i > 0 {
			b.WriteByte(',')
		}
		b.WriteString(t.String())
	}
	return b.String()
}

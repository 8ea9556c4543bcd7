package inventory

import (
	"strconv"
)

// legacyTypeNames are the assetTypeId values of the legacy inventory API
// and their names (spec 6.3, verbatim). Ids absent from the map (14, 15, 20,
// 23, 36, 57, 58) are not asset types.
var legacyTypeNames = map[int]string{
	1: "Image", 2: "TShirt", 3: "Audio", 4: "Mesh", 5: "Lua", 6: "HTML", 7: "Text", 8: "Hat", 9: "Place", 10: "Model",
	11: "Shirt", 12: "Pants", 13: "Decal", 16: "Avatar", 17: "Head", 18: "Face", 19: "Gear", 21: "Badge",
	22: "GroupEmblem", 24: "Animation", 25: "Arms", 26: "Legs", 27: "Torso", 28: "RightArm", 29: "LeftArm",
	30: "LeftLeg", 31: "RightLeg", 32: "Package", 33: "YouTubeVideo", 34: "GamePass", 35: "App", 37: "Code",
	38: "Plugin", 39: "SolidModel", 40: "MeshPart", 41: "HairAccessory", 42: "FaceAccessory", 43: "NeckAccessory",
	44: "ShoulderAccessory", 45: "FrontAccessory", 46: "BackAccessory", 47: "WaistAccessory", 48: "ClimbAnimation",
	49: "DeathAnimation", 50: "FallAnimation", 51: "IdleAnimation", 52: "JumpAnimation", 53: "RunAnimation",
	54: "SwimAnimation", 55: "WalkAnimation", 56: "PoseAnimation", 59: "LocalizationTableManifest",
	60: "LocalizationTableTranslation", 61: "EmoteAnimation", 62: "Video", 63: "TexturePack", 64: "TShirtAccessory",
	65: "ShirtAccessory", 66: "PantsAccessory", 67: "JacketAccessory", 68: "SweaterAccessory", 69: "ShortsAccessory",
	70: "LeftShoeAccessory", 71: "RightShoeAccessory", 72: "DressSkirtAccessory", 73: "FontFamily", 74: "FontFace",
	75: "MeshHiddenSurfaceRemoval", 76: "EyebrowAccessory", 77: "EyelashAccessory", 78: "MoodAnimation",
	79: "DynamicHead", 80: "CodeSnippet", 81: "AdsVideo", 82: "OtaUpdate", 83: "Screenshot", 84: "RuntimePropertySet",
	85: "StorePreviewVideo", 86: "GamePreviewVideo", 87: "CreatorExperienceConfig", 88: "FaceMakeup",
	89: "LipMakeup", 90: "EyeMakeup", 91: "VoxelFragment", 92: "AvatarBackground", 93: "TextDocument", 94: "Post",
}

// Legacy asset type ids with a rule of their own.
const (
	LegacyBadge    = 21
	LegacyPackage  = 32
	LegacyGamePass = 34
)

// LegacyTypeName returns the name of a legacy assetTypeId ("Hat" for 8).
func LegacyTypeName(id int) (string, bool) {
	n, ok := legacyTypeNames[id]
	return n, ok
}

// ParseLegacyType accepts a legacy asset type as its id ("8") or its name
// ("Hat", any ASCII case), as clients send either.
func ParseLegacyType(s string) (int, bool) {
	if s == "" {
		return 0, false
	}
	if s[0] >= '0' && s[0] <= '9' {
		n, err := strconv.Atoi(s)
		if err != nil {
			return 0, false
		}
		_, ok := legacyTypeNames[n]
		return n, ok
	}
	for id, name := range legacyTypeNames {
		if asciiEqualFold(name, s) {
			return id, true
		}
	}
	return 0, false
}

// ItemType is the legacy itemType enum (spec 6.2).
type ItemType uint8

const (
	ItemAsset ItemType = iota
	ItemGamePass
	ItemBadge
	ItemBundle
	ItemAvatar
	numItemTypes
)

var itemTypeNames = [numItemTypes]string{"Asset", "GamePass", "Badge", "Bundle", "Avatar"}

func (t ItemType) String() string {
	if t < numItemTypes {
		return itemTypeNames[t]
	}
	return "ItemType(" + strconv.Itoa(int(t)) + ")"
}

// ParseItemType accepts the enum as its number ("1") or its name
// ("GamePass", any ASCII case): Roblox documents the numbers, and clients
// (noblox.js among them) send the names.
func ParseItemType(s string) (ItemType, bool) {
	if len(s) == 1 && s[0] >= '0' && s[0] < '0'+byte(numItemTypes) {
		return ItemType(s[0] - '0'), true
	}
	for i, n := range itemTypeNames {
		if asciiEqualFold(n, s) {
			return ItemType(i), true
		}
	}
	return 0, false
}

// ItemRef names a catalog item by its legacy item type.
type ItemRef struct {
	Type ItemType
	ID   int64
}

func (r ItemRef) String() string { return r.Type.String() + ":" + strconv.FormatInt(r.ID, 10) }

// BundleType is the catalog's bundle type.
type BundleType uint8

const (
	BundleBodyParts         BundleType = 1
	BundleAvatarAnimations  BundleType = 2
	BundleShoes             BundleType = 3
	BundleDynamicHead       BundleType = 4
	BundleDynamicHeadAvatar BundleType = 5
)

// asciiEqualFold is strings.EqualFold restricted to ASCII, so lookalike
// letters (the Kelvin sign, long s) never match.
func asciiEqualFold(a, b string) bool {
	if len(a) != len(b) {
		return false
	}
	for i := range len(a) {
		x, y := a[i], b[i]
		if x >= 0x80 || y >= 0x80 {
			return false
		}
		if 'A' <= x && x <= 'Z' {
			x += 'a' - 'A'
		}
		if 'A' <= y && y <= 'Z' {
			y += 'a' - 'A'
		}
		if x != y {
			return false
		}
	}
	return true
}

package legacy

import (
	"slices"

	"github.com/invcloud/invcloud/internal/inventory"
	"github.com/invcloud/invcloud/wire"
)

// category is a category of the inventory page: asset types and, for
// Bundles, bundle types.
type category struct {
	name, display string
	assetTypes    []entry
	bundleTypes   []entry
	favorites     bool // shown on the favorites page too
}

type entry struct {
	id      int64
	display string
}

// categories is the inventory page's structure, in page order.
var categories = []category{
	{"Accessories", "Accessories", []entry{{8, "Hats"}, {41, "Hair"}, {42, "Face Accessories"}, {43, "Neck Accessories"},
		{44, "Shoulder Accessories"}, {45, "Front Accessories"}, {46, "Back Accessories"}, {47, "Waist Accessories"}}, nil, true},
	{"Clothing", "Clothing", []entry{{2, "Classic T-Shirts"}, {11, "Classic Shirts"}, {12, "Classic Pants"}, {64, "T-Shirts"},
		{65, "Shirts"}, {66, "Pants"}, {67, "Jackets"}, {68, "Sweaters"}, {69, "Shorts"}, {70, "Left Shoes"}, {71, "Right Shoes"},
		{72, "Dresses & Skirts"}}, nil, true},
	{"BodyParts", "Body Parts", []entry{{17, "Heads"}, {18, "Faces"}, {79, "Dynamic Heads"}, {27, "Torsos"}, {28, "Right Arms"},
		{29, "Left Arms"}, {30, "Left Legs"}, {31, "Right Legs"}, {76, "Eyebrows"}, {77, "Eyelashes"}}, nil, true},
	{"AvatarAnimations", "Avatar Animations", []entry{{61, "Emotes"}, {48, "Climb Animations"}, {49, "Death Animations"},
		{50, "Fall Animations"}, {51, "Idle Animations"}, {52, "Jump Animations"}, {53, "Run Animations"}, {54, "Swim Animations"},
		{55, "Walk Animations"}, {56, "Pose Animations"}, {78, "Mood Animations"}}, nil, true},
	{"Bundles", "Bundles", nil, []entry{{int64(inventory.BundleBodyParts), "Body Parts"}, {int64(inventory.BundleAvatarAnimations), "Animations"},
		{int64(inventory.BundleShoes), "Shoes"}, {int64(inventory.BundleDynamicHead), "Dynamic Heads"},
		{int64(inventory.BundleDynamicHeadAvatar), "Dynamic Head Avatars"}}, true},
	{"Gear", "Gear", []entry{{19, "Gear"}}, nil, true},
	{"Creations", "Creations", []entry{{10, "Models"}, {3, "Audio"}, {13, "Decals"}, {40, "Mesh Parts"}, {38, "Plugins"},
		{24, "Animations"}, {62, "Videos"}}, nil, true},
	{"Places", "Places", []entry{{9, "Places"}}, nil, true},
	{"Passes", "Passes", []entry{{34, "Passes"}}, nil, false},
	{"Badges", "Badges", []entry{{21, "Badges"}}, nil, false},
}

// bundleTypeNames are the enum names of bundle types.
var bundleTypeNames = map[int64]string{1: "BodyParts", 2: "AvatarAnimations", 3: "Shoes", 4: "DynamicHead", 5: "DynamicHeadAvatar"}

// categoriesModel builds the CategoriesModel of cats, keeping the entries
// keep accepts and the categories left with any.
func categoriesModel(keep func(c category, bundle bool, id int64) bool) wire.CategoriesResponse {
	out := wire.CategoriesResponse{Categories: []wire.AssetsExplorerCategory{}}
	for _, c := range categories {
		wc := wire.AssetsExplorerCategory{Name: c.name, DisplayName: c.display, CategoryType: c.name, Items: []wire.AssetsExplorerCategoryItem{}}
		for _, e := range c.assetTypes {
			if !keep(c, false, e.id) {
				continue
			}
			name, _ := inventory.LegacyTypeName(int(e.id))
			wc.Items = append(wc.Items, wire.AssetsExplorerCategoryItem{Name: name, DisplayName: e.display, ID: e.id, Type: "AssetType", CategoryType: c.name})
		}
		for _, e := range c.bundleTypes {
			if !keep(c, true, e.id) {
				continue
			}
			wc.Items = append(wc.Items, wire.AssetsExplorerCategoryItem{Name: bundleTypeNames[e.id], DisplayName: e.display, ID: e.id, Type: "Bundle", CategoryType: c.name})
		}
		if len(wc.Items) > 0 {
			out.Categories = append(out.Categories, wc)
		}
	}
	return out
}

// inventoryCategories is the inventory page's structure, the same for
// every user.
func inventoryCategories() wire.CategoriesResponse {
	return categoriesModel(func(category, bool, int64) bool { return true })
}

// favoriteCategories is the favorites page's structure for a user: the
// entries holding at least one of the user's favorites.
func favoriteCategories(assetTypes []int, bundleTypes []inventory.BundleType) wire.CategoriesResponse {
	return categoriesModel(func(c category, bundle bool, id int64) bool {
		if !c.favorites {
			return false
		}
		if bundle {
			return slices.Contains(bundleTypes, inventory.BundleType(id))
		}
		return slices.Contains(assetTypes, int(id))
	})
}

package inventory

import "testing"

// TestVisibleTypes: purchased places are the one asset type that needs the
// owner's own permission; no access shows nothing.
func TestVisibleTypes(t *testing.T) {
	for _, tt := range []struct {
		access    Access
		purchased bool
		created   bool
		hat       bool
	}{
		{AccessNone, false, false, false},
		{AccessPublic, false, true, true},
		{AccessFull, true, true, true},
	} {
		s := tt.access.VisibleTypes()
		if s.Has(AssetTypePurchasedPlace) != tt.purchased || s.Has(AssetTypeCreatedPlace) != tt.created || s.Has(AssetTypeHat) != tt.hat {
			t.Errorf("VisibleTypes(%d) = %s", tt.access, s)
		}
		// Restrict trims the same types from a query.
		if got, want := Everything.Restrict(tt.access).Types, Everything.Types&s; tt.access != AccessFull && got != want {
			t.Errorf("Restrict(%d).Types = %s, want %s", tt.access, got, want)
		}
	}
	if AccessPublic.VisibleTypes() != AllTypes.Without(AssetTypePurchasedPlace) {
		t.Errorf("public types = %s", AccessPublic.VisibleTypes())
	}
}

package demo_test

import (
	"context"
	"path/filepath"
	"testing"
	"time"

	"github.com/invcloud/invcloud/internal/demo"
	"github.com/invcloud/invcloud/internal/store"
	"github.com/invcloud/invcloud/internal/store/sqlite"
)

// TestLoadIdempotent loads the demo data twice: the second load changes
// nothing, legacy tables included.
func TestLoadIdempotent(t *testing.T) {
	ctx := context.Background()
	s, err := sqlite.Open(ctx, filepath.Join(t.TempDir(), "demo.db"))
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	now := time.Date(2026, 6, 1, 12, 0, 0, 0, time.UTC)
	if err := demo.Load(ctx, s, now); err != nil {
		t.Fatal(err)
	}
	first, err := store.DigestOf(ctx, s)
	if err != nil {
		t.Fatal(err)
	}
	if err := demo.Load(ctx, s, now.Add(time.Hour)); err != nil {
		t.Fatal(err)
	}
	second, err := store.DigestOf(ctx, s)
	if err != nil {
		t.Fatal(err)
	}
	if diff := first.Diff(second); len(diff) > 0 {
		t.Errorf("second load changed %v", diff)
	}
	for _, table := range []string{"friends", "bundles", "bundle_assets", "user_bundles", "package_assets", "asset_prices",
		"places", "place_tabs", "favorites", "collections", "groups", "group_roles", "group_memberships", "group_join_requests",
		"group_shouts"} {
		if first[table].Rows == 0 {
			t.Errorf("the demo data has no %s", table)
		}
	}
}

// TestLegacyCoverage checks the demo data feeds every legacy endpoint:
// each places tab, a friend of the friends-only user, limiteds with and
// without prices' optional fields, a hidden owner of a limited.
func TestLegacyCoverage(t *testing.T) {
	set := demo.Set()
	lb := set.LegacyBatch
	tabs := map[store.PlacesTab]bool{}
	for _, e := range lb.PlaceEntries {
		tabs[e.Tab] = true
	}
	if len(tabs) != store.NumPlacesTabs {
		t.Errorf("places tabs filled: %v, want all %d", tabs, store.NumPlacesTabs)
	}
	friendOfFran := false
	for _, f := range lb.Friends {
		if (f.A == demo.GuideUser && f.B == demo.FriendsUser) || (f.B == demo.GuideUser && f.A == demo.FriendsUser) {
			friendOfFran = true
		}
	}
	if !friendOfFran {
		t.Error("GuideUser is not FriendlyFran's friend")
	}
	var withOriginal, withoutOriginal, withStock, withoutStock int
	for _, p := range lb.AssetPrices {
		if p.OriginalPrice != nil {
			withOriginal++
		} else {
			withoutOriginal++
		}
		if p.AssetStock != nil {
			withStock++
		} else {
			withoutStock++
		}
	}
	if withOriginal == 0 || withoutOriginal == 0 || withStock == 0 || withoutStock == 0 {
		t.Errorf("prices: %d/%d original price, %d/%d stock: want both forms of each", withOriginal, withoutOriginal, withStock, withoutStock)
	}
	hidden := false
	for _, o := range set.Ownerships {
		if o.UserID == demo.HiddenUser && o.Item.Collectible != nil {
			hidden = true
		}
	}
	if !hidden {
		t.Error("no limited owned behind a private inventory")
	}
}

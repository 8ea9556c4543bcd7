package store_test

import (
	"context"
	"errors"
	"path/filepath"
	"testing"
	"time"

	"github.com/invcloud/invcloud/internal/apikey"
	"github.com/invcloud/invcloud/internal/inventory"
	"github.com/invcloud/invcloud/internal/store"
	"github.com/invcloud/invcloud/internal/store/sqlite"
)

func TestCacheKeys(t *testing.T) {
	ctx := context.Background()
	raw, err := sqlite.Open(ctx, filepath.Join(t.TempDir(), "k.db"))
	if err != nil {
		t.Fatal(err)
	}
	defer raw.Close()
	now := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
	c := store.CacheKeys(raw, time.Second, func() time.Time { return now })
	raw.CreateUser(ctx, inventory.User{ID: 1, Name: "u", DisplayName: "u", Visibility: inventory.VisibilityEveryone, Created: now})
	h := apikey.HashSecret("s")
	if _, err := c.APIKeyByHash(ctx, h); !errors.Is(err, store.ErrNotFound) {
		t.Fatalf("unknown key: %v", err)
	}
	id, _ := raw.CreateAPIKey(ctx, apikey.Key{OwnerID: 1, Name: "k", Hash: h, Enabled: true, Created: now})
	if k, err := c.APIKeyByHash(ctx, h); err != nil || !k.Enabled {
		t.Fatalf("new key not seen at once (no negative caching): %+v %v", k, err)
	}
	// Another process disables it: seen only after the TTL.
	raw.SetAPIKeyEnabled(ctx, id, false)
	if k, _ := c.APIKeyByHash(ctx, h); !k.Enabled {
		t.Fatal("cache did not serve the cached key")
	}
	now = now.Add(time.Second)
	if k, _ := c.APIKeyByHash(ctx, h); k.Enabled {
		t.Fatal("stale key after the TTL")
	}
	// Changes through the cache are seen at once.
	c.SetAPIKeyEnabled(ctx, id, true)
	if k, _ := c.APIKeyByHash(ctx, h); !k.Enabled {
		t.Fatal("enable through the cache not seen")
	}
	c.TouchAPIKey(ctx, id, now)
	if k, _ := c.APIKeyByHash(ctx, h); !k.LastUsed.Equal(now) {
		t.Fatalf("last used %v after touch", k.LastUsed)
	}
	h2 := apikey.HashSecret("s2")
	c.SetAPIKeyHash(ctx, id, h2)
	if _, err := c.APIKeyByHash(ctx, h); !errors.Is(err, store.ErrNotFound) {
		t.Fatalf("old secret after regenerate: %v", err)
	}
	c.DeleteAPIKey(ctx, id)
	if _, err := c.APIKeyByHash(ctx, h2); !errors.Is(err, store.ErrNotFound) {
		t.Fatalf("deleted key: %v", err)
	}
}

package sqlite_test

import (
	"context"
	"fmt"
	"path/filepath"
	"testing"
	"time"

	"github.com/invcloud/invcloud/internal/inventory"
	"github.com/invcloud/invcloud/internal/store"
	"github.com/invcloud/invcloud/internal/store/sqlite"
)

// BenchmarkOAuthRequestAtCap is an anonymous authorize request when its app
// already holds the most pending requests it may (10,000, internal/oauth):
// each one evicts the oldest inside the write transaction, so this is what a
// flood costs every other writer. A sort of every pending row here measured
// 20-43 ms a request; the index walk keeps it near the cost below the bound.
func BenchmarkOAuthRequestAtCap(b *testing.B) {
	ctx := context.Background()
	s, err := sqlite.Open(ctx, filepath.Join(b.TempDir(), "oauth.db"))
	if err != nil {
		b.Fatal(err)
	}
	defer s.Close()
	now := time.Now()
	if err := s.CreateUser(ctx, inventory.User{ID: 1, Name: "Owner", DisplayName: "Owner", Created: now, Visibility: inventory.VisibilityEveryone}); err != nil {
		b.Fatal(err)
	}
	if err := s.CreateOAuthApp(ctx, store.OAuthApp{ClientID: "app", Name: "App", OwnerID: 1,
		RedirectURIs: []string{"http://localhost/cb"}, Scopes: []string{"openid"}, Public: true, Created: now}); err != nil {
		b.Fatal(err)
	}
	lim := store.OAuthRequestLimits{PerClient: 10_000, PerAddr: 100}
	n := 0
	create := func() {
		n++
		at := now.Add(time.Duration(n) * time.Millisecond)
		r := store.OAuthRequest{ID: fmt.Sprintf("req-%08d", n), ClientID: "app", RedirectURI: "http://localhost/cb",
			Scopes: []string{"openid"}, ResponseType: "code", Created: at, Expires: at.Add(30 * time.Minute),
			ClientAddr: fmt.Sprintf("198.51.%d.%d", n/256%256, n%256)}
		if err := s.CreateOAuthRequestWithin(ctx, r, lim); err != nil {
			b.Fatal(err)
		}
	}
	for range lim.PerClient {
		create()
	}
	b.ResetTimer()
	for b.Loop() {
		create()
	}
}

package auth_test

import (
	"context"
	"errors"
	"log/slog"
	"net/http/httptest"
	"net/netip"
	"testing"
	"time"

	"github.com/invcloud/invcloud/internal/apikey"
	"github.com/invcloud/invcloud/internal/auth"
	"github.com/invcloud/invcloud/internal/store"
)

type oneKey struct{ k apikey.Key }

func (o oneKey) APIKeyByHash(_ context.Context, h apikey.Hash) (apikey.Key, error) {
	if h != o.k.Hash {
		return apikey.Key{}, store.ErrNotFound
	}
	return o.k, nil
}
func (oneKey) TouchAPIKey(context.Context, int64, time.Time) error { return nil }

// TestRefusalReasons: the reason logged with a 401 names the cause, so an
// operator whose key is restricted to another network sees "ip not allowed".
func TestRefusalReasons(t *testing.T) {
	now := time.Date(2026, 6, 1, 0, 0, 0, 0, time.UTC)
	key := func(mod func(*apikey.Key)) apikey.Key {
		k := apikey.Key{ID: 5, OwnerID: 42, Enabled: true, Hash: apikey.HashSecret("secret"), Scopes: []string{apikey.ScopeInventoryRead}}
		mod(&k)
		return k
	}
	for _, tc := range []struct {
		name   string
		k      apikey.Key
		secret string
		want   string
	}{
		{"no key", key(func(*apikey.Key) {}), "", "no API key"},
		{"unknown key", key(func(*apikey.Key) {}), "other", "unknown API key"},
		{"ip not allowed", key(func(k *apikey.Key) { k.AllowIPs = []netip.Prefix{netip.MustParsePrefix("203.0.113.0/24")} }), "secret",
			"ip not allowed: API key 5 used from 192.0.2.1, outside its allow list"},
		{"disabled", key(func(k *apikey.Key) { k.Enabled = false }), "secret", "API key 5 is disabled"},
		{"expired", key(func(k *apikey.Key) { k.Expires = now.Add(-time.Second) }), "secret", "API key 5 expired"},
	} {
		a := auth.New(oneKey{tc.k}, func() time.Time { return now }, slog.New(slog.DiscardHandler))
		req := httptest.NewRequest("GET", "/", nil) // from 192.0.2.1
		if tc.secret != "" {
			req.Header.Set("x-api-key", tc.secret)
		}
		var ae *auth.Error
		if _, err := a.Authenticate(req); !errors.As(err, &ae) || ae.Reason != tc.want {
			t.Errorf("%s: %v, want reason %q", tc.name, err, tc.want)
		}
	}
}

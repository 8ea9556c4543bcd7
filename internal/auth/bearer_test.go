package auth_test

import (
	"context"
	"errors"
	"log/slog"
	"net/http/httptest"
	"testing"
	"time"

	"github.com/invcloud/invcloud/internal/apikey"
	"github.com/invcloud/invcloud/internal/auth"
	"github.com/invcloud/invcloud/internal/store"
)

type noKeys struct{}

func (noKeys) APIKeyByHash(context.Context, apikey.Hash) (apikey.Key, error) {
	return apikey.Key{}, store.ErrNotFound
}
func (noKeys) TouchAPIKey(context.Context, int64, time.Time) error { return nil }

type fakeVerifier struct{ got []string }

func (f *fakeVerifier) VerifyAccessToken(_ context.Context, token string) (*auth.Principal, error) {
	f.got = append(f.got, token)
	if token != "good" {
		return nil, &auth.Error{Reason: "bad token"}
	}
	return &auth.Principal{Kind: auth.KindOAuth, UserID: 7, Scopes: []string{apikey.ScopeInventoryRead}, AuthorizationID: "aid"}, nil
}

func TestBearer(t *testing.T) {
	a := auth.New(noKeys{}, nil, slog.New(slog.DiscardHandler))
	req := httptest.NewRequest("GET", "/", nil)
	req.Header.Set("Authorization", "Bearer good")
	var ae *auth.Error
	if _, err := a.Authenticate(req); !errors.As(err, &ae) {
		t.Fatalf("without a verifier: %v, want *auth.Error", err)
	}

	v := &fakeVerifier{}
	a.SetTokenVerifier(v)
	for _, h := range []string{"Bearer good", "bearer good", "Bearer  good "} {
		req.Header.Set("Authorization", h)
		p, err := a.Authenticate(req)
		if err != nil || p.Kind != auth.KindOAuth || p.UserID != 7 || p.AuthorizationID != "aid" || !p.Viewer().InventoryRead {
			t.Errorf("%q: %+v, %v", h, p, err)
		}
	}
	req.Header.Set("Authorization", "Bearer bad")
	if _, err := a.Authenticate(req); !errors.As(err, &ae) {
		t.Errorf("bad token: %v, want *auth.Error", err)
	}
	// An x-api-key wins over the Authorization header, as before.
	v.got = nil
	req.Header.Set("x-api-key", "some-key")
	if _, err := a.Authenticate(req); !errors.As(err, &ae) || len(v.got) != 0 {
		t.Errorf("with x-api-key: %v, verifier called with %v", err, v.got)
	}
}

package legacy_test

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/invcloud/invcloud/internal/account"
	"github.com/invcloud/invcloud/internal/inventory"
	"github.com/invcloud/invcloud/internal/legacy"
	"github.com/invcloud/invcloud/internal/pagetoken"
	"github.com/invcloud/invcloud/internal/store"
)

// noticingStore makes the named methods behave as a database driver does
// for a request whose client went away: they fail with the context's error.
// The others run on an uncancelled context, so a request gets as far as the
// named call. broken makes the named methods fail on a live request too.
type noticingStore struct {
	store.Store
	notice map[string]bool
	broken error
}

func (s *noticingStore) check(ctx context.Context, name string) (context.Context, error) {
	if !s.notice[name] {
		return context.WithoutCancel(ctx), nil
	}
	if err := ctx.Err(); err != nil {
		return ctx, fmt.Errorf("%s: %w", name, err)
	}
	if s.broken != nil {
		return ctx, fmt.Errorf("%s: %w", name, s.broken)
	}
	return ctx, nil
}

func (s *noticingStore) User(ctx context.Context, id int64) (inventory.User, error) {
	ctx, err := s.check(ctx, "User")
	if err != nil {
		return inventory.User{}, err
	}
	return s.Store.User(ctx, id)
}

func (s *noticingStore) Asset(ctx context.Context, id int64) (inventory.Asset, error) {
	ctx, err := s.check(ctx, "Asset")
	if err != nil {
		return inventory.Asset{}, err
	}
	return s.Store.Asset(ctx, id)
}

func (s *noticingStore) Session(ctx context.Context, h account.TokenHash, now time.Time) (store.Session, error) {
	ctx, err := s.check(ctx, "Session")
	if err != nil {
		return store.Session{}, err
	}
	return s.Store.Session(ctx, h, now)
}

func (s *noticingStore) ListInventory(ctx context.Context, userID int64, q inventory.Query, after inventory.Position, limit int) ([]inventory.Item, error) {
	ctx, err := s.check(ctx, "ListInventory")
	if err != nil {
		return nil, err
	}
	return s.Store.ListInventory(ctx, userID, q, after, limit)
}

func (s *noticingStore) UserCollectibles(ctx context.Context, userID int64, t int, types inventory.TypeSet, sp store.Span) ([]store.OwnedAsset, error) {
	ctx, err := s.check(ctx, "UserCollectibles")
	if err != nil {
		return nil, err
	}
	return s.Store.UserCollectibles(ctx, userID, t, types, sp)
}

// TestClientGone: a legacy request whose client went away before the store
// answered is recorded as 499 and logged at debug level, never as an error
// or a 5xx (as Open Cloud does); a real store failure still is both.
func TestClientGone(t *testing.T) {
	e := purchasedPlaceEnv(t)
	tokens, err := pagetoken.New(testSecret)
	if err != nil {
		t.Fatal(err)
	}
	const cancelled = `{"errors":[{"code":0,"message":"The request was cancelled."}]}`
	const unknown = `{"errors":[{"code":0,"message":"An unknown error occured."}]}`
	tests := []struct {
		name      string
		method    string
		target    string
		as        int64
		notice    string // the store call that notices
		cancel    bool   // the client goes away before the store call
		broken    bool   // the store call fails on its own
		status    int
		body      string // "" : not checked
		errorLogs int
	}{
		{"collectibles, user lookup", "GET", "/v1/users/60/assets/collectibles", 0, "User", true, false, 499, cancelled, 0},
		{"collectibles, listing", "GET", "/v1/users/60/assets/collectibles", 0, "UserCollectibles", true, false, 499, cancelled, 0},
		{"asset owners, asset lookup", "GET", "/v2/assets/7001/owners", 0, "Asset", true, false, 499, cancelled, 0},
		{"is-owned, session lookup", "GET", "/v1/users/60/items/Asset/7002/is-owned", ppBuyer, "Session", true, false, 499, cancelled, 0},
		{"is-owned, ownership check", "GET", "/v1/users/60/items/Asset/7002/is-owned", 0, "ListInventory", true, false, 499, cancelled, 0},
		{"give up an asset (documented 500), ownership check", "DELETE", "/v2/inventory/asset/7002", ppBuyer, "ListInventory", true, false, 499, cancelled, 0},
		{"live request", "GET", "/v1/users/60/assets/collectibles", 0, "User", false, false, 200, "", 0},
		{"store failure", "GET", "/v1/users/60/assets/collectibles", 0, "UserCollectibles", false, true, 500, unknown, 1},
		{"store failure giving up an asset", "DELETE", "/v2/inventory/asset/7002", ppBuyer, "ListInventory", false, true, 500, unknown, 1},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var logs bytes.Buffer
			log := slog.New(slog.NewTextHandler(&logs, &slog.HandlerOptions{Level: slog.LevelDebug}))
			s := &noticingStore{Store: e.Store, notice: map[string]bool{tt.notice: true}}
			if tt.broken {
				s.broken = errors.New("disk on fire")
			}
			mux := http.NewServeMux()
			legacy.New(s, tokens, log, e.clock).Register(mux)

			ctx, cancel := context.WithCancel(context.Background())
			defer cancel()
			if tt.cancel {
				cancel()
			}
			r := httptest.NewRequest(tt.method, tt.target, nil).WithContext(ctx)
			r.RemoteAddr = "192.0.2.10:5555"
			if tt.as != 0 {
				r.AddCookie(&http.Cookie{Name: account.CookieName, Value: cookie(tt.as)})
				r.Header.Set("X-CSRF-TOKEN", e.token(tt.as))
			}
			w := httptest.NewRecorder()
			mux.ServeHTTP(w, r)
			if w.Code != tt.status || (tt.body != "" && w.Body.String() != tt.body) {
				t.Errorf("%s %s: %d %s, want %d %s", tt.method, tt.target, w.Code, w.Body, tt.status, tt.body)
			}
			out := logs.String()
			if n := strings.Count(out, "level=ERROR"); n != tt.errorLogs {
				t.Errorf("%d error lines, want %d:\n%s", n, tt.errorLogs, out)
			}
			if tt.cancel && !strings.Contains(out, "level=DEBUG") {
				t.Errorf("no debug line for the cancelled request:\n%s", out)
			}
		})
	}
}

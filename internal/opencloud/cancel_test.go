package opencloud_test

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

	"github.com/invcloud/invcloud/internal/apikey"
	"github.com/invcloud/invcloud/internal/auth"
	"github.com/invcloud/invcloud/internal/inventory"
	"github.com/invcloud/invcloud/internal/opencloud"
	"github.com/invcloud/invcloud/internal/pagetoken"
)

// goneStore fails User as a driver does when the client goes away during
// the call (cancel set), or with broken.
type goneStore struct {
	opencloud.Store
	cancel context.CancelFunc
	broken error
}

func (s *goneStore) User(ctx context.Context, id int64) (inventory.User, error) {
	if s.cancel != nil {
		s.cancel()
		return inventory.User{}, fmt.Errorf("user %d: %w", id, ctx.Err())
	}
	return inventory.User{}, fmt.Errorf("user %d: %w", id, s.broken)
}

// TestClientGone: a request whose client went away is recorded as 499 and
// logged at debug level, not as an error; a store failure still is one.
func TestClientGone(t *testing.T) {
	e := newEnv(t)
	e.user(5, inventory.VisibilityEveryone)
	key := e.key(5, nil, apikey.ScopeInventoryRead)
	tokens, err := pagetoken.New([]byte("0123456789abcdef0123456789abcdef"))
	if err != nil {
		t.Fatal(err)
	}
	for _, tt := range []struct {
		name      string
		gone      bool
		status    int
		body      string
		errorLogs int
	}{
		{"client went away", true, 499, `{"code":"CANCELLED","message":"The request was cancelled."}`, 0},
		{"store failure", false, 500, `{"code":"INTERNAL","message":"Internal server error."}`, 1},
	} {
		t.Run(tt.name, func(t *testing.T) {
			var logs bytes.Buffer
			log := slog.New(slog.NewTextHandler(&logs, &slog.HandlerOptions{Level: slog.LevelDebug}))
			ctx, cancel := context.WithCancel(context.Background())
			defer cancel()
			s := &goneStore{Store: e.Store, broken: errors.New("disk on fire")}
			if tt.gone {
				s.cancel = cancel
			}
			mux := http.NewServeMux()
			opencloud.New(s, auth.New(e.Store, func() time.Time { return testNow }, slog.New(slog.DiscardHandler)), tokens, log).Register(mux)
			r := httptest.NewRequest(http.MethodGet, "/cloud/v2/users/5/inventory-items", nil).WithContext(ctx)
			r.RemoteAddr = "192.0.2.10:5555"
			r.Header.Set("x-api-key", key)
			w := httptest.NewRecorder()
			mux.ServeHTTP(w, r)
			if w.Code != tt.status || w.Body.String() != tt.body {
				t.Errorf("%d %s, want %d %s", w.Code, w.Body, tt.status, tt.body)
			}
			if n := strings.Count(logs.String(), "level=ERROR"); n != tt.errorLogs {
				t.Errorf("%d error lines, want %d:\n%s", n, tt.errorLogs, logs.String())
			}
		})
	}
}

package demo_test

import (
	"context"
	"path/filepath"
	"testing"
	"time"

	"github.com/invcloud/invcloud/internal/demo"
	"github.com/invcloud/invcloud/internal/store/sqlite"
)

// TestLoadProfiles checks that the bulk import keeps the profile fields:
// the banned user is banned and descriptions survive.
func TestLoadProfiles(t *testing.T) {
	ctx := context.Background()
	s, err := sqlite.Open(ctx, filepath.Join(t.TempDir(), "demo.db"))
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	if err := demo.Load(ctx, s, time.Date(2026, 6, 1, 0, 0, 0, 0, time.UTC)); err != nil {
		t.Fatal(err)
	}
	for _, want := range demo.Set().Users {
		got, err := s.User(ctx, want.ID)
		if err != nil {
			t.Fatal(err)
		}
		if got.Banned != want.Banned || got.Description != want.Description {
			t.Errorf("user %d: banned %v description %q, want %v %q", want.ID, got.Banned, got.Description, want.Banned, want.Description)
		}
	}
	if u, _ := s.User(ctx, demo.BannedUser); !u.Banned || u.Description == "" {
		t.Errorf("banned user: %+v", u)
	}
}

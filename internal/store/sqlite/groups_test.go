package sqlite_test

import (
	"context"
	"path/filepath"
	"testing"

	"github.com/invcloud/invcloud/internal/store"
	"github.com/invcloud/invcloud/internal/store/sqlite"
	"github.com/invcloud/invcloud/internal/store/storetest"
)

// TestConformanceGroups runs the groups suite: all shared SQL (the direct
// readers serve none of it).
func TestConformanceGroups(t *testing.T) {
	storetest.RunGroups(t, func(t *testing.T) store.Store {
		s, err := sqlite.Open(context.Background(), filepath.Join(t.TempDir(), "test.db"))
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() {
			if err := s.Close(); err != nil {
				t.Errorf("Close: %v", err)
			}
		})
		return s
	})
}

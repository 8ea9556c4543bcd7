package sqlite_test

import (
	"context"
	"path/filepath"
	"testing"

	"github.com/invcloud/invcloud/internal/store"
	"github.com/invcloud/invcloud/internal/store/sqlite"
	"github.com/invcloud/invcloud/internal/store/storetest"
)

// TestConformanceSharedReads runs the suite with the direct readers off, so
// the shared user lookup and listing (what PostgreSQL runs) are covered on
// SQLite too.
func TestConformanceSharedReads(t *testing.T) {
	storetest.Run(t, func(t *testing.T) store.Store {
		s, err := sqlite.OpenOptions(context.Background(), filepath.Join(t.TempDir(), "test.db"), sqlite.Options{SharedReads: true})
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

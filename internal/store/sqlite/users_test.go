package sqlite_test

import (
	"context"
	"path/filepath"
	"testing"

	"github.com/invcloud/invcloud/internal/store"
	"github.com/invcloud/invcloud/internal/store/sqlite"
	"github.com/invcloud/invcloud/internal/store/storetest"
)

// TestConformanceUsers runs the user lookup suite with the direct readers
// on (User's reader) and off (the shared SQL PostgreSQL runs).
func TestConformanceUsers(t *testing.T) {
	for _, shared := range []bool{false, true} {
		name := "Readers"
		if shared {
			name = "SharedReads"
		}
		t.Run(name, func(t *testing.T) {
			storetest.RunUsers(t, func(t *testing.T) store.Store {
				s, err := sqlite.OpenOptions(context.Background(), filepath.Join(t.TempDir(), "test.db"), sqlite.Options{SharedReads: shared})
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
		})
	}
}

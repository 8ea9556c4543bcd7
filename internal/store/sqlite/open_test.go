package sqlite_test

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/invcloud/invcloud/internal/store/sqlite"
)

// TestFilesOwnerOnly: a new database, its WAL and its shared-memory file are
// readable by their owner only (they hold the OAuth signing key), whatever
// the umask would give.
func TestFilesOwnerOnly(t *testing.T) {
	path := filepath.Join(t.TempDir(), "fresh.db")
	// Twice: closing deletes the WAL, and reopening must not bring it back
	// with the umask's mode.
	for round := range 2 {
		s := open(t, path)
		// A write, so the WAL holds data and the shared memory is in use.
		name := fmt.Sprintf("test-%d", round)
		if _, err := s.Secret(context.Background(), name, func() ([]byte, error) { return []byte("secret"), nil }); err != nil {
			t.Fatal(err)
		}
		for _, name := range []string{path, path + "-wal", path + "-shm"} {
			fi, err := os.Stat(name)
			if err != nil {
				t.Fatalf("round %d: %s: %v", round, name, err)
			}
			if got := fi.Mode().Perm(); got != 0o600 {
				t.Errorf("round %d: %s: mode %s, want -rw-------", round, name, got)
			}
		}
		loose, err := sqlite.LoosePermissions(path)
		if err != nil || len(loose) != 0 {
			t.Errorf("round %d: LoosePermissions = %v, %v; want none", round, loose, err)
		}
		if err := s.Close(); err != nil {
			t.Fatal(err)
		}
	}
	if _, err := os.Stat(path + "-journal"); !os.IsNotExist(err) {
		t.Errorf("a rollback journal was left behind: %v", err)
	}
}

func TestLoosePermissions(t *testing.T) {
	path := filepath.Join(t.TempDir(), "old.db")
	s := open(t, path)
	if err := s.Close(); err != nil {
		t.Fatal(err)
	}
	if err := os.Chmod(path, 0o644); err != nil {
		t.Fatal(err)
	}
	loose, err := sqlite.LoosePermissions(path)
	if err != nil {
		t.Fatal(err)
	}
	if want := []string{path + " (-rw-r--r--)"}; !slices.Equal(loose, want) {
		t.Errorf("LoosePermissions = %q, want %q", loose, want)
	}
	// Opening does not change an existing file's mode: the operator decides.
	s = open(t, path)
	defer s.Close()
	if fi, err := os.Stat(path); err != nil || fi.Mode().Perm() != 0o644 {
		t.Errorf("mode after open: %v, %v", fi.Mode(), err)
	}
}

// TestOpenErrorsInWords: what is wrong with the path is said plainly, not as
// the driver's failed pragma.
func TestOpenErrorsInWords(t *testing.T) {
	dir := t.TempDir()
	notDB := filepath.Join(dir, "notes.txt")
	if err := os.WriteFile(notDB, []byte(strings.Repeat("not a database, just some text\n", 10)), 0o600); err != nil {
		t.Fatal(err)
	}
	file := filepath.Join(dir, "file")
	if err := os.WriteFile(file, nil, 0o600); err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct {
		name, path, want string
	}{
		{"not a database", notDB, "the file is not a database"},
		{"missing directory", filepath.Join(dir, "nope", "x.db"), "directory " + filepath.Join(dir, "nope") + " does not exist"},
		{"a directory", dir, dir + " is a directory, not a database file"},
		{"parent is a file", filepath.Join(file, "x.db"), file + " is not a directory"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			s, err := sqlite.Open(context.Background(), tc.path)
			if err == nil {
				s.Close()
				t.Fatal("Open succeeded")
			}
			if err.Error() != tc.want {
				t.Errorf("error %q, want %q", err, tc.want)
			}
		})
	}
	// Nothing was left behind for a path that failed.
	if _, err := os.Stat(filepath.Join(dir, "nope")); !os.IsNotExist(err) {
		t.Errorf("a failed open created %s", filepath.Join(dir, "nope"))
	}
}

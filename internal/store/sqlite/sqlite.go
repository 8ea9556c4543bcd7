// Package sqlite is the embedded Store: one SQLite file in WAL mode, through
// the cgo-free github.com/ncruces/go-sqlite3 driver.
package sqlite

import (
	"context"
	"database/sql"
	"embed"
	"errors"
	"fmt"
	"io/fs"
	"net/url"
	"os"
	"path/filepath"
	"runtime"

	"github.com/ncruces/go-sqlite3"
	_ "github.com/ncruces/go-sqlite3/driver" // registers "sqlite3"
	"github.com/pressly/goose/v3"

	"github.com/invcloud/invcloud/internal/store"
	"github.com/invcloud/invcloud/internal/store/sqlstore"
)

//go:embed migrations/*.sql
var migrations embed.FS

// Store is a store.Store on SQLite: the shared SQL store, with the user
// lookup and the listings overridden by direct-connection readers.
type Store struct {
	*sqlstore.Store
	db      *sql.DB
	readers *readers
}

var _ store.Store = (*Store)(nil)

// Options tune Open; the zero value is what serve runs.
type Options struct {
	// SharedReads runs the user lookup and the listings on the shared SQL
	// over database/sql instead of the direct-connection readers. For
	// tests: it covers on SQLite the shared listing PostgreSQL runs.
	SharedReads bool
}

// Open opens (creating if needed) the database file at path and applies
// pending migrations. A new database and its WAL and shared-memory files are
// created readable by their owner only: they hold the OAuth signing key and
// password hashes. Errors opening the file say what is wrong in words.
func Open(ctx context.Context, path string) (*Store, error) {
	return OpenOptions(ctx, path, Options{})
}

// OpenOptions is Open with options.
func OpenOptions(ctx context.Context, path string, o Options) (*Store, error) {
	if err := prepareFiles(path); err != nil {
		return nil, err
	}
	q := url.Values{}
	for _, p := range []string{"journal_mode(wal)", "busy_timeout(10000)", "foreign_keys(on)", "synchronous(normal)"} {
		q.Add("_pragma", p)
	}
	dsn := "file:" + (&url.URL{Path: path}).EscapedPath() + "?" + q.Encode()
	db, err := sql.Open("sqlite3", dsn)
	if err != nil {
		return nil, fmt.Errorf("open sqlite %s: %w", path, err)
	}
	// WAL lets readers run beside the one writer; writers queue on the busy timeout.
	db.SetMaxOpenConns(max(4, 2*runtime.GOMAXPROCS(0)))
	db.SetMaxIdleConns(max(4, 2*runtime.GOMAXPROCS(0)))
	db.SetConnMaxIdleTime(0)
	// The first connection reads the header and applies the pragmas: a file
	// that is not a database fails here, before migrations muddle the cause.
	if err := db.PingContext(ctx); err != nil {
		db.Close()
		return nil, describeOpenError(err)
	}
	s := &Store{Store: sqlstore.New(dialect, newDB(db), bulk{}), db: db}
	if err := s.migrate(ctx); err != nil {
		db.Close()
		return nil, err
	}
	if o.SharedReads {
		return s, nil
	}
	if s.readers, err = openReaders(dsn, max(4, 2*runtime.GOMAXPROCS(0))); err != nil {
		db.Close()
		return nil, err
	}
	return s, nil
}

// inMemory reports whether path names no file: SQLite's in-memory database.
func inMemory(path string) bool { return path == "" || path == ":memory:" }

// Companions are the files SQLite keeps beside a database in WAL mode.
var Companions = []string{"-wal", "-shm"}

// prepareFiles checks the database's directory and creates the database and
// its WAL and shared-memory files with mode 0600 where they do not exist.
// The driver's VFS would create them 0666 less the umask; made here first,
// SQLite opens them as they are. While a Store is open its connections keep
// the WAL and shared-memory files, so they are not recreated behind us.
func prepareFiles(path string) error {
	if inMemory(path) {
		return nil
	}
	dir := filepath.Dir(path)
	if fi, err := os.Stat(dir); errors.Is(err, fs.ErrNotExist) {
		return fmt.Errorf("directory %s does not exist", dir)
	} else if err != nil {
		return fmt.Errorf("directory %s: %w", dir, err)
	} else if !fi.IsDir() {
		return fmt.Errorf("%s is not a directory", dir)
	}
	if fi, err := os.Stat(path); err == nil && fi.IsDir() {
		return fmt.Errorf("%s is a directory, not a database file", path)
	}
	if err := createOwnerOnly(path); err != nil {
		return err
	}
	// SQLite deletes a WAL file found beside an empty database (and the VFS
	// would make the next one 0644): write the header first, in rollback
	// mode, so the WAL made below is the one SQLite keeps.
	if fi, err := os.Stat(path); err != nil {
		return fmt.Errorf("stat %s: %w", path, err)
	} else if fi.Size() == 0 {
		if err := initHeader(path); err != nil {
			return err
		}
	}
	for _, name := range companionPaths(path) {
		if err := createOwnerOnly(name); err != nil {
			return err
		}
	}
	return nil
}

// initHeader writes page 1 of an empty database file.
func initHeader(path string) error {
	c, err := sqlite3.Open("file:" + (&url.URL{Path: path}).EscapedPath())
	if err != nil {
		return describeOpenError(err)
	}
	if err := c.Exec(`PRAGMA user_version = 0`); err != nil {
		c.Close()
		return describeOpenError(err)
	}
	if err := c.Close(); err != nil {
		return fmt.Errorf("initialise %s: %w", path, err)
	}
	return nil
}

// createOwnerOnly creates name with mode 0600 unless it exists.
func createOwnerOnly(name string) error {
	f, err := os.OpenFile(name, os.O_RDWR|os.O_CREATE|os.O_EXCL, 0o600)
	switch {
	case err == nil:
		if err := f.Close(); err != nil {
			return fmt.Errorf("create %s: %w", name, err)
		}
		return nil
	case errors.Is(err, fs.ErrExist):
		return nil
	case errors.Is(err, fs.ErrPermission):
		return fmt.Errorf("create %s: permission denied", name)
	default:
		return fmt.Errorf("create %s: %w", name, err)
	}
}

func companionPaths(path string) []string {
	out := make([]string, len(Companions))
	for i, c := range Companions {
		out[i] = path + c
	}
	return out
}

// describeOpenError turns the driver's error on the first connection into
// words; the driver reports a bad file as a failed pragma.
func describeOpenError(err error) error {
	switch {
	case errors.Is(err, sqlite3.NOTADB):
		return errors.New("the file is not a database")
	case errors.Is(err, fs.ErrPermission), errors.Is(err, sqlite3.PERM), errors.Is(err, sqlite3.READONLY):
		return errors.New("permission denied")
	case errors.Is(err, sqlite3.CORRUPT):
		return errors.New("the database file is corrupt")
	case errors.Is(err, sqlite3.BUSY), errors.Is(err, sqlite3.LOCKED):
		return errors.New("the database is locked by another process")
	case errors.Is(err, sqlite3.CANTOPEN):
		return fmt.Errorf("the file cannot be opened (%w)", err)
	}
	return fmt.Errorf("open: %w", err)
}

// LoosePermissions lists the database's files (the database, its WAL and
// shared-memory files, where they exist) that users other than the owner
// may read or write.
func LoosePermissions(path string) ([]string, error) {
	if inMemory(path) {
		return nil, nil
	}
	var loose []string
	for _, name := range append([]string{path}, companionPaths(path)...) {
		fi, err := os.Stat(name)
		if errors.Is(err, fs.ErrNotExist) {
			continue
		}
		if err != nil {
			return nil, fmt.Errorf("stat %s: %w", name, err)
		}
		if fi.Mode().Perm()&0o077 != 0 {
			loose = append(loose, fmt.Sprintf("%s (%s)", name, fi.Mode().Perm()))
		}
	}
	return loose, nil
}

func (s *Store) migrate(ctx context.Context) error {
	p, err := goose.NewProvider(goose.DialectSQLite3, s.db, mustSub(migrations, "migrations"))
	if err != nil {
		return fmt.Errorf("sqlite migrations: %w", err)
	}
	if _, err := p.Up(ctx); err != nil {
		return fmt.Errorf("sqlite migrate up: %w", err)
	}
	return nil
}

// Close closes the database.
func (s *Store) Close() error {
	if s.readers != nil {
		s.readers.close()
	}
	return s.db.Close()
}

// DB exposes the handle for tests and benchmarks of this package.
func (s *Store) DB() *sql.DB { return s.db }

// Package testsvc finds the external services integration tests run
// against. A test asks for a service by its environment variable; when the
// variable is unset the test is skipped, unless INVCLOUD_REQUIRE_SERVICES=1
// (as in CI), where a missing service fails the test instead of silently
// testing less.
//
// A skip is announced once per `go test` run on the terminal: go test shows
// a passing package's output only with -v, so otherwise nobody would learn
// that the suites did not run.
package testsvc

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"fmt"
	"io"
	"net/url"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"testing"

	"github.com/jackc/pgx/v5"
)

// Environment variables naming the services.
const (
	EnvPostgres = "INVCLOUD_TEST_POSTGRES" // e.g. postgres://postgres@127.0.0.1:5432/test?sslmode=disable
	EnvRedis    = "INVCLOUD_TEST_REDIS"    // e.g. redis://127.0.0.1:6379/0
	EnvRequire  = "INVCLOUD_REQUIRE_SERVICES"
)

// Postgres returns the DSN of the test PostgreSQL database.
func Postgres(t testing.TB) string {
	t.Helper()
	return lookup(t, EnvPostgres, "PostgreSQL")
}

// Redis returns the URL of the test Redis server.
func Redis(t testing.TB) string {
	t.Helper()
	return lookup(t, EnvRedis, "Redis")
}

func lookup(t testing.TB, env, name string) string {
	t.Helper()
	if v := os.Getenv(env); v != "" {
		return v
	}
	if os.Getenv(EnvRequire) == "1" {
		t.Fatalf("%s not set but %s=1: the %s tests must run", env, EnvRequire, name)
	}
	announceSkip()
	t.Skipf("%s not set: %s tests skipped", env, name)
	return ""
}

// Example values of the variables, as the README and CI use them.
const (
	examplePostgres = "postgres://postgres@127.0.0.1:5432/test?sslmode=disable"
	exampleRedis    = "redis://127.0.0.1:6379/0"
)

// announced keeps a test binary to one announcement.
var announced sync.Once

func announceSkip() {
	announced.Do(func() {
		w := io.Writer(os.Stderr) // seen with -v, or when a test fails
		if tty, err := os.OpenFile("/dev/tty", os.O_WRONLY, 0); err == nil {
			defer tty.Close()
			w = tty
		}
		// Every package of one `go test ./...` is a child of the same go
		// command: its pid names the run, so only the first package speaks.
		marker := filepath.Join(os.TempDir(), "invcloud-testsvc-announced")
		announce(w, marker, strconv.Itoa(os.Getppid()), os.Getenv)
	})
}

// announce writes one line to w saying which service suites are skipped and
// how to run them, unless the marker file says run was already announced.
// It records run in the marker (one small file, replaced each run).
func announce(w io.Writer, marker, run string, getenv func(string) string) {
	if b, err := os.ReadFile(marker); err == nil && string(b) == run {
		return
	}
	var unset, set []string
	for _, v := range []struct{ env, name, example string }{
		{EnvPostgres, "PostgreSQL", examplePostgres}, {EnvRedis, "Redis", exampleRedis},
	} {
		if getenv(v.env) == "" {
			unset = append(unset, v.name)
			set = append(set, v.env+"='"+v.example+"'")
		}
	}
	if len(unset) == 0 {
		return
	}
	tmp := fmt.Sprintf("%s.%d", marker, os.Getpid())
	// Best effort: if the marker cannot be kept, the line is repeated.
	if os.WriteFile(tmp, []byte(run), 0o600) == nil {
		os.Rename(tmp, marker)
	}
	os.Remove(tmp) // left only when the rename failed
	fmt.Fprintf(w, "invcloud: %s suites skipped; to run them: %s go test ./...\n",
		strings.Join(unset, " and "), strings.Join(set, " "))
}

// PostgresSchema creates a fresh, uniquely named schema in the test
// PostgreSQL database and returns a DSN whose connections use it (through
// the search_path runtime parameter). The schema is dropped, with all it
// holds, when the test ends. It skips or fails as Postgres does.
func PostgresSchema(t testing.TB) string {
	t.Helper()
	base := Postgres(t)
	var b [8]byte
	if _, err := rand.Read(b[:]); err != nil {
		t.Fatal(err)
	}
	schema := "invcloud_test_" + hex.EncodeToString(b[:])
	ctx := context.Background()
	exec := func(q string) error {
		conn, err := pgx.Connect(ctx, base)
		if err != nil {
			return err
		}
		defer conn.Close(ctx)
		_, err = conn.Exec(ctx, q)
		return err
	}
	if err := exec(`CREATE SCHEMA ` + schema); err != nil {
		t.Fatalf("create schema %s in %s: %v", schema, EnvPostgres, err)
	}
	t.Cleanup(func() {
		if err := exec(`DROP SCHEMA ` + schema + ` CASCADE`); err != nil {
			t.Errorf("drop schema %s: %v", schema, err)
		}
	})
	return WithSearchPath(base, schema)
}

// WithSearchPath returns dsn (a URL or keyword/value string) with its
// search_path set to schema.
func WithSearchPath(dsn, schema string) string {
	if u, err := url.Parse(dsn); err == nil && strings.Contains(dsn, "://") {
		q := u.Query()
		q.Set("search_path", schema)
		u.RawQuery = q.Encode()
		return u.String()
	}
	return dsn + " search_path=" + schema
}

// Package testsvc finds the external services integration tests run
// against. A test asks for a service by its environment variable; when the
// variable is unset the test is skipped, unless INVCLOUD_REQUIRE_SERVICES=1
// (as in CI), where a missing service fails the test instead of silently
// testing less.
package testsvc

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"net/url"
	"os"
	"strings"
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
	t.Skipf("%s not set: %s tests skipped", env, name)
	return ""
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

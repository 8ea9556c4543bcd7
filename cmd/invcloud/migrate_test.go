package main

import (
	"bytes"
	"context"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/invcloud/invcloud/internal/account"
	"github.com/invcloud/invcloud/internal/apikey"
	"github.com/invcloud/invcloud/internal/demo"
	"github.com/invcloud/invcloud/internal/inventory"
	"github.com/invcloud/invcloud/internal/seed"
	"github.com/invcloud/invcloud/internal/server"
	"github.com/invcloud/invcloud/internal/store"
	"github.com/invcloud/invcloud/internal/store/postgres"
	"github.com/invcloud/invcloud/internal/store/sqlite"
	"github.com/invcloud/invcloud/internal/testsvc"
)

// runCLI runs the invcloud command line with args and returns its output.
func runCLI(t *testing.T, args ...string) (string, error) {
	t.Helper()
	root := newRoot()
	var out bytes.Buffer
	root.SetOut(&out)
	root.SetErr(&out)
	root.SetArgs(args)
	err := root.ExecuteContext(context.Background())
	return out.String(), err
}

// migrationSource writes the demo data, a small seed and a little of every
// other kind of row into a new SQLite file, and returns its DSN.
func migrationSource(t *testing.T) string {
	t.Helper()
	ctx := context.Background()
	now := time.Date(2026, 6, 1, 12, 0, 0, 0, time.UTC)
	dsn := "sqlite:" + filepath.Join(t.TempDir(), "source.db")
	s, err := server.OpenStore(ctx, dsn)
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	if err := demo.Load(ctx, s, now); err != nil {
		t.Fatal(err)
	}
	if _, err := seed.Generate(ctx, s, seed.Options{Users: 200, ItemsPerUser: 50, Seed: 7}); err != nil {
		t.Fatal(err)
	}
	// Grants and a revoke move the counters past the rows.
	limited := inventory.Ref{Kind: inventory.KindAsset, ID: 10_000_000_000} // seed asset 0: a serialized limited
	if _, err := s.Grant(ctx, demo.CollectorUser, limited, now); err != nil {
		t.Fatal(err)
	}
	if _, err := s.Revoke(ctx, demo.CollectorUser, limited); err != nil {
		t.Fatal(err)
	}
	keys, err := s.APIKeys(ctx, 0)
	if err != nil || len(keys) == 0 {
		t.Fatalf("demo keys: %v, %v", keys, err)
	}
	if err := s.TouchAPIKey(ctx, keys[0].ID, now.Add(time.Minute)); err != nil {
		t.Fatal(err)
	}
	if err := s.SetAPIKeyEnabled(ctx, keys[len(keys)-1].ID, false); err != nil {
		t.Fatal(err)
	}
	if err := s.CreateSession(ctx, store.Session{Hash: account.HashSessionToken("cookie"), UserID: demo.GuideUser,
		CSRFSecret: []byte("csrf"), Created: now, Expires: now.Add(24 * time.Hour)}); err != nil {
		t.Fatal(err)
	}
	if _, err := s.Secret(ctx, "page-token-hmac-key", func() ([]byte, error) { return []byte("0123456789abcdef0123456789abcdef"), nil }); err != nil {
		t.Fatal(err)
	}
	if err := s.CreateOAuthApp(ctx, store.OAuthApp{ClientID: "4242", SecretHash: store.HashOAuthSecret("app"), Name: "App",
		OwnerID: demo.GuideUser, RedirectURIs: []string{"https://app.example/cb"}, Scopes: []string{"openid"}, Created: now}); err != nil {
		t.Fatal(err)
	}
	return dsn
}

func digestOf(t *testing.T, dsn string) store.Digest {
	t.Helper()
	ctx := context.Background()
	s, err := server.OpenStore(ctx, dsn)
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	d, err := store.DigestOf(ctx, s)
	if err != nil {
		t.Fatal(err)
	}
	return d
}

func TestMigrateSQLiteToPostgres(t *testing.T) {
	to := testsvc.PostgresSchema(t)
	from := migrationSource(t)

	out, err := runCLI(t, "migrate", "--from", from, "--to", to)
	if err != nil {
		t.Fatalf("migrate: %v\n%s", err, out)
	}
	t.Log(out)
	if !strings.Contains(out, "verified:") {
		t.Errorf("migrate printed no verification:\n%s", out)
	}

	want, got := digestOf(t, from), digestOf(t, to)
	if diff := want.Diff(got); len(diff) > 0 {
		t.Fatalf("tables differ after migrate: %v\nsource %v\ndestination %v", diff, want, got)
	}
	for table, min := range map[string]int64{
		"users": 205, "assets": 20_000, "badges": 2_000, "game_passes": 500, "private_servers": 200,
		"user_assets": 200 * 40, "user_badges": 200 * 5, "user_game_passes": 200, "counters": 1,
		"api_keys": 3, "sessions": 1, "settings": 1, "oauth_apps": 1,
	} {
		if got[table].Rows < min {
			t.Errorf("table %s: %d rows, want at least %d", table, got[table].Rows, min)
		}
	}

	// The copy serves as the original did.
	ctx := context.Background()
	dst, err := postgres.Open(ctx, to)
	if err != nil {
		t.Fatal(err)
	}
	defer dst.Close()
	src, err := sqlite.Open(ctx, strings.TrimPrefix(from, "sqlite:"))
	if err != nil {
		t.Fatal(err)
	}
	defer src.Close()
	for _, u := range []int64{demo.GuideUser, demo.CollectorUser, seed.DefaultFirstUserID + 17} {
		a, err := src.ListInventory(ctx, u, inventory.Everything, inventory.Start, 1000)
		if err != nil {
			t.Fatal(err)
		}
		b, err := dst.ListInventory(ctx, u, inventory.Everything, inventory.Start, 1000)
		if err != nil {
			t.Fatal(err)
		}
		if len(a) == 0 || len(a) != len(b) {
			t.Errorf("user %d: %d items in the source, %d in the copy", u, len(a), len(b))
		}
	}
	for _, k := range demo.Keys {
		if _, err := dst.APIKeyByHash(ctx, apikey.HashSecret(k.Secret)); err != nil {
			t.Errorf("demo key %q after migrate: %v", k.Name, err)
		}
	}
	if _, hash, err := dst.Credentials(ctx, "GuideUser"); err != nil || hash == "" {
		t.Errorf("Credentials after migrate: %q, %v", hash, err)
	}
	// Counters came along: the next serial of the revoked limited is not reused.
	a, err := src.Grant(ctx, demo.GuideUser, inventory.Ref{Kind: inventory.KindAsset, ID: 10_000_000_000}, time.Now())
	if err != nil {
		t.Fatal(err)
	}
	b, err := dst.Grant(ctx, demo.GuideUser, inventory.Ref{Kind: inventory.KindAsset, ID: 10_000_000_000}, time.Now())
	if err != nil {
		t.Fatal(err)
	}
	if a.Collectible.SerialNumber != b.Collectible.SerialNumber {
		t.Errorf("next serial: %d in the source, %d in the copy", a.Collectible.SerialNumber, b.Collectible.SerialNumber)
	}
}

func TestMigrateRefusesAndVerifies(t *testing.T) {
	to := testsvc.PostgresSchema(t)
	from := migrationSource(t)
	if out, err := runCLI(t, "migrate", "--from", from, "--to", to); err != nil {
		t.Fatalf("migrate: %v\n%s", err, out)
	}
	// Into a destination that holds data: refused without --resume.
	out, err := runCLI(t, "migrate", "--from", from, "--to", to)
	if err == nil || !strings.Contains(err.Error(), "--resume") {
		t.Errorf("second migrate without --resume: %v\n%s", err, out)
	}
	// With --resume it completes (nothing to add) and verifies.
	if out, err := runCLI(t, "migrate", "--resume", "--from", from, "--to", to); err != nil {
		t.Errorf("migrate --resume: %v\n%s", err, out)
	}
	// A destination that differs fails loudly, naming the tables.
	ctx := context.Background()
	dst, err := postgres.Open(ctx, to)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := dst.Pool().Exec(ctx, `UPDATE users SET display_name = 'changed' WHERE id = $1`, demo.GuideUser); err != nil {
		t.Fatal(err)
	}
	if _, err := dst.Pool().Exec(ctx, `DELETE FROM user_badges WHERE user_id = $1`, seed.DefaultFirstUserID); err != nil {
		t.Fatal(err)
	}
	dst.Close()
	out, err = runCLI(t, "migrate", "--resume", "--from", from, "--to", to)
	if err == nil {
		t.Fatalf("migrate into a changed destination succeeded:\n%s", out)
	}
	// The deleted rows were copied again; the changed one is kept, and reported.
	if !strings.Contains(err.Error(), "VERIFICATION FAILED") || !strings.Contains(err.Error(), "users") || strings.Contains(err.Error(), "user_badges") {
		t.Errorf("error = %v", err)
	}
	if !strings.Contains(out, "DIFFERS") {
		t.Errorf("output shows no differing table:\n%s", out)
	}
	// Bad arguments.
	if _, err := runCLI(t, "migrate", "--from", from, "--to", from); err == nil {
		t.Error("migrate onto itself succeeded")
	}
	if _, err := runCLI(t, "migrate", "--from", from); err == nil {
		t.Error("migrate without --to succeeded")
	}
}

// TestMigrateSQLiteToSQLite needs no server: SQLite to SQLite, checked the
// same way.
func TestMigrateSQLiteToSQLite(t *testing.T) {
	from := migrationSource(t)
	to := "sqlite:" + filepath.Join(t.TempDir(), "copy.db")
	out, err := runCLI(t, "migrate", "--from", from, "--to", to)
	if err != nil {
		t.Fatalf("migrate: %v\n%s", err, out)
	}
	if diff := digestOf(t, from).Diff(digestOf(t, to)); len(diff) > 0 {
		t.Errorf("tables differ: %v", diff)
	}

	// A column no registry line names would be lost: refused, by name,
	// before anything is copied.
	src, err := sqlite.Open(context.Background(), strings.TrimPrefix(from, "sqlite:"))
	if err != nil {
		t.Fatal(err)
	}
	if _, err := src.DB().Exec(`ALTER TABLE badges ADD COLUMN icon TEXT`); err != nil {
		t.Fatal(err)
	}
	src.Close()
	to2 := "sqlite:" + filepath.Join(t.TempDir(), "copy2.db")
	out, err = runCLI(t, "migrate", "--from", from, "--to", to2)
	if err == nil || !strings.Contains(err.Error(), "badges.icon") {
		t.Errorf("migrate of a source with an unknown column: %v\n%s", err, out)
	}
	if tables := nonEmpty(t, to2); len(tables) > 0 {
		t.Errorf("refused migrate copied %v", tables)
	}
}

func nonEmpty(t *testing.T, dsn string) []string {
	t.Helper()
	s, err := server.OpenStore(context.Background(), dsn)
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	tables, err := store.NonEmpty(context.Background(), s)
	if err != nil {
		t.Fatal(err)
	}
	return tables
}

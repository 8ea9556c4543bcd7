package main

import (
	"bytes"
	"context"
	"io"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"github.com/invcloud/invcloud/internal/server"
	"github.com/invcloud/invcloud/internal/store"
)

// oauthCLI runs the command line and returns what it printed on stdout.
func oauthCLI(t *testing.T, args ...string) (string, error) {
	t.Helper()
	root := newRoot()
	var out bytes.Buffer
	root.SetOut(&out)
	root.SetErr(io.Discard)
	root.SetArgs(args)
	err := root.ExecuteContext(context.Background())
	return out.String(), err
}

func TestOAuthAppCommands(t *testing.T) {
	db := "sqlite:" + filepath.Join(t.TempDir(), "cli.db")
	if _, err := oauthCLI(t, "--db", db, "demo", "load"); err != nil { // only set-up commands create a database
		t.Fatal(err)
	}
	if _, err := oauthCLI(t, "--db", db, "user", "create", "--id", "42", "--name", "dev"); err != nil {
		t.Fatal(err)
	}
	out, err := oauthCLI(t, "--db", db, "oauth-app", "create", "--owner", "42", "--name", "My App",
		"--redirect-uri", "https://app.example/cb", "--redirect-uri", "http://localhost:8081/cb",
		"--scope", "openid", "--scope", "user.inventory-item:read")
	if err != nil {
		t.Fatal(err)
	}
	lines := strings.Split(strings.TrimSpace(out), "\n")
	if len(lines) != 2 || !regexp.MustCompile(`^[0-9]{18}$`).MatchString(lines[0]) || !strings.HasPrefix(lines[1], "RBX-") {
		t.Fatalf("create printed %q, want the client id then the secret", out)
	}
	clientID, secret := lines[0], lines[1]

	out, err = oauthCLI(t, "--db", db, "oauth-app", "create", "--user", "42", "--name", "Native", "--public",
		"--redirect-uri", "myapp://cb", "--scope", "openid")
	if err != nil {
		t.Fatal(err)
	}
	if lines := strings.Split(strings.TrimSpace(out), "\n"); len(lines) != 1 || !regexp.MustCompile(`^[0-9]{18}$`).MatchString(lines[0]) {
		t.Fatalf("public create printed %q, want only the client id", out)
	}
	publicID := strings.TrimSpace(out)

	for _, bad := range [][]string{
		{"--owner", "42", "--name", "x", "--redirect-uri", "http://example.com/cb", "--scope", "openid"},
		{"--owner", "42", "--name", "x", "--redirect-uri", "https://a.example/cb", "--scope", "email"},
		{"--owner", "999", "--name", "x", "--redirect-uri", "https://a.example/cb", "--scope", "openid"},
		{"--owner", "42", "--name", "x", "--scope", "openid"},
	} {
		if out, err := oauthCLI(t, append([]string{"--db", db, "oauth-app", "create"}, bad...)...); err == nil {
			t.Errorf("create %v: accepted, printed %q", bad, out)
		}
	}

	list, err := oauthCLI(t, "--db", db, "oauth-app", "list")
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(list, clientID) || !strings.Contains(list, publicID) || !strings.Contains(list, "My App") ||
		!strings.Contains(list, "public") || strings.Contains(list, secret) {
		t.Errorf("list = %q", list)
	}

	// The secret printed is the one stored (as a hash).
	ctx := context.Background()
	s, err := server.OpenStore(ctx, db)
	if err != nil {
		t.Fatal(err)
	}
	app, err := s.OAuthApp(ctx, clientID)
	s.Close()
	if err != nil || app.SecretHash != store.HashOAuthSecret(secret) || app.OwnerID != 42 || len(app.RedirectURIs) != 2 {
		t.Fatalf("stored app = %+v, %v", app, err)
	}

	if _, err := oauthCLI(t, "--db", db, "oauth-app", "delete", clientID); err != nil {
		t.Fatal(err)
	}
	if _, err := oauthCLI(t, "--db", db, "oauth-app", "delete", clientID); err == nil {
		t.Error("deleting a deleted app succeeded")
	}
	if list, _ := oauthCLI(t, "--db", db, "oauth-app", "list"); strings.Contains(list, clientID) {
		t.Errorf("deleted app still listed: %q", list)
	}
}

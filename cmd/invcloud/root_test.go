package main

import (
	"bytes"
	"context"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
)

// cli runs the command line in-process and returns stdout and stderr.
func cli(t *testing.T, args ...string) (stdout, stderr string, err error) {
	t.Helper()
	root := newRoot()
	var out, errb bytes.Buffer
	root.SetOut(&out)
	root.SetErr(&errb)
	root.SetArgs(args)
	err = root.ExecuteContext(context.Background())
	return out.String(), errb.String(), err
}

// TestMissingDatabaseRefused: only serve, demo load and seed create a SQLite
// database; every other command refuses a path with no file, naming it,
// instead of reporting on a new empty database.
func TestMissingDatabaseRefused(t *testing.T) {
	for _, tc := range []struct {
		name string
		args []string
	}{
		{"apikey list", []string{"apikey", "list"}},
		{"apikey create", []string{"apikey", "create", "--user", "42", "--scope", "user.inventory-item:read"}},
		{"apikey disable", []string{"apikey", "disable", "1"}},
		{"apikey enable", []string{"apikey", "enable", "1"}},
		{"apikey delete", []string{"apikey", "delete", "1"}},
		{"user create", []string{"user", "create", "--id", "42", "--name", "Builder42"}},
		{"user privacy", []string{"user", "privacy", "--id", "42", "--visibility", "everyone"}},
		{"catalog add", []string{"catalog", "add", "asset:1028595", "--name", "Classic Logo T-Shirt", "--type", "CLASSIC_TSHIRT"}},
		{"grant", []string{"grant", "--user", "42", "asset:1028595"}},
		{"revoke", []string{"revoke", "--user", "42", "asset:1028595"}},
		{"friend add", []string{"friend", "add", "--user", "42", "--friend", "43"}},
		{"friend remove", []string{"friend", "remove", "--user", "42", "--friend", "43"}},
		{"oauth-app list", []string{"oauth-app", "list"}},
		{"oauth-app delete", []string{"oauth-app", "delete", "4242"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			path := filepath.Join(t.TempDir(), "typo.db")
			_, _, err := cli(t, append([]string{"--db", "sqlite:" + path}, tc.args...)...)
			want := `no database at ` + path + ` (sqlite:` + path + `); create one with "invcloud serve" or "invcloud demo load", or pass --db`
			if err == nil || err.Error() != want {
				t.Errorf("error %v\nwant       %s", err, want)
			}
			if _, err := os.Stat(path); !os.IsNotExist(err) {
				t.Errorf("%s was created", path)
			}
		})
	}

	t.Run("default path, elsewhere", func(t *testing.T) {
		dir := t.TempDir()
		t.Chdir(dir)
		t.Setenv("INVCLOUD_DB", "")
		_, _, err := cli(t, "apikey", "list")
		want := `no database at ` + filepath.Join(dir, "invcloud.db") + ` (sqlite:invcloud.db); create one with "invcloud serve" or "invcloud demo load", or pass --db`
		if err == nil || err.Error() != want {
			t.Errorf("error %v\nwant       %s", err, want)
		}
	})

	t.Run("migrate --from", func(t *testing.T) {
		dir := t.TempDir()
		from, to := filepath.Join(dir, "typo.db"), filepath.Join(dir, "new.db")
		out, _, err := cli(t, "migrate", "--from", "sqlite:"+from, "--to", "sqlite:"+to)
		want := `migrate: source: no database at ` + from + ` (sqlite:` + from + `); create one with "invcloud serve" or "invcloud demo load", or pass --from`
		if err == nil || err.Error() != want {
			t.Errorf("error %v\nwant       %s", err, want)
		}
		if strings.Contains(out, "verified") {
			t.Errorf("printed %q", out)
		}
		for _, p := range []string{from, to} {
			if _, err := os.Stat(p); !os.IsNotExist(err) {
				t.Errorf("%s was created", p)
			}
		}
	})

	// The commands that set up an installation create it, owner-only.
	for _, args := range [][]string{
		{"demo", "load"},
		{"seed", "--users", "2", "--items-per-user", "1"},
	} {
		t.Run(strings.Join(args, " "), func(t *testing.T) {
			path := filepath.Join(t.TempDir(), "new.db")
			if _, stderr, err := cli(t, append([]string{"--db", "sqlite:" + path}, args...)...); err != nil {
				t.Fatalf("%v\n%s", err, stderr)
			}
			fi, err := os.Stat(path)
			if err != nil {
				t.Fatal(err)
			}
			if fi.Mode().Perm() != 0o600 {
				t.Errorf("mode %s, want -rw-------", fi.Mode().Perm())
			}
			// ...after which the other commands find it.
			if _, stderr, err := cli(t, "--db", "sqlite:"+path, "apikey", "list"); err != nil {
				t.Errorf("apikey list: %v\n%s", err, stderr)
			}
		})
	}
}

// TestLoosePermissionsWarning: a database others may read is reported at
// start; an owner-only one is not.
func TestLoosePermissionsWarning(t *testing.T) {
	path := filepath.Join(t.TempDir(), "inv.db")
	if _, stderr, err := cli(t, "--db", "sqlite:"+path, "demo", "load"); err != nil {
		t.Fatalf("%v\n%s", err, stderr)
	}
	const warning = "database files are readable by other users"
	for _, tc := range []struct {
		mode os.FileMode
		warn bool
	}{{0o600, false}, {0o644, true}, {0o640, true}} {
		if err := os.Chmod(path, tc.mode); err != nil {
			t.Fatal(err)
		}
		_, stderr, err := cli(t, "--db", "sqlite:"+path, "apikey", "list")
		if err != nil {
			t.Fatal(err)
		}
		got := strings.Contains(stderr, "level=WARN") && strings.Contains(stderr, warning) &&
			strings.Contains(stderr, path+" ("+tc.mode.String()+")")
		if got != tc.warn {
			t.Errorf("mode %s: warned %v, want %v; stderr:\n%s", tc.mode, got, tc.warn, stderr)
		}
	}
}

func TestLogFlagsRefuseUnknownValues(t *testing.T) {
	for _, tc := range []struct {
		args []string
		want string // "" : accepted
	}{
		{[]string{"--log-level", "verbose"}, `--log-level "verbose": want one of debug, info, warn, error`},
		{[]string{"--log-level", "INFO+2"}, `--log-level "INFO+2": want one of debug, info, warn, error`},
		{[]string{"--log-format", "xml"}, `--log-format "xml": want text or json`},
		{[]string{"--log-level", "debug", "--log-format", "json"}, ""},
		{[]string{"--log-level", "WARN", "--log-format", "TEXT"}, ""},
	} {
		_, _, err := cli(t, append(tc.args, "version")...)
		switch {
		case tc.want == "" && err != nil:
			t.Errorf("%v: %v", tc.args, err)
		case tc.want != "" && (err == nil || err.Error() != tc.want):
			t.Errorf("%v: error %v, want %s", tc.args, err, tc.want)
		}
	}
}

// TestVersionRevision: a binary built with `go build` in a git checkout
// names the commit it was built from. It builds its own binary with
// -buildvcs=true: GOFLAGS may turn stamping off, as it does on some CI
// machines, and this test is about what a user's default build does.
func TestVersionRevision(t *testing.T) {
	head := func() string {
		out, err := exec.Command("git", "rev-parse", "HEAD").Output()
		if err != nil {
			t.Skipf("not a git checkout (%v): no revision to embed", err)
		}
		return strings.TrimSpace(string(out))
	}
	before := head()
	bin := filepath.Join(t.TempDir(), "invcloud")
	if out, err := exec.Command("go", "build", "-buildvcs=true", "-o", bin, ".").CombinedOutput(); err != nil {
		t.Fatalf("go build: %v\n%s", err, out)
	}
	after := head() // others may commit meanwhile
	re := regexp.MustCompile(`^invcloud \S+, revision ([0-9a-f]{40}) \(\d{4}-\d\d-\d\dT[0-9:]+Z\)`)
	for _, args := range []string{"version", "--version"} {
		out, err := exec.Command(bin, args).Output()
		if err != nil {
			t.Fatal(err)
		}
		m := re.FindStringSubmatch(string(out))
		if m == nil || (m[1] != before && m[1] != after) {
			t.Errorf("invcloud %s = %q, want the revision %s", args, out, before)
		}
	}
}

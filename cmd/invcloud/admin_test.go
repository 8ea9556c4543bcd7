package main

import (
	"bytes"
	"context"
	"encoding/json"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/invcloud/invcloud/internal/account"
	"github.com/invcloud/invcloud/internal/inventory"
	"github.com/invcloud/invcloud/internal/server"
)

// adminCLI runs the command line with stdin and returns stdout and stderr.
func adminCLI(t *testing.T, stdin string, args ...string) (string, string, error) {
	t.Helper()
	root := newRoot()
	var out, errOut bytes.Buffer
	root.SetOut(&out)
	root.SetErr(&errOut)
	root.SetIn(strings.NewReader(stdin))
	root.SetArgs(args)
	err := root.ExecuteContext(context.Background())
	return out.String(), errOut.String(), err
}

// demoDB returns a fresh SQLite database holding the demo data.
func demoDB(t *testing.T) string {
	t.Helper()
	db := "sqlite:" + filepath.Join(t.TempDir(), "admin.db")
	if _, _, err := adminCLI(t, "", "--db", db, "demo", "load"); err != nil {
		t.Fatal(err)
	}
	return db
}

// jsonObjects decodes output of one JSON object a line.
func jsonObjects(t *testing.T, out string) []map[string]any {
	t.Helper()
	var objs []map[string]any
	for _, line := range strings.Split(strings.TrimSuffix(out, "\n"), "\n") {
		var m map[string]any
		if err := json.Unmarshal([]byte(line), &m); err != nil {
			t.Fatalf("line %q is not a JSON object: %v", line, err)
		}
		objs = append(objs, m)
	}
	return objs
}

func TestAdminRefusals(t *testing.T) {
	db := demoDB(t)
	types := strings.Join(inventory.AssetTypeNames()[1:], ", ")
	for _, tt := range []struct {
		name string
		args []string
		want string
	}{
		{"username too short", []string{"user", "create", "--user", "7", "--name", "ab"}, `--name "ab": a username has 3 to 20 characters`},
		{"username with a space", []string{"user", "create", "--user", "7", "--name", "Bob Smith"}, `--name "Bob Smith": a username has only letters, digits and one underscore`},
		{"username with two underscores", []string{"user", "create", "--user", "7", "--name", "a_b_c"}, `--name "a_b_c": a username has at most one underscore`},
		{"username starting with an underscore", []string{"user", "create", "--user", "7", "--name", "_abc"}, `--name "_abc": a username may not start or end with an underscore`},
		{"user create without --user", []string{"user", "create", "--name", "Builder7"}, `--user: give the id of a user (a positive number)`},
		{"bad visibility", []string{"user", "create", "--user", "7", "--name", "Builder7", "--visibility", "all"}, `--visibility: unknown visibility "all" (want everyone, friends or noone)`},
		{"privacy without --user", []string{"user", "privacy", "--visibility", "noone"}, `--user: give the id of a user (a positive number)`},
		{"show a name breaking the rules", []string{"user", "show", "no such"}, `user "no such": not a user id, and a username has only letters, digits and one underscore`},
		{"show an unknown id", []string{"user", "show", "5"}, `no user 5: user 5: not found`},
		{"bad output", []string{"user", "list", "--output", "yaml"}, `--output "yaml": want table or json`},
		{"bad output of show", []string{"user", "show", "GuideUser", "-o", "xml"}, `--output "xml": want table or json`},
		{"expires in the past", []string{"apikey", "create", "--user", "11111111111", "--expires", "2020-01-01"}, `--expires 2020-01-01: that is in the past`},
		{"expires in the past (RFC 3339)", []string{"apikey", "create", "--user", "11111111111", "--expires", "2020-01-01T00:00:00Z"}, `--expires 2020-01-01T00:00:00Z: that is in the past`},
		{"expires unreadable", []string{"apikey", "create", "--user", "11111111111", "--expires", "next week"}, `--expires "next week": want an RFC 3339 time (2027-01-01T00:00:00Z) or a date (2027-01-01)`},
		{"key name too long", []string{"apikey", "create", "--user", "11111111111", "--name", strings.Repeat("k", 51)}, `--name: a key name has 1 to 50 characters`},
		{"key name empty", []string{"apikey", "create", "--user", "11111111111", "--name", " "}, `--name: a key name has 1 to 50 characters`},
		{"key without --user", []string{"apikey", "create", "--name", "ci"}, `--user: give the id of a user (a positive number)`},
		{"unknown scope", []string{"apikey", "create", "--user", "11111111111", "--scope", "everything"}, `--scope: unknown scope "everything" (known: user.inventory-item:read, group:read, group:write, user.advanced:read, user.social:read)`},
		{"unknown asset type", []string{"catalog", "add", "asset:5", "--type", "SHOE"}, `--type "SHOE": unknown asset type; valid types: ` + types},
		{"unspecified asset type", []string{"catalog", "add", "asset:5", "--type", "INVENTORY_ITEM_ASSET_TYPE_UNSPECIFIED"}, `--type "INVENTORY_ITEM_ASSET_TYPE_UNSPECIFIED": unknown asset type; valid types: ` + types},
		{"type of a badge", []string{"catalog", "add", "badge:5", "--type", "HAT"}, `--type applies to assets only`},
		{"bad kind", []string{"catalog", "list", "--kind", "hat"}, `--kind "hat": want asset, badge, gamepass or privateserver`},
		{"unknown type in a listing", []string{"inventory", "list", "GuideUser", "--type", "HATS"}, `--type "HATS": unknown asset type; valid types: ` + types},
		{"type without assets", []string{"inventory", "list", "GuideUser", "--kind", "badge", "--type", "HAT"}, `--type selects assets: add --kind asset, or leave --kind out`},
		{"bad ref", []string{"catalog", "show", "hat:5"}, `invalid item "hat:5": want asset:ID, badge:ID, gamepass:ID or privateserver:ID`},
		{"unknown catalog item", []string{"catalog", "show", "badge:5"}, `badge:5: not found`},
		{"grant without --user", []string{"grant", "badge:111111"}, `--user: give the id of a user (a positive number)`},
		{"password too short", []string{"user", "set-password", "GuideUser"}, `password must have at least 8 characters`},
		{"no password on stdin", []string{"user", "set-password", "PrivatePat"}, `no password on stdin: pipe it in (echo ... | invcloud user set-password USER) or run in a terminal`},
	} {
		t.Run(tt.name, func(t *testing.T) {
			stdin := ""
			if tt.args[0] == "user" && tt.args[1] == "set-password" && tt.args[2] == "GuideUser" {
				stdin = "short\n"
			}
			out, _, err := adminCLI(t, stdin, append([]string{"--db", db}, tt.args...)...)
			if err == nil {
				t.Fatalf("%v: accepted, printed %q", tt.args, out)
			}
			if err.Error() != tt.want {
				t.Errorf("%v:\n got %q\nwant %q", tt.args, err, tt.want)
			}
		})
	}
}

func TestParseExpires(t *testing.T) {
	now := time.Date(2026, 6, 1, 12, 0, 0, 0, time.UTC)
	for _, tt := range []struct {
		in   string
		want time.Time
		err  string
	}{
		{"2026-06-01", time.Date(2026, 6, 1, 23, 59, 59, 0, time.UTC), ""}, // today: its end is still ahead
		{"2027-01-01", time.Date(2027, 1, 1, 23, 59, 59, 0, time.UTC), ""},
		{"2027-01-01T00:00:00Z", time.Date(2027, 1, 1, 0, 0, 0, 0, time.UTC), ""},
		{"2027-01-01T02:00:00+02:00", time.Date(2027, 1, 1, 0, 0, 0, 0, time.UTC), ""},
		{"2026-05-31", time.Time{}, "--expires 2026-05-31: that is in the past"},
		{"2026-06-01T12:00:00Z", time.Time{}, "--expires 2026-06-01T12:00:00Z: that is in the past"},
		{"2027-13-01", time.Time{}, `--expires "2027-13-01": want an RFC 3339 time (2027-01-01T00:00:00Z) or a date (2027-01-01)`},
		{"1 year", time.Time{}, `--expires "1 year": want an RFC 3339 time (2027-01-01T00:00:00Z) or a date (2027-01-01)`},
	} {
		got, err := parseExpires(tt.in, now)
		switch {
		case tt.err != "" && (err == nil || err.Error() != tt.err):
			t.Errorf("parseExpires(%q) error %v, want %q", tt.in, err, tt.err)
		case tt.err == "" && (err != nil || !got.Equal(tt.want) || got.Location() != time.UTC):
			t.Errorf("parseExpires(%q) = %v, %v; want %v", tt.in, got, err, tt.want)
		}
	}
}

func TestAdminReadCommands(t *testing.T) {
	db := demoDB(t)
	run := func(t *testing.T, stdin string, args ...string) string {
		t.Helper()
		out, _, err := adminCLI(t, stdin, append([]string{"--db", db}, args...)...)
		if err != nil {
			t.Fatalf("%v: %v", args, err)
		}
		return out
	}

	t.Run("user list", func(t *testing.T) {
		users := jsonObjects(t, run(t, "", "user", "list", "--output", "json"))
		if len(users) < 5 || users[0]["id"].(float64) >= users[1]["id"].(float64) {
			t.Fatalf("user list: %v", users)
		}
		if got := jsonObjects(t, run(t, "", "user", "list", "-o", "json", "--limit", "2")); len(got) != 2 {
			t.Errorf("--limit 2 listed %d", len(got))
		}
		table := run(t, "", "user", "list")
		if !strings.HasPrefix(table, "ID ") || !strings.Contains(table, "GuideUser") {
			t.Errorf("user list table:\n%s", table)
		}
	})
	t.Run("user show", func(t *testing.T) {
		byName, byID := run(t, "", "user", "show", "GuideUser", "-o", "json"), run(t, "", "user", "show", "11111111111", "-o", "json")
		if byName != byID || strings.Count(byName, "\n") != 1 {
			t.Fatalf("show by name %q, by id %q", byName, byID)
		}
		var u userShowJSON
		if err := json.Unmarshal([]byte(byName), &u); err != nil {
			t.Fatal(err)
		}
		if u.ID != 11111111111 || u.Name != "GuideUser" || !u.PasswordSet || u.Items["asset"] == 0 || u.APIKeys != 1 || len(u.Friends) == 0 {
			t.Errorf("user show: %+v", u)
		}
	})
	t.Run("catalog", func(t *testing.T) {
		badges := jsonObjects(t, run(t, "", "catalog", "list", "--kind", "badge", "-o", "json"))
		for _, b := range badges {
			if b["kind"] != "badge" {
				t.Errorf("--kind badge listed %v", b)
			}
		}
		all := jsonObjects(t, run(t, "", "catalog", "list", "-o", "json"))
		if len(all) <= len(badges) || all[0]["kind"] != "asset" {
			t.Errorf("catalog list: %d entries, first %v", len(all), all[0])
		}
		var c catalogJSON
		if err := json.Unmarshal([]byte(run(t, "", "catalog", "show", "asset:1028595", "-o", "json")), &c); err != nil {
			t.Fatal(err)
		}
		if c.ID != 1028595 || c.Name != "Classic Logo T-Shirt" || c.AssetType != "CLASSIC_TSHIRT" {
			t.Errorf("catalog show: %+v", c)
		}
		if out := run(t, "", "catalog", "show", "gamepass:12527"); !strings.Contains(out, "Gravity Coil") {
			t.Errorf("catalog show gamepass:\n%s", out)
		}
	})
	t.Run("inventory list", func(t *testing.T) {
		for _, tt := range []struct {
			args  []string
			kinds map[string]bool
			types map[string]bool // nil: any
		}{
			{nil, map[string]bool{"asset": true, "badge": true, "gamepass": true, "privateserver": true}, nil},
			{[]string{"--kind", "badge,gamepass"}, map[string]bool{"badge": true, "gamepass": true}, nil},
			{[]string{"--type", "CLASSIC_TSHIRT", "--type", "hair_accessory"}, map[string]bool{"asset": true}, map[string]bool{"CLASSIC_TSHIRT": true, "HAIR_ACCESSORY": true}},
			{[]string{"--kind", "asset,badge", "--type", "CLASSIC_TSHIRT"}, map[string]bool{"asset": true, "badge": true}, map[string]bool{"CLASSIC_TSHIRT": true}},
		} {
			items := jsonObjects(t, run(t, "", append([]string{"inventory", "list", "GuideUser", "-o", "json"}, tt.args...)...))
			seen := map[string]bool{}
			for _, it := range items {
				k := it["kind"].(string)
				seen[k] = true
				if !tt.kinds[k] || (k == "asset" && tt.types != nil && !tt.types[it["assetType"].(string)]) {
					t.Errorf("%v listed %v", tt.args, it)
				}
				if it["name"] == "" {
					t.Errorf("%v: item without a name: %v", tt.args, it)
				}
			}
			for k := range tt.kinds {
				if !seen[k] {
					t.Errorf("%v listed no %s", tt.args, k)
				}
			}
		}
		// The guide's item is there, with its instance id and name.
		out := run(t, "", "inventory", "list", "11111111111", "--type", "CLASSIC_TSHIRT")
		if !regexp.MustCompile(`\nasset:1028595 +200105119388 +CLASSIC_TSHIRT +Classic Logo T-Shirt +- `).MatchString(out) {
			t.Errorf("inventory list table:\n%s", out)
		}
		if n := len(jsonObjects(t, run(t, "", "inventory", "list", "GuideUser", "-o", "json", "--limit", "3"))); n != 3 {
			t.Errorf("--limit 3 listed %d", n)
		}
	})
}

func TestAdminChanges(t *testing.T) {
	db := demoDB(t)
	run := func(t *testing.T, stdin string, args ...string) (string, string) {
		t.Helper()
		out, errOut, err := adminCLI(t, stdin, append([]string{"--db", db}, args...)...)
		if err != nil {
			t.Fatalf("%v: %v", args, err)
		}
		return out, errOut
	}
	must := func(t *testing.T, args []string, want string) {
		t.Helper()
		if out, _ := run(t, "", args...); out != want {
			t.Errorf("%v printed %q, want %q", args, out, want)
		}
	}
	must(t, []string{"user", "create", "--user", "42", "--name", "Builder42", "--visibility", "noone"}, "created user 42 (Builder42)\n")
	// The old spelling still works, unadvertised.
	must(t, []string{"user", "privacy", "--id", "42", "--visibility", "friends"}, "inventory of user 42 is visible to friends\n")
	must(t, []string{"user", "privacy", "--user", "42", "--visibility", "noone"}, "inventory of user 42 is visible to no one\n")
	if help, _ := run(t, "", "user", "privacy", "--help"); strings.Contains(help, "--id") || !strings.Contains(help, "--user") {
		t.Errorf("privacy help shows the hidden alias or lacks --user:\n%s", help)
	}
	must(t, []string{"catalog", "add", "badge:5", "--name", "New"}, "added badge:5 (New)\n")
	must(t, []string{"catalog", "add", "badge:5", "--name", "Renamed"}, "updated badge:5 (Renamed)\n")
	must(t, []string{"catalog", "add", "asset:900", "--name", "Fedora", "--type", "hat", "--serialized"}, "added asset:900 (Fedora)\n")

	// A grant with an unknown ref grants nothing and names the ref.
	_, _, err := adminCLI(t, "", "--db", db, "grant", "--user", "42", "badge:5", "asset:900", "gamepass:404")
	if err == nil || err.Error() != "grant to user 42: gamepass:404: not found; nothing was granted" {
		t.Errorf("grant with an unknown ref: %v", err)
	}
	if out, _ := run(t, "", "inventory", "list", "42", "-o", "json"); out != "" {
		t.Errorf("a refused grant left items:\n%s", out)
	}
	out, _ := run(t, "", "grant", "--user", "42", "badge:5", "asset:900", "asset:900")
	lines := strings.Split(strings.TrimSpace(out), "\n")
	if len(lines) != 3 || lines[0] != "granted badge:5 to 42" || !strings.HasPrefix(lines[1], "granted asset:900 to 42 (instance ") ||
		!strings.HasSuffix(lines[1], ", serial #1)") || !strings.HasSuffix(lines[2], ", serial #2)") {
		t.Errorf("grant printed %q", out)
	}
	must(t, []string{"revoke", "--user", "42", "asset:900"}, "revoked asset:900 from 42 (2 copies)\n")

	// apikey create: the secret alone on stdout, what changed on stderr.
	secret, errOut := run(t, "", "apikey", "create", "--owner", "42", "--name", "ci", "--expires", "2099-01-01")
	if len(strings.TrimSpace(secret)) != 48 || !strings.Contains(errOut, "created API key ") || !strings.Contains(errOut, " (ci) for user 42") {
		t.Errorf("apikey create printed %q / %q", secret, errOut)
	}
	keys := jsonObjects(t, func() string { o, _ := run(t, "", "apikey", "list", "--user", "42", "-o", "json"); return o }())
	if len(keys) != 1 || keys[0]["expires"] != "2099-01-01T23:59:59Z" || keys[0]["name"] != "ci" {
		t.Fatalf("apikey list: %v", keys)
	}
	id := strings.Fields(errOut)[3] // "created API key ID (ci) ..."
	must(t, []string{"apikey", "disable", id}, "disabled API key "+id+"\n")

	// set-password reads stdin; the stored hash is of what was read.
	if out, _ := run(t, "correct-horse-battery\n", "user", "set-password", "Builder42"); out != "set the password of user 42 (Builder42)\n" {
		t.Errorf("set-password printed %q", out)
	}
	s, err := server.OpenStore(context.Background(), db)
	if err != nil {
		t.Fatal(err)
	}
	_, hash, err := s.Credentials(context.Background(), "builder42")
	s.Close()
	if err != nil || !account.CheckPassword(hash, "correct-horse-battery") {
		t.Errorf("set-password stored %q, %v", hash, err)
	}

	must(t, []string{"friend", "add", "--user", "42", "--friend", "11111111111"}, "users 42 and 11111111111 are friends\n")
	must(t, []string{"user", "delete", "Builder42"},
		"deleted user 42 (Builder42) with 1 item, 1 API key, 0 sessions, 0 OAuth apps, 0 OAuth authorizations, 1 friendship\n")
	if _, _, err := adminCLI(t, "", "--db", db, "user", "show", "42"); err == nil {
		t.Error("a deleted user is still shown")
	}
	if out, _ := run(t, "", "user", "show", "GuideUser", "-o", "json"); strings.Contains(out, "42") && strings.Contains(out, `"friends":[42`) {
		t.Errorf("a deleted user is still a friend: %s", out)
	}
}

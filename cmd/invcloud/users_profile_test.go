package main

import (
	"strings"
	"testing"
)

// TestUserProfileCommands: user create --description/--banned, user set,
// and user show / list printing both fields.
func TestUserProfileCommands(t *testing.T) {
	db := demoDB(t)
	run := func(args ...string) string {
		t.Helper()
		out, _, err := adminCLI(t, "", append([]string{"--db", db}, args...)...)
		if err != nil {
			t.Fatalf("%v: %v", args, err)
		}
		return out
	}
	if out := run("user", "create", "--user", "43", "--name", "Gone43", "--banned", "--description", "was here"); out != "created user 43 (Gone43)\n" {
		t.Errorf("create printed %q", out)
	}
	show := jsonObjects(t, run("user", "show", "Gone43", "-o", "json"))[0]
	if show["banned"] != true || show["description"] != "was here" {
		t.Errorf("show: %v", show)
	}
	if out := run("user", "set", "Gone43", "--banned=false", "--description", ""); out != "user 43 (Gone43) is not banned\nset the description of user 43 (Gone43)\n" {
		t.Errorf("set printed %q", out)
	}
	if out := run("user", "show", "43"); !strings.Contains(out, "banned") || !strings.Contains(out, "false") {
		t.Errorf("show table:\n%s", out)
	}
	for _, u := range jsonObjects(t, run("user", "list", "-o", "json")) {
		if u["name"] == "BannedBarry" && u["banned"] != true {
			t.Errorf("demo's banned user listed as %v", u)
		}
		if u["name"] == "Gone43" && (u["banned"] != false || u["description"] != "") {
			t.Errorf("after set: %v", u)
		}
	}
	if _, _, err := adminCLI(t, "", "--db", db, "user", "set", "Gone43"); err == nil || err.Error() != "give --banned or --description" {
		t.Errorf("set without a flag: %v", err)
	}
	if _, _, err := adminCLI(t, "", "--db", db, "user", "set", "43", "--description", strings.Repeat("x", 1001)); err == nil {
		t.Error("an over-long description was set")
	}
}

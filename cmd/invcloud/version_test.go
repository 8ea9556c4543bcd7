package main

import (
	"runtime/debug"
	"strings"
	"testing"
)

func TestFormatVersion(t *testing.T) {
	vcs := func(kv ...string) []debug.BuildSetting {
		var s []debug.BuildSetting
		for i := 0; i+1 < len(kv); i += 2 {
			s = append(s, debug.BuildSetting{Key: kv[i], Value: kv[i+1]})
		}
		return s
	}
	const rev = "0123456789abcdef0123456789abcdef01234567"
	for _, tc := range []struct {
		name string
		bi   *debug.BuildInfo
		want string
	}{
		{"no build info", nil, "invcloud (no build information)"},
		{"go build in a checkout", &debug.BuildInfo{GoVersion: "go1.26.0", Main: debug.Module{Version: "(devel)"},
			Settings: vcs("vcs", "git", "vcs.revision", rev, "vcs.time", "2026-06-01T12:00:00Z", "vcs.modified", "false")},
			"invcloud (devel), revision " + rev + " (2026-06-01T12:00:00Z), go1.26.0"},
		{"local changes", &debug.BuildInfo{GoVersion: "go1.26.0", Main: debug.Module{Version: "(devel)"},
			Settings: vcs("vcs.revision", rev, "vcs.time", "2026-06-01T12:00:00Z", "vcs.modified", "true")},
			"invcloud (devel), revision " + rev + " (2026-06-01T12:00:00Z), with local changes, go1.26.0"},
		{"go install of a tagged version", &debug.BuildInfo{GoVersion: "go1.26.0", Main: debug.Module{Version: "v1.2.3"}},
			"invcloud v1.2.3, revision unknown (`go build` or `go install` in a git checkout records it, unless -buildvcs=false), go1.26.0"},
		{"no version at all", &debug.BuildInfo{}, "invcloud (devel), revision unknown (`go build` or `go install` in a git checkout records it, unless -buildvcs=false)"},
	} {
		if got := formatVersion(tc.bi); got != tc.want {
			t.Errorf("%s:\n got %q\nwant %q", tc.name, got, tc.want)
		}
	}
}

// TestVersionCommand: `invcloud version` and `invcloud --version` print the
// same line, the binary's own build information.
func TestVersionCommand(t *testing.T) {
	for _, args := range [][]string{{"version"}, {"--version"}} {
		out, _, err := cli(t, args...)
		if err != nil {
			t.Fatal(err)
		}
		if want := versionLine() + "\n"; out != want || !strings.HasPrefix(out, "invcloud ") {
			t.Errorf("invcloud %s = %q, want %q", args[0], out, want)
		}
	}
}

package main

import (
	"fmt"
	"runtime/debug"
	"strings"

	"github.com/spf13/cobra"
)

// versionCmd prints what `invcloud --version` prints.
func versionCmd() *cobra.Command {
	return &cobra.Command{
		Use:   "version",
		Short: "Print the version and the source revision the binary was built from",
		Args:  cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			_, err := fmt.Fprintln(cmd.OutOrStdout(), versionLine())
			return err
		},
	}
}

func versionLine() string {
	bi, ok := debug.ReadBuildInfo()
	if !ok {
		return formatVersion(nil)
	}
	return formatVersion(bi)
}

// formatVersion renders the module version and the VCS stamp the Go tool
// embeds: `go build` or `go install` in a git checkout records the
// revision, its commit time and whether the tree had local changes (unless
// -buildvcs=false, e.g. in GOFLAGS); `go run` and test binaries record none.
func formatVersion(bi *debug.BuildInfo) string {
	if bi == nil {
		return "invcloud (no build information)"
	}
	version := bi.Main.Version
	if version == "" {
		version = "(devel)"
	}
	settings := map[string]string{}
	for _, s := range bi.Settings {
		settings[s.Key] = s.Value
	}
	var b strings.Builder
	fmt.Fprintf(&b, "invcloud %s", version)
	rev := settings["vcs.revision"]
	if rev == "" {
		b.WriteString(", revision unknown (`go build` or `go install` in a git checkout records it, unless -buildvcs=false)")
	} else {
		fmt.Fprintf(&b, ", revision %s", rev)
		if t := settings["vcs.time"]; t != "" {
			fmt.Fprintf(&b, " (%s)", t)
		}
		if settings["vcs.modified"] == "true" {
			b.WriteString(", with local changes")
		}
	}
	if bi.GoVersion != "" {
		fmt.Fprintf(&b, ", %s", bi.GoVersion)
	}
	return b.String()
}

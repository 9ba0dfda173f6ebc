package main

import (
	"fmt"
	"runtime/debug"

	"github.com/spf13/cobra"
)

// version is the line `regdiff version` and `regdiff --version` print:
// the module version Go recorded (a tag for `go install …@v1.2.3`,
// "(devel)" for a build from a clone) and the commit the binary was built
// from, when the build recorded one (go build in a git work tree does).
func version() string {
	info, ok := debug.ReadBuildInfo()
	if !ok {
		return "regdiff (unknown version: built without module information)"
	}
	return versionOf(info)
}

func versionOf(info *debug.BuildInfo) string {
	v := info.Main.Version
	if v == "" {
		v = "(devel)"
	}
	var rev, when, modified string
	for _, s := range info.Settings {
		switch s.Key {
		case "vcs.revision":
			rev = s.Value
		case "vcs.time":
			when = s.Value
		case "vcs.modified":
			modified = s.Value
		}
	}
	out := "regdiff " + v
	if rev != "" {
		out += ", commit " + rev[:min(12, len(rev))]
		if when != "" {
			out += " of " + when
		}
		if modified == "true" {
			out += " with uncommitted changes"
		}
	}
	return out + ", " + info.GoVersion
}

func newVersionCmd(g *globals) *cobra.Command {
	return &cobra.Command{
		Use:   "version",
		Short: "Print the version and the commit regdiff was built from",
		Example: `  regdiff version     # regdiff (devel), commit 3823811c5e2a of 2026-12-02T18:00:00Z, go1.26.8
  regdiff --version   # the same`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, args []string) error {
			_, err := fmt.Fprintln(g.io.Out, version())
			return err
		},
	}
}

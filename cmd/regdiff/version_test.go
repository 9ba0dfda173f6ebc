package main

import (
	"runtime/debug"
	"testing"
)

func TestVersionOf(t *testing.T) {
	tests := []struct {
		info debug.BuildInfo
		want string
	}{
		{debug.BuildInfo{GoVersion: "go1.26.8", Main: debug.Module{Version: "(devel)"}, Settings: []debug.BuildSetting{
			{Key: "vcs.revision", Value: "3823811c5e2a0123456789abcdef012345678901"},
			{Key: "vcs.time", Value: "2026-12-02T18:00:00Z"},
			{Key: "vcs.modified", Value: "false"},
		}}, "regdiff (devel), commit 3823811c5e2a of 2026-12-02T18:00:00Z, go1.26.8"},
		{debug.BuildInfo{GoVersion: "go1.26.8", Main: debug.Module{Version: "(devel)"}, Settings: []debug.BuildSetting{
			{Key: "vcs.revision", Value: "abc"}, {Key: "vcs.modified", Value: "true"},
		}}, "regdiff (devel), commit abc with uncommitted changes, go1.26.8"},
		{debug.BuildInfo{GoVersion: "go1.26.8", Main: debug.Module{Version: "v1.2.3"}}, "regdiff v1.2.3, go1.26.8"},
		{debug.BuildInfo{GoVersion: "go1.26.8"}, "regdiff (devel), go1.26.8"},
	}
	for _, tt := range tests {
		if got := versionOf(&tt.info); got != tt.want {
			t.Errorf("versionOf = %q, want %q", got, tt.want)
		}
	}
}

// The command and the flag print the same line, the binary's own.
func TestVersionCommandAndFlag(t *testing.T) {
	for _, args := range [][]string{{"version"}, {"--version"}} {
		code, stdout, stderr := newCLI(t).run(args...)
		if code != 0 || stdout != version()+"\n" || stderr != "" {
			t.Errorf("regdiff %v: exit %d, stdout %q, stderr %q; want exit 0 and %q", args, code, stdout, stderr, version()+"\n")
		}
	}
}

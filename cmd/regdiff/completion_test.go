package main

import (
	"os"
	"strings"
	"testing"
)

// The completion goldens are testdata/completion-*.txtar; these check
// what a golden cannot say.

// TestCompletionReadsOnly: completing reads the store and writes nothing
// to it, and with no store makes none.
func TestCompletionReadsOnly(t *testing.T) {
	c := newCLI(t)
	c.mustRun("import", "testdata/ports-2019.xml", "testdata/ports-2024.xml", "testdata/protocols.xml")
	before := snapshot(t, c.store)
	for _, args := range [][]string{
		{"__complete", "diff", ""},
		{"__complete", ""},
		{"__complete", "--registry", ""},
		{"__complete", "--registry", "protocol-numbers", "show", ""},
		{"__complete", "history", "22", "--since", ""},
		{"__complete", "--registry", "no-such-registry", "diff", ""},
	} {
		if code, _, stderr := c.run(args...); code != 0 || strings.Contains(stderr, "regdiff:") {
			t.Errorf("regdiff %q: exit %d, stderr %q", args, code, stderr)
		}
	}
	if after := snapshot(t, c.store); !sameFiles(before, after) {
		t.Error("completion changed the store")
	}

	missing := newCLI(t)
	missing.run("__complete", "diff", "")
	missing.run("__complete", "fetch", "")
	if _, err := os.Stat(missing.store); err == nil {
		t.Errorf("completion with no store made %s", missing.store)
	}
}

// TestCompletedValuesAreAccepted: every value completion offers for a
// flag is one the flag accepts.
func TestCompletedValuesAreAccepted(t *testing.T) {
	c := newCLI(t)
	c.mustRun("import", "testdata/ports-2019.xml", "testdata/ports-2024.xml")
	for _, tt := range []struct {
		flag string
		cmd  []string
	}{
		{"--format", []string{"diff", "2019"}},
		{"--format", []string{"changelog"}},
		{"--color", []string{"diff", "2019"}},
		{"--color", []string{"history", "22"}},
		{"--kind", []string{"diff", "2019"}},
		{"--status", []string{"diff", "2019"}},
		{"--protocol", []string{"diff", "2019"}},
	} {
		out := c.mustRun(append([]string{"__complete"}, append(tt.cmd, tt.flag, "")...)...)
		values := strings.Split(strings.TrimSpace(out), "\n")
		values = values[:len(values)-1] // the directive
		if len(values) == 0 {
			t.Errorf("%s %s: nothing offered", tt.cmd[0], tt.flag)
		}
		for _, v := range values {
			if code, _, stderr := c.run(append(tt.cmd, tt.flag, v)...); code != 0 {
				t.Errorf("regdiff %s %s %s, offered by completion: exit %d, %s", strings.Join(tt.cmd, " "), tt.flag, v, code, stderr)
			}
		}
	}
}

// TestCompletionScript: the script cobra writes calls back into
// __complete, which is what the goldens drive.
func TestCompletionScript(t *testing.T) {
	c := newCLI(t)
	for _, sh := range []string{"bash", "zsh", "fish"} {
		if out := c.mustRun("completion", sh); !strings.Contains(out, "__complete") {
			t.Errorf("completion %s: no __complete in the script", sh)
		}
	}
}

package main

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// TestManPages: regdiff man DIR writes one page per command that the help
// lists (and the root's), each with its NAME section; man itself is
// hidden.
func TestManPages(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "man1")
	c := newCLI(t)
	c.mustRun("man", dir)
	var want []string
	root := newRoot(&streams{})
	root.InitDefaultCompletionCmd() // as Execute does
	want = append(want, "regdiff.1")
	for _, cmd := range root.Commands() {
		if !cmd.IsAvailableCommand() {
			continue
		}
		want = append(want, "regdiff-"+cmd.Name()+".1")
		for _, sub := range cmd.Commands() {
			if sub.IsAvailableCommand() {
				want = append(want, "regdiff-"+cmd.Name()+"-"+sub.Name()+".1")
			}
		}
	}
	entries, err := os.ReadDir(dir)
	if err != nil {
		t.Fatal(err)
	}
	got := map[string]bool{}
	for _, e := range entries {
		got[e.Name()] = true
	}
	if len(got) != len(want) {
		t.Errorf("%d pages, want %d: %v", len(got), len(want), got)
	}
	for _, name := range want {
		b, err := os.ReadFile(filepath.Join(dir, name))
		if err != nil {
			t.Errorf("no page %s", name)
			continue
		}
		title := strings.TrimSuffix(name, ".1")
		if !strings.Contains(string(b), ".SH NAME\n"+title+" - ") {
			t.Errorf("%s: no NAME section for %s", name, title)
		}
	}
	if got["regdiff-man.1"] {
		t.Error("a page for the hidden man command")
	}
	for _, name := range []string{"regdiff-diff.1", "regdiff-history.1", "regdiff-log.1"} {
		if !got[name] {
			t.Errorf("no %s", name)
		}
	}
	b, _ := os.ReadFile(filepath.Join(dir, "regdiff-diff.1"))
	if !strings.Contains(string(b), "Exit status:") || !strings.Contains(string(b), `\fB--exit-code\fP`) {
		t.Error("regdiff-diff.1 lacks the command's help (exit status, flags)")
	}
}

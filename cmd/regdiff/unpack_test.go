package main

import (
	"os"
	"os/exec"
	"path/filepath"
	"testing"
)

// unpack turns a store's packs into loose objects with the git CLI, so that
// a test can damage one object: regdiff packs what it imports.
func unpack(t *testing.T, store string) {
	t.Helper()
	if _, err := exec.LookPath("git"); err != nil {
		t.Skip("no git CLI")
	}
	packs, _ := filepath.Glob(filepath.Join(store, "objects/pack/pack-*.pack"))
	for _, p := range packs {
		moved := filepath.Join(t.TempDir(), "p.pack")
		if err := os.Rename(p, moved); err != nil {
			t.Fatal(err)
		}
		os.Remove(p[:len(p)-len(".pack")] + ".idx")
		f, err := os.Open(moved)
		if err != nil {
			t.Fatal(err)
		}
		cmd := exec.Command("git", "-C", store, "unpack-objects", "-q")
		cmd.Stdin = f
		out, err := cmd.CombinedOutput()
		f.Close()
		if err != nil {
			t.Fatalf("git unpack-objects: %v\n%s", err, out)
		}
	}
}

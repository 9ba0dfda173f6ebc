package snapshots

import (
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

// Temporary folders left by a killed import are removed; those of a live
// one (whose owner file is locked), and recent ones without an owner file
// (being made, or an older regdiff's), are kept.
func TestRemoveStaleBundles(t *testing.T) {
	tmp := t.TempDir()
	t.Setenv("TMPDIR", tmp)
	live, cleanup, err := tempDir(bundlePrefix)
	if err != nil {
		t.Fatal(err)
	}
	defer cleanup()
	dead := filepath.Join(tmp, bundlePrefix+"dead")
	os.Mkdir(dead, 0o755)
	os.WriteFile(filepath.Join(dead, ownerFile), nil, 0o644) // nobody holds it
	deadClone := filepath.Join(tmp, clonePrefix+"dead")
	os.Mkdir(deadClone, 0o755)
	os.WriteFile(filepath.Join(deadClone, ownerFile), nil, 0o644)
	recent := filepath.Join(tmp, bundlePrefix+"2114710508")
	os.Mkdir(recent, 0o755)
	old := filepath.Join(tmp, bundlePrefix+"999999999")
	os.Mkdir(old, 0o755)
	two := time.Now().Add(-48 * time.Hour)
	os.Chtimes(old, two, two)
	other := filepath.Join(tmp, "other-folder")
	os.Mkdir(other, 0o755)

	removeStaleBundles(tmp)
	for dir, removed := range map[string]bool{live: false, dead: true, deadClone: true, recent: false, old: true, other: false} {
		_, err := os.Stat(dir)
		if gone := os.IsNotExist(err); gone != removed {
			t.Errorf("%s: removed %v, want %v", filepath.Base(dir), gone, removed)
		}
	}
}

// A bundle whose pack claims more objects than its size can hold is
// refused before go-git reads it: go-git allocates from the claim, and
// 2^30 objects in 126 bytes ran it out of memory with a stack trace.
func TestBundleClaimingTooManyObjects(t *testing.T) {
	var b []byte
	b = append(b, "# v2 git bundle\n"+strings.Repeat("a", 40)+" refs/heads/main\n\n"...)
	b = append(b, "PACK\x00\x00\x00\x02\x40\x00\x00\x00"...) // version 2, 2^30 objects
	b = append(b, make([]byte, 126-len(b))...)
	path := filepath.Join(t.TempDir(), "crafted.bundle")
	if err := os.WriteFile(path, b, 0o644); err != nil {
		t.Fatal(err)
	}
	_, err := OpenGit(context.Background(), path)
	if err == nil || !strings.Contains(err.Error(), "claims 1073741824 objects") {
		t.Fatalf("OpenGit = %v, want the claimed count refused", err)
	}
}

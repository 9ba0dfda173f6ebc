package snapshots

import (
	"context"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"
)

// Unpacked bundles left by a killed import are removed; those of a live
// process, and recent ones of an older regdiff, are kept.
func TestRemoveStaleBundles(t *testing.T) {
	tmp := t.TempDir()
	// A process that has exited: its pid is free (until reused; the
	// window is tiny in a test).
	cmd := exec.Command("true")
	if err := cmd.Run(); err != nil {
		t.Skip("no true command:", err)
	}
	dead := cmd.Process.Pid
	old := time.Now().Add(-48 * time.Hour)
	dirs := map[string]bool{ // name → removed
		bundlePrefix + strconv.Itoa(dead) + "-123":        true,
		bundlePrefix + strconv.Itoa(os.Getpid()) + "-456": false, // this process: live
		bundlePrefix + "1-789":                            false, // init: live
		bundlePrefix + "2114710508":                       false, // an older regdiff's, recent
		bundlePrefix + "999999999":                        true,  // an older regdiff's, two days old
		"other-folder":                                    false,
	}
	for name := range dirs {
		p := filepath.Join(tmp, name)
		if err := os.Mkdir(p, 0o755); err != nil {
			t.Fatal(err)
		}
		if name == bundlePrefix+"999999999" {
			os.Chtimes(p, old, old)
		}
	}
	removeStaleBundles(tmp)
	for name, removed := range dirs {
		_, err := os.Stat(filepath.Join(tmp, name))
		if gone := os.IsNotExist(err); gone != removed {
			t.Errorf("%s: removed %v, want %v", name, gone, removed)
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

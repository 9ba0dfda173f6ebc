package shareddata

import (
	"os"
	"path/filepath"
	"testing"
)

// TestDirSkipsShort holds the README's rule that -short skips every test
// over the real data, and that the full run does not.
func TestDirSkipsShort(t *testing.T) {
	// A folder that looks like the shared data, so that only -short can
	// make Dir skip.
	fake := t.TempDir()
	if err := os.WriteFile(filepath.Join(fake, "iana-history.bundle"), nil, 0o644); err != nil {
		t.Fatal(err)
	}
	t.Setenv("REGDIFF_SHARED_DATA", fake)
	var got string
	ran := t.Run("dir", func(t *testing.T) { got = Dir(t) })
	skipped := got == ""
	if !ran {
		t.Fatal("Dir failed the test instead of skipping it")
	}
	if skipped != testing.Short() {
		t.Errorf("Dir skipped: %v, with -short: %v", skipped, testing.Short())
	}
	if !testing.Short() && got != fake {
		t.Errorf("Dir = %q, want %q", got, fake)
	}
}

package diff_test

import (
	"os/exec"
	"path/filepath"
	"runtime"
	"strings"
	"testing"
)

// The diff is pure: it and the record model and parsers it reads build
// without the repository library, the compression library or the store,
// so that nothing it computes can depend on how versions are kept.
func TestDiffIsPure(t *testing.T) {
	goTool := filepath.Join(runtime.GOROOT(), "bin", "go")
	for _, pkg := range []string{"github.com/regdiff/regdiff/diff", "github.com/regdiff/regdiff/snapshots/record", "github.com/regdiff/regdiff/snapshots/formats"} {
		out, err := exec.Command(goTool, "list", "-deps", pkg).Output()
		if err != nil {
			t.Fatalf("go list -deps %s: %v", pkg, err)
		}
		deps := strings.Fields(string(out))
		if len(deps) < 5 {
			t.Fatalf("go list -deps %s lists %d packages", pkg, len(deps))
		}
		for _, d := range deps {
			if strings.HasPrefix(d, "github.com/go-git/") || strings.HasPrefix(d, "github.com/klauspost/") || d == "github.com/regdiff/regdiff/snapshots" {
				t.Errorf("%s depends on %s", pkg, d)
			}
		}
	}
}

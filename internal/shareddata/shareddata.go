// Package shareddata gives tests and benchmarks the real registry versions in
// ../shared/data, read with the git command line (not with regdiff's own
// code, so that checks against it stay independent). Tests skip with a clear
// message when the data or git is absent.
package shareddata

import (
	"bytes"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"strings"
	"sync"
	"testing"
)

// Dir returns the shared data folder, or skips the test when it is absent.
// REGDIFF_SHARED_DATA overrides the default of ../shared/data from the
// repository root.
func Dir(tb testing.TB) string {
	tb.Helper()
	dir := os.Getenv("REGDIFF_SHARED_DATA")
	if dir == "" {
		_, file, _, _ := runtime.Caller(0)
		dir = filepath.Join(filepath.Dir(file), "..", "..", "..", "shared", "data")
	}
	if _, err := os.Stat(filepath.Join(dir, "iana-history.bundle")); err != nil {
		tb.Skipf("shared data not found at %s (set REGDIFF_SHARED_DATA): %v", dir, err)
	}
	return dir
}

// FullOnly skips a cross-check over the whole real data under -short. CI's
// race-detector run is -short: there these checks took minutes each while
// the code they cross-check runs in parallel the same way in lighter tests,
// and the full run (go test ./...) makes them anyway.
func FullOnly(tb testing.TB) {
	tb.Helper()
	if testing.Short() {
		tb.Skip("cross-check over the whole real data: made by the full suite (go test ./...), skipped with -short")
	}
}

// BundlePath returns the path of iana-history.bundle.
func BundlePath(tb testing.TB) string {
	tb.Helper()
	return filepath.Join(Dir(tb), "iana-history.bundle")
}

var (
	cloneOnce sync.Once
	cloneDir  string
	cloneErr  error

	tempMu   sync.Mutex
	tempDirs []string
)

// TempDir makes a folder for what a test binary builds once and shares
// between its tests (a clone, an imported store), which t.TempDir cannot
// hold: its folder goes with the test that made it. [Main] removes it.
func TempDir(prefix string) (string, error) {
	dir, err := os.MkdirTemp("", prefix)
	if err == nil {
		tempMu.Lock()
		tempDirs = append(tempDirs, dir)
		tempMu.Unlock()
	}
	return dir, err
}

// Main runs a package's tests and removes the folders [TempDir] made; a
// package that uses the shared data calls it from TestMain as
// os.Exit(shareddata.Main(m)). Without it every run left a clone of the
// bundle, and some a 200 MB store, in the temp folder.
func Main(m *testing.M) int {
	code := m.Run()
	tempMu.Lock()
	defer tempMu.Unlock()
	for _, d := range tempDirs {
		os.RemoveAll(d)
	}
	tempDirs = nil
	return code
}

// Clone returns a clone of the bundle, made once per test binary.
func Clone(tb testing.TB) string {
	tb.Helper()
	bundle := BundlePath(tb)
	if _, err := exec.LookPath("git"); err != nil {
		tb.Skip("git command not found; needed to read the shared bundle independently")
	}
	cloneOnce.Do(func() {
		cloneDir, cloneErr = TempDir("regdiff-shared-")
		if cloneErr != nil {
			return
		}
		out, err := exec.Command("git", "clone", "-q", "--bare", bundle, cloneDir).CombinedOutput()
		if err != nil {
			cloneErr = fmt.Errorf("git clone %s: %v: %s", bundle, err, out)
		}
	})
	if cloneErr != nil {
		tb.Fatal(cloneErr)
	}
	return cloneDir
}

// Version is one version of a file in the bundle.
type Version struct {
	Commit string // commit in the bundle
	Date   string // the commit's author date, YYYY-MM-DD
	File   string // "service-names-port-numbers.xml" or "protocol-numbers.xml"
}

// Versions lists, oldest first, the bundle commits whose message names the
// registry (the bundle's own record of which file each commit changed).
func Versions(tb testing.TB, registry string) []Version {
	tb.Helper()
	dir := Clone(tb)
	out, err := exec.Command("git", "-C", dir, "log", "--reverse", "--format=%H %ad %s", "--date=short", "main").Output()
	if err != nil {
		tb.Fatalf("git log in %s: %v", dir, err)
	}
	var vs []Version
	for _, line := range strings.Split(strings.TrimSpace(string(out)), "\n") {
		f := strings.Fields(line)
		if len(f) >= 3 && f[2] == registry {
			vs = append(vs, Version{Commit: f[0], Date: f[1], File: registry + ".xml"})
		}
	}
	if len(vs) == 0 {
		tb.Fatalf("no versions of %s in the bundle", registry)
	}
	return vs
}

// Read returns the file's bytes at that version.
func Read(tb testing.TB, v Version) []byte {
	tb.Helper()
	dir := Clone(tb)
	var out bytes.Buffer
	cmd := exec.Command("git", "-C", dir, "cat-file", "blob", v.Commit+":"+v.File)
	cmd.Stdout = &out
	if err := cmd.Run(); err != nil {
		tb.Fatalf("git cat-file %s:%s: %v", v.Commit, v.File, err)
	}
	return out.Bytes()
}

// Sample returns every nth version plus the first and last, so that tests
// cover the whole span without reading all 379 files.
func Sample(vs []Version, n int) []Version {
	var out []Version
	for i, v := range vs {
		if i%n == 0 || i == len(vs)-1 {
			out = append(out, v)
		}
	}
	return out
}

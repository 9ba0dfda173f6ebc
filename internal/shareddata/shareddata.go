// Package shareddata gives tests and benchmarks the real registry versions in
// ../shared/data, read with the git command line (not with regdiff's own
// code, so that checks against it stay independent). Tests skip with a clear
// message when the data or git is absent.
package shareddata

import (
	"bufio"
	"bytes"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"strconv"
	"strings"
	"sync"
	"testing"
)

// Dir returns the shared data folder, or skips the test when it is absent
// or the run is -short. REGDIFF_SHARED_DATA overrides the default of
// ../shared/data from the repository root.
//
// -short is CI's race-detector run: there the tests over the real data took
// most of CI's time (ten times slower than without the detector, minutes
// each) while the concurrent code they reach is exercised by the tests on
// fixtures, and the full run (go test ./...) makes them anyway.
func Dir(tb testing.TB) string {
	tb.Helper()
	if testing.Short() {
		tb.Skip("test over the real data: made by the full suite (go test ./...), skipped with -short")
	}
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

// MirrorPath returns the path of iana-registries.bundle, the hourly mirror
// of every IANA registry, or skips when it is absent.
func MirrorPath(tb testing.TB) string {
	tb.Helper()
	p := filepath.Join(Dir(tb), "iana-registries.bundle")
	if _, err := os.Stat(p); err != nil {
		tb.Skipf("iana-registries.bundle not found in %s: %v", Dir(tb), err)
	}
	return p
}

var (
	mirrorOnce sync.Once
	mirrorDir  string
	mirrorErr  error
)

// MirrorClone returns a bare clone of the mirror bundle, made once per
// test binary.
func MirrorClone(tb testing.TB) string {
	tb.Helper()
	bundle := MirrorPath(tb)
	if _, err := exec.LookPath("git"); err != nil {
		tb.Skip("git command not found; needed to read the shared bundle independently")
	}
	mirrorOnce.Do(func() {
		mirrorDir, mirrorErr = TempDir("regdiff-mirror-")
		if mirrorErr != nil {
			return
		}
		out, err := exec.Command("git", "clone", "-q", "--bare", bundle, mirrorDir).CombinedOutput()
		if err != nil {
			mirrorErr = fmt.Errorf("git clone %s: %v: %s", bundle, err, out)
		}
	})
	if mirrorErr != nil {
		tb.Fatal(mirrorErr)
	}
	return mirrorDir
}

// MirrorVersion is one distinct content of a file in the mirror.
type MirrorVersion struct {
	Path   string // "dns-parameters/dns-parameters.xml"
	Blob   string // the content's blob id
	Commit string // the first mirror commit that holds it
	Seen   string // that commit's committer time, RFC 3339
}

// MirrorVersions lists, for each file of the mirror, its distinct contents
// in the order the mirror first saw them (a content seen again later, as
// when a server flips between two copies, keeps its first place).
func MirrorVersions(tb testing.TB) map[string][]MirrorVersion {
	tb.Helper()
	dir := MirrorClone(tb)
	out, err := exec.Command("git", "-C", dir, "log", "--reverse", "--format=C %H %cI", "--raw", "--no-abbrev", "--no-renames", "main").Output()
	if err != nil {
		tb.Fatalf("git log in %s: %v", dir, err)
	}
	vs := map[string][]MirrorVersion{}
	seen := map[string]bool{}
	var commit, when string
	for _, line := range strings.Split(string(out), "\n") {
		if c, ok := strings.CutPrefix(line, "C "); ok {
			commit, when, _ = strings.Cut(c, " ")
			continue
		}
		meta, path, ok := strings.Cut(line, "\t")
		if !ok || !strings.HasPrefix(meta, ":") {
			continue
		}
		f := strings.Fields(meta)
		if len(f) < 4 || strings.Trim(f[3], "0") == "" || seen[path+" "+f[3]] {
			continue
		}
		seen[path+" "+f[3]] = true
		vs[path] = append(vs[path], MirrorVersion{Path: path, Blob: f[3], Commit: commit, Seen: when})
	}
	return vs
}

// ReadBlob returns a blob of the mirror.
func ReadBlob(tb testing.TB, blob string) []byte {
	tb.Helper()
	var out bytes.Buffer
	cmd := exec.Command("git", "-C", MirrorClone(tb), "cat-file", "blob", blob)
	cmd.Stdout = &out
	if err := cmd.Run(); err != nil {
		tb.Fatalf("git cat-file %s: %v", blob, err)
	}
	return out.Bytes()
}

// ReadBlobs calls fn with each blob of the mirror, in order, through one
// git cat-file --batch.
func ReadBlobs(tb testing.TB, blobs []string, fn func(blob string, data []byte)) {
	tb.Helper()
	cmd := exec.Command("git", "-C", MirrorClone(tb), "cat-file", "--batch")
	cmd.Stdin = strings.NewReader(strings.Join(blobs, "\n") + "\n")
	stdout, err := cmd.StdoutPipe()
	if err != nil {
		tb.Fatal(err)
	}
	if err := cmd.Start(); err != nil {
		tb.Fatal(err)
	}
	r := bufio.NewReaderSize(stdout, 1<<20)
	for _, b := range blobs {
		header, err := r.ReadString('\n')
		if err != nil {
			tb.Fatalf("git cat-file --batch: %v", err)
		}
		f := strings.Fields(header)
		if len(f) != 3 {
			tb.Fatalf("git cat-file --batch: %q for %s", header, b)
		}
		n, _ := strconv.Atoi(f[2])
		data := make([]byte, n+1)
		if _, err := io.ReadFull(r, data); err != nil {
			tb.Fatalf("git cat-file --batch: %v", err)
		}
		fn(b, data[:n])
	}
	cmd.Wait()
}

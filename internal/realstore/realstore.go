// Package realstore gives tests one store built from the shared bundle
// (../shared/data/iana-history.bundle) through regdiff's own import path,
// once per test binary, so that each package's real-data tests stop
// importing the bundle again. What the store should hold is read with the
// git command line (package shareddata), never with regdiff's code, so
// tests can check the store against it.
//
// The store is shared by every test of the binary: treat it as read-only,
// and take a [Copy] to write. Packages that use it call
// os.Exit(shareddata.Main(m)) from TestMain, which removes it.
package realstore

import (
	"context"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"sort"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/regdiff/regdiff/internal/shareddata"
	"github.com/regdiff/regdiff/snapshots"
)

// Registries are the registries the bundle holds.
var Registries = []string{"service-names-port-numbers", "protocol-numbers"}

var real struct {
	once     sync.Once
	dir      string
	versions map[string][]shareddata.Version
	err      error
}

// Store returns the directory of the shared store and, for each registry,
// the bundle versions it holds (every one), oldest first. It skips the
// test when the shared data or git is absent, and under -short (see
// [shareddata.Dir]).
func Store(tb testing.TB) (string, map[string][]shareddata.Version) {
	tb.Helper()
	bundle := shareddata.BundlePath(tb) // skips without the data
	all := map[string][]shareddata.Version{}
	for _, reg := range Registries {
		all[reg] = shareddata.Versions(tb, reg)
	}
	real.once.Do(func() {
		start := time.Now()
		real.versions = map[string][]shareddata.Version{}
		for reg, vs := range all {
			real.versions[reg] = vs
		}
		real.dir, real.err = build(bundle, real.versions)
		if real.err == nil {
			fmt.Fprintf(os.Stderr, "realstore: imported %d versions from the bundle in %v\n",
				count(real.versions), time.Since(start).Round(time.Millisecond))
		}
	})
	if real.err != nil {
		tb.Fatal(real.err)
	}
	return real.dir, real.versions
}

// Copy returns a private copy of the shared store, in a folder of the
// test's own, for a test that writes to it.
func Copy(tb testing.TB) string {
	tb.Helper()
	src, _ := Store(tb)
	dst := filepath.Join(tb.TempDir(), "store")
	if out, err := exec.Command("cp", "-a", src, dst).CombinedOutput(); err != nil {
		tb.Fatalf("copy the real store: %v: %s", err, out)
	}
	return dst
}

// SameDate returns, for a registry, the groups of bundle versions (in
// bundle order, which is publication order) that share one date.
func SameDate(vs []shareddata.Version) [][]shareddata.Version {
	var out [][]shareddata.Version
	for i := 0; i < len(vs); {
		j := i + 1
		for j < len(vs) && vs[j].Date == vs[i].Date {
			j++
		}
		if j-i > 1 {
			out = append(out, vs[i:j])
		}
		i = j
	}
	return out
}

func sample(vs []shareddata.Version) []shareddata.Version {
	keep := map[string]bool{}
	for _, v := range shareddata.Sample(vs, 5) {
		keep[v.Commit] = true
	}
	for _, g := range SameDate(vs) {
		for _, v := range g {
			keep[v.Commit] = true
		}
	}
	var out []shareddata.Version
	for _, v := range vs {
		if keep[v.Commit] {
			out = append(out, v)
		}
	}
	return out
}

func count(m map[string][]shareddata.Version) int {
	n := 0
	for _, vs := range m {
		n += len(vs)
	}
	return n
}

// build imports the wanted bundle versions into a new store.
func build(bundle string, want map[string][]shareddata.Version) (string, error) {
	tmp, err := shareddata.TempDir("regdiff-realstore-")
	if err != nil {
		return "", err
	}
	dir := filepath.Join(tmp, "store")
	ctx := context.Background()
	inputs, refused, done, err := snapshots.Collect(ctx, []string{bundle}, snapshots.CollectOptions{})
	defer done()
	if err != nil || len(refused) > 0 {
		return "", fmt.Errorf("collect %s: %v %v", bundle, err, refused)
	}
	// Location is bundle@COMMIT12:path; a bundle commit holds both files,
	// so the file name says which registry the input is.
	keep := map[string]bool{}
	for reg, vs := range want {
		for _, v := range vs {
			keep[v.Commit[:12]+":"+reg+".xml"] = true
		}
	}
	var picked []snapshots.Input
	for _, in := range inputs {
		loc := in.Source.Location
		if at := strings.LastIndexByte(loc, '@'); at >= 0 && keep[loc[at+1:]] {
			picked = append(picked, in)
		}
	}
	if len(picked) != count(want) {
		return "", fmt.Errorf("collect %s: %d inputs match the %d bundle versions wanted", bundle, len(picked), count(want))
	}
	s, err := snapshots.Create(dir)
	if err != nil {
		return "", err
	}
	sum, err := s.Import(ctx, picked, snapshots.ImportOptions{})
	if err != nil || len(sum.Refused) > 0 {
		return "", fmt.Errorf("import %s: %v %v", bundle, err, sum.Refused)
	}
	for reg, vs := range want {
		if err := sameDates(s, reg, vs); err != nil {
			return "", err
		}
	}
	return dir, nil
}

// sameDates checks that the store holds as many versions of reg as want,
// with the same dates in the same order.
func sameDates(s *snapshots.Store, reg string, want []shareddata.Version) error {
	vs, err := s.Versions(reg)
	if err != nil {
		return err
	}
	got := make([]string, len(vs))
	for i, v := range vs {
		got[i] = v.Date
	}
	exp := make([]string, len(want))
	for i, v := range want {
		exp[i] = v.Date
	}
	if !sort.StringsAreSorted(got) || strings.Join(got, " ") != strings.Join(exp, " ") {
		return fmt.Errorf("store %s: %s holds %d versions whose dates differ from the bundle's %d", s.Dir(), reg, len(vs), len(want))
	}
	return nil
}

// Holds reports whether an import input's location (bundle@COMMIT12:file,
// as snapshots.Collect names what it finds in a git history) is one of the
// bundle versions in vs.
func Holds(vs map[string][]shareddata.Version, location string) bool {
	at := strings.LastIndexByte(location, '@')
	if at < 0 {
		return false
	}
	for _, list := range vs {
		for _, v := range list {
			if location[at+1:] == v.Commit[:12]+":"+v.File {
				return true
			}
		}
	}
	return false
}

// Sample is a selection of versions for tests that need fewer than all:
// every 5th version, the last, and every version that shares its date
// with another.
func Sample(vs []shareddata.Version) []shareddata.Version { return sample(vs) }

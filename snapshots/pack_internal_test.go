package snapshots

import (
	"bytes"
	"fmt"
	"os/exec"
	"slices"
	"sync"
	"testing"

	"github.com/go-git/go-git/v5/plumbing"
)

func commitOv(t *testing.T, s *Store, vs ...ov) {
	t.Helper()
	for _, v := range vs {
		if _, err := s.Commit([]Prepared{v.prepare(t, s)}); err != nil {
			t.Fatal(err)
		}
	}
}

// rawOf reads every version of registry r as s sees it.
func rawOf(t *testing.T, s *Store) [][]byte {
	t.Helper()
	vs, err := s.Versions("r")
	if err != nil {
		t.Fatal(err)
	}
	var out [][]byte
	for _, v := range vs {
		raw, err := s.Raw(v)
		if err != nil {
			t.Fatalf("version %s: %v", v.Name, err)
		}
		out = append(out, raw)
	}
	return out
}

// TestReaderSeesNewPacks: a store opened before another process merged its
// packs (serve, while fetch runs) reads the versions from the new pack with
// its own reader, not by falling back to go-git for every object: new
// objects are in none of the packs it listed, and old ones in a pack file
// gone (unless it had opened it).
func TestReaderSeesNewPacks(t *testing.T) {
	w := newStore(t)
	v1 := ov{name: "v1", date: "2019-01-01", recs: []string{"a", "b"}}
	v2 := ov{name: "v2", date: "2020-01-01", recs: []string{"a", "c"}}
	commitOv(t, w, v1)
	if err := w.Pack(true); err != nil {
		t.Fatal(err)
	}
	read, err := Open(w.dir)
	if err != nil {
		t.Fatal(err)
	}
	rawOf(t, read) // lists the packs and opens the pack file
	listed, err := Open(w.dir)
	if err != nil {
		t.Fatal(err)
	}
	listed.inPack(plumbing.ZeroHash) // lists the packs only
	before, err := w.Versions("r")
	if err != nil {
		t.Fatal(err)
	}
	commitOv(t, w, v2)
	if err := w.Pack(true); err != nil { // the pack they listed is gone
		t.Fatal(err)
	}
	paths, err := w.packs()
	if err != nil {
		t.Fatal(err)
	}
	knows := func(name string, r *Store) {
		t.Helper()
		var known []string
		for _, p := range r.packed.packs {
			known = append(known, p.path)
		}
		if !slices.Equal(known, paths) {
			t.Errorf("%s: packs it knows: %q, want the store's %q", name, known, paths)
		}
	}
	for name, r := range map[string]*Store{"a reader that read": read, "a reader that listed": listed} {
		// The old version first: its objects were in the pack listed.
		if raw, err := r.Raw(before[0]); err != nil || !bytes.Equal(raw, v1.raw()) {
			t.Fatalf("%s: the old version after the packs were merged: %v\n%s", name, err, raw)
		}
		if r == listed { // the other still reads the pack file it opened
			knows(name+", after reading the old version", r)
		}
		got := rawOf(t, r)
		if want := [][]byte{v1.raw(), v2.raw()}; !slices.EqualFunc(got, want, bytes.Equal) {
			t.Fatalf("%s: raw files read after the packs were merged:\n%q\nwant:\n%q", name, got, want)
		}
		knows(name, r)
	}
}

// TestConcurrentReadsThroughGoGit: objects regdiff's own pack reader leaves
// to go-git (REF_DELTA entries, which git writes when told to) are read by
// many goroutines at once, as serve's handlers do, though go-git's storage
// is not safe for concurrent use. Run with -race.
func TestConcurrentReadsThroughGoGit(t *testing.T) {
	if _, err := exec.LookPath("git"); err != nil {
		t.Skip("no git CLI to write a pack with REF_DELTA entries")
	}
	w := newStore(t)
	var vs []ov
	for i, d := range []string{"2019-01-01", "2019-06-01", "2020-01-01", "2020-06-01"} {
		// Enough records that git stores the raw files as deltas.
		recs := make([]string, 60)
		for j := range recs {
			recs[j] = fmt.Sprintf("service %d, described at some length", j)
		}
		recs[i] = "changed"
		vs = append(vs, ov{name: d, date: d, recs: recs})
	}
	commitOv(t, w, vs...)
	if out, err := exec.Command("git", "-C", w.dir, "-c", "repack.useDeltaBaseOffset=false", "repack", "-a", "-d", "-f", "-q").CombinedOutput(); err != nil {
		t.Fatalf("git repack: %v\n%s", err, out)
	}
	r, err := Open(w.dir)
	if err != nil {
		t.Fatal(err)
	}
	var want [][]byte
	for _, v := range vs {
		want = append(want, v.raw())
	}
	// The case under test: some object is not read by regdiff's reader.
	paths, err := r.packs()
	if err != nil || len(paths) != 1 {
		t.Fatalf("packs after git repack: %q %v", paths, err)
	}
	hashes, err := packHashes(paths[0] + ".idx")
	if err != nil {
		t.Fatal(err)
	}
	left := 0
	for _, h := range hashes {
		if _, _, ok := r.packedRead(h); !ok {
			left++
		}
	}
	t.Logf("%d of %d objects left to go-git", left, len(hashes))
	if left == 0 {
		t.Fatal("git wrote no entry that regdiff's pack reader leaves to go-git: the test tests nothing")
	}
	versions, err := r.Versions("r")
	if err != nil {
		t.Fatal(err)
	}
	var wg sync.WaitGroup
	errs := make(chan string, 8)
	for range 8 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for _, v := range versions {
				raw, err := r.Raw(v)
				if err != nil {
					errs <- err.Error()
					return
				}
				if i := slices.IndexFunc(want, func(w []byte) bool { return bytes.Equal(w, raw) }); i < 0 {
					errs <- "version " + v.Name + ": raw file not as committed"
					return
				}
			}
		}()
	}
	wg.Wait()
	close(errs)
	for e := range errs {
		t.Error(e)
	}
}

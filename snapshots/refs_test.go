package snapshots

import (
	"bytes"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/go-git/go-git/v5/plumbing"
)

// gitRefs lists a store's refs as the git CLI reads them: the second route
// that checks regdiff's own reading and writing.
func gitRefs(t *testing.T, dir string) map[string]string {
	t.Helper()
	out, err := exec.Command("git", "-C", dir, "for-each-ref", "--format=%(refname) %(objectname)").Output()
	if err != nil {
		t.Fatalf("git for-each-ref: %v", err)
	}
	refs := map[string]string{}
	for _, line := range strings.Split(strings.TrimSpace(string(out)), "\n") {
		if n, h, ok := strings.Cut(line, " "); ok {
			refs[n] = h
		}
	}
	return refs
}

func needGit(t *testing.T) {
	t.Helper()
	if _, err := exec.LookPath("git"); err != nil {
		t.Skip("no git CLI")
	}
}

func gitRun(t *testing.T, dir string, args ...string) string {
	t.Helper()
	out, err := exec.Command("git", append([]string{"-C", dir}, args...)...).CombinedOutput()
	if err != nil {
		t.Fatalf("git %s: %v\n%s", strings.Join(args, " "), err, out)
	}
	return strings.TrimSpace(string(out))
}

func TestPackedRefsLockHeld(t *testing.T) {
	s := newStore(t)
	add(t, s, synth{date: "2020-01-01", recs: recs(3, "a")})
	defer func(w time.Duration) { packedRefsWait = w }(packedRefsWait)
	packedRefsWait = 200 * time.Millisecond
	lock := filepath.Join(s.Dir(), "packed-refs.lock")
	if err := os.WriteFile(lock, nil, 0o644); err != nil {
		t.Fatal(err)
	}
	before, _ := os.ReadFile(filepath.Join(s.Dir(), "packed-refs"))
	v := synth{date: "2020-02-01", recs: recs(4, "b")}
	p, err := s.Prepare(v.raw(), v.reg(), Source{Kind: "file", Location: v.date})
	if err != nil {
		t.Fatal(err)
	}
	start := time.Now()
	_, err = s.Commit([]Prepared{p})
	if !errors.Is(err, ErrRefsLocked) || !errors.Is(err, ErrLocked) {
		t.Fatalf("commit with packed-refs.lock held: got %v, want ErrRefsLocked (an ErrLocked)", err)
	}
	if d := time.Since(start); d < packedRefsWait {
		t.Errorf("gave up after %v, want a wait of %v first", d, packedRefsWait)
	}
	after, _ := os.ReadFile(filepath.Join(s.Dir(), "packed-refs"))
	if string(before) != string(after) {
		t.Errorf("packed-refs changed while another process held its lock")
	}
	if _, err := os.Stat(lock); err != nil {
		t.Errorf("the other process's lock was removed: %v", err)
	}
	// Released within the wait: the commit goes through.
	go func() { time.Sleep(50 * time.Millisecond); os.Remove(lock) }()
	if _, err := s.Commit([]Prepared{p}); err != nil {
		t.Fatalf("commit once the lock is released: %v", err)
	}
	if got, _ := names(t, s); len(got) != 2 {
		t.Errorf("versions: got %v, want 2", got)
	}
	if _, err := os.Stat(lock); !errors.Is(err, os.ErrNotExist) {
		t.Errorf("packed-refs.lock left behind: %v", err)
	}
}

// Loose refs that git wrote (git update-ref, git fetch) are replaced by a
// rewrite of the refs they name, and left alone otherwise.
func TestLooseRefsReplaced(t *testing.T) {
	needGit(t)
	s := newStore(t)
	add(t, s, synth{date: "2020-01-01", recs: recs(3, "a")}, synth{date: "2020-02-01", recs: recs(4, "b")})
	refs := gitRefs(t, s.Dir())
	first := refs["refs/tags/r/2020-01-01"]
	// Loose refs: the branch (at the value it has), a stray tag under the registry's
	// tags (which a rewrite of its tags drops), and one of the user's own.
	// (git update-ref writes no loose ref for a value already packed.)
	if err := os.WriteFile(filepath.Join(s.Dir(), "refs/heads/r"), []byte(refs["refs/heads/r"]+"\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	gitRun(t, s.Dir(), "update-ref", "refs/tags/r/stray", first)
	gitRun(t, s.Dir(), "update-ref", "refs/keep/mine", first)
	for _, n := range []string{"refs/heads/r", "refs/tags/r/stray", "refs/keep/mine"} {
		if _, err := os.Stat(filepath.Join(s.Dir(), n)); err != nil {
			t.Fatalf("git wrote no loose ref %s: %v", n, err)
		}
	}
	// An annotated tag, loose: folded in with its peeled line.
	gitRun(t, s.Dir(), "-c", "user.name=t", "-c", "user.email=t@t", "tag", "-a", "-m", "x", "r/annotated", first)
	add(t, s, synth{date: "2020-03-01", recs: recs(5, "c")})
	got := gitRefs(t, s.Dir())
	vs, err := s.Versions("r")
	if err != nil {
		t.Fatal(err)
	}
	if len(vs) != 3 {
		t.Fatalf("versions: got %d, want 3", len(vs))
	}
	tip := vs[2].Commit.String()
	if got["refs/heads/r"] != tip {
		t.Errorf("refs/heads/r: got %s, want the new tip %s", got["refs/heads/r"], tip)
	}
	for _, n := range []string{"refs/tags/r/stray", "refs/tags/r/annotated"} {
		if _, ok := got[n]; ok {
			t.Errorf("%s survived the rewrite of the registry's tags", n)
		}
	}
	if got["refs/keep/mine"] != first {
		t.Errorf("refs/keep/mine: got %q, want %s untouched", got["refs/keep/mine"], first)
	}
	if _, err := os.Stat(filepath.Join(s.Dir(), "refs/keep/mine")); err != nil {
		t.Errorf("a loose ref regdiff did not replace was removed: %v", err)
	}
	for _, n := range []string{"refs/heads/r", "refs/tags/r/stray", "refs/tags/r/annotated"} {
		if _, err := os.Stat(filepath.Join(s.Dir(), n)); !errors.Is(err, os.ErrNotExist) {
			t.Errorf("loose %s left behind: %v", n, err)
		}
	}
	if out, err := exec.Command("git", "-C", s.Dir(), "fsck", "--strict").CombinedOutput(); err != nil {
		t.Errorf("git fsck: %v\n%s", err, out)
	}
}

// A user's annotated tag, loose, keeps its peeled line when regdiff packs
// it: git trusts "fully-peeled" and would otherwise take it for a plain ref.
func TestFoldKeepsPeeled(t *testing.T) {
	needGit(t)
	s := newStore(t)
	add(t, s, synth{date: "2020-01-01", recs: recs(3, "a")})
	first := gitRefs(t, s.Dir())["refs/tags/r/2020-01-01"]
	gitRun(t, s.Dir(), "-c", "user.name=t", "-c", "user.email=t@t", "tag", "-a", "-m", "x", "mine", first)
	// Make it one regdiff replaces: regdiff sets it to the same value.
	tag := gitRefs(t, s.Dir())["refs/tags/mine"]
	if err := s.writeRefs(nil, map[string]plumbing.Hash{"refs/tags/mine": plumbing.NewHash(tag)}); err != nil {
		t.Fatal(err)
	}
	if got := gitRun(t, s.Dir(), "rev-parse", "mine^{}"); got != first {
		t.Errorf("mine^{}: got %s, want %s", got, first)
	}
	packed, _ := os.ReadFile(filepath.Join(s.Dir(), "packed-refs"))
	if !strings.Contains(string(packed), "^"+first) {
		t.Errorf("packed-refs has no peeled line for the annotated tag:\n%s", packed)
	}
}

// git pack-refs, git gc and git update-ref running on the store while
// regdiff commits versions lose no ref, theirs or regdiff's.
func TestConcurrentGitRefs(t *testing.T) {
	needGit(t)
	s := newStore(t)
	add(t, s, synth{date: "2020-01-01", recs: recs(3, "a")})
	base := gitRefs(t, s.Dir())["refs/heads/r"]
	const n = 12
	var wg sync.WaitGroup
	errs := make(chan error, 3*n)
	wg.Add(1)
	go func() {
		defer wg.Done()
		for i := range n {
			cmds := [][]string{
				{"update-ref", fmt.Sprintf("refs/other/%d", i), base},
				{"pack-refs", "--all"},
			}
			if i%4 == 0 {
				cmds = append(cmds, []string{"gc", "--quiet"})
			}
			for _, c := range cmds {
				if out, err := exec.Command("git", append([]string{"-C", s.Dir()}, c...)...).CombinedOutput(); err != nil {
					errs <- fmt.Errorf("git %v: %v\n%s", c, err, out)
				}
			}
		}
	}()
	for i := range n {
		v := synth{date: fmt.Sprintf("2020-02-%02d", i+1), recs: recs(4+i, "b")}
		p, err := s.Prepare(v.raw(), v.reg(), Source{Kind: "file", Location: v.date})
		if err != nil {
			t.Fatal(err)
		}
		if _, err := s.Commit([]Prepared{p}); err != nil {
			errs <- fmt.Errorf("commit %s: %w", v.date, err)
		}
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		t.Error(err)
	}
	got := gitRefs(t, s.Dir())
	for i := range n {
		if got[fmt.Sprintf("refs/other/%d", i)] != base {
			t.Errorf("refs/other/%d lost", i)
		}
		if _, ok := got[fmt.Sprintf("refs/tags/r/2020-02-%02d", i+1)]; !ok {
			t.Errorf("tag r/2020-02-%02d lost", i+1)
		}
	}
	vs, err := s.Versions("r")
	if err != nil {
		t.Fatal(err)
	}
	if len(vs) != n+1 || got["refs/heads/r"] != vs[n].Commit.String() {
		t.Errorf("branch: %d versions, tip %s; want %d versions, tip %s", len(vs), got["refs/heads/r"], n+1, vs[len(vs)-1].Commit)
	}
}

// TestStaleRegdiffLock: a packed-refs.lock that a killed regdiff left (it
// starts with regdiff's header) is removed once the wait is over, and the
// commit goes through; one git could have written (git's header) is not.
func TestStaleRegdiffLock(t *testing.T) {
	for _, tt := range []struct {
		name    string
		content func(packed []byte) []byte
		removed bool
	}{
		{"left by regdiff", func(packed []byte) []byte { return packed[:len(packed)-10] }, true},
		{"left by regdiff before it wrote", func([]byte) []byte { return []byte(regdiffLockMark) }, true},
		{"empty (git's, just created)", func([]byte) []byte { return nil }, false},
		{"written by git", func(packed []byte) []byte {
			_, body, _ := strings.Cut(string(packed), "\n")
			return []byte("# pack-refs with: peeled fully-peeled sorted \n" + body)
		}, false},
	} {
		t.Run(tt.name, func(t *testing.T) {
			s := newStore(t)
			add(t, s, synth{date: "2020-01-01", recs: recs(3, "a")})
			defer func(w time.Duration) { packedRefsWait = w }(packedRefsWait)
			packedRefsWait = 100 * time.Millisecond
			packed, err := os.ReadFile(filepath.Join(s.Dir(), "packed-refs"))
			if err != nil {
				t.Fatal(err)
			}
			lock := filepath.Join(s.Dir(), "packed-refs.lock")
			if err := os.WriteFile(lock, tt.content(packed), 0o644); err != nil {
				t.Fatal(err)
			}
			v := synth{date: "2020-02-01", recs: recs(4, "b")}
			p, err := s.Prepare(v.raw(), v.reg(), Source{Kind: "file", Location: v.date})
			if err != nil {
				t.Fatal(err)
			}
			_, err = s.Commit([]Prepared{p})
			_, statErr := os.Stat(lock)
			if tt.removed && (err != nil || statErr == nil) {
				t.Fatalf("commit: %v; lock still there: %v", err, statErr == nil)
			}
			if !tt.removed && (!errors.Is(err, ErrRefsLocked) || statErr != nil) {
				t.Fatalf("commit: %v, want ErrRefsLocked and the lock kept (stat: %v)", err, statErr)
			}
		})
	}
}

// TestLockMarkedAtOnce: a lock regdiff creates is its own from the first
// moment, so that a kill before its content is written does not leave the
// store locked.
func TestLockMarkedAtOnce(t *testing.T) {
	dir := t.TempDir()
	path := filepath.Join(dir, "packed-refs")
	f, err := lockFile(dir, path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	if !leftByRegdiff(path + ".lock") {
		b, _ := os.ReadFile(path + ".lock")
		t.Errorf("a fresh lock holds %q: not known as regdiff's", b)
	}
	// The lock is the file returned (made elsewhere and linked), and
	// nothing else is left in dir.
	if _, err := f.WriteAt([]byte("written"), 0); err != nil {
		t.Fatal(err)
	}
	if b, _ := os.ReadFile(path + ".lock"); !bytes.HasPrefix(b, []byte("written")) {
		t.Errorf("the lock holds %q, not what was written to its file", b)
	}
	if ents, _ := os.ReadDir(dir); len(ents) != 1 || ents[0].Name() != "packed-refs.lock" {
		t.Errorf("dir holds %v, want packed-refs.lock alone", ents)
	}
}

package snapshots

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/regdiff/regdiff/snapshots/record"

	"github.com/go-git/go-git/v5/plumbing"
	"github.com/go-git/go-git/v5/plumbing/object"
)

// Objects are content-addressed, so the objects of a version are rebuilt
// exactly from its raw file: the raw blob is the file, the normalized
// blobs and trees what parsing it gives, and the commit what its version
// list entry and parent give. Importing a file whose version is stored
// therefore checks that version's objects, and rewrites those that are
// missing or damaged (an object already present is otherwise never
// written again, so a damaged one would stay damaged for good).

// checkVersion reads every object of a stored version, checked against
// its id: its commit, trees and blobs.
func (s *Store) checkVersion(v record.Version) error {
	if _, err := s.readCommit(plumbing.Hash(v.Commit)); err != nil {
		return fmt.Errorf("version %s: commit: %w", v.Name, err)
	}
	var files []object.TreeEntry
	if err := s.walkFiles(plumbing.Hash(v.Tree), func(_ string, e object.TreeEntry) { files = append(files, e) }); err != nil {
		return fmt.Errorf("version %s: %w", v.Name, err)
	}
	for _, e := range files {
		if _, err := s.blob(e.Hash); err != nil {
			return fmt.Errorf("version %s: %s: %w", v.Name, e.Name, err)
		}
	}
	return nil
}

// restore writes the objects of stored version v again from its raw file
// (reg is its parse), rewriting each one that is missing or damaged; parent
// is the commit before v on its branch. An object it cannot rebuild (the
// trees of a version normalized by an older regdiff, a commit written in
// another form) is left as it is, and the error says so.
func (s *Store) restore(v record.Version, parent plumbing.Hash, raw []byte, reg *record.Registry, src Source) error {
	p, err := s.prepare(raw, reg, src, &objectWriter{dir: s.dir, repair: s})
	if err != nil {
		return err
	}
	if p.Version.Tree != v.Tree {
		// The raw blob is restored; the trees of an older normalizer cannot
		// be rebuilt, and the new ones are left for git gc.
		return s.checkVersion(v)
	}
	seq := 1
	if _, n, ok := strings.Cut(v.Name, "."); ok {
		if seq, err = strconv.Atoi(n); err != nil {
			return fmt.Errorf("version %s: the name gives no place in its date", v.Name)
		}
	}
	when, err := dateTime(v.Date)
	if err != nil {
		return err
	}
	sig := signature
	sig.When = when.Add(time.Duration(seq-1) * time.Second)
	c := &object.Commit{Author: sig, Committer: sig, Message: formatMessage(v), TreeHash: plumbing.Hash(v.Tree)}
	if !parent.IsZero() {
		c.ParentHashes = []plumbing.Hash{parent}
	}
	if h, err := (&objectWriter{dry: true}).encoded(c); err != nil || h != plumbing.Hash(v.Commit) {
		return s.checkVersion(v) // a commit this regdiff would not write
	}
	if _, err := (&objectWriter{dir: s.dir, repair: s}).encoded(c); err != nil {
		return err
	}
	return s.checkVersion(v)
}

var repairMu sync.Mutex

// repairObject is writeNewObject for restore: an object that is present
// and whole is left alone, any other is written (over a damaged loose one,
// or as a loose copy of a damaged packed one, which is then read first).
//
// Repairs are one at a time in the process: import workers restore
// versions in parallel, and two versions that share a damaged object
// would otherwise both find it damaged, and the second remove the first
// one's fresh copy (or fail to remove the damaged file the first already
// had).
func (s *Store) repairObject(t plumbing.ObjectType, content []byte) (plumbing.Hash, bool, error) {
	repairMu.Lock()
	defer repairMu.Unlock()
	h := objectHash(t, content)
	got, _, err := s.readAny(h)
	if err == nil && got == t {
		return h, false, nil
	}
	if err != nil && !errors.Is(err, ErrDamaged) {
		return h, false, err
	}
	path := filepath.Join(s.dir, filepath.FromSlash(s.objectPath(h)))
	existed := false
	if _, err := os.Stat(path); err == nil {
		existed = true
		// The damaged file goes first: writeNewObject leaves a present file be.
		if err := os.Remove(path); err != nil {
			return h, false, fmt.Errorf("restore object %s: %w", h, err)
		}
	}
	_, created, err := writeNewObject(s.dir, t, content)
	return h, created && !existed, err
}

package snapshots

import (
	"bytes"
	"errors"
	"fmt"
	"hash/crc32"
	"io"
	"io/fs"
	"os"
	"path"
	"path/filepath"
	"sort"
	"strings"
	"time"

	"github.com/go-git/go-git/v5/plumbing"
	"github.com/go-git/go-git/v5/plumbing/object"
)

// regdiff keeps its refs in packed-refs only. go-git updates a loose ref by
// truncating and rewriting it in place, which a kill can leave empty;
// rewriting packed-refs through a rename changes every ref of a version
// (branch, tags, metadata) in one atomic step, which is what makes an import
// all or nothing. See writeRefs for how it shares them with git.

// readRefs returns every ref in the store: packed-refs, overridden by any
// loose ref file (as git reads them).
func (s *Store) readRefs() (map[string]plumbing.Hash, error) {
	refs := map[string]plumbing.Hash{}
	err := s.packedRefs(func(name []byte, h plumbing.Hash) bool {
		refs[string(name)] = h
		return true
	})
	if err != nil {
		return nil, err
	}
	root := filepath.Join(s.dir, "refs")
	err = filepath.WalkDir(root, func(path string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() || !isRefFile(d.Name()) {
			return err
		}
		h, ok, err := readLooseRef(path)
		if ok {
			rel, _ := filepath.Rel(s.dir, path)
			refs[filepath.ToSlash(rel)] = h
		}
		return err
	})
	if err != nil {
		return nil, fmt.Errorf("read refs in %s: %w", s.dir, err)
	}
	return refs, nil
}

// readRef returns one ref as readRefs would, without the map of all of
// them: a store holds a tag per version, and a command that wants only a
// branch tip spent more time reading 5,000 tags than the rest of its work.
func (s *Store) readRef(name string) (plumbing.Hash, bool, error) {
	// regdiff writes no loose refs; one that does not read (missing, a
	// folder) is left to readRefs and verify to report.
	if !strings.Contains(name, "..") && isRefFile(path.Base(name)) {
		if h, ok, _ := readLooseRef(filepath.Join(s.dir, filepath.FromSlash(name))); ok {
			return h, true, nil
		}
	}
	var found plumbing.Hash
	var ok bool
	err := s.packedRefs(func(n []byte, h plumbing.Hash) bool {
		if string(n) == name {
			found, ok = h, true
		}
		return !ok
	})
	return found, ok, err
}

// packedRefs calls fn with each ref of packed-refs until fn returns false.
//
// As git does, a file whose last line has no end (torn) or with a line
// that is not a ref is refused: taken as it is, it would drop or rename
// refs, and the next import would build on what is left. regdiff's header
// also carries a CRC-32C of the lines below it ([packedRefsHeader]), which
// catches a flipped bit that leaves a line well-formed (a ref renamed, a
// hash changed); a file git wrote has none, and is read as git reads it.
func (s *Store) packedRefs(fn func(name []byte, h plumbing.Hash) bool) error {
	return s.packedRefLines(func(name []byte, h plumbing.Hash, peeled bool) bool {
		return peeled || fn(name, h)
	})
}

// packedRefLines calls fn with each line of packed-refs, refs and the
// "^" lines that peel the annotated tag above them, until fn returns false.
func (s *Store) packedRefLines(fn func(name []byte, h plumbing.Hash, peeled bool) bool) error {
	data, err := os.ReadFile(filepath.Join(s.dir, "packed-refs"))
	if err != nil && !errors.Is(err, fs.ErrNotExist) {
		return fmt.Errorf("read refs in %s: %w", s.dir, err)
	}
	bad := func(format string, args ...any) error {
		return fmt.Errorf("read refs in %s: packed-refs %s: %w", s.dir, fmt.Sprintf(format, args...), ErrDamaged)
	}
	if err == nil && len(data) == 0 {
		return bad("is empty (regdiff never writes it so)")
	}
	if len(data) > 0 && data[len(data)-1] != '\n' {
		return bad("is torn: its last line has no end")
	}
	if header, body, ok := bytes.Cut(data, []byte("\n")); ok && bytes.HasPrefix(header, []byte("# pack-refs with:")) {
		for _, trait := range strings.Fields(string(header)) {
			sum, ok := strings.CutPrefix(trait, crcTrait)
			if ok && sum != fmt.Sprintf("%08x", crc32.Checksum(body, castagnoli)) {
				return bad("does not match its checksum")
			}
		}
	}
	for n := 1; len(data) > 0; n++ {
		var line []byte
		line, data, _ = bytes.Cut(data, []byte("\n"))
		line = bytes.TrimSuffix(line, []byte("\r"))
		if n == 1 && len(line) > 0 && line[0] == '#' {
			continue
		}
		if len(line) > 0 && line[0] == '^' {
			h, ok := parseHash(string(line[1:]))
			if !ok {
				return bad("line %d is not a peeled hash: %q", n, line)
			}
			if !fn(nil, h, true) {
				return nil
			}
			continue
		}
		hex, name, ok := bytes.Cut(line, []byte(" "))
		h, okh := parseHash(string(hex))
		if !ok || !okh || !strings.HasPrefix(string(name), "refs/") {
			return bad("line %d is not a ref: %q", n, line)
		}
		if !fn(name, h, false) {
			return nil
		}
	}
	return nil
}

// crcTrait starts the word of packed-refs' header that holds the CRC-32C
// of the lines below it, in hex. git ignores the header's words it does
// not know, and writes its own header when it rewrites the file.
const crcTrait = "regdiff-crc32c="

// packedRefsHeader returns the first line of a packed-refs file whose
// other lines are body.
func packedRefsHeader(body []byte) string {
	return fmt.Sprintf("# pack-refs with: peeled fully-peeled sorted %s%08x\n", crcTrait, crc32.Checksum(body, castagnoli))
}

var castagnoli = crc32.MakeTable(crc32.Castagnoli)

// readLooseRef reads a loose ref file; ok is false for a symbolic or
// damaged one, which is not regdiff's.
func readLooseRef(path string) (h plumbing.Hash, ok bool, err error) {
	b, err := os.ReadFile(path)
	if err != nil {
		return h, false, err
	}
	h, ok = parseHash(strings.TrimSpace(string(b)))
	return h, ok, nil
}

// writeRefs replaces the refs under each prefix in drop and then sets those
// in set, in one rewrite of packed-refs.
//
// It follows git's own protocol (refs/packed-backend.c, lockfile.c), so that
// git gc, git pack-refs or git fetch running on the store at the same time
// lose no update, theirs or ours: packed-refs is read and written only while
// packed-refs.lock, created exclusively, is held, and the new content is
// written into the lock file, synced and renamed over packed-refs. A lock
// held by another process is waited on for packedRefsWait, then the refs are
// left as they were and the error wraps [ErrRefsLocked].
//
// Loose refs (written by git, never by regdiff) that the rewrite replaces
// would shadow it. They are first folded into packed-refs with the values
// they have and removed, each under its own lock as git removes a ref; only
// then does the rewrite move the refs, so that a kill at any point leaves
// every ref at its old value or all of them at their new ones.
func (s *Store) writeRefs(drop []string, set map[string]plumbing.Hash) error {
	affected := func(name string) bool {
		if _, ok := set[name]; ok {
			return true
		}
		for _, p := range drop {
			if strings.HasPrefix(name, p) {
				return true
			}
		}
		return false
	}
	loose, err := s.looseRefs(affected)
	if err != nil {
		return err
	}
	if len(loose) > 0 {
		if err := s.foldLooseRefs(loose); err != nil {
			return err
		}
	}
	return s.rewritePackedRefs(func(refs map[string]packedRef) {
		for name := range refs {
			for _, p := range drop {
				if strings.HasPrefix(name, p) {
					delete(refs, name)
				}
			}
		}
		for name, h := range set {
			if refs[name].hash != h {
				refs[name] = packedRef{hash: h}
			}
		}
	})
}

// ErrRefsLocked is returned when another process (a git command) holds
// packed-refs.lock or a ref's lock past the wait allowed. It is an
// [ErrLocked] too: the store is busy, try again later.
var ErrRefsLocked error = refsLocked{}

type refsLocked struct{}

func (refsLocked) Error() string        { return "the store's refs are locked by another process" }
func (refsLocked) Is(target error) bool { return target == ErrLocked }

// packedRefsWait is how long a lock on packed-refs or on a loose ref held
// by another process is waited on. git waits 1 s (core.packedRefsTimeout);
// regdiff holds the lock for less than that, and a few seconds more absorb
// a loaded machine.
var packedRefsWait = 5 * time.Second

// packedRef is one entry of packed-refs: the ref and, for an annotated tag,
// the object it peels to (git's "^" line), kept as git wrote it.
type packedRef struct {
	hash, peeled plumbing.Hash
}

// lockFile creates path+".lock" exclusively, as git's lockfile.c does,
// waiting up to packedRefsWait while another process holds it. The lock
// is made in dir (the store's root) holding regdiff's mark, then linked
// into place: a kill at any moment leaves either no lock or one that the
// next regdiff knows as its own (git's are empty when just created, so an
// empty lock is never taken for regdiff's). A kill before the link
// leaves a .regdiff-lock-* file in dir, which git ignores.
func lockFile(dir, path string) (*os.File, error) {
	deadline := time.Now().Add(packedRefsWait)
	for wait := time.Millisecond; ; wait = min(2*wait, 100*time.Millisecond) {
		f, err := createMarked(dir, path+".lock")
		if err == nil {
			return f, nil
		}
		if !errors.Is(err, fs.ErrExist) {
			return nil, err
		}
		if time.Now().After(deadline) {
			if leftByRegdiff(path + ".lock") {
				// A regdiff killed while it held the lock left it; the
				// caller holds the store's own lock, so no regdiff holds
				// it now, and git would not have written regdiff's mark.
				if err := os.Remove(path + ".lock"); err == nil || errors.Is(err, fs.ErrNotExist) {
					deadline = time.Now().Add(packedRefsWait)
					continue
				}
			}
			return nil, fmt.Errorf("%w: %s.lock exists; if no git command is running on the store, remove it", ErrRefsLocked, path)
		}
		time.Sleep(wait)
	}
}

// createMarked creates lock exclusively, with regdiffLockMark in it from
// the moment it exists. Where the file system has no hard links, the lock
// is created in place and marked at once.
func createMarked(dir, lock string) (*os.File, error) {
	tmp, err := os.CreateTemp(dir, ".regdiff-lock-*")
	if err != nil {
		return nil, err
	}
	defer os.Remove(tmp.Name())
	if _, err := tmp.WriteString(regdiffLockMark); err != nil {
		tmp.Close()
		return nil, err
	}
	err = os.Link(tmp.Name(), lock)
	// Closed before its name is removed, and the lock opened anew: Windows
	// removes no open file.
	tmp.Close()
	if err == nil {
		f, err := os.OpenFile(lock, os.O_RDWR, 0)
		if err != nil {
			os.Remove(lock)
			return nil, err
		}
		return f, nil
	}
	if errors.Is(err, fs.ErrExist) {
		return nil, err
	}
	f, err := os.OpenFile(lock, os.O_RDWR|os.O_CREATE|os.O_EXCL, 0o644)
	if err != nil {
		return nil, err
	}
	if _, err := f.WriteString(regdiffLockMark); err != nil {
		f.Close()
		os.Remove(lock)
		return nil, err
	}
	return f, nil
}

// regdiffLockMark is what regdiff writes into each lock file it creates,
// before anything else, so that one a kill leaves behind can be told from
// git's. The lock of packed-refs then gets its content over the mark, and
// regdiff's header ([crcTrait]) marks it from then on.
const regdiffLockMark = "regdiff lock\n"

// leftByRegdiff reports whether a lock file holds what only regdiff writes
// into its locks.
func leftByRegdiff(lock string) bool {
	f, err := os.Open(lock)
	if err != nil {
		return false
	}
	defer f.Close()
	head := make([]byte, 256)
	n, _ := io.ReadFull(f, head)
	head = head[:n]
	line, _, _ := bytes.Cut(head, []byte("\n"))
	return string(head) == regdiffLockMark ||
		bytes.HasPrefix(line, []byte("# pack-refs with:")) && bytes.Contains(line, []byte(crcTrait))
}

// rewritePackedRefs reads packed-refs under its lock, lets edit change the
// entries and commits the result through the lock file.
func (s *Store) rewritePackedRefs(edit func(map[string]packedRef)) (err error) {
	path := filepath.Join(s.dir, "packed-refs")
	f, err := lockFile(s.dir, path)
	if err != nil {
		return fmt.Errorf("write refs in %s: %w", s.dir, err)
	}
	committed := false
	defer func() {
		if !committed {
			f.Close()
			os.Remove(path + ".lock")
		}
	}()
	if s.pack != nil {
		// An import's objects since its last checkpoint are in no
		// installed pack yet; installed once the lock is held, so that a
		// store whose refs are locked gets no pack.
		if err := s.pack.seal(); err != nil {
			return err
		}
	}
	// Read only once the lock is held: another writer may have just
	// renamed its own version into place.
	refs := map[string]packedRef{}
	var last string
	err = s.packedRefLines(func(name []byte, h plumbing.Hash, peeled bool) bool {
		if peeled {
			if r, ok := refs[last]; ok {
				r.peeled = h
				refs[last] = r
			}
			return true
		}
		last = string(name)
		refs[last] = packedRef{hash: h}
		return true
	})
	if err != nil {
		return err
	}
	edit(refs)
	names := make([]string, 0, len(refs))
	for n := range refs {
		names = append(names, n)
	}
	sort.Strings(names)
	var b bytes.Buffer
	for _, n := range names {
		fmt.Fprintf(&b, "%s %s\n", refs[n].hash, n)
		if !refs[n].peeled.IsZero() {
			fmt.Fprintf(&b, "^%s\n", refs[n].peeled)
		}
	}
	data := append([]byte(packedRefsHeader(b.Bytes())), b.Bytes()...)
	// The content replaces the mark lockFile wrote (it is longer).
	if _, err := f.WriteAt(data, 0); err != nil {
		return fmt.Errorf("write refs in %s: %w", s.dir, err)
	}
	if err := f.Sync(); err != nil {
		return fmt.Errorf("write refs in %s: %w", s.dir, err)
	}
	if err := f.Close(); err != nil {
		return fmt.Errorf("write refs in %s: %w", s.dir, err)
	}
	if err := os.Rename(path+".lock", path); err != nil {
		return fmt.Errorf("write refs in %s: %w", s.dir, err)
	}
	committed = true
	return nil
}

// looseRefs returns the loose ref files whose names match.
func (s *Store) looseRefs(match func(string) bool) (map[string]plumbing.Hash, error) {
	out := map[string]plumbing.Hash{}
	root := filepath.Join(s.dir, "refs")
	err := filepath.WalkDir(root, func(path string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() || !isRefFile(d.Name()) {
			return err
		}
		rel, _ := filepath.Rel(s.dir, path)
		name := filepath.ToSlash(rel)
		if !match(name) {
			return nil
		}
		h, ok, err := readLooseRef(path)
		if ok {
			out[name] = h
		}
		return err
	})
	if err != nil && !errors.Is(err, fs.ErrNotExist) {
		return nil, fmt.Errorf("read refs in %s: %w", s.dir, err)
	}
	return out, nil
}

// isRefFile tells a ref's file from the lock and temporary files beside it,
// which git does not read as refs either.
func isRefFile(name string) bool {
	return !strings.HasPrefix(name, ".tmp-") && !strings.HasSuffix(name, ".lock")
}

// foldLooseRefs moves loose refs into packed-refs with their current
// values, as git pack-refs does: each is locked, written to packed-refs,
// and removed only if it still holds the value packed.
func (s *Store) foldLooseRefs(loose map[string]plumbing.Hash) error {
	var locked []string
	defer func() {
		for _, n := range locked {
			os.Remove(filepath.Join(s.dir, filepath.FromSlash(n)) + ".lock")
		}
	}()
	for n := range loose {
		f, err := lockFile(s.dir, filepath.Join(s.dir, filepath.FromSlash(n)))
		if err != nil {
			return fmt.Errorf("write refs in %s: %w", s.dir, err)
		}
		f.Close()
		locked = append(locked, n)
	}
	// Under its lock a ref cannot change: read it again.
	for n := range loose {
		h, ok, err := readLooseRef(filepath.Join(s.dir, filepath.FromSlash(n)))
		if err != nil || !ok {
			delete(loose, n)
			continue
		}
		loose[n] = h
	}
	err := s.rewritePackedRefs(func(refs map[string]packedRef) {
		for n, h := range loose {
			refs[n] = packedRef{hash: h, peeled: s.peel(h)}
		}
	})
	if err != nil {
		return err
	}
	for n := range loose {
		if err := os.Remove(filepath.Join(s.dir, filepath.FromSlash(n))); err != nil && !errors.Is(err, fs.ErrNotExist) {
			return fmt.Errorf("write refs in %s: %w", s.dir, err)
		}
	}
	return nil
}

// peel returns what an annotated tag points to at the end of its chain, and
// the zero hash for any other object (packed-refs says "fully-peeled", so a
// tag without a "^" line is taken by git to be no annotated tag).
func (s *Store) peel(h plumbing.Hash) plumbing.Hash {
	peeled := plumbing.ZeroHash
	for range 10 {
		t, err := object.GetTag(s.st, h)
		if err != nil {
			return peeled
		}
		h, peeled = t.Target, t.Target
	}
	return peeled
}

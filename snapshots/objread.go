package snapshots

import (
	"bytes"
	"crypto/sha1"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strconv"
	"strings"

	"github.com/go-git/go-billy/v5/osfs"
	"github.com/go-git/go-git/v5/plumbing"
	"github.com/go-git/go-git/v5/plumbing/cache"
	"github.com/go-git/go-git/v5/plumbing/filemode"
	"github.com/go-git/go-git/v5/plumbing/object"
	"github.com/go-git/go-git/v5/storage/filesystem"
	"github.com/klauspost/compress/zlib"
)

// ErrDamaged is wrapped by every error that finds the store damaged: an
// object that is missing, does not read, or whose content does not hash to
// its id; a torn or altered packed-refs. Such a store gives no answer from
// the damaged part, only this error, naming what is damaged.
var ErrDamaged = errors.New("the store is damaged")

// Every object the store reads is checked against its id, whether loose or
// packed: a single flipped bit in a blob would otherwise be read as other
// records, and git's zlib and pack checksums are not read by a reader that
// stops at the object's declared size. The check is the standard library's
// SHA-1 of the object as git frames it, which costs far less than the
// inflating (go-git's own reader hashes with collision detection, several
// times slower, and never compares the result).

// damaged builds the error for object h, found damaged in where.
func damaged(h plumbing.Hash, where, format string, args ...any) error {
	return fmt.Errorf("object %s (%s): %s: %w", h, where, fmt.Sprintf(format, args...), ErrDamaged)
}

// maxObject bounds the size an object header may declare: a flipped bit in
// the header must not make a reader allocate gigabytes. Raw files are at
// most 64 MiB (fetch's limit); imports of larger files are refused below.
const maxObject = 1 << 30

// readObject returns the content of object h, which must be of type want,
// checked against h.
func (s *Store) readObject(h plumbing.Hash, want plumbing.ObjectType) ([]byte, error) {
	t, data, err := s.readAny(h)
	if err != nil {
		return nil, err
	}
	if t != want {
		return nil, damaged(h, s.objectPath(h), "a %s where a %s was expected", t, want)
	}
	return data, nil
}

func (s *Store) objectPath(h plumbing.Hash) string {
	hex := h.String()
	return "objects/" + hex[:2] + "/" + hex[2:]
}

// readAny returns object h of any type: the loose object when there is
// one, or else the packed one.
func (s *Store) readAny(h plumbing.Hash) (plumbing.ObjectType, []byte, error) {
	if s.pack != nil {
		// Written by this import and not yet in an installed pack.
		if t, data, ok := s.pack.read(h); ok {
			head := fmt.Appendf(nil, "%s %d\x00", t, len(data))
			if hashFramed(head, data) == h {
				return t, data, nil
			}
		}
	}
	rel := s.objectPath(h)
	file, err := os.ReadFile(filepath.Join(s.dir, filepath.FromSlash(rel)))
	switch {
	case err == nil:
		return looseObject(h, rel, file)
	case errors.Is(err, os.ErrNotExist):
		// regdiff's own pack reader serves its packs fast; what it cannot
		// read, or reads wrong, goes to go-git's, whose verdict stands.
		if t, data, ok := s.packedRead(h); ok {
			head := fmt.Appendf(nil, "%s %d\x00", t, len(data))
			if hashFramed(head, data) == h {
				return t, data, nil
			}
		}
		t, data, err := s.packedObject(h)
		if err != nil && !s.uncached {
			// go-git keeps decoded objects and delta bases between reads,
			// so what a damaged pack gives depends on what was read
			// before: the verdict is a read without that state.
			return s.view(0).packedObject(h)
		}
		return t, data, err
	default:
		return 0, nil, fmt.Errorf("object %s: %w", h, err)
	}
}

// looseObject decodes and checks a loose object file.
func looseObject(h plumbing.Hash, rel string, file []byte) (plumbing.ObjectType, []byte, error) {
	zr, err := zlib.NewReader(bytes.NewReader(file))
	if err != nil {
		return 0, nil, damaged(h, rel, "does not inflate: %v", err)
	}
	defer zr.Close()
	var head [32]byte
	n := 0
	for {
		if n == len(head) {
			return 0, nil, damaged(h, rel, "no object header")
		}
		if _, err := io.ReadFull(zr, head[n:n+1]); err != nil {
			return 0, nil, damaged(h, rel, "does not inflate: %v", err)
		}
		if head[n] == 0 {
			break
		}
		n++
	}
	t, size, err := parseHeader(string(head[:n]))
	if err != nil {
		return 0, nil, damaged(h, rel, "%v", err)
	}
	data, err := readSized(zr, size)
	if err != nil {
		return 0, nil, damaged(h, rel, "does not inflate: %v", err)
	}
	// Reading on to the end makes zlib check its own checksum, and finds
	// anything after the object.
	var more [1]byte
	if k, err := zr.Read(more[:]); k > 0 || err != io.EOF {
		return 0, nil, damaged(h, rel, "does not end where its header says")
	}
	if got := hashFramed(head[:n+1], data); got != h {
		return 0, nil, damaged(h, rel, "its content hashes to %s", got)
	}
	return t, data, nil
}

func parseHeader(head string) (plumbing.ObjectType, int, error) {
	kind, size, ok := strings.Cut(head, " ")
	t, err := plumbing.ParseObjectType(kind)
	n, nerr := strconv.Atoi(size)
	if !ok || err != nil || nerr != nil || n < 0 || n > maxObject || t == plumbing.OFSDeltaObject || t == plumbing.REFDeltaObject {
		return 0, 0, fmt.Errorf("bad object header %q", head)
	}
	return t, n, nil
}

// trustedAlloc is the most a declared size may allocate before the
// bytes arrive: a flipped bit in a size would otherwise cost a gigabyte
// of memory, and a second of time, to be found out.
const trustedAlloc = 16 << 20

// readSized reads exactly size bytes, growing with what arrives beyond
// trustedAlloc rather than believing the size.
func readSized(r io.Reader, size int) ([]byte, error) {
	data := make([]byte, min(size, trustedAlloc))
	filled := 0
	for {
		n, err := io.ReadFull(r, data[filled:])
		filled += n
		if err == io.EOF {
			err = io.ErrUnexpectedEOF
		}
		if err != nil || filled == size {
			return data[:filled], err
		}
		data = append(data, make([]byte, min(size-filled, len(data)))...)
	}
}

func hashFramed(head, data []byte) plumbing.Hash {
	sh := sha1.New()
	sh.Write(head)
	sh.Write(data)
	var out plumbing.Hash
	copy(out[:], sh.Sum(nil))
	return out
}

// packedObject reads object h from the packfiles through go-git, which
// resolves deltas, and checks what it gives.
func (s *Store) packedObject(h plumbing.Hash) (t plumbing.ObjectType, data []byte, err error) {
	const where = "objects/pack"
	defer func() {
		// go-git's packfile reader can panic on a damaged pack or index.
		if r := recover(); r != nil {
			t, data, err = 0, nil, damaged(h, where, "does not read: %v", r)
		}
	}()
	s.gitMu.Lock()
	defer s.gitMu.Unlock()
	o, err := s.st.EncodedObject(plumbing.AnyObject, h)
	if errors.Is(err, plumbing.ErrObjectNotFound) {
		return 0, nil, damaged(h, "objects", "missing")
	}
	if err != nil {
		return 0, nil, damaged(h, where, "does not read: %v", err)
	}
	if o.Size() < 0 || o.Size() > maxObject {
		return 0, nil, damaged(h, where, "declares %d bytes", o.Size())
	}
	r, err := o.Reader()
	if err != nil {
		return 0, nil, damaged(h, where, "does not read: %v", err)
	}
	defer r.Close()
	if data, err = readSized(r, int(o.Size())); err != nil {
		return 0, nil, damaged(h, where, "does not read: %v", err)
	}
	head := fmt.Appendf(nil, "%s %d\x00", o.Type(), len(data))
	if got := hashFramed(head, data); got != h {
		return 0, nil, damaged(h, where, "its content hashes to %s", got)
	}
	return o.Type(), data, nil
}

// strict returns a view of the store with go-git state of its own, so
// that what a check finds does not depend on what this Store read before
// (see readAny), nor on other goroutines (go-git's storage is not safe for
// concurrent use). Verify and the check of a stored version on import read
// through one. Its cache of delta bases stays: a packed store's raw files
// are chains of dozens of deltas.
func (s *Store) strict() *Store {
	v := s.view(32 * cache.MiByte)
	// Verify reads every raw file (3.8 MB each in the port registry, in
	// delta chains up to 30 deep): at packCacheBytes each chain was
	// resolved again from its base, and verify of the shared bundle's
	// store took 30 s; at 128 MiB, 9.5 s and 290 MB. Once verify kept the
	// version before's records (formats.Parser, encodeFiles), 64 MiB was
	// faster still under main's soft memory limit: the CLI's verify of
	// that store 6.1-6.4 s against 7.0-7.8 s at 128 MiB and 6.8-7.1 s at
	// 64 MiB without them (same runs), the collector having less to mark.
	v.packed.max = 64 << 20
	return v
}

// view returns a Store over the same folder with a go-git object cache of
// the given size; 0 keeps nothing between reads.
func (s *Store) view(size cache.FileSize) *Store {
	return &Store{dir: s.dir, st: filesystem.NewStorage(osfs.New(s.dir), cache.NewObjectLRU(size)), uncached: size == 0}
}

// readTree returns a tree's entries, in the order stored.
func (s *Store) readTree(h plumbing.Hash) ([]object.TreeEntry, error) {
	data, err := s.readObject(h, plumbing.TreeObject)
	if err != nil {
		return nil, err
	}
	var out []object.TreeEntry
	for len(data) > 0 {
		sp := bytes.IndexByte(data, ' ')
		nul := bytes.IndexByte(data, 0)
		if sp < 0 || nul < sp || len(data) < nul+1+len(h) {
			return nil, damaged(h, s.objectPath(h), "a tree that does not parse")
		}
		mode, err := filemode.New(string(data[:sp]))
		if err != nil {
			return nil, damaged(h, s.objectPath(h), "a tree that does not parse: %v", err)
		}
		e := object.TreeEntry{Name: string(data[sp+1 : nul]), Mode: mode}
		copy(e.Hash[:], data[nul+1:])
		out = append(out, e)
		data = data[nul+1+len(h):]
	}
	return out, nil
}

// walkFiles calls fn with the slash-separated path and hash of every file
// under tree h. Unlike go-git's TreeWalker, which passes over a subtree it
// cannot read, a subtree that does not read is an error: a version must
// never look as if it held fewer files.
func (s *Store) walkFiles(h plumbing.Hash, fn func(path string, e object.TreeEntry)) error {
	return s.walkDir(h, "", 0, fn)
}

func (s *Store) walkDir(h plumbing.Hash, dir string, depth int, fn func(string, object.TreeEntry)) error {
	if depth > 32 {
		return damaged(h, s.objectPath(h), "trees nested deeper than any regdiff writes")
	}
	entries, err := s.readTree(h)
	if err != nil {
		return err
	}
	for _, e := range entries {
		p := e.Name
		if dir != "" {
			p = dir + "/" + e.Name
		}
		switch {
		case e.Mode == filemode.Dir:
			if err := s.walkDir(e.Hash, p, depth+1, fn); err != nil {
				return fmt.Errorf("%s: %w", p, err)
			}
		case e.Mode.IsFile():
			fn(p, e)
		}
	}
	return nil
}

// commitInfo is what the store reads of a commit.
type commitInfo struct {
	Tree    plumbing.Hash
	Parents []plumbing.Hash
	Message string
}

// readCommit reads a commit's tree, parents and message.
func (s *Store) readCommit(h plumbing.Hash) (commitInfo, error) {
	var c commitInfo
	data, err := s.readObject(h, plumbing.CommitObject)
	if err != nil {
		return c, err
	}
	text := string(data)
	head, msg, ok := strings.Cut(text, "\n\n")
	if !ok {
		head, msg = strings.TrimSuffix(text, "\n"), ""
	}
	c.Message = msg
	for _, line := range strings.Split(head, "\n") {
		k, v, _ := strings.Cut(line, " ")
		switch k {
		case "tree", "parent":
			ph, ok := parseHash(v)
			if !ok {
				return c, damaged(h, s.objectPath(h), "a commit whose %s line does not parse", k)
			}
			if k == "tree" {
				c.Tree = ph
			} else {
				c.Parents = append(c.Parents, ph)
			}
		}
	}
	if c.Tree.IsZero() {
		return c, damaged(h, s.objectPath(h), "a commit without a tree")
	}
	return c, nil
}

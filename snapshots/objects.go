package snapshots

import (
	"bytes"
	"crypto/sha1"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"sync"

	"github.com/go-git/go-git/v5/plumbing"
	"github.com/go-git/go-git/v5/plumbing/filemode"
	"github.com/go-git/go-git/v5/plumbing/object"
	"github.com/klauspost/compress/zlib"
)

// writeNewObject stores one git object as a loose object and returns its
// hash, telling whether the object was new.
//
// go-git's own writer compresses at zlib's default level; raw registry files
// are 3–4 MB each and a backfill writes hundreds of them, so the fastest
// level (klauspost's zlib, about twice the standard library's speed at the
// same ratio) takes a quarter of the time for ~20% more disk. The object is written to a
// temporary file and renamed into place, so a kill leaves either no object or
// a whole one; an object already present is not written again.
func writeNewObject(gitDir string, t plumbing.ObjectType, content []byte) (h plumbing.Hash, created bool, err error) {
	return writeHashed(gitDir, objectHash(t, content), t, content)
}

// writeHashed is writeNewObject for an object whose hash h is known.
func writeHashed(gitDir string, h plumbing.Hash, t plumbing.ObjectType, content []byte) (_ plumbing.Hash, created bool, err error) {
	hex := h.String()
	dir := filepath.Join(gitDir, "objects", hex[:2])
	path := filepath.Join(dir, hex[2:])
	if _, err := os.Stat(path); err == nil {
		return h, false, nil
	}
	var buf bytes.Buffer
	buf.Grow(len(content)/4 + 64)
	zw := zlibWriters.Get().(*zlib.Writer)
	defer zlibWriters.Put(zw)
	zw.Reset(&buf)
	fmt.Fprintf(zw, "%s %d\x00", t.String(), len(content))
	zw.Write(content)
	if err := zw.Close(); err != nil {
		return h, false, err
	}
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return h, false, fmt.Errorf("write object %s: %w", hex, err)
	}
	// No fsync: a killed process loses nothing the page cache holds, and
	// the refs that make an object reachable are synced (see writeRefs).
	// The temporary file gets git's own name for a loose object being
	// written: one a kill leaves behind is ignored by git fsck and removed
	// by git prune, where any other name is reported as a bad object file.
	err = writeFileVia(path, "tmp_obj_*", buf.Bytes(), 0o444, false)
	if errors.Is(err, fs.ErrNotExist) {
		// git prune (in git gc) removes empty object folders, and may
		// have removed this one since it was made: make it again, as git
		// does.
		if err = os.MkdirAll(dir, 0o755); err == nil {
			err = writeFileVia(path, "tmp_obj_*", buf.Bytes(), 0o444, false)
		}
	}
	if err != nil {
		return h, false, fmt.Errorf("write object %s: %w", hex, err)
	}
	return h, true, nil
}

// objectWriter writes objects into a store. With dry set it only computes
// their hashes; it remembers the objects it created, so that a version
// refused after Prepare can be taken out again ([Store.Discard]). An object
// already in one of the store's packs is not written again, and one it
// creates during an import goes into the import's pack too.
type objectWriter struct {
	dir     string
	dry     bool
	repair  *Store // when set, rewrite objects present but damaged (see restore)
	created []plumbing.Hash
	s       *Store
}

func (s *Store) objectWriter() *objectWriter { return &objectWriter{dir: s.dir, s: s} }

func (w *objectWriter) write(t plumbing.ObjectType, content []byte) (plumbing.Hash, error) {
	return w.writeAt("", t, content)
}

// writeAt is write for a blob that is a version of the file at path
// ("ID/records/00000-00999.jsonl"), which the pack bases its delta on.
func (w *objectWriter) writeAt(path string, t plumbing.ObjectType, content []byte) (plumbing.Hash, error) {
	if w.dry {
		return objectHash(t, content), nil
	}
	var h plumbing.Hash
	var created bool
	var err error
	if w.repair != nil {
		// A repaired object stays loose, where reads look first: packed,
		// it could sit behind the damaged copy in an older pack.
		h, created, err = w.repair.repairObject(t, content)
		if created {
			w.created = append(w.created, h)
		}
		return h, err
	}
	h = objectHash(t, content)
	if w.s != nil && w.s.inPack(h) {
		return h, nil
	}
	if w.s != nil && w.s.pack != nil && w.s.pack.ckpt != nil {
		// An import: into its checkpoint pack and its pack, not loose
		// (see pack.go). An object created here cannot be taken out again
		// (Discard); it goes with the checkpoint pack it is in, unsealed
		// when a version is refused.
		created, err = w.s.pack.addNew(h, t, content, path)
		if created {
			w.created = append(w.created, h)
		}
		return h, err
	}
	h, created, err = writeHashed(w.dir, h, t, content)
	if created {
		w.created = append(w.created, h)
		if w.s != nil && w.s.pack != nil && err == nil {
			err = w.s.pack.add(h, t, content, path)
		}
	}
	return h, err
}

type encoder interface {
	Encode(plumbing.EncodedObject) error
}

func (w *objectWriter) encoded(o encoder) (plumbing.Hash, error) {
	mem := &plumbing.MemoryObject{}
	if err := o.Encode(mem); err != nil {
		return plumbing.ZeroHash, err
	}
	r, _ := mem.Reader()
	var b bytes.Buffer
	b.ReadFrom(r)
	return w.write(mem.Type(), b.Bytes())
}

// tree writes the trees for a map of slash-separated paths to blobs and
// returns the root tree's hash.
func (w *objectWriter) tree(files map[string]plumbing.Hash) (plumbing.Hash, error) {
	var entries []object.TreeEntry
	subdirs := map[string]map[string]plumbing.Hash{}
	for p, h := range files {
		if dir, rest, ok := strings.Cut(p, "/"); ok {
			if subdirs[dir] == nil {
				subdirs[dir] = map[string]plumbing.Hash{}
			}
			subdirs[dir][rest] = h
			continue
		}
		entries = append(entries, object.TreeEntry{Name: p, Mode: filemode.Regular, Hash: h})
	}
	for dir, sub := range subdirs {
		h, err := w.tree(sub)
		if err != nil {
			return h, err
		}
		entries = append(entries, object.TreeEntry{Name: dir, Mode: filemode.Dir, Hash: h})
	}
	// git orders entries as if folder names ended in '/'.
	key := func(e object.TreeEntry) string {
		if e.Mode == filemode.Dir {
			return e.Name + "/"
		}
		return e.Name
	}
	sort.Slice(entries, func(i, j int) bool { return key(entries[i]) < key(entries[j]) })
	return w.encoded(&object.Tree{Entries: entries})
}

// zlibWriters are reused: a writer holds about a megabyte of tables, and
// making one per object was most of the time of importing many small
// registries.
var zlibWriters = sync.Pool{New: func() any {
	zw, _ := zlib.NewWriterLevel(nil, zlib.BestSpeed) // the level is valid
	return zw
}}

// objectHash is git's object id. go-git hashes with collision detection
// (sha1cd), several times slower than the standard library's SHA-1; for
// objects we write ourselves from our own data the plain hash is the same
// id at a fraction of the cost, and it dominated import time.
func objectHash(t plumbing.ObjectType, content []byte) plumbing.Hash {
	h := sha1.New()
	fmt.Fprintf(h, "%s %d\x00", t.String(), len(content))
	h.Write(content)
	var out plumbing.Hash
	copy(out[:], h.Sum(nil))
	return out
}

// writeFileAtomic writes data to a temporary file beside path, optionally
// syncs it, and renames it over path: readers and a later crash see the old file or the new
// one, never a part.
func writeFileAtomic(path string, data []byte, perm os.FileMode, sync bool) error {
	return writeFileVia(path, ".tmp-"+filepath.Base(path)+"-*", data, perm, sync)
}

// writeFileVia is writeFileAtomic with the temporary file named by pattern
// (as in os.CreateTemp).
func writeFileVia(path, pattern string, data []byte, perm os.FileMode, sync bool) error {
	f, err := os.CreateTemp(filepath.Dir(path), pattern)
	if err != nil {
		return err
	}
	tmp := f.Name()
	defer os.Remove(tmp) // no-op once renamed
	if _, err := f.Write(data); err != nil {
		f.Close()
		return err
	}
	if sync {
		if err := f.Sync(); err != nil {
			f.Close()
			return err
		}
	}
	if err := f.Close(); err != nil {
		return err
	}
	if err := os.Chmod(tmp, perm); err != nil {
		return err
	}
	return os.Rename(tmp, path)
}

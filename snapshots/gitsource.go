package snapshots

import (
	"bufio"
	"bytes"
	"context"
	"encoding/binary"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"slices"
	"sort"
	"strings"
	"time"

	"github.com/go-git/go-billy/v5/osfs"
	"github.com/go-git/go-git/v5"
	"github.com/go-git/go-git/v5/plumbing"
	"github.com/go-git/go-git/v5/plumbing/cache"
	"github.com/go-git/go-git/v5/plumbing/filemode"
	"github.com/go-git/go-git/v5/plumbing/format/packfile"
	"github.com/go-git/go-git/v5/plumbing/object"
	"github.com/go-git/go-git/v5/plumbing/storer"
	"github.com/go-git/go-git/v5/storage/filesystem"
)

// GitFile is one distinct content of a file found in a git history.
type GitFile struct {
	Path   string
	Commit plumbing.Hash // the oldest commit that holds this content
	Seen   object.Signature
	Blob   plumbing.Hash
	read   func() ([]byte, error)
}

// Read returns the file's bytes. Reads are not safe for concurrent use.
func (f GitFile) Read() ([]byte, error) { return f.read() }

// GitHistory is a repository opened for reading versions of files.
type GitHistory struct {
	st      storer.Storer
	cleanup func()
	// objects reads blobs from the repository's object folder, when it
	// has one, with the store's own reader: go-git hashes every object of
	// a delta chain as it caches it, with a collision-detecting SHA-1, a
	// tenth of a bundle import's time. A blob it cannot read is read
	// through go-git, whose verdict stands.
	objects *Store
	// cache is go-git's object cache, when regdiff made the storage:
	// emptied once the history is listed, since blobs are read past it.
	cache cache.Object
}

// Close releases temporary files (a bundle is unpacked to a temporary folder).
func (g *GitHistory) Close() {
	if g.cleanup != nil {
		g.cleanup()
	}
}

// IsGitSource reports whether loc names a git repository, a git bundle or a
// remote URL rather than a registry file or a folder of them.
func IsGitSource(loc string) bool {
	if isURL(loc) {
		return true
	}
	fi, err := os.Stat(loc)
	if err != nil {
		return false
	}
	if fi.IsDir() {
		if _, err := os.Stat(filepath.Join(loc, ".git")); err == nil {
			return true
		}
		_, e1 := os.Stat(filepath.Join(loc, "HEAD"))
		_, e2 := os.Stat(filepath.Join(loc, "objects"))
		return e1 == nil && e2 == nil
	}
	return fi.Mode().IsRegular() && isBundle(loc) // opening a FIFO to peek would block
}

func isURL(loc string) bool {
	for _, p := range []string{"https://", "http://", "git://", "ssh://"} {
		if len(loc) >= len(p) && strings.EqualFold(loc[:len(p)], p) {
			return true
		}
	}
	return false
}

func isBundle(path string) bool {
	f, err := os.Open(path)
	if err != nil {
		return false
	}
	defer f.Close()
	head := make([]byte, 20)
	n, _ := io.ReadFull(f, head)
	return bytes.HasPrefix(head[:n], []byte("# v2 git bundle")) || bytes.HasPrefix(head[:n], []byte("# v3 git bundle"))
}

// OpenGit opens a local repository (with or without a work tree), a git
// bundle file, or clones a remote URL to a temporary folder (Close removes
// it; a killed import's is removed by the next one).
func OpenGit(ctx context.Context, loc string) (*GitHistory, error) {
	switch {
	case isURL(loc):
		// To a folder, not to memory: a small repository can hold a
		// blob of a gigabyte, and only the files read are ever loaded.
		dir, cleanup, err := tempDir(clonePrefix)
		if err != nil {
			return nil, err
		}
		c := listingCache()
		st := filesystem.NewStorage(osfs.New(dir), c)
		if _, err := git.CloneContext(ctx, st, nil, &git.CloneOptions{URL: loc, NoCheckout: true, Tags: git.NoTags}); err != nil {
			cleanup()
			return nil, fmt.Errorf("clone %s: %w", loc, err)
		}
		return &GitHistory{st: st, cleanup: cleanup, objects: open(dir), cache: c}, nil
	case isBundle(loc):
		return openBundle(loc)
	}
	r, err := git.PlainOpenWithOptions(loc, &git.PlainOpenOptions{EnableDotGitCommonDir: true})
	if err != nil {
		return nil, fmt.Errorf("open git repository %s: %w", loc, err)
	}
	g := &GitHistory{st: r.Storer}
	for _, dir := range []string{filepath.Join(loc, ".git"), loc} {
		if fi, err := os.Stat(filepath.Join(dir, "objects")); err == nil && fi.IsDir() {
			g.objects = open(dir)
			g.cache = listingCache()
			g.st = filesystem.NewStorage(osfs.New(dir), g.cache)
			break
		}
	}
	return g, nil
}

// openBundle unpacks a bundle's packfile into a temporary object store; its
// refs become the refs of that store.
func openBundle(path string) (*GitHistory, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, fmt.Errorf("open bundle %s: %w", path, err)
	}
	defer f.Close()
	br := bufio.NewReader(f)
	header, err := br.ReadString('\n')
	if err != nil {
		return nil, fmt.Errorf("open bundle %s: %w", path, err)
	}
	refs := map[string]plumbing.Hash{}
	for {
		line, err := br.ReadString('\n')
		if err != nil {
			return nil, fmt.Errorf("open bundle %s: header: %w", path, err)
		}
		line = strings.TrimSuffix(line, "\n")
		if line == "" {
			break
		}
		if strings.HasPrefix(line, "-") {
			return nil, fmt.Errorf("open bundle %s: it needs prerequisite commits (an incremental bundle); import the full history instead", path)
		}
		if strings.HasPrefix(header, "# v3") && strings.HasPrefix(line, "@") {
			continue // capability
		}
		h, name, ok := strings.Cut(line, " ")
		if !ok || len(h) != 40 {
			return nil, fmt.Errorf("open bundle %s: bad ref line %q", path, line)
		}
		refs[name] = plumbing.NewHash(h)
	}
	if err := checkPackCount(f, br); err != nil {
		return nil, fmt.Errorf("open bundle %s: %w", path, err)
	}
	dir, cleanup, err := tempDir(bundlePrefix)
	if err != nil {
		return nil, err
	}
	c := listingCache()
	st := filesystem.NewStorage(osfs.New(dir), c)
	if err := packfile.UpdateObjectStorage(st, br); err != nil {
		cleanup()
		return nil, fmt.Errorf("open bundle %s: read packfile: %w", path, err)
	}
	for name, h := range refs {
		if err := st.SetReference(plumbing.NewHashReference(plumbing.ReferenceName(name), h)); err != nil {
			cleanup()
			return nil, fmt.Errorf("open bundle %s: %w", path, err)
		}
	}
	if h, ok := refs["HEAD"]; ok {
		st.SetReference(plumbing.NewHashReference(plumbing.HEAD, h))
	}
	return &GitHistory{st: st, cleanup: cleanup, objects: open(dir), cache: c}, nil
}

// checkPackCount refuses a pack whose header claims more objects than its
// size can hold, before go-git reads it: go-git allocates from the claimed
// count, and a 126-byte bundle claiming 2^30 objects ran it out of memory.
// An object takes at least 9 bytes (a type-and-size byte and the smallest
// zlib stream), and a pack ends with a 20-byte checksum.
func checkPackCount(f *os.File, br *bufio.Reader) error {
	fi, err := f.Stat()
	if err != nil {
		return err
	}
	head, err := br.Peek(12) // first: a refill moves the file's position
	if err != nil || string(head[:4]) != "PACK" {
		return fmt.Errorf("no packfile after the bundle's header")
	}
	pos, err := f.Seek(0, io.SeekCurrent)
	if err != nil {
		return err
	}
	rest := fi.Size() - (pos - int64(br.Buffered())) // the bytes from the pack's start
	count := int64(binary.BigEndian.Uint32(head[8:12]))
	if limit := (rest - 12 - 20) / 9; count > max(limit, 0) {
		return fmt.Errorf("its pack claims %d objects, more than its %d bytes can hold: the file is damaged or crafted", count, rest)
	}
	return nil
}

// bundlePrefix starts the name of the folder a bundle is unpacked to: a
// kill leaves it behind (about 800 KB a time), and the next import that
// makes such a folder removes it (removeStaleBundles).
const bundlePrefix = "regdiff-bundle-"

// clonePrefix is bundlePrefix's counterpart for a repository URL cloned to
// a temporary folder.
const clonePrefix = "regdiff-clone-"

// ownerFile is the file in a temporary folder whose lock its user holds
// for as long as the folder is in use.
const ownerFile = "owner.lock"

// tempDir makes a temporary folder for a bundle or a clone, owned by this
// process for as long as the returned cleanup is not called, after
// removing those left by imports that were killed.
func tempDir(prefix string) (string, func(), error) {
	removeStaleBundles(os.TempDir())
	dir, err := os.MkdirTemp("", prefix)
	if err != nil {
		return "", nil, err
	}
	f, err := os.OpenFile(filepath.Join(dir, ownerFile), os.O_RDWR|os.O_CREATE, 0o644)
	if err == nil {
		_, err = tryLock(f)
	}
	if err != nil {
		os.RemoveAll(dir)
		return "", nil, err
	}
	return dir, func() { f.Close(); os.RemoveAll(dir) }, nil
}

// removeStaleBundles removes the temporary folders in tmp that no process
// owns: a live import holds the lock of its folder's owner file (which
// works across processes and containers sharing tmp, as a process id would
// not). A folder without that file is one being made, or an older
// regdiff's: it goes once untouched for a day.
func removeStaleBundles(tmp string) {
	entries, err := os.ReadDir(tmp)
	if err != nil {
		return
	}
	for _, e := range entries {
		name := e.Name()
		if !e.IsDir() || !strings.HasPrefix(name, bundlePrefix) && !strings.HasPrefix(name, clonePrefix) {
			continue
		}
		dir := filepath.Join(tmp, name)
		stale := false
		if f, err := os.OpenFile(filepath.Join(dir, ownerFile), os.O_RDWR, 0); err == nil {
			stale, _ = tryLock(f) // the lock goes with the file, removed below
			f.Close()
		} else if fi, err := e.Info(); err == nil {
			stale = time.Since(fi.ModTime()) > 24*time.Hour
		}
		if stale {
			os.RemoveAll(dir)
		}
	}
}

// listingCache holds the commits and trees of a history as Files lists it
// (trees are deltas against each other).
func listingCache() cache.Object { return cache.NewObjectLRU(32 * cache.MiByte) }

// resolve finds the commit to start from: ref as given, or HEAD, or the only
// branch, or main/master.
func (g *GitHistory) resolve(ref string) (plumbing.Hash, error) {
	try := []string{ref}
	if ref == "" {
		try = []string{"HEAD", "refs/heads/main", "refs/heads/master"}
	} else if !strings.HasPrefix(ref, "refs/") {
		try = append(try, "refs/heads/"+ref, "refs/tags/"+ref, "refs/remotes/origin/"+ref)
	}
	for _, name := range try {
		r, err := storer.ResolveReference(g.st, plumbing.ReferenceName(name))
		if err == nil {
			return r.Hash(), nil
		}
	}
	if plumbing.IsHash(ref) {
		return plumbing.NewHash(ref), nil
	}
	if ref == "" {
		iter, err := g.st.IterReferences()
		if err == nil {
			var heads []*plumbing.Reference
			iter.ForEach(func(r *plumbing.Reference) error {
				if r.Name().IsBranch() {
					heads = append(heads, r)
				}
				return nil
			})
			if len(heads) == 1 {
				return heads[0].Hash(), nil
			}
		}
		return plumbing.ZeroHash, errors.New("no HEAD and no single branch: name one with --ref")
	}
	return plumbing.ZeroHash, fmt.Errorf("ref %q not found", ref)
}

// Files lists, oldest first, every distinct content that any of paths had
// in the history reachable from ref; with no paths, of every file named
// *.xml at any path, for the importer to tell registries from other files
// by their content. Each is dated by the oldest commit holding it, which
// is the order a scraper saw the versions in.
func (g *GitHistory) Files(ctx context.Context, ref string, paths []string) ([]GitFile, error) {
	tip, err := g.resolve(ref)
	if err != nil {
		return nil, err
	}
	c, err := object.GetCommit(g.st, tip)
	if err != nil {
		return nil, fmt.Errorf("commit %s: %w", tip, err)
	}
	var commits []*object.Commit
	err = object.NewCommitPreorderIter(c, nil, nil).ForEach(func(c *object.Commit) error {
		commits = append(commits, c)
		return ctx.Err()
	})
	if err != nil {
		return nil, err
	}
	// Oldest first, so that the first commit to hold a content is the one
	// it is dated by, and a subtree met again (most of a mirror's tree
	// from one commit to the next) holds nothing not already listed.
	slices.Reverse(commits) // parents before children where times tie
	sort.SliceStable(commits, func(i, j int) bool { return commits[i].Committer.When.Before(commits[j].Committer.When) })
	seen := map[plumbing.Hash]bool{}
	var out []GitFile
	add := func(c *object.Commit, p string, e object.TreeEntry) {
		// Regular files only: a symlink's blob is the path it points to.
		if (e.Mode != filemode.Regular && e.Mode != filemode.Executable) || seen[e.Hash] {
			return
		}
		seen[e.Hash] = true
		out = append(out, GitFile{Path: p, Commit: c.Hash, Seen: c.Committer, Blob: e.Hash})
	}
	trees := map[plumbing.Hash]bool{}
	var walk func(c *object.Commit, t *object.Tree, dir string) error
	walk = func(c *object.Commit, t *object.Tree, dir string) error {
		for _, e := range t.Entries {
			p := e.Name
			if dir != "" {
				p = dir + "/" + e.Name
			}
			switch {
			case e.Mode == filemode.Dir:
				if trees[e.Hash] {
					continue
				}
				trees[e.Hash] = true
				sub, err := object.GetTree(g.st, e.Hash)
				if err != nil {
					return fmt.Errorf("commit %s: tree %s: %w", c.Hash, p, err)
				}
				if err := walk(c, sub, p); err != nil {
					return err
				}
			case strings.EqualFold(filepath.Ext(e.Name), ".xml"):
				add(c, p, e)
			}
		}
		return nil
	}
	for _, c := range commits {
		if err := ctx.Err(); err != nil {
			return nil, err
		}
		t, err := c.Tree()
		if err != nil {
			return nil, fmt.Errorf("commit %s: %w", c.Hash, err)
		}
		if len(paths) == 0 {
			if !trees[t.Hash] {
				trees[t.Hash] = true
				if err := walk(c, t, ""); err != nil {
					return nil, err
				}
			}
			continue
		}
		for _, p := range paths {
			if e, err := t.FindEntry(p); err == nil {
				add(c, p, *e)
			}
		}
	}
	if g.cache != nil {
		g.cache.Clear()
	}
	sort.SliceStable(out, func(i, j int) bool { return out[i].Seen.When.Before(out[j].Seen.When) })
	for i := range out {
		h := out[i].Blob
		out[i].read = func() ([]byte, error) {
			// The size first, from the object's header (for a delta,
			// from the delta, which go-git inflates to read it; the
			// blob itself is never built): a blob of a gigabyte is
			// refused without being read.
			if q, ok := g.st.(interface {
				EncodedObjectSize(plumbing.Hash) (int64, error)
			}); ok {
				if n, err := q.EncodedObjectSize(h); err == nil && n > maxFileSize {
					return nil, fmt.Errorf("file is %d bytes, over the %d-byte limit for a registry", n, maxFileSize)
				}
			}
			if g.objects != nil {
				if data, err := g.objects.blob(h); err == nil {
					if len(data) > maxFileSize {
						return nil, fmt.Errorf("file is %d bytes, over the %d-byte limit for a registry", len(data), maxFileSize)
					}
					return data, nil
				}
			}
			b, err := object.GetBlob(g.st, h)
			if err != nil {
				return nil, err
			}
			if b.Size > maxFileSize {
				return nil, fmt.Errorf("file is %d bytes, over the %d-byte limit for a registry", b.Size, maxFileSize)
			}
			r, err := b.Reader()
			if err != nil {
				return nil, err
			}
			defer r.Close()
			buf := bytes.NewBuffer(make([]byte, 0, b.Size))
			_, err = io.Copy(buf, r)
			return buf.Bytes(), err
		}
	}
	return out, nil
}

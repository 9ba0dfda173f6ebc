package snapshots

import (
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"sort"
	"strconv"
	"strings"
	"sync"

	"github.com/regdiff/regdiff/snapshots/record"

	"github.com/go-git/go-billy/v5/osfs"
	"github.com/go-git/go-git/v5/plumbing"
	"github.com/go-git/go-git/v5/plumbing/cache"
	"github.com/go-git/go-git/v5/plumbing/object"
	"github.com/go-git/go-git/v5/storage/filesystem"
)

// Store is a bare git repository holding registry versions: for each
// registry a branch refs/heads/ID with one commit per version, oldest first,
// and a tag refs/tags/ID/VERSION per version. Commits carry only what the
// registry data determines, so the same versions give the same hashes
// whatever order they were imported in. What varies between imports (source
// files, URLs, fetch times, HTTP validators) lives on the separate ref
// refs/regdiff/meta.
type Store struct {
	dir string
	// st is go-git's view of the store, which is not safe for concurrent
	// use: the readers reach it under gitMu (serve reads from many
	// goroutines). Push and Clone use a store of their own.
	gitMu sync.Mutex
	st    *filesystem.Storage

	linesMu    sync.Mutex
	linesCache map[plumbing.Hash][]string  // see lines
	itemsCache map[plumbing.Hash]itemBlobs // see itemFiles

	orderOnce sync.Once
	order     *orderCache // see orders

	metaMu sync.Mutex
	meta   *metaState // see readMeta

	uncached bool         // see strict
	packed   packedSet    // see inPack
	pack     *packBuilder // the pack an import is building, if any
}

// marker is the file that tells a regdiff store from any other folder.
const marker = "regdiff-store"

// ErrNotStore is returned when a folder exists but is not a regdiff store.
var ErrNotStore = errors.New("not a regdiff store")

// ErrLocked is returned when another process holds the store's write lock
// past the wait allowed.
var ErrLocked = errors.New("store is locked by another regdiff process")

// ErrEmpty is returned when a registry has no versions in the store.
var ErrEmpty = errors.New("no versions stored")

// Open opens an existing store.
func Open(dir string) (*Store, error) {
	if _, err := os.Stat(dir); err != nil {
		return nil, fmt.Errorf("open store %s: %w", dir, err)
	}
	if _, err := os.Stat(filepath.Join(dir, marker)); err != nil {
		return nil, fmt.Errorf("open store %s: %w (no %s file)", dir, ErrNotStore, marker)
	}
	return open(dir), nil
}

func open(dir string) *Store {
	// go-git opens a pack, and reads its header, for every object it reads
	// from it unless told to keep it open: a third of a diff's time on a
	// packed store.
	opts := filesystem.Options{MaxOpenDescriptors: 8}
	return &Store{dir: dir, st: filesystem.NewStorageWithOptions(osfs.New(dir), cache.NewObjectLRU(32*cache.MiByte), opts)}
}

// Create opens the store at dir, creating it when dir is missing or empty.
// A non-empty folder that is not a store is refused, never written to. The
// new store is built in a temporary folder and renamed into place, so that
// two processes creating it at once both end up with one whole store.
func Create(dir string) (*Store, error) {
	if s, err := Open(dir); err == nil {
		return s, nil
	}
	entries, err := os.ReadDir(dir)
	switch {
	case errors.Is(err, os.ErrNotExist):
	case err != nil:
		return nil, fmt.Errorf("create store %s: %w", dir, err)
	case len(entries) > 0:
		return nil, fmt.Errorf("create store %s: %w: the folder is not empty; choose another --store", dir, ErrNotStore)
	}
	parent := filepath.Dir(filepath.Clean(dir))
	if err := os.MkdirAll(parent, 0o755); err != nil {
		return nil, fmt.Errorf("create store %s: %w", dir, err)
	}
	tmp, err := os.MkdirTemp(parent, ".regdiff-new-")
	if err != nil {
		return nil, fmt.Errorf("create store %s: %w", dir, err)
	}
	defer os.RemoveAll(tmp) // gone once renamed
	if err := os.Chmod(tmp, 0o755); err != nil {
		return nil, fmt.Errorf("create store %s: %w", dir, err)
	}
	for _, d := range []string{"objects/info", "objects/pack", "refs/heads", "refs/tags"} {
		if err := os.MkdirAll(filepath.Join(tmp, d), 0o755); err != nil {
			return nil, fmt.Errorf("create store %s: %w", dir, err)
		}
	}
	files := []struct{ name, text string }{
		{"HEAD", "ref: refs/heads/service-names-port-numbers\n"},
		{"config", "[core]\n\trepositoryformatversion = 0\n\tbare = true\n"},
		{"description", "regdiff store: versions of IANA registries\n"},
		{marker, "regdiff store, format 1\n"},
	}
	for _, f := range files {
		if err := writeFileAtomic(filepath.Join(tmp, f.name), []byte(f.text), 0o644, true); err != nil {
			return nil, fmt.Errorf("create store %s: %w", dir, err)
		}
	}
	// os.Rename will not replace a folder, even an empty one: remove an
	// empty one first (os.Remove fails on a non-empty one). When another
	// process got there first, its store is the one to open.
	os.Remove(dir)
	renameErr := os.Rename(tmp, dir)
	if s, err := Open(dir); err == nil {
		return s, nil
	}
	if renameErr != nil {
		return nil, fmt.Errorf("create store %s: %w", dir, renameErr)
	}
	return nil, fmt.Errorf("create store %s: %w", dir, ErrNotStore)
}

// Dir returns the store's folder.
func (s *Store) Dir() string { return s.dir }

// Registries lists the registries that have versions, sorted.
func (s *Store) Registries() ([]string, error) {
	refs, err := s.readRefs()
	if err != nil {
		return nil, err
	}
	var out []string
	for name := range refs {
		if id, ok := strings.CutPrefix(name, "refs/heads/"); ok {
			out = append(out, id)
		}
	}
	sort.Strings(out)
	return out, nil
}

// Records returns all records of a version, in normalized order.
func (s *Store) Records(v record.Version) ([]record.Record, error) {
	files, err := s.Files(v)
	if err != nil {
		return nil, err
	}
	recs := make([]record.Record, 0, v.Records)
	for _, f := range files {
		data, err := s.Blob(f.Hash)
		if err != nil {
			return nil, fmt.Errorf("version %s: %s: %w", v.Name, f.Path, err)
		}
		if recs, err = decodeRecords(recs, f.Path, data); err != nil {
			return nil, fmt.Errorf("version %s: %w", v.Name, err)
		}
	}
	return recs, nil
}

// File is one normalized file of a version.
type File struct {
	Path string // "records/00000-00999.jsonl"
	Hash record.Hash
}

// Files lists a version's normalized files. Two versions whose file has the
// same hash hold the same records in it.
func (s *Store) Files(v record.Version) ([]File, error) {
	var out []File
	err := s.walkFiles(plumbing.Hash(v.Tree), func(name string, e object.TreeEntry) {
		if strings.HasPrefix(name, recordsDir+"/") {
			out = append(out, File{Path: name, Hash: record.Hash(e.Hash)})
		}
	})
	if err != nil {
		return nil, fmt.Errorf("version %s: %w", v.Name, err)
	}
	return out, nil
}

// RecordsIn decodes one normalized file.
func (s *Store) RecordsIn(f File) ([]record.Record, error) {
	data, err := s.Blob(f.Hash)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", f.Path, err)
	}
	return decodeRecords(nil, f.Path, data)
}

// Raw returns the version's raw file, byte for byte as it was imported,
// checked against the sha256 its commit records.
func (s *Store) Raw(v record.Version) ([]byte, error) {
	h, err := s.RawHash(v)
	if err != nil {
		return nil, err
	}
	data, err := s.blob(h)
	if err != nil {
		return nil, fmt.Errorf("version %s: raw file %s: %w", v.Name, v.RawFile, err)
	}
	if sum := sha256.Sum256(data); hex.EncodeToString(sum[:]) != v.SHA256 {
		return nil, fmt.Errorf("version %s: raw file %s: sha256 is %x, the commit records %s: %w", v.Name, v.RawFile, sum[:8], v.SHA256, ErrDamaged)
	}
	return data, nil
}

// RawHash returns the blob hash of the version's raw file.
func (s *Store) RawHash(v record.Version) (plumbing.Hash, error) {
	entries, err := s.readTree(plumbing.Hash(v.Tree))
	if err != nil {
		return plumbing.ZeroHash, fmt.Errorf("version %s: %w", v.Name, err)
	}
	for _, e := range entries {
		if e.Name == v.RawFile && e.Mode.IsFile() {
			return e.Hash, nil
		}
	}
	return plumbing.ZeroHash, fmt.Errorf("version %s: raw file %s is not in tree %s: %w", v.Name, v.RawFile, v.Tree, ErrDamaged)
}

// Blob reads one blob, checked against its hash.
func (s *Store) Blob(h record.Hash) ([]byte, error) { return s.blob(plumbing.Hash(h)) }

func (s *Store) blob(h plumbing.Hash) ([]byte, error) {
	return s.readObject(h, plumbing.BlobObject)
}

// Commit messages carry a version's metadata as trailers, so that listing
// versions reads commits only, never trees.
const (
	trRegistry = "Regdiff-Registry"
	trVersion  = "Regdiff-Version"
	trDate     = "Regdiff-Date"
	trFormat   = "Regdiff-Format"
	trRaw      = "Regdiff-Raw"
	trSHA      = "Regdiff-Sha256"
	trRecords  = "Regdiff-Records"
	trTitle    = "Regdiff-Title"
	trNorm     = "Regdiff-Normalizer"
)

func formatMessage(v record.Version) string {
	var b strings.Builder
	fmt.Fprintf(&b, "%s %s\n\n", v.Registry, v.Name)
	fmt.Fprintf(&b, "%s: %s\n%s: %s\n%s: %s\n%s: %s\n%s: %s\n%s: %s\n%s: %s\n%s: %d\n",
		trRegistry, v.Registry, trTitle, oneLine(v.Title), trVersion, v.Name, trDate, v.Date, trFormat, v.Format,
		trRaw, v.RawFile, trSHA, v.SHA256, trRecords, v.Records)
	if v.Normalizer > 1 {
		fmt.Fprintf(&b, "%s: %d\n", trNorm, v.Normalizer)
	}
	return b.String()
}

func oneLine(s string) string { return strings.Join(strings.Fields(s), " ") }

func parseMessage(msg string) (record.Version, error) {
	v := record.Version{Normalizer: 1}
	lines := strings.Split(msg, "\n")
	for _, line := range lines {
		k, val, ok := strings.Cut(line, ": ")
		if !ok {
			continue
		}
		switch k {
		case trRegistry:
			v.Registry = val
		case trTitle:
			v.Title = val
		case trVersion:
			v.Name = val
		case trDate:
			v.Date = val
		case trFormat:
			v.Format = val
		case trRaw:
			v.RawFile = val
		case trSHA:
			v.SHA256 = val
		case trRecords:
			v.Records, _ = strconv.Atoi(val)
		case trNorm:
			if n, err := strconv.Atoi(val); err == nil && n > 0 {
				v.Normalizer = n
			}
		}
	}
	if v.Registry == "" || v.Name == "" || v.Date == "" || v.SHA256 == "" {
		return v, errors.New("commit message lacks regdiff trailers: not written by regdiff")
	}
	return v, nil
}

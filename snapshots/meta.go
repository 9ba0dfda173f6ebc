package snapshots

import (
	"bytes"
	"encoding/json"
	"fmt"
	"maps"
	"path"
	"strings"
	"time"

	"github.com/regdiff/regdiff/snapshots/record"

	"github.com/go-git/go-git/v5/plumbing"
	"github.com/go-git/go-git/v5/plumbing/object"
)

// Metadata lives in a tree on refs/regdiff/meta:
//
//	sources/REGISTRY/SHA256.json   every source a version was imported from
//	fetch/REGISTRY.json            validators of the last fetch
//
// Its commits carry the clock's time: this history is a log, not data.
const metaRef = "refs/regdiff/meta"

// metaState is the tree of refs/regdiff/meta as one commit left it, with
// changes not yet written. Files are read when first asked for: an import
// of thousands of versions asks for the sources of a few at each
// checkpoint, and reading every file at each one made imports quadratic.
type metaState struct {
	s       *Store
	parent  plumbing.Hash
	hashes  map[string]plumbing.Hash // path → blob, as the parent holds them
	files   map[string][]byte        // contents read, or written since
	changed bool
	err     error // the first file that could not be read
}

// readMeta returns the metadata as refs/regdiff/meta holds it. The state
// of the last commit this Store read or wrote is kept, and reused while
// the ref still names it.
func (s *Store) readMeta() (*metaState, error) {
	h, ok, err := s.readRef(metaRef)
	if err != nil {
		return nil, err
	}
	m := &metaState{s: s, hashes: map[string]plumbing.Hash{}, files: map[string][]byte{}}
	if !ok {
		return m, nil
	}
	s.metaMu.Lock()
	cached := s.meta
	s.metaMu.Unlock()
	if cached != nil && cached.parent == h {
		m.parent, m.hashes, m.files = h, maps.Clone(cached.hashes), maps.Clone(cached.files)
		return m, nil
	}
	m.parent = h
	c, err := s.readCommit(h)
	if err != nil {
		return nil, fmt.Errorf("read %s: %w", metaRef, err)
	}
	err = s.walkFiles(c.Tree, func(name string, e object.TreeEntry) { m.hashes[name] = e.Hash })
	if err != nil {
		return nil, fmt.Errorf("read %s: %w", metaRef, err)
	}
	s.keepMeta(m)
	return m, nil
}

// keepMeta remembers m, as its parent commit holds it, for readMeta.
func (s *Store) keepMeta(m *metaState) {
	k := &metaState{parent: m.parent, hashes: maps.Clone(m.hashes), files: maps.Clone(m.files)}
	s.metaMu.Lock()
	s.meta = k
	s.metaMu.Unlock()
}

// file returns a file's content, nil when there is none.
func (m *metaState) file(p string) []byte {
	if b, ok := m.files[p]; ok {
		return b
	}
	h, ok := m.hashes[p]
	if !ok {
		return nil
	}
	b, err := m.s.blob(h)
	if err != nil {
		if m.err == nil {
			m.err = fmt.Errorf("read %s: %s: %w", metaRef, p, err)
		}
		return nil
	}
	m.files[p] = b
	return b
}

func (m *metaState) set(p string, data []byte) {
	m.files[p] = data
	delete(m.hashes, p)
	m.changed = true
}

func (m *metaState) sources(reg, sha string) []Source {
	var out []Source
	json.Unmarshal(m.file(path.Join("sources", reg, sha+".json")), &out)
	return out
}

func (m *metaState) firstSeen(reg, sha string) time.Time {
	var first time.Time
	for _, s := range m.sources(reg, sha) {
		if !s.Seen.IsZero() && (first.IsZero() || s.Seen.Before(first)) {
			first = s.Seen
		}
	}
	return first
}

func (m *metaState) addSource(reg, sha string, src Source) {
	if src.Kind == "" {
		return // a version rebuilt from the store itself (reindex)
	}
	list := m.sources(reg, sha)
	for _, s := range list {
		if s.Kind == src.Kind && s.Location == src.Location {
			return
		}
	}
	list = append(list, src)
	b, _ := json.MarshalIndent(list, "", "  ")
	m.set(path.Join("sources", reg, sha+".json"), append(b, '\n'))
}

// writeMeta writes the files changed since the parent and a commit of the
// whole tree; the caller moves the ref, then calls committed.
func (s *Store) writeMeta(m *metaState) (plumbing.Hash, bool, error) {
	if m.err != nil {
		return plumbing.ZeroHash, false, m.err
	}
	if !m.changed {
		return m.parent, false, nil
	}
	w := s.objectWriter()
	for p, data := range m.files {
		if _, ok := m.hashes[p]; ok {
			continue
		}
		h, err := w.writeAt(metaRef+"/"+p, plumbing.BlobObject, data)
		if err != nil {
			return h, false, err
		}
		m.hashes[p] = h
	}
	tree, err := w.tree(m.hashes)
	if err != nil {
		return tree, false, err
	}
	sig := signature
	sig.When = time.Now().UTC().Truncate(time.Second)
	c := &object.Commit{Author: sig, Committer: sig, Message: "regdiff metadata\n", TreeHash: tree}
	if !m.parent.IsZero() {
		c.ParentHashes = []plumbing.Hash{m.parent}
	}
	h, err := w.encoded(c)
	return h, true, err
}

// committed records that the ref now names h, the commit writeMeta wrote
// for m.
func (s *Store) committed(m *metaState, h plumbing.Hash) {
	m.parent, m.changed = h, false
	s.keepMeta(m)
}

// Sources returns where a version was imported from.
func (s *Store) Sources(v record.Version) ([]Source, error) {
	m, err := s.readMeta()
	if err != nil {
		return nil, err
	}
	return m.sources(v.Registry, v.SHA256), m.err
}

// AllSources returns the sources of every version of a registry, by the
// sha256 of its raw file.
func (s *Store) AllSources(registry string) (map[string][]Source, error) {
	m, err := s.readMeta()
	if err != nil {
		return nil, err
	}
	out := map[string][]Source{}
	prefix := path.Join("sources", registry) + "/"
	for p := range m.hashes {
		if sha, ok := strings.CutPrefix(p, prefix); ok {
			sha = strings.TrimSuffix(sha, ".json")
			out[sha] = m.sources(registry, sha)
		}
	}
	return out, m.err
}

// MetaFile reads a file kept on refs/regdiff/meta (nil when absent).
func (s *Store) MetaFile(name string) ([]byte, error) {
	m, err := s.readMeta()
	if err != nil {
		return nil, err
	}
	return m.file(name), m.err
}

// SetMetaFile writes a file on refs/regdiff/meta, such as a fetcher's
// validators. The caller must hold the lock.
func (s *Store) SetMetaFile(name string, data []byte) error {
	if err := checkMetaName(name); err != nil {
		return err
	}
	m, err := s.readMeta()
	if err != nil {
		return err
	}
	if bytes.Equal(m.file(name), data) {
		return m.err
	}
	m.set(name, data)
	h, _, err := s.writeMeta(m)
	if err != nil {
		return err
	}
	if err := s.writeRefs(nil, map[string]plumbing.Hash{metaRef: h}); err != nil {
		return err
	}
	s.committed(m, h)
	return nil
}

// checkMetaName refuses the names regdiff keeps for itself and names that
// would leave the meta tree.
func checkMetaName(name string) error {
	if name == "" || strings.HasPrefix(name, "sources/") || strings.Contains(name, "..") || strings.HasPrefix(name, "/") {
		return fmt.Errorf("meta file name %q is reserved or unsafe", name)
	}
	return nil
}

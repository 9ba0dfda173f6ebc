package snapshots

import (
	"bufio"
	"bytes"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"sort"
	"strings"

	"github.com/go-git/go-git/v5/plumbing"
)

// Refs live in packed-refs only. go-git updates a loose ref by truncating
// and rewriting it in place, which a kill can leave empty; rewriting
// packed-refs through a rename changes every ref of a version (branch, tags,
// metadata) in one atomic step, which is what makes an import all or
// nothing.

// readRefs returns every ref in the store: packed-refs, overridden by any
// loose ref file (as git reads them).
func (s *Store) readRefs() (map[string]plumbing.Hash, error) {
	refs := map[string]plumbing.Hash{}
	data, err := os.ReadFile(filepath.Join(s.dir, "packed-refs"))
	if err != nil && !errors.Is(err, fs.ErrNotExist) {
		return nil, fmt.Errorf("read refs in %s: %w", s.dir, err)
	}
	sc := bufio.NewScanner(bytes.NewReader(data))
	for sc.Scan() {
		line := sc.Text()
		if line == "" || line[0] == '#' || line[0] == '^' {
			continue
		}
		h, name, ok := strings.Cut(line, " ")
		if !ok || len(h) != 40 {
			return nil, fmt.Errorf("read refs in %s: bad packed-refs line %q", s.dir, line)
		}
		refs[name] = plumbing.NewHash(h)
	}
	root := filepath.Join(s.dir, "refs")
	err = filepath.WalkDir(root, func(path string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() || strings.HasPrefix(d.Name(), ".tmp-") {
			return err
		}
		b, err := os.ReadFile(path)
		if err != nil {
			return err
		}
		text := strings.TrimSpace(string(b))
		if len(text) != 40 {
			return nil // symbolic or damaged loose ref: not ours
		}
		rel, _ := filepath.Rel(s.dir, path)
		refs[filepath.ToSlash(rel)] = plumbing.NewHash(text)
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("read refs in %s: %w", s.dir, err)
	}
	return refs, nil
}

// writeRefs replaces the refs under each prefix in drop and then sets those
// in set, in one rename of packed-refs. Loose refs with the same names are
// removed afterwards so that they cannot shadow the packed ones.
func (s *Store) writeRefs(drop []string, set map[string]plumbing.Hash) error {
	refs, err := s.readRefs()
	if err != nil {
		return err
	}
	for name := range refs {
		for _, p := range drop {
			if strings.HasPrefix(name, p) {
				delete(refs, name)
			}
		}
	}
	for name, h := range set {
		refs[name] = h
	}
	names := make([]string, 0, len(refs))
	for n := range refs {
		names = append(names, n)
	}
	sort.Strings(names)
	var b bytes.Buffer
	b.WriteString("# pack-refs with: peeled fully-peeled sorted \n")
	for _, n := range names {
		fmt.Fprintf(&b, "%s %s\n", refs[n], n)
	}
	if err := writeFileAtomic(filepath.Join(s.dir, "packed-refs"), b.Bytes(), 0o644, true); err != nil {
		return fmt.Errorf("write refs in %s: %w", s.dir, err)
	}
	for n := range set {
		os.Remove(filepath.Join(s.dir, filepath.FromSlash(n)))
	}
	return nil
}

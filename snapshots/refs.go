package snapshots

import (
	"bytes"
	"errors"
	"fmt"
	"hash/crc32"
	"io/fs"
	"os"
	"path"
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
	err := s.packedRefs(func(name []byte, h plumbing.Hash) bool {
		refs[string(name)] = h
		return true
	})
	if err != nil {
		return nil, err
	}
	root := filepath.Join(s.dir, "refs")
	err = filepath.WalkDir(root, func(path string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() || strings.HasPrefix(d.Name(), ".tmp-") {
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
	if !strings.Contains(name, "..") && !strings.HasPrefix(path.Base(name), ".tmp-") {
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
		if n == 1 && len(line) > 0 && line[0] == '#' || len(line) > 0 && line[0] == '^' {
			continue
		}
		hex, name, ok := bytes.Cut(line, []byte(" "))
		h, okh := parseHash(string(hex))
		if !ok || !okh || !strings.HasPrefix(string(name), "refs/") {
			return bad("line %d is not a ref: %q", n, line)
		}
		if !fn(name, h) {
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
	for _, n := range names {
		fmt.Fprintf(&b, "%s %s\n", refs[n], n)
	}
	data := append([]byte(packedRefsHeader(b.Bytes())), b.Bytes()...)
	if err := writeFileAtomic(filepath.Join(s.dir, "packed-refs"), data, 0o644, true); err != nil {
		return fmt.Errorf("write refs in %s: %w", s.dir, err)
	}
	for n := range set {
		os.Remove(filepath.Join(s.dir, filepath.FromSlash(n)))
	}
	return nil
}

package snapshots

import (
	"encoding/json"
	"fmt"
	"maps"
	"slices"
	"strings"

	"github.com/regdiff/regdiff/snapshots/record"

	"github.com/go-git/go-git/v5/plumbing"
)

// Items returns a version's items, in document order, and its people,
// sorted by id.
func (s *Store) Items(v record.Version) ([]record.Item, []record.Person, error) {
	f, err := s.itemFiles(v)
	if err != nil {
		return nil, nil, err
	}
	items, err := decodeLines[record.Item](s, f.items, itemsFile, nil)
	if err != nil {
		return nil, nil, fmt.Errorf("version %s: %w", v.Name, err)
	}
	var people []record.Person
	for _, name := range slices.Sorted(maps.Keys(f.people)) {
		if people, err = decodeLines(s, f.people[name], peopleDir+"/"+name, people); err != nil {
			return nil, nil, fmt.Errorf("version %s: %w", v.Name, err)
		}
	}
	return items, people, nil
}

// ItemsDiffering returns the items that are not on both sides of two
// versions (a multiset difference of their lines, in file order): all a
// comparison of their items can see, since an item found on both sides is
// unchanged. A zero Version is a version with no items.
func (s *Store) ItemsDiffering(a, b record.Version) (old, new []record.Item, err error) {
	fa, err := s.itemFiles(a)
	if err != nil {
		return nil, nil, err
	}
	fb, err := s.itemFiles(b)
	if err != nil {
		return nil, nil, err
	}
	return differing[record.Item](s, a, b, itemsFile, fa.items, fb.items)
}

// PeopleDiffering is [Store.ItemsDiffering] for people. It reads only the
// files of people/ whose blobs differ.
func (s *Store) PeopleDiffering(a, b record.Version) (old, new []record.Person, err error) {
	fa, err := s.itemFiles(a)
	if err != nil {
		return nil, nil, err
	}
	fb, err := s.itemFiles(b)
	if err != nil {
		return nil, nil, err
	}
	names := slices.Sorted(maps.Keys(fa.people))
	for name := range fb.people {
		if _, ok := fa.people[name]; !ok {
			names = append(names, name)
		}
	}
	for _, name := range names {
		o, n, err := differing[record.Person](s, a, b, peopleDir+"/"+name, fa.people[name], fb.people[name])
		if err != nil {
			return nil, nil, err
		}
		old, new = append(old, o...), append(new, n...)
	}
	return old, new, nil
}

func differing[T any](s *Store, a, b record.Version, name string, ha, hb plumbing.Hash) (old, new []T, err error) {
	if ha == hb {
		return nil, nil, nil
	}
	la, err := s.lines(ha)
	if err != nil {
		return nil, nil, fmt.Errorf("version %s: %s: %w", a.Name, name, err)
	}
	lb, err := s.lines(hb)
	if err != nil {
		return nil, nil, fmt.Errorf("version %s: %s: %w", b.Name, name, err)
	}
	onlyA, onlyB := multisetDifference(la, lb)
	if old, err = decodeEach[T](onlyA); err != nil {
		return nil, nil, fmt.Errorf("version %s: %s: %w", a.Name, name, err)
	}
	if new, err = decodeEach[T](onlyB); err != nil {
		return nil, nil, fmt.Errorf("version %s: %s: %w", b.Name, name, err)
	}
	return old, new, nil
}

// itemBlobs are the blobs of a version's items and people.
type itemBlobs struct {
	items  plumbing.Hash            // registry.jsonl, zero when absent
	people map[string]plumbing.Hash // the files of people/, by name
}

func (s *Store) itemFiles(v record.Version) (itemBlobs, error) {
	var f itemBlobs
	if v.Tree.IsZero() {
		return f, nil
	}
	s.linesMu.Lock()
	f, ok := s.itemsCache[plumbing.Hash(v.Tree)]
	s.linesMu.Unlock()
	if ok {
		return f, nil
	}
	f, err := s.readItemFiles(v)
	if err != nil {
		return f, err
	}
	s.linesMu.Lock()
	defer s.linesMu.Unlock()
	if len(s.itemsCache) >= 8 || s.itemsCache == nil {
		s.itemsCache = map[plumbing.Hash]itemBlobs{} // a walk asks for the last two
	}
	s.itemsCache[plumbing.Hash(v.Tree)] = f
	return f, nil
}

func (s *Store) readItemFiles(v record.Version) (itemBlobs, error) {
	var f itemBlobs
	entries, err := s.readTree(plumbing.Hash(v.Tree))
	if err != nil {
		return f, fmt.Errorf("version %s: %w", v.Name, err)
	}
	for _, e := range entries {
		switch e.Name {
		case itemsFile:
			f.items = e.Hash
		case peopleDir:
			people, err := s.readTree(e.Hash)
			if err != nil {
				return f, fmt.Errorf("version %s: %s: %w", v.Name, peopleDir, err)
			}
			f.people = make(map[string]plumbing.Hash, len(people))
			for _, pe := range people {
				f.people[pe.Name] = pe.Hash
			}
		}
	}
	return f, nil
}

// lines returns the non-empty lines of a blob; none for the zero hash. A
// walk over consecutive versions (a changelog) asks for each version's
// files twice, as the newer side of one pair and the older of the next:
// the last few blobs' lines are kept.
func (s *Store) lines(h plumbing.Hash) ([]string, error) {
	if h.IsZero() {
		return nil, nil
	}
	s.linesMu.Lock()
	out, ok := s.linesCache[h]
	s.linesMu.Unlock()
	if ok {
		return out, nil
	}
	data, err := s.blob(h)
	if err != nil {
		return nil, err
	}
	for _, l := range strings.Split(string(data), "\n") {
		if strings.TrimSpace(l) != "" {
			out = append(out, l)
		}
	}
	s.linesMu.Lock()
	defer s.linesMu.Unlock()
	if len(s.linesCache) >= 64 {
		clear(s.linesCache)
	}
	if s.linesCache == nil {
		s.linesCache = map[plumbing.Hash][]string{}
	}
	s.linesCache[h] = out
	return out, nil
}

func decodeLines[T any](s *Store, h plumbing.Hash, name string, dst []T) ([]T, error) {
	ls, err := s.lines(h)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", name, err)
	}
	out, err := decodeEach[T](ls)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", name, err)
	}
	return append(dst, out...), nil
}

// decodeEach decodes lines of items or people with encoding/json: they are
// few, and read only where a version changed them.
func decodeEach[T any](lines []string) ([]T, error) {
	out := make([]T, 0, len(lines))
	for _, l := range lines {
		var v T
		if err := json.Unmarshal([]byte(l), &v); err != nil {
			return nil, fmt.Errorf("line %q: %w", truncate(l, 60), err)
		}
		out = append(out, v)
	}
	return out, nil
}

func truncate(s string, n int) string {
	if len(s) <= n {
		return s
	}
	return s[:n] + "…"
}

// multisetDifference returns the lines of a and of b that are not on both
// sides, in order. A line that a holds n times and b m times keeps, on the
// side with more, its occurrences after the first min(n, m): the same ones
// a comparison pairing equal lines first, in order, leaves unpaired.
func multisetDifference(a, b []string) (onlyA, onlyB []string) {
	ca := make(map[string]int, len(a))
	for _, l := range a {
		ca[l]++
	}
	cb := make(map[string]int, len(b))
	for _, l := range b {
		cb[l]++
	}
	keep := func(lines []string, other map[string]int) []string {
		var out []string
		seen := map[string]int{}
		for _, l := range lines {
			seen[l]++
			if seen[l] > other[l] {
				out = append(out, l)
			}
		}
		return out
	}
	return keep(a, cb), keep(b, ca)
}

package snapshots

import (
	"encoding/json"
	"fmt"
	"strings"

	"github.com/go-git/go-git/v5/plumbing"
	"github.com/go-git/go-git/v5/plumbing/object"
)

// HasItems reports whether a version's normalized form holds its items and
// people (registry.jsonl, people.jsonl): versions stored before regdiff
// kept them (normalizer 1) hold records only, and their items are unknown,
// not absent.
func (v Version) HasItems() bool { return v.Normalizer >= 2 }

// Items returns a version's items, in document order, and its people,
// sorted by id.
func (s *Store) Items(v Version) ([]Item, []Person, error) {
	ih, ph, err := s.itemFiles(v)
	if err != nil {
		return nil, nil, err
	}
	items, err := decodeLines[Item](s, ih, itemsFile, nil)
	if err != nil {
		return nil, nil, fmt.Errorf("version %s: %w", v.Name, err)
	}
	people, err := decodeLines[Person](s, ph, peopleFile, nil)
	if err != nil {
		return nil, nil, fmt.Errorf("version %s: %w", v.Name, err)
	}
	return items, people, nil
}

// ItemsDiffering returns the items that are not on both sides of two
// versions (a multiset difference of their lines, in file order): all a
// comparison of their items can see, since an item found on both sides is
// unchanged. A zero Version is a version with no items.
func (s *Store) ItemsDiffering(a, b Version) (old, new []Item, err error) {
	return differing[Item](s, a, b, itemsFile, func(v Version) (plumbing.Hash, error) {
		h, _, err := s.itemFiles(v)
		return h, err
	})
}

// PeopleDiffering is [Store.ItemsDiffering] for people.
func (s *Store) PeopleDiffering(a, b Version) (old, new []Person, err error) {
	return differing[Person](s, a, b, peopleFile, func(v Version) (plumbing.Hash, error) {
		_, h, err := s.itemFiles(v)
		return h, err
	})
}

func differing[T any](s *Store, a, b Version, name string, file func(Version) (plumbing.Hash, error)) (old, new []T, err error) {
	ha, err := file(a)
	if err != nil {
		return nil, nil, err
	}
	hb, err := file(b)
	if err != nil {
		return nil, nil, err
	}
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
	count := make(map[string]int, len(la))
	for _, l := range la {
		count[l]++
	}
	var onlyB []string
	for _, l := range lb {
		if count[l] > 0 {
			count[l]--
			continue
		}
		onlyB = append(onlyB, l)
	}
	var onlyA []string
	for _, l := range la {
		if count[l] > 0 {
			count[l]--
			onlyA = append(onlyA, l)
		}
	}
	if old, err = decodeEach[T](onlyA); err != nil {
		return nil, nil, fmt.Errorf("version %s: %s: %w", a.Name, name, err)
	}
	if new, err = decodeEach[T](onlyB); err != nil {
		return nil, nil, fmt.Errorf("version %s: %s: %w", b.Name, name, err)
	}
	return old, new, nil
}

// itemFiles returns the blobs of a version's registry.jsonl and
// people.jsonl, zero where the version has none.
func (s *Store) itemFiles(v Version) (items, people plumbing.Hash, err error) {
	if v.Tree.IsZero() {
		return items, people, nil
	}
	t, err := object.GetTree(s.st, v.Tree)
	if err != nil {
		return items, people, fmt.Errorf("version %s: %w", v.Name, err)
	}
	for _, e := range t.Entries {
		switch e.Name {
		case itemsFile:
			items = e.Hash
		case peopleFile:
			people = e.Hash
		}
	}
	return items, people, nil
}

// lines returns the non-empty lines of a blob; none for the zero hash.
func (s *Store) lines(h plumbing.Hash) ([]string, error) {
	if h.IsZero() {
		return nil, nil
	}
	data, err := s.Blob(h)
	if err != nil {
		return nil, err
	}
	var out []string
	for _, l := range strings.Split(string(data), "\n") {
		if strings.TrimSpace(l) != "" {
			out = append(out, l)
		}
	}
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

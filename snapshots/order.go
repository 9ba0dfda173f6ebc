package snapshots

import (
	"bytes"
	"cmp"
	"hash/maphash"
	"slices"
	"strings"
	"sync"
	"time"

	"github.com/go-git/go-git/v5/plumbing"
	"github.com/go-git/go-git/v5/plumbing/object"
)

// Versions with the same date stand in the order they were published. A
// registry's <updated> date often stays the same when its content changes
// (about one version in eight of the hourly mirror), so the date alone does
// not tell, and neither does where a copy was found: a folder of files has
// no times at all, and two archives saw the same versions at different
// times. The order is therefore read from the content, and comes out the
// same whatever the source, which keeps commit hashes reproducible.
//
// The rule: of all orders of a group of same-date versions, take the one
// that makes the fewest changes along the history, from the version before
// the group, through the group, to the version after it. Publishing adds
// changes one after another; in the wrong order, the changes of the later
// version show up, vanish and show up again. Changes are counted, in turn,
// until one count tells the orders apart:
//
//  1. lines of the normalized form (records, items, people) added or
//     removed;
//  2. lines of the raw file added or removed (a version that only moved
//     white space or rewrote a processing instruction);
//  3. the newest date the file carries (its records' date and updated
//     attributes and its people's updated dates) going backwards, and
//     after equal newest dates, the number of places carrying it going down.
//
// When all three tie (the group is the whole history and the versions hold
// the same dates, say), the content cannot decide: versions go in the order
// they were first seen (fetch time, or the commit time in the archive they
// came from), then by the sha256 of their raw file, and the import summary
// says so ([Tie]).

// Tie is a group of same-date versions whose content did not decide their
// order.
type Tie struct {
	Date     string
	Versions []string // names, in the order given
	// By is the rule that decided: "first seen" or "content hash".
	By string
}

// orderKey identifies an ordering question: the versions before, in and
// after a group. Decisions are kept on the Store (see orderCache), since an
// import asks the same question at each checkpoint.
type orderKey struct {
	prev, group, next string
}

type orderCache struct {
	mu        sync.Mutex
	decisions map[orderKey]orderDecision
	files     map[plumbing.Hash]map[string]plumbing.Hash // tree → normalized files
	raw       map[string][]uint64                        // sha256 → sorted hashes of raw lines
	dates     map[string]newest                          // sha256 → newest date
	seed      maphash.Seed
}

type orderDecision struct {
	order []string // sha256s
	by    string   // "" when the content decided
}

type newest struct {
	date  string
	count int
}

func (s *Store) orders() *orderCache {
	s.orderOnce.Do(func() {
		s.order = &orderCache{
			decisions: map[orderKey]orderDecision{},
			files:     map[plumbing.Hash]map[string]plumbing.Hash{},
			raw:       map[string][]uint64{},
			dates:     map[string]newest{},
			seed:      maphash.MakeSeed(),
		}
	})
	return s.order
}

// orderGroup orders a group of same-date entries in place. prev is the
// entry before the group (nil at the start of the history) and next the
// entries of the next date (none at the end). It returns the rule that
// decided when the content did not.
func (s *Store) orderGroup(prev *entry, group []entry, next []entry) (string, error) {
	oc := s.orders()
	key := orderKey{}
	if prev != nil {
		key.prev = prev.v.SHA256
	}
	shas := func(es []entry) string {
		var ss []string
		for _, e := range es {
			ss = append(ss, e.v.SHA256)
		}
		slices.Sort(ss)
		return strings.Join(ss, ",")
	}
	key.group, key.next = shas(group), shas(next)
	oc.mu.Lock()
	d, ok := oc.decisions[key]
	oc.mu.Unlock()
	if !ok {
		var err error
		if d, err = s.decideOrder(prev, group, next); err != nil {
			return "", err
		}
		oc.mu.Lock()
		oc.decisions[key] = d
		oc.mu.Unlock()
	}
	at := make(map[string]int, len(d.order))
	for i, sha := range d.order {
		at[sha] = i
	}
	slices.SortStableFunc(group, func(a, b entry) int { return at[a.v.SHA256] - at[b.v.SHA256] })
	return d.by, nil
}

// maxExact is the largest group whose every order is tried (7! = 5,040);
// a larger one, which no real registry has shown, is ordered greedily.
const maxExact = 7

func (s *Store) decideOrder(prev *entry, group []entry, next []entry) (orderDecision, error) {
	n := len(group)
	// Nodes: 0..n-1 the group, n the version before, n+1.. the next ones.
	nodes := make([]*entry, 0, n+1+len(next))
	for i := range group {
		nodes = append(nodes, &group[i])
	}
	nodes = append(nodes, prev)
	for i := range next {
		nodes = append(nodes, &next[i])
	}
	dist := func(measure func(a, b *entry) (int, error)) (func(i, j int) int, error) {
		m := make([][]int, len(nodes))
		for i := range m {
			m[i] = make([]int, len(nodes))
		}
		for i := range nodes {
			for j := i + 1; j < len(nodes); j++ {
				if i >= n && j >= n || nodes[i] == nil || nodes[j] == nil {
					continue // never asked: between neighbours, or with no version before
				}
				d, err := measure(nodes[i], nodes[j])
				if err != nil {
					return nil, err
				}
				m[i][j], m[j][i] = d, d
			}
		}
		return func(i, j int) int { return m[i][j] }, nil
	}
	// cost of an order: from prev through the group to the nearest of next.
	cost := func(d func(i, j int) int, perm []int) int {
		c := 0
		if prev != nil {
			c += d(n, perm[0])
		}
		for k := 1; k < n; k++ {
			c += d(perm[k-1], perm[k])
		}
		if len(next) > 0 {
			best := -1
			for j := range next {
				if x := d(perm[n-1], n+1+j); best < 0 || x < best {
					best = x
				}
			}
			c += best
		}
		return c
	}
	perms := permutations(n)
	if n > maxExact {
		d, err := dist(s.normalizedDistance)
		if err != nil {
			return orderDecision{}, err
		}
		perms = [][]int{greedy(n, prev != nil, d)}
	}
	keepBest := func(score func(perm []int) int) {
		best := -1
		var kept [][]int
		for _, p := range perms {
			switch sc := score(p); {
			case best < 0 || sc < best:
				best, kept = sc, [][]int{p}
			case sc == best:
				kept = append(kept, p)
			}
		}
		perms = kept
	}
	for _, measure := range []func(a, b *entry) (int, error){s.normalizedDistance, s.rawDistance} {
		if len(perms) == 1 {
			break
		}
		d, err := dist(measure)
		if err != nil {
			return orderDecision{}, err
		}
		keepBest(func(p []int) int { return cost(d, p) })
	}
	if len(perms) > 1 {
		dates := make([]newest, n)
		for i := range group {
			var err error
			if dates[i], err = s.newestDate(&group[i]); err != nil {
				return orderDecision{}, err
			}
		}
		keepBest(func(p []int) int {
			return inversions(p, func(a, b int) bool {
				da, db := dates[a], dates[b]
				return da.date > db.date || da.date == db.date && da.count > db.count
			})
		})
	}
	by := ""
	if len(perms) > 1 {
		by = "first seen"
		seen := func(i int) time.Time { return group[i].seen }
		keepBest(func(p []int) int {
			return inversions(p, func(a, b int) bool {
				return !seen(a).IsZero() && !seen(b).IsZero() && seen(a).After(seen(b))
			})
		})
		known := 0
		for i := range group {
			if !group[i].seen.IsZero() {
				known++
			}
		}
		if known < n {
			by = "content hash"
		}
	}
	if len(perms) > 1 {
		if by == "" {
			by = "content hash"
		}
		keepBest(func(p []int) int {
			return inversions(p, func(a, b int) bool { return group[a].v.SHA256 > group[b].v.SHA256 })
		})
	}
	d := orderDecision{by: by}
	for _, i := range perms[0] {
		d.order = append(d.order, group[i].v.SHA256)
	}
	return d, nil
}

// permutations returns every order of 0..n-1, or just the identity when n
// is over maxExact.
func permutations(n int) [][]int {
	id := make([]int, n)
	for i := range id {
		id[i] = i
	}
	if n > maxExact {
		return [][]int{id}
	}
	var out [][]int
	var rec func(k int)
	rec = func(k int) {
		if k == n {
			out = append(out, slices.Clone(id))
			return
		}
		for i := k; i < n; i++ {
			id[k], id[i] = id[i], id[k]
			rec(k + 1)
			id[k], id[i] = id[i], id[k]
		}
	}
	rec(0)
	return out
}

// greedy orders a large group by nearest neighbour from the version before
// it (node n), or from the version nearest to every other when there is
// none.
func greedy(n int, hasPrev bool, d func(i, j int) int) []int {
	used := make([]bool, n)
	var out []int
	cur := n
	if !hasPrev {
		cur = 0
		for i := 1; i < n; i++ {
			if sum(n, i, d) < sum(n, cur, d) {
				cur = i
			}
		}
		used[cur] = true
		out = append(out, cur)
	}
	for len(out) < n {
		best := -1
		for i := range n {
			if !used[i] && (best < 0 || d(cur, i) < d(cur, best)) {
				best = i
			}
		}
		used[best] = true
		out = append(out, best)
		cur = best
	}
	return out
}

func sum(n, i int, d func(i, j int) int) int {
	s := 0
	for j := range n {
		s += d(i, j)
	}
	return s
}

// inversions counts the pairs a perm puts in an order that after(a, b)
// says is backwards (a placed before b although a is after b).
func inversions(perm []int, after func(a, b int) bool) int {
	c := 0
	for i := range perm {
		for j := i + 1; j < len(perm); j++ {
			if after(perm[i], perm[j]) {
				c++
			}
		}
	}
	return c
}

// normalizedDistance counts the lines of the normalized files added or
// removed from a to b, reading only the files whose blobs differ.
func (s *Store) normalizedDistance(a, b *entry) (int, error) {
	fa, err := s.treeFiles(plumbing.Hash(a.v.Tree))
	if err != nil {
		return 0, err
	}
	fb, err := s.treeFiles(plumbing.Hash(b.v.Tree))
	if err != nil {
		return 0, err
	}
	d := 0
	for p, ha := range fa {
		if hb := fb[p]; hb != ha {
			n, err := s.blobDistance(ha, hb)
			if err != nil {
				return 0, err
			}
			d += n
		}
	}
	for p, hb := range fb {
		if _, ok := fa[p]; !ok {
			n, err := s.blobDistance(plumbing.ZeroHash, hb)
			if err != nil {
				return 0, err
			}
			d += n
		}
	}
	return d, nil
}

// treeFiles lists a version tree's normalized files (every file but the
// raw one, which is the only file at the root named after the registry).
func (s *Store) treeFiles(tree plumbing.Hash) (map[string]plumbing.Hash, error) {
	oc := s.orders()
	oc.mu.Lock()
	files, ok := oc.files[tree]
	oc.mu.Unlock()
	if ok {
		return files, nil
	}
	files = map[string]plumbing.Hash{}
	err := s.walkFiles(tree, func(name string, e object.TreeEntry) {
		if strings.Contains(name, "/") || strings.HasSuffix(name, ".jsonl") {
			files[name] = e.Hash
		}
	})
	if err != nil {
		return nil, err
	}
	oc.mu.Lock()
	oc.files[tree] = files
	oc.mu.Unlock()
	return files, nil
}

// blobDistance counts the lines of two blobs that are not on both sides
// (the zero hash is an empty file).
func (s *Store) blobDistance(a, b plumbing.Hash) (int, error) {
	la, err := s.lines(a)
	if err != nil {
		return 0, err
	}
	lb, err := s.lines(b)
	if err != nil {
		return 0, err
	}
	count := make(map[string]int, len(la))
	for _, l := range la {
		count[l]++
	}
	d := 0
	for _, l := range lb {
		if count[l] > 0 {
			count[l]--
		} else {
			d++
		}
	}
	for _, c := range count {
		d += c
	}
	return d, nil
}

// rawDistance counts the lines of the raw files added or removed.
func (s *Store) rawDistance(a, b *entry) (int, error) {
	la, err := s.rawLines(a)
	if err != nil {
		return 0, err
	}
	lb, err := s.rawLines(b)
	if err != nil {
		return 0, err
	}
	// Both sorted: a merge counts what is not on both sides.
	d, i, j := 0, 0, 0
	for i < len(la) && j < len(lb) {
		switch {
		case la[i] == lb[j]:
			i++
			j++
		case la[i] < lb[j]:
			d++
			i++
		default:
			d++
			j++
		}
	}
	return d + len(la) - i + len(lb) - j, nil
}

// rawLines returns the sorted hashes of a version's raw lines, each with
// its trailing white space dropped (a line ending is layout too).
func (s *Store) rawLines(e *entry) ([]uint64, error) {
	oc := s.orders()
	oc.mu.Lock()
	hs, ok := oc.raw[e.v.SHA256]
	oc.mu.Unlock()
	if ok {
		return hs, nil
	}
	raw, err := s.Raw(e.v)
	if err != nil {
		return nil, err
	}
	hs = make([]uint64, 0, bytes.Count(raw, []byte{'\n'})+1)
	for len(raw) > 0 {
		line := raw
		if i := bytes.IndexByte(raw, '\n'); i >= 0 {
			line, raw = raw[:i], raw[i+1:]
		} else {
			raw = nil
		}
		hs = append(hs, maphash.Bytes(oc.seed, bytes.TrimRight(line, " \t\r")))
	}
	slices.Sort(hs)
	oc.mu.Lock()
	if len(oc.raw) >= 32 {
		clear(oc.raw)
	}
	oc.raw[e.v.SHA256] = hs
	oc.mu.Unlock()
	return hs, nil
}

// newestDate finds the newest date a version's raw file carries in date
// and updated attributes and <updated> elements, and how many times.
func (s *Store) newestDate(e *entry) (newest, error) {
	oc := s.orders()
	oc.mu.Lock()
	nd, ok := oc.dates[e.v.SHA256]
	oc.mu.Unlock()
	if ok {
		return nd, nil
	}
	raw, err := s.Raw(e.v)
	if err != nil {
		return nd, err
	}
	for _, marker := range []string{` date="`, ` updated="`, `<updated>`} {
		for rest := raw; ; {
			i := bytes.Index(rest, []byte(marker))
			if i < 0 {
				break
			}
			rest = rest[i+len(marker):]
			d := string(rest[:min(len(rest), 10)])
			if len(d) >= 7 && d[4] == '-' && strings.Trim(d[:4], "0123456789") == "" {
				if j := strings.IndexAny(d, "\"<"); j >= 0 {
					d = d[:j]
				}
				switch c := cmp.Compare(d, nd.date); {
				case c > 0:
					nd = newest{d, 1}
				case c == 0:
					nd.count++
				}
			}
		}
	}
	oc.mu.Lock()
	oc.dates[e.v.SHA256] = nd
	oc.mu.Unlock()
	return nd, nil
}

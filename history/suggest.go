package history

import (
	"cmp"
	"slices"
	"strings"
)

// maxSuggestions bounds the names Suggest returns.
const maxSuggestions = 5

// Suggest returns up to five names from names that are close to name,
// ignoring case: those within a small edit distance (a third of the name's
// length, at least one), then those that start with it or that it starts
// with, closest first. It is meant for "did you mean" hints.
func Suggest(names []string, name string) []string {
	want := strings.ToLower(name)
	limit := max(1, len([]rune(want))/3)
	type cand struct {
		name string
		dist int
	}
	var cands []cand
	seen := map[string]bool{}
	for _, n := range names {
		low := strings.ToLower(n)
		if low == want || seen[low] || n == "" {
			continue
		}
		d := distance(low, want, limit+1)
		switch {
		case d <= limit:
		case len(want) >= 2 && (strings.HasPrefix(low, want) || strings.HasPrefix(want, low) && len(low) >= 2):
			d = limit + 1 + abs(len(low)-len(want))
		default:
			continue
		}
		seen[low] = true
		cands = append(cands, cand{n, d})
	}
	slices.SortFunc(cands, func(a, b cand) int {
		return cmp.Or(cmp.Compare(a.dist, b.dist), cmp.Compare(strings.ToLower(a.name), strings.ToLower(b.name)), cmp.Compare(a.name, b.name))
	})
	var out []string
	for _, c := range cands[:min(len(cands), maxSuggestions)] {
		out = append(out, c.name)
	}
	return out
}

func abs(x int) int {
	if x < 0 {
		return -x
	}
	return x
}

// distance is the Levenshtein distance between a and b over runes, or any
// value above bound once it is sure to exceed bound.
func distance(a, b string, bound int) int {
	ra, rb := []rune(a), []rune(b)
	if abs(len(ra)-len(rb)) > bound {
		return bound + 1
	}
	prev := make([]int, len(rb)+1)
	cur := make([]int, len(rb)+1)
	for j := range prev {
		prev[j] = j
	}
	for i := 1; i <= len(ra); i++ {
		cur[0] = i
		rowMin := cur[0]
		for j := 1; j <= len(rb); j++ {
			cost := 1
			if ra[i-1] == rb[j-1] {
				cost = 0
			}
			cur[j] = min(prev[j]+1, cur[j-1]+1, prev[j-1]+cost)
			rowMin = min(rowMin, cur[j])
		}
		if rowMin > bound {
			return bound + 1
		}
		prev, cur = cur, prev
	}
	return prev[len(rb)]
}

package diff

import (
	"math/rand/v2"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/sergi/go-diff/diffmatchpatch"
)

// randomWords is n words drawn from a vocabulary of 5,000, seeded: two
// such texts share words but hardly any order, the worst case of a word
// diff (edits in proportion to the length).
func randomWords(n int, seed uint64) string {
	r := rand.New(rand.NewPCG(seed, 1))
	words := make([]string, n)
	for i := range words {
		words[i] = "w" + strings.Repeat("x", r.IntN(5)) + string(rune('a'+r.IntN(26))) + string(rune('a'+r.IntN(26))) + string(rune('a'+r.IntN(8)))
	}
	return strings.Join(words, " ")
}

// TestWordDiffBudget checks that a change over the budget is shown as
// old → new whole, and that one within it keeps its word diff, including a
// single edit in a text far over the budget's size (its common start and
// end are not counted).
func TestWordDiffBudget(t *testing.T) {
	a, b := randomWords(20000, 1), randomWords(20000, 2)
	got := wordDiff(a, b)
	want := []diffmatchpatch.Diff{{Type: diffmatchpatch.DiffDelete, Text: a}, {Type: diffmatchpatch.DiffInsert, Text: b}}
	if len(got) != 2 || got[0] != want[0] || got[1] != want[1] {
		t.Fatalf("20,000 different words: got %d spans, want old → new whole", len(got))
	}
	if s := textFieldChange(FieldChange{a, b}, false); s != "[-"+a+"-]{+"+b+"+}" {
		t.Errorf("text: got %.80q…, want [-old-]{+new+}", s)
	}
	if s := mdFieldChange(FieldChange{a, b}); s != "~~"+md(a)+"~~**"+md(b)+"**" {
		t.Errorf("markdown: got %.80q…, want ~~old~~**new**", s)
	}

	// One word changed in the middle of 60,000: within the budget.
	big := randomWords(60000, 3)
	mid := strings.Index(big[len(big)/2:], " ") + len(big)/2 + 1
	edited := big[:mid] + "CHANGED " + big[mid:]
	if got := wordDiff(big, edited); len(got) != 3 || got[1].Type != diffmatchpatch.DiffInsert || got[1].Text != "CHANGED " {
		t.Errorf("one word inserted in 60,000: got %d spans, want equal, insert, equal", len(got))
	}

	// Within the budget, the output is the diff it always was.
	a = randomWords(300, 4)
	b = strings.Replace(strings.Replace(a, " ", " NEW ", 3), "w", "v", 5)
	if !withinBudget(tokens(a), tokens(b)) {
		t.Fatal("300 words a side should be within the budget")
	}
	if got, want := wordDiff(a, b), diffTokens(tokens(a), tokens(b)); sprint(got) != sprint(want) || len(got) < 3 {
		t.Errorf("within the budget: got %d spans, want the unbounded diff's %d", len(got), len(want))
	}
}

var unbounded60k struct {
	once sync.Once
	d    time.Duration
}

// BenchmarkWordDiff60k diffs two different texts of 60,000 words each, as
// the renderers now do (over the budget: old → new whole), and reports how
// many times faster that is than the unbounded diff, timed once in the
// same run (about 80 s): go test -run - -bench WordDiff60k ./diff
func BenchmarkWordDiff60k(b *testing.B) {
	x, y := randomWords(60000, 1), randomWords(60000, 2)
	unbounded60k.once.Do(func() {
		start := time.Now()
		diffTokens(tokens(x), tokens(y))
		unbounded60k.d = time.Since(start)
	})
	b.ResetTimer()
	for b.Loop() {
		textFieldChange(FieldChange{x, y}, false)
	}
	perOp := b.Elapsed() / time.Duration(b.N)
	b.ReportMetric(unbounded60k.d.Seconds(), "unbounded-s")
	b.ReportMetric(float64(unbounded60k.d)/float64(perOp), "x-faster")
}

// BenchmarkWordDiffAtBudget is the worst case the budget allows: 1,023
// different words a side (2,047 symbols), nothing in common at the ends.
func BenchmarkWordDiffAtBudget(b *testing.B) {
	x, y := "a "+randomWords(1022, 1), "b "+randomWords(1022, 2)
	if !withinBudget(tokens(x), tokens(y)) {
		b.Fatal("over the budget")
	}
	for b.Loop() {
		wordDiff(x, y)
	}
}

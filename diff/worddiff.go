package diff

import (
	"strings"

	"github.com/sergi/go-diff/diffmatchpatch"
)

// longText is the length above which a changed text is shown as an inline
// word diff rather than as "old → new".
const longText = 40

// isLong reports whether a field change is shown as an inline diff: both
// sides present and one of them long.
func isLong(fc FieldChange) bool {
	return fc.From != "" && fc.To != "" && (len(fc.From) > longText || len(fc.To) > longText)
}

// wordDiffBudget bounds the work of a word diff: the product of the
// numbers of symbols (words and runs of spaces) each side has once their
// common start and end are set aside. go-diff's Myers diff takes time in
// proportion to the symbols times the edits, so up to this product in the
// worst case, where nothing matches: 2^22, about 1,000 different words a
// side, takes 24 ms here (BenchmarkWordDiffAtBudget), where 60,000 took
// 84 s unbounded. A single edit in a text of any length stays within it.
// Over the budget the change is shown as old → new whole.
//
// A size, not a time: go-diff's DiffTimeout would bound the time as well,
// but what a diff shows would then depend on the machine and its load, and
// the same two versions must always read the same (golden tests, changelogs
// rebuilt on another host).
const wordDiffBudget = 1 << 22

// wordDiff diffs two texts word by word: each word and each run of spaces
// becomes one symbol, the symbols are diffed with go-diff, and the result is
// turned back into text. Over [wordDiffBudget] it is one removal of a and
// one insertion of b.
func wordDiff(a, b string) []diffmatchpatch.Diff {
	ta, tb := tokens(a), tokens(b)
	if !withinBudget(ta, tb) {
		return []diffmatchpatch.Diff{{Type: diffmatchpatch.DiffDelete, Text: a}, {Type: diffmatchpatch.DiffInsert, Text: b}}
	}
	return diffTokens(ta, tb)
}

// withinBudget reports whether diffing ta and tb stays within
// [wordDiffBudget].
func withinBudget(ta, tb []string) bool {
	for len(ta) > 0 && len(tb) > 0 && ta[0] == tb[0] {
		ta, tb = ta[1:], tb[1:]
	}
	for len(ta) > 0 && len(tb) > 0 && ta[len(ta)-1] == tb[len(tb)-1] {
		ta, tb = ta[:len(ta)-1], tb[:len(tb)-1]
	}
	return int64(len(ta))*int64(len(tb)) <= wordDiffBudget
}

// diffTokens is the word diff without a budget.
func diffTokens(ta, tb []string) []diffmatchpatch.Diff {
	dict := map[string]rune{}
	var words []string
	encode := func(toks []string) []rune {
		out := make([]rune, 0, len(toks))
		for _, tok := range toks {
			r, ok := dict[tok]
			if !ok {
				r = indexRune(len(words))
				dict[tok] = r
				words = append(words, tok)
			}
			out = append(out, r)
		}
		return out
	}
	ra, rb := encode(ta), encode(tb)
	dmp := diffmatchpatch.New()
	dmp.DiffTimeout = 0
	diffs := dmp.DiffCleanupSemantic(dmp.DiffMainRunes(ra, rb, false))
	out := make([]diffmatchpatch.Diff, 0, len(diffs))
	for _, d := range diffs {
		var sb strings.Builder
		for _, r := range d.Text {
			sb.WriteString(words[runeIndex(r)])
		}
		out = append(out, diffmatchpatch.Diff{Type: d.Type, Text: sb.String()})
	}
	return out
}

// indexRune maps a symbol index to a valid rune, skipping surrogates.
func indexRune(i int) rune {
	r := rune(i + 1)
	if r >= 0xD800 {
		r += 0x800
	}
	return r
}

func runeIndex(r rune) int {
	if r >= 0xE000 {
		r -= 0x800
	}
	return int(r) - 1
}

// tokens splits s into words and runs of white space.
func tokens(s string) []string {
	var out []string
	start := 0
	space := false
	for i, c := range s {
		sp := c == ' ' || c == '\t' || c == '\n' || c == '\r'
		if i > start && sp != space {
			out = append(out, s[start:i])
			start = i
		}
		space = sp
	}
	if start < len(s) {
		out = append(out, s[start:])
	}
	return out
}

// Span is a piece of a word-level inline diff: Op is -1 for removed text,
// 1 for inserted text and 0 for text both sides share.
type Span struct {
	Op   int
	Text string
}

// WordDiff is the inline diff the renderers show for long text, for other
// renderers (the changelog's HTML) to show the same.
func WordDiff(a, b string) []Span {
	diffs := wordDiff(a, b)
	out := make([]Span, len(diffs))
	for i, d := range diffs {
		switch d.Type {
		case diffmatchpatch.DiffDelete:
			out[i].Op = -1
		case diffmatchpatch.DiffInsert:
			out[i].Op = 1
		}
		out[i].Text = d.Text
	}
	return out
}

// IsLong reports whether a field change is shown as an inline word diff.
func IsLong(fc FieldChange) bool { return isLong(fc) }

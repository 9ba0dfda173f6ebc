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

// wordDiff diffs two texts word by word: each word and each run of spaces
// becomes one symbol, the symbols are diffed with go-diff, and the result is
// turned back into text.
func wordDiff(a, b string) []diffmatchpatch.Diff {
	dict := map[string]rune{}
	var words []string
	encode := func(s string) []rune {
		var out []rune
		for _, tok := range tokens(s) {
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
	ra, rb := encode(a), encode(b)
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

package changelog

import (
	"strings"

	"github.com/sergi/go-diff/diffmatchpatch"
)

// longText is the length above which a changed text is shown as an inline
// word diff rather than as old → new, as in package diff.
const longText = 40

// span is a piece of an inline diff: Op is -1 for removed text, 1 for
// inserted text, 0 for text both sides share.
type span struct {
	Op   int
	Text string
}

// wordDiff diffs two texts word by word: every word and every run of white
// space becomes one symbol for go-diff, as diff's inline diffs do.
func wordDiff(a, b string) []span {
	dict := map[string]rune{}
	var words []string
	encode := func(s string) []rune {
		var out []rune
		for _, tok := range tokens(s) {
			r, ok := dict[tok]
			if !ok {
				r = symbol(len(words))
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
	out := make([]span, 0, len(diffs))
	for _, d := range diffs {
		var sb strings.Builder
		for _, r := range d.Text {
			sb.WriteString(words[symbolIndex(r)])
		}
		op := 0
		switch d.Type {
		case diffmatchpatch.DiffDelete:
			op = -1
		case diffmatchpatch.DiffInsert:
			op = 1
		}
		out = append(out, span{Op: op, Text: sb.String()})
	}
	return out
}

// symbol maps a word's index to a valid rune, skipping surrogates.
func symbol(i int) rune {
	r := rune(i + 1)
	if r >= 0xD800 {
		r += 0x800
	}
	return r
}

func symbolIndex(r rune) int {
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

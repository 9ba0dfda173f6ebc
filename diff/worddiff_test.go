package diff

import (
	"fmt"
	"strings"
	"testing"

	"github.com/sergi/go-diff/diffmatchpatch"
)

func sprint(v any) string { return fmt.Sprint(v) }

func TestTextFieldChange(t *testing.T) {
	long := "The quick brown fox jumps over the lazy dog near the river bank"
	tests := []struct {
		name     string
		fc       FieldChange
		color    bool
		want     string
		wantMark string // for Markdown
	}{
		{"short", FieldChange{"a", "b"}, false, "a → b", "~~a~~ → **b**"},
		{"short added", FieldChange{"", "b"}, false, "(none) → b", "*(none)* → **b**"},
		{"long but one side empty", FieldChange{"", long}, false, "(none) → " + long, "*(none)* → **" + long + "**"},
		{"one word replaced", FieldChange{long, strings.Replace(long, "lazy", "sleepy", 1)}, false,
			"The quick brown fox jumps over the [-lazy-]{+sleepy+} dog near the river bank",
			"The quick brown fox jumps over the ~~lazy~~**sleepy** dog near the river bank"},
		{"words appended", FieldChange{long, long + " today"}, false,
			long + "{+ today+}",
			long + " **today**"},
		{"words removed", FieldChange{long, strings.Replace(long, "quick brown ", "", 1)}, false,
			"The [-quick brown -]fox jumps over the lazy dog near the river bank",
			"The ~~quick brown~~ fox jumps over the lazy dog near the river bank"},
		{"colour", FieldChange{long, strings.Replace(long, "lazy", "sleepy", 1)}, true,
			"The quick brown fox jumps over the \x1b[31mlazy\x1b[0m\x1b[32msleepy\x1b[0m dog near the river bank", ""},
		{"markdown escaped", FieldChange{long + " *a*", long + " *b*"}, false,
			long + " [-*a*-]{+*b*+}",
			long + ` ~~\*a\*~~**\*b\***`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := textFieldChange(tt.fc, tt.color); got != tt.want {
				t.Errorf("text: got\n%q\nwant\n%q", got, tt.want)
			}
			if tt.wantMark == "" {
				return
			}
			if got := mdFieldChange(tt.fc); got != tt.wantMark {
				t.Errorf("markdown: got\n%q\nwant\n%q", got, tt.wantMark)
			}
		})
	}
}

// FuzzWordDiff checks that the word diff rebuilds both texts.
func FuzzWordDiff(f *testing.F) {
	f.Add("a b c", "a x c")
	f.Add("", "x")
	f.Add("  lead", "lead  ")
	f.Add("\U0001F600 é", "é \ud7ff\ue000")
	f.Fuzz(func(t *testing.T, a, b string) {
		var ga, gb strings.Builder
		for _, d := range wordDiff(a, b) {
			if d.Type != diffmatchpatch.DiffInsert {
				ga.WriteString(d.Text)
			}
			if d.Type != diffmatchpatch.DiffDelete {
				gb.WriteString(d.Text)
			}
		}
		// go-diff works on runes, so invalid UTF-8 comes back replaced.
		if want := strings.ToValidUTF8(a, "\uFFFD"); ga.String() != want && strings.ToValidUTF8(a, "") == a {
			t.Fatalf("old side: got %q, want %q", ga.String(), want)
		}
		if want := strings.ToValidUTF8(b, "\uFFFD"); gb.String() != want && strings.ToValidUTF8(b, "") == b {
			t.Fatalf("new side: got %q, want %q", gb.String(), want)
		}
	})
}

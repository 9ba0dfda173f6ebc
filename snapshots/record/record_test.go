package record

import (
	"fmt"
	"strings"
	"testing"
)

// naiveCollapseASCII is Collapse written the obvious way, as its slow twin.
func naiveCollapseASCII(s string) string {
	return strings.Join(strings.FieldsFunc(s, func(r rune) bool {
		return r == ' ' || r == '\t' || r == '\n' || r == '\r' || r == '\f' || r == '\v'
	}), " ")
}

func TestCollapse(t *testing.T) {
	tests := []struct{ in, want string }{
		{"", ""},
		{"a", "a"},
		{"a b", "a b"},
		{" a", "a"},
		{"a ", "a"},
		{"  a  b  ", "a b"},
		{"a\tb", "a b"},
		{"a \t\r\n\f\vb", "a b"},
		{"\f\v", ""},
		{"a\n", "a"},
		{"a \tb", "a b"},
		{"a\u00a0b", "a\u00a0b"}, // no-break space is content
		{" \u00a0 ", "\u00a0"},   // and is not trimmed
		{"a\u2003b\u3000c\u2028d\u0085e", "a\u2003b\u3000c\u2028d\u0085e"}, // nor any other Unicode space
		{"\u00a0 \u00a0", "\u00a0 \u00a0"},
		{"x\x00y", "x\x00y"}, // other control characters are content
		{"\xff \xfe", "\xff \xfe"},
	}
	for _, tt := range tests {
		t.Run(fmt.Sprintf("%q", tt.in), func(t *testing.T) {
			if got := Collapse(tt.in); got != tt.want {
				t.Errorf("got %q, want %q", got, tt.want)
			}
			if got := naiveCollapseASCII(tt.in); got != tt.want {
				t.Errorf("naive twin: got %q, want %q", got, tt.want)
			}
		})
	}
}

// TestCollapseFastPath checks that collapsed text is returned without
// allocating.
func TestCollapseFastPath(t *testing.T) {
	for _, s := range []string{"", "The Secure Shell (SSH) Protocol", "a\u00a0b", "x y z"} {
		s = strings.Clone(s)
		if n := testing.AllocsPerRun(100, func() { _ = Collapse(s) }); n != 0 {
			t.Errorf("Collapse(%q): got %v allocations, want 0", s, n)
		}
	}
}

// FuzzCollapse checks Collapse against its naive twin, and that it is
// idempotent.
func FuzzCollapse(f *testing.F) {
	for _, s := range []string{"", " a  b ", "a\u00a0b", "\t\n\r\f\v", "a \tb", "\u2028 x \u0085"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		got := Collapse(s)
		if want := naiveCollapseASCII(s); got != want {
			t.Fatalf("Collapse(%q) = %q, want %q", s, got, want)
		}
		if again := Collapse(got); again != got {
			t.Fatalf("Collapse(%q) = %q, but Collapse of that is %q", s, got, again)
		}
	})
}

// BenchmarkCollapse measures Collapse on text already collapsed (the
// common case) and on text that is not.
func BenchmarkCollapse(b *testing.B) {
	for _, s := range []string{"The Secure Shell (SSH) Protocol", "  The Secure\n  Shell (SSH)\tProtocol "} {
		b.Run(fmt.Sprintf("%d bytes", len(s)), func(b *testing.B) {
			for b.Loop() {
				_ = Collapse(s)
			}
		})
	}
}

package record

import (
	"testing"
	"unicode/utf8"
)

func TestPrintable(t *testing.T) {
	for _, tc := range []struct{ in, want string }{
		{"", ""},
		{"plain text, ünïcode, 日本, \u00a0, \\x1b as text", "plain text, ünïcode, 日本, \u00a0, \\x1b as text"},
		{"\x1b]0;PWNED\x07\x1b[2J", `\x1b]0;PWNED\x07\x1b[2J`},
		{"a\u009b31mb", `a\u009b31mb`},
		{"\u0080\u0085\u009f\u00a0", `\u0080\u0085\u009f` + "\u00a0"},
		{"tab\tnl\ncr\rdel\x7f nul\x00", `tab\x09nl\x0acr\x0ddel\x7f nul\x00`},
		{"bad \xff\xc2 utf-8 \xe2\x80", `bad \xff\xc2 utf-8 \xe2\x80`},
		{"\xc2\x9b", `\u009b`},
	} {
		got := Printable(tc.in)
		if got != tc.want {
			t.Errorf("Printable(%q) = %q, want %q", tc.in, got, tc.want)
		}
		if again := Printable(got); again != got {
			t.Errorf("Printable is not idempotent on %q: %q", got, again)
		}
	}
}

func TestPrintableText(t *testing.T) {
	in := "<p>\x1b[2J\tx\u009b</p>\n\r"
	if got, want := PrintableText(in), "<p>\\x1b[2J\tx\\u009b</p>\n\\x0d"; got != want {
		t.Errorf("PrintableText(%q) = %q, want %q", in, got, want)
	}
}

// FuzzPrintable checks that no control character, C1 control or invalid
// UTF-8 survives, that printable text is kept, and idempotence.
func FuzzPrintable(f *testing.F) {
	for _, s := range []string{"", "a", "\x1b[2J", "\u009b", "\xff", "é\x00"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		got := Printable(s)
		if !utf8.ValidString(got) {
			t.Fatalf("Printable(%q) = %q: invalid UTF-8", s, got)
		}
		for _, r := range got {
			if r < 0x20 || 0x7f <= r && r <= 0x9f {
				t.Fatalf("Printable(%q) = %q holds %U", s, got, r)
			}
		}
		if Printable(got) != got {
			t.Fatalf("not idempotent on %q", s)
		}
		if clean := func() bool {
			for _, r := range s {
				if r < 0x20 || 0x7f <= r && r <= 0x9f || r == utf8.RuneError {
					return false
				}
			}
			return true
		}(); clean && got != s {
			t.Fatalf("Printable(%q) = %q changed printable text", s, got)
		}
	})
}

func BenchmarkPrintableClean(b *testing.B) {
	s := "Secure Shell (SSH) Protocol, the one every administrator uses daily"
	b.ReportAllocs()
	for b.Loop() {
		_ = Printable(s)
	}
}

package record

import (
	"strings"
	"unicode/utf8"
)

// Printable returns s with every character that could steer a terminal
// shown as a visible escape instead: C0 controls (tab and line feed
// included: the text of a record is one line), DEL and invalid UTF-8 bytes as
// \x1b, \x7f or \xff, C1 controls (U+0080 to U+009F, which some terminals
// obey as ESC sequences: U+009B is CSI) as \u009b. Every other character,
// the backslash included, is kept as it is, so Printable of a printable
// string is that string, without allocating, and Printable is idempotent.
//
// Every text and Markdown renderer passes the data it shows (never the
// colours it adds) through Printable: a registry file is input from the
// network, and a description of "\x1b]0;PWNED\x07\x1b[2J" must not retitle
// and clear the terminal of whoever reads the diff.
func Printable(s string) string { return printable(s, false) }

// PrintableText is [Printable] for a whole document whose own layout uses
// tabs and line breaks (an HTML page, a feed): it keeps tab and line feed
// and escapes the rest alike. Renderers that add no colour, no control
// character of their own, can filter their whole output through it.
func PrintableText(s string) string { return printable(s, true) }

func printable(s string, layout bool) string {
	keep := func(c byte) bool { return ' ' <= c && c < 0x7f || layout && (c == '\n' || c == '\t') }
	i := 0
	for i < len(s) {
		c := s[i]
		if keep(c) {
			i++
			continue
		}
		if c < utf8.RuneSelf {
			break
		}
		r, n := utf8.DecodeRuneInString(s[i:])
		if r == utf8.RuneError && n == 1 || r <= 0x9f {
			break
		}
		i += n
	}
	if i == len(s) {
		return s
	}
	const hex = "0123456789abcdef"
	var b strings.Builder
	b.Grow(len(s) + 8)
	b.WriteString(s[:i])
	for i < len(s) {
		c := s[i]
		switch {
		case keep(c):
			b.WriteByte(c)
			i++
		case c < utf8.RuneSelf:
			b.WriteString(`\x`)
			b.WriteByte(hex[c>>4])
			b.WriteByte(hex[c&15])
			i++
		default:
			r, n := utf8.DecodeRuneInString(s[i:])
			switch {
			case r == utf8.RuneError && n == 1:
				b.WriteString(`\x`)
				b.WriteByte(hex[c>>4])
				b.WriteByte(hex[c&15])
			case r <= 0x9f:
				b.WriteString(`\u00`)
				b.WriteByte(hex[r>>4&15])
				b.WriteByte(hex[r&15])
			default:
				b.WriteString(s[i : i+n])
			}
			i += n
		}
	}
	return b.String()
}

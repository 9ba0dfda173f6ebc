package diff

import (
	"bytes"
	"strings"
	"testing"

	"github.com/regdiff/regdiff/snapshots/record"
)

// TestRenderersEscapeControls renders a diff whose records, keys, items
// and people hold what no parser accepts any more (ESC, BEL, a C1 CSI,
// DEL, invalid UTF-8), as a store written before might hold, and checks
// that the text, colour and Markdown outputs show them escaped and JSON
// as \u escapes, while regdiff's own colours stay.
func TestRenderersEscapeControls(t *testing.T) {
	const evil = "\x1b]0;PWNED\x07\x1b[2J\u009b31m\x7f\xff"
	long := strings.Repeat("a long description of many words ", 6)
	old := []record.Record{
		{Name: "echo", Protocol: "tcp", Number: "7", Description: long + "old"},
		{Name: "gone" + evil, Protocol: "tcp", Number: "8", Description: "Gone " + evil},
		{Name: "short", Protocol: "tcp", Number: "9", Description: "Short"},
		{Name: "was", Protocol: "udp", Number: "10", Description: "Renamed"},
	}
	new := []record.Record{
		{Name: "echo", Protocol: "tcp", Number: "7", Description: long + "new " + evil},
		{Name: "short", Protocol: "tcp", Number: "9", Description: "Short " + evil, Other: map[string]string{"x" + evil: evil}},
		{Name: "is" + evil, Protocol: "udp", Number: "10", Description: "Renamed"},
		{Name: "added" + evil, Protocol: "tcp", Number: "11", Description: "Added " + evil},
	}
	r := Compare(old, new)
	r.Registry = "reg" + evil
	r.From.Name, r.To.Name = "2020-01-01", "2020-02-01"
	r.CompareItems(
		[]record.Item{{Element: "note", Key: "k" + evil, Text: "note " + evil}},
		[]record.Item{{Element: "note", Key: "k" + evil, Text: "note changed " + evil}},
		[]record.Person{{ID: "P" + evil, Name: "A " + evil}},
		[]record.Person{{ID: "P" + evil, Name: "B " + evil}})
	for name, write := range map[string]func(*bytes.Buffer) error{
		"text":     func(b *bytes.Buffer) error { return WriteText(b, r, false) },
		"color":    func(b *bytes.Buffer) error { return WriteText(b, r, true) },
		"markdown": func(b *bytes.Buffer) error { return WriteMarkdown(b, r) },
		"json":     func(b *bytes.Buffer) error { return WriteJSON(b, r) },
	} {
		var b bytes.Buffer
		if err := write(&b); err != nil {
			t.Fatal(err)
		}
		out := b.String()
		if name == "color" {
			if !strings.Contains(out, ansiGreen) || !strings.Contains(out, ansiRed) {
				t.Errorf("color: regdiff's own colours are gone:\n%q", out)
			}
			out = strings.NewReplacer(ansiReset, "", ansiBold, "", ansiRed, "", ansiGreen, "", ansiYellow, "", ansiCyan, "").Replace(out)
		}
		for i, c := range []byte(out) {
			if c < 0x20 && c != '\n' && c != '\t' || c == 0x7f || c == 0xc2 && i+1 < len(out) && out[i+1] <= 0x9f || c == 0xff {
				t.Errorf("%s: raw byte %#x at %q", name, c, out[max(0, i-20):min(len(out), i+20)])
				break
			}
		}
		want := `\x1b]0;PWNED\x07\x1b[2J\u009b31m\x7f\xff`
		switch name {
		case "markdown":
			want = `\\x1b\]0;PWNED\\x07\\x1b\[2J\\u009b31m\\x7f\\xff`
		case "json":
			want = `\u001b]0;PWNED\u0007\u001b[2J\u009b31m\u007f\ufffd`
		}
		if n := strings.Count(out, want); n < 8 {
			t.Errorf("%s: %q %d times, want it for every field:\n%s", name, want, n, out)
		}
	}
}

// TestEscapeJSONControls checks that DEL and the C1 controls in JSON
// strings become \u escapes and nothing else changes.
func TestEscapeJSONControls(t *testing.T) {
	var b bytes.Buffer
	if err := EncodeJSON(&b, []string{"a\u009b\u0080\u009f\u00a0é\x7f\x1b"}); err != nil {
		t.Fatal(err)
	}
	if got, want := b.String(), "[\n  \"a\\u009b\\u0080\\u009f\u00a0é\\u007f\\u001b\"\n]\n"; got != want {
		t.Errorf("got %q, want %q", got, want)
	}
}

package history

import (
	"bytes"
	"strings"
	"testing"

	"github.com/regdiff/regdiff/snapshots/record"
)

// TestWriteTextEscapesControls builds the history of a port whose records
// hold what no parser accepts any more (ESC, BEL, a C1 CSI, DEL), as a
// store written before might hold, and checks that the text shows them
// escaped, in colour too, and keeps its own colours.
func TestWriteTextEscapesControls(t *testing.T) {
	const evil = "\x1b]0;PWNED\x07\x1b[2J\u009b31m\x7f"
	v1 := []record.Record{{Name: "evil" + evil, Protocol: "tcp", Number: "7", Description: "Old " + evil, Contact: []string{"person:" + evil}}}
	v2 := []record.Record{{Name: "evil" + evil, Protocol: "tcp", Number: "7", Description: "New " + evil, Contact: []string{"person:" + evil}},
		{Name: "more" + evil, Protocol: "tcp", Number: "8", Description: "Added " + evil}}
	s := newStore(t, []version{{"2020-01-01", v1}, {"2020-02-01", v2}})
	for _, query := range []string{"7", "7-8/tcp"} {
		h := build(t, s, query)
		for _, color := range []bool{false, true} {
			var b bytes.Buffer
			if err := WriteText(&b, h, color); err != nil {
				t.Fatal(err)
			}
			out := b.String()
			if color && !strings.Contains(out, ansiBold) {
				t.Errorf("%s: regdiff's own colours are gone:\n%q", query, out)
			}
			out = strings.NewReplacer(ansiReset, "", ansiBold, "", ansiDim, "", ansiRed, "", ansiGreen, "", ansiYellow, "", ansiCyan, "").Replace(out)
			if i := strings.IndexFunc(out, func(r rune) bool { return r < 0x20 && r != '\n' || 0x7f <= r && r <= 0x9f }); i >= 0 {
				t.Errorf("%s (color %v): a raw control character at %q", query, color, out[max(0, i-20):min(len(out), i+20)])
			}
			if !strings.Contains(out, `\x1b]0;PWNED\x07\x1b[2J\u009b31m\x7f`) {
				t.Errorf("%s: want the controls shown escaped:\n%s", query, out)
			}
		}
	}
}

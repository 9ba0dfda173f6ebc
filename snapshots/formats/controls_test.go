package formats

import (
	"errors"
	"strings"
	"testing"

	"github.com/regdiff/regdiff/snapshots/record"
)

// hostile is a description that retitles and clears a terminal that
// prints it raw.
const hostile = "Evil \x1b]0;PWNED\x07\x1b[2J here"

// TestParsersRefuseControls checks that every parser refuses a control
// character as the XML parser does, naming its line, and accepts the same
// document with printable text in its place; white space other parsers
// have always read (form feed, vertical tab) and C1 controls, which XML
// allows, stay text, left to the renderers to escape (record.Printable).
func TestParsersRefuseControls(t *testing.T) {
	for _, tc := range []struct {
		name  string
		parse func([]byte) (*record.Registry, error)
		doc   func(desc string) string
		line  int
		msg   string // for the ESC; the XML parser refuses it in its own words
	}{
		{"xml", ParseXML, func(d string) string {
			return xmlDoc("<record><name>a</name><number>1</number><description>" + d + "</description></record>")
		}, 4, "character U+001B is not allowed"},
		{"csv", ParseCSV, func(d string) string { return csvHead2019 + "a,1,tcp,\"" + d + "\",,,,,,,,\n" }, 2, "character U+001B is not allowed"},
		{"text-rendering", ParseTextRendering, func(d string) string {
			return trServicesDoc([]string{"a", "1", "tcp", d, "", "", "", "", "", "", "", ""})
		}, 0, "character U+001B is not allowed"},
		{"port-numbers", ParsePortNumbers, func(d string) string {
			return "(last updated 2004-01-08)\n\nfoo   7/tcp  " + d + "\n"
		}, 3, "character U+001B is not allowed"},
		{"protocol-numbers-text", ParseProtocolNumbersText, func(d string) string {
			return "Decimal    Keyword     Protocol   References\n   6     TCP     " + d + "   [Z]\n"
		}, 2, "character U+001B is not allowed"},
		{"rfc", ParseRFC, func(d string) string { return "   foo   7/tcp   " + d + "   [JBP]\n" }, 1, "character U+001B is not allowed"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			for _, ok := range []string{"Fine text", "Form\ffeed", "C1 \u009b31m kept"} {
				if tc.name == "xml" && strings.ContainsAny(ok, "\f") {
					continue // XML refuses the form feed, as it always has
				}
				reg, err := tc.parse([]byte(tc.doc(ok)))
				if err != nil {
					t.Fatalf("%q: %v", ok, err)
				}
				if len(reg.Records) == 0 || !strings.Contains(descriptions(reg), strings.ReplaceAll(ok, "\f", " ")) {
					t.Errorf("%q: got records %q", ok, descriptions(reg))
				}
			}
			doc := tc.doc(hostile)
			line := tc.line
			if line == 0 {
				line = 1 + strings.Count(doc[:strings.Index(doc, "\x1b")], "\n")
			}
			for _, bad := range []string{hostile, "bell\x07", "back\bspace", "\x01"} {
				reg, err := tc.parse([]byte(tc.doc(bad)))
				var pe *ParseError
				if !errors.As(err, &pe) {
					t.Fatalf("%q: got %v, %v; want a *ParseError", bad, reg, err)
				}
				if pe.Line != line || !strings.Contains(pe.Msg, "is not allowed") {
					t.Errorf("%q: got line %d %q, want line %d, \"is not allowed\"", bad, pe.Line, pe.Msg, line)
				}
				if bad == hostile && !strings.Contains(pe.Msg, tc.msg) {
					t.Errorf("got %q, want %q", pe.Msg, tc.msg)
				}
				if strings.ContainsAny(err.Error(), "\x1b\x07\b\x01") {
					t.Errorf("the error holds the control character: %q", err)
				}
			}
		})
	}
}

// TestParseRefusesControls checks the same through Parse, which recognizes
// the format first, and U+FFFE and U+FFFF, which XML refuses too.
func TestParseRefusesControls(t *testing.T) {
	for _, d := range []string{hostile, "x\uffffy", "x\ufffey"} {
		_, err := Parse([]byte(csvHead2019 + "a,1,tcp,\"" + d + "\",,,,,,,,\n"))
		var pe *ParseError
		if !errors.As(err, &pe) || pe.Line != 2 || !strings.Contains(pe.Msg, "is not allowed") {
			t.Errorf("%q: got %v, want line 2: ... is not allowed", d, err)
		}
	}
}

func descriptions(reg *record.Registry) string {
	var ds []string
	for _, r := range reg.Records {
		ds = append(ds, r.Description)
	}
	return strings.Join(ds, "|")
}

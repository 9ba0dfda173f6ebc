package formats

import (
	"fmt"
	"strings"
	"testing"
	"unicode/utf8"

	"github.com/regdiff/regdiff/snapshots/record"
)

// checkCollapsed requires every text field of every record to equal
// Collapse of itself, and so to hold no control character below 0x20:
// what every parser must give.
func checkCollapsed(t *testing.T, reg *record.Registry) {
	t.Helper()
	for i := range reg.Records {
		r := &reg.Records[i]
		texts := []string{r.Table, r.Name, r.Protocol, r.Number, r.Description, r.Registered, r.Modified, r.Note, r.Unauthorized, r.ServiceCode}
		texts = append(texts, r.Refs...)
		texts = append(texts, r.Assignee...)
		texts = append(texts, r.Contact...)
		for k, v := range r.Other {
			texts = append(texts, k, v)
		}
		for _, s := range texts {
			if record.Collapse(s) != s {
				t.Fatalf("record %d %+v: text %q is not collapsed (want %q)", i, r.Key(), s, record.Collapse(s))
			}
			// Collapsed, text holds no white space but the space, so a byte
			// below 0x20 is a control character a parser let through.
			if j := strings.IndexFunc(s, func(r rune) bool { return r < 0x20 }); j >= 0 {
				t.Fatalf("record %d %+v: text %q holds the control character %U", i, r.Key(), s, s[j])
			}
		}
	}
}

// TestXMLWhiteSpaceAgreesWithCollapse checks that the XML parser, which
// collapses white space in its scanner rather than through Collapse,
// counts as white space exactly what Collapse does: for every byte its
// scanner class, and for every byte and a set of Unicode spaces, written
// raw or as a character reference, in element text and in an attribute,
// the text it gives is Collapse of the text written. What XML forbids
// (the form feed and vertical tab among others) is refused instead.
func TestXMLWhiteSpaceAgreesWithCollapse(t *testing.T) {
	for c := 0; c < 256; c++ {
		space := record.Collapse("a"+string(rune(c))+"b") == "a b" && c < utf8.RuneSelf
		switch cls := xmlClass[c]; {
		case cls == xcSpace && !space:
			t.Errorf("byte %#02x: the XML scanner counts it as white space, Collapse does not", c)
		case space && cls != xcSpace && cls != xcCtrl:
			t.Errorf("byte %#02x: Collapse counts it as white space, the XML scanner neither does nor refuses it (class %d)", c, cls)
		}
	}
	var runes []rune
	for r := rune(0); r < 0x80; r++ {
		runes = append(runes, r)
	}
	// Every rune unicode.IsSpace accepts above ASCII, and a few that look
	// like spaces.
	runes = append(runes, 0x85, 0xa0, 0x1680, 0x180e, 0x2000, 0x2001, 0x2002, 0x2003, 0x2004, 0x2005, 0x2006,
		0x2007, 0x2008, 0x2009, 0x200a, 0x200b, 0x2028, 0x2029, 0x202f, 0x205f, 0x3000, 0xfeff)
	for _, r := range runes {
		for _, form := range []string{"raw", "decimal", "hex"} {
			var w string
			switch form {
			case "raw":
				w = string(r)
				if r == '<' || r == '&' {
					continue // markup, not text
				}
			case "decimal":
				w = fmt.Sprintf("&#%d;", r)
			case "hex":
				w = fmt.Sprintf("&#x%X;", r)
			}
			text := string(r)
			for _, tc := range []struct {
				where, doc string
				got        func(*record.Record) string
				want       string
			}{
				{"text", `<record><name>n</name><description>` + w + `a` + w + w + `b` + w + `</description></record>`,
					func(r *record.Record) string { return r.Description }, record.Collapse(text + "a" + text + text + "b" + text)},
				{"attribute", `<record><name>n</name><xref type="t" data="` + w + `a` + w + w + `b` + w + `"/></record>`,
					func(r *record.Record) string { return strings.Join(r.Refs, "|") }, "t:" + record.Collapse(text+"a"+text+text+"b"+text)},
			} {
				if tc.where == "attribute" && form == "raw" && r == '"' {
					continue // ends the value
				}
				reg, err := ParseXML([]byte(xmlDoc(tc.doc)))
				if err != nil {
					if r < 0x20 && r != '\t' && r != '\n' && r != '\r' {
						continue // XML forbids it (the form feed and vertical tab among others), so no text holds one
					}
					t.Errorf("%U %s in %s: refused: %v", r, form, tc.where, err)
					continue
				}
				if len(reg.Records) != 1 {
					t.Fatalf("%U %s in %s: got %d records", r, form, tc.where, len(reg.Records))
				}
				if got := tc.got(&reg.Records[0]); got != tc.want {
					t.Errorf("%U %s in %s: got %q, want %q (Collapse of the text written)", r, form, tc.where, got, tc.want)
				}
			}
		}
	}
}

// TestParsersKeepNoBreakSpace checks that every parser keeps a no-break
// space as text, at the edges of a field too, where trimming with
// strings.TrimSpace (Unicode white space) used to drop it.
func TestParsersKeepNoBreakSpace(t *testing.T) {
	last := func(reg *record.Registry) *record.Record { return &reg.Records[len(reg.Records)-1] }
	tests := []struct {
		name  string
		parse func([]byte) (*record.Registry, error)
		input string
		got   func(*record.Registry) string
		want  string
	}{
		{"port-numbers contact", ParsePortNumbers,
			"(last updated 2004-01-08)\n\nfoo   7/tcp   Foo\n#   \u00a0Jon Postel <postel@isi.edu> May 2004\n",
			func(r *record.Registry) string { return strings.Join(last(r).Contact, "|") }, "\u00a0Jon Postel <postel@isi.edu>"},
		{"port-numbers description continued", ParsePortNumbers,
			"(last updated 2004-01-08)\n\nfoo   7/tcp   Foo\n                 bar\u00a0\n",
			func(r *record.Registry) string { return last(r).Description }, "Foo bar\u00a0"},
		{"protocol-numbers description continued", ParseProtocolNumbersText,
			"Decimal    Keyword     Protocol   References\n  1  A  B  [C]\n        \u00a0more\u00a0 [F]\n",
			func(r *record.Registry) string { return last(r).Description }, "B \u00a0more\u00a0"},
		{"csv bracketed items", ParseCSV,
			csvHead2019 + "x,1,tcp,X,[\u00a0A],[B\u00a0],,,[\u00a0RFC1 ],,,\n",
			func(r *record.Registry) string {
				return strings.Join(last(r).Assignee, "|") + " " + strings.Join(last(r).Contact, "|") + " " + strings.Join(last(r).Refs, "|")
			}, "person:\u00a0A person:B\u00a0 text:\u00a0RFC1"},
		{"text rendering cell", ParseTextRendering,
			trServicesDoc([]string{"a", "1", "tcp", "\u00a0x y\u00a0", "[A]", "[B]", "", "", ""}),
			func(r *record.Registry) string { return last(r).Description }, "\u00a0x y\u00a0"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			reg, err := tt.parse([]byte(tt.input))
			if err != nil {
				t.Fatal(err)
			}
			if got := tt.got(reg); got != tt.want {
				t.Errorf("got %q, want %q", got, tt.want)
			}
		})
	}
}

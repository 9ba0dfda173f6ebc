package snapshots

import (
	"errors"
	"os"
	"path/filepath"
	"testing"
)

// FuzzParseXML checks that ParseXML never panics, fails only with a
// *ParseError, accepts nothing that encoding/xml finds malformed, and, when
// it accepts, agrees with the naive encoding/xml reader.
func FuzzParseXML(f *testing.F) {
	for _, pattern := range []string{"*.xml", "bad/*.xml"} {
		files, err := filepath.Glob(filepath.Join("testdata", "xml", pattern))
		if err != nil {
			f.Fatal(err)
		}
		for _, file := range files {
			data, err := os.ReadFile(file)
			if err != nil {
				f.Fatal(err)
			}
			f.Add(data)
		}
	}
	f.Add([]byte(xmlDoc(`<record date="2006-03"><name>a&amp;b<br/>c</name><xref type="rfc" data="rfc1"/><note>x<xref type="rfc" data="rfc2">t</xref></note><![CDATA[z]]><!--c--><?pi?></record>`)))
	f.Fuzz(func(t *testing.T, data []byte) {
		reg, err := ParseXML(data)
		if err != nil {
			var pe *ParseError
			if !errors.As(err, &pe) || pe.Line < 1 {
				t.Fatalf("got error %T %v, want a *ParseError with a line", err, err)
			}
			return
		}
		if err := xmlWellFormed(data); err != nil {
			t.Fatalf("ParseXML accepted input that encoding/xml refuses: %v", err)
		}
		if err := diffNaive(data, reg); err != nil {
			t.Fatal(err)
		}
	})
}

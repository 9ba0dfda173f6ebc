package formats

import (
	"testing"
)

// FuzzParseXML checks that ParseXML never panics, fails only with a
// *ParseError, accepts nothing that encoding/xml finds malformed, and, when
// it accepts, agrees with the naive encoding/xml reader and gives text
// fields that are each Collapse of themselves (the scanner collapses white
// space inline, by the same rule).
func FuzzParseXML(f *testing.F) {
	addFixtures(f, "xml/*.xml", "xml/bad/*.xml")
	f.Add([]byte(xmlDoc(`<record><name>a&#160;b</name><description>&#xA0; x&#9;&#10;y&#13;&#32;</description><xref type=" t " data="&#x85;d&#xa0; "/><note>` + "\u00a0\u2028 z\u3000" + `</note></record>`)))
	f.Add([]byte(xmlDoc(`<record date="2006-03"><name>a&amp;b<br/>c</name><xref type="rfc" data="rfc1"/><note>x<xref type="rfc" data="rfc2">t</xref></note><![CDATA[z]]><!--c--><?pi?></record>`)))
	f.Fuzz(func(t *testing.T, data []byte) {
		reg, err := ParseXML(data)
		if err != nil {
			checkParseError(t, err, data)
			return
		}
		if err := xmlWellFormed(data); err != nil {
			t.Fatalf("ParseXML accepted input that encoding/xml refuses: %v", err)
		}
		if err := diffNaive(data, reg); err != nil {
			t.Fatal(err)
		}
		checkCollapsed(t, reg)
	})
}

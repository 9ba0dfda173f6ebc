package formats

import (
	"bytes"
	"encoding/xml"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"

	"github.com/regdiff/regdiff/internal/shareddata"
	"github.com/regdiff/regdiff/snapshots/record"
)

// TestParseXMLGolden parses the fixtures under testdata/xml and compares the
// result, as JSON, with the golden file beside each.
func TestParseXMLGolden(t *testing.T) {
	files, err := filepath.Glob(filepath.Join("testdata", "xml", "*.xml"))
	if err != nil || len(files) == 0 {
		t.Fatalf("no fixtures: %v", err)
	}
	for _, file := range files {
		t.Run(filepath.Base(file), func(t *testing.T) {
			data, err := os.ReadFile(file)
			if err != nil {
				t.Fatal(err)
			}
			reg, err := ParseXML(data)
			if err != nil {
				t.Fatalf("ParseXML: %v", err)
			}
			checkGolden(t, reg, strings.TrimSuffix(file, ".xml")+".json")
			checkSameAsNaive(t, data, reg)
		})
	}
}

// checkSameAsNaive requires that the naive encoding/xml reader finds the
// same registry in data as ParseXML did.
func checkSameAsNaive(t *testing.T, data []byte, got *record.Registry) {
	t.Helper()
	if err := diffNaive(data, got); err != nil {
		t.Fatal(err)
	}
}

func diffNaive(data []byte, got *record.Registry) error {
	want, err := naiveXML(data)
	if err != nil {
		return fmt.Errorf("ParseXML accepted what the naive reader refuses: %v", err)
	}
	if got.ID != want.ID || got.Title != want.Title || got.Updated != want.Updated || got.Format != want.Format {
		return fmt.Errorf("got registry %q %q %q %q, want %q %q %q %q", got.ID, got.Title, got.Updated, got.Format,
			want.ID, want.Title, want.Updated, want.Format)
	}
	for i := range min(len(got.Records), len(want.Records)) {
		if !reflect.DeepEqual(got.Records[i], want.Records[i]) {
			return fmt.Errorf("record %d:\ngot  %#v\nwant %#v", i, got.Records[i], want.Records[i])
		}
	}
	if len(got.Records) != len(want.Records) {
		return fmt.Errorf("got %d records, want %d", len(got.Records), len(want.Records))
	}
	if !reflect.DeepEqual(got.Items, want.Items) {
		return fmt.Errorf("items:\ngot  %#v\nwant %#v", got.Items, want.Items)
	}
	if !reflect.DeepEqual(got.People, want.People) {
		return fmt.Errorf("people:\ngot  %#v\nwant %#v", got.People, want.People)
	}
	return nil
}

// A minimal registry around some records.
func xmlDoc(records string) string {
	return `<?xml version='1.0' encoding='UTF-8'?>
<registry xmlns="http://www.iana.org/assignments" id="test">
  <updated>2024-03-18</updated>
` + records + `
</registry>
`
}

func TestParseXMLText(t *testing.T) {
	for _, tc := range []struct {
		name, desc, want string
	}{
		{"plain", "Echo", "Echo"},
		{"collapse", "  a \t b\r\n c\n\n  ", "a b c"},
		{"br", "a<br/>b", "a b"},
		{"br runs", "whois++<br/><br/>\nIANA assigned", "whois++ IANA assigned"},
		{"br with content", "a<br>b</br>c", "a b c"},
		{"inline xref", `see <xref type="rfc" data="rfc6335"/>.`, "see [rfc6335]."},
		{"inline xref text dropped", `<xref type="rfc" data="rfc8765">RFC8765, Section 6.1</xref>`, "[rfc8765]"},
		{"inline xref data collapsed", `<xref type="rfc" data=" rfc  1 "/>`, "[rfc 1]"},
		{"inline xref without data", `a <xref type="text">plain  text</xref> b`, "a plain text b"},
		{"paragraphs", "<paragraph>a</paragraph>\n<paragraph>b <xref type=\"rfc\" data=\"rfc1\"/></paragraph>", "a b [rfc1]"},
		{"adjacent elements", "<paragraph>a</paragraph><paragraph>b</paragraph>", "ab"},
		{"entities", "&lt;&gt;&amp;&quot;&apos;", `<>&"'`},
		{"character references", "&#65;&#x42;&#x00e9;&#x1F600;", "ABé😀"},
		{"white space references", "a&#10;&#9; &#x20;b&#13;", "a b"},
		{"no-break space kept", "a&#160;b\u00a0c", "a\u00a0b\u00a0c"},
		{"cdata", "<![CDATA[a <b>  &amp; ]]]]>", "a <b> &amp; ]]"},
		{"comment", "a<!-- x - y -->b", "ab"},
		{"processing instruction", "a<?pi x?>b", "ab"},
		{"utf-8", "Zürich – 東京", "Zürich – 東京"},
		{"empty", "", ""},
		{"only white space", " \n\t ", ""},
		{"greater than", "a > b ]] c ]>", "a > b ]] c ]>"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			data := []byte(xmlDoc("<record><description>" + tc.desc + "</description></record>"))
			reg, err := ParseXML(data)
			if err != nil {
				t.Fatalf("ParseXML: %v", err)
			}
			if got := reg.Records[0].Description; got != tc.want {
				t.Errorf("got %q, want %q", got, tc.want)
			}
			checkSameAsNaive(t, data, reg)
		})
	}
}

func TestParseXMLFields(t *testing.T) {
	for _, tc := range []struct {
		name, record string
		want         record.Record
	}{
		{"order does not matter",
			`<record><number>7</number><description>Echo</description><protocol>udp</protocol><name>echo</name></record>`,
			record.Record{Name: "echo", Protocol: "udp", Number: "7", Description: "Echo"}},
		{"value when no number",
			`<record><value>9</value><number/></record>`,
			record.Record{Number: "9"}},
		{"number and value",
			`<record><value>9</value><number>10</number></record>`,
			record.Record{Number: "10", Other: map[string]string{"value": "9"}}},
		{"xrefs",
			`<record><xref type="person" data="Jon_Postel"/><xref type="rfc" data="rfc959"/><xref type="text">n/a</xref><xref type="uri" data="u">label</xref><xref type="rfc"/></record>`,
			record.Record{Contact: []string{"person:Jon_Postel"}, Refs: []string{"rfc:rfc959", "text:n/a", "uri:u", "rfc:"}}},
		{"assignee",
			`<record><assignee> x <xref type="person" data="IESG"/><org>ignored</org><xref type="uri" data="https://example.org"/></assignee><xref type="person" data="IETF_Chair"/></record>`,
			record.Record{Assignee: []string{"person:IESG", "uri:https://example.org"}, Contact: []string{"person:IETF_Chair"}}},
		{"attributes",
			`<record date="2006-03" updated='2021-10-01' other="x"/>`,
			record.Record{Registered: "2006-03", Modified: "2021-10-01"}},
		{"repeated fields joined",
			`<record><note>one</note><name>a</name><note/><note> two </note><name>b</name></record>`,
			record.Record{Name: "a b", Note: "one two"}},
		{"other elements",
			`<record><ipv6>Y</ipv6><x/><y>1</y><y>2</y><sc>123</sc><unauthorized>u</unauthorized></record>`,
			record.Record{ServiceCode: "123", Unauthorized: "u", Other: map[string]string{"ipv6": "Y", "x": "", "y": "1 2"}}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			data := []byte(xmlDoc(tc.record))
			reg, err := ParseXML(data)
			if err != nil {
				t.Fatalf("ParseXML: %v", err)
			}
			if len(reg.Records) != 1 || !reflect.DeepEqual(reg.Records[0], tc.want) {
				t.Errorf("got %#v, want %#v", reg.Records, tc.want)
			}
			checkSameAsNaive(t, data, reg)
		})
	}
}

func TestParseXMLErrors(t *testing.T) {
	deep := xmlDoc(strings.Repeat("<a>", 300) + strings.Repeat("</a>", 300))
	for _, tc := range []struct {
		name, file, input string
		line              int
		msg               string
	}{
		{name: "truncated", file: "truncated.xml", line: 22, msg: "unexpected end of file: <record> from line 19 is not closed"},
		{name: "html", file: "html.xml", line: 1, msg: "root element is <html>, not <registry>"},
		{name: "doctype", file: "doctype.xml", line: 2, msg: "<!DOCTYPE is refused"},
		{name: "mismatched", file: "mismatched.xml", line: 7, msg: "<description> from line 7 closed by </number>"},
		{name: "wrong root", file: "wrong-root.xml", line: 2, msg: "root element is <registries>"},
		{name: "no id", file: "no-id.xml", line: 2, msg: "root <registry> has no id attribute"},
		{name: "bad entity", file: "bad-entity.xml", line: 5, msg: `invalid character entity "&eacute;"`},

		{name: "empty", input: "", line: 1, msg: "no root element"},
		{name: "white space only", input: "\n\n", line: 3, msg: "no root element"},
		{name: "html doctype", input: "<!doctype html>\n<html></html>", line: 1, msg: "<!DOCTYPE is refused"},
		{name: "entity declaration alone", input: `<!ENTITY x "y">`, line: 1, msg: "invalid markup"},
		{name: "empty updated", input: `<registry id="x"><updated/></registry>`, line: 1, msg: `root <updated> is "", want a date`},
		{name: "bad date", input: `<registry id="x"><updated>18 March 2024</updated></registry>`, line: 1, msg: `root <updated> is "18 March 2024"`},
		{name: "two updated", input: "<registry id='x'>\n<updated>2024-03-18</updated>\n<updated>2024-03-19</updated></registry>", line: 3, msg: "more than one <updated>"},
		{name: "nested registry without id", input: xmlDoc("<registry><record/></registry>"), line: 4, msg: "nested <registry> has no id"},
		{name: "record in record", input: xmlDoc("<record><note><record/></note></record>"), line: 4, msg: "<record> inside <note>"},
		{name: "registry in record", input: xmlDoc("<record><registry id='y'/></record>"), line: 4, msg: "<registry> inside <record>"},
		{name: "record in title", input: "<registry id='x'><title><record/></title></registry>", line: 1, msg: "<record> inside <title>"},
		{name: "unclosed root", input: "<registry id='x'>\n<updated>2024-03-18</updated>\n", line: 3, msg: "<registry> from line 1 is not closed"},
		{name: "end tag first", input: "</registry>", line: 1, msg: "end tag </registry> without a start tag"},
		{name: "stray end tag", input: "<registry id='x'><updated>2024-03-18</updated></record></registry>", line: 1, msg: "<registry> from line 1 closed by </record>"},
		{name: "second root", input: xmlDoc("") + "<registry id='y'/>", line: 6, msg: "markup after the end of the root element"},
		{name: "text after root", input: xmlDoc("") + "junk", line: 6, msg: "text outside the root element"},
		{name: "text before root", input: "junk<registry/>", line: 1, msg: "text outside the root element"},
		{name: "cdata outside root", input: "<![CDATA[x]]><registry/>", line: 1, msg: "CDATA section outside the root element"},
		{name: "unterminated comment", input: "<registry id='x'><!-- ", line: 1, msg: "unexpected end of file in a comment"},
		{name: "double dash in comment", input: "<registry id='x'><!-- a -- b --></registry>", line: 1, msg: `"--" inside a comment`},
		{name: "unterminated cdata", input: "<registry id='x'><![CDATA[ ", line: 1, msg: "unexpected end of file in a CDATA section"},
		{name: "unterminated tag", input: "<registry id='x'", line: 1, msg: "unexpected end of file in the <registry> tag"},
		{name: "unterminated attribute", input: "<registry id='x>", line: 1, msg: "unexpected end of file in attribute id of <registry>"},
		{name: "lone <", input: "<registry id='x'><", line: 1, msg: "unexpected end of file after <"},
		{name: "unquoted attribute", input: "<registry id=x>", line: 1, msg: "attribute id of <registry> is not quoted"},
		{name: "attribute without value", input: "<registry id>", line: 1, msg: "attribute id of <registry> has no value"},
		{name: "repeated attribute", input: "<registry id='x' id='y'>", line: 1, msg: "attribute id repeated in <registry>"},
		{name: "no space between attributes", input: "<registry id='x'a='y'>", line: 1, msg: `invalid character 'a' in the <registry> tag`},
		{name: "< in attribute", input: "<registry id='<'>", line: 1, msg: "< in an attribute value"},
		{name: "prefixed element", input: "<x:registry id='x'>", line: 1, msg: `invalid character ':' in the <x> tag`},
		{name: "bad name", input: "<registry id='x'><1a/>", line: 1, msg: `invalid name at "1a/>"`},
		{name: "name too long", input: "<registry id='x'><" + strings.Repeat("a", 300) + "/>", line: 1, msg: "name longer than 256 bytes"},
		{name: "attribute too long", input: "<registry id='" + strings.Repeat("a", 70000) + "'>", line: 1, msg: "attribute id of <registry> is longer than 65536 bytes"},
		{name: "too deep", input: deep, line: 4, msg: "elements nested more than 256 deep"},
		{name: "invalid utf-8", input: xmlDoc("<record><name>\xff</name></record>"), line: 4, msg: "invalid UTF-8"},
		{name: "control character", input: xmlDoc("<record><name>\x01</name></record>"), line: 4, msg: "character U+0001 is not allowed"},
		{name: "noncharacter", input: xmlDoc("<record><name>\uffff</name></record>"), line: 4, msg: "character U+FFFF is not allowed"},
		{name: "]]> in text", input: xmlDoc("<record><name>a]]>b</name></record>"), line: 4, msg: `"]]>" outside a CDATA section`},
		{name: "entity without semicolon", input: xmlDoc("<record><name>AT&amp T</name></record>"), line: 4, msg: `invalid character entity "&amp"`},
		{name: "bare ampersand", input: xmlDoc("<record><name>AT&T</name></record>"), line: 4, msg: `invalid character entity "&T"`},
		{name: "character reference to NUL", input: xmlDoc("<record><name>&#0;</name></record>"), line: 4, msg: `invalid character entity "&#0;"`},
		{name: "character reference to surrogate", input: xmlDoc("<record><name>&#xD800;</name></record>"), line: 4, msg: `invalid character entity "&#xD800;"`},
		{name: "character reference too large", input: xmlDoc("<record><name>&#99999999999;</name></record>"), line: 4, msg: `invalid character entity "&#99999999999;"`},
		{name: "upper-case X in reference", input: xmlDoc("<record><name>&#X41;</name></record>"), line: 4, msg: `invalid character entity "&#X"`},
		{name: "empty reference", input: xmlDoc("<record><name>&#;</name></record>"), line: 4, msg: `invalid character entity "&#;"`},
		{name: "entity in attribute", input: "<registry id='&nbsp;'>", line: 1, msg: `invalid character entity "&nbsp;"`},
		{name: "latin-1", input: "<?xml version='1.0' encoding='ISO-8859-1'?><registry id='x'/>", line: 1, msg: `unsupported encoding "ISO-8859-1"`},
		{name: "xml 1.1", input: "<?xml version='1.1'?><registry id='x'/>", line: 1, msg: `unsupported XML version "1.1"`},
		{name: "bad declaration", input: "<?xml encoding='utf-8'?><registry id='x'/>", line: 1, msg: "invalid XML declaration"},
		{name: "late declaration", input: "\n<?xml version='1.0'?><registry id='x'/>", line: 2, msg: "XML declaration not at the start"},
		{name: "bad processing instruction", input: "<?pi\x01?><registry id='x'/>", line: 1, msg: "invalid processing instruction <?pi"},
		{name: "unterminated processing instruction", input: "<?pi x", line: 1, msg: "unexpected end of file in processing instruction <?pi"},
		{name: "end tag with junk", input: "<registry id='x'></registry x>", line: 1, msg: `invalid character 'x' in the </registry> tag`},
	} {
		t.Run(tc.name, func(t *testing.T) {
			data := []byte(tc.input)
			if tc.file != "" {
				var err error
				if data, err = os.ReadFile(filepath.Join("testdata", "xml", "bad", tc.file)); err != nil {
					t.Fatal(err)
				}
			}
			reg, err := ParseXML(data)
			if err == nil {
				t.Fatalf("got %d records and no error, want %q", len(reg.Records), tc.msg)
			}
			var pe *ParseError
			if !errors.As(err, &pe) {
				t.Fatalf("got %T %v, want a *ParseError", err, err)
			}
			if pe.Line != tc.line || !strings.Contains(pe.Msg, tc.msg) {
				t.Errorf("got %q, want line %d: …%s…", err, tc.line, tc.msg)
			}
			if want := fmt.Sprintf("line %d: %s", pe.Line, pe.Msg); err.Error() != want {
				t.Errorf("got Error() %q, want %q", err.Error(), want)
			}
		})
	}
}

// TestParseXMLRepeatedElements parses a record with very many repeated and
// distinct elements, which would take minutes if joining them were
// quadratic.
func TestParseXMLRepeatedElements(t *testing.T) {
	const n = 100000
	var b strings.Builder
	b.WriteString("<record>")
	for i := range n {
		fmt.Fprintf(&b, "<note>n</note><name>a</name><e%d>x</e%d>", i, i)
	}
	b.WriteString("</record>")
	reg, err := ParseXML([]byte(xmlDoc(b.String())))
	if err != nil {
		t.Fatal(err)
	}
	r := reg.Records[0]
	if len(r.Note) != 2*n-1 || len(r.Name) != 2*n-1 || len(r.Other) != n || r.Other["e99"] != "x" {
		t.Errorf("got note of %d bytes, name of %d, %d other, want %d, %d, %d", len(r.Note), len(r.Name), len(r.Other), 2*n-1, 2*n-1, n)
	}
}

func TestParseXMLDoesNotKeepInput(t *testing.T) {
	data := []byte(xmlDoc(`<record><name>echo</name><description>Echo</description><xref type="person" data="Jon_Postel"/></record>`))
	reg, err := ParseXML(data)
	if err != nil {
		t.Fatal(err)
	}
	for i := range data {
		data[i] = 'X'
	}
	r := reg.Records[0]
	if r.Name != "echo" || r.Description != "Echo" || r.Contact[0] != "person:Jon_Postel" || reg.ID != "test" {
		t.Errorf("got %#v after overwriting the input", r)
	}
}

// TestParseXMLRealData checks ParseXML against the naive encoding/xml reader
// and a count of "<record" on real versions of both registries.
func TestParseXMLRealData(t *testing.T) {
	for _, registry := range []string{"service-names-port-numbers", "protocol-numbers"} {
		vs := shareddata.Versions(t, registry)
		if registry == "service-names-port-numbers" {
			vs = shareddata.Sample(vs, 10)
		}
		for _, v := range vs {
			t.Run(registry+"/"+v.Date+"/"+v.Commit[:8], func(t *testing.T) {
				t.Parallel()
				data := shareddata.Read(t, v)
				reg, err := ParseXML(data)
				if err != nil {
					t.Fatalf("ParseXML: %v", err)
				}
				if reg.ID != registry || reg.Updated != v.Date {
					t.Errorf("got id %q updated %q, want %q %q", reg.ID, reg.Updated, registry, v.Date)
				}
				if got, want := len(reg.Records), countRecordTags(data); got != want {
					t.Errorf("got %d records, want %d (the number of <record tags)", got, want)
				}
				checkSameAsNaive(t, data, reg)
			})
		}
	}
}

// countRecordTags counts "<record" followed by '>' or ' '.
func countRecordTags(data []byte) int {
	n := 0
	for i := 0; ; {
		j := bytes.Index(data[i:], []byte("<record"))
		if j < 0 {
			return n
		}
		i += j + len("<record")
		if i < len(data) && (data[i] == '>' || data[i] == ' ') {
			n++
		}
	}
}

// newestServiceNames returns the newest service-names version in the shared
// data, or skips.
func newestServiceNames(tb testing.TB) []byte {
	tb.Helper()
	vs := shareddata.Versions(tb, "service-names-port-numbers")
	return shareddata.Read(tb, vs[len(vs)-1])
}

func BenchmarkParseXML(b *testing.B) {
	data := newestServiceNames(b)
	b.SetBytes(int64(len(data)))
	b.ReportAllocs()
	for b.Loop() {
		if _, err := ParseXML(data); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkParseXMLEncodingXML is the baseline for BenchmarkParseXML: a
// straightforward decode of the same file into structs with encoding/xml.
func BenchmarkParseXMLEncodingXML(b *testing.B) {
	type xref struct {
		Type string `xml:"type,attr"`
		Data string `xml:"data,attr"`
		Text string `xml:",chardata"`
	}
	type record struct {
		Date         string   `xml:"date,attr"`
		Updated      string   `xml:"updated,attr"`
		Name         string   `xml:"name"`
		Protocol     string   `xml:"protocol"`
		Number       string   `xml:"number"`
		Value        string   `xml:"value"`
		Description  string   `xml:"description"`
		Note         []string `xml:"note"`
		Unauthorized string   `xml:"unauthorized"`
		SC           string   `xml:"sc"`
		Xref         []xref   `xml:"xref"`
		Assignee     []xref   `xml:"assignee>xref"`
	}
	type registry struct {
		ID         string     `xml:"id,attr"`
		Title      string     `xml:"title"`
		Updated    string     `xml:"updated"`
		Records    []record   `xml:"record"`
		Registries []registry `xml:"registry"`
	}
	data := newestServiceNames(b)
	b.SetBytes(int64(len(data)))
	b.ReportAllocs()
	for b.Loop() {
		var reg registry
		if err := xml.Unmarshal(data, &reg); err != nil {
			b.Fatal(err)
		}
	}
}

func ExampleParseXML() {
	reg, err := ParseXML([]byte(`<?xml version='1.0' encoding='UTF-8'?>
<registry xmlns="http://www.iana.org/assignments" id="service-names-port-numbers">
  <title>Service Name and Transport Protocol Port Number record.Registry</title>
  <updated>2024-03-18</updated>
  <record date="2006-03">
    <name>ftp</name>
    <protocol>tcp</protocol>
    <xref type="person" data="Jon_Postel"/>
    <xref type="rfc" data="rfc959"/>
    <description>File Transfer Protocol [Control]</description>
    <number>21</number>
    <note>Defined TXT keys: u=&lt;username&gt; p=&lt;password&gt;</note>
  </record>
</registry>`))
	if err != nil {
		fmt.Println(err)
		return
	}
	r := reg.Records[0]
	fmt.Println(reg.ID, reg.Updated)
	fmt.Println(r.Number, r.Protocol, r.Name, r.Registered)
	fmt.Println(r.Contact, r.Refs)
	fmt.Println(r.Note)
	// Output:
	// service-names-port-numbers 2024-03-18
	// 21 tcp ftp 2006-03
	// [person:Jon_Postel] [rfc:rfc959]
	// Defined TXT keys: u=<username> p=<password>
}

// Another kind of XML file is told from a malformed registry: a scan of an
// archive skips the first and refuses the second.
func TestNotRegistry(t *testing.T) {
	for _, tc := range []struct {
		in   string
		want bool
	}{
		{"<html><body>error</body></html>", true},
		{"<?xml version='1.0'?>\n<xsl:stylesheet/>", true},
		{"<?xml version='1.0'?>\n<!-- nothing -->\n", true},
		{"<registries id='x'/>", true},
		{"<registry id='x'><updated>2024-01-01</updated><record>", false},
		{"<registry><updated>2024-01-01</updated></registry>", false},
		{"<registry id='x'><updated>yesterday</updated></registry>", false},
	} {
		_, err := ParseXML([]byte(tc.in))
		if err == nil || errors.Is(err, ErrNotRegistry) != tc.want {
			t.Errorf("%q: %v, not a registry: %v, want %v", tc.in, err, errors.Is(err, ErrNotRegistry), tc.want)
		}
	}
	reg, err := ParseXML([]byte("<registry id='x'><title>T</title><record><value>1</value></record></registry>"))
	if err != nil || reg.Updated != "" || len(reg.Records) != 1 {
		t.Errorf("a registry without <updated>: %+v, %v", reg, err)
	}
}

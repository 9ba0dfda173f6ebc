package formats

import (
	"errors"
	"reflect"
	"strings"
	"testing"

	"github.com/regdiff/regdiff/internal/shareddata"
)

// sameAsParse parses data with ps and with Parse, and fails unless the two
// agree: the same registry, or both an error.
func sameAsParse(t testing.TB, ps *Parser, data []byte) {
	t.Helper()
	got, gerr := ps.Parse(data)
	want, werr := Parse(data)
	switch {
	case (gerr == nil) != (werr == nil):
		t.Fatalf("Parser.Parse: %v; Parse: %v", gerr, werr)
	case werr != nil:
		if gerr.Error() != werr.Error() {
			t.Fatalf("Parser.Parse: %v; Parse: %v", gerr, werr)
		}
	case !reflect.DeepEqual(got, want):
		t.Fatalf("Parser.Parse differs from Parse:\n%+v\nwant:\n%+v", got, want)
	}
}

// TestParserRemembers: a file parsed after another by a Parser, which takes
// the records whose bytes it has seen from the first, parses as Parse
// parses it alone. The pairs put the same bytes where they mean something
// else, or where "</record>" is not the record's end.
func TestParserRemembers(t *testing.T) {
	rec := `<record date="2001-01-01"><name>a</name><protocol>tcp</protocol><number>1</number><description>one</description><xref type="rfc" data="rfc1"/></record>`
	other := `<record><name>b</name><number>2</number><extra>x</extra><value>v</value></record>`
	people := func(persons string) string { return `<people>` + persons + `</people>` }
	nested := func(id, recs string) string {
		return `<registry id="` + id + `"><title>T</title>` + recs + `</registry>`
	}
	for _, tc := range []struct{ name, a, b string }{
		{"same records", xmlDoc(rec + other), xmlDoc(other + rec)},
		{"one changed", xmlDoc(rec + other), xmlDoc(rec + strings.Replace(other, ">b<", ">c<", 1))},
		{"another table", xmlDoc(nested("t1", rec)), xmlDoc(nested("t2", rec))},
		{"deeper", xmlDoc(rec), xmlDoc(`<group>` + rec + `</group>`)},
		{"comment holding an end tag", xmlDoc(`<record><name>a</name><!-- </record> --><description>d</description></record>`), xmlDoc(`<record><name>a</name><!-- </record> --><description>e</description></record>` + rec)},
		{"CDATA", xmlDoc(`<record><name><![CDATA[</record>]]></name></record>`), xmlDoc(`<record><name><![CDATA[</record>]]></name></record>`)},
		{"end tag with space", xmlDoc(strings.Replace(rec, "</record>", "</record  >", 1)), xmlDoc(strings.Replace(rec, "</record>", "</record  >", 1) + rec)},
		{"an element named like the end tag", xmlDoc(`<record><name>a</name><records>x</records></record>`), xmlDoc(`<record><name>a</name><records>x</records></record>`)},
		{"then malformed", xmlDoc(rec), xmlDoc(strings.Replace(rec, "</record>", "</recor>", 1))},
		{"self-closing", xmlDoc(`<record/>` + rec), xmlDoc(rec + `<record/>`)},
		{"people", xmlDoc(rec + people(`<person id="a"><name>A</name><org>O</org></person>`)), xmlDoc(rec + people(`<person id="b"><name>B</name></person><person id="a"><name>A</name><org>O</org></person>`))},
		{"a person changed", xmlDoc(people(`<person id="a"><name>A</name><uri>mailto:a</uri></person>`)), xmlDoc(people(`<person id="a"><name>A</name><uri>mailto:b</uri></person>`))},
		{"a person with a comment", xmlDoc(people(`<person id="a"><name>A</name><!-- </person> --></person>`)), xmlDoc(people(`<person id="a"><name>A</name><!-- </person> --></person>`))},
		{"text then records", xmlDoc(rec), xmlDoc(`<record><name>z</name><description>` + strings.Repeat("long text ", 4000) + `</description></record>` + rec)},
	} {
		t.Run(tc.name, func(t *testing.T) {
			var ps Parser
			sameAsParse(t, &ps, []byte(tc.a))
			sameAsParse(t, &ps, []byte(tc.b))
			sameAsParse(t, &ps, []byte(tc.a))
			sameAsParse(t, &ps, []byte(tc.a))
		})
	}
}

// TestParserResultsShareNoMap: a caller that changes a record's Other map
// changes no other version's record.
func TestParserResultsShareNoMap(t *testing.T) {
	data := []byte(xmlDoc(`<record><name>b</name><number>2</number><extra>x</extra></record><people><person id="p"><extra>y</extra></person></people>`))
	var ps Parser
	for i := range 3 {
		reg, err := ps.Parse(data)
		if err != nil {
			t.Fatal(err)
		}
		if got := reg.Records[0].Other["extra"]; got != "x" {
			t.Errorf("parse %d: the record's extra = %q, want x", i, got)
		}
		if got := reg.People[0].Other["extra"]; got != "y" {
			t.Errorf("parse %d: the person's extra = %q, want y", i, got)
		}
		reg.Records[0].Other["extra"] = "changed"
		reg.People[0].Other["extra"] = "changed"
	}
}

// FuzzParserRemembers: whatever two files are parsed in turn, the second
// parses as Parse parses it alone.
func FuzzParserRemembers(f *testing.F) {
	rec := `<record><name>a</name><number>1</number></record>`
	f.Add([]byte(xmlDoc(rec)), []byte(xmlDoc(rec+rec)))
	f.Add([]byte(xmlDoc(`<registry id="x">`+rec+`</registry>`)), []byte(xmlDoc(`<registry id="y">`+rec+`</registry>`)))
	f.Add([]byte(xmlDoc(`<record><name>a</name><!--</record>--></record>`)), []byte(xmlDoc(`<record><name>a</name><!--</record>--></record>`)))
	f.Add([]byte(xmlDoc(`<people><person id="a"><name>A</name></person></people>`)), []byte(xmlDoc(`<people><person id="a"><name>A</name></person><person id="b"/></people>`)))
	f.Fuzz(func(t *testing.T, a, b []byte) {
		var ps Parser
		ps.Parse(a)
		sameAsParse(t, &ps, b)
		sameAsParse(t, &ps, a)
	})
}

// TestRealParserRemembers parses the bundle's versions of the port and
// protocol registries in turn with one Parser, each against Parse alone.
func TestRealParserRemembers(t *testing.T) {
	for _, reg := range []string{"protocol-numbers", "service-names-port-numbers"} {
		vs := shareddata.Versions(t, reg)
		if reg == "service-names-port-numbers" {
			vs = vs[len(vs)-40:] // consecutive versions; the whole span is verify's (snapshots)
		}
		var ps Parser
		for _, v := range vs {
			data := shareddata.Read(t, v)
			got, err := ps.Parse(data)
			want, werr := Parse(data)
			if err != nil || werr != nil {
				if !errors.Is(err, werr) && err.Error() != werr.Error() {
					t.Fatalf("%s %s: %v; Parse: %v", reg, v.Date, err, werr)
				}
				continue
			}
			if !reflect.DeepEqual(got, want) {
				t.Fatalf("%s %s: Parser.Parse differs from Parse", reg, v.Date)
			}
		}
	}
}

// BenchmarkParserSequence parses 20 consecutive versions of the port
// registry with one Parser, against BenchmarkParseSequence, Parse of each.
func BenchmarkParserSequence(b *testing.B) {
	vs := shareddata.Versions(b, "service-names-port-numbers")
	var files [][]byte
	for _, v := range vs[len(vs)-20:] {
		files = append(files, shareddata.Read(b, v))
	}
	b.Run("parser", func(b *testing.B) {
		for b.Loop() {
			var ps Parser
			for _, f := range files {
				if _, err := ps.Parse(f); err != nil {
					b.Fatal(err)
				}
			}
		}
	})
	b.Run("parse", func(b *testing.B) {
		for b.Loop() {
			for _, f := range files {
				if _, err := Parse(f); err != nil {
					b.Fatal(err)
				}
			}
		}
	})
}

package diff

import (
	"bytes"
	"encoding/json"
	"flag"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/regdiff/regdiff/snapshots/record"
)

var update = flag.Bool("update", false, "rewrite the golden files in testdata/")

// portsFixture is a small service-names diff with every kind of change and
// several port transitions.
func portsFixture() ([]record.Record, []record.Record) {
	longOld := "Oracle SQL*NET is a protocol used by Oracle clients to reach the database listener"
	longNew := "Oracle SQL*NET is the protocol Oracle clients use to reach the database listener | see notes"
	old := []record.Record{
		with(rec("", "tcp", "0", "Reserved"), func(r *record.Record) { r.Contact = []string{"person:Jon_Postel"} }),
		with(rec("ssh", "tcp", "22", "The Secure Shell (SSH) Protocol"), func(r *record.Record) { r.Refs = []string{"rfc:rfc4251"} }),
		rec("sql-net", "tcp", "66", longOld),
		with(rec("http", "tcp", "80", "World Wide Web HTTP"), func(r *record.Record) {
			r.Refs = []string{"rfc:rfc2616"}
			r.Modified = "2017-06-05"
		}),
		rec("", "", "1000-1010", "Unassigned"),
		rec("oldsvc", "udp", "2000", "Some service"),
		rec("gone", "tcp", "3000", "Gone service"),
		rec("nameonly", "", "", "Name without port"),
	}
	new := []record.Record{
		with(rec("", "tcp", "0", "Reserved"), func(r *record.Record) { r.Contact = []string{"person:Jon_Postel"} }),
		with(rec("ssh", "tcp", "22", "The Secure Shell (SSH) Protocol"), func(r *record.Record) { r.Refs = []string{"rfc:rfc4251"} }),
		rec("sql-net", "tcp", "66", longNew),
		with(rec("http", "tcp", "80", "World Wide Web HTTP"), func(r *record.Record) {
			r.Refs = []string{"rfc:rfc9110"}
			r.Modified = "2021-10-01"
			r.Note = "Defined TXT keys: u=<username> p=<password>"
		}),
		rec("", "", "1000-1010", "Unassigned"),
		rec("alpha", "tcp", "1001", "Alpha"),
		rec("beta", "tcp", "1002", "Beta"),
		rec("", "", "1003-1004", "Reserved"),
		rec("newsvc", "udp", "2000", "Some service"),
		rec("gone", "tcp", "3000", "De-registered"),
	}
	return old, new
}

// protocolsFixture is a protocol-numbers diff: nested tables, no ports.
func protocolsFixture() ([]record.Record, []record.Record) {
	in := func(r record.Record) record.Record { r.Table = "protocol-numbers-1"; return r }
	old := []record.Record{
		in(with(rec("HOPOPT", "", "0", "IPv6 Hop-by-Hop Option"), func(r *record.Record) { r.Other = map[string]string{"ipv6": "Y"} })),
		in(rec("ICMP", "", "1", "Internet Control Message")),
		in(rec("", "", "143-252", "Unassigned")),
	}
	new := []record.Record{
		in(with(rec("HOPOPT", "", "0", "IPv6 Hop-by-Hop Option"), func(r *record.Record) { r.Other = map[string]string{"ipv6": "Y"} })),
		in(with(rec("ICMP", "", "1", "Internet Control Message"), func(r *record.Record) { r.Refs = []string{"rfc:rfc792"} })),
		in(rec("Ethernet", "", "143", "Ethernet")),
		in(rec("", "", "144-252", "Unassigned")),
	}
	return old, new
}

// tablesFixture is a registry of several tables, with their titles: a
// record of the root registry, a table keyed by a code, a table removed
// whole (its title from the old version), and a table whose records gain
// a name (a key structure change, with its warning).
func tablesFixture() *Result {
	in := func(table string, r record.Record) record.Record { r.Table = table; return r }
	code := func(c, desc string) record.Record {
		return record.Record{Table: "codes", Description: desc, Other: map[string]string{"code": c}}
	}
	old := []record.Record{
		rec("", "", "1", "root one"),
		code("0x01", "one"), code("0x02", "two"),
		in("gone-table", rec("", "", "5", "five")),
		in("named", rec("", "", "1", "Alpha")), in("named", rec("", "", "2", "Beta")), in("named", rec("", "", "3", "Gamma")),
	}
	new := []record.Record{
		rec("", "", "1", "root ONE"),
		code("0x01", "one"), code("0x02", "TWO"), code("0x03", "three"),
		in("named", rec("alpha", "", "1", "Alpha")), in("named", rec("beta", "", "2", "Beta")), in("named", rec("gamma", "", "3", "Gamma")),
	}
	r := Compare(old, new)
	r.SetTitles(
		[]record.Item{{Element: "title", Text: "Example Registry"}, {Table: "codes", Element: "title", Text: "Codes"},
			{Table: "gone-table", Element: "title", Text: "Gone | Table"}, {Table: "named", Element: "title", Text: "Named Things"}},
		[]record.Item{{Element: "title", Text: "Example Registry"}, {Table: "codes", Element: "title", Text: "Codes"},
			{Table: "named", Element: "title", Text: "Named  Things, renamed"}})
	return r
}

// itemsFixture is a diff outside the records: the registry's date, a note
// and a footnote, and its people.
func itemsFixture() *Result {
	r := Compare(nil, nil)
	r.CompareItems(
		[]record.Item{
			{Element: "updated", Text: "2024-01-24"},
			{Element: "note", Key: "Request an Assignment", Text: "Apply at [https://www.iana.org/protocols/apply] to request a port, which takes a few weeks"},
			{Table: "t-1", Element: "footnote", Key: "1", Text: "Old footnote"},
		},
		[]record.Item{
			{Element: "updated", Text: "2024-01-25"},
			{Element: "note", Key: "Request an Assignment", Text: "Apply at [https://www.iana.org/form/ports-services] to request a port, which takes a few weeks"},
			{Table: "t-1", Element: "registry", Key: "t-2"},
		},
		[]record.Person{{ID: "Steve_Spitzer", Name: "Steve Spitzer", URI: "mailto:steve&example.com"}, {ID: "Gone", Name: "Gone Person"}},
		[]record.Person{{ID: "Steve_Spitzer", Name: "Steve Spitzer", URI: "mailto:s.spitzer&example.org", Updated: "2024-01-25"}, {ID: "Mark_Oslund", Name: "Mark Oslund", URI: "mailto:mark&example.com"}},
	)
	return r
}

func TestGolden(t *testing.T) {
	pOld, pNew := portsFixture()
	nOld, nNew := protocolsFixture()
	v2019 := Version{Name: "2019-12-31", Commit: "1111111111111111111111111111111111111111", Format: "xml"}
	v2024 := Version{Name: "2024-03-18", Commit: "2222222222222222222222222222222222222222", Format: "xml"}
	csv := Version{Name: "2023-10-01", Commit: "3333333333333333333333333333333333333333", Format: "csv"}
	tests := []struct {
		name string
		res  *Result
	}{
		{"ports", setVersions(Compare(pOld, pNew), "service-names-port-numbers", v2019, v2024, false)},
		{"reversed", setVersions(Compare(pNew, pOld), "service-names-port-numbers", v2024, v2019, true)},
		{"formats", setVersions(Compare(pOld, pOld[:2]), "service-names-port-numbers", v2019, csv, false)},
		{"empty", setVersions(Compare(pOld, pOld), "service-names-port-numbers", v2019, v2019, false)},
		{"protocols", setVersions(Compare(nOld, nNew), "protocol-numbers", v2019, v2024, false)},
		{"filtered", setVersions(Compare(pOld, pNew).Filter(Filter{Ports: []PortRange{{1000, 1002}}}), "service-names-port-numbers", v2019, v2024, false)},
		{"items", setVersions(itemsFixture(), "service-names-port-numbers", v2019, v2024, false)},
		{"tables", setVersions(tablesFixture(), "example", v2019, v2024, false)},
	}
	renderers := []struct {
		ext   string
		write func(*bytes.Buffer, *Result) error
	}{
		{".txt", func(b *bytes.Buffer, r *Result) error { return WriteText(b, r, false) }},
		{".color.txt", func(b *bytes.Buffer, r *Result) error { return WriteText(b, r, true) }},
		{".md", func(b *bytes.Buffer, r *Result) error { return WriteMarkdown(b, r) }},
		{".json", func(b *bytes.Buffer, r *Result) error { return WriteJSON(b, r) }},
	}
	for _, tt := range tests {
		for _, rd := range renderers {
			t.Run(tt.name+rd.ext, func(t *testing.T) {
				var buf bytes.Buffer
				if err := rd.write(&buf, tt.res); err != nil {
					t.Fatal(err)
				}
				golden(t, filepath.Join("testdata", tt.name+rd.ext), buf.Bytes())
			})
		}
	}
}

func setVersions(r *Result, registry string, from, to Version, reversed bool) *Result {
	r.Registry, r.From, r.To, r.Reversed = registry, from, to, reversed
	return r
}

// golden compares got with the file, or rewrites the file with -update.
func golden(t *testing.T, path string, got []byte) {
	t.Helper()
	if *update {
		if err := os.WriteFile(path, got, 0o644); err != nil {
			t.Fatal(err)
		}
		return
	}
	want, err := os.ReadFile(path)
	if err != nil {
		t.Fatalf("%v (run go test ./diff -run TestGolden -update to create it)", err)
	}
	if !bytes.Equal(got, want) {
		t.Errorf("%s differs (go test ./diff -run TestGolden -update rewrites it)\ngot:\n%s\nwant:\n%s", path, got, want)
	}
}

// TestJSONShape checks the JSON keys the README documents, independently
// of the golden files.
func TestJSONShape(t *testing.T) {
	old, new := portsFixture()
	res := setVersions(Compare(old, new), "service-names-port-numbers", Version{Name: "a", Commit: "c1"}, Version{Name: "b", Commit: "c2"}, false)
	res.CompareItems(
		[]record.Item{{Element: "title", Text: "A"}}, []record.Item{{Element: "title", Text: "B"}, {Element: "note", Text: "N"}},
		[]record.Person{{ID: "a", URI: "mailto:x"}}, []record.Person{{ID: "a", URI: "mailto:y"}, {ID: "b", Name: "B"}})
	var buf bytes.Buffer
	if err := WriteJSON(&buf, res); err != nil {
		t.Fatal(err)
	}
	var doc struct {
		Items     []map[string]string          `json:"registry_items"`
		People    []map[string]json.RawMessage `json:"people"`
		ItemsNote *string                      `json:"registry_items_note"`
		Registry  string                       `json:"registry"`
		From      map[string]string            `json:"from"`
		To        map[string]string            `json:"to"`
		Summary   map[string]int               `json:"summary"`
		Changes   []map[string]json.RawMessage `json:"changes"`
		Trans     []map[string]string          `json:"transitions"`
		Reversed  *bool                        `json:"reversed"`
	}
	dec := json.NewDecoder(&buf)
	dec.DisallowUnknownFields()
	if err := dec.Decode(&doc); err != nil {
		t.Fatalf("decoding: %v", err)
	}
	tests := []struct {
		name      string
		got, want any
	}{
		{"registry", doc.Registry, "service-names-port-numbers"},
		{"from", doc.From["version"] + " " + doc.From["commit"], "a c1"},
		{"summary", doc.Summary["added"] + doc.Summary["removed"] + doc.Summary["changed"] + doc.Summary["renamed"], len(res.Changes)},
		{"renamed", doc.Summary["renamed"], 1},
		{"reversed absent", doc.Reversed == nil, true},
		{"transition keys", strings.Join(keys(doc.Trans[0]), ","), "from,ports,protocol,to"},
		{"summary of items", doc.Summary["registry_items"], 2},
		{"summary of people", doc.Summary["people"], 2},
		{"item keys", strings.Join(keys(doc.Items[0]), ","), "element,from,key,kind,table,to"},
		{"item change", doc.Items[0]["kind"] + " " + doc.Items[0]["element"] + " " + doc.Items[0]["from"] + " " + doc.Items[0]["to"], "changed title A B"},
		{"person keys", strings.Join(keys(doc.People[0]), ","), "fields,id,kind"},
		{"person change", string(doc.People[0]["kind"]) + compact(doc.People[0]["fields"]), `"changed"{"uri":{"from":"mailto:x","to":"mailto:y"}}`},
		{"note absent", doc.ItemsNote == nil, true},
	}
	for _, c := range doc.Changes {
		want := "fields,key,kind"
		if string(c["kind"]) == `"renamed"` {
			want = "fields,key,kind,old_key"
		}
		tests = append(tests, struct {
			name      string
			got, want any
		}{"change " + string(c["key"]), strings.Join(keys(c), ","), want})
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if tt.got != tt.want {
				t.Errorf("got %v, want %v", tt.got, tt.want)
			}
		})
	}
}

func compact(raw json.RawMessage) string {
	var b bytes.Buffer
	json.Compact(&b, raw)
	return b.String()
}

func keys[V any](m map[string]V) []string {
	var out []string
	for k := range m {
		out = append(out, k)
	}
	slices.Sort(out)
	return out
}

func TestVisibleNoBreakSpace(t *testing.T) {
	old := []record.Record{rec("svc", "tcp", "1000", "Some service")}
	new := []record.Record{rec("svc", "tcp", "1000", "Some\u00a0service")}
	r := Compare(old, new)
	var text, mdown bytes.Buffer
	WriteText(&text, r, false)
	WriteMarkdown(&mdown, r)
	if !strings.Contains(text.String(), "description: Some service → Some<U+00A0>service") {
		t.Errorf("text:\n%s", text.String())
	}
	if !strings.Contains(mdown.String(), `Some\<U+00A0\>service`) {
		t.Errorf("markdown:\n%s", mdown.String())
	}
}

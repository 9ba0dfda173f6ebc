package formats

import (
	"bytes"
	"encoding/csv"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"reflect"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/regdiff/regdiff/internal/shareddata"
	"github.com/regdiff/regdiff/snapshots/record"
)

// TestParseCSVGolden parses the fixtures under testdata/csv and compares
// the result, as JSON, with the golden file beside each.
func TestParseCSVGolden(t *testing.T) {
	files, err := filepath.Glob(filepath.Join("testdata", "csv", "*.csv"))
	if err != nil || len(files) == 0 {
		t.Fatalf("no fixtures: %v", err)
	}
	for _, file := range files {
		t.Run(filepath.Base(file), func(t *testing.T) {
			data, err := os.ReadFile(file)
			if err != nil {
				t.Fatal(err)
			}
			reg, err := ParseCSV(data)
			if err != nil {
				t.Fatalf("ParseCSV: %v", err)
			}
			checkGolden(t, reg, strings.TrimSuffix(file, ".csv")+".json")
		})
	}
}

const csvHead2018 = "Service Name,Port Number,Transport Protocol,Description,Assignee,Contact,Registration Date,Modification Date,Reference,Service Code,Known Unauthorized Uses,Assignment Notes\n"
const csvHead2019 = "Service Name,Port Number,Transport Protocol,Description,Assignee,Contact,Registration Date,Modification Date,Reference,Service Code,Unauthorized Use Reported,Assignment Notes\n"

func TestParseCSVRecords(t *testing.T) {
	for _, tc := range []struct {
		name, row string
		want      record.Record
	}{
		{"plain", "echo,7,tcp,Echo,[Jon_Postel],[Jon_Postel],,,,,,",
			record.Record{Name: "echo", Number: "7", Protocol: "tcp", Description: "Echo", Contact: []string{"person:Jon_Postel"}}},
		{"range without protocol", ",249-255,,Reserved,[Jon_Postel],[Jon_Postel],,,,,,",
			record.Record{Number: "249-255", Description: "Reserved", Contact: []string{"person:Jon_Postel"}}},
		{"assignee differs from contact", "smtp,25,tcp,Simple Mail Transfer,[IESG],[IETF_Chair],,2017-06-05,[RFC5321],,,",
			record.Record{Name: "smtp", Number: "25", Protocol: "tcp", Description: "Simple Mail Transfer", Refs: []string{"rfc:rfc5321"},
				Assignee: []string{"person:IESG"}, Contact: []string{"person:IETF_Chair"}, Modified: "2017-06-05"}},
		{"assignee then contact, as in 2013", "unify,181,tcp,Unify,[Daegis_Inc][Chris_Anderson],[Chris_Anderson],,,,,,",
			record.Record{Name: "unify", Number: "181", Protocol: "tcp", Description: "Unify",
				Assignee: []string{"person:Daegis_Inc"}, Contact: []string{"person:Chris_Anderson"}}},
		{"assignee only", "x,1,tcp,X,[Org],,,,,,,",
			record.Record{Name: "x", Number: "1", Protocol: "tcp", Description: "X", Assignee: []string{"person:Org"}}},
		{"every reference type", "exp1,1021,tcp,E,,,,,[1][RFC4727][draft-ietf-x-01][RFC-ietf-y-15][http://example.org/a][ISO/IEC 13818-6][n/a],,,",
			record.Record{Name: "exp1", Number: "1021", Protocol: "tcp", Description: "E",
				Refs: []string{"note:1", "rfc:rfc4727", "draft:draft-ietf-x-01", "draft:RFC-ietf-y-15", "uri:http://example.org/a", "text:ISO/IEC 13818-6", "text:n/a"}}},
		{"reference that is not bracketed", "x,1,tcp,X,,,,,see RFC 1,,,",
			record.Record{Name: "x", Number: "1", Protocol: "tcp", Description: "X", Refs: []string{"text:see RFC 1"}}},
		{"nested brackets", "x,1,tcp,X,,,,,[[XEROX]],,,",
			record.Record{Name: "x", Number: "1", Protocol: "tcp", Description: "X", Refs: []string{"text:[XEROX]"}}},
		{"quoted, spanning lines, collapsed", "w,63,tcp,\"whois++\n\nIANA  assigned \"\"x\"\"\t.\",,,,,,,,\"  a\r\n  b  \"",
			record.Record{Name: "w", Number: "63", Protocol: "tcp", Description: `whois++ IANA assigned "x" .`, Note: "a b"}},
		{"form feed and vertical tab are white space", "x,1,tcp,\"a\f\vb \v\",,,,,,,,",
			record.Record{Name: "x", Number: "1", Protocol: "tcp", Description: "a b"}},
		{"no-break space is text", "x,1,tcp,\u00a0a\u00a0 b\u2003,,,,,,,,",
			record.Record{Name: "x", Number: "1", Protocol: "tcp", Description: "\u00a0a\u00a0 b\u2003"}},
		{"every column", "d,9,dccp,D,[A],[B],2006-03,2017-06-05,[RFC4340],1145656131,bad use,note",
			record.Record{Name: "d", Number: "9", Protocol: "dccp", Description: "D", Refs: []string{"rfc:rfc4340"},
				Assignee: []string{"person:A"}, Contact: []string{"person:B"}, Registered: "2006-03", Modified: "2017-06-05",
				ServiceCode: "1145656131", Unauthorized: "bad use", Note: "note"}},
		{"no number", "lsys-camera,,,Linksys One Camera API,[Frank_Zerangue],[Frank_Zerangue],,,,,,",
			record.Record{Name: "lsys-camera", Description: "Linksys One Camera API", Contact: []string{"person:Frank_Zerangue"}}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			for _, head := range []string{csvHead2018, csvHead2019} {
				reg, err := ParseCSV([]byte(head + tc.row + "\n"))
				if err != nil {
					t.Fatalf("ParseCSV: %v", err)
				}
				if len(reg.Records) != 1 {
					t.Fatalf("got %d records, want 1", len(reg.Records))
				}
				if got := reg.Records[0]; !reflect.DeepEqual(got, tc.want) {
					t.Errorf("got  %#v\nwant %#v", got, tc.want)
				}
			}
		})
	}
}

func TestParseCSVRegistry(t *testing.T) {
	for _, tc := range []struct {
		name, data, updated string
		records             int
	}{
		{"latest day", csvHead2018 + "a,1,tcp,A,,,2001-02-03,2017-06-05,,,,\nb,2,tcp,B,,,2017-07-26,,,,,\n", "2017-07-26", 2},
		{"a month is later than the days before it", csvHead2019 + "a,1,tcp,A,,,2017-07-30,,,,,\nb,2,tcp,B,,,,2017-08,,,,\n", "2017-08", 2},
		{"no dates", csvHead2018 + "a,1,tcp,A,,,,,,,,\n", "", 1},
		{"invalid dates ignored", csvHead2018 + "a,1,tcp,A,,,2017-13-01,soon,,,,\nb,2,tcp,B,,,2001-02,,,,,\n", "2001-02", 2},
		{"header only", csvHead2018, "", 0},
		{"CRLF", strings.ReplaceAll(csvHead2018+"a,1,tcp,\"A\nB\",,,2001-02-03,,,,,\n", "\n", "\r\n"), "2001-02-03", 1},
		{"byte order mark", "\ufeff" + csvHead2018 + "a,1,tcp,A,,,,,,,,\n", "", 1},
		{"no final newline", csvHead2018 + "a,1,tcp,A,,,,,,,,", "", 1},
	} {
		t.Run(tc.name, func(t *testing.T) {
			reg, err := ParseCSV([]byte(tc.data))
			if err != nil {
				t.Fatalf("ParseCSV: %v", err)
			}
			if reg.ID != "service-names-port-numbers" || reg.Format != "csv" || reg.Title != "Service Name and Transport Protocol Port Number Registry" {
				t.Errorf("got registry %q %q %q", reg.ID, reg.Format, reg.Title)
			}
			if reg.Updated != tc.updated {
				t.Errorf("got Updated %q, want %q", reg.Updated, tc.updated)
			}
			if len(reg.Records) != tc.records {
				t.Errorf("got %d records, want %d", len(reg.Records), tc.records)
			}
		})
	}
	t.Run("CRLF and LF give the same", func(t *testing.T) {
		lf := csvHead2018 + "w,63,tcp,\"whois++\nIANA\",[A],[A],2001-02,,[RFC1],,,\"x\ny\"\n"
		a, err1 := ParseCSV([]byte(lf))
		b, err2 := ParseCSV([]byte(strings.ReplaceAll(lf, "\n", "\r\n")))
		if err1 != nil || err2 != nil {
			t.Fatal(err1, err2)
		}
		if !reflect.DeepEqual(a, b) {
			t.Errorf("got LF %#v\nCRLF %#v", a, b)
		}
	})
}

func TestParseCSVErrors(t *testing.T) {
	for _, tc := range []struct {
		name, data string
		line       int
		msg        string
	}{
		{"empty", "", 1, "empty CSV"},
		{"unterminated quote", csvHead2018 + "a,1,tcp,A,,,,,,,,\nb,2,tcp,\"B,,,,,,,,\nc,3,tcp,C,,,,,,,,\n", 3, "broken quoting"},
		{"quote inside quoted field", csvHead2018 + "a,1,tcp,\"A\"B\",,,,,,,,\n", 2, "broken quoting"},
		{"bare quote", csvHead2018 + "a,1,tcp,A\"B,,,,,,,,\n", 2, "broken quoting"},
		{"wrong header", "name,port,protocol\nssh,22,tcp\n", 1, "header is"},
		{"header with a wrong column 11", strings.Replace(csvHead2018, "Known Unauthorized Uses", "Unauthorized", 1), 1, "header is"},
		{"too few fields", csvHead2018 + "a,1,tcp,A,,,,,,,,\nb,2,tcp\n", 3, "row has 3 fields, want 12"},
		{"too many fields", csvHead2018 + "a,1,tcp,A,,,,,,,,,\n", 2, "row has 13 fields"},
		{"port that is not a number", csvHead2018 + "a,1,tcp,A,,,,,,,,\nb,x2,tcp,B,,,,,,,,\n", 3, `port number "x2"`},
		{"reversed range", csvHead2018 + "b,9-2,tcp,B,,,,,,,,\n", 2, "not a number or range"},
		{"invalid UTF-8", csvHead2018 + "a,1,tcp,\xff,,,,,,,,\n", 2, "invalid UTF-8"},
		{"NUL", csvHead2018 + "a,1,tcp,\x00,,,,,,,,\n", 2, "NUL"},
		{"XML", "<?xml version='1.0'?>\n<registry/>\n", 1, "header is"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			reg, err := ParseCSV([]byte(tc.data))
			var pe *ParseError
			if !errors.As(err, &pe) {
				t.Fatalf("got %v, %v; want a *ParseError", reg, err)
			}
			if pe.Line != tc.line || !strings.Contains(pe.Msg, tc.msg) {
				t.Errorf("got line %d %q, want line %d containing %q", pe.Line, pe.Msg, tc.line, tc.msg)
			}
		})
	}
}

// manifest reads a manifest.tsv of the shared data as rows of named
// columns.
func manifest(t *testing.T, path string) []map[string]string {
	t.Helper()
	data, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	lines := strings.Split(strings.TrimRight(string(data), "\n"), "\n")
	head := strings.Split(lines[0], "\t")
	var rows []map[string]string
	for _, l := range lines[1:] {
		f := strings.Split(l, "\t")
		row := map[string]string{}
		for i, h := range head {
			if i < len(f) {
				row[h] = f[i]
			}
		}
		rows = append(rows, row)
	}
	return rows
}

// spotChecks are records that every version of service-names-port-numbers
// since 1995 has: (name, number, protocol) and a word of the description.
var spotChecks = []struct{ name, number, protocol, desc string }{
	{"echo", "7", "tcp", "Echo"},
	{"echo", "7", "udp", "Echo"},
	{"ftp", "21", "tcp", "File Transfer"},
	{"ssh", "22", "tcp", "S"}, // "The Secure Shell (SSH) Protocol", "Secure Shell Protocol"
	{"smtp", "25", "tcp", "Simple Mail Transfer"},
	{"http", "80", "tcp", "HTTP"},
	{"https", "443", "tcp", "TLS"},
	{"", "249-255", "", "Reserved"},
}

func spotCheck(t *testing.T, reg *record.Registry) {
	t.Helper()
	for _, sc := range spotChecks {
		found := false
		for i := range reg.Records {
			r := &reg.Records[i]
			if r.Name == sc.name && r.Number == sc.number && r.Protocol == sc.protocol {
				found = true
				if !strings.Contains(r.Description, sc.desc) {
					t.Errorf("%s %s/%s: got description %q, want it to contain %q", sc.name, sc.number, sc.protocol, r.Description, sc.desc)
				}
			}
		}
		if !found {
			t.Errorf("no record %q %s/%s", sc.name, sc.number, sc.protocol)
		}
	}
}

// TestParseCSVShared parses every shared CSV and checks its record count
// against the manifest and a plain encoding/csv reading, its date against
// the manifest, its column-11 header, and well-known ports.
func TestParseCSVShared(t *testing.T) {
	dir := filepath.Join(shareddata.Dir(t), "csv")
	rows := manifest(t, filepath.Join(dir, "manifest.tsv"))
	files, err := filepath.Glob(filepath.Join(dir, "*.csv"))
	if err != nil {
		t.Fatal(err)
	}
	listed := map[string]bool{}
	for _, m := range rows {
		listed[m["file"]] = true
	}
	for _, f := range files {
		if !listed[filepath.Base(f)] {
			t.Errorf("%s is not in the manifest", f)
		}
	}
	if len(rows) != len(files) || len(rows) < 24 {
		t.Errorf("got %d manifest rows and %d files, want as many, at least 24", len(rows), len(files))
	}
	for _, m := range rows {
		t.Run(m["file"], func(t *testing.T) {
			data, err := os.ReadFile(filepath.Join(dir, m["file"]))
			if err != nil {
				t.Fatal(err)
			}
			reg, err := ParseCSV(data)
			if err != nil {
				t.Fatalf("ParseCSV: %v", err)
			}
			want, _ := strconv.Atoi(m["rows"])
			r := csv.NewReader(bytes.NewReader(data))
			all, err := r.ReadAll()
			if err != nil {
				t.Fatal(err)
			}
			if got := len(reg.Records); got != want || got != len(all)-1 {
				t.Errorf("got %d records, want %d (manifest) and %d (encoding/csv rows)", got, want, len(all)-1)
			}
			if reg.Updated != m["max_row_date(lower_bound)"] {
				t.Errorf("got Updated %q, want %q", reg.Updated, m["max_row_date(lower_bound)"])
			}
			if got := all[0][10]; got != m["column11_header"] {
				t.Errorf("got column 11 %q, want %q", got, m["column11_header"])
			}
			crlf := bytes.Contains(data, []byte("\r\n"))
			if crlf != (m["line_endings"] == "CRLF") {
				t.Errorf("got CRLF %v, manifest says %s", crlf, m["line_endings"])
			}
			month := 0
			for i := range reg.Records {
				for _, d := range []string{reg.Records[i].Registered, reg.Records[i].Modified} {
					if d != "" && !csvIsDate(d) {
						t.Errorf("record %d: date %q", i, d)
					}
				}
				if len(reg.Records[i].Registered) == 7 || len(reg.Records[i].Modified) == 7 {
					month++
				}
				if n := reg.Records[i].Number; n != "" {
					if _, _, ok := record.ParseRange(n); !ok {
						t.Errorf("record %d: number %q", i, n)
					}
				}
			}
			if want, _ := strconv.Atoi(m["rows_with_YYYY-MM_dates"]); month != want {
				t.Errorf("got %d records with a YYYY-MM date, want %d", month, want)
			}
			spotCheck(t, reg)
		})
	}
}

// agreement counts, per field, how many paired records agree.
type agreement struct {
	pairs, unmatchedA, unmatchedB int
	agree                         map[string]int
	examples                      map[string]string
}

var agreementFields = []string{"Name", "Protocol", "Number", "Description", "Refs", "Assignee", "Contact",
	"Registered", "Modified", "Note", "Unauthorized", "ServiceCode", "Other"}

// compareRecords pairs the records of a and b: in order when there are as
// many and every key matches in order, else by key (the nth record of a
// key with the nth of the same key). byPosition tells which.
func compareRecords(a, b []record.Record) (ag agreement, byPosition bool) {
	ag.agree = map[string]int{}
	ag.examples = map[string]string{}
	var pairs [][2]int
	byPosition = len(a) == len(b)
	for i := 0; byPosition && i < len(a); i++ {
		byPosition = a[i].Key() == b[i].Key()
	}
	if byPosition {
		for i := range a {
			pairs = append(pairs, [2]int{i, i})
		}
	} else {
		idx := map[record.Key][]int{}
		for i := range a {
			idx[a[i].Key()] = append(idx[a[i].Key()], i)
		}
		used := map[record.Key]int{}
		for j := range b {
			k := b[j].Key()
			if used[k] < len(idx[k]) {
				pairs = append(pairs, [2]int{idx[k][used[k]], j})
				used[k]++
			} else {
				ag.unmatchedB++
			}
		}
		ag.unmatchedA = len(a) - len(pairs)
	}
	ag.pairs = len(pairs)
	for _, f := range agreementFields {
		for _, p := range pairs {
			x := reflect.ValueOf(a[p[0]]).FieldByName(f).Interface()
			y := reflect.ValueOf(b[p[1]]).FieldByName(f).Interface()
			if reflect.DeepEqual(x, y) {
				ag.agree[f]++
			} else if _, ok := ag.examples[f]; !ok {
				ag.examples[f] = fmt.Sprintf("%v: %q vs %q", a[p[0]].Key(), x, y)
			}
		}
	}
	return ag, byPosition
}

func (ag agreement) rate(f string) float64 {
	if ag.pairs == 0 {
		return 0
	}
	return float64(ag.agree[f]) / float64(ag.pairs)
}

func (ag agreement) String() string {
	var b strings.Builder
	fmt.Fprintf(&b, "%d pairs, %d/%d unmatched;", ag.pairs, ag.unmatchedA, ag.unmatchedB)
	for _, f := range agreementFields {
		fmt.Fprintf(&b, " %s %.2f%%", f, 100*ag.rate(f))
	}
	return b.String()
}

// nearestVersion returns the bundle version nearest in date to date.
func nearestVersion(vs []shareddata.Version, date string) shareddata.Version {
	d, _ := time.Parse("2006-01-02", date)
	best := vs[0]
	dist := func(v shareddata.Version) time.Duration {
		x, _ := time.Parse("2006-01-02", v.Date)
		if x.Before(d) {
			return d.Sub(x)
		}
		return x.Sub(d)
	}
	for _, v := range vs {
		if dist(v) < dist(best) {
			best = v
		}
	}
	return best
}

// TestCSVAgreesWithXML compares every shared CSV, field by field, with the
// XML version of the bundle that the manifest gives for it (the same date
// and record count), or else with the bundle version nearest in date.
//
// For the 18 CSVs with a same-date XML version, every record pairs in
// order, and Name, Protocol, Number, dates, Unauthorized and ServiceCode
// agree throughout. The differences are real, and stay:
//   - Assignee (0.5% of records at most), where the XML's <assignee> names
//     the same person as its contact xref: the CSV writes exactly what it
//     writes for a record without <assignee>, so ParseCSV gives none;
//   - Note, where the XML has an inline <xref type="rfc" data="rfc6614"/>:
//     the XML parser writes "[rfc6614]", the CSV "[RFC6614]" (the CSV also
//     has literal "[RFC…]" text, so the case cannot be mapped back);
//   - Refs, where an xref has text as well as data: the CSV writes the text
//     ("[TR-352]" for a uri, "RFC-ietf-dnssd-push-25, Section 6.1"), and
//     once the CSV names another draft revision than the XML;
//   - in the 2018-07-11 copy, names with accents, which that copy holds
//     UTF-8-encoded twice ("SollÃ©" for "Sollé").
func TestCSVAgreesWithXML(t *testing.T) {
	dir := filepath.Join(shareddata.Dir(t), "csv")
	vs := shareddata.Versions(t, "service-names-port-numbers")
	for _, m := range manifest(t, filepath.Join(dir, "manifest.tsv")) {
		t.Run(m["file"], func(t *testing.T) {
			data, err := os.ReadFile(filepath.Join(dir, m["file"]))
			if err != nil {
				t.Fatal(err)
			}
			c, err := ParseCSV(data)
			if err != nil {
				t.Fatal(err)
			}
			var x *record.Registry
			var xv shareddata.Version
			same := !strings.HasPrefix(m["xml_versions_in_window_with_same_record_count"], "none")
			if same {
				dates := strings.Split(m["xml_versions_in_window_with_same_record_count"], ",")
				for _, v := range vs {
					if x == nil && v.Date == dates[0] {
						r, err := ParseXML(shareddata.Read(t, v))
						if err != nil {
							t.Fatal(err)
						}
						if len(r.Records) == len(c.Records) {
							x, xv = r, v
						}
					}
				}
				if x == nil {
					t.Fatalf("no bundle version of %s with %d records", dates[0], len(c.Records))
				}
			} else {
				xv = nearestVersion(vs, c.Updated)
				if x, err = ParseXML(shareddata.Read(t, xv)); err != nil {
					t.Fatal(err)
				}
			}
			ag, inOrder := compareRecords(x.Records, c.Records)
			t.Logf("CSV %s vs XML %s (in order %v): %v", c.Updated, xv.Date, inOrder, ag)
			for _, f := range agreementFields {
				if ag.agree[f] < ag.pairs {
					t.Logf("  first %s difference: %s", f, ag.examples[f])
				}
			}
			if !same {
				// A different version: only most of it must agree.
				if ag.pairs < len(c.Records)*9/10 {
					t.Errorf("got %d of %d records paired with XML %s, want 90%%", ag.pairs, len(c.Records), xv.Date)
				}
				return
			}
			if !inOrder {
				t.Errorf("records of CSV %s and XML %s do not pair in order", c.Updated, xv.Date)
			}
			for f, min := range map[string]float64{
				"Name": 1, "Protocol": 1, "Number": 1, "Registered": 1, "Modified": 1,
				"Unauthorized": 1, "ServiceCode": 1, "Other": 1,
				"Description": 0.9995, "Refs": 0.999, "Contact": 0.999, "Note": 0.999, "Assignee": 0.99,
			} {
				if got := ag.rate(f); got < min {
					t.Errorf("%s: got agreement %.4f, want at least %.4f; first difference %s", f, got, min, ag.examples[f])
				}
			}
		})
	}
}

// TestCSVAgreesWithXMLSummary reports the agreement over all CSVs with a
// same-date XML version, field by field.
func TestCSVAgreesWithXMLSummary(t *testing.T) {
	if testing.Short() {
		t.Skip("reads 18 XML versions")
	}
	dir := filepath.Join(shareddata.Dir(t), "csv")
	vs := shareddata.Versions(t, "service-names-port-numbers")
	total := agreement{agree: map[string]int{}}
	for _, m := range manifest(t, filepath.Join(dir, "manifest.tsv")) {
		if strings.HasPrefix(m["xml_versions_in_window_with_same_record_count"], "none") {
			continue
		}
		data, err := os.ReadFile(filepath.Join(dir, m["file"]))
		if err != nil {
			t.Fatal(err)
		}
		c, err := ParseCSV(data)
		if err != nil {
			t.Fatal(err)
		}
		date := strings.Split(m["xml_versions_in_window_with_same_record_count"], ",")[0]
		for _, v := range vs {
			if v.Date != date {
				continue
			}
			x, err := ParseXML(shareddata.Read(t, v))
			if err != nil {
				t.Fatal(err)
			}
			if len(x.Records) != len(c.Records) {
				continue
			}
			ag, _ := compareRecords(x.Records, c.Records)
			total.pairs += ag.pairs
			for f, n := range ag.agree {
				total.agree[f] += n
			}
			break
		}
	}
	t.Logf("all same-date CSV/XML pairs: %v", total)
	if total.pairs < 250000 {
		t.Errorf("got %d paired records, want the 18 versions' ~256,000", total.pairs)
	}
}

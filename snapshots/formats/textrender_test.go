package formats

import (
	"bufio"
	"bytes"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"reflect"
	"regexp"
	"strings"
	"testing"

	"github.com/regdiff/regdiff/internal/shareddata"
	"github.com/regdiff/regdiff/snapshots/record"
)

// trCol is a column of a table laid out by trLay: its width in bytes, its
// alignment ('l' or 'c') and the spaces after it.
type trCol struct {
	width int
	align byte
	sep   int
}

// The columns of the fixtures: as in IANA's rendering, narrower.
var (
	trServiceCols = []trCol{{15, 'l', 1}, {11, 'c', 1}, {9, 'c', 1}, {28, 'l', 1}, {30, 'l', 1}, {20, 'l', 1},
		{12, 'l', 1}, {12, 'l', 1}, {27, 'l', 1}, {10, 'l', 1}, {13, 'l', 1}, {30, 'l', 0}}
	trServiceHeading = [][]string{{"Service Name"}, {"Port Number"}, {"Transport", "Protocol"}, {"Description"},
		{"Assignee"}, {"Contact"}, {"Registration", "Date"}, {"Modification", "Date"}, {"Reference"},
		{"Service", "Code"}, {"Known", "Unauthorized", "Uses"}, {"Assignment Notes"}}
	trProtocolCols    = []trCol{{7, 'c', 1}, {15, 'l', 1}, {31, 'l', 1}, {14, 'c', 1}, {44, 'l', 0}}
	trProtocolHeading = [][]string{{"Decimal"}, {"Keyword"}, {"Protocol"}, {"IPv6 Extension", "Header"}, {"Reference"}}
)

// trWrap wraps text greedily at width bytes, as the text browser did; a
// "\n" forces a new line.
func trWrap(text string, width int) []string {
	if text == "" {
		return nil
	}
	var lines []string
	for _, para := range strings.Split(text, "\n") {
		cur := ""
		for _, w := range strings.Split(para, " ") {
			if cur != "" && len(cur)+1+len(w) > width {
				lines = append(lines, cur)
				cur = w
			} else if cur != "" {
				cur += " " + w
			} else {
				cur = w
			}
		}
		lines = append(lines, cur)
	}
	return lines
}

// trLay lays out rows of cells as the 2013–2014 rendering does: cells
// wrapped, each centered vertically in its row, columns left-aligned or
// centered, trailing spaces trimmed.
func trLay(cols []trCol, rows [][]string) []string {
	var out []string
	for _, row := range rows {
		cells := make([][]string, len(cols))
		h := 1
		for j, c := range cols {
			if j < len(row) {
				cells[j] = trWrap(row[j], c.width)
			}
			h = max(h, len(cells[j]))
		}
		grid := make([][]string, h)
		for i := range grid {
			grid[i] = make([]string, len(cols))
		}
		for j, cell := range cells {
			top := (h - len(cell)) / 2
			for i, l := range cell {
				grid[top+i][j] = l
			}
		}
		for _, g := range grid {
			var b strings.Builder
			for j, c := range cols {
				pad := max(0, c.width-len(g[j]))
				left := 0
				if c.align == 'c' {
					left = pad / 2
				}
				b.WriteString(strings.Repeat(" ", left) + g[j] + strings.Repeat(" ", pad-left+c.sep))
			}
			out = append(out, strings.TrimRight(b.String(), " "))
		}
	}
	return out
}

// trHeading lays out a heading row: each name centered in its column.
func trHeading(cols []trCol, names [][]string) []string {
	cs := make([]trCol, len(cols))
	row := make([]string, len(cols))
	for i, c := range cols {
		cs[i] = trCol{c.width, 'c', c.sep}
		row[i] = strings.Join(names[i], "\n")
	}
	return trLay(cs, [][]string{row})
}

// trServicesDoc is a service-names-port-numbers rendering of rows, after a
// row that fills every column.
func trServicesDoc(rows ...[]string) string {
	all := append([][]string{{"discard", "9", "dccp", "Discard", "[Eddie_Kohler]", "[Eddie_Kohler]", "2006-03", "2017-06-05", "[RFC4340]", "1145656131", "Reported", "x"}}, rows...)
	lines := []string{"                    Service Name and Transport Protocol Port Number Registry", "", "   Last Updated", "           2014-07-11", ""}
	lines = append(lines, trHeading(trServiceCols, trServiceHeading)...)
	lines = append(lines, trLay(trServiceCols, all)...)
	lines = append(lines, "", "                                People", "", "[Jon_Postel]     Jon Postel     mailto:postel&isi.edu")
	return strings.Join(lines, "\n") + "\n"
}

func trProtocolsDoc(rows ...[]string) string {
	lines := []string{"   Last Updated", "           2013-12-09", ""}
	lines = append(lines, trHeading(trProtocolCols, trProtocolHeading)...)
	lines = append(lines, trLay(trProtocolCols, rows)...)
	return strings.Join(lines, "\n") + "\n"
}

// TestParseTextRenderingGolden parses the fixtures under testdata/textrender
// and compares the result, as JSON, with the golden file beside each.
func TestParseTextRenderingGolden(t *testing.T) {
	files, err := filepath.Glob(filepath.Join("testdata", "textrender", "*.txt"))
	if err != nil || len(files) == 0 {
		t.Fatalf("no fixtures: %v", err)
	}
	for _, file := range files {
		t.Run(filepath.Base(file), func(t *testing.T) {
			data, err := os.ReadFile(file)
			if err != nil {
				t.Fatal(err)
			}
			reg, err := ParseTextRendering(data)
			if err != nil {
				t.Fatalf("ParseTextRendering: %v", err)
			}
			checkGolden(t, reg, strings.TrimSuffix(file, ".txt")+".json")
		})
	}
}

func TestParseTextRenderingRows(t *testing.T) {
	finger := "Unauthorized use by some mail users (see [RFC4146] for details)"
	known := "Known Unauthorized Use on 106"
	for _, tc := range []struct {
		name string
		doc  string
		want []record.Record // after the first, full row
	}{
		{"one line each", trServicesDoc(
			[]string{"echo", "7", "tcp", "Echo", "[Jon_Postel]", "[Jon_Postel]"},
			[]string{"", "249-255", "", "Reserved", "[Jon_Postel]", "[Jon_Postel]"}),
			[]record.Record{
				{Name: "echo", Number: "7", Protocol: "tcp", Description: "Echo", Contact: []string{"person:Jon_Postel"}},
				{Number: "249-255", Description: "Reserved", Contact: []string{"person:Jon_Postel"}},
			}},
		{"a cell wrapped below the middle line", trServicesDoc(
			[]string{"msp", "18", "tcp", "Message Send Protocol (historic)"},
			[]string{"msp", "18", "udp", "Message Send Protocol (historic)"},
			[]string{"chargen", "19", "tcp", "Character Generator"}),
			[]record.Record{
				{Name: "msp", Number: "18", Protocol: "tcp", Description: "Message Send Protocol (historic)"},
				{Name: "msp", Number: "18", Protocol: "udp", Description: "Message Send Protocol (historic)"},
				{Name: "chargen", Number: "19", Protocol: "tcp", Description: "Character Generator"},
			}},
		{"a cell above and below the middle line", trServicesDoc(
			[]string{"finger", "79", "tcp", "Finger", "", "", "", "", "", "", finger},
			[]string{"finger", "79", "udp", "Finger", "", "", "", "", "", "", finger},
			[]string{"http", "80", "tcp", "World Wide Web HTTP"}),
			[]record.Record{
				{Name: "finger", Number: "79", Protocol: "tcp", Description: "Finger", Unauthorized: finger},
				{Name: "finger", Number: "79", Protocol: "udp", Description: "Finger", Unauthorized: finger},
				{Name: "http", Number: "80", Protocol: "tcp", Description: "World Wide Web HTTP"},
			}},
		{"tcp and udp twins settle an ambiguous line", trServicesDoc(
			[]string{"3com-tsmux", "106", "tcp", "3COM-TSMUX", "", "", "", "", "", "", known},
			[]string{"3com-tsmux", "106", "udp", "3COM-TSMUX", "", "", "", "", "", "", known}),
			[]record.Record{
				{Name: "3com-tsmux", Number: "106", Protocol: "tcp", Description: "3COM-TSMUX", Unauthorized: known},
				{Name: "3com-tsmux", Number: "106", Protocol: "udp", Description: "3COM-TSMUX", Unauthorized: known},
			}},
		{"a blank line inside a cell", trServicesDoc(
			[]string{"whoispp", "63", "tcp", "whois++\n\nIANA assigned this well-formed service name"},
			[]string{"whois++", "63", "tcp", "whois++"}),
			[]record.Record{
				{Name: "whoispp", Number: "63", Protocol: "tcp", Description: "whois++ IANA assigned this well-formed service name"},
				{Name: "whois++", Number: "63", Protocol: "tcp", Description: "whois++"},
			}},
		{"a wrapped name", trServicesDoc(
			[]string{"Apple Remote Desktop (Net Assistant)", "3283", "tcp", "Net Assistant"},
			[]string{"Apple Remote Desktop (Net Assistant)", "3283", "udp", "Net Assistant"}),
			[]record.Record{
				{Name: "Apple Remote Desktop (Net Assistant)", Number: "3283", Protocol: "tcp", Description: "Net Assistant"},
				{Name: "Apple Remote Desktop (Net Assistant)", Number: "3283", Protocol: "udp", Description: "Net Assistant"},
			}},
		{"names without number or protocol", trServicesDoc(
			[]string{"lsys-camera", "", "", "Linksys One Camera API", "", "", "", "", "", "", "", "Defined TXT keys:    brand=value (string)\n   model=value (string)"},
			[]string{"lsys-ezcfg", "", "", "LinkSys EZ Configuration"}),
			[]record.Record{
				{Name: "lsys-camera", Description: "Linksys One Camera API", Note: "Defined TXT keys: brand=value (string) model=value (string)"},
				{Name: "lsys-ezcfg", Description: "LinkSys EZ Configuration"},
			}},
		{"columns whose words line up are found from the heading", trServicesDoc(
			[]string{"a", "1", "tcp", "A", "", "", "", "", "", "", "", "aaa bbb"},
			[]string{"b", "2", "tcp", "B", "", "", "", "", "", "", "", "ccc ddd"}),
			[]record.Record{
				{Name: "a", Number: "1", Protocol: "tcp", Description: "A", Note: "aaa bbb"},
				{Name: "b", Number: "2", Protocol: "tcp", Description: "B", Note: "ccc ddd"},
			}},
		{"references, assignee and contact", trServicesDoc(
			[]string{"exp1", "1021", "tcp", "RFC3692-style Experiment 1", "[IESG]", "[IETF_Chair]", "", "", "[1][RFC4727][RFC6335]"},
			[]string{"unify", "181", "tcp", "Unify", "[Daegis_Inc][Chris_Anderson]", "[Chris_Anderson]", "", "", "[ISO/IEC 13818-6 MPEG-2 DSM-CC]"}),
			[]record.Record{
				{Name: "exp1", Number: "1021", Protocol: "tcp", Description: "RFC3692-style Experiment 1",
					Refs: []string{"note:1", "rfc:rfc4727", "rfc:rfc6335"}, Assignee: []string{"person:IESG"}, Contact: []string{"person:IETF_Chair"}},
				{Name: "unify", Number: "181", Protocol: "tcp", Description: "Unify", Refs: []string{"text:ISO/IEC 13818-6 MPEG-2 DSM-CC"},
					Assignee: []string{"person:Daegis_Inc"}, Contact: []string{"person:Chris_Anderson"}},
			}},
		{"CRLF", strings.ReplaceAll(trServicesDoc([]string{"ssh", "22", "tcp", "The Secure Shell (SSH) Protocol"}), "\n", "\r\n"),
			[]record.Record{{Name: "ssh", Number: "22", Protocol: "tcp", Description: "The Secure Shell (SSH) Protocol"}}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			reg, err := ParseTextRendering([]byte(tc.doc))
			if err != nil {
				t.Fatalf("ParseTextRendering: %v\n%s", err, tc.doc)
			}
			if reg.ID != "service-names-port-numbers" || reg.Updated != "2014-07-11" || reg.Format != "text-rendering" {
				t.Errorf("got registry %q %q %q", reg.ID, reg.Updated, reg.Format)
			}
			if len(reg.Records) == 0 {
				t.Fatal("no records")
			}
			if got := reg.Records[1:]; !reflect.DeepEqual(got, tc.want) {
				t.Errorf("got  %#v\nwant %#v\nfrom\n%s", got, tc.want, tc.doc)
			}
		})
	}
}

func TestParseTextRenderingProtocols(t *testing.T) {
	pup := `[Boggs, D., J. Shoch, E. Taft, and R. Metcalfe, "PUP: An Internetwork Architecture", XEROX Palo Alto Research Center, CSL-79-10, July 1979.][[XEROX]]`
	doc := trProtocolsDoc(
		[]string{"0", "HOPOPT", "IPv6 Hop-by-Hop Option", "Y", "[RFC2460]"},
		[]string{"11", "NVP-II", "Network Voice Protocol", "", "[RFC741][Steve_Casner]"},
		[]string{"12", "PUP", "PUP", "", pup},
		[]string{"14", "EMCON", "EMCON", "", "[<mystery contact>]"},
		[]string{"61", "", "any host internal protocol", "", "[Internet_Assigned_Numbers_Authority]"},
		[]string{"143-252", "", "Unassigned", "", "[Internet_Assigned_Numbers_Authority]"},
	)
	reg, err := ParseTextRendering([]byte(doc))
	if err != nil {
		t.Fatalf("ParseTextRendering: %v\n%s", err, doc)
	}
	if reg.ID != "protocol-numbers" || reg.Title != "Protocol Numbers" || reg.Updated != "2013-12-09" {
		t.Errorf("got registry %q %q %q", reg.ID, reg.Title, reg.Updated)
	}
	tbl := "protocol-numbers-1"
	iana := []string{"person:Internet_Assigned_Numbers_Authority"}
	want := []record.Record{
		{Table: tbl, Number: "0", Name: "HOPOPT", Description: "IPv6 Hop-by-Hop Option", Refs: []string{"rfc:rfc2460"}, Other: map[string]string{"ipv6": "Y"}},
		{Table: tbl, Number: "11", Name: "NVP-II", Description: "Network Voice Protocol", Refs: []string{"rfc:rfc741"}, Contact: []string{"person:Steve_Casner"}},
		{Table: tbl, Number: "12", Name: "PUP", Description: "PUP", Refs: []string{
			`text:Boggs, D., J. Shoch, E. Taft, and R. Metcalfe, "PUP: An Internetwork Architecture", XEROX Palo Alto Research Center, CSL-79-10, July 1979.`,
			"text:[XEROX]"}},
		{Table: tbl, Number: "14", Name: "EMCON", Description: "EMCON", Refs: []string{"text:<mystery contact>"}},
		{Table: tbl, Number: "61", Description: "any host internal protocol", Contact: iana},
		{Table: tbl, Number: "143-252", Description: "Unassigned", Contact: iana},
	}
	if !reflect.DeepEqual(reg.Records, want) {
		t.Errorf("got  %#v\nwant %#v\nfrom\n%s", reg.Records, want, doc)
	}
}

func TestParseTextRenderingErrors(t *testing.T) {
	good := trServicesDoc([]string{"echo", "7", "tcp", "Echo"})
	lines := strings.Split(good, "\n")
	headLine := 0 // of the heading "Service Name  Port Number …"
	for i, l := range lines {
		if strings.HasPrefix(l, " Service Name ") {
			headLine = i + 1
		}
	}
	firstData := headLine + 2 // the full row, after the "Uses" line
	if headLine == 0 || !strings.HasPrefix(lines[firstData-1], "discard") {
		t.Fatalf("no heading, or no full row after it, in\n%s", good)
	}
	withLine := func(n int, s string) string {
		l := append([]string(nil), lines...)
		l[n-1] = s
		return strings.Join(l, "\n")
	}
	insert := func(n int, s ...string) string {
		l := append(append(append([]string(nil), lines[:n-1]...), s...), lines[n-1:]...)
		return strings.Join(l, "\n")
	}
	many := make([]string, trMaxRowLines+1)
	for i := range many {
		many[i] = strings.Repeat(" ", 38) + "more"
	}
	for _, tc := range []struct {
		name, data string
		line       int
		msg        string
	}{
		{"plain text", "Hello,\nthis is not a registry.\n", 1, "no table heading"},
		{"empty", "", 1, "no table heading"},
		{"port-numbers file", "PORT NUMBERS\n\n(last updated 2008-02-29)\n\necho   7/tcp   Echo\n", 1, "no table heading"},
		{"heading without rows", strings.Join(lines[:headLine+1], "\n"), headLine, "without rows"},
		{"Last Updated not a date", withLine(4, "           soon"), 4, "Last Updated"},
		{"a column missing", withLine(firstData, strings.Repeat(" ", 20)+"9"), headLine, "columns of text"},
		{"a port that is not a number", withLine(firstData+1, strings.Replace(lines[firstData], "7", "x", 1)), firstData + 1, `"x" is not a number`},
		{"lines that cannot be split into rows", insert(firstData+2, strings.Repeat(" ", 38)+"dangling", strings.Repeat(" ", 38)+"dangling"), firstData + 1, "cannot lay out"},
		{"a row too tall", insert(firstData+2, many...), firstData + 2, fmt.Sprintf("more than %d lines", trMaxRowLines)},
		{"invalid UTF-8", withLine(firstData+1, lines[firstData]+" \xff"), firstData + 1, "invalid UTF-8"},
		{"NUL", withLine(firstData+1, lines[firstData]+" \x00"), firstData + 1, "NUL"},
		{"CSV", csvHead2018 + "echo,7,tcp,Echo,,,,,,,,\n", 1, "no table heading"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			reg, err := ParseTextRendering([]byte(tc.data))
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

// trCount counts the rows of a shared rendering by a line pattern alone:
// for services, a line with text where port numbers and protocols stand
// (bytes 15–37) or a single service name in bytes 0–15; for protocol
// numbers, a line starting with a number or range.
func trCount(t *testing.T, data []byte, services bool) int {
	t.Helper()
	name := regexp.MustCompile(`^[A-Za-z0-9._+*/-]+ *$`)
	decimal := regexp.MustCompile(`^ *[0-9]+(-[0-9]+)? `)
	n, in := 0, false
	sc := bufio.NewScanner(bytes.NewReader(data))
	sc.Buffer(nil, 1<<20)
	for sc.Scan() {
		l := sc.Text()
		padded := l + strings.Repeat(" ", 40)
		switch {
		case !in:
			in = strings.HasPrefix(l, " Service Name   Port Number") || strings.HasPrefix(strings.TrimSpace(l), "Decimal ")
			continue
		case strings.TrimSpace(l) == "People":
			return n
		case services && (strings.TrimSpace(padded[15:37]) != "" || name.MatchString(padded[:16])):
			n++
		case !services && decimal.MatchString(l):
			n++
		}
	}
	return n
}

// TestParseTextRenderingShared parses every shared text rendering: its
// registry, date (the manifest's) and record count (a line-pattern count,
// and the count seen when the parser was written), and well-known numbers.
func TestParseTextRenderingShared(t *testing.T) {
	root := shareddata.Dir(t)
	files := map[string]int{}
	for _, m := range manifest(t, filepath.Join(root, "legacy", "manifest.tsv")) {
		if strings.HasPrefix(m["file"], "legacy/text-renderings/") {
			files[m["file"]] = 0
			t.Run(filepath.Base(m["file"]), func(t *testing.T) {
				data, err := os.ReadFile(filepath.Join(root, m["file"]))
				if err != nil {
					t.Fatal(err)
				}
				reg, err := ParseTextRendering(data)
				if err != nil {
					t.Fatalf("ParseTextRendering: %v", err)
				}
				services := strings.Contains(m["file"], "service-names")
				wantID := "protocol-numbers"
				if services {
					wantID = "service-names-port-numbers"
				}
				if reg.ID != wantID || reg.Format != "text-rendering" {
					t.Errorf("got ID %q format %q, want %q", reg.ID, reg.Format, wantID)
				}
				if reg.Updated != m["claimed_date"] {
					t.Errorf("got Updated %q, want %q", reg.Updated, m["claimed_date"])
				}
				if got, want := len(reg.Records), trCount(t, data, services); got != want {
					t.Errorf("got %d records, want %d (line pattern)", got, want)
				}
				want := map[string]int{"2013-06-26": 13306, "2013-12-19": 13386, "2014-07-11": 13521, "2013-12-09": 148}[reg.Updated]
				if len(reg.Records) != want {
					t.Errorf("got %d records, want %d", len(reg.Records), want)
				}
				for i := range reg.Records {
					if n := reg.Records[i].Number; n != "" {
						if _, _, ok := record.ParseRange(n); !ok {
							t.Errorf("record %d: number %q", i, n)
						}
					}
				}
				if services {
					spotCheck(t, reg)
					return
				}
				for _, sc := range []struct{ number, name, desc, ipv6 string }{
					{"6", "TCP", "Transmission Control", ""},
					{"17", "UDP", "User Datagram", ""},
					{"41", "IPv6", "IPv6 encapsulation", ""},
					{"50", "ESP", "Encap Security Payload", "Y"},
					{"143-252", "", "Unassigned", ""},
					{"255", "Reserved", "", ""},
				} {
					found := false
					for _, r := range reg.Records {
						if r.Number == sc.number {
							found = true
							if r.Table != "protocol-numbers-1" || r.Name != sc.name || r.Description != sc.desc || r.Other["ipv6"] != sc.ipv6 {
								t.Errorf("got %+v, want %+v", r, sc)
							}
						}
					}
					if !found {
						t.Errorf("no record %s", sc.number)
					}
				}
			})
		}
	}
	if len(files) != 4 {
		t.Errorf("got %d text renderings in the manifest, want 4", len(files))
	}
}

// TestTextRenderingAgreesWithCSV compares the 2014-07-11 rendering with the
// CSV of 2014-07-09, two days older and with as many records: they pair in
// order. Where they differ, it is the rendering's layout that the parser
// could not settle: nine pairs of adjacent rows of service names without a
// port (ciao / cip4discovery and the like), where a line between them
// could end the upper row's description or start the lower one's, and
// neither is tcp/udp twins nor wraps wrongly.
func TestTextRenderingAgreesWithCSV(t *testing.T) {
	root := shareddata.Dir(t)
	tr, err := os.ReadFile(filepath.Join(root, "legacy", "text-renderings", "service-names-port-numbers-2014-07-11.txt"))
	if err != nil {
		t.Fatal(err)
	}
	cv, err := os.ReadFile(filepath.Join(root, "csv", "service-names-port-numbers_2014-07-09_seen-2014-07-13_b7a14762.csv"))
	if err != nil {
		t.Fatal(err)
	}
	a, err := ParseCSV(cv)
	if err != nil {
		t.Fatal(err)
	}
	b, err := ParseTextRendering(tr)
	if err != nil {
		t.Fatal(err)
	}
	ag, inOrder := compareRecords(a.Records, b.Records)
	t.Logf("CSV 2014-07-09 vs text 2014-07-11 (in order %v): %v", inOrder, ag)
	if !inOrder {
		t.Errorf("records do not pair in order")
	}
	for _, f := range agreementFields {
		min := 1.0
		if f == "Description" {
			min = 0.998
		}
		if got := ag.rate(f); got < min {
			t.Errorf("%s: got agreement %.4f, want at least %.4f; first difference %s", f, got, min, ag.examples[f])
		}
	}
}

// TestTextRenderingAgreesWithXML compares each rendering with the bundle's
// XML version nearest in date (the bundle has a hole from 2013-05-24 to
// 2015-01-09, so these are 1 to 7 months apart, and protocol-numbers
// starts only in 2016). Records pair by key; the fields that differ are
// real changes between the versions, and for protocol numbers the dates
// that the rendering does not show.
func TestTextRenderingAgreesWithXML(t *testing.T) {
	root := shareddata.Dir(t)
	for _, tc := range []struct {
		file     string
		registry string
		min      map[string]float64
	}{
		{"service-names-port-numbers-2013-06-26.txt", "service-names-port-numbers",
			map[string]float64{"Name": 1, "Protocol": 1, "Number": 1, "Description": 0.998, "Refs": 0.999, "Assignee": 0.99, "Contact": 0.999, "Note": 0.999}},
		{"service-names-port-numbers-2013-12-19.txt", "service-names-port-numbers",
			map[string]float64{"Name": 1, "Protocol": 1, "Number": 1, "Description": 0.998, "Refs": 0.99, "Assignee": 0.99, "Contact": 0.99, "Note": 0.99}},
		{"service-names-port-numbers-2014-07-11.txt", "service-names-port-numbers",
			map[string]float64{"Name": 1, "Protocol": 1, "Number": 1, "Description": 0.998, "Refs": 0.99, "Assignee": 0.99, "Contact": 0.99, "Note": 0.99}},
		{"protocol-numbers-2013-12-09.txt", "protocol-numbers",
			map[string]float64{"Name": 1, "Number": 1, "Description": 1, "Other": 1, "Refs": 0.95, "Contact": 0.95}},
	} {
		t.Run(tc.file, func(t *testing.T) {
			data, err := os.ReadFile(filepath.Join(root, "legacy", "text-renderings", tc.file))
			if err != nil {
				t.Fatal(err)
			}
			tr, err := ParseTextRendering(data)
			if err != nil {
				t.Fatal(err)
			}
			v := nearestVersion(shareddata.Versions(t, tc.registry), tr.Updated)
			x, err := ParseXML(shareddata.Read(t, v))
			if err != nil {
				t.Fatal(err)
			}
			ag, _ := compareRecords(x.Records, tr.Records)
			t.Logf("text %s vs XML %s: %v", tr.Updated, v.Date, ag)
			if ag.pairs < len(tr.Records)*95/100 {
				t.Errorf("got %d of %d records paired, want 95%%", ag.pairs, len(tr.Records))
			}
			for f, min := range tc.min {
				if got := ag.rate(f); got < min {
					t.Errorf("%s: got agreement %.4f, want at least %.4f; first difference %s", f, got, min, ag.examples[f])
				}
			}
		})
	}
}

func TestLooksTextRendering(t *testing.T) {
	for _, tc := range []struct {
		name, head string
		want       bool
	}{
		{"services", trServicesDoc(), true},
		{"protocols", trProtocolsDoc(), true},
		{"date on the same line", "   Last Updated 2013-12-09\n", false},
		{"no date", "   Last Updated\n\n   Expert(s)\n", false},
		{"port-numbers style", "PORT NUMBERS\n\n(last updated 2008-02-29)\n", false},
		{"empty", "", false},
	} {
		t.Run(tc.name, func(t *testing.T) {
			if got := looksTextRendering([]byte(tc.head)); got != tc.want {
				t.Errorf("got %v, want %v", got, tc.want)
			}
		})
	}
}

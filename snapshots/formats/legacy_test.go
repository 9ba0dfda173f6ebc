package formats

import (
	"bufio"
	"bytes"
	"errors"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"github.com/regdiff/regdiff/internal/shareddata"
	"github.com/regdiff/regdiff/snapshots/record"
)

// legacyParsers are the parsers of the old text formats, by the folder of
// their fixtures under testdata/legacy and of their files in the shared
// data's legacy folder.
var legacyParsers = map[string]func([]byte) (*record.Registry, error){
	"port-numbers":     ParsePortNumbers,
	"rfc":              ParseRFC,
	"protocol-numbers": ParseProtocolNumbersText,
}

// TestLegacyGolden parses the fixtures under testdata/legacy with the
// parser of their folder and compares the result, as JSON, with the golden
// file beside each (rewritten by go test -update).
func TestLegacyGolden(t *testing.T) {
	for dir, parse := range legacyParsers {
		files, err := filepath.Glob(filepath.Join("testdata", "legacy", dir, "*.txt"))
		if err != nil || len(files) == 0 {
			t.Fatalf("no fixtures in %s: %v", dir, err)
		}
		for _, file := range files {
			t.Run(dir+"/"+filepath.Base(file), func(t *testing.T) {
				data, err := os.ReadFile(file)
				if err != nil {
					t.Fatal(err)
				}
				reg, err := parse(data)
				if err != nil {
					t.Fatalf("parse: %v", err)
				}
				checkGolden(t, reg, strings.TrimSuffix(file, ".txt")+".json")
			})
		}
	}
}

// TestLegacyFixtureFacts states the decisions the golden files record, so
// that an -update cannot silently change them.
func TestLegacyFixtureFacts(t *testing.T) {
	read := func(t *testing.T, dir, name string) *record.Registry {
		t.Helper()
		data, err := os.ReadFile(filepath.Join("testdata", "legacy", dir, name))
		if err != nil {
			t.Fatal(err)
		}
		reg, err := legacyParsers[dir](data)
		if err != nil {
			t.Fatal(err)
		}
		return reg
	}
	for _, tc := range []struct {
		name, dir, file string
		key             record.Key
		want            record.Record // compared field by field where set
		absent          bool
		noContact       bool
	}{
		{name: "contact under its number only", dir: "port-numbers", file: "sections.txt",
			key: record.Key{Name: "compressnet", Protocol: "tcp", Number: "2"}, want: record.Record{Description: "Management Utility"}, noContact: true},
		{name: "contact of the last number", dir: "port-numbers", file: "sections.txt",
			key: record.Key{Name: "compressnet", Protocol: "udp", Number: "3"}, want: record.Record{Contact: []string{"Bernie Volz <VOLZ@PROCESS.COM>"}}},
		{name: "blank line before contact", dir: "port-numbers", file: "sections.txt",
			key: record.Key{Name: "echo", Protocol: "udp", Number: "7"}, want: record.Record{Contact: []string{"Jon Postel <postel@isi.edu>"}}},
		{name: "contacts and bracketed ref", dir: "port-numbers", file: "sections.txt",
			key:  record.Key{Name: "discard", Protocol: "sctp", Number: "9"},
			want: record.Record{Contact: []string{"IETF TSVWG", "Randall Stewart <rrs@cisco.com>"}, Refs: []string{"rfc:rfc4960"}}},
		{name: "ref inside contact line", dir: "port-numbers", file: "sections.txt",
			key:  record.Key{Name: "discard", Protocol: "dccp", Number: "9"},
			want: record.Record{Contact: []string{"IETF dccp WG, Eddie Kohler <kohler@cs.ucla.edu>"}, Refs: []string{"rfc:rfc4340"}}},
		{name: "bracket in description", dir: "port-numbers", file: "sections.txt",
			key: record.Key{Name: "ftp", Protocol: "tcp", Number: "21"}, want: record.Record{Description: "File Transfer [Control]"}},
		{name: "month after mail", dir: "port-numbers", file: "sections.txt",
			key: record.Key{Name: "ssh", Protocol: "tcp", Number: "22"}, want: record.Record{Contact: []string{"Tatu Ylonen <ylo@cs.hut.fi>"}, Registered: "2004-11"}},
		{name: "day after mail", dir: "port-numbers", file: "sections.txt",
			key: record.Key{Protocol: "tcp", Number: "24"}, want: record.Record{Registered: "2007-09-28"}},
		{name: "split contact", dir: "port-numbers", file: "sections.txt",
			key:  record.Key{Name: "swift-rvf", Protocol: "tcp", Number: "97"},
			want: record.Record{Contact: []string{"Maurice R. Turcotte <mailrus!uflorida!rm1!dnmrt%rmatl@uunet.UU.NET>"}}},
		{name: "remark at the margin ends the run", dir: "port-numbers", file: "sections.txt",
			key: record.Key{Name: "bhoetty", Protocol: "tcp", Number: "351"}, want: record.Record{Contact: []string{"Someone Else <else@example.com>"}}},
		{name: "unassigned before an entry gets no contact", dir: "port-numbers", file: "sections.txt",
			key: record.Key{Protocol: "udp", Number: "4"}, noContact: true},
		{name: "wrapped description", dir: "port-numbers", file: "sections.txt",
			key:  record.Key{Name: "exec", Protocol: "tcp", Number: "512"},
			want: record.Record{Description: "remote process execution; authentication performed using passwords and UNIX login names"}},
		{name: "range without protocol", dir: "port-numbers", file: "sections.txt",
			key: record.Key{Number: "249-255"}, want: record.Record{Description: "Reserved", Contact: []string{"Jon Postel <postel@isi.edu>"}}},
		{name: "commented-out entry", dir: "port-numbers", file: "sections.txt",
			key: record.Key{Name: "unitary", Protocol: "tcp", Number: "126"}, absent: true},
		{name: "unbracketed RFC line", dir: "port-numbers", file: "sections.txt",
			key: record.Key{Name: "pop3", Protocol: "tcp", Number: "110"}, want: record.Record{Refs: []string{"rfc:rfc1939"}}},
		{name: "number alone on a comment", dir: "port-numbers", file: "sections.txt",
			key: record.Key{Number: "585"}, want: record.Record{Description: "De-registered (25 April 2006)"}},
		{name: "trailing RFC citation and draft line", dir: "port-numbers", file: "sections.txt",
			key:  record.Key{Name: "exp1", Protocol: "tcp", Number: "1021"},
			want: record.Record{Description: "RFC3692-style Experiment 1 (*)", Refs: []string{"rfc:rfc4727", "draft:RFC-ietf-pana-pana-18"}}},
		{name: "indented contact without #", dir: "port-numbers", file: "sections.txt",
			key: record.Key{Protocol: "udp", Number: "1023"}, want: record.Record{Contact: []string{"IANA <iana@iana.org>"}}},
		{name: "two-word keyword", dir: "port-numbers", file: "sections.txt",
			key: record.Key{Name: "intuitive edge", Protocol: "tcp", Number: "1355"}, want: record.Record{Description: "Intuitive Edge"}},
		{name: "keyword range", dir: "port-numbers", file: "sections.txt",
			key: record.Key{Name: "active-net", Number: "3322-3325"}, want: record.Record{Contact: []string{"Bob Braden <braden@isi.edu>"}}},
		{name: "list of RFCs", dir: "port-numbers", file: "sections.txt",
			key:  record.Key{Name: "avt-profile-1", Protocol: "udp", Number: "5004"},
			want: record.Record{Description: "RTP media data", Refs: []string{"rfc:rfc3551", "rfc:rfc4571"}}},
		{name: "keyword and number alone", dir: "port-numbers", file: "sections.txt",
			key: record.Key{Name: "info-aps", Number: "6400"}},
		{name: "star comment", dir: "port-numbers", file: "sections.txt",
			key: record.Key{Number: "10108-10112"}, want: record.Record{Description: "Unassigned"}},
		{name: "backwards range kept as written", dir: "port-numbers", file: "sections.txt",
			key: record.Key{Number: "8474-8449"}, want: record.Record{Description: "Unassigned"}},
		{name: "protocol lower-cased", dir: "port-numbers", file: "sections.txt",
			key: record.Key{Name: "odd-proto", Protocol: "tdp", Number: "11111"}},
		{name: "Latin-1 read", dir: "port-numbers", file: "latin1.txt",
			key:  record.Key{Name: "mons", Protocol: "tcp", Number: "2568"},
			want: record.Record{Description: "Café service", Contact: []string{"Stéphane MONS <stephane.mons@free.fr>"}, Registered: "2005-09"}},
		{name: "CRLF", dir: "port-numbers", file: "crlf-no-title.txt",
			key: record.Key{Name: "https", Protocol: "tcp", Number: "443"}, want: record.Record{Contact: []string{"Kipp E.B. Hickman <kipp&mcom.com>"}}},
		{name: "page break inside a run", dir: "rfc", file: "whole.txt",
			key: record.Key{Name: "nsw-fe", Protocol: "udp", Number: "27"}, want: record.Record{Contact: []string{"Robert Thomas <BThomas@F.BBN.COM>"}}},
		{name: "protocol table of the RFC skipped", dir: "rfc", file: "whole.txt",
			key: record.Key{Name: "TCP", Protocol: "tcp", Number: "6"}, absent: true},
		{name: "decimal layout tcp", dir: "rfc", file: "decimal-1060.txt",
			key:  record.Key{Name: "ECHO", Protocol: "tcp", Number: "7"},
			want: record.Record{Description: "Echo", Refs: []string{"ref:95"}, Contact: []string{"person:JBP"}}},
		{name: "decimal layout udp", dir: "rfc", file: "decimal-1060.txt",
			key: record.Key{Name: "ECHO", Protocol: "udp", Number: "7"}, want: record.Record{Description: "Echo"}},
		{name: "decimal without keyword", dir: "rfc", file: "decimal-1060.txt",
			key: record.Key{Protocol: "udp", Number: "0"}, want: record.Record{Description: "Reserved"}},
		{name: "decimal range", dir: "rfc", file: "decimal-1060.txt",
			key: record.Key{Number: "247-255"}, want: record.Record{Description: "Reserved", Contact: []string{"person:JBP"}}},
		{name: "keyword filling its column", dir: "rfc", file: "decimal-1060.txt",
			key: record.Key{Name: "NETBIOS-DGM", Protocol: "tcp", Number: "138"}, want: record.Record{Description: "NETBIOS Datagram Service"}},
		{name: "citation glued to description", dir: "rfc", file: "decimal-1060.txt",
			key: record.Key{Name: "DN6-SMM-RED", Protocol: "udp", Number: "196"}, want: record.Record{Description: "DNSIX Session Mgt Module Audit Redirect"}},
		{name: "UNIX PORTS repeat dropped", dir: "rfc", file: "decimal-1060.txt",
			key: record.Key{Name: "echo", Protocol: "tcp", Number: "7"}, absent: true},
		{name: "UNIX PORTS entry kept", dir: "rfc", file: "decimal-1060.txt",
			key: record.Key{Name: "discard", Protocol: "tcp", Number: "9"}, want: record.Record{Description: "sink null"}},
		{name: "wrap at the margin after a blank line", dir: "rfc", file: "decimal-1060.txt",
			key:  record.Key{Name: "exec", Protocol: "tcp", Number: "512"},
			want: record.Record{Description: "remote process execution; authentication performed using passwords and UNIX login names"}},
		{name: "indented wrap", dir: "rfc", file: "cited-1340.txt",
			key: record.Key{Name: "exec", Protocol: "tcp", Number: "512"}, want: record.Record{Description: "remote process execution; authentication performed using"}},
		{name: "typo protocol as written", dir: "rfc", file: "cited-1340.txt",
			key: record.Key{Name: "NSWS", Protocol: "ddddp", Number: "3049"}},
		{name: "people and references", dir: "protocol-numbers", file: "table.txt",
			key: record.Key{Table: "protocol-numbers-1", Name: "PUP", Number: "12"}, want: record.Record{Refs: []string{"ref:PUP"}, Contact: []string{"person:XEROX"}}},
		{name: "person with a space", dir: "protocol-numbers", file: "table.txt",
			key: record.Key{Table: "protocol-numbers-1", Name: "IDRP", Number: "45"}, want: record.Record{Contact: []string{"person:Sue_Hares"}}},
		{name: "continued protocol text", dir: "protocol-numbers", file: "table.txt",
			key: record.Key{Table: "protocol-numbers-1", Name: "IGP", Number: "9"}, want: record.Record{Description: "any private interior gateway (used by Cisco for their IGRP)"}},
		{name: "keyword with spaces", dir: "protocol-numbers", file: "table.txt",
			key: record.Key{Table: "protocol-numbers-1", Name: "ISIS over IPv4", Number: "124"}},
		{name: "status in keyword column", dir: "protocol-numbers", file: "table.txt",
			key: record.Key{Table: "protocol-numbers-1", Number: "253"}, want: record.Record{Description: "Use for experimentation and testing", Refs: []string{"rfc:rfc3692"}}},
		{name: "tabs", dir: "protocol-numbers", file: "table.txt",
			key: record.Key{Table: "protocol-numbers-1", Name: "IATP", Number: "117"}, want: record.Record{Description: "Interactive Agent Transfer Protocol"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			reg := read(t, tc.dir, tc.file)
			var got *record.Record
			for i := range reg.Records {
				if reg.Records[i].Key() == tc.key {
					got = &reg.Records[i]
					break
				}
			}
			switch {
			case tc.absent && got != nil:
				t.Fatalf("got record %+v, want none with key %+v", *got, tc.key)
			case tc.absent:
				return
			case got == nil:
				t.Fatalf("got no record with key %+v", tc.key)
			}
			if w := tc.want.Description; w != "" && got.Description != w {
				t.Errorf("got description %q, want %q", got.Description, w)
			}
			if w := tc.want.Registered; w != "" && got.Registered != w {
				t.Errorf("got registered %q, want %q", got.Registered, w)
			}
			if w := tc.want.Refs; w != nil && strings.Join(got.Refs, "|") != strings.Join(w, "|") {
				t.Errorf("got refs %q, want %q", got.Refs, w)
			}
			if w := tc.want.Contact; w != nil && strings.Join(got.Contact, "|") != strings.Join(w, "|") {
				t.Errorf("got contact %q, want %q", got.Contact, w)
			}
			if tc.noContact && len(got.Contact) > 0 {
				t.Errorf("got contact %q, want none", got.Contact)
			}
		})
	}
}

// TestLegacyFixtureRegistry checks the registry fields of the fixtures.
func TestLegacyFixtureRegistry(t *testing.T) {
	for _, tc := range []struct {
		dir, file                  string
		id, title, updated, format string
	}{
		{"port-numbers", "sections.txt", "service-names-port-numbers", "PORT NUMBERS", "2004-09-09", "port-numbers"},
		{"port-numbers", "crlf-no-title.txt", "service-names-port-numbers", "", "2008-02-29", "port-numbers"},
		{"port-numbers", "latin1.txt", "service-names-port-numbers", "PORT NUMBERS", "2006-10-03", "port-numbers"},
		{"rfc", "whole.txt", "service-names-port-numbers", "RFC 1700", "1994-10", "rfc"},
		{"rfc", "decimal-1060.txt", "service-names-port-numbers", "RFC 1060", "1990-03", "rfc"},
		{"rfc", "cited-1340.txt", "service-names-port-numbers", "RFC 1340", "1992-07", "rfc"},
		{"rfc", "undated.txt", "service-names-port-numbers", "", "", "rfc"},
		{"protocol-numbers", "table.txt", "protocol-numbers", "PROTOCOL NUMBERS", "2004-08-05", "protocol-numbers-text"},
	} {
		t.Run(tc.dir+"/"+tc.file, func(t *testing.T) {
			data, err := os.ReadFile(filepath.Join("testdata", "legacy", tc.dir, tc.file))
			if err != nil {
				t.Fatal(err)
			}
			reg, err := legacyParsers[tc.dir](data)
			if err != nil {
				t.Fatal(err)
			}
			if reg.ID != tc.id || reg.Title != tc.title || reg.Updated != tc.updated || reg.Format != tc.format {
				t.Errorf("got %q %q %q %q, want %q %q %q %q", reg.ID, reg.Title, reg.Updated, reg.Format,
					tc.id, tc.title, tc.updated, tc.format)
			}
		})
	}
}

func TestLegacyDate(t *testing.T) {
	for _, tc := range []struct{ in, want string }{
		{"2004-01-08", "2004-01-08"},
		{"9 September 2004", "2004-09-09"},
		{"03 October 2006", "2006-10-03"},
		{"2004/01/08", "2004-01-08"},
		{"September 9, 2004", "2004-09-09"},
		{"8-Jan-2004", "2004-01-08"},
		{"Sept 2004", "2004-09"},
		{"October 1994", "1994-10"},
		{"30 February 2004", ""},
		{"2004-13-01", ""},
		{"yesterday", ""},
		{"1 Smarch 2004", ""},
		{"1850-01-01", ""},
	} {
		got, ok := legacyDate(tc.in)
		if got != tc.want || ok != (tc.want != "") {
			t.Errorf("legacyDate(%q): got %q %v, want %q", tc.in, got, ok, tc.want)
		}
	}
}

func TestLegacyErrors(t *testing.T) {
	for _, tc := range []struct {
		name  string
		parse func([]byte) (*record.Registry, error)
		input string
		line  int
		msg   string
	}{
		{"port-numbers: prose", ParsePortNumbers, "Hello,\nthis is no registry.\n", 2, "no port entries"},
		{"port-numbers: bad date", ParsePortNumbers, "PORT NUMBERS\n\n(last updated 31 February 2004)\n", 3, "not a date"},
		{"port-numbers: port too big", ParsePortNumbers, "(last updated 2004-01-08)\n\nfoo   70000/tcp  Foo\n", 3, "out of range 0-65535"},
		{"port-numbers: range too big", ParsePortNumbers, "(last updated 2004-01-08)\n\n#   65000-70000  Unassigned\n", 3, "out of range 0-65535"},
		{"port-numbers: NUL", ParsePortNumbers, "PORT NUMBERS\n\nfoo\x00bar\n", 3, "NUL byte"},
		{"port-numbers: long line", ParsePortNumbers, "a\n" + strings.Repeat("x", legacyMaxLine+1) + "\n", 2, "longer than"},
		{"rfc: no port table", ParseRFC, "Network Working Group                                   J. Doe\n" +
			"Request for Comments: 2616                                 ACME\n" +
			"Category: Standards Track                              June 1999\n\nHTTP\n", 2, "RFC 2616 has no port table"},
		{"rfc: plain text", ParseRFC, "nothing here\n", 1, "this text has no port table"},
		{"rfc: port too big", ParseRFC, "   foo   99999/tcp   Foo   [JBP]\n", 1, "out of range"},
		{"protocol-numbers: no table", ParseProtocolNumbersText, "PROTOCOL NUMBERS\n\n(last updated 2004-01-08)\n\n", 4, "no \"Decimal"},
		{"protocol-numbers: empty table", ParseProtocolNumbersText, "Decimal    Keyword     Protocol   References\n-------\n\nREFERENCES\n", 1, "without rows"},
		{"protocol-numbers: value too big", ParseProtocolNumbersText, "Decimal    Keyword     Protocol   References\n   256     X     Y   [Z]\n", 2, "out of range 0-255"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			reg, err := tc.parse([]byte(tc.input))
			var pe *ParseError
			if !errors.As(err, &pe) {
				t.Fatalf("got %v, %v; want a *ParseError", reg, err)
			}
			if pe.Line != tc.line || !strings.Contains(pe.Msg, tc.msg) {
				t.Errorf("got line %d %q, want line %d containing %q", pe.Line, pe.Msg, tc.line, tc.msg)
			}
		})
	}
	t.Run("too large", func(t *testing.T) {
		data := bytes.Repeat([]byte("x\n"), legacyMaxInput/2+1)
		for name, parse := range legacyParsers {
			_, err := parse(data)
			var pe *ParseError
			if !errors.As(err, &pe) || !strings.Contains(pe.Msg, "larger than") {
				t.Errorf("%s: got %v, want a *ParseError for size", name, err)
			}
		}
	})
}

// legacyManifest reads the claimed date of every legacy file from the
// shared data's manifest, keyed by path under legacy/.
func legacyManifest(t *testing.T, dir string) map[string]string {
	t.Helper()
	f, err := os.Open(filepath.Join(dir, "legacy", "manifest.tsv"))
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	out := map[string]string{}
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		cols := strings.Split(sc.Text(), "\t")
		if len(cols) > 2 && cols[0] != "claimed_date" {
			out[strings.TrimPrefix(cols[1], "legacy/")] = cols[0]
		}
	}
	if err := sc.Err(); err != nil || len(out) == 0 {
		t.Fatalf("manifest: %d entries, %v", len(out), err)
	}
	return out
}

// Patterns of the simpler count of port entries: one regexp a line, no
// state, over the port sections.
var legacyCountPort = []*regexp.Regexp{
	regexp.MustCompile(`^[^#*\s]\S*\s+\d+(-\d+)?/[A-Za-z]+(\s|$)`),   // keyword 22/tcp
	regexp.MustCompile(`^[^#*\s]\S* [a-z]\S*\s+\d+/[A-Za-z]+(\s|$)`), // two-word keyword
	regexp.MustCompile(`^\s+(\S+\s+)?\d+(-\d+)?/[A-Za-z]+(\s|$)`),    // indented, with or without keyword
	regexp.MustCompile(`^[#*]\s\s+\d+(-\d+)?(/[A-Za-z]+)?(\s|$)`),    // commented entry
	regexp.MustCompile(`^\s*[^#*\s]\S*\s+\d+-\d+(\s|$)`),             // keyword range
	regexp.MustCompile(`^\s+\d+-\d+(\s|$)`),                          // range
	regexp.MustCompile(`^[^#*\s]\S*\s+\d+$`),                         // keyword and number
}

// legacySimpleCount counts port entry lines between the line start (or
// the top) and the next line "REFERENCES" after it.
func legacySimpleCount(text, start string) int {
	lines := strings.Split(strings.ReplaceAll(text, "\r", ""), "\n")
	in := start == ""
	n := 0
	for _, l := range lines {
		t := strings.TrimSpace(l)
		switch {
		case !in:
			in = t == start
			continue
		case t == "REFERENCES":
			return n
		}
		for _, re := range legacyCountPort {
			if re.MatchString(l) {
				n++
				break
			}
		}
	}
	return n
}

// legacySimpleCount1060 counts the records of RFC 1060's two sections:
// two per single number and one per range in the Decimal table, plus the
// UNIX PORTS lines that do not repeat a row of it.
func legacySimpleCount1060(text string) int {
	dec, unix, _ := strings.Cut(text, "\nUNIX PORTS\n")
	n := 0
	row := regexp.MustCompile(`(?m)^(\d+)(-\d+)?\s`)
	for _, m := range row.FindAllStringSubmatch(dec, -1) {
		if m[2] == "" {
			n += 2
		} else {
			n++
		}
	}
	line := regexp.MustCompile(`(?m)^(\S+)\s+(\d+)/(tcp|udp)`)
	for _, m := range line.FindAllStringSubmatch(unix, -1) {
		repeat := regexp.MustCompile(`(?mi)^` + m[2] + `\s+` + regexp.QuoteMeta(m[1]) + `\s`)
		if !repeat.MatchString(dec) {
			n++
		}
	}
	return n
}

// legacySpot is a record a version must have: name (compared ignoring
// case), protocol and number; and a description when set.
type legacySpot struct {
	name, protocol, number, description string
}

// legacyFind returns the records with the protocol and number.
func legacyFind(reg *record.Registry, protocol, number string) []record.Record {
	var out []record.Record
	for _, r := range reg.Records {
		if r.Protocol == protocol && r.Number == number {
			out = append(out, r)
		}
	}
	return out
}

func legacyCheckSpots(t *testing.T, reg *record.Registry, has []legacySpot, hasNot []legacySpot) {
	t.Helper()
	for _, s := range has {
		found := false
		for _, r := range legacyFind(reg, s.protocol, s.number) {
			if strings.EqualFold(r.Name, s.name) && (s.description == "" || r.Description == s.description) {
				found = true
			}
		}
		if !found {
			t.Errorf("got no %q %s/%s %q, want one; records there: %+v", s.name, s.number, s.protocol, s.description,
				legacyFind(reg, s.protocol, s.number))
		}
	}
	for _, s := range hasNot {
		for _, r := range legacyFind(reg, s.protocol, s.number) {
			if strings.EqualFold(r.Name, s.name) {
				t.Errorf("got %+v, want no %q at %s/%s in this era", r, s.name, s.number, s.protocol)
			}
		}
	}
}

// The well-known ports and when they appear.
var (
	legacyClassic = []legacySpot{
		{"echo", "tcp", "7", ""}, {"echo", "udp", "7", ""},
		{"ftp", "tcp", "21", ""}, {"smtp", "tcp", "25", ""},
	}
	legacySSH   = legacySpot{"ssh", "tcp", "22", ""}
	legacyHTTPS = legacySpot{"https", "tcp", "443", ""}
)

// TestParsePortNumbersShared parses every shared port-numbers file.
func TestParsePortNumbersShared(t *testing.T) {
	dir := shareddata.Dir(t)
	claimed := legacyManifest(t, dir)
	files, _ := filepath.Glob(filepath.Join(dir, "legacy", "port-numbers", "*.txt"))
	if len(files) != 6 {
		t.Fatalf("got %d port-numbers files, want 6", len(files))
	}
	for _, file := range files {
		name := "port-numbers/" + filepath.Base(file)
		t.Run(filepath.Base(file), func(t *testing.T) {
			data, err := os.ReadFile(file)
			if err != nil {
				t.Fatal(err)
			}
			reg, err := ParsePortNumbers(data)
			if err != nil {
				t.Fatal(err)
			}
			if reg.Updated != claimed[name] || reg.ID != "service-names-port-numbers" || reg.Format != "port-numbers" {
				t.Errorf("got %q %q %q, want updated %q", reg.ID, reg.Format, reg.Updated, claimed[name])
			}
			if want := legacySimpleCount(string(data), ""); len(reg.Records) != want {
				t.Errorf("got %d records, want %d by the line count", len(reg.Records), want)
			}
			legacyCheckSpots(t, reg, append(legacyClassic, legacySSH, legacyHTTPS,
				legacySpot{"http", "tcp", "80", "World Wide Web HTTP"},
				legacySpot{"", "", "249-255", "Reserved"}), nil)
			for _, r := range legacyFind(reg, "", "249-255") {
				if len(r.Contact) != 1 || !strings.HasPrefix(r.Contact[0], "Jon Postel <postel") {
					t.Errorf("got 249-255 contact %q, want Jon Postel's", r.Contact)
				}
			}
			for _, r := range legacyFind(reg, "tcp", "247") {
				if r.Name == "" {
					t.Errorf("got 247/tcp %+v, want it assigned by 2004", r)
				}
			}
		})
	}
}

// TestParseRFCShared parses the three shared Assigned Numbers RFCs.
func TestParseRFCShared(t *testing.T) {
	dir := shareddata.Dir(t)
	claimed := legacyManifest(t, dir)
	reserved := legacySpot{"", "", "247-255", "Reserved"}
	for _, tc := range []struct {
		file, title string
		count       func(string) int
		has, hasNot []legacySpot
	}{
		{"rfc1700.txt", "RFC 1700", func(s string) int { return legacySimpleCount(s, "WELL KNOWN PORT NUMBERS") },
			append(legacyClassic, reserved, legacyHTTPS, legacySpot{"www-http", "tcp", "80", ""}), []legacySpot{legacySSH}},
		{"rfc1340-port-lines-extract.txt", "RFC 1340", func(s string) int { return legacySimpleCount(s, "") },
			append(legacyClassic, reserved, legacySpot{"www", "tcp", "80", ""}), []legacySpot{legacySSH, legacyHTTPS}},
		{"rfc1060-port-sections-from-markdown.txt", "RFC 1060", legacySimpleCount1060,
			append(legacyClassic, reserved, legacySpot{"ECHO", "tcp", "7", "Echo"}, legacySpot{"TCPMUX", "udp", "1", ""}),
			[]legacySpot{legacySSH, legacyHTTPS, {"www", "tcp", "80", ""}, {"www-http", "tcp", "80", ""}}},
	} {
		t.Run(tc.file, func(t *testing.T) {
			data, err := os.ReadFile(filepath.Join(dir, "legacy", "rfc", tc.file))
			if err != nil {
				t.Fatal(err)
			}
			reg, err := ParseRFC(data)
			if err != nil {
				t.Fatal(err)
			}
			if want := claimed["rfc/"+tc.file]; reg.Updated != want || reg.Title != tc.title || reg.Format != "rfc" {
				t.Errorf("got %q %q %q, want %q %q rfc", reg.Title, reg.Updated, reg.Format, tc.title, want)
			}
			if want := tc.count(string(data)); len(reg.Records) != want {
				t.Errorf("got %d records, want %d by the line count", len(reg.Records), want)
			}
			legacyCheckSpots(t, reg, tc.has, tc.hasNot)
			if got := legacyFind(reg, "", "249-255"); len(got) != 0 {
				t.Errorf("got %+v, want no 249-255 before 247 and 248 were assigned", got)
			}
		})
	}
}

// TestParseProtocolNumbersTextShared parses every shared protocol-numbers
// file.
func TestParseProtocolNumbersTextShared(t *testing.T) {
	dir := shareddata.Dir(t)
	claimed := legacyManifest(t, dir)
	files, _ := filepath.Glob(filepath.Join(dir, "legacy", "protocol-numbers", "*.txt"))
	if len(files) != 7 {
		t.Fatalf("got %d protocol-numbers files, want 7", len(files))
	}
	row := regexp.MustCompile(`^\s*\d+(-\d+)?\s`)
	refs := regexp.MustCompile(`(?mi)^references\s*$`)
	for _, file := range files {
		t.Run(filepath.Base(file), func(t *testing.T) {
			data, err := os.ReadFile(file)
			if err != nil {
				t.Fatal(err)
			}
			reg, err := ParseProtocolNumbersText(data)
			if err != nil {
				t.Fatal(err)
			}
			if want := claimed["protocol-numbers/"+filepath.Base(file)]; reg.Updated != want || reg.ID != "protocol-numbers" {
				t.Errorf("got %q %q, want protocol-numbers %q", reg.ID, reg.Updated, want)
			}
			// The simpler count: lines starting with a number between the
			// table header and REFERENCES.
			table := string(data)
			table = table[max(0, strings.Index(table, "Decimal    Keyword")):]
			if end := refs.FindStringIndex(table); end != nil {
				table = table[:end[0]]
			}
			want := 0
			for _, l := range strings.Split(table, "\n") {
				if row.MatchString(l) {
					want++
				}
			}
			if len(reg.Records) != want {
				t.Errorf("got %d records, want %d by the line count", len(reg.Records), want)
			}
			for _, s := range []struct{ number, name string }{{"1", "ICMP"}, {"6", "TCP"}, {"17", "UDP"}, {"41", "IPv6"}, {"255", ""}} {
				var got *record.Record
				for i, r := range reg.Records {
					if r.Number == s.number {
						got = &reg.Records[i]
					}
				}
				if got == nil || got.Name != s.name || got.Table != "protocol-numbers-1" {
					t.Errorf("got %+v for %s, want name %q in protocol-numbers-1", got, s.number, s.name)
				}
			}
		})
	}
}

// TestLegacyDetect runs every recognizer on the head of every shared file
// of every format: each must accept its own format and nothing else.
func TestLegacyDetect(t *testing.T) {
	dir := shareddata.Dir(t)
	type file struct {
		name string
		data []byte
		want string // "port-numbers", "rfc", "protocol-numbers" or ""
	}
	var files []file
	add := func(pattern, want string) {
		paths, _ := filepath.Glob(filepath.Join(dir, pattern))
		if len(paths) == 0 {
			t.Fatalf("no files %s", pattern)
		}
		for _, p := range paths {
			data, err := os.ReadFile(p)
			if err != nil {
				t.Fatal(err)
			}
			rel, _ := filepath.Rel(dir, p)
			files = append(files, file{rel, data, want})
		}
	}
	add("legacy/port-numbers/*.txt", "port-numbers")
	add("legacy/rfc/*.txt", "rfc")
	add("legacy/protocol-numbers/*.txt", "protocol-numbers")
	add("legacy/text-renderings/*.txt", "")
	add("csv/*.csv", "")
	add("legacy/manifest.tsv", "")
	add("csv/manifest.tsv", "")
	for _, reg := range []string{"service-names-port-numbers", "protocol-numbers"} {
		for _, v := range shareddata.Sample(shareddata.Versions(t, reg), 60) {
			files = append(files, file{v.File + "@" + v.Date, shareddata.Read(t, v), ""})
		}
	}
	looks := map[string]func([]byte) bool{
		"port-numbers":     looksPortNumbers,
		"rfc":              looksRFC,
		"protocol-numbers": looksProtocolNumbersText,
	}
	for _, f := range files {
		head := f.data[:min(len(f.data), 4096)]
		for format, look := range looks {
			if got, want := look(head), format == f.want; got != want {
				t.Errorf("%s: got looks %s %v, want %v", f.name, format, got, want)
			}
		}
	}
}

package formats

import (
	"fmt"
	"regexp"
	"strconv"
	"strings"

	"github.com/regdiff/regdiff/snapshots/record"
)

// ParseRFC parses the port tables of an Assigned Numbers RFC, the form the
// port registry took before IANA's online files: RFC 1700 (October 1994),
// RFC 1340 (July 1992), RFC 1060 (March 1990) and their predecessors, whole
// or as extracts.
//
// # Registry
//
// ID is "service-names-port-numbers", Format "rfc" and Title "RFC 1700"
// once the RFC is known. Updated is the RFC's month, "1994-10", never a
// day. The RFC and its month come from the text: its first-page header
// ("Request for Comments: 1700" … "October 1994") or its page headers
// ("RFC 1700  Assigned Numbers  October 1994"). Extracts without them are
// recognized by what only one Assigned Numbers RFC has:
//
//   - a table in the Decimal layout that lists 179 BGP is RFC 1060: BGP got
//     its port in 1989, and RFC 1340, the next edition, dropped the layout;
//   - a table in the keyword layout whose lines end in citation tags
//     ("[JBP]", "[12,JBP]"), with no "#" lines, is RFC 1340: RFC 1060 wrote
//     ports in the Decimal layout and RFC 1700 moved contacts to "#" lines.
//
// Otherwise Updated is "", and the caller must supply the date.
//
// # Records
//
// When the text has headings naming ports ("PORT NUMBERS", "WELL KNOWN
// PORT NUMBERS", "REGISTERED PORT NUMBERS", "UNIX PORTS"), only those
// sections are read; otherwise the whole text is (an extract of port lines).
// Page breaks are skipped. Two layouts are read:
//
//   - The keyword layout, "keyword  22/tcp  description  [refs]", and RFC
//     1700's form of it with "#" comment and contact lines, exactly as
//     [ParsePortNumbers] reads them, ranges without protocol ("247-255
//     Reserved") included. Wrapped description lines continue the
//     description, indented or, in transcriptions that lost the indentation,
//     at the margin.
//   - The Decimal layout, "Decimal  Keyword  Description  References", in a
//     table under that header: "5  RJE  Remote Job Entry  [12,JBP]". Text
//     nearer the Description column than the Keyword column has no keyword.
//     A single number there covers both TCP and UDP (the RFCs say "these same
//     port assignments are used with the UDP"), so it gives a tcp and a udp
//     record, as RFC 1340 and the XML write it; a range ("247-255") gives one
//     record without protocol, as the XML writes ranges. An entry of a
//     keyword-layout table that repeats one of a Decimal-layout table,
//     ignoring case ("echo 7/tcp" in RFC 1060's UNIX PORTS section after
//     "7  ECHO  Echo"), adds no record.
//
// Keywords keep the case the RFC wrote (RFC 1060 writes them upper case).
// Citations at the end of a line map as legacyCitation says: "[RFC959]"
// gives Refs "rfc:rfc959", a number ("[12,JBP]") cites the RFC's own
// numbered reference list and gives Refs "ref:12", and any other tag names
// a person: Contact "person:JBP".
//
// Fields the format carries: Name, Protocol, Number, Description, Refs,
// Contact, and for RFC 1700's "#" contact lines also Registered when they
// carry a date. Table, Assignee, Modified, Note, Unauthorized, ServiceCode
// and Other stay empty.
//
// # Errors
//
// A text without a port table is refused with a *[ParseError] naming the
// line of its RFC header (or line 1); so are port numbers above 65535,
// ranges ending below their start and the input ParsePortNumbers refuses.
// ParseRFC never panics.
func ParseRFC(data []byte) (*record.Registry, error) {
	lines, err := legacyLines(data)
	if err != nil {
		return nil, err
	}
	num, date, at := legacyRFCHeader(lines)
	p := &legacyPortParser{lines: lines, rfc: true}
	if err := p.parse(); err != nil {
		return nil, err
	}
	if len(p.recs) == 0 {
		what := "this text"
		if num != 0 {
			what = fmt.Sprintf("RFC %d", num)
		}
		return nil, &ParseError{Line: max(at, 1), Msg: what + " has no port table (no PORT NUMBERS section, no \"keyword  22/tcp\" lines)"}
	}
	if num == 0 {
		switch {
		case p.decimalRows > 0 && p.bgp179:
			num = 1060
		case p.decimalRows == 0 && p.hashLines == 0 && p.citedLines >= 10:
			num = 1340
		}
	}
	if date == "" {
		date = legacyRFCDates[num]
	}
	reg := &record.Registry{
		ID:      "service-names-port-numbers",
		Updated: date,
		Format:  "rfc",
		Records: p.recs,
	}
	if num != 0 {
		reg.Title = "RFC " + strconv.Itoa(num)
	}
	return reg, nil
}

// legacyRFCDates are the months of the Assigned Numbers RFCs whose tables
// regdiff recognizes without a header.
var legacyRFCDates = map[int]string{
	1060: "1990-03",
	1340: "1992-07",
	1700: "1994-10",
}

const legacyMonthRE = `(January|February|March|April|May|June|July|August|September|October|November|December)`

var (
	legacyRFCNumber   = regexp.MustCompile(`^Request for Comments:\s*(\d{1,5})\b`)
	legacyRFCDateLine = regexp.MustCompile(`  +` + legacyMonthRE + ` ((?:19|20)\d\d)$`)
	legacyRFCPageHead = regexp.MustCompile(`^RFC (\d{1,5}) .*  +` + legacyMonthRE + ` ((?:19|20)\d\d)$`)
	// An entry line of a port table, for recognizing extracts.
	legacyHeadEntry = regexp.MustCompile(`^[ \t]*(?:[^#\s]\S*[ \t]+)?\d{1,5}/(?:tcp|udp)\b`)
)

// legacyRFCHeader finds the RFC's number and month in its first-page header
// or, failing that, its page headers, and the line of the number.
func legacyRFCHeader(lines []legacyLine) (num int, date string, line int) {
	month := func(m, y string) string {
		d, _ := legacyDate(m + " " + y)
		return d
	}
	for _, l := range lines[:min(len(lines), 60)] {
		if g := legacyRFCNumber.FindStringSubmatch(l.text); g != nil && num == 0 {
			num, _ = strconv.Atoi(g[1])
			line = l.num
		}
		if g := legacyRFCDateLine.FindStringSubmatch(l.text); g != nil && num != 0 && date == "" {
			date = month(g[1], g[2])
		}
	}
	if num != 0 && date != "" {
		return num, date, line
	}
	for _, l := range lines {
		if g := legacyRFCPageHead.FindStringSubmatch(l.text); g != nil {
			n, _ := strconv.Atoi(g[1])
			if num == 0 {
				num, line = n, l.num
			}
			if n == num {
				return num, month(g[2], g[3]), line
			}
		}
	}
	return num, date, line
}

// looksRFC reports whether head, the first few KB of a file, is an
// Assigned Numbers RFC or an extract of its port tables: an RFC header or
// page header, a port table header, or at least three port entry lines
// ("keyword  22/tcp"); and no "(last updated …)" line, which marks IANA's
// own files.
func looksRFC(head []byte) bool {
	if legacyHasUpdated(head) {
		return false
	}
	entries := 0
	for _, l := range legacyHeadLines(head) {
		l = strings.TrimRight(l, " \t")
		switch {
		case legacyRFCNumber.MatchString(l), legacyRFCPageHead.MatchString(l),
			legacyDecimalHeader.MatchString(l), legacyKeywordHeader.MatchString(l):
			return true
		case legacyHeadEntry.MatchString(l):
			entries++
		}
	}
	return entries >= 3
}

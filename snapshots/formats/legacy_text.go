package formats

import (
	"bytes"
	"fmt"
	"regexp"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/regdiff/regdiff/snapshots/record"
)

// This file holds what the parsers of IANA's old plain-text formats share:
// reading lines, collapsing white space, dates and bracketed citations.
// The parsers themselves are in legacy_ports.go (IANA's port-numbers file),
// legacy_rfc.go (the Assigned Numbers RFCs) and legacy_protocols.go
// (protocol-numbers).

// Limits on text input that no real file comes near: the largest
// port-numbers file is 0.75 MB, and its longest line about 200 bytes.
const (
	legacyMaxInput = 64 << 20 // bytes in a file
	legacyMaxLine  = 16 << 10 // bytes in a line
)

// legacyLine is one line of a text file.
type legacyLine struct {
	num  int    // 1-based
	text string // tabs expanded to 8 columns, CR, FF and VT as spaces, no trailing white space
}

// legacyLines splits a text file into lines. Input that is not valid UTF-8
// is read as ISO 8859-1 (the 2004-2006 port-numbers files are Latin-1; the
// 2008 copy was converted to UTF-8). CRLF and LF both end lines; a form feed
// (an RFC page break) counts as white space. Refused, with the line: input
// over legacyMaxInput, a line over legacyMaxLine, NUL bytes (binary data)
// and other control characters ([checkControls]).
func legacyLines(data []byte) ([]legacyLine, error) {
	if len(data) > legacyMaxInput {
		return nil, &ParseError{Line: 1 + bytes.Count(data[:legacyMaxInput], []byte{'\n'}),
			Msg: fmt.Sprintf("file is larger than %d MiB: not a registry text file", legacyMaxInput>>20)}
	}
	data = bytes.TrimPrefix(data, []byte("\ufeff"))
	if i := bytes.IndexByte(data, 0); i >= 0 {
		return nil, &ParseError{Line: 1 + bytes.Count(data[:i], []byte{'\n'}), Msg: "NUL byte: binary data, not a text file"}
	}
	latin1 := !utf8.Valid(data)
	if err := checkControls(data, latin1, "a registry text file"); err != nil {
		return nil, err
	}
	lines := make([]legacyLine, 0, bytes.Count(data, []byte{'\n'})+1)
	var b strings.Builder
	for n := 1; len(data) > 0; n++ {
		raw := data
		if i := bytes.IndexByte(data, '\n'); i >= 0 {
			raw, data = data[:i], data[i+1:]
		} else {
			data = nil
		}
		if len(raw) > legacyMaxLine {
			return nil, &ParseError{Line: n, Msg: fmt.Sprintf("line is longer than %d bytes: not a registry text file", legacyMaxLine)}
		}
		b.Reset()
		col := 0
		for len(raw) > 0 {
			r, size := rune(raw[0]), 1
			if r >= utf8.RuneSelf && !latin1 {
				r, size = utf8.DecodeRune(raw)
			}
			raw = raw[size:]
			switch r {
			case '\t':
				for ok := true; ok; ok = col%8 != 0 {
					b.WriteByte(' ')
					col++
				}
				continue
			case '\r', '\f', '\v':
				r = ' '
			}
			b.WriteRune(r)
			col++
		}
		lines = append(lines, legacyLine{num: n, text: strings.TrimRight(b.String(), " ")})
	}
	return lines, nil
}

// legacyFields splits an expanded line at runs of spaces (and only
// spaces: a no-break space is text).
func legacyFields(s string) []string {
	return strings.FieldsFunc(s, func(r rune) bool { return r == ' ' })
}

// legacyIndent returns the column of the first non-space character of an
// expanded line.
func legacyIndent(s string) int { return len(s) - len(strings.TrimLeft(s, " ")) }

var legacyMonths = map[string]time.Month{
	"jan": 1, "january": 1, "feb": 2, "february": 2, "mar": 3, "march": 3,
	"apr": 4, "april": 4, "may": 5, "jun": 6, "june": 6, "jul": 7, "july": 7,
	"aug": 8, "august": 8, "sep": 9, "sept": 9, "september": 9, "oct": 10, "october": 10,
	"nov": 11, "november": 11, "dec": 12, "december": 12,
}

var (
	legacyDateISO   = regexp.MustCompile(`^(\d{4})[-/](\d{1,2})[-/](\d{1,2})$`)
	legacyDateDMY   = regexp.MustCompile(`^(\d{1,2})[- ]([A-Za-z]+)\.?,?[- ](\d{4})$`)
	legacyDateMDY   = regexp.MustCompile(`^([A-Za-z]+)\.? (\d{1,2}),? (\d{4})$`)
	legacyDateMonth = regexp.MustCompile(`^([A-Za-z]+)\.?,? (\d{4})$`)
)

// legacyDate reads a date as the old files write it: "2004-01-08",
// "2004/01/08", "9 September 2004", "03 October 2006", "8-Jan-2004",
// "September 9, 2004", giving "2004-01-08"; or a month, "September 2004",
// giving "2004-09". It refuses impossible dates and years outside 1970-2099.
func legacyDate(s string) (string, bool) {
	s = record.Collapse(s)
	atoi := func(s string) int {
		n, _ := strconv.Atoi(s)
		return n
	}
	month := func(s string) time.Month { return legacyMonths[strings.ToLower(s)] }
	var y, d int
	var m time.Month
	if g := legacyDateISO.FindStringSubmatch(s); g != nil {
		y, m, d = atoi(g[1]), time.Month(atoi(g[2])), atoi(g[3])
	} else if g := legacyDateDMY.FindStringSubmatch(s); g != nil {
		y, m, d = atoi(g[3]), month(g[2]), atoi(g[1])
	} else if g := legacyDateMDY.FindStringSubmatch(s); g != nil {
		y, m, d = atoi(g[3]), month(g[1]), atoi(g[2])
	} else if g := legacyDateMonth.FindStringSubmatch(s); g != nil {
		y, m = atoi(g[2]), month(g[1])
		if m < 1 || m > 12 || y < 1970 || y > 2099 {
			return "", false
		}
		return fmt.Sprintf("%04d-%02d", y, m), true
	} else {
		return "", false
	}
	if m < 1 || m > 12 || y < 1970 || y > 2099 || d < 1 {
		return "", false
	}
	t := time.Date(y, m, d, 0, 0, 0, 0, time.UTC)
	if t.Day() != d {
		return "", false // 30 February
	}
	return t.Format("2006-01-02"), true
}

var legacyUpdatedRE = regexp.MustCompile(`(?i)\(\s*last\s+updated:?\s*([^()]*)\)`)

// legacyUpdated finds the "(last updated …)" line among the first 100 lines
// of a file. It returns the date, or "" when there is no such line, and an
// error when the line holds no date it can read.
func legacyUpdated(lines []legacyLine) (string, error) {
	for _, l := range lines[:min(len(lines), 100)] {
		g := legacyUpdatedRE.FindStringSubmatch(l.text)
		if g == nil {
			continue
		}
		d, ok := legacyDate(g[1])
		if !ok {
			return "", &ParseError{Line: l.num, Msg: fmt.Sprintf("(last updated %s): not a date", record.Collapse(g[1]))}
		}
		return d, nil
	}
	return "", nil
}

// legacyHasUpdated reports whether head has a "(last updated …)" line.
func legacyHasUpdated(head []byte) bool {
	return legacyUpdatedRE.Match(head)
}

// Citations are the bracketed tags of the old texts: "[RFC959]",
// "[12,JBP]", "[RFC 3551, RFC 4571]", "[Sue Hares]".
var (
	legacyCiteRFC   = regexp.MustCompile(`^(?i:rfc) ?0*(\d{1,5})$`)
	legacyCiteDraft = regexp.MustCompile(`^(?:RFC-|draft-)[A-Za-z0-9._-]+$`)
	legacyCiteTag   = regexp.MustCompile(`^[A-Z0-9]+$`)
	legacyCiteNum   = regexp.MustCompile(`^[0-9]+$`)
)

// legacyCitation maps one item of a citation to a ref or a contact, in the
// XML's "type:data" form:
//
//   - "RFC959", "RFC 959" → ref "rfc:rfc959"
//   - "RFC-ietf-pana-pana-18.txt" (a draft in the RFC Editor's queue) →
//     ref "draft:RFC-ietf-pana-pana-18", as the XML names such drafts
//   - a number, which cites the document's own numbered reference list
//     (RFC 1060, RFC 1340), or a tag listed in the document's own reference
//     section (docs) → ref "ref:12", "ref:PUP"
//   - any other tag names a person → contact "person:JBP"; spaces become
//     underscores as in the XML's person ids ("[Sue Hares]" →
//     "person:Sue_Hares")
func legacyCitation(item string, docs map[string]bool) (ref, contact string) {
	item = record.Collapse(item)
	switch {
	case item == "":
		return "", ""
	case legacyCiteRFC.MatchString(item):
		return "rfc:rfc" + legacyCiteRFC.FindStringSubmatch(item)[1], ""
	case legacyCiteDraft.MatchString(item):
		return "draft:" + strings.TrimSuffix(item, ".txt"), ""
	case legacyCiteNum.MatchString(item) || docs[item]:
		return "ref:" + item, ""
	}
	return "", "person:" + strings.ReplaceAll(item, " ", "_")
}

// legacyStrictItem reports whether item has the shape of a citation in a
// port table, where a bracket may also be part of the description ("File
// Transfer [Control]"): an RFC, a draft, a number or an upper-case tag.
func legacyStrictItem(item string) bool {
	item = record.Collapse(item)
	return legacyCiteRFC.MatchString(item) || legacyCiteDraft.MatchString(item) || legacyCiteTag.MatchString(item)
}

// legacyTrailingCitations splits the bracketed groups at the end of s from
// the text before them, which keeps its columns. With strict, a group
// counts only when all its comma-separated items pass legacyStrictItem.
// Groups are returned in source order.
func legacyTrailingCitations(s string, strict bool) (text string, groups []string) {
	s = strings.TrimRight(s, " ")
	for strings.HasSuffix(s, "]") {
		open := strings.LastIndexByte(s, '[')
		if open < 0 {
			break
		}
		inner := s[open+1 : len(s)-1]
		if strings.ContainsAny(inner, "[]") || strings.TrimSpace(inner) == "" {
			break
		}
		if strict {
			ok := true
			for _, item := range strings.Split(inner, ",") {
				ok = ok && legacyStrictItem(item)
			}
			if !ok {
				break
			}
		}
		groups = append(groups, inner)
		s = strings.TrimRight(s[:open], " ")
	}
	for i, j := 0, len(groups)-1; i < j; i, j = i+1, j-1 {
		groups[i], groups[j] = groups[j], groups[i]
	}
	return s, groups
}

// legacyCite adds the items of citation groups to a record.
func legacyCite(r *record.Record, groups []string, docs map[string]bool) {
	for _, g := range groups {
		for _, item := range strings.Split(g, ",") {
			ref, contact := legacyCitation(item, docs)
			legacyAddRef(r, ref)
			legacyAddContact(r, contact)
		}
	}
}

// legacyAddRef adds a ref unless empty or already there.
func legacyAddRef(r *record.Record, ref string) {
	if ref != "" && !legacyHas(r.Refs, ref) {
		r.Refs = append(r.Refs, ref)
	}
}

// legacyAddContact adds a contact unless empty or already there.
func legacyAddContact(r *record.Record, c string) {
	if c != "" && !legacyHas(r.Contact, c) {
		r.Contact = append(r.Contact, c)
	}
}

func legacyHas(list []string, s string) bool {
	for _, x := range list {
		if x == s {
			return true
		}
	}
	return false
}

// legacyNumber reads a port or protocol number or range, "22" or "249-255",
// and returns it in canonical form (no leading zeros). It fails on anything
// else and on numbers above max. A range written backwards ("8474-8449", a
// typo in the 2004-2006 port-numbers files) is kept as written: [record.ParseRange]
// reports it as no range.
func legacyNumber(s string, max int) (string, error) {
	a, b, isRange := strings.Cut(s, "-")
	lo, err1 := strconv.Atoi(a)
	hi, err2 := strconv.Atoi(b)
	switch {
	case err1 != nil || lo < 0 || isRange && (err2 != nil || hi < 0) || strings.ContainsAny(s, " +"):
		return "", fmt.Errorf("%q is not a number or range", s)
	case !isRange && lo > max:
		return "", fmt.Errorf("number %d is out of range 0-%d", lo, max)
	case !isRange:
		return strconv.Itoa(lo), nil
	case lo > max || hi > max:
		return "", fmt.Errorf("range %s is out of range 0-%d", s, max)
	}
	return strconv.Itoa(lo) + "-" + strconv.Itoa(hi), nil
}

// legacyHeading reports whether a line is a section heading of an RFC or
// of IANA's text files: upper case, at the margin, between blank lines
// ("WELL KNOWN PORT NUMBERS", "REFERENCES").
func legacyHeading(lines []legacyLine, i int) bool {
	t := lines[i].text
	if t == "" || t[0] < 'A' || t[0] > 'Z' || len(t) > 72 {
		return false
	}
	letters := 0
	for j := 0; j < len(t); j++ {
		c := t[j]
		switch {
		case c >= 'A' && c <= 'Z':
			letters++
		case c == ' ' || c == '/' || c == '-' || c == ',' || c == '&' || c == '(' || c == ')' || c == '.' || c == '\'' || c >= '0' && c <= '9':
		default:
			return false
		}
	}
	blank := func(j int) bool {
		return j < 0 || j >= len(lines) || lines[j].text == "" || legacyPageLine(lines[j].text)
	}
	return letters >= 3 && blank(i-1) && blank(i+1)
}

var (
	legacyPageFooter = regexp.MustCompile(`\[Page \d+\]$`)
	legacyPageHeader = regexp.MustCompile(`^RFC \d+ .*  +(?:January|February|March|April|May|June|July|August|September|October|November|December) (?:19|20)\d\d$`)
)

// legacyPageLine reports whether a line is the running footer or header of
// an RFC page ("Reynolds & Postel  [Page 16]", "RFC 1700  Assigned Numbers
// October 1994").
func legacyPageLine(t string) bool {
	return legacyPageFooter.MatchString(t) || legacyPageHeader.MatchString(t)
}

// legacyHeadLines returns the lines of head, a file's first bytes, with
// CRs removed.
func legacyHeadLines(head []byte) []string {
	return strings.Split(strings.ReplaceAll(string(head), "\r", ""), "\n")
}

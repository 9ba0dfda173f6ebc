package formats

import (
	"regexp"
	"strings"

	"github.com/regdiff/regdiff/snapshots/record"
)

// ParseProtocolNumbersText parses IANA's plain-text protocol-numbers file,
// the form the Protocol Numbers registry took before the XML (2003-2008 and
// around).
//
// # Registry
//
// ID is "protocol-numbers" and Format "protocol-numbers-text". Updated is
// the date of the "(last updated …)" line, read as [ParsePortNumbers] reads
// it, or "" when there is none. Title is the title line ("PROTOCOL
// NUMBERS") when the file has one.
//
// # Records
//
// The table under the header "Decimal  Keyword  Protocol  References" gives
// one [record.Record] a row, in file order, up to the first line at the margin
// that is not a row ("REFERENCES"). Every record has Table
// "protocol-numbers-1", where the XML nests them. A row is
//
//	  6     TCP         Transmission Control         [RFC793]
//	 61                 any host internal protocol   [IANA]
//	140-252 Unassigned                               [IANA]
//
// Number is the decimal value or range; Name the keyword; Description the
// protocol text, with indented lines under the row appended ("any private
// interior gateway" / "(used by Cisco for their IGRP)"). Tabs are expanded
// to 8 columns. Text starting nearer the Protocol column than the Keyword
// column has no keyword. The keyword ends at the first gap of two spaces or
// where a word starts right at the Protocol column ("BBN-RCC-MON BBN RCC
// Monitoring"); a keyword alone may have spaces ("ISIS over IPv4"). Text
// alone in the Keyword column is the Name, except on a range and when it is
// a status ("Unassigned", "Reserved", "Use for experimentation and
// testing"), which is the Description.
//
// The bracketed groups ending a row are its references, mapped as
// legacyCitation says: "[RFC793]" gives Refs "rfc:rfc793", a draft
// "draft:RFC-ietf-hip-base-10", a tag the file's REFERENCES section defines
// ("[PUP]") Refs "ref:PUP", and any other tag a person: Contact
// "person:Sue_Hares" for "[Sue Hares]".
//
// Fields the format carries: Table, Name, Number, Description, Refs,
// Contact. Protocol, Assignee, Registered, Modified, Note, Unauthorized,
// ServiceCode and Other (the XML's "ipv6") stay empty.
//
// # Errors
//
// A file without the table header or without rows is refused with a
// *[ParseError]; so are values above 255, ranges ending below their start
// and the input ParsePortNumbers refuses. ParseProtocolNumbersText never
// panics.
func ParseProtocolNumbersText(data []byte) (*record.Registry, error) {
	lines, err := legacyLines(data)
	if err != nil {
		return nil, err
	}
	updated, err := legacyUpdated(lines)
	if err != nil {
		return nil, err
	}
	hdr, kwCol, descCol := -1, 0, 0
	for i, l := range lines {
		if g := legacyProtocolHeader.FindStringSubmatchIndex(l.text); g != nil {
			hdr, kwCol, descCol = i, g[4], g[6]
			break
		}
	}
	if hdr < 0 {
		return nil, &ParseError{Line: max(1, len(lines)), Msg: "no \"Decimal  Keyword  Protocol  References\" table: not IANA's protocol-numbers file"}
	}
	docs := legacyReferenceTags(lines[hdr+1:])
	var recs []record.Record
rows:
	for _, l := range lines[hdr+1:] {
		t := l.text
		switch {
		case t == "" || legacyDashes.MatchString(t):
			continue
		case t[0] != ' ' && (t[0] < '0' || t[0] > '9'):
			break rows // the REFERENCES heading, or other text at the margin
		}
		f := legacyFields(t)
		if !legacyProtocolToken.MatchString(f[0]) {
			// An indented line continues the row above.
			if len(recs) == 0 {
				continue
			}
			r := &recs[len(recs)-1]
			text, groups := legacyTrailingCitations(record.Collapse(t), false)
			r.Description = record.Collapse(r.Description + " " + text)
			legacyCite(r, groups, docs)
			continue
		}
		r, err := legacyProtocolRow(l, kwCol, descCol, docs)
		if err != nil {
			return nil, err
		}
		recs = append(recs, r)
	}
	if len(recs) == 0 {
		return nil, &ParseError{Line: lines[hdr].num, Msg: "protocol table without rows"}
	}
	return &record.Registry{
		ID:      "protocol-numbers",
		Title:   legacyTitle(lines),
		Updated: updated,
		Format:  "protocol-numbers-text",
		Records: recs,
	}, nil
}

var (
	legacyProtocolHeader = regexp.MustCompile(`^\s*(Decimal)\s+(Keyword)\s+(Protocol)\s+References\b`)
	legacyProtocolToken  = regexp.MustCompile(`^\d{1,9}(?:-\d{1,9})?$`)
	legacyReferenceTag   = regexp.MustCompile(`^\[([^\[\]]+)\]`)
	legacyStatusText     = regexp.MustCompile(`^(?:Unassigned|Reserved|Experimental|Use for )`)
)

// looksProtocolNumbersText reports whether head, the first few KB of a file,
// is IANA's plain-text protocol-numbers file: a "(last updated …)" line and
// the table header "Decimal  Keyword  Protocol  References".
func looksProtocolNumbersText(head []byte) bool {
	if !legacyHasUpdated(head) {
		return false
	}
	for _, l := range legacyHeadLines(head) {
		if legacyProtocolHeader.MatchString(l) {
			return true
		}
	}
	return false
}

// legacyReferenceTags returns the tags the REFERENCES section defines
// ("[PUP]  Boggs, D., …"), up to the PEOPLE section.
func legacyReferenceTags(lines []legacyLine) map[string]bool {
	tags := map[string]bool{}
	in := false
	for _, l := range lines {
		t := strings.TrimSpace(l.text)
		switch {
		case strings.EqualFold(t, "REFERENCES"):
			in = true
		case in && strings.EqualFold(t, "PEOPLE"):
			return tags
		case in:
			if g := legacyReferenceTag.FindStringSubmatch(l.text); g != nil {
				tags[record.Collapse(g[1])] = true
			}
		}
	}
	return tags
}

// legacyChunk is a piece of a row between gaps of two or more spaces.
type legacyChunk struct {
	col  int
	text string
}

// legacyChunks splits s, which starts at column off, at gaps of two or more
// spaces.
func legacyChunks(s string, off int) []legacyChunk {
	var out []legacyChunk
	for i := 0; i < len(s); {
		if s[i] == ' ' {
			i++
			continue
		}
		j := i
		for j < len(s) && !(s[j] == ' ' && (j+1 >= len(s) || s[j+1] == ' ')) {
			j++
		}
		out = append(out, legacyChunk{col: off + i, text: s[i:j]})
		i = j
	}
	return out
}

// legacyProtocolRow reads one row of the protocol table.
func legacyProtocolRow(l legacyLine, kwCol, descCol int, docs map[string]bool) (record.Record, error) {
	t := l.text
	ind := legacyIndent(t)
	tok := legacyFields(t)[0]
	num, err := legacyNumber(tok, 255)
	if err != nil {
		return record.Record{}, &ParseError{Line: l.num, Msg: "protocol " + err.Error()}
	}
	off := ind + len(tok)
	text, groups := legacyTrailingCitations(t[off:], false)
	chunks := legacyChunks(text, off)
	var name string
	var desc []string
	switch {
	case len(chunks) == 0:
	case chunks[0].col >= (kwCol+descCol+1)/2:
		for _, c := range chunks {
			desc = append(desc, c.text)
		}
	default:
		// A keyword that fills its column runs into the protocol text with
		// one space: it ends where a word starts at the Protocol column.
		first := chunks[0]
		name = first.text
		for i := 1; i < len(first.text); i++ {
			if first.text[i-1] == ' ' && first.col+i == descCol {
				name = first.text[:i-1]
				desc = append(desc, first.text[i:])
				break
			}
		}
		for _, c := range chunks[1:] {
			desc = append(desc, c.text)
		}
		if len(desc) == 0 && (strings.Contains(num, "-") || legacyStatusText.MatchString(name)) {
			name, desc = "", []string{name}
		}
	}
	r := record.Record{
		Table:       "protocol-numbers-1",
		Name:        record.Collapse(name),
		Number:      num,
		Description: record.Collapse(strings.Join(desc, " ")),
	}
	legacyCite(&r, groups, docs)
	return r, nil
}

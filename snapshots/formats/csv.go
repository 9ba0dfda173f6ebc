package formats

import (
	"bytes"
	"encoding/csv"
	"errors"
	"fmt"
	"io"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/regdiff/regdiff/snapshots/record"
)

// Titles of the registries the CSV and the text renderings carry, as the
// XML's <title> gives them. Neither format has a title field of its own
// (the 2013–2014 text rendering sometimes has a title line, which is the
// same text).
const (
	csvServicesTitle  = "Service Name and Transport Protocol Port Number Registry"
	csvProtocolsTitle = "Protocol Numbers"
)

// csvHeader is the header of IANA's service-names-port-numbers.csv. Column
// 11 was "Known Unauthorized Uses" up to 2018 and "Unauthorized Use
// Reported" from 2019; both are accepted.
var csvHeader = [...]string{
	"Service Name", "Port Number", "Transport Protocol", "Description",
	"Assignee", "Contact", "Registration Date", "Modification Date",
	"Reference", "Service Code", "Known Unauthorized Uses", "Assignment Notes",
}

const csvColumn11Since2019 = "Unauthorized Use Reported"

// Columns of the CSV.
const (
	csvName = iota
	csvNumber
	csvProtocol
	csvDescription
	csvAssignee
	csvContact
	csvRegistered
	csvModified
	csvReference
	csvServiceCode
	csvUnauthorized
	csvNote
	csvColumns
)

// ParseCSV parses IANA's CSV rendering of the Service Name and Transport
// Protocol Port Number Registry (service-names-port-numbers.csv), as
// published from 2014 on.
//
// # Registry
//
// ID is "service-names-port-numbers", Title the XML's title (the CSV has
// none) and Format "csv". A CSV has no "updated" field: Updated is the
// latest date in its Registration Date and Modification Date columns, which
// is the date the file itself gives. It is a lower bound of the real
// publication date; an upper bound (when the file was first seen) needs
// knowledge from outside the file, so it is not used. When no row carries a
// valid date, Updated is "" and the caller must supply the date.
//
// # Records
//
// Each row after the header is one [record.Record], in file order, with the
// fields the XML parser ([ParseXML]) gives for the same registry version,
// since the CSV is IANA's rendering of that XML:
//
//   - Service Name, Port Number, Transport Protocol, Description, Service
//     Code, column 11 and Assignment Notes give Name, Number, Protocol,
//     Description, ServiceCode, Unauthorized and Note; Registration Date
//     and Modification Date give Registered and Modified, as written.
//   - Reference is a run of bracketed items, "[RFC959][1]". Each item gives
//     one Refs entry, in the XML parser's "type:data" form, by its shape:
//     "RFCn" gives "rfc:rfcn", a number "note:n", "draft-…" and "RFC-…"
//     (an RFC to be) "draft:…", a URL "uri:…", and anything else
//     "text:…", the XML's type for free text. Text that is not a run of
//     bracketed items gives one "text:" entry with the whole cell.
//   - Contact gives Contact, each bracketed item "X" as "person:X".
//   - Assignee gives Assignee the same way, except when it equals Contact:
//     IANA's CSV repeats the contact in the Assignee column when the XML
//     record has no <assignee> (the common case), so an Assignee equal to
//     Contact stays empty. The XML records whose <assignee> names the same
//     person as the contact (under 0.6% of records) therefore lose their
//     Assignee here. An Assignee that ends with the Contact items and has
//     more (how the 2013 text rendering wrote assignee and contact) keeps
//     the items before them.
//
// What the CSV writes differently from the XML stays as the CSV writes
// it: an inline <xref type="rfc" data="rfc6614"/> in a note is "[rfc6614]"
// from the XML parser and "[RFC6614]" in the CSV; an xref with text as
// well as data shows its text ("[TR-352]" for a uri).
//
// Text is collapsed by [record.Collapse], as by every parser: every run of ASCII
// white space becomes one space, and the ends are trimmed.
//
// # Errors
//
// Input that is not such a CSV is refused with a *[ParseError] giving the
// line: a header other than the one above, a row with another number of
// fields, broken quoting (such as a quoted field that is never closed), a
// Port Number that is not a number or range, invalid UTF-8, NUL bytes and
// other control characters (see [checkControls]).
// ParseCSV never panics; its memory use is a small multiple of the input's
// size.
func ParseCSV(data []byte) (*record.Registry, error) {
	if !utf8.Valid(data) {
		return nil, &ParseError{Line: csvInvalidUTF8Line(data), Msg: "invalid UTF-8: not an IANA CSV"}
	}
	if i := bytes.IndexByte(data, 0); i >= 0 {
		return nil, &ParseError{Line: 1 + bytes.Count(data[:i], []byte{'\n'}), Msg: "NUL byte: not an IANA CSV"}
	}
	if err := checkControls(data, false, "an IANA CSV"); err != nil {
		return nil, err
	}
	data = bytes.TrimPrefix(data, []byte("\ufeff"))
	r := csv.NewReader(bytes.NewReader(data))
	r.FieldsPerRecord = -1 // checked here, for a clearer message
	r.ReuseRecord = true

	head, err := r.Read()
	if err != nil {
		if err == io.EOF {
			return nil, &ParseError{Line: 1, Msg: "empty CSV: no header"}
		}
		return nil, csvError(err)
	}
	if err := checkCSVHeader(head); err != nil {
		return nil, err
	}

	reg := &record.Registry{ID: "service-names-port-numbers", Title: csvServicesTitle, Format: "csv"}
	reg.Records = make([]record.Record, 0, len(data)/80+1)
	var sl csvStrings
	for {
		row, err := r.Read()
		if err == io.EOF {
			break
		}
		if err != nil {
			return nil, csvError(err)
		}
		line, _ := r.FieldPos(0)
		if len(row) != csvColumns {
			return nil, &ParseError{Line: line, Msg: fmt.Sprintf("row has %d fields, want %d as in the header", len(row), csvColumns)}
		}
		rec := record.Record{
			Name:         record.Collapse(row[csvName]),
			Number:       record.Collapse(row[csvNumber]),
			Protocol:     record.Collapse(row[csvProtocol]),
			Description:  record.Collapse(row[csvDescription]),
			Registered:   record.Collapse(row[csvRegistered]),
			Modified:     record.Collapse(row[csvModified]),
			ServiceCode:  record.Collapse(row[csvServiceCode]),
			Unauthorized: record.Collapse(row[csvUnauthorized]),
			Note:         record.Collapse(row[csvNote]),
		}
		if rec.Number != "" {
			if _, _, ok := record.ParseRange(rec.Number); !ok {
				l, _ := r.FieldPos(csvNumber)
				return nil, &ParseError{Line: l, Msg: fmt.Sprintf("port number %s is not a number or range", xmlQuote(rec.Number))}
			}
		}
		rec.Refs = sl.refs(row[csvReference])
		rec.Assignee, rec.Contact = sl.assigneeContact(row[csvAssignee], row[csvContact])
		for _, d := range [...]string{rec.Registered, rec.Modified} {
			if csvIsDate(d) && csvLaterDate(d, reg.Updated) {
				reg.Updated = d
			}
		}
		reg.Records = append(reg.Records, rec)
	}
	return reg, nil
}

func checkCSVHeader(head []string) error {
	bad := len(head) != csvColumns
	for i := 0; !bad && i < csvColumns; i++ {
		h := strings.TrimSpace(head[i])
		if h != csvHeader[i] && (i != csvUnauthorized || h != csvColumn11Since2019) {
			bad = true
		}
	}
	if bad {
		got := strings.Join(head, ",")
		if len(got) > 80 {
			got = got[:80] + "..."
		}
		return &ParseError{Line: 1, Msg: fmt.Sprintf("header is %q, want IANA's service-names-port-numbers.csv header %q", got, strings.Join(csvHeader[:], ","))}
	}
	return nil
}

// csvError turns an encoding/csv error into a *ParseError.
func csvError(err error) error {
	var pe *csv.ParseError
	if !errors.As(err, &pe) {
		return &ParseError{Line: 1, Msg: err.Error()}
	}
	switch {
	case errors.Is(pe.Err, csv.ErrQuote) && pe.StartLine != pe.Line:
		return &ParseError{Line: pe.StartLine, Msg: fmt.Sprintf("broken quoting: a quoted field in the row starting here is not closed properly (found at line %d column %d)", pe.Line, pe.Column)}
	case errors.Is(pe.Err, csv.ErrQuote):
		return &ParseError{Line: pe.Line, Msg: fmt.Sprintf("broken quoting at column %d: a quote inside a quoted field must be doubled", pe.Column)}
	case errors.Is(pe.Err, csv.ErrBareQuote):
		return &ParseError{Line: pe.Line, Msg: fmt.Sprintf("broken quoting at column %d: a quote in a field that is not quoted", pe.Column)}
	}
	return &ParseError{Line: pe.Line, Msg: pe.Err.Error()}
}

func csvInvalidUTF8Line(data []byte) int {
	line := 1
	for i := 0; i < len(data); {
		r, n := utf8.DecodeRune(data[i:])
		if r == utf8.RuneError && n == 1 {
			break
		}
		if r == '\n' {
			line++
		}
		i += n
	}
	return line
}

// looksCSV reports whether head, the start of a file, is IANA's
// service-names-port-numbers.csv: its first line is the CSV header.
func looksCSV(head []byte) bool {
	head = bytes.TrimPrefix(head, []byte("\ufeff"))
	line, _, _ := bytes.Cut(head, []byte("\n"))
	line = bytes.TrimSpace(line)
	return bytes.HasPrefix(line, []byte("Service Name,Port Number,Transport Protocol,Description,"))
}

// csvIsDate reports whether s is a date as registries write it: YYYY-MM-DD or
// YYYY-MM.
func csvIsDate(s string) bool {
	switch len(s) {
	case 10:
		_, err := time.Parse("2006-01-02", s)
		return err == nil
	case 7:
		_, err := time.Parse("2006-01", s)
		return err == nil
	}
	return false
}

// csvLaterDate reports whether date a is later than b ("" is earliest). A
// month counts as its first day, so "2017-08" is later than "2017-07-30"
// and earlier than "2017-08-01".
func csvLaterDate(a, b string) bool { return a > b }

// csvBracketed splits s, collapsed, into its bracketed items: "[a][b c]"
// gives "a", "b c". Brackets nest ("[[XEROX]]" gives "[XEROX]"), and
// white space between items is allowed. ok is false when s is not such a
// run of items.
func csvBracketed(s string) (items []string, ok bool) {
	depth, start := 0, 0
	for i := 0; i < len(s); i++ {
		switch c := s[i]; {
		case c == '[':
			if depth == 0 {
				start = i + 1
			}
			depth++
		case c == ']':
			if depth == 0 {
				return nil, false
			}
			depth--
			if depth == 0 {
				items = append(items, record.Collapse(s[start:i]))
			}
		case depth == 0 && c != ' ':
			return nil, false
		}
	}
	return items, depth == 0
}

// csvRefType gives the xref type for a reference as the CSV and the text
// rendering write it: "RFC959", "1", "draft-ietf-x", "RFC-ietf-x-15",
// "http://…", or free text.
func csvRefType(item string) (typ, data string) {
	switch {
	case len(item) > 3 && item[:3] == "RFC" && csvAllDigits(item[3:]):
		return "rfc", "rfc" + item[3:]
	case csvAllDigits(item):
		return "note", item
	case strings.HasPrefix(item, "draft-") || strings.HasPrefix(item, "RFC-"):
		return "draft", item
	case strings.HasPrefix(item, "http://") || strings.HasPrefix(item, "https://") || strings.HasPrefix(item, "ftp://"):
		return "uri", item
	}
	return "text", item
}

func csvAllDigits(s string) bool {
	for i := 0; i < len(s); i++ {
		if s[i] < '0' || s[i] > '9' {
			return false
		}
	}
	return s != ""
}

// csvIsPersonID reports whether s looks like the id of an IANA person entry:
// letters, digits, '_', '-' and '.', starting with a letter, no spaces
// ("Jon_Postel", "IETF_Chair", "IEEE_1722_1").
func csvIsPersonID(s string) bool {
	if s == "" || !(s[0] >= 'A' && s[0] <= 'Z' || s[0] >= 'a' && s[0] <= 'z') {
		return false
	}
	for _, r := range s {
		switch {
		case r >= 'A' && r <= 'Z', r >= 'a' && r <= 'z', r >= '0' && r <= '9', r == '_', r == '-', r == '.':
		case r >= utf8.RuneSelf: // "Sean_D_Sollé"
		default:
			return false
		}
	}
	return true
}

// csvStrings allocates the string slices of records from shared blocks, so
// that a file of 14,000 records makes a few large allocations.
type csvStrings struct{ slab []string }

func (l *csvStrings) add(ss ...string) []string {
	if len(ss) == 0 {
		return nil
	}
	if cap(l.slab)-len(l.slab) < len(ss) {
		l.slab = make([]string, 0, max(1024, len(ss)))
	}
	n := len(l.slab)
	l.slab = append(l.slab, ss...)
	return l.slab[n:len(l.slab):len(l.slab)]
}

// refs converts a Reference cell to Refs.
func (l *csvStrings) refs(cell string) []string {
	cell = record.Collapse(cell)
	if cell == "" {
		return nil
	}
	items, ok := csvBracketed(cell)
	if !ok {
		return l.add("text:" + cell)
	}
	out := make([]string, 0, len(items))
	for _, it := range items {
		if it == "" {
			continue
		}
		t, d := csvRefType(it)
		out = append(out, t+":"+d)
	}
	return l.add(out...)
}

// assigneeContact converts the Assignee and Contact cells. IANA's
// renderings fill the Assignee column with the record's contacts when it
// has no <assignee> (so an Assignee equal to Contact is no assignee), and
// the 2013 text rendering wrote the assignee followed by the contacts (so
// an Assignee that ends with the Contact items, and has more, is the items
// before them).
func (l *csvStrings) assigneeContact(assigneeCell, contactCell string) (assignee, contact []string) {
	a, c := record.Collapse(assigneeCell), record.Collapse(contactCell)
	if a == c {
		return nil, l.people(c)
	}
	if c != "" && len(a) > len(c) && strings.HasSuffix(a, c) {
		if items, ok := csvBracketed(a[:len(a)-len(c)]); ok && len(items) > 0 && a[len(a)-len(c)-1] == ']' && c[0] == '[' {
			a = a[:len(a)-len(c)]
		}
	}
	return l.people(a), l.people(c)
}

// people converts an Assignee or Contact cell, collapsed, to "person:X"
// entries. Text that is not a run of bracketed items is kept whole.
func (l *csvStrings) people(cell string) []string {
	if cell == "" {
		return nil
	}
	items, ok := csvBracketed(cell)
	if !ok {
		return l.add("person:" + cell)
	}
	out := make([]string, 0, len(items))
	for _, it := range items {
		if it != "" {
			out = append(out, "person:"+it)
		}
	}
	return l.add(out...)
}

// Package record is regdiff's model of a registry version: the records
// every source format is parsed into, the registry's other elements and
// people, the stored version that holds them, and the one white-space rule
// all text obeys. It imports nothing beyond the standard library, so that
// the diff can be pure and every package can share one vocabulary.
//
// A [Registry] is one version of a registry; its [Record] values are what
// the diff and history packages compare. Every source format (IANA's XML,
// CSV, the old text files) maps onto the same fields, and a field a format
// cannot carry stays empty.
package record

import (
	"cmp"
	"strconv"
	"strings"
)

// Registry is one version of one registry.
type Registry struct {
	ID      string // the registry's id attribute, e.g. "service-names-port-numbers"
	Title   string
	Updated string // the registry's own date: "2024-03-18", or "1990-03" where a source gives only a month
	Format  string // source format: "xml", "csv", ...
	Records []Record
	// Items are the registry's elements other than records and people, in
	// document order: titles, notes, experts, registration rules, xrefs,
	// footnotes, ranges, the <updated> date itself, and those of each nested
	// registry. Formats other than XML carry none.
	Items []Item `json:",omitempty"`
	// People are the entries of the registry's <people> section, in
	// document order.
	People []Person `json:",omitempty"`
}

// Item is one element of a registry other than a record or a person.
type Item struct {
	// Table is the id of the nested registry the element belongs to, or ""
	// for the root registry.
	Table string `json:"table,omitempty"`
	// Element is the element's name: "title", "note", "xref", "footnote",
	// "registry" (a nested registry, which Key names), ...
	Element string `json:"element"`
	// Key tells apart elements of one name: "type:data" for an xref, the
	// attribute values otherwise (a footnote's anchor, a note's title).
	Key string `json:"key,omitempty"`
	// Text is the element's text, by the rules of record text.
	Text string `json:"text,omitempty"`
}

// Person is one entry of a registry's <people> section, the target of the
// records' "person:ID" contacts and assignees.
type Person struct {
	ID      string            `json:"id"`
	Name    string            `json:"name,omitempty"`
	Org     string            `json:"org,omitempty"`
	URI     string            `json:"uri,omitempty"`
	Updated string            `json:"updated,omitempty"`
	Other   map[string]string `json:"other,omitempty"` // any other child element, by name
}

// Record is one registration. Text fields hold the source's text with XML
// entities decoded and white space collapsed by [Collapse] (<br/> counting as
// white space), so that layout changes in the source never count as a
// change. White space is ASCII only: space, tab, LF, CR, form feed and
// vertical tab. A no-break space (U+00A0) and every other non-ASCII
// character is content, so that a change between a space and a no-break
// space is a change. Every parser and the diff use this one rule.
type Record struct {
	// Table is the id of the nested <registry> that holds the record, or ""
	// for records directly under the top-level registry (service names).
	Table    string `json:"table,omitempty"`
	Name     string `json:"name,omitempty"`
	Protocol string `json:"protocol,omitempty"`
	// Number is <number> (ports) or <value> (most other registries), as
	// written: "22", "249-255".
	Number      string `json:"number,omitempty"`
	Description string `json:"description,omitempty"`
	// Refs are the record's own <xref> elements other than people, as
	// "type:data" ("rfc:rfc959"); Contact are its <xref type="person">
	// ("person:Jon_Postel"); Assignee are the xrefs inside <assignee>.
	// Order is the source's.
	Refs         []string `json:"refs,omitempty"`
	Assignee     []string `json:"assignee,omitempty"`
	Contact      []string `json:"contact,omitempty"`
	Registered   string   `json:"registered,omitempty"` // date attribute: YYYY-MM or YYYY-MM-DD
	Modified     string   `json:"modified,omitempty"`   // updated attribute
	Note         string   `json:"note,omitempty"`
	Unauthorized string   `json:"unauthorized,omitempty"`
	ServiceCode  string   `json:"service_code,omitempty"` // <sc>, DCCP service code
	// Other holds any further child element by its name (e.g. "ipv6" in
	// protocol-numbers), so that registries beyond the two known ones keep
	// all their data.
	Other map[string]string `json:"other,omitempty"`
}

// Fields are the comparable fields of a record, by the names the diff
// uses (Record's JSON tags). Other child elements are compared by their own
// names and carried by XML only.
var Fields = []string{"description", "refs", "assignee", "contact", "registered", "modified", "note", "unauthorized", "service_code"}

// Key identifies a record within a version: (name, protocol, number) with
// each absent part empty, qualified by the table for nested registries.
// Where those do not identify the records of a table (a registry keyed by
// a code, a label, or nothing), the diff adds Extra: the further elements
// that do, as "code=0x13,0x01" (several joined by "; "), or "#" and a
// digest of the record's whole content when nothing does.
type Key struct {
	Table    string `json:"table,omitempty"`
	Name     string `json:"name"`
	Protocol string `json:"protocol"`
	Number   string `json:"number"`
	Extra    string `json:"extra,omitempty"`
}

// Key returns the record's key.
func (r *Record) Key() Key {
	return Key{Table: r.Table, Name: r.Name, Protocol: r.Protocol, Number: r.Number}
}

// Range returns the first and last number the record covers, and false when
// Number is empty or not a number or range of numbers.
func (r *Record) Range() (lo, hi int, ok bool) {
	return ParseRange(r.Number)
}

// ParseRange parses "22" or "249-255" (spaces around the dash allowed).
func ParseRange(s string) (lo, hi int, ok bool) {
	s = strings.TrimSpace(s)
	a, b, isRange := strings.Cut(s, "-")
	lo, err := strconv.Atoi(strings.TrimSpace(a))
	if err != nil || lo < 0 {
		return 0, 0, false
	}
	if !isRange {
		return lo, lo, true
	}
	hi, err = strconv.Atoi(strings.TrimSpace(b))
	if err != nil || hi < lo {
		return 0, 0, false
	}
	return lo, hi, true
}

// Compare orders records the way the normalized form lists them: by table,
// then numerically by number (records without a number last), then
// protocol, then name, then the rest of the key text.
func Compare(a, b *Record) int {
	if c := cmp.Compare(a.Table, b.Table); c != 0 {
		return c
	}
	alo, ahi, aok := a.Range()
	blo, bhi, bok := b.Range()
	switch {
	case aok && !bok:
		return -1
	case !aok && bok:
		return 1
	case aok && bok:
		if c := cmp.Compare(alo, blo); c != 0 {
			return c
		}
		if c := cmp.Compare(ahi, bhi); c != 0 {
			return c
		}
	}
	return CompareText(a, b)
}

// CompareText is the part of [Compare] after the numbers: it breaks ties
// between records whose numbers compare equal, for a caller that compared
// the numbers itself.
func CompareText(a, b *Record) int {
	if c := cmp.Compare(a.Number, b.Number); c != 0 {
		return c
	}
	if c := cmp.Compare(a.Protocol, b.Protocol); c != 0 {
		return c
	}
	return cmp.Compare(a.Name, b.Name)
}

// Collapse replaces every run of white space in s with one space and trims
// the ends. White space is the ASCII space, tab, LF, CR, form feed and
// vertical tab; every other byte, and so every non-ASCII character (a
// no-break space U+00A0 included), is kept as it is. Text already collapsed
// is returned as it is, without allocating.
func Collapse(s string) string {
	i := 0
	for ; i < len(s); i++ {
		if c := s[i]; c <= ' ' && isSpace(c) && (c != ' ' || i == 0 || i == len(s)-1 || s[i+1] == ' ') {
			break
		}
	}
	if i == len(s) {
		return s
	}
	// s[:i] is collapsed, except that it may end with the space that
	// starts the run at i.
	b := make([]byte, 0, len(s))
	b = append(b, s[:i]...)
	space := false
	if n := len(b); n > 0 && b[n-1] == ' ' {
		b, space = b[:n-1], true
	}
	for ; i < len(s); i++ {
		c := s[i]
		if isSpace(c) {
			space = len(b) > 0
			continue
		}
		if space {
			b = append(b, ' ')
			space = false
		}
		b = append(b, c)
	}
	return string(b)
}

// isSpace reports whether c is white space for [Collapse]: space, or tab,
// LF, vertical tab, form feed, CR (9 to 13).
func isSpace(c byte) bool { return c == ' ' || '\t' <= c && c <= '\r' }

// Space holds the bytes [Collapse] takes for white space, for bytes.Trim
// and the like.
const Space = " \t\n\v\f\r"

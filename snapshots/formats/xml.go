package formats

import (
	"bytes"
	"errors"
	"fmt"
	"hash/maphash"
	"maps"
	"slices"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/regdiff/regdiff/snapshots/record"
)

// ParseXML parses one version of an IANA XML registry, such as
// service-names-port-numbers.xml or protocol-numbers.xml, or any registry
// written in the same schema.
//
// # Registry
//
// ID is the id attribute of the root <registry>, Title the text of its
// <title>, and Updated the text of its own direct <updated> child, of which
// there may be one, holding a date (YYYY-MM-DD or YYYY-MM); a registry
// without one (a few of IANA's have only <created>, or nothing) has Updated
// "", for the caller to date. The <updated> elements of people and of
// nested registries do not count. Format is "xml".
//
// # Records
//
// Every <record> element at any depth is one [record.Record], in document order.
// Its Table is the id of the innermost enclosing <registry> when that is a
// nested registry, and "" when the record sits in the root registry. The
// fields come from the record's child elements, in whatever order they
// appear:
//
//   - <name>, <protocol>, <description>, <note>, <unauthorized> and <sc>
//     give Name, Protocol, Description, Note, Unauthorized and ServiceCode.
//   - <number> gives Number; when it is absent or empty, <value> does. When
//     both hold text, Number is <number> and Other["value"] keeps <value>.
//   - <xref type="T" data="D"/> gives Contact "person:D" when T is "person"
//     and Refs "T:D" otherwise. When data is empty or missing, D is the
//     xref's text. Each <xref> directly inside <assignee> gives Assignee
//     "T:D" by the same rule; any other content of <assignee> is ignored.
//   - Any other child element gives Other[tag] (present even when empty).
//   - The attributes date and updated give Registered and Modified.
//
// A field that occurs several times has its non-empty texts joined by a
// space.
//
// # Text
//
// The text of an element is all the character data within it, with
// entities decoded and CDATA sections kept as text. Comments and processing
// instructions are dropped. Nested elements contribute their text, except
// that <br/> counts as white space and an inline <xref data="D"> renders as
// "[D]" in place of its content (an xref without data is transparent). Then
// every run of white space (space, tab, CR, LF, raw or as a character
// reference) is collapsed to one space and the ends are trimmed: the rule
// of [record.Collapse], applied inline by the scanner (the form feed and vertical
// tab, white space to Collapse, are not allowed in XML). A no-break space
// and every other non-ASCII character is text. Attribute values are
// collapsed the same way.
//
// # Errors
//
// Anything that is not a well-formed IANA registry is refused with a
// *[ParseError] giving the line: malformed or truncated XML, mismatched end
// tags, a root other than <registry> (an error wrapping [ErrNotRegistry]),
// a root without an id, an <updated> that is no date, a nested registry
// without an id, a record or registry inside a record or inside a text
// element, an invalid entity, text outside
// the root element, and any <!DOCTYPE> (refused outright, since entity
// expansion attacks come through it). Only UTF-8 and XML 1.0 are read, and
// names must be ASCII, without namespace prefix on elements. Elements may
// nest at most 256 deep; names longer than 256 bytes and attribute values
// longer than 64 KiB are refused. Whatever ParseXML accepts, encoding/xml
// finds well-formed too. ParseXML never panics.
//
// Records' strings are freshly allocated: the result does not keep data.
func ParseXML(data []byte) (*record.Registry, error) {
	return parseXML(data, nil)
}

func parseXML(data []byte, memo *Parser) (*record.Registry, error) {
	p := &xmlParser{
		data: data,
		seed: maphash.MakeSeed(),
		// Real registries take 250 to 270 bytes a record.
		records: make([]record.Record, 0, len(data)/240+16),
		memo:    memo,
	}
	if memo != nil {
		memo.gen++
	}
	reg, err := p.parse()
	if err != nil {
		return nil, err
	}
	if memo != nil {
		if memo.elements == nil {
			memo.elements = make(map[string]*memoElement, len(p.fresh))
		}
		for _, f := range p.fresh {
			m := &memoElement{table: f.table, depth: f.depth, gen: memo.gen}
			if f.person {
				m.person = p.persons[f.index]
				m.person.Other = maps.Clone(m.person.Other) // the caller's is the caller's
			} else {
				m.rec = p.records[f.index]
				m.rec.Other = maps.Clone(m.rec.Other)
			}
			memo.elements[string(data[f.start:f.end])] = m
		}
		// What this file does not hold is forgotten once it is as much as
		// the file holds: going over the map after every file took a
		// quarter of the time.
		if held := len(p.records) + len(p.persons); len(memo.elements) > 2*held {
			maps.DeleteFunc(memo.elements, func(_ string, m *memoElement) bool { return m.gen != memo.gen })
		}
	}
	return reg, nil
}

// ParseError is the error ParseXML returns for input it refuses.
type ParseError struct {
	Line int // 1-based line of the input where the problem is
	Msg  string
	err  error
}

func (e *ParseError) Error() string { return fmt.Sprintf("line %d: %s", e.Line, e.Msg) }

// Unwrap gives ErrNotRegistry for a document that is XML but no registry.
func (e *ParseError) Unwrap() error { return e.err }

// ErrNotRegistry is wrapped by the error for an XML document whose root is
// not a <registry>: another kind of file, where a malformed registry is a
// registry refused.
var ErrNotRegistry = errors.New("not an IANA registry")

// Limits on input that no real registry comes near.
const (
	xmlMaxDepth   = 256     // element nesting
	xmlMaxName    = 256     // bytes in an element or attribute name
	xmlMaxAttrLen = 1 << 16 // bytes in an attribute value
	xmlMaxAttrs   = 64      // attributes on one element

	xmlCacheSize = 8192 // interned strings
)

// Byte classes for scanning character data.
const (
	xcPlain   = iota // printable ASCII with no special meaning
	xcSpace          // XML white space: space, tab, CR, LF
	xcAmp            // '&'
	xcBracket        // ']', which may start a forbidden "]]>"
	xcLess           // '<', forbidden in attribute values
	xcQuote          // '"' or '\'', which may end an attribute value
	xcHigh           // first byte of a multi-byte UTF-8 sequence (or not UTF-8)
	xcCtrl           // a control character XML does not allow
)

var xmlClass, xmlNameStart, xmlNameChar = func() (cls [256]uint8, start, char [256]bool) {
	for c := 0; c < 256; c++ {
		switch {
		case c == ' ' || c == '\t' || c == '\r' || c == '\n':
			cls[c] = xcSpace
		case c < 0x20:
			cls[c] = xcCtrl
		case c >= 0x80:
			cls[c] = xcHigh
		case c == '&':
			cls[c] = xcAmp
		case c == ']':
			cls[c] = xcBracket
		case c == '<':
			cls[c] = xcLess
		case c == '"' || c == '\'':
			cls[c] = xcQuote
		}
		letter := 'a' <= c && c <= 'z' || 'A' <= c && c <= 'Z' || c == '_'
		start[c] = letter
		char[c] = letter || '0' <= c && c <= '9' || c == '-' || c == '.'
	}
	return
}()

// Modes of character data.
const (
	xmText  = iota // element content: entities, no "]]>"
	xmAttr         // attribute value: entities, no "]]>", no '<'
	xmCDATA        // CDATA section: no markup at all
	xmOther        // comment or processing instruction
)

type xmlToken uint8

const (
	xtEOF xmlToken = iota
	xtStart
	xtEnd
)

type xmlAttr struct {
	name       []byte
	start, end int // the value, within data
}

// xmlSpan is a piece of xmlParser.buf.
type xmlSpan struct{ off, end int }

// Record fields read from text elements. The first xfCount are cut from
// the shared string at flush; other elements get keys from xfKnown on.
const (
	xfName = iota
	xfNumber
	xfValue
	xfDescription
	xfNote
	xfUnauthorized
	xfSC
	xfCount
	xfProtocol = xfCount // interned
	xfKnown    = xfCount + 1
)

// xmlPart is the text of one text element of a record.
type xmlPart struct {
	key int
	sp  xmlSpan
}

type xmlParser struct {
	data []byte
	pos  int

	// The tag next returned last.
	tagStart  int
	name      []byte
	attrs     []xmlAttr
	selfClose bool

	outside bool // before or after the root element: only white space may stand as text
	declAt  int  // where an XML declaration may stand

	capOn   bool // character data is appended to buf
	capFrom int  // where the text being captured starts in buf

	buf []byte // text of the records not yet flushed, then scratch
	tmp []byte // scratch for attribute values

	// The record being read.
	parts                []xmlPart      // its text elements, in order
	seen                 []bool         // by key: whether a part has it
	multi                bool           // whether a key has several parts
	other                []string       // names of its other elements, by key-xfKnown
	otherIdx             map[string]int // index of other, once it grows
	refs, contact, assgn []string

	pending [][xfCount]xmlSpan // text fields of the records not yet flushed
	titles  []string

	items   []record.Item
	persons []record.Person

	// See Parser; fresh lists this file's records and people not found
	// in memo.
	memo  *Parser
	fresh []freshElement

	sawUpdated bool
	strs       [xmlCacheSize]string // interned strings, by hash
	seed       maphash.Seed
	slab       []string // backing store of Refs, Contact and Assignee
	records    []record.Record
}

func (p *xmlParser) errorf(pos int, format string, args ...any) error {
	return &ParseError{Line: p.line(pos), Msg: fmt.Sprintf(format, args...)}
}

// rootIsRegistry reports whether the first element of d, past the
// prolog's declarations, comments and processing instructions, is a
// <registry>: asked only when the prolog or the root's start tag does not
// parse, to tell a malformed registry from another kind of file.
func rootIsRegistry(d []byte) bool {
	for {
		i := bytes.IndexByte(d, '<')
		if i < 0 || i+1 >= len(d) {
			return false
		}
		d = d[i+1:]
		if d[0] != '?' && d[0] != '!' {
			rest, ok := bytes.CutPrefix(d, []byte("registry"))
			return ok && (len(rest) == 0 || strings.IndexByte(" \t\r\n/>", rest[0]) >= 0)
		}
	}
}

func (p *xmlParser) notRegistry(pos int, msg string) error {
	return &ParseError{Line: p.line(pos), Msg: msg + ": " + ErrNotRegistry.Error(), err: ErrNotRegistry}
}

func (p *xmlParser) line(pos int) int {
	return 1 + bytes.Count(p.data[:min(max(pos, 0), len(p.data))], []byte{'\n'})
}

// parse reads the whole document.
func (p *xmlParser) parse() (*record.Registry, error) {
	d := p.data
	if bytes.HasPrefix(d, []byte("\ufeff")) {
		p.pos = 3
	}
	p.declAt = p.pos
	p.outside = true
	t, err := p.next(nil)
	switch {
	case err != nil && !rootIsRegistry(d):
		return nil, p.notRegistry(p.tagStart, err.Error())
	case err != nil:
		return nil, err
	case t == xtEOF:
		return nil, p.notRegistry(len(d), "no root element")
	case t == xtEnd:
		return nil, p.errorf(p.tagStart, "end tag </%s> without a start tag", p.name)
	case string(p.name) != "registry":
		return nil, p.notRegistry(p.tagStart, fmt.Sprintf("root element is <%s>, not <registry>", p.name))
	}
	name, start, self := p.name, p.tagStart, p.selfClose
	reg := &record.Registry{Format: "xml"}
	p.tmp = p.attrValue(p.tmp[:0], "id")
	if len(p.tmp) == 0 {
		return nil, p.errorf(start, "root <registry> has no id attribute")
	}
	reg.ID = string(p.tmp)
	if !self {
		p.outside = false
		if err := p.walk(name, start, 1, "", reg, true); err != nil {
			return nil, err
		}
		p.outside = true
	}
	switch t, err := p.next(nil); {
	case err != nil:
		return nil, err
	case t != xtEOF:
		return nil, p.errorf(p.tagStart, "markup after the end of the root element")
	}
	if p.sawUpdated && !xmlIsDate(reg.Updated) {
		return nil, p.errorf(start, "root <updated> is %s, want a date such as 2024-03-18", xmlQuote(reg.Updated))
	}
	p.flush()
	reg.Title = strings.Join(p.titles, " ")
	reg.Records = p.records
	reg.Items = p.items
	reg.People = p.persons
	return reg, nil
}

func xmlIsDate(s string) bool {
	_, err1 := time.Parse("2006-01-02", s)
	_, err2 := time.Parse("2006-01", s)
	return err1 == nil || err2 == nil
}

// walk reads the content of a registry, or of any element outside records,
// up to the end tag of name, and parses the records and nested registries
// within. For the root registry, reg gets its title and updated date. level
// is set when name is a <registry>, whose other children are its items.
func (p *xmlParser) walk(name []byte, start, depth int, table string, reg *record.Registry, level bool) error {
	for {
		t, err := p.next(name)
		switch {
		case err != nil:
			return err
		case t == xtEOF:
			return p.unclosed(name, start)
		case t == xtEnd:
			return p.end(name, start)
		}
		child, cstart, self := p.name, p.tagStart, p.selfClose
		if depth >= xmlMaxDepth {
			return p.errorf(cstart, "elements nested more than %d deep", xmlMaxDepth)
		}
		switch {
		case string(child) == "record":
			err = p.record(table, cstart, depth+1)
		case string(child) == "registry":
			p.tmp = p.attrValue(p.tmp[:0], "id")
			if len(p.tmp) == 0 {
				return p.errorf(cstart, "nested <registry> has no id attribute")
			}
			id := p.intern(p.tmp)
			if level {
				p.items = append(p.items, record.Item{Table: table, Element: "registry", Key: id})
			}
			if !self {
				err = p.walk(child, cstart, depth+1, id, nil, true)
			}
		case string(child) == "people":
			if !self {
				err = p.people(child, cstart, depth+1, table)
			}
		case level && (self || string(child) == "title" || string(child) == "updated" || !p.holdsRecords(child)):
			var it record.Item
			if it, err = p.item(child, cstart, depth+1, self, table); err != nil {
				break
			}
			p.items = append(p.items, it)
			switch {
			case reg == nil:
			case it.Element == "updated":
				if p.sawUpdated {
					return p.errorf(cstart, "more than one <updated> in the root <registry>")
				}
				p.sawUpdated = true
				reg.Updated = it.Text
			case it.Element == "title" && it.Text != "":
				p.titles = append(p.titles, it.Text)
			}
		case !self:
			err = p.walk(child, cstart, depth+1, table, nil, false)
		}
		if err != nil {
			return err
		}
	}
}

// holdsRecords reports whether the element whose start tag next returned
// last may hold a record or a registry before its end tag, which makes it
// a container walked for its records rather than an item. (A false alarm,
// such as "<record" in a comment, only costs the item.)
func (p *xmlParser) holdsRecords(name []byte) bool {
	seg := p.data[p.pos:]
	if end := bytes.Index(seg, append([]byte("</"), name...)); end >= 0 {
		seg = seg[:end]
	}
	return bytes.Contains(seg, []byte("<record")) || bytes.Contains(seg, []byte("<registry"))
}

// item reads a registry-level element whose start tag next returned last.
func (p *xmlParser) item(name []byte, start, depth int, self bool, table string) (record.Item, error) {
	it := record.Item{Table: table, Element: p.intern(name)}
	if string(name) == "xref" {
		p.tmp = p.attrValue(p.tmp[:0], "type")
		p.tmp = append(p.tmp, ':')
		p.tmp = p.attrValue(p.tmp, "data")
		it.Key = string(p.tmp)
	} else {
		var vals []string
		for _, a := range p.attrs {
			if v := p.attrValue(nil, string(a.name)); len(v) > 0 {
				vals = append(vals, string(v))
			}
		}
		it.Key = strings.Join(vals, " ")
	}
	var err error
	it.Text, err = p.captureString(name, start, depth, self)
	return it, err
}

// people reads a <people> element: each <person> child is one Person.
func (p *xmlParser) people(name []byte, start, depth int, table string) error {
	for {
		t, err := p.next(name)
		switch {
		case err != nil:
			return err
		case t == xtEOF:
			return p.unclosed(name, start)
		case t == xtEnd:
			return p.end(name, start)
		}
		child, cstart, self := p.name, p.tagStart, p.selfClose
		if depth >= xmlMaxDepth {
			return p.errorf(cstart, "elements nested more than %d deep", xmlMaxDepth)
		}
		switch {
		case string(child) == "person":
			err = p.person(child, cstart, depth+1, self)
		case string(child) == "record":
			err = p.record(table, cstart, depth+1)
		case !self:
			err = p.walk(child, cstart, depth+1, table, nil, false)
		}
		if err != nil {
			return err
		}
	}
}

// person reads a <person> element whose start tag next returned last.
func (p *xmlParser) person(name []byte, start, depth int, self bool) error {
	end := -1
	if p.memo != nil && !self {
		end = p.elementEnd("</person")
	}
	if end >= 0 {
		if m := p.recall(start, end, "", depth); m != nil {
			pr := m.person
			pr.Other = maps.Clone(pr.Other) // no two files share a map
			p.persons = append(p.persons, pr)
			return nil
		}
		defer func() {
			if p.pos == end {
				p.fresh = append(p.fresh, freshElement{index: len(p.persons) - 1, start: start, end: end, depth: depth, person: true})
			}
		}()
	}
	p.tmp = p.attrValue(p.tmp[:0], "id")
	pr := record.Person{ID: string(p.tmp)}
	add := func(dst *string, s string) {
		switch {
		case s == "":
		case *dst == "":
			*dst = s
		default:
			*dst += " " + s
		}
	}
	for !self {
		t, err := p.next(name)
		switch {
		case err != nil:
			return err
		case t == xtEOF:
			return p.unclosed(name, start)
		case t == xtEnd:
			if err := p.end(name, start); err != nil {
				return err
			}
			self = true
			continue
		}
		child, cstart, cself := p.name, p.tagStart, p.selfClose
		if depth >= xmlMaxDepth {
			return p.errorf(cstart, "elements nested more than %d deep", xmlMaxDepth)
		}
		switch string(child) {
		case "record", "registry":
			return p.errorf(cstart, "<%s> inside <person>", child)
		}
		field := p.intern(child)
		s, err := p.captureString(child, cstart, depth+1, cself)
		if err != nil {
			return err
		}
		switch field {
		case "name":
			add(&pr.Name, s)
		case "org":
			add(&pr.Org, s)
		case "uri":
			add(&pr.URI, s)
		case "updated":
			add(&pr.Updated, s)
		default:
			if pr.Other == nil {
				pr.Other = map[string]string{}
			}
			v := pr.Other[field]
			add(&v, s)
			pr.Other[field] = v
		}
	}
	p.persons = append(p.persons, pr)
	return nil
}

// record reads a <record> element whose start tag next returned last, and
// appends it to p.records.
func (p *xmlParser) record(table string, start, depth int) error {
	name, self := p.name, p.selfClose
	end := -1
	if p.memo != nil && !self {
		end = p.elementEnd("</record")
	}
	if end >= 0 {
		if m := p.recall(start, end, table, depth); m != nil {
			if len(p.pending) > 0 {
				p.flush() // they come first in p.records
			}
			r := m.rec
			r.Other = maps.Clone(r.Other)
			p.records = append(p.records, r)
			return nil
		}
		defer func() {
			if p.pos == end {
				p.fresh = append(p.fresh, freshElement{index: len(p.records) - 1, start: start, end: end, table: table, depth: depth})
			}
		}()
	}
	p.parts, p.other, p.multi = p.parts[:0], p.other[:0], false
	p.seen = append(p.seen[:0], make([]bool, xfKnown)...)
	if p.otherIdx != nil {
		clear(p.otherIdx)
	}
	p.refs, p.contact, p.assgn = p.refs[:0], p.contact[:0], p.assgn[:0]
	p.tmp = p.attrValue(p.tmp[:0], "date")
	registered := p.intern(p.tmp)
	p.tmp = p.attrValue(p.tmp[:0], "updated")
	modified := p.intern(p.tmp)
	for !self {
		t, err := p.next(name)
		if err == nil && t == xtEnd {
			if err := p.end(name, start); err != nil {
				return err
			}
			break
		}
		switch {
		case err != nil:
			return err
		case t == xtEOF:
			return p.unclosed(name, start)
		}
		child, cstart, cself := p.name, p.tagStart, p.selfClose
		if depth >= xmlMaxDepth {
			return p.errorf(cstart, "elements nested more than %d deep", xmlMaxDepth)
		}
		key := -1
		switch string(child) {
		case "record", "registry":
			return p.errorf(cstart, "<%s> inside <record>", child)
		case "xref":
			var s string
			var person bool
			s, person, err = p.xref(child, cstart, depth+1, cself)
			if person {
				p.contact = append(p.contact, s)
			} else {
				p.refs = append(p.refs, s)
			}
		case "assignee":
			err = p.assignee(child, cstart, depth+1, cself)
		case "name":
			key = xfName
		case "protocol":
			key = xfProtocol
		case "number":
			key = xfNumber
		case "value":
			key = xfValue
		case "description":
			key = xfDescription
		case "note":
			key = xfNote
		case "unauthorized":
			key = xfUnauthorized
		case "sc":
			key = xfSC
		default:
			key = p.otherKey(child)
		}
		if key >= 0 {
			if p.seen[key] {
				p.multi = true
			}
			p.seen[key] = true
			from := len(p.buf)
			err = p.capture(from, child, cstart, depth+1, cself)
			p.parts = append(p.parts, xmlPart{key, xmlSpan{from, len(p.buf)}})
		}
		if err != nil {
			return err
		}
	}
	p.build(table, registered, modified)
	return nil
}

// recall returns the element the Parser remembers as data[start:end], in
// the same table at the same depth, and moves past it; nil if there is none.
func (p *xmlParser) recall(start, end int, table string, depth int) *memoElement {
	m, ok := p.memo.elements[string(p.data[start:end])]
	if !ok || m.table != table || m.depth != depth {
		return nil
	}
	m.gen, p.pos = p.memo.gen, end
	return m
}

// elementEnd returns where the element whose start tag next returned last
// would end if the first occurrence of endTag ("</record") were its end
// tag, or -1. An element is remembered only when its parse ended there, so
// one that is the same bytes up to there parses the same way and ends
// there too (the parser reads nothing of an element past its end tag); one
// with its end tag in a comment or CDATA section is parsed each time.
func (p *xmlParser) elementEnd(endTag string) int {
	d := p.data
	k := bytes.Index(d[p.pos:], []byte(endTag))
	if k < 0 {
		return -1
	}
	if e := xmlSkipSpace(d, p.pos+k+len(endTag)); e < len(d) && d[e] == '>' {
		return e + 1
	}
	return -1
}

// otherKey returns the key of an element that is not a known field.
func (p *xmlParser) otherKey(name []byte) int {
	if p.otherIdx == nil && len(p.other) >= 8 {
		p.otherIdx = make(map[string]int)
		for i, o := range p.other {
			p.otherIdx[o] = i
		}
	}
	i := -1
	if p.otherIdx != nil {
		if j, ok := p.otherIdx[string(name)]; ok {
			i = j
		}
	} else {
		for j, o := range p.other {
			if o == string(name) {
				i = j
				break
			}
		}
	}
	if i < 0 {
		i = len(p.other)
		p.other = append(p.other, p.intern(name))
		p.seen = append(p.seen, false)
		if p.otherIdx != nil {
			p.otherIdx[p.other[i]] = i
		}
	}
	return xfKnown + i
}

// build appends the record read last to p.records. Its text fields stay
// in buf until flush.
func (p *xmlParser) build(table, registered, modified string) {
	var spans [xfKnown]xmlSpan
	others := make([]xmlSpan, len(p.other))
	set := func(key int, sp xmlSpan) {
		if key < xfKnown {
			spans[key] = sp
		} else {
			others[key-xfKnown] = sp
		}
	}
	if !p.multi {
		for _, pt := range p.parts {
			set(pt.key, pt.sp)
		}
	} else {
		// Join the non-empty parts of each key with spaces.
		slices.SortStableFunc(p.parts, func(a, b xmlPart) int { return a.key - b.key })
		for i := 0; i < len(p.parts); {
			j := i + 1
			for j < len(p.parts) && p.parts[j].key == p.parts[i].key {
				j++
			}
			sp := p.parts[i].sp
			if j > i+1 {
				from := len(p.buf)
				for _, pt := range p.parts[i:j] {
					if pt.sp.end > pt.sp.off {
						if len(p.buf) > from {
							p.buf = append(p.buf, ' ')
						}
						p.buf = append(p.buf, p.buf[pt.sp.off:pt.sp.end]...)
					}
				}
				sp = xmlSpan{from, len(p.buf)}
			}
			set(p.parts[i].key, sp)
			i = j
		}
	}
	p.records = append(p.records, record.Record{
		Table:      table,
		Protocol:   p.intern(p.buf[spans[xfProtocol].off:spans[xfProtocol].end]),
		Refs:       p.strings(p.refs),
		Assignee:   p.strings(p.assgn),
		Contact:    p.strings(p.contact),
		Registered: registered,
		Modified:   modified,
	})
	r := &p.records[len(p.records)-1]
	hasNumber := spans[xfNumber].end > spans[xfNumber].off
	hasValue := spans[xfValue].end > spans[xfValue].off
	if len(p.other) > 0 || hasNumber && hasValue {
		r.Other = make(map[string]string, len(p.other)+1)
		for i, o := range p.other {
			r.Other[o] = string(p.buf[others[i].off:others[i].end])
		}
	}
	if !hasNumber {
		spans[xfNumber] = spans[xfValue]
	} else if hasValue {
		r.Other["value"] = string(p.buf[spans[xfValue].off:spans[xfValue].end])
	}
	p.pending = append(p.pending, [xfCount]xmlSpan(spans[:xfCount]))
	if len(p.buf) >= 32<<10 {
		p.flush()
	}
}

// flush gives the pending records their text fields, all cut from one
// string.
func (p *xmlParser) flush() {
	text := string(p.buf)
	str := func(s xmlSpan) string { return text[s.off:s.end] }
	recs := p.records[len(p.records)-len(p.pending):]
	for i := range p.pending {
		f, r := &p.pending[i], &recs[i]
		r.Name = str(f[xfName])
		r.Number = str(f[xfNumber])
		r.Description = str(f[xfDescription])
		r.Note = str(f[xfNote])
		r.Unauthorized = str(f[xfUnauthorized])
		r.ServiceCode = str(f[xfSC])
	}
	p.pending = p.pending[:0]
	p.buf = p.buf[:0]
}

// strings copies ss into the parser's slab, so that records share a few
// large allocations. The result's capacity is its length, so appending to it
// never overwrites another record's strings.
func (p *xmlParser) strings(ss []string) []string {
	if len(ss) == 0 {
		return nil
	}
	if cap(p.slab)-len(p.slab) < len(ss) {
		p.slab = make([]string, 0, max(1024, len(ss)))
	}
	n := len(p.slab)
	p.slab = append(p.slab, ss...)
	return p.slab[n:len(p.slab):len(p.slab)]
}

// intern returns b as a string, mostly the same string for the same bytes:
// it remembers the last string for each of xmlCacheSize hash values.
func (p *xmlParser) intern(b []byte) string {
	switch string(b) {
	case "":
		return ""
	case "tcp":
		return "tcp"
	case "udp":
		return "udp"
	}
	e := &p.strs[maphash.Bytes(p.seed, b)%xmlCacheSize]
	if *e != string(b) {
		*e = string(b)
	}
	return *e
}

// captureString reads a text element into a string.
func (p *xmlParser) captureString(name []byte, start, depth int, self bool) (string, error) {
	from := len(p.buf)
	if err := p.capture(from, name, start, depth, self); err != nil {
		return "", err
	}
	s := string(p.buf[from:])
	p.buf = p.buf[:from]
	return s, nil
}

// capture appends the text of element name to buf, collapsed from from on.
func (p *xmlParser) capture(from int, name []byte, start, depth int, self bool) error {
	var err error
	if !self {
		p.capOn, p.capFrom = true, from
		err = p.inline(name, start, depth)
		p.capOn = false
	}
	if n := len(p.buf); n > from && p.buf[n-1] == ' ' {
		p.buf = p.buf[:n-1]
	}
	return err
}

// xref reads an <xref> element as "type:data", or "type:text" when it has
// no data.
func (p *xmlParser) xref(name []byte, start, depth int, self bool) (s string, person bool, err error) {
	from := len(p.buf)
	p.buf = p.attrValue(p.buf, "type")
	person = string(p.buf[from:]) == "person"
	p.buf = append(p.buf, ':')
	dataFrom := len(p.buf)
	p.buf = p.attrValue(p.buf, "data")
	if len(p.buf) == dataFrom {
		err = p.capture(dataFrom, name, start, depth, self)
	} else if !self {
		err = p.inline(name, start, depth) // capOn is false: content dropped
	}
	s = p.intern(p.buf[from:])
	p.buf = p.buf[:from]
	return s, person, err
}

// assignee reads an <assignee> element: its <xref> children.
func (p *xmlParser) assignee(name []byte, start, depth int, self bool) error {
	for !self {
		t, err := p.next(name)
		switch {
		case err != nil:
			return err
		case t == xtEOF:
			return p.unclosed(name, start)
		case t == xtEnd:
			return p.end(name, start)
		}
		child, cstart, cself := p.name, p.tagStart, p.selfClose
		if depth >= xmlMaxDepth {
			return p.errorf(cstart, "elements nested more than %d deep", xmlMaxDepth)
		}
		switch string(child) {
		case "record", "registry":
			return p.errorf(cstart, "<%s> inside <record>", child)
		case "xref":
			var s string
			s, _, err = p.xref(child, cstart, depth+1, cself)
			p.assgn = append(p.assgn, s)
		default:
			if !cself {
				err = p.inline(child, cstart, depth+1) // capOn is false: content dropped
			}
		}
		if err != nil {
			return err
		}
	}
	return nil
}

// inline reads the content of a text element up to the end tag of name.
// When p.capOn, its text goes to buf.
func (p *xmlParser) inline(name []byte, start, depth int) error {
	for {
		t, err := p.next(name)
		switch {
		case err != nil:
			return err
		case t == xtEOF:
			return p.unclosed(name, start)
		case t == xtEnd:
			return p.end(name, start)
		}
		child, cstart, self := p.name, p.tagStart, p.selfClose
		if depth >= xmlMaxDepth {
			return p.errorf(cstart, "elements nested more than %d deep", xmlMaxDepth)
		}
		switch string(child) {
		case "record", "registry":
			return p.errorf(cstart, "<%s> inside <%s>", child, name)
		case "br":
			p.space()
			if !self {
				err = p.inline(child, cstart, depth+1)
			}
			p.space()
		case "xref":
			if p.capOn {
				p.tmp = p.attrValue(p.tmp[:0], "data")
			}
			if !p.capOn || len(p.tmp) == 0 {
				if !self {
					err = p.inline(child, cstart, depth+1)
				}
				break
			}
			p.buf = append(p.buf, '[')
			p.buf = append(p.buf, p.tmp...)
			p.buf = append(p.buf, ']')
			if !self {
				p.capOn = false
				err = p.inline(child, cstart, depth+1)
				p.capOn = true
			}
		default:
			if !self {
				err = p.inline(child, cstart, depth+1)
			}
		}
		if err != nil {
			return err
		}
	}
}

// space adds white space to the captured text.
func (p *xmlParser) space() {
	if n := len(p.buf); p.capOn && n > p.capFrom && p.buf[n-1] != ' ' {
		p.buf = append(p.buf, ' ')
	}
}

func (p *xmlParser) end(name []byte, start int) error {
	if !bytes.Equal(p.name, name) {
		return p.errorf(p.tagStart, "<%s> from line %d closed by </%s>", name, p.line(start), p.name)
	}
	return nil
}

func (p *xmlParser) unclosed(name []byte, start int) error {
	return p.errorf(len(p.data), "unexpected end of file: <%s> from line %d is not closed", name, p.line(start))
}

// attrValue appends the collapsed value of the named attribute of the last
// start tag to dst.
func (p *xmlParser) attrValue(dst []byte, name string) []byte {
	for _, a := range p.attrs {
		if string(a.name) == name {
			from := len(dst)
			dst = xmlAppendText(dst, p.data[a.start:a.end], from, xmAttr)
			if n := len(dst); n > from && dst[n-1] == ' ' {
				dst = dst[:n-1]
			}
			return dst
		}
	}
	return dst
}

// next scans up to the next start or end tag, or the end of the input,
// dealing with the character data, comments, CDATA sections and processing
// instructions on the way. The end tag expected is the likeliest.
func (p *xmlParser) next(expect []byte) (xmlToken, error) {
	d := p.data
	for p.pos < len(d) {
		i := p.pos
		if d[i] != '<' && !p.capOn && !p.outside {
			// Fast path for the white space between tags.
			for d[i] == ' ' || d[i] == '\n' {
				if i++; i == len(d) {
					break
				}
			}
			p.pos = i
			if i == len(d) {
				break
			}
		}
		if d[i] != '<' {
			j, err := p.chardata(i)
			if err != nil {
				return 0, err
			}
			p.pos = j
			continue
		}
		if i+1 >= len(d) {
			return 0, p.errorf(i, "unexpected end of file after <")
		}
		var err error
		switch d[i+1] {
		case '/':
			return xtEnd, p.endTag(i, expect)
		case '?':
			err = p.procInst(i)
		case '!':
			err = p.bang(i)
		default:
			return xtStart, p.startTag(i)
		}
		if err != nil {
			return 0, err
		}
	}
	return xtEOF, nil
}

// chardata handles the character data at i, up to the next '<' or the end of
// the input, and returns where it ends.
func (p *xmlParser) chardata(i int) (int, error) {
	d := p.data
	if p.outside {
		j := xmlSkipSpace(d, i)
		if j < len(d) && d[j] != '<' {
			return 0, p.errorf(j, "text outside the root element")
		}
		return j, nil
	}
	n, err := p.text(d[i:], i, xmText, '<', p.capOn)
	return i + n, err
}

// text scans the character data at the start of s, which is at pos in the
// input, up to the first stop byte (-1 for none) or the end of s, and
// returns its length.
// It checks the characters and, when capture, appends the text to buf with
// entities decoded (except in CDATA) and white space collapsed: no space at
// capFrom, and never two in a row. The caller trims a trailing space.
func (p *xmlParser) text(s []byte, pos int, mode int, stop int, capture bool) (int, error) {
	i := 0
	if !capture {
		for {
			for i < len(s) && xmlClass[s[i]] <= xcSpace {
				i++
			}
			if i >= len(s) || int(s[i]) == stop {
				return i, nil
			}
			_, n, err := p.special(s, i, pos, mode)
			if err != nil {
				return 0, err
			}
			i += n
		}
	}
	buf, from := p.buf, p.capFrom
	for i < len(s) {
		c := s[i]
		switch xmlClass[c] {
		case xcPlain:
			j := i + 1
			for j < len(s) && xmlClass[s[j]] == xcPlain {
				j++
			}
			buf = append(buf, s[i:j]...)
			i = j
			continue
		case xcSpace:
			if n := len(buf); n > from && buf[n-1] != ' ' {
				buf = append(buf, ' ')
			}
			i++
			continue
		}
		if int(c) == stop {
			break
		}
		r, n, err := p.special(s, i, pos, mode)
		if err != nil {
			return 0, err
		}
		switch r {
		case -1:
			buf = append(buf, s[i:i+n]...)
		case ' ', '\t', '\r', '\n':
			if n := len(buf); n > from && buf[n-1] != ' ' {
				buf = append(buf, ' ')
			}
		default:
			buf = utf8.AppendRune(buf, r)
		}
		i += n
	}
	p.buf = buf
	return i, nil
}

// special checks the character at s[i], which is not plain ASCII, and
// returns how many bytes it takes, and the rune it stands for when it is an
// entity, or else -1.
func (p *xmlParser) special(s []byte, i, pos, mode int) (rune, int, error) {
	switch xmlClass[s[i]] {
	case xcAmp:
		if mode == xmText || mode == xmAttr {
			r, n, ok := xmlEntity(s[i:])
			if !ok {
				return 0, 0, p.errorf(pos+i, "invalid character entity %s", xmlQuote(string(s[i:i+n])))
			}
			return r, n, nil
		}
	case xcBracket:
		if (mode == xmText || mode == xmAttr) && bytes.HasPrefix(s[i:], []byte("]]>")) {
			return 0, 0, p.errorf(pos+i, `"]]>" outside a CDATA section`)
		}
	case xcLess:
		if mode == xmAttr {
			return 0, 0, p.errorf(pos+i, "< in an attribute value")
		}
	case xcHigh:
		r, n := utf8.DecodeRune(s[i:])
		if r == utf8.RuneError && n == 1 {
			return 0, 0, p.errorf(pos+i, "invalid UTF-8")
		}
		if !xmlIsChar(r) {
			return 0, 0, p.errorf(pos+i, "character %U is not allowed in XML", r)
		}
		return -1, n, nil
	case xcCtrl:
		return 0, 0, p.errorf(pos+i, "character %U is not allowed in XML", rune(s[i]))
	}
	return -1, 1, nil
}

// xmlAppendText appends s, already checked, to dst with entities decoded
// (except in CDATA) and white space collapsed: no space at from, and never
// two in a row. The caller trims a trailing space.
func xmlAppendText(dst, s []byte, from int, mode int) []byte {
	for i := 0; i < len(s); {
		switch xmlClass[s[i]] {
		case xcSpace:
			if n := len(dst); n > from && dst[n-1] != ' ' {
				dst = append(dst, ' ')
			}
			i++
			continue
		case xcAmp:
			if mode == xmText || mode == xmAttr {
				r, n, ok := xmlEntity(s[i:])
				if ok {
					if r == ' ' || r == '\t' || r == '\r' || r == '\n' {
						if n := len(dst); n > from && dst[n-1] != ' ' {
							dst = append(dst, ' ')
						}
					} else {
						dst = utf8.AppendRune(dst, r)
					}
					i += n
					continue
				}
			}
		}
		j := i + 1
		for j < len(s) && xmlClass[s[j]] != xcSpace && xmlClass[s[j]] != xcAmp {
			j++
		}
		dst = append(dst, s[i:j]...)
		i = j
	}
	return dst
}

// xmlEntity decodes the entity or character reference at the start of s,
// which starts with '&'. n is how many bytes it takes, or, when it is
// invalid, how many to show in an error.
func xmlEntity(s []byte) (r rune, n int, ok bool) {
	if len(s) > 1 && s[1] == '#' {
		i, base := 2, rune(10)
		if i < len(s) && s[i] == 'x' {
			i, base = 3, 16
		}
		digits := i
		for ; i < len(s); i++ {
			c := s[i]
			var v rune
			switch {
			case '0' <= c && c <= '9':
				v = rune(c - '0')
			case base == 16 && 'a' <= c && c <= 'f':
				v = rune(c-'a') + 10
			case base == 16 && 'A' <= c && c <= 'F':
				v = rune(c-'A') + 10
			default:
				v = -1
			}
			if v < 0 {
				break
			}
			r = min(r*base+v, utf8.MaxRune+1)
		}
		if i == digits || i >= len(s) || s[i] != ';' || !xmlIsChar(r) {
			return 0, min(i+1, len(s)), false
		}
		return r, i + 1, true
	}
	for _, e := range [...]struct {
		s string
		r rune
	}{{"&lt;", '<'}, {"&gt;", '>'}, {"&amp;", '&'}, {"&quot;", '"'}, {"&apos;", '\''}} {
		if bytes.HasPrefix(s, []byte(e.s)) {
			return e.r, len(e.s), true
		}
	}
	n = 1
	for n < len(s) && n < 16 && s[n-1] != ';' && xmlClass[s[n]] == xcPlain && s[n] != '<' {
		n++
	}
	return 0, n, false
}

// xmlIsChar reports whether XML allows r as a character.
func xmlIsChar(r rune) bool {
	return r == 0x09 || r == 0x0A || r == 0x0D ||
		r >= 0x20 && r <= 0xD7FF ||
		r >= 0xE000 && r <= 0xFFFD ||
		r >= 0x10000 && r <= utf8.MaxRune
}

func xmlQuote(s string) string {
	if len(s) > 40 {
		s = s[:40] + "..."
	}
	return fmt.Sprintf("%q", s)
}

func xmlSkipSpace(d []byte, i int) int {
	for i < len(d) && xmlClass[d[i]] == xcSpace {
		i++
	}
	return i
}

// scanName returns the end of the name starting at i: ASCII letters,
// digits, '_', '-' and '.', starting with a letter or '_'. Attribute names
// may have one prefix ("xml:lang"); element names may not.
func (p *xmlParser) scanName(i int, attr bool) (int, error) {
	d := p.data
	j := xmlNameEnd(d, i)
	if j > i && attr && j < len(d) && d[j] == ':' {
		if k := xmlNameEnd(d, j+1); k > j+1 {
			j = k
		} else {
			j = i // an error below
		}
	}
	switch {
	case j == i && i >= len(d):
		return 0, p.errorf(i, "unexpected end of file in a tag")
	case j == i:
		return 0, p.errorf(i, "invalid name at %s", xmlQuote(string(d[i:min(i+10, len(d))])))
	case j-i > xmlMaxName:
		return 0, p.errorf(i, "name longer than %d bytes", xmlMaxName)
	}
	return j, nil
}

// xmlNameEnd returns the end of the name without prefix at i, or i.
func xmlNameEnd(d []byte, i int) int {
	if i >= len(d) || !xmlNameStart[d[i]] {
		return i
	}
	for i++; i < len(d) && xmlNameChar[d[i]]; i++ {
	}
	return i
}

// startTag reads the start tag at i.
func (p *xmlParser) startTag(i int) error {
	d := p.data
	p.tagStart = i
	e, err := p.scanName(i+1, false)
	if err != nil {
		return err
	}
	name := d[i+1 : e]
	p.name = name
	p.attrs = p.attrs[:0]
	for k := e; ; {
		j := xmlSkipSpace(d, k)
		if j >= len(d) {
			return p.errorf(i, "unexpected end of file in the <%s> tag", name)
		}
		switch d[j] {
		case '>':
			p.selfClose, p.pos = false, j+1
			return nil
		case '/':
			if j+1 < len(d) && d[j+1] == '>' {
				p.selfClose, p.pos = true, j+2
				return nil
			}
			return p.errorf(j, "/ not followed by > in the <%s> tag", name)
		}
		if j == k {
			return p.errorf(j, "invalid character %q in the <%s> tag", d[j], name)
		}
		ne, err := p.scanName(j, true)
		if err != nil {
			return err
		}
		an := d[j:ne]
		k = xmlSkipSpace(d, ne)
		if k >= len(d) || d[k] != '=' {
			return p.errorf(j, "attribute %s of <%s> has no value", an, name)
		}
		k = xmlSkipSpace(d, k+1)
		if k >= len(d) || d[k] != '"' && d[k] != '\'' {
			return p.errorf(j, "attribute %s of <%s> is not quoted", an, name)
		}
		vs := k + 1
		n, err := p.text(d[vs:min(len(d), vs+xmlMaxAttrLen+1)], vs, xmAttr, int(d[k]), false)
		if err != nil {
			return err
		}
		ve := vs + n
		if n > xmlMaxAttrLen {
			return p.errorf(j, "attribute %s of <%s> is longer than %d bytes", an, name, xmlMaxAttrLen)
		}
		if ve >= len(d) {
			return p.errorf(j, "unexpected end of file in attribute %s of <%s>", an, name)
		}
		for _, a := range p.attrs {
			if bytes.Equal(a.name, an) {
				return p.errorf(j, "attribute %s repeated in <%s>", an, name)
			}
		}
		if len(p.attrs) == xmlMaxAttrs {
			return p.errorf(j, "more than %d attributes in <%s>", xmlMaxAttrs, name)
		}
		p.attrs = append(p.attrs, xmlAttr{name: an, start: vs, end: ve})
		k = ve + 1
	}
}

// endTag reads the end tag at i.
func (p *xmlParser) endTag(i int, expect []byte) error {
	d := p.data
	p.tagStart = i
	if e := i + 2 + len(expect); len(expect) > 0 && e < len(d) && d[e] == '>' && string(d[i+2:e]) == string(expect) {
		p.name, p.pos = d[i+2:e], e+1
		return nil
	}
	e, err := p.scanName(i+2, false)
	if err != nil {
		return err
	}
	p.name = d[i+2 : e]
	k := xmlSkipSpace(d, e)
	if k >= len(d) {
		return p.errorf(i, "unexpected end of file in the </%s> tag", p.name)
	}
	if d[k] != '>' {
		return p.errorf(k, "invalid character %q in the </%s> tag", d[k], p.name)
	}
	p.pos = k + 1
	return nil
}

// bang reads a comment or CDATA section at i, and refuses anything else
// that starts with <!, such as <!DOCTYPE.
func (p *xmlParser) bang(i int) error {
	d := p.data
	switch rest := d[i:]; {
	case bytes.HasPrefix(rest, []byte("<!--")):
		k := bytes.Index(rest[4:], []byte("--"))
		if k < 0 {
			return p.errorf(i, "unexpected end of file in a comment")
		}
		k += i + 4
		if k+2 >= len(d) || d[k+2] != '>' {
			return p.errorf(k, `"--" inside a comment`)
		}
		if _, err := p.text(d[i+4:k], i+4, xmOther, -1, false); err != nil {
			return err
		}
		p.pos = k + 3
	case bytes.HasPrefix(rest, []byte("<![CDATA[")):
		k := bytes.Index(rest[9:], []byte("]]>"))
		if k < 0 {
			return p.errorf(i, "unexpected end of file in a CDATA section")
		}
		k += i + 9
		if p.outside {
			return p.errorf(i, "CDATA section outside the root element")
		}
		if _, err := p.text(d[i+9:k], i+9, xmCDATA, -1, p.capOn); err != nil {
			return err
		}
		p.pos = k + 3
	case len(rest) >= 9 && strings.EqualFold(string(rest[2:9]), "doctype"):
		return p.errorf(i, "<!DOCTYPE is refused: a registry has no document type declaration, and entity expansion attacks come that way")
	default:
		return p.errorf(i, "invalid markup %s", xmlQuote(string(rest[:min(len(rest), 10)])))
	}
	return nil
}

// procInst reads a processing instruction at i: skipped, except for the
// XML declaration, which must come first and say version 1.0 and UTF-8.
func (p *xmlParser) procInst(i int) error {
	d := p.data
	e, err := p.scanName(i+2, false)
	if err != nil {
		return err
	}
	target := d[i+2 : e]
	if strings.EqualFold(string(target), "xml") {
		if i != p.declAt {
			return p.errorf(i, "XML declaration not at the start of the file")
		}
		return p.xmlDecl(i, e)
	}
	if e >= len(d) || d[e] != '?' && xmlClass[d[e]] != xcSpace {
		return p.errorf(i, "invalid processing instruction <?%s", target)
	}
	k := bytes.Index(d[e:], []byte("?>"))
	if k < 0 {
		return p.errorf(i, "unexpected end of file in processing instruction <?%s", target)
	}
	k += e
	if _, err := p.text(d[e:k], e, xmOther, -1, false); err != nil {
		return err
	}
	p.pos = k + 2
	return nil
}

// xmlDecl reads the pseudo-attributes of the XML declaration at i, from k.
func (p *xmlParser) xmlDecl(i, k int) error {
	d := p.data
	seen := 0 // 1: version, 2: encoding, 3: standalone
	for {
		j := xmlSkipSpace(d, k)
		if bytes.HasPrefix(d[j:], []byte("?>")) && seen > 0 {
			p.pos = j + 2
			return nil
		}
		ne := j
		for ne < len(d) && 'a' <= d[ne] && d[ne] <= 'z' {
			ne++
		}
		name := string(d[j:ne])
		v := xmlSkipSpace(d, ne)
		if j == k || v >= len(d) || d[v] != '=' {
			return p.errorf(i, "invalid XML declaration")
		}
		v = xmlSkipSpace(d, v+1)
		if v >= len(d) || d[v] != '"' && d[v] != '\'' {
			return p.errorf(i, "invalid XML declaration")
		}
		ve := bytes.IndexByte(d[v+1:], d[v])
		if ve < 0 {
			return p.errorf(i, "invalid XML declaration")
		}
		val := string(d[v+1 : v+1+ve])
		switch {
		case seen == 0 && name == "version":
			if val != "1.0" {
				return p.errorf(i, "unsupported XML version %s", xmlQuote(val))
			}
			seen = 1
		case seen == 1 && name == "encoding":
			if !strings.EqualFold(val, "utf-8") {
				return p.errorf(i, "unsupported encoding %s: only UTF-8 is read", xmlQuote(val))
			}
			seen = 2
		case (seen == 1 || seen == 2) && name == "standalone" && (val == "yes" || val == "no"):
			seen = 3
		default:
			return p.errorf(i, "invalid XML declaration")
		}
		k = v + 2 + ve
	}
}

package formats

import (
	"bytes"
	"errors"
	"fmt"
	"strings"
	"unicode/utf8"

	"github.com/regdiff/regdiff/snapshots/record"
)

// ErrUnknownFormat is returned for input that is in none of the formats
// regdiff reads.
var ErrUnknownFormat = errors.New("not a registry file regdiff can read")

// ErrEmpty and ErrHTML are returned for an empty file and for an HTML
// page: no registry, and, in place of a registry's download, the sign of
// an error page.
var (
	ErrEmpty = errors.New("empty file")
	ErrHTML  = errors.New("this is an HTML page, not a registry (an error page served in place of the file?)")
)

// Parse recognizes a registry file by its content, by the rows of the
// table of formats in order, and parses it. A format that gives no date of
// its own leaves Registry.Updated empty.
func Parse(data []byte) (*record.Registry, error) { return parse(data, nil) }

// Parser parses registry files one after another, as a store's versions
// are read in turn, with the results of [Parse]. It remembers the records
// and people of the XML file it parsed last by their bytes, and takes an
// element of the next one that is the same bytes (in the same table, at
// the same depth) from there rather than parsing it again: consecutive
// versions of a registry differ in a few records. It holds the elements of
// the file parsed last, and at most as many more from earlier ones. A
// Parser is not safe for concurrent use; its zero value is ready to use.
type Parser struct {
	elements map[string]*memoElement // by the element's bytes
	gen      int                     // files parsed
}

type memoElement struct {
	table  string
	depth  int
	rec    record.Record // for a <record>
	person record.Person // for a <person>
	gen    int           // the last file that held it
}

// freshElement is a record or person parsed, not remembered:
// p.records[index] or p.persons[index], from data[start:end].
type freshElement struct {
	index, start, end int
	table             string
	depth             int
	person            bool
}

// Parse parses data as [Parse] does.
func (ps *Parser) Parse(data []byte) (*record.Registry, error) { return parse(data, ps) }

func parse(data []byte, ps *Parser) (*record.Registry, error) {
	if len(data) == 0 {
		return nil, ErrEmpty
	}
	head := bytes.TrimLeft(data[:min(len(data), 4096)], "\ufeff \t\r\n")
	if looksHTML(head) {
		return nil, ErrHTML
	}
	for _, f := range table {
		switch {
		case !f.Looks(head):
		case f.Name == "xml" && ps != nil:
			return parseXML(data, ps)
		default:
			return f.Parse(data)
		}
	}
	if !utf8.Valid(head[:max(0, len(head)-utf8.UTFMax)]) {
		return nil, fmt.Errorf("%w: binary data", ErrUnknownFormat)
	}
	titles := make([]string, len(table))
	for i, f := range table {
		titles[i] = f.Title
	}
	return nil, fmt.Errorf("%w: not %s", ErrUnknownFormat, strings.Join(titles, ", "))
}

func looksXML(head []byte) bool { return bytes.HasPrefix(head, []byte("<")) }

func looksHTML(head []byte) bool {
	h := bytes.ToLower(head)
	return bytes.HasPrefix(h, []byte("<!doctype html")) || bytes.HasPrefix(h, []byte("<html"))
}

// checkControls refuses, with a *[ParseError] naming the line, the first
// character of a text format's input that XML does not allow either: a C0
// control other than tab, LF and CR (and form feed and vertical tab, which
// these formats, unlike XML, have always held as white space: an RFC's page
// break), and U+FFFE and U+FFFF. NUL and invalid UTF-8 are checked before,
// with messages of their own; input read as Latin-1 (latin1) has no U+FFFE.
// As in XML, DEL and the C1 controls are text: the renderers show them
// escaped ([record.Printable]). what names the format in the message.
func checkControls(data []byte, latin1 bool, what string) error {
	for i := 0; i < len(data); i++ {
		c := data[i]
		var r rune
		switch {
		case c < 0x20 && c != '\t' && c != '\n' && c != '\r' && c != '\f' && c != '\v':
			r = rune(c)
		case c == 0xEF && !latin1 && i+2 < len(data) && data[i+1] == 0xBF && data[i+2]&^1 == 0xBE:
			r = 0xFFFE | rune(data[i+2]&1)
		default:
			continue
		}
		return &ParseError{Line: 1 + bytes.Count(data[:i], []byte{'\n'}),
			Msg: fmt.Sprintf("character %U is not allowed (a control character, not text): not %s", r, what)}
	}
	return nil
}

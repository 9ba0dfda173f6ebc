package formats

import (
	"bytes"
	"fmt"
	"strings"
	"unicode/utf8"

	"github.com/regdiff/regdiff/snapshots/record"
)

// A text rendering's table: which registry it belongs to and its columns.
type trLayout struct {
	id, title, table string
	headings         []string // column headings, in order
	labels           []string // what the heading line shows of each, left to right
	anchors          []int    // columns that never wrap: a line with text in one is a row's middle line
	name             int      // a column whose text marks a middle line when it looks like a service name, or -1
	words            map[string]bool
}

var (
	trServices = trLayout{
		id: "service-names-port-numbers", title: csvServicesTitle,
		headings: []string{"Service Name", "Port Number", "Transport Protocol", "Description",
			"Assignee", "Contact", "Registration Date", "Modification Date", "Reference",
			"Service Code", "Known Unauthorized Uses", "Assignment Notes"},
		labels: []string{"Service Name", "Port Number", "Protocol", "Description", "Assignee", "Contact",
			"Date", "Date", "Reference", "Code", "Unauthorized", "Assignment Notes"},
		anchors: []int{csvNumber, csvProtocol}, name: csvName,
	}
	trProtocols = trLayout{
		id: "protocol-numbers", title: csvProtocolsTitle, table: "protocol-numbers-1",
		headings: []string{"Decimal", "Keyword", "Protocol", "IPv6 Extension Header", "Reference"},
		labels:   []string{"Decimal", "Keyword", "Protocol", "IPv6 Extension", "Reference"},
		anchors:  []int{0}, name: -1,
	}
)

func init() {
	for _, l := range []*trLayout{&trServices, &trProtocols} {
		l.words = map[string]bool{}
		for _, h := range l.headings {
			for _, w := range strings.Fields(h) {
				l.words[w] = true
			}
		}
	}
}

// Limits on input that no real rendering comes near.
const (
	trMaxRowLines = 200  // lines between two rows' middle lines
	trMaxWidth    = 4096 // bytes in one line of the table
)

// ParseTextRendering parses IANA's plain-text rendering of a registry page,
// as served in 2013 and 2014 for service-names-port-numbers and
// protocol-numbers: a header ("Last Updated", notes) and then the registry
// as a fixed-width table whose cells wrap onto several lines.
//
// # Registry
//
// The table's heading tells the registry: "Service Name  Port Number …"
// gives ID "service-names-port-numbers", "Decimal  Keyword  Protocol …"
// gives "protocol-numbers", whose records get Table "protocol-numbers-1"
// as the XML nests them. Title is the XML's title of that registry (the
// file's own title line, when present, is the same text). Updated is the
// date under the file's "Last Updated" line, or "" when there is none.
// Format is "text-rendering".
//
// # Layout
//
// The table is read as the text browser laid it out: in bytes (a
// multi-byte character takes as many columns as it has bytes), columns
// separated by columns of spaces that no line of the table uses (in a
// small table where words of a column line up, the heading's names, each
// centered over its column, pick the real separators), and each cell
// centered vertically in its row. There must be as many columns as the
// heading names. A row's middle line is a line with a port number or
// protocol (a decimal value for protocol numbers), or with a service name
// alone: a name with a space or parenthesis is the wrapped part of an old
// long name ("Apple Remote Desktop (Net Assistant)"), which always has a
// number. The other lines are split between the rows around them so that
// every cell is centered in its row; where that leaves a choice, the split
// of least cost wins, where a cell line that could have taken the first
// word of the next (a wrapped line could not have), a blank line inside a
// cell, and a column in which tcp/udp twin rows (same name and number)
// differ cost one each; then rows take the lines below them rather than
// above. The lines of a cell are joined by a space. The table ends at a
// "People", "Footnote" or "Contact Information" heading, or at the end of
// the file.
//
// On the shared 2014-07-11 rendering this leaves 9 pairs of adjacent
// name-only rows (of 13,521 rows) where a line between two descriptions
// went to the wrong one: nothing in the layout tells them apart.
//
// # Records
//
// Each table row is one [record.Record] with the fields the XML parser gives for
// the same registry version:
//
//   - service names: columns map as in [ParseCSV], including references,
//     assignee and contact.
//   - protocol numbers: Decimal, Keyword and Protocol give Number, Name and
//     Description; "IPv6 Extension Header" gives Other["ipv6"] when not
//     empty; each bracketed item of Reference that looks like a person id
//     ("Jon_Postel") gives Contact "person:…", and the others Refs as in
//     [ParseCSV] ("RFC791" gives "rfc:rfc791", free text "text:…").
//
// Text is collapsed by [record.Collapse], as by every parser.
//
// # Errors
//
// A file without such a table heading, a table whose columns or rows
// cannot be laid out as above, a number that is not a number or range,
// invalid UTF-8, NUL bytes or other control characters (see
// [checkControls]): a *[ParseError] with the line. There may be
// at most 200 lines between two rows' middle lines, and 4096 bytes in a
// line of the table. ParseTextRendering never panics.
func ParseTextRendering(data []byte) (*record.Registry, error) {
	if !utf8.Valid(data) {
		return nil, &ParseError{Line: csvInvalidUTF8Line(data), Msg: "invalid UTF-8: not a text rendering of a registry"}
	}
	if i := bytes.IndexByte(data, 0); i >= 0 {
		return nil, &ParseError{Line: 1 + bytes.Count(data[:i], []byte{'\n'}), Msg: "NUL byte: not a text rendering of a registry"}
	}
	if err := checkControls(data, false, "a text rendering of a registry"); err != nil {
		return nil, err
	}
	data = bytes.TrimPrefix(data, []byte("\ufeff"))
	lines := bytes.Split(data, []byte("\n"))
	for i, l := range lines {
		lines[i] = bytes.TrimRight(l, "\r")
	}
	t := &trTable{lines: lines}
	return t.parse()
}

type trTable struct {
	lines  [][]byte
	layout *trLayout
	head   int // index of the heading line
	first  int // index of the first line of the table body
	body   [][]byte
	starts []int // byte offset of each column
	widths []int // widest text seen in each column
}

func (t *trTable) errorf(idx int, format string, args ...any) error {
	return &ParseError{Line: idx + 1, Msg: fmt.Sprintf(format, args...)}
}

func (t *trTable) parse() (*record.Registry, error) {
	updated, err := t.lastUpdated()
	if err != nil {
		return nil, err
	}
	if err := t.findHeading(); err != nil {
		return nil, err
	}
	if err := t.findBody(); err != nil {
		return nil, err
	}
	if err := t.findColumns(); err != nil {
		return nil, err
	}
	rows, err := t.rows()
	if err != nil {
		return nil, err
	}
	reg := &record.Registry{ID: t.layout.id, Title: t.layout.title, Updated: updated, Format: "text-rendering"}
	reg.Records = make([]record.Record, 0, len(rows))
	var sl csvStrings
	for _, r := range rows {
		rec, err := t.record(r, &sl)
		if err != nil {
			return nil, err
		}
		reg.Records = append(reg.Records, rec)
	}
	return reg, nil
}

// lastUpdated finds the date under (or after) the "Last Updated" line
// before the table.
func (t *trTable) lastUpdated() (string, error) {
	for i, l := range t.lines {
		s := string(bytes.TrimSpace(l))
		rest, ok := strings.CutPrefix(s, "Last Updated")
		if !ok {
			continue
		}
		date := strings.TrimSpace(rest)
		at := i
		if date == "" {
			for j := i + 1; j < len(t.lines) && j < i+3; j++ {
				if d := string(bytes.TrimSpace(t.lines[j])); d != "" {
					date, at = d, j
					break
				}
			}
		}
		if !csvIsDate(date) {
			return "", t.errorf(at, "Last Updated is %s, want a date such as 2013-12-19", xmlQuote(date))
		}
		return date, nil
	}
	return "", nil
}

// findHeading finds the table's heading line and so the registry.
func (t *trTable) findHeading() error {
	for i, l := range t.lines {
		f := strings.Fields(string(l))
		switch {
		case len(f) >= 5 && f[0] == "Service" && f[1] == "Name" && f[2] == "Port" && f[3] == "Number" && bytes.Contains(l, []byte("Description")):
			t.layout = &trServices
		case len(f) >= 3 && f[0] == "Decimal" && f[1] == "Keyword" && f[2] == "Protocol":
			t.layout = &trProtocols
		default:
			continue
		}
		t.head = i
		return nil
	}
	return &ParseError{Line: 1, Msg: "no table heading (\"Service Name  Port Number …\" or \"Decimal  Keyword  Protocol …\"): not a text rendering of service-names-port-numbers or protocol-numbers"}
}

// findBody finds the lines of the table body: after the heading's lines,
// up to the next section of the page.
func (t *trTable) findBody() error {
	i := t.head + 1
	// Heading cells wrap too ("Known Unauthorized / Uses"): skip up to two
	// lines holding only heading words.
	for n := 0; n < 2 && i < len(t.lines) && t.headingWords(t.lines[i]); n++ {
		i++
	}
	t.first = i
	end := len(t.lines)
	for j := i; j < len(t.lines); j++ {
		switch string(bytes.TrimSpace(t.lines[j])) {
		case "People", "Footnote", "Footnotes", "Contact Information":
			if j == i || len(bytes.TrimSpace(t.lines[j-1])) == 0 {
				end = j
			}
		}
		if end < len(t.lines) {
			break
		}
	}
	for end > i && len(bytes.TrimSpace(t.lines[end-1])) == 0 {
		end--
	}
	t.body = t.lines[i:end]
	if len(t.body) == 0 {
		return t.errorf(t.head, "table heading without rows")
	}
	for j, l := range t.body {
		if len(l) > trMaxWidth {
			return t.errorf(t.first+j, "table line longer than %d bytes", trMaxWidth)
		}
	}
	return nil
}

func (t *trTable) headingWords(l []byte) bool {
	f := strings.Fields(string(l))
	for _, w := range f {
		if !t.layout.words[w] {
			return false
		}
	}
	return len(f) > 0
}

// findColumns finds the columns: runs of byte positions that some line of
// the body uses, separated by positions no line uses.
func (t *trTable) findColumns() error {
	width := 0
	for _, l := range t.body {
		width = max(width, len(l))
	}
	used := make([]bool, width+1)
	for _, l := range t.body {
		for j, c := range l {
			if c != ' ' {
				used[j] = true
			}
		}
	}
	var starts, ends []int // of the runs of used positions
	for j := 0; j < width; j++ {
		if used[j] && (j == 0 || !used[j-1]) {
			starts = append(starts, j)
		}
		if used[j] && !used[j+1] {
			ends = append(ends, j+1)
		}
	}
	t.starts = starts
	if want := len(t.layout.headings); len(starts) > want {
		t.starts = t.mergeColumns(starts, ends)
	}
	if want := len(t.layout.headings); len(t.starts) != want {
		return t.errorf(t.head, "the table has %d columns of text (starting at bytes %v of its lines), want %d as its heading names (%s)",
			len(t.starts), t.starts, want, strings.Join(t.layout.headings, ", "))
	}
	t.widths = make([]int, len(t.starts))
	for _, l := range t.body {
		for c := range t.starts {
			s, e := t.span(l, c)
			if n := len(bytes.TrimRight(l[s:e], " ")); n > 0 {
				t.widths[c] = max(t.widths[c], s+n-t.starts[c])
			}
		}
	}
	return nil
}

// mergeColumns picks the real column separators among the runs of unused
// positions, when a small table has more of them than columns (words of
// a column's lines can line up). The heading names each column at its
// middle: between two names, the widest run of unused positions (the
// rightmost of equals) separates their columns. It returns starts
// unchanged when the heading line does not show the names in order.
func (t *trTable) mergeColumns(starts, ends []int) []int {
	line := t.lines[t.head]
	var mid []int // twice the middle of each name on the heading line
	pos := 0
	for _, l := range t.layout.labels {
		i := bytes.Index(line[pos:], []byte(l))
		if i < 0 {
			return starts
		}
		mid = append(mid, 2*(pos+i)+len(l))
		pos += i + len(l)
	}
	out := []int{starts[0]}
	for j := 0; j+1 < len(mid); j++ {
		best := -1
		for i := 0; i+1 < len(starts); i++ {
			if g := ends[i] + starts[i+1]; g <= mid[j] || g >= mid[j+1] {
				continue
			}
			if best < 0 || starts[i+1]-ends[i] >= starts[best+1]-ends[best] {
				best = i
			}
		}
		if best < 0 {
			return starts
		}
		out = append(out, starts[best+1])
	}
	return out
}

// span returns the bytes of line l in column c, moved to whole characters.
func (t *trTable) span(l []byte, c int) (s, e int) {
	s = min(t.starts[c], len(l))
	e = len(l)
	if c+1 < len(t.starts) {
		e = min(t.starts[c+1], len(l))
	}
	for s < len(l) && !utf8.RuneStart(l[s]) {
		s++
	}
	for e < len(l) && !utf8.RuneStart(l[e]) {
		e++
	}
	return s, max(s, e)
}

// cell returns the text of line l in column c, trimmed.
func (t *trTable) cell(l []byte, c int) []byte {
	s, e := t.span(l, c)
	return bytes.Trim(l[s:e], record.Space)
}

// trRow is a row of the table: body lines top to top+height-1, the
// middle line anchor, and the text of each column.
type trRow struct {
	top, height, anchor int
	texts               []string
}

// trChoice is one way to lay out a row: b lines above its middle line and
// a below.
type trChoice struct {
	b, a  int
	texts []string
	cost  int // of this row alone; -1 when its cells are not centered
	best  int // of this row and the rows after it; -1 when impossible
	next  int // the choice of the next row that gives best
}

// rows splits the body into rows.
//
// A row with b lines above its middle line has b or b+1 below, as each
// cell is centered with any odd line below. Of the splits where every cell
// is centered, rows picks the one of least cost: a line of a cell that
// could have taken the first word of the next line (a wrapped line could
// not have), a blank line inside a cell, and a column in which two rows
// that differ only in protocol ("tcp" and "udp" twins, which IANA nearly
// always describes alike) differ, each cost one. Ties go to rows taking
// the lines below them.
func (t *trTable) rows() ([]trRow, error) {
	var anchors []int
	for i, l := range t.body {
		if t.isAnchor(l) {
			anchors = append(anchors, i)
		}
	}
	n := len(anchors)
	if n == 0 {
		return nil, t.errorf(t.first, "no table rows: no line has a %s", t.layout.headings[t.layout.anchors[0]])
	}
	// gaps[r] lines lie before anchor r (gaps[n]: after the last one).
	gaps := make([]int, n+1)
	gaps[0] = anchors[0]
	for r := 1; r < n; r++ {
		gaps[r] = anchors[r] - anchors[r-1] - 1
	}
	gaps[n] = len(t.body) - 1 - anchors[n-1]
	for r, k := range gaps {
		if k > trMaxRowLines {
			at := 0
			if r > 0 {
				at = anchors[r-1] + 1
			}
			return nil, t.errorf(t.first+at, "more than %d lines from here to the next table row (or the table's end)", trMaxRowLines)
		}
	}

	// twin[r]: rows r and r+1 are tcp/udp twins, whose texts are compared.
	twin := make([]bool, n)
	for r := 0; r+1 < n; r++ {
		twin[r] = t.twins(anchors[r], anchors[r+1])
	}
	choices := make([][]trChoice, n)
	for r := n - 1; r >= 0; r-- {
		cs := make([]trChoice, 2*(gaps[r]+1))
		choices[r] = cs
		for i := range cs {
			c := &cs[i]
			c.b, c.a, c.cost, c.best, c.next = i/2, i/2+i%2, -1, -1, -1
			if c.a > gaps[r+1] || r == n-1 && c.a != gaps[n] {
				continue
			}
			row := trRow{top: anchors[r] - c.b, height: c.b + 1 + c.a, anchor: anchors[r]}
			if c.cost = t.rowCost(row); c.cost < 0 {
				continue
			}
			if twin[r] || r > 0 && twin[r-1] {
				c.texts = t.texts(row)
			}
			if r == n-1 {
				c.best = c.cost
				continue
			}
			nb := gaps[r+1] - c.a
			for _, j := range [...]int{2*nb + 1, 2 * nb} {
				next := &choices[r+1][j]
				if next.best < 0 {
					continue
				}
				total := c.cost + next.best
				if twin[r] {
					total += trTwinCost(c.texts, next.texts)
				}
				if c.best < 0 || total < c.best {
					c.best, c.next = total, j
				}
			}
		}
		if r+1 < n {
			for j := range choices[r+1] {
				choices[r+1][j].texts = nil // keep memory to two rows
			}
		}
	}

	cur := -1
	for _, j := range [...]int{2*gaps[0] + 1, 2 * gaps[0]} {
		if c := choices[0][j]; c.best >= 0 && (cur < 0 || c.best < choices[0][cur].best) {
			cur = j
		}
	}
	if cur < 0 {
		at := 0
		for r := n - 1; r >= 0; r-- {
			dead := true
			for _, c := range choices[r] {
				dead = dead && c.best < 0
			}
			if dead {
				at = anchors[r]
				break
			}
		}
		return nil, t.errorf(t.first+at, "cannot lay out the table rows around this line: its cells are not centered in any split of the lines between rows")
	}
	rows := make([]trRow, n)
	for r := range rows {
		c := &choices[r][cur]
		rows[r] = trRow{top: anchors[r] - c.b, height: c.b + 1 + c.a, anchor: anchors[r]}
		rows[r].texts = t.texts(rows[r])
		cur = c.next
	}
	return rows, nil
}

// twins reports whether the middle lines i and j give the same name and
// number and another protocol: tcp and udp twins, which IANA nearly always
// describes alike.
func (t *trTable) twins(i, j int) bool {
	if t.layout.name < 0 {
		return false
	}
	li, lj := t.body[i], t.body[j]
	return bytes.Equal(t.cell(li, csvName), t.cell(lj, csvName)) &&
		bytes.Equal(t.cell(li, csvNumber), t.cell(lj, csvNumber)) &&
		!bytes.Equal(t.cell(li, csvProtocol), t.cell(lj, csvProtocol))
}

// trTwinCost returns the number of columns other than the protocol in
// which twin rows differ.
func trTwinCost(a, b []string) int {
	n := 0
	for c := range a {
		if c != csvProtocol && a[c] != b[c] {
			n++
		}
	}
	return n
}

// rowCost returns -1 when some cell of the row is not centered in it, and
// else the number of cell lines that could have taken the first word of
// the next line of the cell, plus the number of blank lines inside cells.
func (t *trTable) rowCost(row trRow) int {
	n := 0
	for c := range t.starts {
		first, last := -1, -1
		for i := row.top; i < row.top+row.height; i++ {
			if len(t.cell(t.body[i], c)) > 0 {
				if first < 0 {
					first = i
				}
				last = i
			}
		}
		if first < 0 {
			continue
		}
		h := last - first + 1
		if first != row.top+(row.height-h)/2 {
			return -1
		}
		prev := -1 // length of the previous line of the cell
		for i := first; i <= last; i++ {
			l := t.body[i]
			s, e := t.span(l, c)
			txt := bytes.TrimRight(l[s:e], " ")
			if len(bytes.Trim(txt, record.Space)) == 0 {
				n++
				prev = -1
				continue
			}
			word := bytes.TrimLeft(txt, " ")
			if k := bytes.IndexByte(word, ' '); k >= 0 {
				word = word[:k]
			}
			if prev >= 0 && prev+1+len(word) <= t.widths[c] {
				n++
			}
			prev = s + len(txt) - t.starts[c]
		}
	}
	return n
}

// texts returns the text of each column in the row, its lines joined by a
// space.
func (t *trTable) texts(row trRow) []string {
	out := make([]string, len(t.starts))
	var b []byte
	for c := range t.starts {
		b = b[:0]
		for i := row.top; i < row.top+row.height; i++ {
			if s := t.cell(t.body[i], c); len(s) > 0 {
				if len(b) > 0 {
					b = append(b, ' ')
				}
				b = append(b, s...)
			}
		}
		out[c] = record.Collapse(string(b))
	}
	return out
}

func (t *trTable) record(row trRow, sl *csvStrings) (record.Record, error) {
	col := func(c int) string { return row.texts[c] }
	var rec record.Record
	numCol := 1
	if t.layout == &trServices {
		rec = record.Record{
			Name:         col(csvName),
			Number:       col(csvNumber),
			Protocol:     col(csvProtocol),
			Description:  col(csvDescription),
			Registered:   col(csvRegistered),
			Modified:     col(csvModified),
			Refs:         sl.refs(col(csvReference)),
			ServiceCode:  col(csvServiceCode),
			Unauthorized: col(csvUnauthorized),
			Note:         col(csvNote),
		}
		rec.Assignee, rec.Contact = sl.assigneeContact(col(csvAssignee), col(csvContact))
	} else {
		numCol = 0
		rec = record.Record{Table: t.layout.table, Number: col(0), Name: col(1), Description: col(2)}
		if v := col(3); v != "" {
			rec.Other = map[string]string{"ipv6": v}
		}
		rec.Refs, rec.Contact = sl.refsAndPeople(col(4))
	}
	if rec.Number != "" {
		if _, _, ok := record.ParseRange(rec.Number); !ok {
			return record.Record{}, t.errorf(t.first+row.anchor, "%s %s is not a number or range", t.layout.headings[numCol], xmlQuote(rec.Number))
		}
	}
	return rec, nil
}

// refsAndPeople converts a protocol-numbers Reference cell, where people
// and references share the column, to Refs and Contact.
func (l *csvStrings) refsAndPeople(cell string) (refs, people []string) {
	if cell == "" {
		return nil, nil
	}
	items, ok := csvBracketed(cell)
	if !ok {
		return l.add("text:" + cell), nil
	}
	for _, it := range items {
		switch typ, data := csvRefType(it); {
		case it == "":
		case typ == "text" && csvIsPersonID(it):
			people = append(people, "person:"+it)
		default:
			refs = append(refs, typ+":"+data)
		}
	}
	return l.add(refs...), l.add(people...)
}

// isAnchor reports whether l is the middle line of a row: it has a port
// number, protocol or decimal value, or a name that is not the wrapped
// part of a longer one. Service names have no spaces or parentheses; the
// few old names that do ("Apple Remote Desktop (Net Assistant)") belong
// to rows with a number.
func (t *trTable) isAnchor(l []byte) bool {
	for _, c := range t.layout.anchors {
		if len(t.cell(l, c)) > 0 {
			return true
		}
	}
	if t.layout.name < 0 {
		return false
	}
	name := t.cell(l, t.layout.name)
	for _, c := range name {
		if !(c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' || c >= utf8.RuneSelf || strings.IndexByte("-_.+*/", c) >= 0) {
			return false
		}
	}
	return len(name) > 0
}

// looksTextRendering reports whether head, the start of a file, is one of
// IANA's plain-text renderings of a registry page: its first lines hold a
// "Last Updated" line with a date under it, as no other format has.
func looksTextRendering(head []byte) bool {
	head = bytes.TrimPrefix(head, []byte("\ufeff"))
	lines := bytes.Split(head, []byte("\n"))
	for i, l := range lines {
		if i >= 40 {
			break
		}
		if string(bytes.TrimSpace(l)) != "Last Updated" {
			continue
		}
		for _, next := range lines[i+1 : min(len(lines), i+3)] {
			if d := bytes.TrimSpace(next); len(d) > 0 {
				return csvIsDate(string(d))
			}
		}
	}
	return false
}

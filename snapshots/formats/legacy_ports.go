package formats

import (
	"regexp"
	"strings"

	"github.com/regdiff/regdiff/snapshots/record"
)

// ParsePortNumbers parses IANA's plain-text port-numbers file, the form the
// Service Name and Transport Protocol Port Number Registry took before the
// XML (about 1998-2010).
//
// # Registry
//
// ID is "service-names-port-numbers" and Format "port-numbers". Updated is
// the date of the file's "(last updated …)" line, which may read
// "2004-01-08", "9 September 2004" or "03 October 2006" (and other common
// spellings of a day: "2004/01/08", "September 9, 2004", "8-Jan-2004"); it
// is "" when the file has no such line, so that the caller asks for the
// date. Title is the file's title line ("PORT NUMBERS") when it has one;
// the 2008 copy lacks it.
//
// # Records
//
// Only the port sections count: those under a heading naming ports ("WELL
// KNOWN PORT NUMBERS", "REGISTERED PORT NUMBERS"), up to the next heading
// ("REFERENCES"). Each entry line gives one [record.Record], in file order:
//
//	keyword  22/tcp  description          Name, Number, Protocol, Description
//	         24/tcp  description          no keyword: Name ""
//	#        4/tcp   Unassigned           a commented entry, also "*" for "#"
//	#        249-255 Reserved             a range without protocol
//	keyword  3322-3325  description       a range without protocol
//	keyword  6400                         a number alone
//	two words  1355/tcp  description      a keyword with a space (RFC 1700)
//
// Tabs and spaces mix freely; the protocol is lower-cased. A single number
// without protocol counts only on a commented line or with nothing after
// it. Bracketed RFC citations at the end of a description ("[RFC4727]",
// "[RFC 3551, RFC 4571]") become Refs (see legacyCitation); other brackets
// ("File Transfer [Control]") stay in the description.
//
// Lines under an entry carry more about it:
//
//   - A line starting with a lower-case letter, right under an entry (a "#"
//     line, an indented line or, in transcribed RFCs, a line at the margin),
//     continues the entry's description ("remote process execution;" /
//     "authentication performed using").
//   - A line of bracketed citations only ("#  [RFC4960]"), or starting with
//     an RFC ("#  RFC3720", "#  RFC-ietf-msec-gdoi-07.txt"), gives Refs;
//     the rest of such a line is dropped.
//   - Any other "#" or indented line is a contact: its text, white space
//     collapsed, is a Contact ("Jon Postel <postel@isi.edu>"); a line holding
//     only "<mail>" completes the name on the line before. A date after the
//     mail address ("<…> November 2004") gives Registered ("2004-11"), as the
//     XML's date attribute does. Bracketed RFC citations in it go to Refs.
//
// As in IANA's own conversion to XML, such lines belong to the entries just
// above them that share the last entry's number: the contact under
// "compressnet 2/tcp, 2/udp, 3/tcp, 3/udp" is 3's, not 2's. Blank lines do
// not separate an entry from its lines; any other line does, including
// remarks written "# Text" at the margin and banners ("#####"), whose text
// is dropped.
//
// Fields the format carries: Name, Protocol, Number, Description, Refs,
// Contact, Registered. Table, Assignee, Modified, Note, Unauthorized,
// ServiceCode and Other stay empty.
//
// # Errors
//
// A file without a single entry is refused with a *[ParseError]; so are a
// "(last updated …)" line without a readable date, a port number above
// 65535, a range ending below its start, NUL bytes, lines over 16 KiB and
// files over 64 MiB. Input that is not UTF-8 is read as Latin-1.
// ParsePortNumbers never panics.
func ParsePortNumbers(data []byte) (*record.Registry, error) {
	lines, err := legacyLines(data)
	if err != nil {
		return nil, err
	}
	updated, err := legacyUpdated(lines)
	if err != nil {
		return nil, err
	}
	p := &legacyPortParser{lines: lines}
	if err := p.parse(); err != nil {
		return nil, err
	}
	if len(p.recs) == 0 {
		return nil, &ParseError{Line: max(1, len(lines)), Msg: "no port entries (\"keyword  22/tcp  description\"): not IANA's port-numbers file"}
	}
	return &record.Registry{
		ID:      "service-names-port-numbers",
		Title:   legacyTitle(lines),
		Updated: updated,
		Format:  "port-numbers",
		Records: p.recs,
	}, nil
}

// looksPortNumbers reports whether head, the first few KB of a file, is
// IANA's port-numbers file: a "(last updated …)" line and the title "PORT
// NUMBERS", the heading "WELL KNOWN PORT NUMBERS" or the sentence "The port
// numbers are divided into three ranges".
func looksPortNumbers(head []byte) bool {
	if !legacyHasUpdated(head) {
		return false
	}
	for _, l := range legacyHeadLines(head) {
		t := strings.TrimSpace(l)
		switch {
		case legacyProtocolHeader.MatchString(l):
			return false
		case t == "PORT NUMBERS" || t == "WELL KNOWN PORT NUMBERS",
			strings.Contains(strings.ToLower(t), "port numbers are divided"):
			return true
		}
	}
	return false
}

// legacyTitle returns the first line of a file when it is a heading
// ("PORT NUMBERS"), else "".
func legacyTitle(lines []legacyLine) string {
	for i, l := range lines {
		if l.text == "" {
			continue
		}
		if legacyHeading(lines, i) {
			return record.Collapse(l.text)
		}
		return ""
	}
	return ""
}

var (
	// "22/tcp", "249-255", "3049/ddddp" (sic, RFC 1340).
	legacyPortToken = regexp.MustCompile(`^(\d{1,9}(?:-\d{1,9})?)(?:/([A-Za-z]{1,16}))?$`)
	// The header of a table in the "Decimal Keyword Description References"
	// layout (RFC 1060 and before).
	legacyDecimalHeader = regexp.MustCompile(`^\s*(Decimal)\s+(Keyword)\s+(Description)\b`)
	// The header of a table in the "keyword port/proto" layout.
	legacyKeywordHeader = regexp.MustCompile(`^\s*(?:Keyword\s+Decimal|Service Name\s+Port/Protocol)\b`)
	legacyDashes        = regexp.MustCompile(`^[ -]*---[ -]*$`)
	legacyBracketsOnly  = regexp.MustCompile(`^(?:\[[^\[\]]*\] *)+$`)
	legacyBracketGroup  = regexp.MustCompile(`\[([^\[\]]*)\]`)
	legacyNoteRFC       = regexp.MustCompile(`^RFC ?0*(\d{1,5})\b`)
	legacyNoteDraft     = regexp.MustCompile(`^RFC-[A-Za-z0-9._-]+`)
	legacyObfuscated    = regexp.MustCompile(`\w&\w[\w.-]*\.\w`)
)

// legacyPortHeading reports whether a heading opens a port section: its
// words include PORT or PORTS.
func legacyPortHeading(t string) bool {
	for _, w := range legacyFields(t) {
		if w == "PORT" || w == "PORTS" {
			return true
		}
	}
	return false
}

// legacyPortParser reads the port tables of IANA's port-numbers file and of
// the Assigned Numbers RFCs.
type legacyPortParser struct {
	lines []legacyLine
	rfc   bool // allow the Decimal layout of RFC 1060

	recs []record.Record
	// Keys, name lower-cased, of the records from Decimal-layout tables.
	decimalKeys map[record.Key]bool

	// The table being read.
	decimal        bool // in the Decimal layout
	kwCol, descCol int  // columns of its Keyword and Description headers

	// The run: the last entries, all with the same number, that the note
	// lines under them belong to.
	run    []int
	runNum string
	noted  bool  // the run has had a note that is not a description continuation
	last   []int // the records of the last entry line
	// The previous line's contact when it had no "<mail>", which a line
	// holding only "<mail>" completes.
	prevContact string

	// What recognizes an RFC without its header.
	decimalRows, hashLines, citedLines int
	bgp179                             bool
}

// parse reads every line.
func (p *legacyPortParser) parse() error {
	sectioned := false
	for i, l := range p.lines {
		if legacyHeading(p.lines, i) && legacyPortHeading(l.text) {
			sectioned = true
			break
		}
	}
	in := !sectioned
	for i, l := range p.lines {
		switch {
		case l.text == "" || legacyPageLine(l.text):
			continue // blank lines and page breaks are transparent
		case legacyHeading(p.lines, i):
			p.endRun()
			p.decimal = false
			in = !sectioned || legacyPortHeading(l.text)
			continue
		case !in:
			continue
		}
		if err := p.line(l); err != nil {
			return err
		}
	}
	return nil
}

func (p *legacyPortParser) endRun() {
	p.run, p.runNum, p.noted, p.last, p.prevContact = nil, "", false, nil, ""
}

// line reads one non-blank line of a port section.
func (p *legacyPortParser) line(l legacyLine) error {
	t := l.text
	if p.rfc {
		if g := legacyDecimalHeader.FindStringSubmatchIndex(t); g != nil {
			p.endRun()
			p.decimal, p.kwCol, p.descCol = true, g[4], g[6]
			return nil
		}
	}
	switch {
	case legacyKeywordHeader.MatchString(t):
		p.endRun()
		p.decimal = false
		return nil
	case legacyDashes.MatchString(t):
		return nil
	case p.decimal:
		if f := legacyFields(t); legacyPortToken.MatchString(f[0]) && !strings.Contains(f[0], "/") {
			return p.decimalRow(l)
		}
	}

	switch t[0] {
	case '#', '*':
		if t[0] == '#' {
			p.hashLines++
		}
		if t == "#" || t == "*" {
			return nil // an empty comment is transparent, like a blank line
		}
		if len(t) < 3 || t[1] != ' ' || t[2] != ' ' {
			// Banners ("#####"), commented-out entries ("#unitary"),
			// remarks at the margin ("# The following entry records …").
			p.endRun()
			return nil
		}
		rest := t[1:]
		f := legacyFields(rest)
		if legacyPortToken.MatchString(f[0]) {
			return p.entry(l, "", f[0], legacyAfterFields(rest, 1))
		}
		p.note(rest)
		return nil
	}
	// An entry, at the margin (port-numbers, RFC 1700) or indented (RFC
	// 1340), with or without keyword.
	f := legacyFields(t)
	switch {
	case t[0] == ' ' && legacyPortToken.MatchString(f[0]):
		if ok, err := p.tryEntry(l, "", f[0], legacyAfterFields(t, 1)); ok || err != nil {
			return err
		}
	case len(f) >= 2 && legacyPortToken.MatchString(f[1]):
		if ok, err := p.tryEntry(l, f[0], f[1], legacyAfterFields(t, 2)); ok || err != nil {
			return err
		}
	case len(f) >= 3 && legacyPortToken.MatchString(f[2]) && strings.Contains(f[2], "/"):
		// A keyword of two words ("intuitive edge  1355/tcp", RFC 1700).
		return p.entry(l, f[0]+" "+f[1], f[2], legacyAfterFields(t, 3))
	}
	if t[0] == ' ' {
		p.note(t)
		return nil
	}
	if t[0] >= 'a' && t[0] <= 'z' && len(p.last) > 0 {
		p.note(t) // a wrapped description that lost its indentation (RFC 1060)
		return nil
	}
	p.endRun()
	return nil
}

// legacyAfterFields returns s after its first n fields.
func legacyAfterFields(s string, n int) string {
	for i := 0; i < n; i++ {
		s = strings.TrimLeft(s, " ")
		if j := strings.IndexByte(s, ' '); j >= 0 {
			s = s[j:]
		} else {
			s = ""
		}
	}
	return strings.TrimLeft(s, " ")
}

// tryEntry reads an uncommented entry line, unless its number has neither
// protocol nor range and more text follows (as in "RFC 1700  Assigned
// Numbers") or no keyword precedes it, which makes no entry.
func (p *legacyPortParser) tryEntry(l legacyLine, name, tok, rest string) (bool, error) {
	g := legacyPortToken.FindStringSubmatch(tok)
	if g[2] == "" && !strings.Contains(g[1], "-") && (rest != "" || name == "") {
		return false, nil
	}
	return true, p.entry(l, name, tok, rest)
}

// entry adds the record of an entry line in the keyword layout.
func (p *legacyPortParser) entry(l legacyLine, name, tok, rest string) error {
	g := legacyPortToken.FindStringSubmatch(tok)
	num, err := legacyNumber(g[1], 65535)
	if err != nil {
		return &ParseError{Line: l.num, Msg: "port " + err.Error()}
	}
	desc, groups := legacyTrailingCitations(record.Collapse(rest), true)
	if len(groups) > 0 {
		p.citedLines++
	}
	r := record.Record{Name: name, Protocol: strings.ToLower(g[2]), Number: num, Description: desc}
	if name != "" && p.decimalKeys[legacyFoldKey(&r)] {
		// RFC 1060's UNIX PORTS section restates entries of its PORT
		// NUMBERS table: no second record for them.
		p.endRun()
		return nil
	}
	legacyCite(&r, groups, nil)
	p.recs = append(p.recs, r)
	p.startEntry(num, []int{len(p.recs) - 1})
	return nil
}

// decimalRow adds the records of a row in the Decimal layout: "5  RJE
// Remote Job Entry  [12,JBP]". A single number there stands for both TCP
// and UDP, so it gives a tcp and a udp record, as the later tables write
// it; a range gives one record without protocol, as the XML writes ranges.
func (p *legacyPortParser) decimalRow(l legacyLine) error {
	t := l.text
	tok := legacyFields(t)[0]
	num, err := legacyNumber(tok, 65535)
	if err != nil {
		return &ParseError{Line: l.num, Msg: "port " + err.Error()}
	}
	rest := strings.TrimLeft(t[legacyIndent(t)+len(tok):], " ")
	var name string
	// Text nearer the Description column than the Keyword column has no
	// keyword before it.
	if rest != "" && len(t)-len(rest) < (p.kwCol+p.descCol+1)/2 {
		name = legacyFields(rest)[0]
		rest = legacyAfterFields(rest, 1)
	}
	desc, groups := legacyTrailingCitations(record.Collapse(rest), true)
	if len(groups) > 0 {
		p.citedLines++
	}
	p.decimalRows++
	if num == "179" && strings.EqualFold(name, "BGP") {
		p.bgp179 = true
	}
	protos := []string{"tcp", "udp"}
	if strings.Contains(num, "-") {
		protos = []string{""}
	}
	var idx []int
	for _, proto := range protos {
		r := record.Record{Name: name, Protocol: proto, Number: num, Description: desc}
		legacyCite(&r, groups, nil)
		if name != "" {
			if p.decimalKeys == nil {
				p.decimalKeys = map[record.Key]bool{}
			}
			p.decimalKeys[legacyFoldKey(&r)] = true
		}
		p.recs = append(p.recs, r)
		idx = append(idx, len(p.recs)-1)
	}
	p.startEntry(num, idx)
	return nil
}

func legacyFoldKey(r *record.Record) record.Key {
	k := r.Key()
	k.Name = strings.ToLower(k.Name)
	return k
}

// startEntry adds an entry line's records to the run, or starts a new run.
func (p *legacyPortParser) startEntry(num string, idx []int) {
	if len(p.run) > 0 && !p.noted && num == p.runNum {
		p.run = append(p.run, idx...)
	} else {
		p.run, p.runNum, p.noted = append([]int(nil), idx...), num, false
	}
	p.last = idx
	p.prevContact = ""
}

// legacyMail reports whether text holds a mail address.
func legacyMail(t string) bool {
	return strings.ContainsAny(t, "<@") || legacyObfuscated.MatchString(t)
}

// note reads a line under an entry: a description continued, citations or
// a contact.
func (p *legacyPortParser) note(text string) {
	t := record.Collapse(text)
	if t == "" || len(p.run) == 0 {
		return
	}
	prev := p.prevContact
	p.prevContact = ""
	switch {
	case !p.noted && len(p.last) > 0 && t[0] >= 'a' && t[0] <= 'z' && !legacyMail(t):
		for _, i := range p.last {
			r := &p.recs[i]
			r.Description = record.Collapse(r.Description + " " + t)
		}
		return
	case t[0] == '<' && prev != "":
		for _, i := range p.run {
			r := &p.recs[i]
			if n := len(r.Contact); n > 0 && r.Contact[n-1] == prev {
				r.Contact = r.Contact[:n-1]
			}
		}
		p.contact(prev + " " + t)
	case legacyBracketsOnly.MatchString(t):
		var groups []string
		for _, g := range legacyBracketGroup.FindAllStringSubmatch(t, -1) {
			groups = append(groups, g[1])
		}
		for _, i := range p.run {
			legacyCite(&p.recs[i], groups, nil)
		}
	case legacyNoteRFC.MatchString(t):
		for _, i := range p.run {
			legacyAddRef(&p.recs[i], "rfc:rfc"+legacyNoteRFC.FindStringSubmatch(t)[1])
		}
	case legacyNoteDraft.MatchString(t):
		ref, _ := legacyCitation(legacyNoteDraft.FindString(t), nil)
		for _, i := range p.run {
			legacyAddRef(&p.recs[i], ref)
		}
	default:
		p.contact(t)
	}
	p.noted = true
}

// contact adds a contact line to the run: "Name <mail> Month YYYY".
func (p *legacyPortParser) contact(t string) {
	// RFC citations within the line ("…, [RFC4340]") are refs.
	var refs []string
	t = legacyBracketGroup.ReplaceAllStringFunc(t, func(g string) string {
		items := strings.Split(g[1:len(g)-1], ",")
		var found []string
		for _, item := range items {
			ref, _ := legacyCitation(item, nil)
			if !strings.HasPrefix(ref, "rfc:") && !strings.HasPrefix(ref, "draft:") {
				return g
			}
			found = append(found, ref)
		}
		refs = append(refs, found...)
		return ""
	})
	t = strings.TrimRight(record.Collapse(t), " ,;")
	var date string
	if i := strings.LastIndexByte(t, '>'); i >= 0 && i < len(t)-1 {
		if d, ok := legacyDate(t[i+1:]); ok {
			date, t = d, record.Collapse(t[:i+1])
		}
	}
	for _, i := range p.run {
		r := &p.recs[i]
		legacyAddContact(r, t)
		for _, ref := range refs {
			legacyAddRef(r, ref)
		}
		if r.Registered == "" {
			r.Registered = date
		}
	}
	if t != "" && !strings.Contains(t, "<") {
		p.prevContact = t
	}
}

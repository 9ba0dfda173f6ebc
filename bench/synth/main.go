// Command synth makes synthetic versions of the service-names registry for
// the scale benchmark (bench/scale). Starting from a real version, each
// synthetic version makes one to three small edits of the kinds IANA makes
// to the one before: a service name assigned on a free port, a description
// reworded, an RFC reference added, a synthetic assignment de-registered,
// a de-registered one removed. A store of thousands of versions then has the
// shape of the real one, only longer.
//
//	synth BASE.xml OUTDIR FROM TO
//
// writes versions FROM to TO-1 as OUTDIR/vNNNNN.xml; version i is dated i+1
// days after BASE's <updated> date. The edits come from a fixed seed, so
// the versions before FROM are replayed in memory and not written: a script
// can make and import a few hundred at a time instead of holding gigabytes
// of files on disk at once.
package main

import (
	"bufio"
	"errors"
	"fmt"
	"io"
	"math/rand/v2"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"time"
)

func main() {
	if len(os.Args) != 5 {
		fmt.Fprintln(os.Stderr, "usage: synth BASE.xml OUTDIR FROM TO  (writes versions [FROM,TO) as OUTDIR/vNNNNN.xml)")
		os.Exit(2)
	}
	from, err1 := strconv.Atoi(os.Args[3])
	to, err2 := strconv.Atoi(os.Args[4])
	if err1 != nil || err2 != nil || from < 0 || to < from || to > maxVersions {
		fmt.Fprintf(os.Stderr, "synth: FROM and TO must be numbers with 0 <= FROM <= TO <= %d\n", maxVersions)
		os.Exit(2)
	}
	if err := run(os.Args[1], os.Args[2], from, to); err != nil {
		fmt.Fprintln(os.Stderr, "synth:", err)
		os.Exit(1)
	}
}

// maxVersions keeps file names at five digits, and dates (a day a version)
// at four-digit years.
const maxVersions = 100000

func run(basePath, outDir string, from, to int) error {
	base, err := os.ReadFile(basePath)
	if err != nil {
		return err
	}
	if err := os.MkdirAll(outDir, 0o755); err != nil {
		return err
	}
	return generate(base, from, to, func(v int, g *generator, _ []edit) error {
		return writeFile(filepath.Join(outDir, fmt.Sprintf("v%05d.xml", v)), g)
	})
}

func writeFile(path string, g *generator) error {
	f, err := os.Create(path)
	if err != nil {
		return err
	}
	w := bufio.NewWriterSize(f, 1<<20)
	g.write(w)
	if err := w.Flush(); err != nil {
		f.Close()
		return err
	}
	return f.Close()
}

// generate makes versions 0 to to-1 and calls emit for those from from on,
// with the edits that made each one.
func generate(base []byte, from, to int, emit func(v int, g *generator, edits []edit) error) error {
	g, err := newGenerator(base)
	if err != nil {
		return err
	}
	for v := 0; v < to; v++ {
		edits, err := g.step()
		if err != nil {
			return fmt.Errorf("version %d: %w", v, err)
		}
		if v >= from {
			if err := emit(v, g, edits); err != nil {
				return err
			}
		}
	}
	return nil
}

// seed fixes the sequence of edits: the same base always gives the same
// versions, which is what lets bench/scale make them in chunks.
const seed = 20240318

// edit is one change a version made, named by the record's key before it,
// so that a test can check it against a parse of the output.
type edit struct {
	Kind                   string // assign, describe, xref, deregister, remove
	Name, Protocol, Number string
	Description            string // the new description (assign, describe, deregister)
	Ref                    string // the reference added (xref), "rfc:rfcNNNN"
}

// Record states. Only synthetic records are de-registered or removed, so
// the real ports keep the status IANA gave them (253 stays Reserved).
const (
	stateReal = iota
	stateAssigned
	stateDeregistered
)

// chunk is one <record> element of the file and the text after it up to the
// next one. Splitting the file at each record keeps an edit to a few string
// operations and a slice insert instead of a rewrite of 4 MB.
type chunk struct {
	rec  string // from "<record" to "</record>"
	tail string // indentation before the next record; after the last, the rest of the file

	name, number, protocol string
	desc                   string // raw XML text of <description>, "" when absent
	state                  int
	// edited is the last version that changed the record: one version edits a
	// record at most once, so that two edits never cancel out.
	edited int
}

type generator struct {
	rng *rand.Rand

	pre, post string    // the header up to and after the root's <updated> date
	base      time.Time // that date
	chunks    []*chunk
	version   int // the next version step makes

	free         []*chunk // Unassigned ranges, where new assignments go
	taken        []bool   // ports a record other than a free range covers
	names        map[string]bool
	people       []string // person ids of the base, for new records' xrefs
	assigned     []*chunk // synthetic records that may be de-registered
	deregistered []*chunk // and then removed
	nextRFC      int
}

func newGenerator(base []byte) (*generator, error) {
	text := string(base)
	first := indexRecord(text, 0)
	if first < 0 {
		return nil, errors.New("base has no <record>")
	}
	head := text[:first]
	i := strings.Index(head, "<updated>")
	j := strings.Index(head, "</updated>")
	if i < 0 || j < i {
		return nil, errors.New("base has no <updated> before its first record")
	}
	date, err := time.Parse(time.DateOnly, strings.TrimSpace(head[i+len("<updated>"):j]))
	if err != nil {
		return nil, fmt.Errorf("base's <updated>: %w", err)
	}
	g := &generator{
		rng:     rand.New(rand.NewPCG(seed, seed)),
		pre:     head[:i+len("<updated>")],
		post:    head[j:],
		base:    date,
		taken:   make([]bool, 65536),
		names:   map[string]bool{},
		nextRFC: 9600,
	}
	seenPerson := map[string]bool{}
	for at := first; at >= 0; {
		next := indexRecord(text, at+1)
		end := len(text)
		if next >= 0 {
			end = next
		}
		k := strings.Index(text[at:end], "</record>")
		if k < 0 {
			return nil, fmt.Errorf("record at byte %d has no </record> before the next", at)
		}
		k += at + len("</record>")
		c := &chunk{rec: text[at:k], tail: text[k:end], state: stateReal, edited: -1}
		c.name, _ = element(c.rec, "name")
		c.protocol, _ = element(c.rec, "protocol")
		c.number, _ = element(c.rec, "number")
		c.desc, _ = element(c.rec, "description")
		g.chunks = append(g.chunks, c)
		if c.name != "" {
			g.names[strings.ToLower(c.name)] = true
		}
		for _, p := range personRefs(c.rec) {
			if !seenPerson[p] {
				seenPerson[p] = true
				g.people = append(g.people, p)
			}
		}
		at = next
	}
	for _, c := range g.chunks {
		lo, hi, ok := portRange(c.number)
		switch {
		case !ok:
		// A single port Unassigned for one protocol would give a de-registered
		// record the same key as itself, so only ranges and all-protocol
		// ports take new assignments.
		case c.name == "" && c.desc == "Unassigned" && (lo < hi || c.protocol == ""):
			g.free = append(g.free, c)
		default:
			for p := lo; p <= hi; p++ {
				g.taken[p] = true
			}
		}
	}
	if len(g.free) == 0 || len(g.people) == 0 {
		return nil, errors.New("base has no Unassigned ranges or no person references to build on")
	}
	return g, nil
}

// indexRecord finds the next "<record" start tag at or after from.
func indexRecord(s string, from int) int {
	for from < len(s) {
		i := strings.Index(s[from:], "<record")
		if i < 0 {
			return -1
		}
		i += from
		if e := i + len("<record"); e < len(s) && (s[e] == '>' || s[e] == ' ' || s[e] == '\n' || s[e] == '\t') {
			return i
		}
		from = i + 1
	}
	return -1
}

// element returns the raw text of the record's first <tag> element.
func element(rec, tag string) (string, bool) {
	i, j := elementSpan(rec, tag)
	if i < 0 {
		return "", false
	}
	return rec[i:j], true
}

// elementSpan returns where the text of the first <tag>…</tag> starts and ends.
func elementSpan(rec, tag string) (int, int) {
	i := strings.Index(rec, "<"+tag+">")
	if i < 0 {
		return -1, -1
	}
	i += len(tag) + 2
	j := strings.Index(rec[i:], "</"+tag+">")
	if j < 0 {
		return -1, -1
	}
	return i, i + j
}

func personRefs(rec string) []string {
	var out []string
	const open = `<xref type="person" data="`
	for s := rec; ; {
		i := strings.Index(s, open)
		if i < 0 {
			return out
		}
		s = s[i+len(open):]
		if j := strings.IndexByte(s, '"'); j > 0 {
			out = append(out, s[:j])
		}
	}
}

func portRange(s string) (lo, hi int, ok bool) {
	a, b, isRange := strings.Cut(strings.TrimSpace(s), "-")
	lo, err := strconv.Atoi(a)
	if err != nil || lo < 0 || lo > 65535 {
		return 0, 0, false
	}
	if !isRange {
		return lo, lo, true
	}
	hi, err = strconv.Atoi(b)
	if err != nil || hi < lo || hi > 65535 {
		return 0, 0, false
	}
	return lo, hi, true
}

// date is the <updated> date of version v: one day per version keeps dates
// strictly increasing, and 100,000 versions end well within valid years.
func (g *generator) date(v int) string {
	return g.base.AddDate(0, 0, v+1).Format(time.DateOnly)
}

// write writes the current version.
func (g *generator) write(w io.StringWriter) {
	w.WriteString(g.pre)
	w.WriteString(g.date(g.version - 1))
	w.WriteString(g.post)
	for _, c := range g.chunks {
		w.WriteString(c.rec)
		w.WriteString(c.tail)
	}
}

// step makes the next version and returns its edits.
func (g *generator) step() ([]edit, error) {
	v := g.version
	g.version++
	want := 1 + g.rng.IntN(3)
	var edits []edit
	// Every kind but assign can find nothing to edit (nothing de-registered
	// yet, say); assign always succeeds while free ports remain, so a bound on
	// attempts only trips on a base that has run out of them.
	for tries := 0; len(edits) < want; tries++ {
		if tries > 1000 {
			return nil, errors.New("no edit possible: free ports exhausted?")
		}
		var e edit
		var ok bool
		switch r := g.rng.IntN(100); {
		case r < 30:
			e, ok = g.assign(v)
		case r < 60:
			e, ok = g.describe(v)
		case r < 80:
			e, ok = g.addRef(v)
		case r < 92:
			e, ok = g.deregister(v)
		default:
			e, ok = g.remove(v)
		}
		if ok {
			edits = append(edits, e)
		}
	}
	return edits, nil
}

var (
	syllables = strings.Fields("ka ro mi zen tor vex lu qua nix pel dra sor fin gal bet cor dyn hal ion jet lum mor nav oct pix quo ras syn tel ulo vor wex yar zel")
	suffixes  = strings.Fields("mgmt sync disc data ctl tls rpc srv mon")
	adjective = strings.Fields("Secure Distributed Remote Industrial Cloud Embedded Realtime Federated Scalable Lightweight")
	noun      = strings.Fields("Telemetry Sensor Backup Licensing Messaging Inventory Streaming Camera Payment Timing")
	kind      = strings.Fields("Gateway Exchange Agent Service Protocol Controller Broker Daemon")
	// Rewordings IANA applies to descriptions: a qualifier added, or dropped again.
	qualifiers = []string{" Service", " Protocol", " over TLS", " (Secure)", " Control", " Interface"}
)

func pick[T any](r *rand.Rand, s []T) T { return s[r.IntN(len(s))] }

// assign registers a new service name on a free port, the commonest change.
func (g *generator) assign(v int) (edit, bool) {
	c := pick(g.rng, g.free)
	lo, hi, _ := portRange(c.number)
	port := lo + g.rng.IntN(hi-lo+1)
	if g.taken[port] {
		return edit{}, false
	}
	proto := c.protocol
	if proto == "" {
		proto = pick(g.rng, []string{"tcp", "udp"})
	}
	name := g.newName()
	desc := pick(g.rng, adjective) + " " + pick(g.rng, noun) + " " + pick(g.rng, kind)
	number := strconv.Itoa(port)
	rec := fmt.Sprintf(`<record date="%s">
    <name>%s</name>
    <protocol>%s</protocol>
    <assignee>
      <xref type="person" data="%s"/>
    </assignee>
    <description>%s</description>
    <number>%s</number>
    <xref type="person" data="%s"/>
  </record>`, g.date(v), name, proto, pick(g.rng, g.people), desc, number, pick(g.rng, g.people))
	n := &chunk{rec: rec, tail: "\n  ", name: name, protocol: proto, number: number, desc: desc, state: stateAssigned, edited: v}
	// Before the range it came from keeps the file roughly in port order, and
	// a chunk inserted before another never becomes the last one, whose tail
	// holds the rest of the file.
	g.chunks = slices.Insert(g.chunks, slices.Index(g.chunks, c), n)
	g.taken[port] = true
	g.assigned = append(g.assigned, n)
	return edit{Kind: "assign", Name: name, Protocol: proto, Number: number, Description: desc}, true
}

func (g *generator) newName() string {
	for {
		name := pick(g.rng, syllables) + pick(g.rng, syllables)
		switch g.rng.IntN(3) {
		case 0:
			name += pick(g.rng, syllables)
		case 1:
			name += "-" + pick(g.rng, suffixes)
		}
		if !g.names[name] {
			g.names[name] = true
			return name
		}
	}
}

// named picks a live named record not yet edited by version v.
func (g *generator) named(v int) (*chunk, bool) {
	c := pick(g.rng, g.chunks)
	ok := c.name != "" && c.state != stateDeregistered && c.edited != v
	return c, ok
}

// describe rewords a description.
func (g *generator) describe(v int) (edit, bool) {
	c, ok := g.named(v)
	if !ok || c.desc == "" {
		return edit{}, false
	}
	desc := c.desc
	q := pick(g.rng, qualifiers)
	if stripped, found := strings.CutSuffix(desc, q); found && strings.TrimSpace(stripped) != "" {
		desc = stripped
	} else if len(desc) < 100 && !strings.HasSuffix(desc, q) {
		desc += q
	} else {
		return edit{}, false
	}
	if collapse(desc) == collapse(c.desc) {
		return edit{}, false
	}
	i, j := elementSpan(c.rec, "description")
	g.touch(c, v, c.rec[:i]+desc+c.rec[j:])
	c.desc = desc
	return edit{Kind: "describe", Name: c.name, Protocol: c.protocol, Number: c.number, Description: collapse(desc)}, true
}

// addRef cites a new RFC; numbers are never reused, so the reference is new.
func (g *generator) addRef(v int) (edit, bool) {
	c, ok := g.named(v)
	if !ok {
		return edit{}, false
	}
	ref := "rfc" + strconv.Itoa(g.nextRFC)
	g.nextRFC++
	i := strings.LastIndex(c.rec, "</record>")
	g.touch(c, v, c.rec[:i]+`  <xref type="rfc" data="`+ref+`"/>`+"\n  "+c.rec[i:])
	return edit{Kind: "xref", Name: c.name, Protocol: c.protocol, Number: c.number, Ref: "rfc:" + ref}, true
}

// deregister does what IANA does to a returned port: the name goes and the
// description says De-registered.
func (g *generator) deregister(v int) (edit, bool) {
	if len(g.assigned) == 0 {
		return edit{}, false
	}
	k := g.rng.IntN(len(g.assigned))
	c := g.assigned[k]
	if c.edited == v {
		return edit{}, false
	}
	e := edit{Kind: "deregister", Name: c.name, Protocol: c.protocol, Number: c.number, Description: "De-registered"}
	rec := c.rec
	i := strings.Index(rec, "<name>")
	j := strings.Index(rec, "</name>") + len("</name>")
	j += len(rec[j:]) - len(strings.TrimLeft(rec[j:], " \n"))
	rec = rec[:i] + rec[j:]
	di, dj := elementSpan(rec, "description")
	g.touch(c, v, rec[:di]+e.Description+rec[dj:])
	c.name, c.desc, c.state = "", e.Description, stateDeregistered
	g.assigned = slices.Delete(g.assigned, k, k+1)
	g.deregistered = append(g.deregistered, c)
	return e, true
}

// remove deletes a de-registered record outright, as IANA sometimes tidies.
func (g *generator) remove(v int) (edit, bool) {
	if len(g.deregistered) == 0 {
		return edit{}, false
	}
	k := g.rng.IntN(len(g.deregistered))
	c := g.deregistered[k]
	if c.edited == v {
		return edit{}, false
	}
	i := slices.Index(g.chunks, c)
	g.chunks = slices.Delete(g.chunks, i, i+1)
	g.deregistered = slices.Delete(g.deregistered, k, k+1)
	return edit{Kind: "remove", Protocol: c.protocol, Number: c.number}, true
}

// touch replaces the record's text and stamps its updated attribute, as
// IANA does on every change.
func (g *generator) touch(c *chunk, v int, rec string) {
	end := strings.IndexByte(rec, '>')
	tag := rec[:end]
	const attr = ` updated="`
	if i := strings.Index(tag, attr); i >= 0 {
		i += len(attr)
		j := i + strings.IndexByte(tag[i:], '"')
		rec = rec[:i] + g.date(v) + rec[j:]
	} else {
		rec = rec[:end] + attr + g.date(v) + `"` + rec[end:]
	}
	c.rec = rec
	c.edited = v
}

// collapse is the white-space rule of the parser, so that a rewording that
// only moves spaces is not taken for a change.
func collapse(s string) string { return strings.Join(strings.Fields(s), " ") }

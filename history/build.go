package history

import (
	"cmp"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"slices"
	"strings"

	"github.com/regdiff/regdiff/diff"
	"github.com/regdiff/regdiff/snapshots"
	"github.com/regdiff/regdiff/snapshots/record"
)

// Source is what Build reads: a registry's versions, oldest first, and
// their normalized files. *snapshots.Store satisfies it.
type Source interface {
	Versions(registry string) ([]record.Version, error)
	Files(v record.Version) ([]snapshots.File, error)
	Blob(h record.Hash) ([]byte, error)
}

// ErrNoSuchName is what a [*NameError] wraps: a name query matched no
// record in any version.
var ErrNoSuchName = errors.New("no such service name")

// ErrNoSuchValue is what a [*ValueError] wraps: no record of any version
// covers a value query.
var ErrNoSuchValue = errors.New("no such value")

// History is the story of a query across every version of a registry.
type History struct {
	Query    Query
	Registry string
	// Versions is the number of versions the history tells of: every
	// version read, or those of its window ([History.Window]).
	Versions int
	First    string // name of the oldest version on record
	Last     string // name of the newest version on record
	// From and To name the oldest and the newest version of the window:
	// First and Last unless the history is a window; "" for a window that
	// holds no version.
	From, To string
	// Periods are ordered by transport (tcp, udp, sctp, dccp), then for a
	// name query by number, then by time.
	Periods []Period
	// Events are ordered by version, then as the diff orders changes.
	Events []Event
	// Titles are the sub-registries' titles by id, for a value query's
	// output; Build leaves it to the caller, which reads them from the
	// newest version's items.
	Titles map[string]string

	vs     []record.Version // every version read, oldest first
	lo, hi int              // the window: vs[lo:hi]
}

// Period is a maximal run of consecutive versions in which the query had
// the same status on one transport.
//
// For a port query, Status is the status of every port asked about; for a
// range whose ports differ it is "mixed", and Parts gives each sub-range.
// For a name query, a period is a run in which the name held Number on
// Protocol with the same record status (Assigned or Deregistered). For a
// value query, a period is a run of versions of one sub-registry in which
// the value had the same status by [diff.CodeStatus] (Unlisted where no
// record of the sub-registry covers it); a version without the
// sub-registry ends its period.
type Period struct {
	// Table is a value query's sub-registry (see [Query.Table]), "" for
	// the records directly under the registry and for ports and names.
	Table    string
	Protocol string // "tcp", ...; "" for a name's record without a protocol
	Number   string // name queries only: the number held, as written
	Status   string // "Assigned", "Deregistered", "Reserved", "Unassigned" or "mixed"; for values one of diff.CodeStatuses
	Parts    []Part // mixed periods only
	From, To string // first and last version names
	Versions int
	// Records are the records that covered the query (or, for a name
	// query, the name's records) in the period's last version.
	Records []record.Record

	first, last int // version indexes
}

// Mixed is the status of a period whose ports do not all share one status.
const Mixed = "mixed"

// Part is a run of ports with one status, within a mixed period.
type Part struct {
	Ports  string // "247-248"
	Status string
}

// Event is one change, in one version, to a record covering the query (or
// having the queried name).
type Event struct {
	Version string
	diff.Change

	at int // the version's index
	// key and oldKey are a value query's keys in the diff's JSON form
	// (diff.Result.KeyJSON), nil for ports and names.
	key, oldKey json.Marshaler
}

// Build reads every version of registry in src and tells the history of q.
//
// It reads only what the query needs: for a port query, the files of each
// version that hold its covering records ([snapshots.FilesCovering]); for
// a name query, the files that may hold the name. A file is decoded only
// when its blob differs from the previous version's, and each blob at most
// once.
//
// Consecutive versions of different source formats are compared by the
// rule of [diff.AcrossFor], as the diff command compares them, so that a
// field one format cannot carry does not show up as an event.
func Build(ctx context.Context, src Source, registry string, q Query) (*History, error) {
	if err := q.check(); err != nil {
		return nil, err
	}
	vs, err := src.Versions(registry)
	if err != nil {
		return nil, err
	}
	if len(vs) == 0 {
		return nil, fmt.Errorf("registry %s: %w", registry, snapshots.ErrEmpty)
	}
	h := &History{Query: q, Registry: registry, Versions: len(vs), First: vs[0].Name, Last: vs[len(vs)-1].Name,
		vs: vs, lo: 0, hi: len(vs)}
	h.From, h.To = h.First, h.Last
	ix, ok := src.(*Index)
	if !ok {
		ix = NewIndex(src)
	}
	b := &builder{ix: ix, h: h, vs: vs}
	switch {
	case q.IsValue():
		err = b.values(ctx)
	case q.IsName():
		err = b.names(ctx)
	default:
		err = b.ports(ctx)
	}
	if err != nil {
		return nil, err
	}
	for i := range h.Periods {
		p := &h.Periods[i]
		p.From, p.To, p.Versions = vs[p.first].Name, vs[p.last].Name, p.last-p.first+1
	}
	return h, nil
}

type builder struct {
	ix   *Index
	h    *History
	vs   []record.Version
	cur  int              // the version whose events are being found
	recs []*record.Record // decoded lines, by id

	// Port queries only.
	info  []lineInfo // by id
	cover map[record.Hash][]int32
}

// compare diffs the covering records of versions cur-1 and cur.
func (b *builder) compare(old, new []record.Record) *diff.Result {
	if b.cur > 0 {
		if a := diff.AcrossFor(b.vs[b.cur-1], b.vs[b.cur]); a != nil {
			return diff.CompareAcross(old, new, *a)
		}
	}
	return diff.Compare(old, new)
}

// record decodes line id, once.
func (b *builder) record(id int32) (*record.Record, error) {
	if int(id) < len(b.recs) && b.recs[id] != nil {
		return b.recs[id], nil
	}
	r, err := b.ix.record(id)
	if err != nil {
		return nil, err
	}
	if int(id) >= len(b.recs) {
		b.recs = slices.Grow(b.recs, len(b.ix.lines)-len(b.recs))[:len(b.ix.lines)]
	}
	b.recs[id] = &r
	return &r, nil
}

func (b *builder) addEvents(version string, cs []diff.Change) {
	for _, c := range cs {
		b.h.Events = append(b.h.Events, Event{Version: version, Change: c, at: b.cur})
	}
}

// slot is where a name can be held: a number on a protocol.
type slot struct{ protocol, number string }

// names builds the history of a name query.
func (b *builder) names(ctx context.Context) error {
	q := b.h.Query
	m := newMatcher(q.Name)
	type open struct {
		status diff.Status
		period int
	}
	var periods []Period
	opens := map[slot]open{}
	var prev map[string]record.Hash
	for i, v := range b.vs {
		if err := ctx.Err(); err != nil {
			return err
		}
		files, err := b.ix.Files(v)
		if err != nil {
			return err
		}
		cur := make(map[string]record.Hash, len(files))
		held := map[slot][]record.Record{}
		for _, f := range files {
			cur[f.Path] = f.Hash
			hits, err := b.hits(m, f)
			if err != nil {
				return fmt.Errorf("version %s: %w", v.Name, err)
			}
			for _, r := range hits {
				s := slot{r.Protocol, r.Number}
				held[s] = append(held[s], r)
			}
		}
		if i > 0 {
			b.cur = i
			if err := b.nameEvents(m, v.Name, prev, cur); err != nil {
				return fmt.Errorf("version %s: %w", v.Name, err)
			}
		}
		for s, recs := range held {
			st := nameStatus(recs)
			o, ok := opens[s]
			if ok && o.status == st && periods[o.period].last == i-1 {
				periods[o.period].last = i
				periods[o.period].Records = recs
				continue
			}
			opens[s] = open{status: st, period: len(periods)}
			periods = append(periods, Period{Protocol: s.protocol, Number: s.number, Status: st.String(), Records: recs, first: i, last: i})
		}
		prev = cur
	}
	if len(periods) == 0 {
		return b.noSuchName(m)
	}
	slices.SortStableFunc(periods, func(x, y Period) int {
		if c := transportRank(x.Protocol) - transportRank(y.Protocol); c != 0 {
			return c
		}
		if c := record.Compare(&record.Record{Number: x.Number}, &record.Record{Number: y.Number}); c != 0 {
			return c
		}
		return x.first - y.first
	})
	b.h.Periods = periods
	return nil
}

// nameStatus is the status of a name's records at one number and protocol:
// Deregistered when all of them are, else Assigned (package diff's rule:
// the first of Assigned, Deregistered, Reserved and Unassigned any has).
func nameStatus(recs []record.Record) diff.Status {
	best := diff.Unassigned
	for i := range recs {
		if s := diff.RecordStatus(&recs[i]); s != 0 && s < best {
			best = s
		}
	}
	return best
}

// transportRank orders protocols: tcp, udp, sctp, dccp, then others by name.
func transportRank(p string) int {
	if i := slices.Index(diff.Transports, p); i >= 0 {
		return i
	}
	return len(diff.Transports)
}

// matcher finds a name in records, ignoring case.
type matcher struct {
	name string
	// may tells from a line's text whether it may hold the name; only
	// those lines are decoded.
	may   func(line []byte) bool
	lines []int8 // by line id: 0 not known yet, 1 no, 2 yes
	files map[record.Hash]bool
}

func newMatcher(name string) *matcher {
	return &matcher{name: name, may: snapshots.NameFilter(name), files: map[record.Hash]bool{}}
}

func (m *matcher) match(r *record.Record) bool {
	return equalFold(r.Name, m.name)
}

// lineHas reports whether line id is a record with the name.
func (b *builder) lineHas(m *matcher, id int32) (bool, error) {
	if int(id) < len(m.lines) && m.lines[id] != 0 {
		return m.lines[id] == 2, nil
	}
	has := false
	if m.may(b.ix.lines[id].text) {
		r, err := b.record(id)
		if err != nil {
			return false, err
		}
		has = m.match(r)
	}
	if int(id) >= len(m.lines) {
		m.lines = slices.Grow(m.lines, len(b.ix.lines)-len(m.lines))[:len(b.ix.lines)]
	}
	m.lines[id] = 1
	if has {
		m.lines[id] = 2
	}
	return has, nil
}

// fileHas reports whether a file holds a record with the name.
func (b *builder) fileHas(m *matcher, f snapshots.File) (bool, error) {
	if has, ok := m.files[f.Hash]; ok || f.Hash.IsZero() {
		return has, nil
	}
	ids, err := b.ix.fileLines(f)
	if err != nil {
		return false, err
	}
	has := false
	for _, id := range ids {
		if has, err = b.lineHas(m, id); err != nil {
			return false, fmt.Errorf("%s: %w", f.Path, err)
		}
		if has {
			break
		}
	}
	m.files[f.Hash] = has
	return has, nil
}

// hits returns the records of f that have the queried name (and protocol).
func (b *builder) hits(m *matcher, f snapshots.File) ([]record.Record, error) {
	if has, err := b.fileHas(m, f); err != nil || !has {
		return nil, err
	}
	ids, err := b.ix.fileLines(f)
	if err != nil {
		return nil, err
	}
	var out []record.Record
	for _, id := range ids {
		if has, _ := b.lineHas(m, id); !has {
			continue
		}
		r := b.recs[id]
		if b.h.Query.Protocol == "" || r.Protocol == b.h.Query.Protocol {
			out = append(out, *r)
		}
	}
	return out, nil
}

func foldByte(c byte) byte {
	if c >= 'A' && c <= 'Z' {
		return c + 'a' - 'A'
	}
	return c
}

// nameEvents adds the changes between two versions that touch a record with
// the queried name. Only files whose blob changed can hold changes. Within
// such a file only the records at a number where the name appears (on
// either side, on the same protocol) are compared, and only when the
// name's own records differ: matching is by key and a rename pairs records
// of the same protocol and number, so this finds exactly the changes a
// whole comparison would find for the name (TestRealNameEventsAreTheWholeDiffs).
func (b *builder) nameEvents(m *matcher, version string, prev, cur map[string]record.Hash) error {
	var paths []string
	for p, h := range cur {
		if prev[p] != h {
			paths = append(paths, p)
		}
	}
	for p := range prev {
		if _, ok := cur[p]; !ok {
			paths = append(paths, p)
		}
	}
	slices.Sort(paths)
	type span struct{ lo, hi int32 }
	var cs []diff.Change
	for _, p := range paths {
		sides := [2]snapshots.File{{Path: p, Hash: prev[p]}, {Path: p, Hash: cur[p]}}
		var ids, own [2][]int32
		spans := map[span]bool{}
		slots := map[slot]bool{}
		for k, f := range sides {
			has, err := b.fileHas(m, f)
			if err != nil || !has {
				if err != nil {
					return err
				}
				continue
			}
			if ids[k], err = b.ix.fileLines(f); err != nil {
				return err
			}
			for _, id := range ids[k] {
				if has, _ := b.lineHas(m, id); has {
					own[k] = append(own[k], id)
					spans[span{b.ix.lines[id].lo, b.ix.lines[id].hi}] = true
					slots[slot{b.recs[id].Protocol, b.recs[id].Number}] = true
				}
			}
		}
		// The name's records the same lines on both sides, in the same
		// order: the whole comparison pairs each with its equal (equal
		// records pair first), so none of the changes it finds is the
		// name's, however the records beside them changed. This is most
		// of the work saved: a name without a number shares its slot with
		// every unnumbered record of its protocol, and those change often.
		if slices.Equal(own[0], own[1]) {
			continue
		}
		var recs [2][]record.Record
		for k, f := range sides {
			if ids[k] == nil && !f.Hash.IsZero() {
				var err error
				if ids[k], err = b.ix.fileLines(f); err != nil {
					return err
				}
			}
			for _, id := range ids[k] {
				if l := &b.ix.lines[id]; !spans[span{l.lo, l.hi}] {
					continue
				}
				r, err := b.record(id)
				if err != nil {
					return fmt.Errorf("%s: %w", p, err)
				}
				if slots[slot{r.Protocol, r.Number}] {
					recs[k] = append(recs[k], *r)
				}
			}
		}
		cs = append(cs, b.compare(recs[0], recs[1]).Changes...)
	}
	sortChanges(cs)
	proto := b.h.Query.Protocol
	for _, c := range cs {
		named := equalFold(c.Key.Name, m.name) || c.Kind == diff.Renamed && equalFold(c.OldKey.Name, m.name)
		if named && (proto == "" || c.Key.Protocol == proto) {
			b.addEvents(version, []diff.Change{c})
		}
	}
	return nil
}

// noSuchName explains that the name is in no version, with close names
// from the oldest and the newest version as a hint.
func (b *builder) noSuchName(m *matcher) error {
	q := b.h.Query
	// A name query has read every file of every version: their lines are
	// every record the registry ever had.
	var names, protocols []string
	seen := map[int32]bool{}
	named := map[string]bool{}
	exists := false
	for h := range m.files {
		ids, err := b.ix.fileLines(snapshots.File{Hash: h})
		if err != nil {
			return err
		}
		for _, id := range ids {
			if seen[id] {
				continue
			}
			seen[id] = true
			r, err := b.record(id)
			if err != nil {
				return err
			}
			if r.Name != "" && !named[r.Name] {
				named[r.Name] = true
				names = append(names, r.Name)
			}
			if m.match(r) {
				exists = true
				if r.Protocol != "" && !slices.Contains(protocols, r.Protocol) {
					protocols = append(protocols, r.Protocol)
				}
			}
		}
	}
	e := &NameError{Name: q.Name, Protocol: q.Protocol, Registry: b.h.Registry, First: b.h.First, Last: b.h.Last}
	if exists {
		e.Exists = true
		slices.SortFunc(protocols, func(x, y string) int { return cmp.Or(transportRank(x)-transportRank(y), strings.Compare(x, y)) })
		e.Protocols = protocols
		return e
	}
	slices.Sort(names)
	e.Suggestions = Suggest(names, q.Name)
	return e
}

// NameError is the error of a name query that matches no record in any
// version; it wraps [ErrNoSuchName]. Its message is one line, with the
// hints in it; a command line may rather print Hint on a line of its own.
type NameError struct {
	Name, Protocol string // as queried
	Registry       string
	First, Last    string // the versions searched
	// Exists is true when the name has records, only not on Protocol.
	Exists bool
	// Protocols lists the transports the name has records on, when only
	// the queried transport is missing.
	Protocols []string
	// Suggestions are close names from every version.
	Suggestions []string
}

func (e *NameError) Error() string {
	msg := fmt.Sprintf("%v: %q is in no version of %s (%s … %s)", ErrNoSuchName, e.Name, e.Registry, e.First, e.Last)
	if e.Exists {
		msg = fmt.Sprintf("%v: %s has no %s record in any version of %s", ErrNoSuchName, e.Name, e.Protocol, e.Registry)
	}
	if h := e.Hint(); h != "" {
		msg += "; " + h
	}
	return msg
}

// Hint tells what to try instead, or is "".
func (e *NameError) Hint() string {
	switch {
	case len(e.Protocols) > 0:
		return fmt.Sprintf("it has %s records: query %s without /%s", strings.Join(e.Protocols, ", "), e.Name, e.Protocol)
	case len(e.Suggestions) > 0:
		return "did you mean " + strings.Join(e.Suggestions, ", ") + "?"
	}
	return ""
}

func (e *NameError) Unwrap() error { return ErrNoSuchName }

// equalFold compares ASCII letters ignoring case and every other byte
// exactly, so that a name's bytes can be searched for in record lines.
func equalFold(a, b string) bool {
	if len(a) != len(b) {
		return false
	}
	for i := 0; i < len(a); i++ {
		if foldByte(a[i]) != foldByte(b[i]) {
			return false
		}
	}
	return true
}

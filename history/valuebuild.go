package history

import (
	"context"
	"fmt"
	"maps"
	"slices"
	"strconv"
	"strings"

	"github.com/regdiff/regdiff/diff"
	"github.com/regdiff/regdiff/snapshots"
	"github.com/regdiff/regdiff/snapshots/record"
)

// A value query reads every record file of every version, but decodes each
// distinct line once (lines are shared across versions by the index) and
// works out each blob's covering lines once. Events need a real comparison
// only in the versions where a sub-registry's covering lines differ from the
// previous version's: there the whole sub-registry is compared, as the diff
// command compares it (keys are inferred per sub-registry, from both
// versions), and the changes to covering records are kept.

// blobCover is what a value query needs of one record file.
type blobCover struct {
	tables []string           // the tables the file holds records of
	cover  map[string][]int32 // covering line ids, by table, in file order
}

// values builds the history of a value query.
func (b *builder) values(ctx context.Context) error {
	q := b.h.Query
	m := newValueMatcher(q.Value)
	root := b.h.Registry
	if m.num != nil {
		hex, err := b.hexTables()
		if err != nil {
			return err
		}
		m.hex = hex
	}
	want := func(table string) bool {
		return q.Table == "" || strings.EqualFold(q.Table, table) || table == "" && strings.EqualFold(q.Table, root)
	}
	blobs := map[record.Hash]*blobCover{}
	covered := map[int32]int8{} // 1 no, 2 yes
	blobInfo := func(f snapshots.File) (*blobCover, error) {
		if bc, ok := blobs[f.Hash]; ok {
			return bc, nil
		}
		ids, err := b.ix.fileLines(f)
		if err != nil {
			return nil, err
		}
		bc := &blobCover{cover: map[string][]int32{}}
		for _, id := range ids {
			r, err := b.record(id)
			if err != nil {
				return nil, fmt.Errorf("%s: %w", f.Path, err)
			}
			if !slices.Contains(bc.tables, r.Table) {
				bc.tables = append(bc.tables, r.Table)
			}
			c, ok := covered[id]
			if !ok {
				c = 1
				if want(r.Table) && m.covers(r) {
					c = 2
				}
				covered[id] = c
			}
			if c == 2 {
				bc.cover[r.Table] = append(bc.cover[r.Table], id)
			}
		}
		blobs[f.Hash] = bc
		return bc, nil
	}

	type state struct {
		present map[string]bool
		cover   map[string][]int32 // sorted ids, by table
		files   []snapshots.File
	}
	read := func(v record.Version) (*state, error) {
		files, err := b.ix.Files(v)
		if err != nil {
			return nil, err
		}
		st := &state{present: map[string]bool{}, cover: map[string][]int32{}, files: files}
		for _, f := range files {
			bc, err := blobInfo(f)
			if err != nil {
				return nil, fmt.Errorf("version %s: %w", v.Name, err)
			}
			for _, t := range bc.tables {
				st.present[t] = true
			}
			for t, ids := range bc.cover {
				st.cover[t] = append(st.cover[t], ids...)
			}
		}
		for _, ids := range st.cover {
			slices.Sort(ids)
		}
		return st, nil
	}
	// tableRecords returns every record of one table in a version, in file
	// order.
	tableRecords := func(st *state, table string) ([]record.Record, error) {
		var out []record.Record
		for _, f := range st.files {
			if bc := blobs[f.Hash]; bc == nil || !slices.Contains(bc.tables, table) {
				continue
			}
			ids, err := b.ix.fileLines(f)
			if err != nil {
				return nil, err
			}
			for _, id := range ids {
				if r := b.recs[id]; r.Table == table {
					out = append(out, *r)
				}
			}
		}
		return out, nil
	}

	open := map[string]int{} // table → index into periods of its open period
	var periods []Period
	ever := map[string]bool{}  // tables where some version covers the query
	known := map[string]bool{} // tables of any version
	var prev *state
	for i, v := range b.vs {
		if err := ctx.Err(); err != nil {
			return err
		}
		st, err := read(v)
		if err != nil {
			return err
		}
		for t := range st.cover {
			ever[t] = true
		}
		for t := range st.present {
			known[t] = true
		}
		if prev != nil {
			b.cur = i
			tables := map[string]bool{}
			for t := range st.cover {
				tables[t] = true
			}
			for t := range prev.cover {
				tables[t] = true
			}
			for _, t := range sortedTables(tables) {
				if slices.Equal(prev.cover[t], st.cover[t]) {
					continue
				}
				old, err := tableRecords(prev, t)
				if err != nil {
					return fmt.Errorf("version %s: %w", b.vs[i-1].Name, err)
				}
				cur, err := tableRecords(st, t)
				if err != nil {
					return fmt.Errorf("version %s: %w", v.Name, err)
				}
				res := b.compare(old, cur)
				res.Registry = b.h.Registry
				for k := range res.Changes {
					c := &res.Changes[k]
					if c.Old != nil && m.covers(c.Old) || c.New != nil && m.covers(c.New) {
						e := Event{Version: v.Name, Change: *c, at: i}
						e.key, e.oldKey = res.KeyJSON(c)
						b.h.Events = append(b.h.Events, e)
					}
				}
			}
		}
		// A table's period continues while the table is in the versions
		// and the value's status in it stays the same.
		for t := range st.present {
			if !want(t) {
				continue
			}
			recs := make([]record.Record, len(st.cover[t]))
			for k, id := range st.cover[t] {
				recs[k] = *b.recs[id]
			}
			status := valueStatus(recs)
			if k, ok := open[t]; ok && periods[k].last == i-1 && periods[k].Status == status {
				periods[k].last, periods[k].Records = i, recs
				continue
			}
			open[t] = len(periods)
			periods = append(periods, Period{Table: t, Status: status, Records: recs, first: i, last: i})
		}
		prev = st
	}
	// Only the sub-registries that cover the value at some time tell its
	// story.
	periods = slices.DeleteFunc(periods, func(p Period) bool { return !ever[p.Table] })
	slices.SortStableFunc(periods, func(x, y Period) int {
		if c := compareTables(x.Table, y.Table); c != 0 {
			return c
		}
		return x.first - y.first
	})
	if len(periods) == 0 {
		e := &ValueError{Value: q.Value, Table: q.Table, Registry: b.h.Registry, First: b.h.First, Last: b.h.Last}
		ids := slices.SortedFunc(maps.Keys(known), compareTables)
		if q.Table != "" && !want("") && !slices.ContainsFunc(ids, want) {
			e.NoTable = true
			e.Suggestions = Suggest(slices.DeleteFunc(ids, func(t string) bool { return t == "" }), q.Table)
		}
		return e
	}
	b.h.Periods = periods
	return nil
}

// valueStatus is the status the covering records give a value: the first,
// in [diff.CodeStatuses] order, that any has; Unlisted when none covers it.
func valueStatus(recs []record.Record) string {
	if len(recs) == 0 {
		return diff.CodeUnlisted
	}
	best := diff.CodeUnlisted
	for i := range recs {
		if s := diff.CodeStatus(&recs[i]); diff.CodeRank(s) < diff.CodeRank(best) {
			best = s
		}
	}
	return best
}

func sortedTables(set map[string]bool) []string {
	return slices.SortedFunc(maps.Keys(set), compareTables)
}

// compareTables orders sub-registry ids as people number them: the root
// first, then "tls-parameters-4" before "tls-parameters-10".
func compareTables(a, b string) int {
	for a != "" && b != "" {
		na, ra := splitDigits(a)
		nb, rb := splitDigits(b)
		if na != "" && nb != "" {
			x, _ := strconv.Atoi(na)
			y, _ := strconv.Atoi(nb)
			if x != y {
				return x - y
			}
			a, b = ra, rb
			continue
		}
		if a[0] != b[0] {
			return int(a[0]) - int(b[0])
		}
		a, b = a[1:], b[1:]
	}
	return len(a) - len(b)
}

// splitDigits splits a leading run of up to 9 digits off s.
func splitDigits(s string) (digits, rest string) {
	i := 0
	for i < len(s) && i < 9 && '0' <= s[i] && s[i] <= '9' {
		i++
	}
	return s[:i], s[i:]
}

// ValueError is the error of a value query that no record of any version
// covers.
type ValueError struct {
	Value, Table string
	Registry     string
	First, Last  string
	// NoTable is true when no version has the sub-registry Table;
	// Suggestions are then close sub-registry ids.
	NoTable     bool
	Suggestions []string
}

func (e *ValueError) Error() string {
	if e.NoTable {
		return fmt.Sprintf("%v: no version of %s (%s … %s) has a sub-registry %q", ErrNoSuchValue, e.Registry, e.First, e.Last, e.Table)
	}
	where := e.Registry
	if e.Table != "" {
		where += "#" + e.Table
	}
	return fmt.Sprintf("%v: no record of any version of %s (%s … %s) covers %q", ErrNoSuchValue, where, e.First, e.Last, e.Value)
}

// Hint tells what to try instead.
func (e *ValueError) Hint() string {
	if e.NoTable && len(e.Suggestions) > 0 {
		return "did you mean " + e.Registry + "#" + strings.Join(e.Suggestions, ", "+e.Registry+"#") + "?"
	}
	if e.Table != "" {
		return "query the whole registry (--registry " + e.Registry + "), which tells every sub-registry that covers it"
	}
	return "write the value as the registry does (6, 0x0A, 0x13,0x01, a name), or check the registry id with `regdiff registries`"
}

func (e *ValueError) Unwrap() error { return ErrNoSuchValue }

// tableLabel shows a table: "tls-parameters-4", or the registry's id for
// its root.
func (h *History) tableLabel(t string) string {
	if t == "" {
		return h.Registry
	}
	return t
}

func (h *History) tableTitle(t string) string {
	label := h.tableLabel(t)
	if title := strings.TrimSpace(h.Titles[t]); title != "" && !strings.EqualFold(title, label) {
		return label + " (" + title + ")"
	}
	return label
}

// valueVerdicts are a value query's opening lines: one per sub-registry
// whose period holds the newest version,
//
//	tls-parameters-4 (TLS Cipher Suites): 0x13,0x01 Assigned since 2018-03-20 — TLS_AES_128_GCM_SHA256, 212 versions
//
// or one line telling where the value was last covered.
func (h *History) valueVerdicts() []string {
	var out []string
	var last *Period
	for i := range h.Periods {
		p := &h.Periods[i]
		if p.Status != diff.CodeUnlisted && (last == nil || p.last > last.last) {
			last = p
		}
		if p.first >= h.hi || p.last < h.hi-1 {
			continue
		}
		details := valueLabels(h.Query, p)
		details = append(details, plural(p.Versions, "version"))
		out = append(out, fmt.Sprintf("%s: %s %s %s — %s", h.tableTitle(p.Table), h.Query.Value, p.Status, h.since(p), strings.Join(details, ", ")))
	}
	if len(out) > 0 || h.Versions == 0 {
		return out
	}
	newest := "the newest version"
	if h.windowed() {
		newest += " in the window"
	}
	if last == nil {
		return []string{fmt.Sprintf("%s: covered by no record of %s (%s)", h.Query.Value, newest, h.To)}
	}
	return []string{fmt.Sprintf("%s: in no sub-registry of %s (%s); last %s in %s in %s",
		h.Query.Value, newest, h.To, last.Status, h.tableLabel(last.Table), last.To)}
}

// valueLabels names the records that give a value period its status: a
// name (or, for a record without one, its description), and "in range
// 0x0003-0xfeff" for a record whose key is other than the query.
func valueLabels(q Query, p *Period) []string {
	var labels []string
	for i := range p.Records {
		r := &p.Records[i]
		if diff.CodeStatus(r) != p.Status {
			continue
		}
		var parts []string
		switch {
		case r.Name != "":
			parts = append(parts, r.Name)
		case r.Description != "" && !equalFold(record.Collapse(r.Description), q.Value):
			parts = append(parts, truncateQuery(record.Collapse(r.Description)))
		}
		if n := record.Collapse(r.Number); n != "" && !equalFold(n, q.Value) {
			if t, ok := parseTuple(n); ok && slices.ContainsFunc(t, func(s span) bool { return s.lo < s.hi }) {
				parts = append(parts, "in range "+n)
			} else {
				parts = append(parts, "at "+n)
			}
		}
		if l := strings.Join(parts, " "); l != "" && !slices.Contains(labels, l) {
			labels = append(labels, l)
		}
	}
	if len(labels) > maxLabels {
		labels = append(labels[:maxLabels], fmt.Sprintf("and %d more", len(labels)-maxLabels))
	}
	return labels
}

// hexTables finds, from the newest version, the tables whose keys are hex
// without "0x" ([hexTable]).
func (b *builder) hexTables() (map[string]bool, error) {
	files, err := b.ix.Files(b.vs[len(b.vs)-1])
	if err != nil {
		return nil, err
	}
	keys := map[string][]string{}
	for _, f := range files {
		ids, err := b.ix.fileLines(f)
		if err != nil {
			return nil, err
		}
		for _, id := range ids {
			r, err := b.record(id)
			if err != nil {
				return nil, fmt.Errorf("%s: %w", f.Path, err)
			}
			if r.Number != "" {
				keys[r.Table] = append(keys[r.Table], r.Number)
			}
		}
	}
	hex := map[string]bool{}
	for t, ks := range keys {
		if hexTable(ks) {
			hex[t] = true
		}
	}
	return hex, nil
}

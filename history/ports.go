package history

import (
	"cmp"
	"context"
	"fmt"
	"slices"

	"github.com/regdiff/regdiff/diff"
	"github.com/regdiff/regdiff/snapshots"
	"github.com/regdiff/regdiff/snapshots/record"
)

// A port's status depends only on the records of the files
// snapshots.FilesCovering names, so a port query reads those files only,
// and does work for a version only when one of their blobs differs from
// the previous version's.

// lineInfo is what a port query needs of one line, computed once.
type lineInfo struct {
	known     bool
	covers    bool // top-level table, on a transport the query asks about
	transport int  // index into diff.Transports, or -1 for every transport
	status    diff.Status
}

// ports builds the history of a port or range query.
func (b *builder) ports(ctx context.Context) error {
	q := b.h.Query
	paths := snapshots.FilesCovering(q.Lo, q.Hi)
	transports := q.transports()
	b.cover = map[record.Hash][]int32{}
	cur := make([][]diff.Segment, len(transports))
	open := make([]int, len(transports)) // index into periods[t]
	periods := make([][]Period, len(transports))
	hashesAt := make([][]record.Hash, len(b.vs))
	var prev []record.Hash
	picked := make([]record.Hash, len(paths))
	for i, v := range b.vs {
		if err := ctx.Err(); err != nil {
			return err
		}
		if err := b.ix.pick(v, paths, picked); err != nil {
			return err
		}
		if i == 0 || !slices.Equal(picked, prev) {
			hashes := slices.Clone(picked)
			lists := make([][]int32, len(paths))
			for j, p := range paths {
				var err error
				if lists[j], err = b.covering(p, hashes[j]); err != nil {
					return fmt.Errorf("version %s: %w", v.Name, err)
				}
			}
			if i > 0 {
				b.cur = i
				if err := b.portEvents(v.Name, paths, prev, hashes); err != nil {
					return fmt.Errorf("version %s: %w", v.Name, err)
				}
			}
			for t, proto := range transports {
				segs := b.segments(proto, lists)
				if i > 0 && slices.Equal(segs, cur[t]) {
					continue
				}
				cur[t], open[t] = segs, len(periods[t])
				periods[t] = append(periods[t], newPeriod(proto, segs, i))
			}
			prev = hashes
		}
		hashesAt[i] = prev
		for t := range transports {
			periods[t][open[t]].last = i
		}
	}
	// Each period lists the covering records of its last version.
	for t, proto := range transports {
		for k := range periods[t] {
			p := &periods[t][k]
			recs, err := b.coveringRecords(paths, hashesAt[p.last], proto)
			if err != nil {
				return err
			}
			p.Records = recs
		}
		b.h.Periods = append(b.h.Periods, periods[t]...)
	}
	return nil
}

// pick puts in out the hashes of the files at paths, the zero hash for a
// file the version lacks.
func pick(files []snapshots.File, paths []string, out []record.Hash) {
	clear(out)
	for _, f := range files {
		if i := slices.Index(paths, f.Path); i >= 0 {
			out[i] = f.Hash
		}
	}
}

// lineInfo decodes line id once and tells whether and how it covers ports
// of the query.
func (b *builder) lineInfo(id int32) (lineInfo, error) {
	if int(id) < len(b.info) && b.info[id].known {
		return b.info[id], nil
	}
	r, err := b.record(id)
	if err != nil {
		return lineInfo{}, err
	}
	q := b.h.Query
	li := lineInfo{known: true, transport: -1, status: diff.RecordStatus(r)}
	if r.Protocol != "" {
		li.transport = slices.Index(diff.Transports, r.Protocol)
	}
	li.covers = r.Table == "" && (r.Protocol == "" || li.transport >= 0) && (q.Protocol == "" || r.Protocol == "" || r.Protocol == q.Protocol)
	if int(id) >= len(b.info) {
		b.info = slices.Grow(b.info, len(b.ix.lines)-len(b.info))[:len(b.ix.lines)]
	}
	b.info[id] = li
	return li, nil
}

// covering returns the ids of a file's lines that cover a port of the
// query, in file order, once per blob. For a file the index holds as a
// delta that touches none of those lines, that is its base's answer: most
// files change ports other than the query's. Order matters: records with
// the same key are paired by it.
func (b *builder) covering(p string, h record.Hash) ([]int32, error) {
	if ids, ok := b.cover[h]; ok || h.IsZero() {
		return ids, nil
	}
	if d, ok := b.ix.lineDelta(h); ok {
		base, err := b.covering(p, b.ix.blobs[h].base)
		if err != nil {
			return nil, err
		}
		touched := slices.ContainsFunc(d.del, func(id int32) bool { return slices.Contains(base, id) })
		for k := 0; !touched && k < len(d.ins); k++ {
			if touched, err = b.covers(p, d.ins[k].id); err != nil {
				return nil, err
			}
		}
		if !touched {
			b.cover[h] = base
			return base, nil
		}
	}
	ids, err := b.ix.fileLines(snapshots.File{Path: p, Hash: h})
	if err != nil {
		return nil, err
	}
	var out []int32
	for _, id := range ids {
		covers, err := b.covers(p, id)
		if err != nil {
			return nil, err
		}
		if covers {
			out = append(out, id)
		}
	}
	b.cover[h] = out
	return out, nil
}

// covers tells whether line id of file p covers a port of the query.
func (b *builder) covers(p string, id int32) (bool, error) {
	q := b.h.Query
	if l := &b.ix.lines[id]; l.lo < 0 || int(l.lo) > q.Hi || int(l.hi) < q.Lo {
		return false, nil
	}
	li, err := b.lineInfo(id)
	if err != nil {
		return false, fmt.Errorf("%s: %w", p, err)
	}
	return li.covers, nil
}

// coveringRecords returns the records of the files that cover a port of
// the query on proto ("" for any), in normalized order.
func (b *builder) coveringRecords(paths []string, hashes []record.Hash, proto string) ([]record.Record, error) {
	var ids []int32
	for j, p := range paths {
		cov, err := b.covering(p, hashes[j])
		if err != nil {
			return nil, err
		}
		for _, id := range cov {
			if r := b.recs[id]; proto == "" || r.Protocol == "" || r.Protocol == proto {
				ids = append(ids, id)
			}
		}
	}
	// The order of record.Compare, with the numbers already parsed.
	slices.SortStableFunc(ids, func(x, y int32) int {
		lx, ly := &b.ix.lines[x], &b.ix.lines[y]
		return cmp.Or(cmp.Compare(lx.lo, ly.lo), cmp.Compare(lx.hi, ly.hi), record.Compare(b.recs[x], b.recs[y]))
	})
	out := make([]record.Record, len(ids))
	for i, id := range ids {
		out[i] = *b.recs[id]
	}
	return out, nil
}

// portEvents adds the changes to covering records between two versions. A
// record's file is decided by its number, so comparing file by file finds
// the same changes as comparing everything: matching is by key and renames
// keep the number. The changes are then put in the diff's order.
func (b *builder) portEvents(version string, paths []string, old, new []record.Hash) error {
	var cs []diff.Change
	for j, p := range paths {
		// Both files have been through covering. When they hold the same
		// covering lines in the same order (most new versions change other
		// ports of the file), there is nothing to compare.
		if old[j] == new[j] || slices.Equal(b.cover[old[j]], b.cover[new[j]]) {
			continue
		}
		o, err := b.coveringRecords([]string{p}, old[j:j+1], "")
		if err != nil {
			return err
		}
		n, err := b.coveringRecords([]string{p}, new[j:j+1], "")
		if err != nil {
			return err
		}
		cs = append(cs, b.compare(o, n).Changes...)
	}
	sortChanges(cs)
	b.addEvents(version, cs)
	return nil
}

// sortChanges orders changes as diff.Compare does: by record, then kind.
func sortChanges(cs []diff.Change) {
	rec := func(c *diff.Change) *record.Record {
		if c.New != nil {
			return c.New
		}
		return c.Old
	}
	slices.SortStableFunc(cs, func(a, b diff.Change) int {
		return cmp.Or(record.Compare(rec(&a), rec(&b)),
			cmp.Compare(slices.Index(diff.Kinds, a.Kind), slices.Index(diff.Kinds, b.Kind)),
			cmp.Compare(a.OldKey.Name, b.OldKey.Name))
	})
}

// single is a record covering one port of the query.
type single struct {
	port   int
	status diff.Status
}

// bestOf combines two statuses by precedence; 0 is no status.
func bestOf(a, b diff.Status) diff.Status {
	if a == 0 || b != 0 && b < a {
		return b
	}
	return a
}

// segments computes the status of the query's ports on proto from the
// covering lines, with the rule of package diff: a port takes the first of
// Assigned, Deregistered, Reserved and Unassigned that a covering record
// has, and is Unassigned when none has one. Single-port records (most of
// them) are merged in port order; only the few ranges need a sweep.
func (b *builder) segments(proto string, lists [][]int32) []diff.Segment {
	q := b.h.Query
	t := slices.Index(diff.Transports, proto)
	var singles []single
	var spans []diff.Segment
	for _, ids := range lists {
		for _, id := range ids {
			li := b.info[id]
			if li.status == 0 || li.transport >= 0 && li.transport != t {
				continue
			}
			l := &b.ix.lines[id]
			lo, hi := max(int(l.lo), q.Lo), min(int(l.hi), q.Hi)
			if lo == hi {
				singles = append(singles, single{lo, li.status})
			} else {
				spans = append(spans, diff.Segment{Lo: lo, Hi: hi, Status: li.status})
			}
		}
	}
	if !slices.IsSortedFunc(singles, func(a, b single) int { return a.port - b.port }) {
		slices.SortStableFunc(singles, func(a, b single) int { return a.port - b.port })
	}
	var out []diff.Segment
	emit := func(lo, hi int, st diff.Status) {
		if lo > hi {
			return
		}
		if st == 0 {
			st = diff.Unassigned
		}
		if n := len(out); n > 0 && out[n-1].Status == st && out[n-1].Hi == lo-1 {
			out[n-1].Hi = hi
			return
		}
		out = append(out, diff.Segment{Lo: lo, Hi: hi, Status: st})
	}
	k := 0
	for _, rs := range sweep(spans, q.Lo, q.Hi) {
		pos := rs.Lo
		for k < len(singles) && singles[k].port <= rs.Hi {
			p, st := singles[k].port, singles[k].status
			for k++; k < len(singles) && singles[k].port == p; k++ {
				st = bestOf(st, singles[k].status)
			}
			emit(pos, p-1, rs.Status)
			emit(p, p, bestOf(rs.Status, st))
			pos = p + 1
		}
		emit(pos, rs.Hi, rs.Status)
	}
	return out
}

// sweep turns spans into segments covering lo..hi, each with the best
// status of the spans over it, or 0 where none.
func sweep(spans []diff.Segment, lo, hi int) []diff.Segment {
	type edge struct {
		pos   int
		delta int
		st    diff.Status
	}
	edges := make([]edge, 0, 2*len(spans))
	for _, s := range spans {
		edges = append(edges, edge{s.Lo, 1, s.Status}, edge{s.Hi + 1, -1, s.Status})
	}
	slices.SortFunc(edges, func(a, b edge) int { return a.pos - b.pos })
	var count [diff.Unassigned + 1]int
	current := func() diff.Status {
		for st := diff.Assigned; st <= diff.Unassigned; st++ {
			if count[st] > 0 {
				return st
			}
		}
		return 0
	}
	var out []diff.Segment
	pos, e := lo, 0
	for pos <= hi {
		for e < len(edges) && edges[e].pos <= pos {
			count[edges[e].st] += edges[e].delta
			e++
		}
		next := hi + 1
		if e < len(edges) {
			next = min(next, edges[e].pos)
		}
		out = append(out, diff.Segment{Lo: pos, Hi: next - 1, Status: current()})
		pos = next
	}
	return out
}

func newPeriod(proto string, segs []diff.Segment, i int) Period {
	p := Period{Protocol: proto, first: i, last: i}
	if len(segs) == 1 {
		p.Status = segs[0].Status.String()
		return p
	}
	p.Status = Mixed
	for _, s := range segs {
		p.Parts = append(p.Parts, Part{Ports: portsText(s.Lo, s.Hi), Status: s.Status.String()})
	}
	return p
}

func portsText(lo, hi int) string {
	return Query{Lo: lo, Hi: hi}.Ports()
}

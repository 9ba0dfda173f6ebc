package diff

import (
	"cmp"
	"fmt"
	"slices"
	"strconv"
	"strings"

	"github.com/regdiff/regdiff/snapshots/record"
)

// Status is a port's status in one version; see the package documentation
// for the rule. The values are in precedence order: when covering records
// disagree, the smallest wins.
type Status uint8

// Port statuses. The zero value is no status (a record that does not
// decide a port).
const (
	Assigned Status = iota + 1
	Deregistered
	Reserved
	Unassigned
)

var statusNames = [...]string{"", "Assigned", "Deregistered", "Reserved", "Unassigned"}

func (s Status) String() string {
	if int(s) < len(statusNames) {
		return statusNames[s]
	}
	return "Status(" + strconv.Itoa(int(s)) + ")"
}

// MarshalText writes the status's name.
func (s Status) MarshalText() ([]byte, error) { return []byte(s.String()), nil }

// ParseStatus parses a status name, ignoring case ("reserved", "De-registered").
func ParseStatus(s string) (Status, error) {
	n := strings.ToLower(strings.ReplaceAll(strings.TrimSpace(s), "-", ""))
	for i, name := range statusNames[1:] {
		if n == strings.ToLower(name) {
			return Status(i + 1), nil
		}
	}
	return 0, fmt.Errorf("unknown port status %q (want Assigned, Deregistered, Reserved or Unassigned)", s)
}

// Transports are the transports ports have a status on, in output order.
var Transports = []string{"tcp", "udp", "sctp", "dccp"}

// MaxPort is the highest port number.
const MaxPort = 65535

var deregisteredPrefixes = []string{"de-registered", "deregistered", "removed", "decommissioned", "deprecated"}

// RecordStatus is the status one covering record gives its ports, or 0 when
// the record decides nothing (no name and a description that names no
// status).
func RecordStatus(r *record.Record) Status {
	d := r.Description
	if d != "" && d[0] > ' ' && !strings.ContainsRune("dDrRuU", rune(d[0])) {
		// Fast path: no status word can start here.
		if r.Name != "" {
			return Assigned
		}
		return 0
	}
	switch {
	case hasPrefixFold(d, deregisteredPrefixes...):
		return Deregistered
	case r.Name != "":
		return Assigned
	case hasPrefixFold(d, "reserved"):
		return Reserved
	case hasPrefixFold(d, "unassigned"):
		return Unassigned
	}
	return 0
}

func hasPrefixFold(s string, prefixes ...string) bool {
	s = record.Collapse(s) // leading ASCII white space only: a no-break space is text
	for _, p := range prefixes {
		if len(s) >= len(p) && strings.EqualFold(s[:len(p)], p) {
			return true
		}
	}
	return false
}

// Segment is a run of consecutive ports with the same status.
type Segment struct {
	Lo, Hi int
	Status Status
}

// Statuses is the status of every port of every transport in one version.
type Statuses struct {
	recs []record.Record
	by   [4]transportStatus
}

type transportStatus struct {
	segs  []Segment // cover 0..MaxPort without gaps, adjacent ones differ
	cover []span    // records covering some port of this transport, by lo
}

// span is one record's range on one transport.
type span struct {
	lo, hi int32
	status Status
	index  int32 // into recs
}

func transportIndex(proto string) int {
	switch proto {
	case "tcp":
		return 0
	case "udp":
		return 1
	case "sctp":
		return 2
	case "dccp":
		return 3
	}
	return -1
}

// PortStatuses computes the status of every port from a version's records.
func PortStatuses(recs []record.Record) *Statuses {
	return portStatuses(recs, nil)
}

// windows are, per transport, sorted disjoint port ranges.
type windows [4][]PortRange

// meets reports whether lo..hi meets one of the ranges of transport t.
// hint remembers where the last lookup ended, so that records in port
// order are looked up by a short forward scan.
func (w *windows) meets(t, lo, hi int, hint *[4]int) bool {
	rs := w[t]
	k := hint[t]
	if k > 0 && rs[k-1].Hi >= lo {
		k = -1 // went backwards
	}
	for steps := 0; k >= 0 && k < len(rs) && rs[k].Hi < lo; steps++ {
		if steps == 8 {
			k = -1 // far ahead
			break
		}
		k++
	}
	if k < 0 {
		k, _ = slices.BinarySearchFunc(rs, lo, func(r PortRange, p int) int { return cmp.Compare(r.Hi, p) })
	}
	hint[t] = k
	return k < len(rs) && rs[k].Lo <= hi
}

// portStatuses is PortStatuses over only the records that meet the
// windows (all records when w is nil). Inside the windows the statuses are
// exact; outside they come from a subset of the records, which Compare
// uses only where that subset is the same in both versions.
func portStatuses(recs []record.Record, w *windows) *Statuses {
	s := &Statuses{recs: recs}
	var hint [4]int
	for i := range recs {
		r := &recs[i]
		t := transportIndex(r.Protocol)
		if t < 0 && r.Protocol != "" {
			continue
		}
		lo, hi, ok := r.Range()
		if !ok || lo > MaxPort {
			continue
		}
		hi = min(hi, MaxPort)
		sp := span{lo: int32(lo), hi: int32(hi), index: int32(i)}
		if t >= 0 {
			if w == nil || w.meets(t, lo, hi, &hint) {
				sp.status = RecordStatus(r)
				s.by[t].cover = append(s.by[t].cover, sp)
			}
			continue
		}
		decided := false
		for t := range s.by {
			if w == nil || w.meets(t, lo, hi, &hint) {
				if !decided {
					sp.status, decided = RecordStatus(r), true
				}
				s.by[t].cover = append(s.by[t].cover, sp)
			}
		}
	}
	for t := range s.by {
		ts := &s.by[t]
		if !slices.IsSortedFunc(ts.cover, cmpSpan) {
			slices.SortStableFunc(ts.cover, cmpSpan)
		}
		ts.segs = sweep(ts.cover)
	}
	return s
}

// changedWindows returns the ports, per transport, covered by a record
// that was added, removed or changed: the only ports whose status can
// differ, since every other port's covering records are matched pairs
// with equal names and descriptions.
func changedWindows(cs []Change) *windows {
	var w windows
	for _, c := range cs {
		for _, r := range []*record.Record{c.Old, c.New} {
			if r == nil {
				continue
			}
			t := transportIndex(r.Protocol)
			if t < 0 && r.Protocol != "" {
				continue
			}
			lo, hi, ok := r.Range()
			if !ok || lo > MaxPort {
				continue
			}
			pr := PortRange{lo, min(hi, MaxPort)}
			if t >= 0 {
				w[t] = append(w[t], pr)
				continue
			}
			for t := range w {
				w[t] = append(w[t], pr)
			}
		}
	}
	for t := range w {
		rs := w[t]
		slices.SortFunc(rs, func(a, b PortRange) int { return cmp.Compare(a.Lo, b.Lo) })
		merged := rs[:0]
		for _, r := range rs {
			if n := len(merged); n > 0 && r.Lo <= merged[n-1].Hi+1 {
				merged[n-1].Hi = max(merged[n-1].Hi, r.Hi)
				continue
			}
			merged = append(merged, r)
		}
		w[t] = merged
	}
	return &w
}

func cmpSpan(a, b span) int { return cmp.Compare(a.lo, b.lo) }

// sweep turns spans sorted by lo into segments: at each boundary it counts
// the open spans of each status, and the port takes the first status with a
// count above zero.
func sweep(spans []span) []Segment {
	// ends holds hi+1 of every deciding span, with the status in the low
	// bits; sorted, it is consumed alongside the spans.
	ends := make([]int32, 0, len(spans))
	for _, sp := range spans {
		if sp.status != 0 {
			ends = append(ends, (sp.hi+1)<<3|int32(sp.status))
		}
	}
	if !slices.IsSorted(ends) {
		slices.Sort(ends)
	}
	var count [5]int
	segs := make([]Segment, 0, 64)
	emit := func(lo, hi int, st Status) {
		if lo > hi {
			return
		}
		if n := len(segs); n > 0 && segs[n-1].Status == st && segs[n-1].Hi == lo-1 {
			segs[n-1].Hi = hi
			return
		}
		segs = append(segs, Segment{Lo: lo, Hi: hi, Status: st})
	}
	current := func() Status {
		for st := Assigned; st <= Unassigned; st++ {
			if count[st] > 0 {
				return st
			}
		}
		return Unassigned
	}
	pos, i, e := 0, 0, 0
	for pos <= MaxPort {
		// Apply every event at pos.
		for e < len(ends) && int(ends[e]>>3) == pos {
			count[ends[e]&7]--
			e++
		}
		for i < len(spans) && int(spans[i].lo) == pos {
			if spans[i].status != 0 {
				count[spans[i].status]++
			}
			i++
		}
		next := MaxPort + 1
		if e < len(ends) {
			next = min(next, int(ends[e]>>3))
		}
		if i < len(spans) {
			next = min(next, int(spans[i].lo))
		}
		emit(pos, next-1, current())
		pos = next
	}
	return segs
}

// Segments returns the statuses of a transport's ports as runs covering
// 0–65535, or nil for a transport other than tcp, udp, sctp and dccp.
func (s *Statuses) Segments(proto string) []Segment {
	t := transportIndex(proto)
	if t < 0 {
		return nil
	}
	return s.by[t].segs
}

// Transition is a run of consecutive ports on one transport whose status
// changed the same way.
type Transition struct {
	Protocol string
	Ports    string // "1000-1002", or "22"
	From, To Status
	Lo, Hi   int // the run, as numbers
}

// Count is the number of ports in the run.
func (t Transition) Count() int { return t.Hi - t.Lo + 1 }

func portsText(lo, hi int) string {
	if lo == hi {
		return strconv.Itoa(lo)
	}
	return strconv.Itoa(lo) + "-" + strconv.Itoa(hi)
}

// Transitions lists every port whose status differs from a to b, as
// maximal runs, ordered by transport and port.
func Transitions(a, b *Statuses) []Transition {
	out := []Transition{}
	for t, proto := range Transports {
		as, bs := a.by[t].segs, b.by[t].segs
		i, j, pos := 0, 0, 0
		for i < len(as) && j < len(bs) {
			hi := min(as[i].Hi, bs[j].Hi)
			if from, to := as[i].Status, bs[j].Status; from != to {
				n := len(out)
				if n > 0 && out[n-1].Protocol == proto && out[n-1].From == from && out[n-1].To == to && out[n-1].Hi == pos-1 {
					out[n-1].Hi = hi
				} else {
					out = append(out, Transition{Protocol: proto, From: from, To: to, Lo: pos, Hi: hi})
				}
			}
			pos = hi + 1
			if as[i].Hi == hi {
				i++
			}
			if bs[j].Hi == hi {
				j++
			}
		}
	}
	for k := range out {
		out[k].Ports = portsText(out[k].Lo, out[k].Hi)
	}
	return out
}

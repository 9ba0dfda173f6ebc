package diff

import (
	"fmt"
	"path"
	"slices"
	"strings"

	"github.com/regdiff/regdiff/snapshots/record"
)

// Filter narrows a Result. A change is kept when it meets every criterion
// set; an unset one (nil or "") lets everything through. Transitions are
// selected by Ports, Protocols and Statuses alone, and all dropped when
// Name is set. Whatever is combined, a kept change never lacks a reason
// to be there, and no transition is kept without the changes that made
// it, unless Kinds or Name leave those changes out. The changes outside the
// records (items and people) have no port, protocol, name or status: any of
// those criteria drops them, and Kinds keeps those of its kinds.
type Filter struct {
	// Ports keeps changes whose old or new record's number range meets one
	// of the ranges, and the part of each transition inside them.
	Ports []PortRange
	// Protocols keeps changes whose old or new record has one of these
	// protocols, or no protocol but a number (a record that covers every
	// transport), and the transitions on these transports. Lower case;
	// [ParseProtocols] accepts only tcp, udp, sctp and dccp.
	Protocols []string
	// Name is a path.Match pattern matched, ignoring case, against the
	// old and the new name of a change. Transitions have no name and are
	// dropped when Name is set (they still count for Statuses).
	Name string
	// Kinds keeps changes of these kinds (Added, Removed, ...). Transitions
	// are not changes: Kinds leaves them as they are.
	Kinds []string
	// Statuses keeps the transitions from or to one of these statuses
	// (within Ports and Protocols: the selected transitions), and the
	// changes that have to do with them: those whose old or new record
	// has one of the statuses ([RecordStatus]), and those whose old or new
	// record covers a port of a selected transition on that transition's
	// transport (a record without a protocol covers every transport), such
	// as an Assigned record whose removal made a port Reserved.
	Statuses []Status
}

// PortRange is an inclusive range of ports.
type PortRange struct{ Lo, Hi int }

func (p PortRange) String() string { return portsText(p.Lo, p.Hi) }

// ParsePorts parses a comma-separated list of ports and ranges:
// "22", "0-1023", "80,443,8000-8999".
func ParsePorts(s string) ([]PortRange, error) {
	var out []PortRange
	for _, part := range strings.Split(s, ",") {
		part = strings.TrimSpace(part)
		lo, hi, ok := record.ParseRange(part)
		if !ok || part == "" || strings.Contains(part, "+") {
			return nil, fmt.Errorf("invalid port range %q: want a port or range like 22 or 0-1023", part)
		}
		if hi > MaxPort {
			return nil, fmt.Errorf("invalid port range %q: ports go up to %d", part, MaxPort)
		}
		out = append(out, PortRange{lo, hi})
	}
	return out, nil
}

// ParseKinds parses a comma-separated list of kinds of change.
func ParseKinds(s string) ([]string, error) {
	var out []string
	for _, k := range strings.Split(s, ",") {
		k = strings.ToLower(strings.TrimSpace(k))
		if !slices.Contains(Kinds, k) {
			return nil, fmt.Errorf("unknown kind of change %q (want %s)", k, strings.Join(Kinds, ", "))
		}
		out = append(out, k)
	}
	return out, nil
}

// ParseStatuses parses a comma-separated list of statuses.
func ParseStatuses(s string) ([]Status, error) {
	var out []Status
	for _, part := range strings.Split(s, ",") {
		st, err := ParseStatus(part)
		if err != nil {
			return nil, err
		}
		out = append(out, st)
	}
	return out, nil
}

// ParseProtocols parses a comma-separated list of transports, ignoring
// case: tcp, udp, sctp, dccp.
func ParseProtocols(s string) ([]string, error) {
	var out []string
	for _, p := range strings.Split(s, ",") {
		p = strings.ToLower(strings.TrimSpace(p))
		if p == "" {
			return nil, fmt.Errorf("empty protocol in %q", s)
		}
		if !slices.Contains(Transports, p) {
			return nil, fmt.Errorf("unknown protocol %q (want %s)", p, strings.Join(Transports, ", "))
		}
		out = append(out, p)
	}
	return out, nil
}

// Validate reports a malformed name pattern.
func (f Filter) Validate() error {
	if f.Name != "" {
		if _, err := path.Match(f.Name, ""); err != nil {
			return fmt.Errorf("invalid name pattern %q: %w", f.Name, err)
		}
	}
	return nil
}

// IsZero reports whether the filter lets everything through.
func (f Filter) IsZero() bool {
	return f.Ports == nil && f.Protocols == nil && f.Name == "" && f.Kinds == nil && f.Statuses == nil
}

// Filter returns a copy of r with only the changes and transitions that f
// keeps, and the summary recounted. r is not modified.
func (r *Result) Filter(f Filter) *Result {
	out := *r
	// The selected transitions, which Statuses relates changes to.
	sel := []Transition{}
	for _, t := range r.Transitions {
		if f.Protocols != nil && !slices.Contains(f.Protocols, strings.ToLower(t.Protocol)) {
			continue
		}
		if f.Statuses != nil && !slices.Contains(f.Statuses, t.From) && !slices.Contains(f.Statuses, t.To) {
			continue
		}
		if f.Ports == nil {
			sel = append(sel, t)
			continue
		}
		sel = append(sel, clip(t, f.Ports)...)
	}
	var w *windows
	if f.Statuses != nil {
		w = transitionWindows(sel)
	}
	out.Changes = []Change{}
	for i := range r.Changes {
		if f.keepChange(&r.Changes[i], w) {
			out.Changes = append(out.Changes, r.Changes[i])
		}
	}
	out.Summary = summarize(out.Changes)
	out.Transitions = sel
	if f.Name != "" {
		out.Transitions = []Transition{}
	}
	// Items and people have no port, protocol, name or status: a filter on
	// those drops them, and --kind keeps those of its kinds.
	out.Items, out.People = nil, nil
	if f.Ports == nil && f.Protocols == nil && f.Name == "" && f.Statuses == nil {
		for _, c := range r.Items {
			if f.Kinds == nil || slices.Contains(f.Kinds, c.Kind) {
				out.Items = append(out.Items, c)
			}
		}
		for _, c := range r.People {
			if f.Kinds == nil || slices.Contains(f.Kinds, c.Kind) {
				out.People = append(out.People, c)
			}
		}
	}
	out.Summary.Items, out.Summary.People = len(out.Items), len(out.People)
	return &out
}

// transitionWindows returns the ports of the transitions, per transport,
// as sorted disjoint ranges.
func transitionWindows(ts []Transition) *windows {
	var w windows
	for _, t := range ts {
		k := transportIndex(t.Protocol)
		if k < 0 {
			continue
		}
		w[k] = append(w[k], PortRange{t.Lo, t.Hi})
	}
	for k := range w {
		rs := w[k]
		slices.SortFunc(rs, func(a, b PortRange) int { return a.Lo - b.Lo })
		merged := rs[:0]
		for _, r := range rs {
			if n := len(merged); n > 0 && r.Lo <= merged[n-1].Hi+1 {
				merged[n-1].Hi = max(merged[n-1].Hi, r.Hi)
				continue
			}
			merged = append(merged, r)
		}
		w[k] = merged
	}
	return &w
}

// covers reports whether r covers a port of the windows on one of their
// transports: on its own protocol's, or on any when it has no protocol.
func (w *windows) covers(r *record.Record) bool {
	lo, hi, ok := r.Range()
	if !ok || lo > MaxPort {
		return false
	}
	hi = min(hi, MaxPort)
	var hint [4]int
	if r.Protocol == "" {
		for k := range w {
			if w.meets(k, lo, hi, &hint) {
				return true
			}
		}
		return false
	}
	k := transportIndex(r.Protocol)
	return k >= 0 && w.meets(k, lo, hi, &hint)
}

// clip returns the parts of t inside the ranges, in port order, merged
// where ranges overlap or touch.
func clip(t Transition, ranges []PortRange) []Transition {
	rs := slices.Clone(ranges)
	slices.SortFunc(rs, func(a, b PortRange) int { return a.Lo - b.Lo })
	var out []Transition
	for _, r := range rs {
		lo, hi := max(t.Lo, r.Lo), min(t.Hi, r.Hi)
		if lo > hi {
			continue
		}
		if n := len(out); n > 0 && out[n-1].Hi >= lo-1 {
			out[n-1].Hi = max(out[n-1].Hi, hi)
			continue
		}
		c := t
		c.Lo, c.Hi = lo, hi
		out = append(out, c)
	}
	for i := range out {
		out[i].Ports = portsText(out[i].Lo, out[i].Hi)
	}
	return out
}

// keepChange reports whether f keeps c; w holds the ports of the selected
// transitions when Statuses is set.
func (f Filter) keepChange(c *Change, w *windows) bool {
	if f.Kinds != nil && !slices.Contains(f.Kinds, c.Kind) {
		return false
	}
	recs := make([]*record.Record, 0, 2)
	for _, r := range []*record.Record{c.Old, c.New} {
		if r != nil {
			recs = append(recs, r)
		}
	}
	if f.Name != "" && !slices.ContainsFunc(recs, func(r *record.Record) bool {
		ok, _ := path.Match(strings.ToLower(f.Name), strings.ToLower(r.Name))
		return ok
	}) {
		return false
	}
	if f.Protocols != nil && !slices.ContainsFunc(recs, func(r *record.Record) bool {
		if r.Protocol == "" {
			_, _, ok := r.Range()
			return ok
		}
		return slices.Contains(f.Protocols, strings.ToLower(r.Protocol))
	}) {
		return false
	}
	if f.Ports != nil && !slices.ContainsFunc(recs, func(r *record.Record) bool {
		lo, hi, ok := r.Range()
		return ok && slices.ContainsFunc(f.Ports, func(p PortRange) bool { return lo <= p.Hi && p.Lo <= hi })
	}) {
		return false
	}
	if f.Statuses != nil && !slices.ContainsFunc(recs, func(r *record.Record) bool {
		return slices.Contains(f.Statuses, RecordStatus(r)) || w.covers(r)
	}) {
		return false
	}
	return true
}

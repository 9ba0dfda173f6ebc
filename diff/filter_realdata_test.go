package diff

import (
	"fmt"
	"path"
	"slices"
	"strings"
	"testing"

	"github.com/regdiff/regdiff/internal/realstore"
	"github.com/regdiff/regdiff/snapshots"
	"github.com/regdiff/regdiff/snapshots/record"
)

// This file checks Result.Filter on the real store against a simple
// computation written from the documented rule, port by port, without the
// filter's own helpers: for each pair of versions, each status and a set
// of other criteria, the changes and transitions kept must be exactly the
// ones the rule names. It also checks what the rule promises: every port
// of a kept transition is covered, on its transport, by the old or new
// record of a kept change (unless Kinds or Name leave changes out), and
// every kept change has the status or covers a port of a selected
// transition.

func naiveStatusOf(r *record.Record) Status {
	if r == nil {
		return 0
	}
	return naiveRecordStatus(naiveEntry{name: r.Name, desc: r.Description})
}

// naiveFilter is the documented rule, computed port by port.
func naiveFilter(res *Result, f Filter) (changes []string, transitions []string, selected []Transition) {
	inPorts := func(p int) bool {
		if f.Ports == nil {
			return true
		}
		for _, r := range f.Ports {
			if r.Lo <= p && p <= r.Hi {
				return true
			}
		}
		return false
	}
	// Selected transitions: status and protocol, then each port in Ports,
	// as runs.
	for _, t := range res.Transitions {
		if f.Protocols != nil && !slices.Contains(f.Protocols, t.Protocol) {
			continue
		}
		if f.Statuses != nil && !slices.Contains(f.Statuses, t.From) && !slices.Contains(f.Statuses, t.To) {
			continue
		}
		for p := t.Lo; p <= t.Hi; p++ {
			if !inPorts(p) {
				continue
			}
			if n := len(selected); n > 0 && selected[n-1].Protocol == t.Protocol && selected[n-1].Hi == p-1 &&
				selected[n-1].From == t.From && selected[n-1].To == t.To {
				selected[n-1].Hi = p
				continue
			}
			selected = append(selected, Transition{Protocol: t.Protocol, From: t.From, To: t.To, Lo: p, Hi: p})
		}
	}
	for i := range selected {
		selected[i].Ports = fmt.Sprint(selected[i].Lo)
		if selected[i].Hi != selected[i].Lo {
			selected[i].Ports += fmt.Sprintf("-%d", selected[i].Hi)
		}
	}
	if f.Name == "" {
		transitions = transitionsText(selected)
	} else {
		transitions = []string{}
	}
	changes = []string{}
	for _, c := range res.Changes {
		recs := []*record.Record{c.Old, c.New}
		either := func(ok func(r *record.Record) bool) bool {
			return (c.Old != nil && ok(c.Old)) || (c.New != nil && ok(c.New))
		}
		if f.Kinds != nil && !slices.Contains(f.Kinds, c.Kind) {
			continue
		}
		if f.Name != "" && !either(func(r *record.Record) bool {
			ok, _ := path.Match(strings.ToLower(f.Name), strings.ToLower(r.Name))
			return ok
		}) {
			continue
		}
		if f.Protocols != nil && !either(func(r *record.Record) bool {
			_, _, numbered := naiveRange(r.Number)
			return slices.Contains(f.Protocols, r.Protocol) || (r.Protocol == "" && numbered)
		}) {
			continue
		}
		if f.Ports != nil && !either(func(r *record.Record) bool {
			lo, hi, ok := naiveRange(r.Number)
			if !ok {
				return false
			}
			for _, pr := range f.Ports {
				if lo <= pr.Hi && pr.Lo <= hi {
					return true
				}
			}
			return false
		}) {
			continue
		}
		if f.Statuses != nil {
			related := false
			for _, r := range recs {
				if r != nil && slices.Contains(f.Statuses, naiveStatusOf(r)) {
					related = true
				}
			}
			for _, t := range selected {
				for _, r := range recs {
					if related || r == nil || (r.Protocol != "" && r.Protocol != t.Protocol) {
						continue
					}
					if lo, hi, ok := naiveRange(r.Number); ok && lo <= t.Hi && t.Lo <= hi {
						related = true
					}
				}
			}
			if !related {
				continue
			}
		}
		changes = append(changes, describe(c))
	}
	return changes, transitions, selected
}

// checkFiltered compares res.Filter(f) with the naive rule and checks its
// promises; it returns the first problem, or "".
func checkFiltered(res *Result, f Filter) string {
	got := res.Filter(f)
	wantChanges, wantTransitions, selected := naiveFilter(res, f)
	if c := describeAll(got); !slices.Equal(c, wantChanges) {
		return fmt.Sprintf("changes: got %d, want %d; only got %q; only wanted %q",
			len(c), len(wantChanges), head(difference(c, wantChanges)), head(difference(wantChanges, c)))
	}
	if tr := transitionsText(got.Transitions); !slices.Equal(tr, wantTransitions) {
		return fmt.Sprintf("transitions: got %q, want %q", head(tr), head(wantTransitions))
	}
	if got.Summary != summarize(got.Changes) {
		return fmt.Sprintf("summary %+v does not count the changes kept", got.Summary)
	}
	// Every port of a kept transition is explained by a kept change.
	if f.Kinds == nil && f.Name == "" {
		var covered naivePorts
		for _, c := range got.Changes {
			covered.mark(c.Old)
			covered.mark(c.New)
		}
		for _, t := range got.Transitions {
			for p := t.Lo; p <= t.Hi; p++ {
				if !covered.has(t.Protocol, p) {
					return fmt.Sprintf("transition %s %s %v→%v kept, but no kept change covers port %d", t.Protocol, t.Ports, t.From, t.To, p)
				}
			}
		}
	}
	// No kept change is unrelated to the statuses asked for.
	if f.Statuses != nil {
		var sel naivePorts
		for _, t := range selected {
			for p := t.Lo; p <= t.Hi; p++ {
				sel.set(t.Protocol, p)
			}
		}
		for _, c := range got.Changes {
			if !slices.Contains(f.Statuses, naiveStatusOf(c.Old)) && !slices.Contains(f.Statuses, naiveStatusOf(c.New)) &&
				!sel.meets(c.Old) && !sel.meets(c.New) {
				return fmt.Sprintf("change %s kept, unrelated to %v", describe(c), f.Statuses)
			}
		}
	}
	return ""
}

// naivePorts is a set of ports per transport.
type naivePorts map[string]*[65536]bool

func (ps *naivePorts) set(proto string, p int) {
	if *ps == nil {
		*ps = naivePorts{}
	}
	if (*ps)[proto] == nil {
		(*ps)[proto] = new([65536]bool)
	}
	(*ps)[proto][p] = true
}

func (ps naivePorts) has(proto string, p int) bool { return ps[proto] != nil && ps[proto][p] }

// mark adds the ports r covers: on its protocol, or on every transport.
func (ps *naivePorts) mark(r *record.Record) {
	if r == nil {
		return
	}
	lo, hi, ok := naiveRange(r.Number)
	for p := lo; ok && p <= min(hi, 65535); p++ {
		for _, tr := range Transports {
			if r.Protocol == "" || r.Protocol == tr {
				ps.set(tr, p)
			}
		}
	}
}

// meets reports whether r covers a port of the set.
func (ps naivePorts) meets(r *record.Record) bool {
	if r == nil {
		return false
	}
	lo, hi, ok := naiveRange(r.Number)
	for p := lo; ok && p <= min(hi, 65535); p++ {
		for _, tr := range Transports {
			if (r.Protocol == "" || r.Protocol == tr) && ps.has(tr, p) {
				return true
			}
		}
	}
	return false
}

// realFilters are the filters checked on each pair: every status alone,
// and each combined with the other criteria.
func realFilters() []Filter {
	var out []Filter
	for _, st := range []Status{Assigned, Deregistered, Reserved, Unassigned} {
		s := []Status{st}
		out = append(out,
			Filter{Statuses: s},
			Filter{Statuses: s, Protocols: []string{"tcp"}},
			Filter{Statuses: s, Protocols: []string{"udp", "sctp"}},
			Filter{Statuses: s, Ports: []PortRange{{0, 1023}}},
			Filter{Statuses: s, Ports: []PortRange{{1000, 1100}, {5000, 5999}, {40000, 65535}}, Protocols: []string{"dccp", "tcp"}},
			Filter{Statuses: s, Kinds: []string{Removed}},
			Filter{Statuses: s, Kinds: []string{Added, Renamed}, Ports: []PortRange{{1024, 49151}}},
			Filter{Statuses: s, Name: "*a*"},
		)
	}
	out = append(out, Filter{Statuses: []Status{Reserved, Unassigned}}, Filter{Statuses: []Status{Assigned, Deregistered}, Protocols: []string{"udp"}})
	return out
}

func TestFilterRealData(t *testing.T) {
	dir, _ := realstore.Store(t)
	s, err := snapshots.Open(dir)
	if err != nil {
		t.Fatal(err)
	}
	vs, err := s.Versions("service-names-port-numbers")
	if err != nil {
		t.Fatal(err)
	}
	var pairs [][2]record.Version
	for i := 1; i < len(vs); i++ {
		pairs = append(pairs, [2]record.Version{vs[i-1], vs[i]})
	}
	last2019 := 0
	for i, v := range vs {
		if strings.HasPrefix(v.Date, "2019") {
			last2019 = i
		}
	}
	latest := len(vs) - 1
	pairs = append(pairs,
		[2]record.Version{vs[last2019], vs[latest]}, // regdiff 2019 2024
		[2]record.Version{vs[latest], vs[last2019]}, // reversed
		[2]record.Version{vs[0], vs[latest]},
		[2]record.Version{vs[0], vs[last2019]},
	)
	filters := realFilters()
	checked, transitions, explained := 0, 0, 0
	for _, p := range pairs {
		old, new, err := s.RecordsDiffering(p[0], p[1])
		if err != nil {
			t.Fatal(err)
		}
		res := Compare(old, new)
		transitions += len(res.Transitions)
		for _, f := range filters {
			if msg := checkFiltered(res, f); msg != "" {
				t.Errorf("%s → %s, %+v: %s", p[0].Name, p[1].Name, f, msg)
				continue
			}
			if f.Statuses != nil && f.Kinds == nil && f.Name == "" {
				explained += len(res.Filter(f).Transitions)
			}
			checked++
		}
	}
	if transitions == 0 || explained == 0 {
		t.Fatalf("the real pairs gave %d transitions, %d kept by the filters: nothing was checked", transitions, explained)
	}
	t.Logf("%d filtered results of %d pairs checked; %d transitions, %d kept ones explained", checked, len(pairs), transitions, explained)
}

package diff

import (
	"slices"
	"strings"
	"testing"

	"github.com/regdiff/regdiff/snapshots/record"
)

// filterFixture has one change of each kind, on several transports and
// ports, and transitions on tcp and udp.
func filterFixture() *Result {
	old := []record.Record{
		rec("", "", "1000-1010", "Unassigned"),
		rec("echo", "tcp", "7", "Echo"),
		rec("http", "tcp", "80", "WWW"),
		rec("gone", "udp", "2000", "Gone"),
		rec("oldname", "tcp", "3000", "Svc"),
		rec("nameonly", "", "", "No port"),
	}
	new := []record.Record{
		rec("", "", "1000-1010", "Unassigned"),
		rec("echo", "tcp", "7", "Echo"),
		rec("http", "tcp", "80", "World Wide Web"),
		rec("svc", "tcp", "1005", "New service"),
		rec("", "udp", "2000", "Reserved"),
		rec("NewName", "tcp", "3000", "Svc"),
		rec("", "", "1-5", "Reserved"),
	}
	return Compare(old, new)
}

func TestFilter(t *testing.T) {
	all := filterFixture()
	tests := []struct {
		name        string
		f           Filter
		changes     []string
		transitions []string
	}{
		{"zero filter keeps all", Filter{}, describeAll(all), transitionsText(all.Transitions)},
		{"port range", Filter{Ports: []PortRange{{0, 999}}},
			[]string{"added 1-5", "changed http 80/tcp [description]"},
			[]string{"tcp 1-5 Unassigned→Reserved", "udp 1-5 Unassigned→Reserved", "sctp 1-5 Unassigned→Reserved", "dccp 1-5 Unassigned→Reserved"}},
		{"port range clips transitions", Filter{Ports: []PortRange{{3, 1005}}},
			[]string{"added 1-5", "changed http 80/tcp [description]", "added svc 1005/tcp"},
			[]string{"tcp 3-5 Unassigned→Reserved", "tcp 1005 Unassigned→Assigned", "udp 3-5 Unassigned→Reserved", "sctp 3-5 Unassigned→Reserved", "dccp 3-5 Unassigned→Reserved"}},
		{"several port ranges merge when touching", Filter{Ports: []PortRange{{4, 5}, {1, 3}}},
			[]string{"added 1-5"},
			[]string{"tcp 1-5 Unassigned→Reserved", "udp 1-5 Unassigned→Reserved", "sctp 1-5 Unassigned→Reserved", "dccp 1-5 Unassigned→Reserved"}},
		{"protocol", Filter{Protocols: []string{"udp"}},
			[]string{"added 1-5", "added 2000/udp", "removed gone 2000/udp"},
			[]string{"udp 1-5 Unassigned→Reserved", "udp 2000 Assigned→Reserved"}},
		{"protocol keeps name-only records out", Filter{Protocols: []string{"tcp"}},
			[]string{"added 1-5", "changed http 80/tcp [description]", "added svc 1005/tcp", "renamed oldname→NewName 3000/tcp []"},
			[]string{"tcp 1-5 Unassigned→Reserved", "tcp 1005 Unassigned→Assigned"}},
		{"name glob ignores case", Filter{Name: "NEW*"},
			[]string{"renamed oldname→NewName 3000/tcp []"}, []string{}},
		{"name glob matches the old name", Filter{Name: "old?ame"},
			[]string{"renamed oldname→NewName 3000/tcp []"}, []string{}},
		{"name glob on name-only record", Filter{Name: "name*"},
			[]string{"removed nameonly"}, []string{}},
		{"kind", Filter{Kinds: []string{Added, Renamed}},
			[]string{"added 1-5", "added svc 1005/tcp", "added 2000/udp", "renamed oldname→NewName 3000/tcp []"},
			transitionsText(all.Transitions)},
		{"status keeps the record whose removal made a transition", Filter{Statuses: []Status{Reserved}},
			// gone 2000/udp is Assigned, but its removal made 2000/udp Reserved.
			[]string{"added 1-5", "added 2000/udp", "removed gone 2000/udp"},
			[]string{"tcp 1-5 Unassigned→Reserved", "udp 1-5 Unassigned→Reserved", "udp 2000 Assigned→Reserved", "sctp 1-5 Unassigned→Reserved", "dccp 1-5 Unassigned→Reserved"}},
		{"status from", Filter{Statuses: []Status{Assigned}},
			// 2000/udp Reserved is not Assigned, but its addition took 2000/udp from Assigned.
			[]string{"changed http 80/tcp [description]", "added svc 1005/tcp", "added 2000/udp", "removed gone 2000/udp", "renamed oldname→NewName 3000/tcp []", "removed nameonly"},
			[]string{"tcp 1005 Unassigned→Assigned", "udp 2000 Assigned→Reserved"}},
		{"status and protocol", Filter{Statuses: []Status{Reserved}, Protocols: []string{"tcp"}},
			[]string{"added 1-5"},
			[]string{"tcp 1-5 Unassigned→Reserved"}},
		{"status and port", Filter{Statuses: []Status{Reserved}, Ports: []PortRange{{2000, 2000}}},
			[]string{"added 2000/udp", "removed gone 2000/udp"},
			[]string{"udp 2000 Assigned→Reserved"}},
		{"status and port: a covering record counts only for the transitions kept", Filter{Statuses: []Status{Reserved}, Ports: []PortRange{{4, 1010}}},
			// 1-5 is kept, as a Reserved record, though the transitions kept are 4-5.
			[]string{"added 1-5"},
			[]string{"tcp 4-5 Unassigned→Reserved", "udp 4-5 Unassigned→Reserved", "sctp 4-5 Unassigned→Reserved", "dccp 4-5 Unassigned→Reserved"}},
		{"status and name: transitions not shown still explain", Filter{Statuses: []Status{Reserved}, Name: "gone"},
			[]string{"removed gone 2000/udp"}, []string{}},
		{"status and name: nothing related", Filter{Statuses: []Status{Reserved}, Name: "svc"},
			[]string{}, []string{}},
		{"status and kind", Filter{Statuses: []Status{Reserved}, Kinds: []string{Removed}},
			[]string{"removed gone 2000/udp"},
			[]string{"tcp 1-5 Unassigned→Reserved", "udp 1-5 Unassigned→Reserved", "udp 2000 Assigned→Reserved", "sctp 1-5 Unassigned→Reserved", "dccp 1-5 Unassigned→Reserved"}},
		{"criteria combine", Filter{Ports: []PortRange{{2000, 2000}}, Statuses: []Status{Reserved}, Kinds: []string{Added}},
			[]string{"added 2000/udp"},
			[]string{"udp 2000 Assigned→Reserved"}},
		{"nothing matches", Filter{Ports: []PortRange{{60000, 60000}}}, []string{}, []string{}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := all.Filter(tt.f)
			if c := describeAll(got); !slices.Equal(c, tt.changes) {
				t.Errorf("changes: got\n  %s\nwant\n  %s", strings.Join(c, "\n  "), strings.Join(tt.changes, "\n  "))
			}
			if tr := transitionsText(got.Transitions); !slices.Equal(tr, tt.transitions) {
				t.Errorf("transitions: got\n  %s\nwant\n  %s", strings.Join(tr, "\n  "), strings.Join(tt.transitions, "\n  "))
			}
			if got.Summary != summarize(got.Changes) {
				t.Errorf("summary %+v does not count the changes kept", got.Summary)
			}
		})
	}
	t.Run("original untouched", func(t *testing.T) {
		again := filterFixture()
		if !slices.Equal(describeAll(all), describeAll(again)) || all.Summary != again.Summary {
			t.Errorf("Filter modified its receiver")
		}
	})
}

// TestFilterStatusSplit is the case of issue 10: an Unassigned range
// removed and split into a Reserved port and smaller Unassigned ranges.
// --status Reserved keeps the removed range, which made the transition,
// as well as the Reserved record added.
func TestFilterStatusSplit(t *testing.T) {
	old := []record.Record{rec("", "", "100-110", "Unassigned"), rec("x", "tcp", "200", "X")}
	new := []record.Record{
		rec("", "", "100-104", "Unassigned"), rec("", "tcp", "105", "Reserved"), rec("", "", "106-110", "Unassigned"),
		rec("x", "tcp", "200", "X"), rec("", "udp", "300", "Reserved"),
	}
	all := Compare(old, new)
	tests := []struct {
		name        string
		f           Filter
		changes     []string
		transitions []string
	}{
		{"Reserved", Filter{Statuses: []Status{Reserved}},
			// The Unassigned ranges added decide no port of a kept
			// transition: left out.
			[]string{"removed 100-110", "added 105/tcp", "added 300/udp"},
			[]string{"tcp 105 Unassigned→Reserved", "udp 300 Unassigned→Reserved"}},
		{"Reserved on udp", Filter{Statuses: []Status{Reserved}, Protocols: []string{"udp"}},
			// 105/udp stays Unassigned: the split made no udp transition.
			[]string{"added 300/udp"},
			[]string{"udp 300 Unassigned→Reserved"}},
		{"Assigned: nothing", Filter{Statuses: []Status{Assigned}}, []string{}, []string{}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := all.Filter(tt.f)
			if c := describeAll(got); !slices.Equal(c, tt.changes) {
				t.Errorf("changes: got\n  %s\nwant\n  %s", strings.Join(c, "\n  "), strings.Join(tt.changes, "\n  "))
			}
			if tr := transitionsText(got.Transitions); !slices.Equal(tr, tt.transitions) {
				t.Errorf("transitions: got\n  %s\nwant\n  %s", strings.Join(tr, "\n  "), strings.Join(tt.transitions, "\n  "))
			}
		})
	}
}

func TestParsePorts(t *testing.T) {
	tests := []struct {
		in   string
		want string // FormatPorts of the result, or "error"
	}{
		{"22", "22"},
		{"0-1023", "0-1023"},
		{"80,443, 8000-8999", "80,443,8000-8999"},
		{" 1 - 2 ", "1-2"},
		{"65535", "65535"},
		{"65536", "error"},
		{"0-65536", "error"},
		{"10-5", "error"},
		{"", "error"},
		{"80,", "error"},
		{"-1", "error"},
		{"+1", "error"},
		{"http", "error"},
	}
	for _, tt := range tests {
		t.Run(tt.in, func(t *testing.T) {
			rs, err := ParsePorts(tt.in)
			got := formatPorts(rs)
			if err != nil {
				got = "error"
			}
			if got != tt.want {
				t.Errorf("got %q (%v), want %q", got, err, tt.want)
			}
		})
	}
}

func TestParseLists(t *testing.T) {
	tests := []struct {
		name string
		run  func() (any, error)
		want string // fmt of the result, or "error"
	}{
		{"kinds", func() (any, error) { return ParseKinds("added, Changed") }, "[added changed]"},
		{"bad kind", func() (any, error) { return ParseKinds("added,moved") }, "error"},
		{"statuses", func() (any, error) { return ParseStatuses("reserved,Assigned") }, "[Reserved Assigned]"},
		{"bad status", func() (any, error) { return ParseStatuses("free") }, "error"},
		{"protocols", func() (any, error) { return ParseProtocols("TCP,udp") }, "[tcp udp]"},
		{"empty protocol", func() (any, error) { return ParseProtocols("tcp,") }, "error"},
		{"every transport", func() (any, error) { return ParseProtocols("tcp,UDP, sctp,dccp") }, "[tcp udp sctp dccp]"},
		{"unknown protocol", func() (any, error) { return ParseProtocols("tpc") }, "error"},
		{"protocol that is no transport", func() (any, error) { return ParseProtocols("tcp,ddp") }, "error"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			v, err := tt.run()
			got := "error"
			if err == nil {
				got = strings.TrimSpace(strings.ReplaceAll(sprint(v), "\n", " "))
			}
			if got != tt.want {
				t.Errorf("got %s (%v), want %s", got, err, tt.want)
			}
		})
	}
	t.Run("bad glob", func(t *testing.T) {
		if err := (Filter{Name: "[a"}).Validate(); err == nil {
			t.Errorf("got no error for a malformed pattern")
		}
	})
}

// FuzzParsePorts checks that whatever ParsePorts accepts formats back to
// text that parses to the same ranges, all within 0–65535.
func FuzzParsePorts(f *testing.F) {
	for _, s := range []string{"22", "0-1023", "80,443,8000-8999", " 1 - 2 ", "65536", "1-", "-", ",", "007"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		rs, err := ParsePorts(s)
		if err != nil {
			return
		}
		for _, r := range rs {
			if r.Lo < 0 || r.Hi > MaxPort || r.Lo > r.Hi {
				t.Fatalf("ParsePorts(%q) gave out-of-range %v", s, r)
			}
		}
		text := formatPorts(rs)
		again, err := ParsePorts(text)
		if err != nil || !slices.Equal(again, rs) {
			t.Fatalf("ParsePorts(%q) = %v, formatted %q, parsed again %v, %v", s, rs, text, again, err)
		}
	})
}

// formatPorts is the inverse of ParsePorts, for its round trip.
func formatPorts(rs []PortRange) string {
	parts := make([]string, len(rs))
	for i, r := range rs {
		parts[i] = r.String()
	}
	return strings.Join(parts, ",")
}

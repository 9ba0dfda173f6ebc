package diff

import (
	"fmt"
	"math/rand"
	"slices"
	"strconv"
	"strings"
	"testing"

	"github.com/regdiff/regdiff/snapshots/record"
)

func TestRecordStatus(t *testing.T) {
	tests := []struct {
		name string
		rec  record.Record
		want Status
	}{
		{"named", rec("ssh", "tcp", "22", "SSH"), Assigned},
		{"named without description", rec("ssh", "tcp", "22", ""), Assigned},
		{"named reserved text", rec("x", "tcp", "1", "Reserved for a future enhancement"), Assigned},
		{"reserved", rec("", "tcp", "0", "Reserved"), Reserved},
		{"unassigned", rec("", "", "1-5", "Unassigned"), Unassigned},
		{"unassigned lower case", rec("", "tcp", "1", "unassigned"), Unassigned},
		{"unassigned with note", rec("", "tcp", "1", "Unassigned [was netstat]"), Unassigned},
		{"de-registered", rec("", "tcp", "1", "De-registered"), Deregistered},
		{"De-Registered named", rec("x", "tcp", "1", "De-Registered (2019-01-01)"), Deregistered},
		{"deregistered", rec("x", "tcp", "1", "Deregistered"), Deregistered},
		{"removed", rec("", "tcp", "1", "Removed"), Deregistered},
		{"decommissioned", rec("", "tcp", "1", "Decommissioned Port"), Deregistered},
		{"deprecated upper case", rec("x", "tcp", "1", "DEPRECATED"), Deregistered},
		{"misspelt decommissioned", rec("", "tcp", "1", "Decomissioned Port 04/14/00, ms"), 0},
		{"unnamed other text", rec("", "tcp", "24", "any private mail system"), 0},
		{"unnamed IANA Reserved", rec("", "tcp", "1", "IANA Reserved"), 0},
		{"unnamed empty", rec("", "tcp", "1", ""), 0},
		{"status word not at start", rec("", "tcp", "1", "(unassigned) Possibly assigned"), 0},
		{"leading ASCII white space", rec("", "tcp", "1", " \t\fReserved"), Reserved},
		{"leading no-break space is text", rec("", "tcp", "1", " \u00a0Reserved"), 0},
		{"no-break space before a deregistered word", rec("x", "tcp", "1", " \u00a0Removed"), Assigned},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := RecordStatus(&tt.rec); got != tt.want {
				t.Errorf("got %v, want %v", got, tt.want)
			}
		})
	}
}

// probe is one port lookup and its expected answer.
type probe struct {
	proto string
	port  int
	want  Status
	cover []int // indexes of covering records
}

func TestPortStatuses(t *testing.T) {
	tests := []struct {
		name   string
		recs   []record.Record
		probes []probe
	}{
		{"no records", nil, []probe{
			{"tcp", 0, Unassigned, nil}, {"dccp", 65535, Unassigned, nil},
		}},
		{"range and a specific record", []record.Record{
			rec("", "", "1000-1010", "Unassigned"),
			rec("svc", "tcp", "1005", "S"),
		}, []probe{
			{"tcp", 1005, Assigned, []int{0, 1}},
			{"udp", 1005, Unassigned, []int{0}},
			{"tcp", 1004, Unassigned, []int{0}},
			{"tcp", 1006, Unassigned, []int{0}},
		}},
		{"record without protocol covers every transport", []record.Record{
			rec("", "", "0", "Reserved"),
		}, []probe{
			{"tcp", 0, Reserved, []int{0}}, {"udp", 0, Reserved, []int{0}},
			{"sctp", 0, Reserved, []int{0}}, {"dccp", 0, Reserved, []int{0}},
			{"tcp", 1, Unassigned, nil},
		}},
		{"named record without protocol", []record.Record{
			rec("x", "", "7", "X"),
		}, []probe{{"sctp", 7, Assigned, []int{0}}}},
		{"deregistered beats reserved", []record.Record{
			rec("", "", "100-200", "Reserved"),
			rec("old", "tcp", "150", "De-registered"),
		}, []probe{{"tcp", 150, Deregistered, []int{0, 1}}, {"udp", 150, Reserved, []int{0}}}},
		{"assigned beats deregistered", []record.Record{
			rec("old", "tcp", "150", "Removed"),
			rec("new", "tcp", "150", "New"),
		}, []probe{{"tcp", 150, Assigned, []int{0, 1}}}},
		{"reserved beats unassigned", []record.Record{
			rec("", "", "1-10", "Unassigned"),
			rec("", "", "5-15", "Reserved"),
		}, []probe{{"tcp", 4, Unassigned, []int{0}}, {"tcp", 5, Reserved, []int{0, 1}}, {"tcp", 15, Reserved, []int{1}}, {"tcp", 16, Unassigned, nil}}},
		{"record without status decides nothing", []record.Record{
			rec("", "tcp", "24", "any private mail system"),
			rec("", "udp", "24", "any private mail system"),
			rec("", "", "24", "Reserved"),
		}, []probe{{"tcp", 24, Reserved, []int{0, 2}}, {"sctp", 24, Reserved, []int{2}}}},
		{"only a record without status", []record.Record{
			rec("", "tcp", "24", "any private mail system"),
		}, []probe{{"tcp", 24, Unassigned, []int{0}}}},
		{"other protocols and bad numbers ignored", []record.Record{
			rec("x", "ddp", "5", "X"),
			rec("y", "tcp", "abc", "Y"),
			rec("z", "tcp", "", "Z"),
		}, []probe{{"tcp", 5, Unassigned, nil}}},
		{"range beyond the last port is clipped", []record.Record{
			rec("", "", "65530-70000", "Reserved"),
			rec("", "", "70001", "Reserved"),
		}, []probe{{"tcp", 65535, Reserved, []int{0}}, {"tcp", 65529, Unassigned, nil}}},
		{"unsorted records", []record.Record{
			rec("b", "tcp", "9", "B"),
			rec("", "", "1-20", "Unassigned"),
			rec("a", "tcp", "2", "A"),
		}, []probe{{"tcp", 9, Assigned, []int{0, 1}}, {"tcp", 2, Assigned, []int{1, 2}}, {"tcp", 3, Unassigned, []int{1}}}},
		{"unknown transport", []record.Record{rec("x", "", "1", "X")}, []probe{{"ddp", 1, 0, nil}}},
		{"port out of range", nil, []probe{{"tcp", 65536, 0, nil}, {"tcp", -1, 0, nil}}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			s := PortStatuses(tt.recs)
			for _, p := range tt.probes {
				got, cover := s.Of(p.proto, p.port)
				if got != p.want || !slices.Equal(cover, p.cover) {
					t.Errorf("%s %d: got %v %v, want %v %v", p.proto, p.port, got, cover, p.want, p.cover)
				}
			}
			for _, proto := range Transports {
				checkSegments(t, proto, s.Segments(proto))
			}
		})
	}
}

// checkSegments checks that segments cover 0–65535 in order, without gaps,
// with adjacent segments differing.
func checkSegments(t *testing.T, proto string, segs []Segment) {
	t.Helper()
	next := 0
	for i, sg := range segs {
		if sg.Lo != next || sg.Hi < sg.Lo || (i > 0 && segs[i-1].Status == sg.Status) || sg.Status == 0 {
			t.Fatalf("%s: bad segment %d %+v in %v", proto, i, sg, segs)
		}
		next = sg.Hi + 1
	}
	if next != MaxPort+1 {
		t.Fatalf("%s: segments end at %d", proto, next-1)
	}
}

func transitionsText(ts []Transition) []string {
	out := []string{}
	for _, t := range ts {
		out = append(out, fmt.Sprintf("%s %s %v→%v", t.Protocol, t.Ports, t.From, t.To))
	}
	return out
}

func TestTransitions(t *testing.T) {
	svc := func(name, proto, number string) record.Record { return rec(name, proto, number, name) }
	tests := []struct {
		name     string
		old, new []record.Record
		want     []string
	}{
		{"none", []record.Record{svc("a", "tcp", "1")}, []record.Record{svc("a", "tcp", "1")}, []string{}},
		{"consecutive ports compress", nil,
			[]record.Record{svc("a", "tcp", "1000"), svc("b", "tcp", "1001"), svc("c", "tcp", "1002")},
			[]string{"tcp 1000-1002 Unassigned→Assigned"}},
		{"gap splits", nil,
			[]record.Record{svc("a", "tcp", "1000"), svc("c", "tcp", "1002")},
			[]string{"tcp 1000 Unassigned→Assigned", "tcp 1002 Unassigned→Assigned"}},
		{"different new status splits", nil,
			[]record.Record{svc("a", "tcp", "1000"), rec("", "tcp", "1001", "Reserved")},
			[]string{"tcp 1000 Unassigned→Assigned", "tcp 1001 Unassigned→Reserved"}},
		{"different old status splits",
			[]record.Record{rec("", "tcp", "1000", "Reserved")},
			[]record.Record{svc("a", "tcp", "1000-1001")},
			[]string{"tcp 1000 Reserved→Assigned", "tcp 1001 Unassigned→Assigned"}},
		{"transport order then port", nil,
			[]record.Record{svc("d", "dccp", "1"), svc("s", "sctp", "2"), svc("u", "udp", "3"), svc("t", "tcp", "4")},
			[]string{"tcp 4 Unassigned→Assigned", "udp 3 Unassigned→Assigned", "sctp 2 Unassigned→Assigned", "dccp 1 Unassigned→Assigned"}},
		{"record without protocol changes every transport",
			[]record.Record{rec("", "", "0-9", "Unassigned"), svc("a", "tcp", "20")},
			[]record.Record{rec("", "", "0-9", "Reserved"), svc("a", "tcp", "20")},
			[]string{"tcp 0-9 Unassigned→Reserved", "udp 0-9 Unassigned→Reserved", "sctp 0-9 Unassigned→Reserved", "dccp 0-9 Unassigned→Reserved"}},
		{"last port", nil, []record.Record{rec("", "tcp", "65535", "Reserved")}, []string{"tcp 65535 Unassigned→Reserved"}},
		{"whole range", nil, []record.Record{rec("", "udp", "0-65535", "Reserved")}, []string{"udp 0-65535 Unassigned→Reserved"}},
		{"specific record inside a changed range",
			[]record.Record{rec("", "", "100-110", "Unassigned"), svc("a", "tcp", "105")},
			[]record.Record{rec("", "", "100-110", "Reserved"), svc("a", "tcp", "105")},
			[]string{"tcp 100-104 Unassigned→Reserved", "tcp 106-110 Unassigned→Reserved",
				"udp 100-110 Unassigned→Reserved", "sctp 100-110 Unassigned→Reserved", "dccp 100-110 Unassigned→Reserved"}},
		{"deregistration", []record.Record{svc("a", "tcp", "7")}, []record.Record{rec("a", "tcp", "7", "Deprecated")},
			[]string{"tcp 7 Assigned→Deregistered"}},
		{"unassigned record to no record is no transition",
			[]record.Record{rec("", "tcp", "5", "Unassigned"), svc("x", "tcp", "6")},
			[]record.Record{svc("x", "tcp", "6")}, []string{}},
		{"no protocol anywhere: no transitions",
			[]record.Record{rec("ICMP", "", "1", "x")}, []record.Record{rec("ICMP2", "", "1", "y")}, []string{}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := transitionsText(Compare(tt.old, tt.new).Transitions)
			if !slices.Equal(got, tt.want) {
				t.Errorf("got\n  %s\nwant\n  %s", strings.Join(got, "\n  "), strings.Join(tt.want, "\n  "))
			}
		})
	}
}

func TestParseStatus(t *testing.T) {
	tests := []struct {
		in   string
		want Status
		ok   bool
	}{
		{"Reserved", Reserved, true}, {"reserved", Reserved, true}, {" ASSIGNED ", Assigned, true},
		{"De-registered", Deregistered, true}, {"deregistered", Deregistered, true}, {"Unassigned", Unassigned, true},
		{"", 0, false}, {"free", 0, false},
	}
	for _, tt := range tests {
		t.Run(tt.in, func(t *testing.T) {
			got, err := ParseStatus(tt.in)
			if got != tt.want || (err == nil) != tt.ok {
				t.Errorf("got %v, %v; want %v, ok %v", got, err, tt.want, tt.ok)
			}
		})
	}
}

// TestTransitionsWindowed checks, on random record sets in random order,
// that Compare's transitions (statuses computed only where records changed)
// equal those of full port statuses of both versions.
func TestTransitionsWindowed(t *testing.T) {
	rng := rand.New(rand.NewSource(1))
	descs := []string{"Unassigned", "Reserved", "De-registered", "Svc", "any private use", ""}
	protos := []string{"tcp", "udp", "sctp", "dccp", "", "ddp"}
	random := func(n int) []record.Record {
		var recs []record.Record
		for range n {
			lo := rng.Intn(200) * 300
			number := strconv.Itoa(lo)
			if rng.Intn(4) == 0 {
				number += "-" + strconv.Itoa(lo+rng.Intn(2000))
			}
			name := ""
			if rng.Intn(2) == 0 {
				name = "s" + strconv.Itoa(rng.Intn(5))
			}
			recs = append(recs, rec(name, protos[rng.Intn(len(protos))], number, descs[rng.Intn(len(descs))]))
		}
		return recs
	}
	for i := range 300 {
		old := random(rng.Intn(40))
		new := slices.Clone(old)
		rng.Shuffle(len(new), func(a, b int) { new[a], new[b] = new[b], new[a] })
		for k := range new {
			if rng.Intn(5) == 0 {
				new[k] = random(1)[0]
			}
		}
		new = append(new, random(rng.Intn(5))...)
		old = append(old, rec("anchor", "tcp", "1", "x")) // a port registry
		got := transitionsText(Compare(old, new).Transitions)
		want := transitionsText(Transitions(PortStatuses(old), PortStatuses(new)))
		if !slices.Equal(got, want) {
			t.Fatalf("case %d: got\n  %s\nwant\n  %s", i, strings.Join(got, "\n  "), strings.Join(want, "\n  "))
		}
	}
}

// Of returns, for the tests, a port's status on a transport and the indexes (into the
// records PortStatuses was given) of the records covering it, in record order.
// It returns 0 and nil for an unknown transport or a port out of range.
func (s *Statuses) Of(proto string, port int) (Status, []int) {
	t := transportIndex(proto)
	if t < 0 || port < 0 || port > MaxPort {
		return 0, nil
	}
	ts := &s.by[t]
	k, _ := slices.BinarySearchFunc(ts.segs, port, func(sg Segment, p int) int {
		if sg.Hi < p {
			return -1
		}
		if sg.Lo > p {
			return 1
		}
		return 0
	})
	var idx []int
	for _, sp := range ts.cover {
		if int(sp.lo) > port {
			break
		}
		if int(sp.hi) >= port {
			idx = append(idx, int(sp.index))
		}
	}
	slices.Sort(idx)
	return ts.segs[k].Status, idx
}

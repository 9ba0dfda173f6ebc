package diff

import (
	"fmt"
	"slices"
	"strings"
	"testing"

	"github.com/regdiff/regdiff/snapshots/record"
)

// rec builds a record; desc may be "".
func rec(name, proto, number, desc string) record.Record {
	return record.Record{Name: name, Protocol: proto, Number: number, Description: desc}
}

// with returns r after applying f, for one-line variations in tables.
func with(r record.Record, f func(*record.Record)) record.Record {
	f(&r)
	return r
}

// describe shows a change compactly: "changed ssh 22/tcp [description]".
func describe(c Change) string {
	s := c.Kind + " " + keyText(c.Key, true)
	if c.Kind == Renamed {
		s = c.Kind + " " + c.OldKey.Name + "→" + keyText(c.Key, true)
	}
	if c.Kind == Changed || c.Kind == Renamed {
		s += " [" + strings.Join(c.FieldNames(), ",") + "]"
	}
	return s
}

func describeAll(r *Result) []string {
	out := []string{}
	for _, c := range r.Changes {
		out = append(out, describe(c))
	}
	return out
}

func TestCompare(t *testing.T) {
	ssh := with(rec("ssh", "tcp", "22", "The Secure Shell (SSH) Protocol"), func(r *record.Record) {
		r.Refs = []string{"rfc:rfc4251"}
		r.Contact = []string{"person:Tatu_Ylonen"}
	})
	tests := []struct {
		name     string
		old, new []record.Record
		want     []string
	}{
		{"identical", []record.Record{ssh}, []record.Record{ssh}, []string{}},
		{"both empty", nil, nil, []string{}},
		{"added", nil, []record.Record{ssh}, []string{"added ssh 22/tcp"}},
		{"removed", []record.Record{ssh}, nil, []string{"removed ssh 22/tcp"}},
		{"description", []record.Record{ssh}, []record.Record{with(ssh, func(r *record.Record) { r.Description = "SSH" })},
			[]string{"changed ssh 22/tcp [description]"}},
		{"refs", []record.Record{ssh}, []record.Record{with(ssh, func(r *record.Record) { r.Refs = []string{"rfc:rfc4253"} })},
			[]string{"changed ssh 22/tcp [refs]"}},
		{"refs added", []record.Record{ssh}, []record.Record{with(ssh, func(r *record.Record) { r.Refs = append(r.Refs, "rfc:rfc4253") })},
			[]string{"changed ssh 22/tcp [refs]"}},
		{"assignee", []record.Record{ssh}, []record.Record{with(ssh, func(r *record.Record) { r.Assignee = []string{"person:IESG"} })},
			[]string{"changed ssh 22/tcp [assignee]"}},
		{"contact", []record.Record{ssh}, []record.Record{with(ssh, func(r *record.Record) { r.Contact = nil })},
			[]string{"changed ssh 22/tcp [contact]"}},
		{"registered", []record.Record{ssh}, []record.Record{with(ssh, func(r *record.Record) { r.Registered = "1995-01" })},
			[]string{"changed ssh 22/tcp [registered]"}},
		{"modified", []record.Record{ssh}, []record.Record{with(ssh, func(r *record.Record) { r.Modified = "2024-01-01" })},
			[]string{"changed ssh 22/tcp [modified]"}},
		{"note", []record.Record{ssh}, []record.Record{with(ssh, func(r *record.Record) { r.Note = "n" })},
			[]string{"changed ssh 22/tcp [note]"}},
		{"unauthorized", []record.Record{ssh}, []record.Record{with(ssh, func(r *record.Record) { r.Unauthorized = "u" })},
			[]string{"changed ssh 22/tcp [unauthorized]"}},
		{"service code", []record.Record{ssh}, []record.Record{with(ssh, func(r *record.Record) { r.ServiceCode = "1" })},
			[]string{"changed ssh 22/tcp [service_code]"}},
		{"other field", []record.Record{with(ssh, func(r *record.Record) { r.Other = map[string]string{"ipv6": "Y", "same": "s"} })},
			[]record.Record{with(ssh, func(r *record.Record) { r.Other = map[string]string{"same": "s", "zeta": "z"} })},
			[]string{"changed ssh 22/tcp [ipv6,zeta]"}},
		{"several fields in display order", []record.Record{ssh},
			[]record.Record{with(ssh, func(r *record.Record) { r.Note, r.Description, r.Refs = "n", "d", nil })},
			[]string{"changed ssh 22/tcp [description,refs,note]"}},
		{"white space only", []record.Record{ssh},
			[]record.Record{with(ssh, func(r *record.Record) { r.Description = "  The Secure\n Shell  (SSH)\tProtocol " })},
			[]string{}},
		{"form feed and vertical tab are white space", []record.Record{ssh},
			[]record.Record{with(ssh, func(r *record.Record) { r.Description = "The\fSecure\vShell (SSH) Protocol" })},
			[]string{}},
		{"no-break space is content", []record.Record{ssh},
			[]record.Record{with(ssh, func(r *record.Record) { r.Description = "The Secure\u00a0Shell (SSH) Protocol" })},
			[]string{"changed ssh 22/tcp [description]"}},
		{"other Unicode spaces are content", []record.Record{ssh},
			[]record.Record{with(ssh, func(r *record.Record) { r.Description = "The\u2003Secure\u3000Shell\u0085(SSH) Protocol\u2028" })},
			[]string{"changed ssh 22/tcp [description]"}},
		{"no-break space in a list item is content", []record.Record{ssh},
			[]record.Record{with(ssh, func(r *record.Record) { r.Contact = []string{"person:Tatu_Ylonen\u00a0"} })},
			[]string{"changed ssh 22/tcp [contact]"}},
		{"no-break space in a renamed pair's description", []record.Record{rec("a", "tcp", "1000", "X Y"), rec("b", "tcp", "1000", "X\u00a0Y")},
			[]record.Record{rec("c", "tcp", "1000", "X\u00a0Y"), rec("d", "tcp", "1000", "X Y")},
			[]string{"renamed b→c 1000/tcp []", "renamed a→d 1000/tcp []"}},
		{"child order", []record.Record{with(ssh, func(r *record.Record) { r.Refs = []string{"rfc:a", "rfc:b"} })},
			[]record.Record{with(ssh, func(r *record.Record) { r.Refs = []string{"rfc:b", "rfc:a"} })},
			[]string{}},
		{"empty list equals absent", []record.Record{with(ssh, func(r *record.Record) { r.Refs = []string{} })},
			[]record.Record{with(ssh, func(r *record.Record) { r.Refs = nil })},
			[]string{}},
		{"renamed",
			[]record.Record{rec("foo", "tcp", "1000", "Foo")},
			[]record.Record{rec("bar", "tcp", "1000", "Foo")},
			[]string{"renamed foo→bar 1000/tcp []"}},
		{"renamed with other changes",
			[]record.Record{rec("foo", "tcp", "1000", "Foo")},
			[]record.Record{with(rec("bar", "tcp", "1000", "Bar"), func(r *record.Record) { r.Note = "x" })},
			[]string{"renamed foo→bar 1000/tcp [description,note]"}},
		{"renamed prefers equal description",
			[]record.Record{rec("a", "tcp", "1000", "X"), rec("b", "tcp", "1000", "Y")},
			[]record.Record{rec("c", "tcp", "1000", "Y"), rec("d", "tcp", "1000", "X")},
			[]string{"renamed b→c 1000/tcp []", "renamed a→d 1000/tcp []"}},
		{"renamed in name order otherwise",
			[]record.Record{rec("b", "tcp", "1000", "1"), rec("a", "tcp", "1000", "2")},
			[]record.Record{rec("d", "tcp", "1000", "3"), rec("c", "tcp", "1000", "4")},
			[]string{"renamed a→c 1000/tcp [description]", "renamed b→d 1000/tcp [description]"}},
		{"more removed than added at a port",
			[]record.Record{rec("a", "tcp", "1000", "A"), rec("b", "tcp", "1000", "B")},
			[]record.Record{rec("c", "tcp", "1000", "B")},
			[]string{"removed a 1000/tcp", "renamed b→c 1000/tcp []"}},
		{"unassigned to named is not a rename",
			[]record.Record{rec("", "tcp", "1000", "Unassigned")},
			[]record.Record{rec("foo", "tcp", "1000", "Foo")},
			[]string{"removed 1000/tcp", "added foo 1000/tcp"}},
		{"named to unassigned is not a rename",
			[]record.Record{rec("foo", "tcp", "1000", "Foo")},
			[]record.Record{rec("", "tcp", "1000", "Unassigned")},
			[]string{"added 1000/tcp", "removed foo 1000/tcp"}},
		{"no rename across protocols",
			[]record.Record{rec("foo", "tcp", "1000", "Foo")},
			[]record.Record{rec("bar", "udp", "1000", "Foo")},
			[]string{"removed foo 1000/tcp", "added bar 1000/udp"}},
		{"no rename without a number",
			[]record.Record{rec("foo", "", "", "Foo")},
			[]record.Record{rec("bar", "", "", "Foo")},
			[]string{"added bar", "removed foo"}},
		{"no rename across tables",
			[]record.Record{with(rec("foo", "", "1", "F"), func(r *record.Record) { r.Table = "t1" })},
			[]record.Record{with(rec("bar", "", "1", "F"), func(r *record.Record) { r.Table = "t2" })},
			[]string{"removed [t1] foo 1", "added [t2] bar 1"}},
		{"table is part of the key",
			[]record.Record{with(rec("x", "", "1", "A"), func(r *record.Record) { r.Table = "t1" })},
			[]record.Record{with(rec("x", "", "1", "A"), func(r *record.Record) { r.Table = "t2" })},
			[]string{"removed [t1] x 1", "added [t2] x 1"}},
		{"duplicate keys unchanged",
			[]record.Record{rec("x", "tcp", "5", "A"), rec("x", "tcp", "5", "B")},
			[]record.Record{rec("x", "tcp", "5", "A"), rec("x", "tcp", "5", "B")},
			[]string{}},
		{"duplicate key removed",
			[]record.Record{rec("x", "tcp", "5", "A"), rec("x", "tcp", "5", "A")},
			[]record.Record{rec("x", "tcp", "5", "A")},
			[]string{"removed x 5/tcp"}},
		{"duplicate key added",
			[]record.Record{rec("x", "tcp", "5", "A")},
			[]record.Record{rec("x", "tcp", "5", "A"), rec("x", "tcp", "5", "A")},
			[]string{"added x 5/tcp"}},
		{"duplicates paired by content first",
			[]record.Record{rec("x", "tcp", "5", "A"), rec("x", "tcp", "5", "B")},
			[]record.Record{rec("x", "tcp", "5", "B")},
			[]string{"removed x 5/tcp"}},
		{"then in order",
			[]record.Record{rec("x", "tcp", "5", "A"), rec("x", "tcp", "5", "B")},
			[]record.Record{rec("x", "tcp", "5", "C")},
			[]string{"removed x 5/tcp", "changed x 5/tcp [description]"}},
		{"range record changed",
			[]record.Record{rec("", "", "249-255", "Reserved")},
			[]record.Record{rec("", "", "249-255", "Unassigned")},
			[]string{"changed 249-255 [description]"}},
		{"range split",
			[]record.Record{rec("", "", "249-255", "Unassigned")},
			[]record.Record{rec("", "", "249-250", "Unassigned"), rec("", "", "252-255", "Unassigned")},
			[]string{"added 249-250", "removed 249-255", "added 252-255"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := describeAll(Compare(tt.old, tt.new))
			if !slices.Equal(got, tt.want) {
				t.Errorf("got\n  %s\nwant\n  %s", strings.Join(got, "\n  "), strings.Join(tt.want, "\n  "))
			}
		})
	}
}

func TestCompareFieldValues(t *testing.T) {
	old := with(rec("x", "tcp", "5", "a  b"), func(r *record.Record) { r.Refs = []string{"rfc:2", "rfc:1"} })
	new := with(rec("x", "tcp", "5", "a c"), func(r *record.Record) { r.Refs = []string{"rfc:3", "rfc:1"} })
	tests := []struct {
		name string
		res  *Result
		want map[string]FieldChange
	}{
		{"changed", Compare([]record.Record{old}, []record.Record{new}), map[string]FieldChange{
			"description": {"a b", "a c"},
			"refs":        {"rfc:1, rfc:2", "rfc:1, rfc:3"},
		}},
		{"added lists every field", Compare(nil, []record.Record{new}), map[string]FieldChange{
			"description": {"", "a c"},
			"refs":        {"", "rfc:1, rfc:3"},
		}},
		{"removed lists every field", Compare([]record.Record{old}, nil), map[string]FieldChange{
			"description": {"a b", ""},
			"refs":        {"rfc:1, rfc:2", ""},
		}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if len(tt.res.Changes) != 1 {
				t.Fatalf("got %d changes, want 1", len(tt.res.Changes))
			}
			got := tt.res.Changes[0].Fields
			if fmt.Sprint(got) != fmt.Sprint(tt.want) {
				t.Errorf("got %v, want %v", got, tt.want)
			}
		})
	}
}

func TestCompareSummaryAndPointers(t *testing.T) {
	old := []record.Record{rec("a", "tcp", "1", "A"), rec("b", "tcp", "2", "B"), rec("c", "tcp", "3", "C"), rec("d", "tcp", "4", "D")}
	new := []record.Record{rec("a", "tcp", "1", "A2"), rec("b2", "tcp", "2", "B"), rec("c", "tcp", "3", "C"), rec("e", "tcp", "5", "E")}
	r := Compare(old, new)
	want := Summary{Added: 1, Removed: 1, Changed: 1, Renamed: 1}
	if r.Summary != want {
		t.Errorf("summary: got %+v, want %+v", r.Summary, want)
	}
	for _, c := range r.Changes {
		if (c.Old == nil) != (c.Kind == Added) || (c.New == nil) != (c.Kind == Removed) {
			t.Errorf("%s: Old %v, New %v", describe(c), c.Old, c.New)
		}
		if c.Old != nil && !slices.ContainsFunc([]int{0, 1, 2, 3}, func(i int) bool { return &old[i] == c.Old }) {
			t.Errorf("%s: Old does not point into the old slice", describe(c))
		}
		if c.New != nil && !slices.ContainsFunc([]int{0, 1, 2, 3}, func(i int) bool { return &new[i] == c.New }) {
			t.Errorf("%s: New does not point into the new slice", describe(c))
		}
	}
}

// TestCompareReversed checks that swapping the versions swaps added and
// removed, keeps changed and renamed, and reverses every transition.
func TestCompareReversed(t *testing.T) {
	a := []record.Record{rec("", "", "1000-1010", "Unassigned"), rec("old", "tcp", "999", "X"), rec("gone", "udp", "20", "G")}
	b := []record.Record{rec("", "", "1000-1010", "Unassigned"), rec("new", "tcp", "999", "X"), rec("svc", "tcp", "1003", "S"), rec("", "udp", "20", "Reserved")}
	fwd, rev := Compare(a, b), Compare(b, a)
	tests := []struct {
		name      string
		got, want any
	}{
		{"added", rev.Added, fwd.Removed},
		{"removed", rev.Removed, fwd.Added},
		{"changed", rev.Changed, fwd.Changed},
		{"renamed", rev.Renamed, fwd.Renamed},
		{"transitions", len(rev.Transitions), len(fwd.Transitions)},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if tt.got != tt.want {
				t.Errorf("got %v, want %v", tt.got, tt.want)
			}
		})
	}
	t.Run("transitions reversed", func(t *testing.T) {
		for i, tr := range fwd.Transitions {
			back := rev.Transitions[i]
			if back.Ports != tr.Ports || back.From != tr.To || back.To != tr.From {
				t.Errorf("transition %d: got %+v, want the reverse of %+v", i, back, tr)
			}
		}
	})
}

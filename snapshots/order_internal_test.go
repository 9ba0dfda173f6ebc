package snapshots

import (
	"fmt"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/regdiff/regdiff/snapshots/formats"
	"github.com/regdiff/regdiff/snapshots/record"
)

// ov is a version made up for order tests: its raw file is real XML that
// ParseXML reads, so the content can be compared as the rule says.
type ov struct {
	name  string // a label, for messages
	date  string
	recs  []string // descriptions of records 1, 2, ...; "" skips a number
	extra string   // raw text that changes the layout only
	mod   string   // an updated="..." attribute on record 1
	seen  time.Time
}

func (v ov) raw() []byte {
	var b strings.Builder
	fmt.Fprintf(&b, "<registry id=\"r\">\n<title>T</title>\n<updated>%s</updated>\n%s", v.date, v.extra)
	for i, d := range v.recs {
		if d == "" {
			continue
		}
		attr := ""
		if i == 0 && v.mod != "" {
			attr = ` updated="` + v.mod + `"`
		}
		fmt.Fprintf(&b, "<record%s><name>s%d</name><protocol>tcp</protocol><number>%d</number><description>%s</description></record>\n", attr, i, 1000+i, d)
	}
	b.WriteString("</registry>\n")
	return []byte(b.String())
}

func (v ov) prepare(t *testing.T, s *Store) Prepared {
	t.Helper()
	reg, err := formats.ParseXML(v.raw())
	if err != nil {
		t.Fatal(err)
	}
	p, err := s.Prepare(v.raw(), reg, Source{Kind: "file", Location: v.name, Seen: v.seen})
	if err != nil {
		t.Fatal(err)
	}
	return p
}

// order commits vs to a new store, one by one in the order given, and
// returns the labels of the stored versions in store order and the ties.
func order(t *testing.T, vs []ov, each bool) ([]string, []Tie) {
	t.Helper()
	s := newStore(t)
	label := map[string]string{}
	var ties []Tie
	var ps []Prepared
	for _, v := range vs {
		p := v.prepare(t, s)
		label[p.Version.SHA256] = v.name
		ps = append(ps, p)
	}
	batches := [][]Prepared{ps}
	if each {
		batches = nil
		for _, p := range ps {
			batches = append(batches, []Prepared{p})
		}
	}
	for _, b := range batches {
		reps, err := s.Commit(b)
		if err != nil {
			t.Fatal(err)
		}
		for _, r := range reps {
			ties = slices.DeleteFunc(ties, func(x Tie) bool { return slices.Contains(r.decided, x.Date) })
			ties = append(ties, r.Ties...)
		}
	}
	stored, err := s.Versions("r")
	if err != nil {
		t.Fatal(err)
	}
	var out []string
	for _, v := range stored {
		out = append(out, label[v.SHA256])
	}
	return out, ties
}

func TestSameDateOrder(t *testing.T) {
	t0 := time.Date(2024, 1, 1, 0, 0, 0, 0, time.UTC)
	tests := []struct {
		name string
		vs   []ov // in publication order
		tie  string
	}{
		{"a record changed, then another", []ov{
			{name: "P", date: "2024-01-01", recs: []string{"a", "b", "c"}},
			{name: "A", date: "2024-02-01", recs: []string{"a2", "b", "c"}},
			{name: "B", date: "2024-02-01", recs: []string{"a2", "b2", "c"}},
			{name: "N", date: "2024-03-01", recs: []string{"a2", "b2", "c2"}},
		}, ""},
		{"three of one date", []ov{
			{name: "P", date: "2024-01-01", recs: []string{"a", "b", "c", "d"}},
			{name: "A", date: "2024-02-01", recs: []string{"a", "b", "c", "d", "e"}},
			{name: "B", date: "2024-02-01", recs: []string{"a", "b2", "c", "d", "e"}},
			{name: "C", date: "2024-02-01", recs: []string{"a", "b2", "c", "", "e"}},
		}, ""},
		{"only the layout changed", []ov{
			{name: "P", date: "2024-01-01", recs: []string{"a"}, extra: "<!-- old -->\n"},
			{name: "A", date: "2024-02-01", recs: []string{"a", "b"}, extra: "<!-- old -->\n"},
			{name: "B", date: "2024-02-01", recs: []string{"a", "b"}, extra: "<!-- new -->\n"},
			{name: "N", date: "2024-03-01", recs: []string{"a", "b", "c"}, extra: "<!-- new -->\n"},
		}, ""},
		{"no neighbours: the newest date decides", []ov{
			{name: "A", date: "2024-02-01", recs: []string{"a", "b"}, mod: "2023-05-01"},
			{name: "B", date: "2024-02-01", recs: []string{"a", "b"}, mod: "2024-02-01"},
		}, ""},
		{"no neighbours, same dates: first seen", []ov{
			{name: "A", date: "2024-02-01", recs: []string{"a", "b"}, seen: t0},
			{name: "B", date: "2024-02-01", recs: []string{"a", "b2"}, seen: t0.Add(time.Hour)},
		}, "first seen"},
	}
	for _, tt := range tests {
		want := make([]string, len(tt.vs))
		for i, v := range tt.vs {
			want[i] = v.name
		}
		for _, in := range []struct {
			name string
			vs   []ov
			each bool
		}{
			{"together", tt.vs, false},
			{"reversed", reversed(tt.vs), false},
			{"one by one, reversed", reversed(tt.vs), true},
		} {
			t.Run(tt.name+"/"+in.name, func(t *testing.T) {
				got, ties := order(t, in.vs, in.each)
				if !slices.Equal(got, want) {
					t.Errorf("order %v, want %v", got, want)
				}
				var by []string
				for _, x := range ties {
					by = append(by, x.By)
				}
				if strings.Join(by, ",") != tt.tie {
					t.Errorf("ties %v, want %q", ties, tt.tie)
				}
			})
		}
	}
	// Without any time and with nothing in the content to tell, the
	// content hash decides, and the summary says so.
	got, ties := order(t, []ov{
		{name: "A", date: "2024-02-01", recs: []string{"a", "b"}},
		{name: "B", date: "2024-02-01", recs: []string{"a", "b2"}},
	}, false)
	if len(ties) != 1 || ties[0].By != "content hash" || len(ties[0].Versions) != 2 || len(got) != 2 {
		t.Errorf("got %v, ties %+v; want a tie broken by content hash", got, ties)
	}
}

// TestStoredGroupKeepsOrder: a group of same-date versions already stored,
// with no new version in it or beside it, keeps its order: orderList does
// not even read it (the versions have no objects here).
func TestStoredGroupKeepsOrder(t *testing.T) {
	s := newStore(t)
	list := []entry{
		{v: record.Version{Date: "2024-01-01", SHA256: "p"}, old: true},
		{v: record.Version{Date: "2024-02-01", SHA256: "b"}, old: true},
		{v: record.Version{Date: "2024-02-01", SHA256: "a"}, old: true},
		{v: record.Version{Date: "2024-03-01", SHA256: "n"}, old: true},
		{v: record.Version{Date: "2024-04-01", SHA256: "m"}, old: true},
		{v: record.Version{Date: "2025-01-01", SHA256: "new"}},
	}
	if _, err := s.orderList(list); err != nil {
		t.Fatalf("orderList read an untouched group: %v", err)
	}
	var got []string
	for _, e := range list {
		got = append(got, e.v.SHA256)
	}
	if want := []string{"p", "b", "a", "n", "m", "new"}; !slices.Equal(got, want) {
		t.Errorf("got %v, want %v", got, want)
	}
	// A new version beside the group makes it answer again.
	list[3].old = false
	if _, err := s.orderList(list); err == nil {
		t.Error("orderList did not read a group whose neighbour is new")
	}
}

func reversed[T any](xs []T) []T {
	out := slices.Clone(xs)
	slices.Reverse(out)
	return out
}

func TestMultisetDifference(t *testing.T) {
	tests := []struct{ a, b, onlyA, onlyB string }{
		{"x y z", "x y z", "", ""},
		{"a c a", "a", "c a", ""}, // the first a pairs: the second is left
		{"a", "b a a", "", "b a"},
		{"", "a b", "", "a b"},
	}
	for _, tt := range tests {
		oa, ob := multisetDifference(strings.Fields(tt.a), strings.Fields(tt.b))
		if strings.Join(oa, " ") != tt.onlyA || strings.Join(ob, " ") != tt.onlyB {
			t.Errorf("multisetDifference(%q, %q) = %q, %q; want %q, %q", tt.a, tt.b, oa, ob, tt.onlyA, tt.onlyB)
		}
	}
}

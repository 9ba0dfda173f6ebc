package diff

import (
	"fmt"
	"math/rand"
	"slices"
	"strings"
	"testing"

	"github.com/regdiff/regdiff/snapshots/record"
)

func TestCompareItems(t *testing.T) {
	it := func(el, key, text string) record.Item { return record.Item{Element: el, Key: key, Text: text} }
	tests := []struct {
		name     string
		old, new []record.Item
		want     []string // "kind label: from → to"
	}{
		{"unchanged", []record.Item{it("note", "", "a")}, []record.Item{it("note", "", "a")}, nil},
		{"white space only", []record.Item{it("note", "", "a  b")}, []record.Item{it("note", "", "a b")}, nil},
		{"changed", []record.Item{it("updated", "", "2024-01-24")}, []record.Item{it("updated", "", "2024-01-25")},
			[]string{"changed updated: 2024-01-24 → 2024-01-25"}},
		{"a note inserted before another: equal texts pair first", []record.Item{it("note", "", "b")}, []record.Item{it("note", "", "a"), it("note", "", "b")},
			[]string{"added note:  → a"}},
		{"keys keep footnotes apart", []record.Item{it("footnote", "1", "x"), it("footnote", "2", "y")}, []record.Item{it("footnote", "2", "y2")},
			[]string{"removed footnote 1: x → ", "changed footnote 2: y → y2"}},
		{"two changed notes pair in order", []record.Item{it("note", "", "a"), it("note", "", "b")}, []record.Item{it("note", "", "a2"), it("note", "", "b2")},
			[]string{"changed note: a → a2", "changed note: b → b2"}},
		{"a nested registry added", nil, []record.Item{{Table: "t", Element: "title", Text: "T"}, {Element: "registry", Key: "t"}},
			[]string{"added registry t:  → ", "added [t] title:  → T"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var r Result
			r.CompareItems(tt.old, tt.new, nil, nil)
			var got []string
			for _, c := range r.Items {
				got = append(got, fmt.Sprintf("%s %s: %s → %s", c.Kind, ItemLabel(c), c.From, c.To))
			}
			if !slices.Equal(got, tt.want) {
				t.Errorf("got %q\nwant %q", got, tt.want)
			}
			if r.Summary.Items != len(tt.want) {
				t.Errorf("summary counts %d items, want %d", r.Summary.Items, len(tt.want))
			}
		})
	}
}

func TestComparePeople(t *testing.T) {
	old := []record.Person{{ID: "a", Name: "A", URI: "mailto:a&x"}, {ID: "b", Name: "B"}, {ID: "d", Name: "D1"}, {ID: "d", Name: "D2"}}
	new := []record.Person{{ID: "a", Name: "A", URI: "mailto:a&y", Updated: "2024-01-25"}, {ID: "c", Org: "C Inc", Other: map[string]string{"x": "1"}}, {ID: "d", Name: "D2"}, {ID: "d", Name: "D3"}}
	var r Result
	r.CompareItems(nil, nil, old, new)
	var got []string
	for _, c := range r.People {
		var fs []string
		for _, n := range c.FieldNames() {
			fs = append(fs, n+"="+c.Fields[n].From+">"+c.Fields[n].To)
		}
		got = append(got, c.Kind+" "+c.ID+" "+strings.Join(fs, ","))
	}
	want := []string{
		"changed a uri=mailto:a&x>mailto:a&y,updated=>2024-01-25",
		"removed b name=B>",
		"added c org=>C Inc,x=>1",
		"changed d name=D1>D3", // D2 on both sides pairs first
	}
	if !slices.Equal(got, want) {
		t.Errorf("got %q\nwant %q", got, want)
	}
}

// TestCompareItemsDifferingOnly: giving only the items and people not on
// both sides (as the store reads them) gives the same changes as giving all.
func TestCompareItemsDifferingOnly(t *testing.T) {
	rng := rand.New(rand.NewSource(1))
	texts := []string{"a", "b", "c", "a b"}
	gen := func() []record.Item {
		var out []record.Item
		for range rng.Intn(8) {
			out = append(out, record.Item{Element: []string{"note", "xref", "title"}[rng.Intn(3)], Key: []string{"", "1"}[rng.Intn(2)], Text: texts[rng.Intn(len(texts))]})
		}
		return out
	}
	for i := range 2000 {
		old, new := gen(), gen()
		var all, only Result
		all.CompareItems(old, new, nil, nil)
		o, n := multisetDiff(old, new)
		only.CompareItems(o, n, nil, nil)
		if fmt.Sprint(all.Items) != fmt.Sprint(only.Items) {
			t.Fatalf("case %d: %v and %v:\nall  %v\nonly %v", i, old, new, all.Items, only.Items)
		}
	}
}

func multisetDiff(a, b []record.Item) (onlyA, onlyB []record.Item) {
	keep := func(xs, other []record.Item) []record.Item {
		cnt := map[record.Item]int{}
		for _, x := range other {
			cnt[x]++
		}
		var out []record.Item
		seen := map[record.Item]int{}
		for _, x := range xs {
			if seen[x]++; seen[x] > cnt[x] {
				out = append(out, x)
			}
		}
		return out
	}
	return keep(a, b), keep(b, a)
}

type fakeItems struct{ called bool }

func (f *fakeItems) ItemsDiffering(a, b record.Version) ([]record.Item, []record.Item, error) {
	f.called = true
	return nil, []record.Item{{Element: "note", Text: "n"}}, nil
}

func (f *fakeItems) PeopleDiffering(a, b record.Version) ([]record.Person, []record.Person, error) {
	return nil, nil, nil
}

func TestCompareItemsOf(t *testing.T) {
	v := func(name, format string, norm int) record.Version {
		return record.Version{Name: name, Format: format, Normalizer: norm}
	}
	tests := []struct {
		name     string
		a, b     record.Version
		compared bool
		note     string
	}{
		{"both xml", v("a", "xml", 2), v("b", "xml", 2), true, ""},
		{"older normalizer", v("a", "xml", 1), v("b", "xml", 2), false, "version a was stored by an older regdiff"},
		{"formats differ", v("a", "csv", 2), v("b", "xml", 2), false, "a is from csv, b from xml"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var r Result
			f := &fakeItems{}
			if err := r.CompareItemsOf(f, tt.a, tt.b); err != nil {
				t.Fatal(err)
			}
			if f.called != tt.compared || !strings.Contains(r.ItemsNote, tt.note) || (tt.note == "") != (r.ItemsNote == "") {
				t.Errorf("compared %v, note %q; want %v, %q", f.called, r.ItemsNote, tt.compared, tt.note)
			}
			if tt.compared && (len(r.Items) != 1 || r.Empty()) {
				t.Errorf("items %v", r.Items)
			}
		})
	}
}

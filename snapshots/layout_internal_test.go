package snapshots

import (
	"maps"
	"reflect"
	"slices"
	"testing"

	"github.com/go-git/go-git/v5/plumbing"

	"github.com/regdiff/regdiff/snapshots/record"
)

// TestEncodeFilesAfterLast: each version of a sequence encoded after the one
// before gives the files it gives encoded alone, with their hashes; a file
// whose records (or people) did not change is taken from the version
// before, not encoded again.
func TestEncodeFilesAfterLast(t *testing.T) {
	rec := func(num, desc string) record.Record {
		return record.Record{Name: "s" + num, Protocol: "tcp", Number: num, Description: desc, Refs: []string{"rfc1"}}
	}
	base := []record.Record{rec("7", "echo"), rec("1500", "x"), rec("2500", "y"), {Name: "n", Protocol: "tcp"}, rec("10-20", "range")}
	people := []record.Person{{ID: "a", Name: "A"}, {ID: "b", Name: "B", Other: map[string]string{"x": "1"}}}
	with := func(recs []record.Record, f func([]record.Record)) []record.Record {
		recs = slices.Clone(recs)
		f(recs)
		return recs
	}
	steps := []struct {
		name   string
		reg    *record.Registry
		reused []string // files taken from the version before
	}{
		{"first", &record.Registry{Records: base, People: people}, nil},
		{"the same", &record.Registry{Records: slices.Clone(base), People: slices.Clone(people)},
			[]string{"records/00000-00999.jsonl", "records/01000-01999.jsonl", "records/02000-02999.jsonl", "records/unnumbered.jsonl", "records/ranges.jsonl", "people/a.jsonl", "people/b.jsonl"}},
		{"a description", &record.Registry{Records: with(base, func(r []record.Record) { r[1].Description = "changed" }), People: people},
			[]string{"records/00000-00999.jsonl", "records/02000-02999.jsonl", "records/unnumbered.jsonl", "records/ranges.jsonl", "people/a.jsonl", "people/b.jsonl"}},
		{"a ref and a person", &record.Registry{Records: with(base, func(r []record.Record) { r[0].Refs = []string{"rfc2"} }), People: []record.Person{people[0], {ID: "b", Name: "B", Other: map[string]string{"x": "2"}}}},
			[]string{"records/02000-02999.jsonl", "records/unnumbered.jsonl", "records/ranges.jsonl"}},
		{"a record moved", &record.Registry{Records: with(base, func(r []record.Record) { r[0].Refs = []string{"rfc2"}; r[2].Number = "1600" }), People: people[:1]},
			[]string{"records/00000-00999.jsonl", "records/unnumbered.jsonl", "records/ranges.jsonl"}},
		{"an Other field", &record.Registry{Records: with(base, func(r []record.Record) {
			r[0].Refs = []string{"rfc2"}
			r[2].Number = "1600"
			r[3].Other = map[string]string{"k": "v"}
		})},
			[]string{"records/00000-00999.jsonl", "records/01000-01999.jsonl", "records/ranges.jsonl"}},
		{"a table", &record.Registry{Records: append(slices.Clone(base), record.Record{Table: "t", Name: "s7", Number: "7"})},
			[]string{"records/ranges.jsonl"}},
	}
	var last *encoding
	for _, st := range steps {
		got := encodeFiles(st.reg, last)
		want := encodeFiles(st.reg, nil)
		if !maps.EqualFunc(got.data(), want.data(), slices.Equal) {
			t.Fatalf("%s: encoded after the version before:\n%q\nwant:\n%q", st.name, got.data(), want.data())
		}
		var reused []string
		for name, f := range got.files {
			if f.hashOf() != objectHash(plumbing.BlobObject, f.data) {
				t.Errorf("%s: %s: hash %s is not its data's", st.name, name, f.hash)
			}
			if last != nil && last.files[name] != nil && len(f.data) > 0 && &f.data[0] == &last.files[name].data[0] {
				reused = append(reused, name)
			}
		}
		slices.Sort(reused)
		if slices.Sort(st.reused); !slices.Equal(reused, st.reused) {
			t.Errorf("%s: files taken from the version before: %q, want %q", st.name, reused, st.reused)
		}
		last = got
	}
}

// TestSameRecordsKnowsEveryField: sameRecords and samePerson compare every
// field; one added to record.Record or record.Person must be added there.
func TestSameRecordsKnowsEveryField(t *testing.T) {
	if n := reflect.TypeFor[record.Record]().NumField(); n != 14 {
		t.Errorf("record.Record has %d fields, sameRecords compares 14", n)
	}
	if n := reflect.TypeFor[record.Person]().NumField(); n != 6 {
		t.Errorf("record.Person has %d fields, samePerson compares 6", n)
	}
}

package diff

import (
	"slices"
	"strings"
	"testing"

	"github.com/regdiff/regdiff/snapshots/record"
)

// TestAcrossFor: the fields compared across formats are those both carry,
// contacts and assignees excepted; the lists here are written out by hand
// from snapshots' table of what each format carries.
func TestAcrossFor(t *testing.T) {
	tests := []struct {
		from, to string
		same     bool     // no rule: the formats are one
		ignored  []string // the fields left out
		fold     bool
	}{
		{"xml", "xml", true, nil, false},
		{"rfc", "rfc", true, nil, false},
		{"xml", "csv", false, []string{"assignee", "contact"}, false},
		{"csv", "xml", false, []string{"assignee", "contact"}, false},
		{"xml", "rfc", false, []string{"assignee", "contact", "registered", "modified", "note", "unauthorized", "service_code"}, true},
		{"port-numbers", "xml", false, []string{"assignee", "contact", "modified", "note", "unauthorized", "service_code"}, false},
		{"port-numbers", "rfc", false, []string{"assignee", "contact", "registered", "modified", "note", "unauthorized", "service_code"}, true},
	}
	for _, tt := range tests {
		t.Run(tt.from+"→"+tt.to, func(t *testing.T) {
			a := AcrossFor(record.Version{Format: tt.from}, record.Version{Format: tt.to})
			if tt.same {
				if a != nil {
					t.Fatalf("got a rule %+v for one format", a)
				}
				return
			}
			if a == nil {
				t.Fatal("got no rule for two formats")
			}
			if !slices.Equal(a.Ignored, tt.ignored) || a.FoldNames != tt.fold {
				t.Errorf("got ignored %q, fold %v; want %q, %v", a.Ignored, a.FoldNames, tt.ignored, tt.fold)
			}
			for _, f := range append(slices.Clone(record.Fields), "ipv6") {
				if got, want := a.Carried(f), !slices.Contains(tt.ignored, f) && f != "ipv6"; got != want {
					t.Errorf("Carried(%s) = %v, want %v", f, got, want)
				}
			}
		})
	}
}

// fakeSource holds versions' records, items and people by name, and
// gives them whole: Between must not depend on being given only what
// differs.
type fakeSource struct {
	recs   map[string][]record.Record
	items  map[string][]record.Item
	people map[string][]record.Person
}

func (f fakeSource) RecordsDiffering(a, b record.Version) (old, new []record.Record, err error) {
	return f.recs[a.Name], f.recs[b.Name], nil
}

func (f fakeSource) ItemsDiffering(a, b record.Version) (old, new []record.Item, err error) {
	return f.items[a.Name], f.items[b.Name], nil
}

func (f fakeSource) PeopleDiffering(a, b record.Version) (old, new []record.Person, err error) {
	return f.people[a.Name], f.people[b.Name], nil
}

func TestBetween(t *testing.T) {
	src := fakeSource{
		recs: map[string][]record.Record{
			"x1": {{Name: "ssh", Protocol: "tcp", Number: "22", Description: "SSH"}, {Name: "http", Protocol: "tcp", Number: "80", Description: "HTTP", Note: "n"}},
			"x2": {{Name: "ssh", Protocol: "tcp", Number: "22", Description: "Secure Shell"}, {Name: "http", Protocol: "tcp", Number: "80", Description: "HTTP"}},
			"r1": {{Name: "SSH", Protocol: "tcp", Number: "22", Description: "Secure Shell"}, {Name: "HTTP", Protocol: "tcp", Number: "80", Description: "HTTP"}},
		},
		items:  map[string][]record.Item{"x1": {{Element: "updated", Text: "2020-01-01"}}, "x2": {{Element: "updated", Text: "2020-02-01"}}},
		people: map[string][]record.Person{"x2": {{ID: "Jon_Postel", Name: "Jon Postel"}}},
	}
	v := func(name, format string) record.Version {
		return record.Version{Registry: "ports", Name: name, Format: format, Normalizer: 2}
	}
	tests := []struct {
		name   string
		a, b   record.Version
		filter Filter
		want   string // changes; items; people; note
	}{
		{"one format: records, items and people", v("x1", "xml"), v("x2", "xml"), Filter{},
			"changed 22/tcp description, changed 80/tcp note; changed updated; added Jon_Postel; "},
		{"a filter keeps what it keeps", v("x1", "xml"), v("x2", "xml"), Filter{Ports: []PortRange{{Lo: 80, Hi: 80}}},
			"changed 80/tcp note; ; ; "},
		{"across formats: names folded, notes not carried, items not compared", v("x1", "xml"), v("r1", "rfc"), Filter{},
			"changed 22/tcp description; ; ; only XML"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r, err := Between(src, tt.a, tt.b, tt.filter)
			if err != nil {
				t.Fatal(err)
			}
			var cs, is, ps []string
			for _, c := range r.Changes {
				cs = append(cs, c.Kind+" "+c.Key.Number+"/"+c.Key.Protocol+" "+strings.Join(c.FieldNames(), ","))
			}
			for _, c := range r.Items {
				is = append(is, c.Kind+" "+c.Element)
			}
			for _, c := range r.People {
				ps = append(ps, c.Kind+" "+c.ID)
			}
			note := ""
			if strings.Contains(r.ItemsNote, "only XML") {
				note = "only XML"
			}
			got := strings.Join(cs, ", ") + "; " + strings.Join(is, ", ") + "; " + strings.Join(ps, ", ") + "; " + note
			if got != tt.want {
				t.Errorf("got  %s\nwant %s", got, tt.want)
			}
			if r.Registry != "ports" || r.From.Name != tt.a.Name || r.To.Name != tt.b.Name || r.To.Format != tt.b.Format {
				t.Errorf("header: registry %q, from %+v, to %+v", r.Registry, r.From, r.To)
			}
		})
	}
}

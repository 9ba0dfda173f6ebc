package diff

import (
	"testing"

	"github.com/regdiff/regdiff/snapshots/record"
)

func TestCompareAcross(t *testing.T) {
	rfc := []record.Record{
		{Name: "ECHO", Protocol: "tcp", Number: "7", Description: "Echo", Contact: []string{"person:JBP"}},
		{Name: "FTP", Protocol: "tcp", Number: "21", Description: "File Transfer [Control]"},
		{Protocol: "", Number: "247-255", Description: "Reserved"},
	}
	xml := []record.Record{
		{Name: "echo", Protocol: "tcp", Number: "7", Description: "Echo", Contact: []string{"person:Jon_Postel"}, Registered: "1990-01"},
		{Name: "ftp", Protocol: "tcp", Number: "21", Description: "File Transfer Protocol [Control]", Refs: []string{"rfc:rfc959"}},
		{Protocol: "", Number: "249-255", Description: "Reserved"},
	}
	carried := map[string]bool{"description": true, "contact": true}
	tests := []struct {
		name                             string
		across                           Across
		added, removed, changed, renamed int
	}{
		{"plain compare sees case changes as renames", Across{}, 1, 1, 0, 2},
		{"folded names, all fields", Across{FoldNames: true}, 1, 1, 2, 0},
		{"folded names, carried fields only", Across{FoldNames: true, Carried: func(f string) bool { return carried[f] }}, 1, 1, 2, 0},
		{"contact not carried either", Across{FoldNames: true, Carried: func(f string) bool { return f == "description" }}, 1, 1, 1, 0},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r := CompareAcross(rfc, xml, tt.across)
			if r.Added != tt.added || r.Removed != tt.removed || r.Changed != tt.changed || r.Renamed != tt.renamed {
				t.Fatalf("got %+v; want %d added, %d removed, %d changed, %d renamed", r.Summary, tt.added, tt.removed, tt.changed, tt.renamed)
			}
			for _, c := range r.Changes {
				for f := range c.Fields {
					if tt.across.Carried != nil && !tt.across.Carried(f) {
						t.Errorf("%v: field %s reported although not carried", c.Key, f)
					}
				}
			}
		})
	}
}

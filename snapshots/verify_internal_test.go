package snapshots

import (
	"testing"

	"github.com/regdiff/regdiff/snapshots/record"
)

func TestSplitJobs(t *testing.T) {
	jobsOf := func(records ...int) []verifyJob {
		var out []verifyJob
		for i, n := range records {
			out = append(out, verifyJob{reg: "r", v: record.Version{Name: string(rune('a' + i)), Records: n}})
		}
		return out
	}
	tests := []struct {
		name    string
		records []int
		n       int
		want    []int // the parts' lengths
	}{
		{"none", nil, 4, nil},
		{"one worker", []int{5, 5, 5}, 1, []int{3}},
		{"even", []int{10, 10, 10, 10}, 2, []int{2, 2}},
		{"by records, not count", []int{100, 1, 1, 1, 1}, 2, []int{1, 4}},
		{"more workers than jobs", []int{3, 3}, 4, []int{1, 1}},
		{"empty versions", []int{0, 0, 0, 0, 0, 0}, 3, []int{2, 2, 2}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			jobs := jobsOf(tt.records...)
			parts := splitJobs(jobs, tt.n)
			var lens []int
			var names string
			for _, p := range parts {
				lens = append(lens, len(p))
				for _, j := range p {
					names += j.v.Name
				}
			}
			var want string
			for _, j := range jobs {
				want += j.v.Name
			}
			if names != want {
				t.Errorf("parts hold %q, want every job once in order %q", names, want)
			}
			if len(lens) != len(tt.want) {
				t.Fatalf("part lengths %v, want %v", lens, tt.want)
			}
			for i := range lens {
				if lens[i] != tt.want[i] {
					t.Fatalf("part lengths %v, want %v", lens, tt.want)
				}
			}
		})
	}
}

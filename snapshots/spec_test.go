package snapshots

import (
	"strings"
	"testing"

	"github.com/go-git/go-git/v5/plumbing"
)

func TestResolve(t *testing.T) {
	vs := []Version{
		{Registry: "r", Name: "1990-03", Date: "1990-03", Commit: plumbing.NewHash("aaaaaaa000000000000000000000000000000001")},
		{Registry: "r", Name: "2019-06-30", Date: "2019-06-30", Commit: plumbing.NewHash("bbbbbbb000000000000000000000000000000002")},
		{Registry: "r", Name: "2019-12-31", Date: "2019-12-31", Commit: plumbing.NewHash("ccccccc000000000000000000000000000000003")},
		{Registry: "r", Name: "2019-12-31.2", Date: "2019-12-31", Commit: plumbing.NewHash("ccccccc100000000000000000000000000000004")},
		{Registry: "r", Name: "2024-03-18", Date: "2024-03-18", Commit: plumbing.NewHash("ddddddd000000000000000000000000000000005")},
	}
	tests := []struct {
		spec string
		want int
		err  string
	}{
		{spec: "latest", want: 4},
		{spec: "first", want: 0},
		{spec: "2019", want: 3},
		{spec: "2019-06", want: 1},
		{spec: "2019-07-01", want: 1},
		{spec: "2019-12-31", want: 3},
		{spec: "2019-12-31.2", want: 3},
		{spec: "r/2019-06-30", want: 1},
		{spec: "1990", want: 0},
		{spec: "1990-03-15", want: 0},
		{spec: "2030", want: 4},
		{spec: "latest~1", want: 3},
		{spec: "latest~4", want: 0},
		{spec: "2019~", want: 2},
		{spec: "bbbbbbb", want: 1},
		{spec: "CCCCCCC1", want: 3},
		{spec: "ccccccc", err: "ambiguous"},
		{spec: "1989", err: "before the oldest version stored, 1990-03"},
		{spec: "latest~5", err: "the oldest stored is 1990-03"},
		{spec: "latest~x", err: "count of versions"},
		{spec: "yesterday", err: "unknown version spec"},
		{spec: "eeeeeee", err: "no stored version"},
		{spec: "", err: "empty"},
	}
	for _, tt := range tests {
		t.Run(tt.spec, func(t *testing.T) {
			got, err := Resolve(vs, tt.spec)
			if tt.err != "" {
				if err == nil || !strings.Contains(err.Error(), tt.err) {
					t.Fatalf("Resolve(%q) error = %v, want one containing %q", tt.spec, err, tt.err)
				}
				return
			}
			if err != nil || got != tt.want {
				t.Fatalf("Resolve(%q) = %d, %v; want %d", tt.spec, got, err, tt.want)
			}
		})
	}
	if _, err := Resolve(nil, "latest"); err != ErrEmpty {
		t.Errorf("Resolve on no versions: got %v, want ErrEmpty", err)
	}
}

func FuzzResolve(f *testing.F) {
	vs := []Version{{Registry: "r", Name: "2019-06-30", Date: "2019-06-30"}, {Registry: "r", Name: "1990-03", Date: "1990-03"}}
	for _, s := range []string{"latest~3", "2019", "2019-06-3", "~", "~~1", "r/x", "abcdef0"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, spec string) {
		i, err := Resolve(vs, spec)
		if err == nil && (i < 0 || i >= len(vs)) {
			t.Fatalf("Resolve(%q) = %d, out of range", spec, i)
		}
	})
}

package snapshots_test

import (
	"bytes"
	"context"
	"math/rand"
	"path/filepath"
	"testing"

	"github.com/regdiff/regdiff/diff"
	"github.com/regdiff/regdiff/snapshots"
	"github.com/regdiff/regdiff/snapshots/record"
)

// TestRecordsDiffering checks the shortcut the diff command takes (reading
// only the normalized files that differ) against a diff of every record,
// over many pairs of real versions.
func TestRecordsDiffering(t *testing.T) {
	inputs := bundleInputs(t)
	var sub []snapshots.Input
	for i, in := range inputs {
		if i%9 == 0 || i > len(inputs)-12 {
			sub = append(sub, in)
		}
	}
	s, err := snapshots.Create(filepath.Join(t.TempDir(), "store"))
	if err != nil {
		t.Fatal(err)
	}
	if _, err := s.Import(context.Background(), sub, snapshots.ImportOptions{}); err != nil {
		t.Fatal(err)
	}
	rng := rand.New(rand.NewSource(7))
	for _, reg := range []string{"service-names-port-numbers", "protocol-numbers"} {
		vs, err := s.Versions(reg)
		if err != nil {
			t.Fatal(err)
		}
		var pairs [][2]int
		for i := 1; i < len(vs); i++ {
			pairs = append(pairs, [2]int{i - 1, i})
		}
		for range 15 {
			pairs = append(pairs, [2]int{rng.Intn(len(vs)), rng.Intn(len(vs))})
		}
		all := map[int][]record.Record{}
		records := func(i int) []record.Record {
			if all[i] == nil {
				r, err := s.Records(vs[i])
				if err != nil {
					t.Fatal(err)
				}
				all[i] = r
			}
			return all[i]
		}
		for _, p := range pairs {
			a, b := vs[p[0]], vs[p[1]]
			old, new, err := s.RecordsDiffering(a, b)
			if err != nil {
				t.Fatal(err)
			}
			var fast, full bytes.Buffer
			diff.WriteJSON(&fast, diff.Compare(old, new))
			diff.WriteJSON(&full, diff.Compare(records(p[0]), records(p[1])))
			if fast.String() != full.String() {
				t.Errorf("%s %s → %s: the diff of differing files is not the diff of all records", reg, a.Name, b.Name)
			}
		}
	}
}

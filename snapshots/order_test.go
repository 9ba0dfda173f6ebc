package snapshots_test

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"os"
	"path/filepath"
	"slices"
	"testing"

	"github.com/regdiff/regdiff/internal/realstore"
	"github.com/regdiff/regdiff/internal/shareddata"
	"github.com/regdiff/regdiff/snapshots"
)

// TestSameDateOrderSources imports real versions as plain files, in the
// bundle's order and in reverse, and from the git bundle: every group of versions sharing a date must stand in the
// bundle's commit order, which is publication order, and every commit hash
// must agree across the three sources.
func TestSameDateOrderSources(t *testing.T) {
	// A sample that holds every same-date group (the whole bundle from
	// files twice took two minutes), imported from the git bundle too.
	want := map[string][]shareddata.Version{}
	for _, reg := range realstore.Registries {
		want[reg] = realstore.Sample(shareddata.Versions(t, reg))
	}
	fromGit, err := snapshots.Create(filepath.Join(t.TempDir(), "git"))
	if err != nil {
		t.Fatal(err)
	}
	var inputs []snapshots.Input
	for _, in := range bundleInputs(t) {
		if realstore.Holds(want, in.Source.Location) {
			inputs = append(inputs, in)
		}
	}
	if sum, err := fromGit.Import(context.Background(), inputs, snapshots.ImportOptions{}); err != nil || len(sum.Refused) > 0 {
		t.Fatal(err, sum.Refused)
	}
	folder := t.TempDir()
	var files []string
	shaOf := map[string]string{} // bundle commit + file → sha256
	for _, reg := range realstore.Registries {
		for _, v := range want[reg] {
			data := shareddata.Read(t, v)
			sum := sha256.Sum256(data)
			shaOf[v.Commit+v.File] = hex.EncodeToString(sum[:])
			p := filepath.Join(folder, reg, v.Commit[:12]+".xml")
			os.MkdirAll(filepath.Dir(p), 0o755)
			if err := os.WriteFile(p, data, 0o644); err != nil {
				t.Fatal(err)
			}
			files = append(files, p)
		}
	}
	groups := 0
	check := func(t *testing.T, s *snapshots.Store) {
		for _, reg := range realstore.Registries {
			vs, err := s.Versions(reg)
			if err != nil {
				t.Fatal(err)
			}
			at := map[string]int{}
			for i, v := range vs {
				at[v.SHA256] = i
			}
			for _, g := range realstore.SameDate(want[reg]) {
				var got []int
				for _, v := range g {
					got = append(got, at[shaOf[v.Commit+v.File]])
				}
				if !slices.IsSorted(got) {
					t.Errorf("%s %s: the %d versions of that date stand at %v, want the bundle's order", reg, g[0].Date, len(g), got)
				}
			}
			ref, err := fromGit.Versions(reg)
			if err != nil {
				t.Fatal(err)
			}
			if len(ref) != len(vs) {
				t.Fatalf("%s: %d versions, %d from the bundle", reg, len(vs), len(ref))
			}
			for i := range vs {
				if vs[i].Commit != ref[i].Commit || vs[i].Name != ref[i].Name {
					t.Errorf("%s: version %d is %s %s, from the bundle %s %s", reg, i, vs[i].Name, vs[i].Commit, ref[i].Name, ref[i].Commit)
					break
				}
			}
		}
	}
	for _, reg := range realstore.Registries {
		groups += len(realstore.SameDate(want[reg]))
	}
	if groups < 3 {
		t.Fatalf("only %d same-date groups in the shared data; want the 3 it holds", groups)
	}
	t.Run("git bundle", func(t *testing.T) { check(t, fromGit) })
	for _, tc := range []struct {
		name  string
		files []string
	}{
		{"files in order", files},
		{"files reversed", reversed(files)},
	} {
		t.Run(tc.name, func(t *testing.T) {
			s, err := snapshots.Create(filepath.Join(t.TempDir(), "store"))
			if err != nil {
				t.Fatal(err)
			}
			inputs, refused, done, err := snapshots.Collect(context.Background(), tc.files, snapshots.CollectOptions{})
			defer done()
			if err != nil || len(refused) > 0 {
				t.Fatal(err, refused)
			}
			sum, err := s.Import(context.Background(), inputs, snapshots.ImportOptions{})
			if err != nil || len(sum.Refused) > 0 {
				t.Fatal(err, sum.Refused)
			}
			for _, r := range sum.Reports {
				if len(r.Ties) > 0 {
					t.Errorf("%s: the content did not decide %v", r.Registry, r.Ties)
				}
			}
			check(t, s)
		})
	}
}

func reversed[T any](xs []T) []T {
	out := slices.Clone(xs)
	slices.Reverse(out)
	return out
}

package snapshots_test

import (
	"context"
	"path/filepath"
	"strings"
	"testing"

	"github.com/regdiff/regdiff/internal/realstore"
	"github.com/regdiff/regdiff/internal/shareddata"
	"github.com/regdiff/regdiff/snapshots"
	"github.com/regdiff/regdiff/snapshots/record"
)

// realInputs returns import inputs for a spread of the bundle's versions:
// every 12th of each registry, and every version of a same-date group.
func realInputs(t *testing.T) []snapshots.Input {
	t.Helper()
	keep := map[string]bool{}
	for _, reg := range realstore.Registries {
		vs := shareddata.Versions(t, reg)
		for _, v := range shareddata.Sample(vs, 12) {
			keep[v.Commit[:12]+":"+v.File] = true
		}
		for _, g := range realstore.SameDate(vs) {
			for _, v := range g {
				keep[v.Commit[:12]+":"+v.File] = true
			}
		}
	}
	var out []snapshots.Input
	for _, in := range bundleInputs(t) {
		loc := in.Source.Location
		if keep[loc[strings.LastIndexByte(loc, '@')+1:]] {
			out = append(out, in)
		}
	}
	return out
}

// TestReindexRealStore makes a store of real versions as an older regdiff
// wrote it (normalizer 1: records only), then reindexes it with this code: afterwards it must be the very
// store a fresh import of the same files gives, commit for commit, with
// the raw files, dates and version count as they were; a second reindex
// changes nothing.
func TestReindexRealStore(t *testing.T) {
	ctx := context.Background()
	inputs := realInputs(t)
	fresh, err := snapshots.Create(filepath.Join(t.TempDir(), "fresh"))
	if err != nil {
		t.Fatal(err)
	}
	if _, err := fresh.Import(ctx, inputs, snapshots.ImportOptions{}); err != nil {
		t.Fatal(err)
	}

	old, err := snapshots.Create(filepath.Join(t.TempDir(), "old"))
	if err != nil {
		t.Fatal(err)
	}
	restore := snapshots.UseNormalizer1()
	_, err = old.Import(ctx, realInputs(t), snapshots.ImportOptions{})
	restore()
	if err != nil {
		t.Fatal(err)
	}
	due, err := old.ReindexDue()
	if err != nil {
		t.Fatal(err)
	}
	before := map[string][]record.Version{}
	for _, reg := range realstore.Registries {
		if before[reg], err = old.Versions(reg); err != nil {
			t.Fatal(err)
		}
		if due[reg] != len(before[reg]) {
			t.Errorf("%s: %d versions due for a reindex, want all %d", reg, due[reg], len(before[reg]))
		}
	}
	if problems, err := old.Verify(ctx, nil); err != nil || len(problems) > 0 {
		t.Errorf("verify of a normalizer-1 store: %v %v", err, problems)
	}

	done, err := old.Reindex(ctx, realstore.Registries, nil)
	if err != nil {
		t.Fatal(err)
	}
	for _, r := range done {
		if r.Changed != r.Versions {
			t.Errorf("%s: %d of %d commits changed, want all (every tree gains registry.jsonl)", r.Registry, r.Changed, r.Versions)
		}
	}
	if due, _ := old.ReindexDue(); len(due) > 0 {
		t.Errorf("after reindex, still due: %v", due)
	}
	if problems, err := old.Verify(ctx, nil); err != nil || len(problems) > 0 {
		t.Errorf("verify after reindex: %v %v", err, problems)
	}
	for _, reg := range realstore.Registries {
		got, _ := old.Versions(reg)
		want, _ := fresh.Versions(reg)
		if len(got) != len(before[reg]) || len(got) != len(want) {
			t.Fatalf("%s: %d versions after reindex, %d before, %d in a fresh import", reg, len(got), len(before[reg]), len(want))
		}
		sha := map[string]bool{}
		for _, v := range before[reg] {
			sha[v.SHA256+v.Date] = true
		}
		for i, v := range got {
			if !sha[v.SHA256+v.Date] {
				t.Errorf("%s: version %s (%s) was not stored before the reindex", reg, v.Name, v.SHA256[:12])
			}
			if v.Commit != want[i].Commit || v.Name != want[i].Name || v.Normalizer != snapshots.Normalizer {
				t.Errorf("%s: version %d is %s %s (normalizer %d), a fresh import has %s %s", reg, i, v.Name, v.Commit, v.Normalizer, want[i].Name, want[i].Commit)
			}
		}
	}
	again, err := old.Reindex(ctx, realstore.Registries, nil)
	if err != nil {
		t.Fatal(err)
	}
	for _, r := range again {
		if r.Changed != 0 || len(r.Renamed) != 0 {
			t.Errorf("%s: a second reindex changed %d commits and renamed %v", r.Registry, r.Changed, r.Renamed)
		}
	}
}

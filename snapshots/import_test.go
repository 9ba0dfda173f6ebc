package snapshots_test

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"math/rand"
	"os"
	"path/filepath"
	"sort"
	"sync"
	"testing"

	"github.com/regdiff/regdiff/internal/shareddata"
	"github.com/regdiff/regdiff/snapshots"
)

// bundleInputs returns the shared bundle's versions as import inputs.
func bundleInputs(t testing.TB) []snapshots.Input {
	t.Helper()
	inputs, refused, done, err := snapshots.Collect(context.Background(), []string{shareddata.BundlePath(t)}, snapshots.CollectOptions{})
	t.Cleanup(done)
	if err != nil || len(refused) > 0 {
		t.Fatalf("Collect: %v %v", err, refused)
	}
	return inputs
}

// TestMain removes the shared clone and stores the tests made.
func TestMain(m *testing.M) { os.Exit(shareddata.Main(m)) }

var (
	fullOnce  sync.Once
	fullStore *snapshots.Store
	fullSum   *snapshots.Summary
	fullErr   error
)

// importedBundle imports the whole bundle once per test binary.
func importedBundle(t *testing.T) (*snapshots.Store, *snapshots.Summary) {
	t.Helper()
	inputs := bundleInputs(t)
	fullOnce.Do(func() {
		dir, err := shareddata.TempDir("regdiff-bundle-store-")
		if err != nil {
			fullErr = err
			return
		}
		fullStore, fullErr = snapshots.Create(filepath.Join(dir, "store"))
		if fullErr == nil {
			fullSum, fullErr = fullStore.Import(context.Background(), inputs, snapshots.ImportOptions{})
		}
	})
	if fullErr != nil {
		t.Fatal(fullErr)
	}
	return fullStore, fullSum
}

// TestImportBundle checks the import against the bundle as the git command
// line reads it: every version, with its date, byte for byte.
func TestImportBundle(t *testing.T) {
	if testing.Short() {
		t.Skip("imports 379 versions; skipped in -short")
	}
	s, sum := importedBundle(t)
	if len(sum.Refused) > 0 {
		t.Fatalf("refused: %v", sum.Refused)
	}
	for _, reg := range []string{"service-names-port-numbers", "protocol-numbers"} {
		t.Run(reg, func(t *testing.T) {
			want := shareddata.Versions(t, reg)
			got, err := s.Versions(reg)
			if err != nil {
				t.Fatal(err)
			}
			if len(got) != len(want) {
				t.Fatalf("%d versions stored, want %d", len(got), len(want))
			}
			for i := range want {
				raw := shareddata.Read(t, want[i])
				sum := sha256.Sum256(raw)
				if got[i].Date != want[i].Date || got[i].SHA256 != hex.EncodeToString(sum[:]) {
					t.Errorf("version %d: got %s %s…, want %s %x…", i, got[i].Date, got[i].SHA256[:12], want[i].Date, sum[:6])
				}
				if i%50 == 0 || i == len(want)-1 {
					stored, err := s.Raw(got[i])
					if err != nil || string(stored) != string(raw) {
						t.Errorf("version %s: raw file is not byte-exact (%v)", got[i].Name, err)
					}
				}
			}
		})
	}
	// Re-importing changes nothing and says so.
	before, _ := os.ReadFile(filepath.Join(s.Dir(), "packed-refs"))
	again, err := s.Import(context.Background(), bundleInputs(t), snapshots.ImportOptions{})
	if err != nil {
		t.Fatal(err)
	}
	added, existing := again.Counts()
	after, _ := os.ReadFile(filepath.Join(s.Dir(), "packed-refs"))
	if added != 0 || existing != 379 || string(before) != string(after) {
		t.Errorf("re-import: %d added, %d existing, refs changed: %v; want 0, 379, false", added, existing, string(before) != string(after))
	}
}

// TestImportOrderDoesNotMatter imports versions in a shuffled order, in
// several batches, and expects the very same commits as one import in the
// bundle's order.
func TestImportOrderDoesNotMatter(t *testing.T) {
	inputs := bundleInputs(t)
	// Every same-date pair, plus a spread of the rest.
	byDate := map[string][]snapshots.Input{}
	var subset []snapshots.Input
	for i, in := range inputs {
		d := in.Source.Seen.Format("2006-01-02")
		byDate[d] = append(byDate[d], in)
		if i%23 == 0 {
			subset = append(subset, in)
		}
	}
	for _, ins := range byDate {
		if len(ins) > 1 {
			subset = append(subset, ins...)
		}
	}
	// Dedup (a same-date version may also be in the spread).
	seen := map[string]bool{}
	var uniq []snapshots.Input
	for _, in := range subset {
		if !seen[in.Source.Location] {
			seen[in.Source.Location] = true
			uniq = append(uniq, in)
		}
	}
	sort.SliceStable(uniq, func(i, j int) bool { return uniq[i].Source.Seen.Before(uniq[j].Source.Seen) })

	importAll := func(batches ...[]snapshots.Input) map[string]string {
		s, err := snapshots.Create(filepath.Join(t.TempDir(), "store"))
		if err != nil {
			t.Fatal(err)
		}
		for _, b := range batches {
			if _, err := s.Import(context.Background(), b, snapshots.ImportOptions{}); err != nil {
				t.Fatal(err)
			}
		}
		out := map[string]string{}
		for _, reg := range []string{"service-names-port-numbers", "protocol-numbers"} {
			vs, err := s.Versions(reg)
			if err != nil {
				continue
			}
			for _, v := range vs {
				out[reg+"/"+v.Name] = v.Commit.String()
			}
		}
		return out
	}
	want := importAll(uniq)
	shuffled := append([]snapshots.Input(nil), uniq...)
	rand.New(rand.NewSource(1)).Shuffle(len(shuffled), func(i, j int) { shuffled[i], shuffled[j] = shuffled[j], shuffled[i] })
	third := len(shuffled) / 3
	got := importAll(shuffled[:third], shuffled[third:2*third], shuffled[2*third:])
	if len(want) < 20 {
		t.Fatalf("only %d versions in the subset", len(want))
	}
	for k, h := range want {
		if got[k] != h {
			t.Errorf("%s: commit %s after a shuffled import, %s in order", k, got[k], h)
		}
	}
	if len(got) != len(want) {
		t.Errorf("%d versions after a shuffled import, %d in order", len(got), len(want))
	}
}

// BenchmarkImportBundle imports the whole shared bundle into a new store.
// bench/run times the same through the CLI against a git CLI replay.
func BenchmarkImportBundle(b *testing.B) {
	for b.Loop() {
		b.StopTimer()
		s, err := snapshots.Create(filepath.Join(b.TempDir(), "store"))
		if err != nil {
			b.Fatal(err)
		}
		inputs := bundleInputs(b)
		b.StartTimer()
		if _, err := s.Import(context.Background(), inputs, snapshots.ImportOptions{}); err != nil {
			b.Fatal(err)
		}
	}
}

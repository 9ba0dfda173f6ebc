package snapshots_test

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"math/rand"
	"os"
	"path/filepath"
	"sort"
	"testing"

	"github.com/regdiff/regdiff/internal/realstore"
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

// TestImportBundle checks the shared real store, imported from the bundle
// (package realstore), against the bundle as the git command line reads
// it: every version, with its date, byte for byte. Then importing the
// bundle again changes nothing and says so.
func TestImportBundle(t *testing.T) {
	dir, bundle := realstore.Store(t)
	s, err := snapshots.Open(dir)
	if err != nil {
		t.Fatal(err)
	}
	n := 0
	for _, reg := range realstore.Registries {
		t.Run(reg, func(t *testing.T) {
			want := bundle[reg]
			n += len(want)
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
	// Re-importing changes nothing and says so (on a copy: the shared
	// store is read-only).
	c, err := snapshots.Open(realstore.Copy(t))
	if err != nil {
		t.Fatal(err)
	}
	before, _ := os.ReadFile(filepath.Join(c.Dir(), "packed-refs"))
	var inputs []snapshots.Input
	for _, in := range bundleInputs(t) {
		if realstore.Holds(bundle, in.Source.Location) {
			inputs = append(inputs, in)
		}
	}
	again, err := c.Import(context.Background(), inputs, snapshots.ImportOptions{})
	if err != nil {
		t.Fatal(err)
	}
	added, existing := again.Counts()
	after, _ := os.ReadFile(filepath.Join(c.Dir(), "packed-refs"))
	if added != 0 || existing != n || string(before) != string(after) {
		t.Errorf("re-import: %d added, %d existing, refs changed: %v; want 0, %d, false", added, existing, string(before) != string(after), n)
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

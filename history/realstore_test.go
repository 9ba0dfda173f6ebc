package history

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/regdiff/regdiff/internal/shareddata"
	"github.com/regdiff/regdiff/snapshots"
)

const ports = "service-names-port-numbers"

// The store built from the shared bundle, once per test binary: every
// version, or in -short mode every 5th (and the last).
var real struct {
	once     sync.Once
	dir      string
	store    *snapshots.Store
	versions []shareddata.Version // the bundle versions imported, oldest first
	err      error
}

func TestMain(m *testing.M) { os.Exit(shareddata.Main(m)) }

// realStore returns the store built from ../shared/data/iana-history.bundle
// and the bundle versions it holds, or skips when the data is absent.
func realStore(tb testing.TB) (*snapshots.Store, []shareddata.Version) {
	tb.Helper()
	bundle := shareddata.BundlePath(tb) // skips without the data
	all := shareddata.Versions(tb, ports)
	real.once.Do(func() {
		start := time.Now()
		want := all
		if testing.Short() {
			want = shareddata.Sample(all, 5)
		}
		real.versions = want
		ctx := context.Background()
		// REGDIFF_HISTORY_STORE keeps the store between runs (importing
		// takes about a minute); it is checked against the bundle below
		// like a fresh one, and imported into when it lacks versions
		// (-short uses its own, REGDIFF_HISTORY_STORE-short).
		if real.dir = os.Getenv("REGDIFF_HISTORY_STORE"); real.dir == "" {
			tmp, err := shareddata.TempDir("regdiff-history-")
			if err != nil {
				real.err = err
				return
			}
			real.dir = filepath.Join(tmp, "store")
		} else if testing.Short() {
			real.dir += "-short"
		}
		if s, err := snapshots.Open(real.dir); err == nil && sameVersions(s, want) == nil {
			real.store = s
			return
		}
		inputs, refused, done, err := snapshots.Collect(ctx, []string{bundle}, snapshots.CollectOptions{Paths: []string{ports + ".xml"}})
		defer done()
		if err != nil || len(refused) > 0 {
			real.err = fmt.Errorf("collect %s: %v %v", bundle, err, refused)
			return
		}
		keep := map[string]bool{}
		for _, v := range want {
			keep[v.Commit[:12]] = true
		}
		var picked []snapshots.Input
		for _, in := range inputs {
			// Location is bundle@COMMIT12:path.
			at := strings.LastIndexByte(in.Source.Location, '@')
			if at >= 0 && len(in.Source.Location) >= at+13 && keep[in.Source.Location[at+1:at+13]] {
				picked = append(picked, in)
			}
		}
		if len(picked) != len(want) {
			real.err = fmt.Errorf("collect %s: %d inputs match the %d bundle versions wanted", bundle, len(picked), len(want))
			return
		}
		s, err := snapshots.Create(real.dir)
		if err != nil {
			real.err = err
			return
		}
		sum, err := s.Import(ctx, picked, snapshots.ImportOptions{})
		if err != nil || len(sum.Refused) > 0 {
			real.err = fmt.Errorf("import %s: %v %v", bundle, err, sum.Refused)
			return
		}
		if real.err = sameVersions(s, want); real.err != nil {
			return
		}
		real.store = s
		fmt.Fprintf(os.Stderr, "history: built a store of %d versions from the bundle in %v\n", len(want), time.Since(start).Round(time.Millisecond))
	})
	if real.err != nil {
		tb.Fatal(real.err)
	}
	return real.store, real.versions
}

// sameVersions checks that the store holds exactly the bundle versions
// want, in the same order.
func sameVersions(s *snapshots.Store, want []shareddata.Version) error {
	vs, err := s.Versions(ports)
	if err != nil {
		return err
	}
	if len(vs) != len(want) {
		return fmt.Errorf("store %s holds %d versions, want %d", s.Dir(), len(vs), len(want))
	}
	for i, v := range vs {
		if v.Date != want[i].Date {
			return fmt.Errorf("store %s: version %d is %s, the bundle's is %s", s.Dir(), i, v.Date, want[i].Date)
		}
	}
	return nil
}

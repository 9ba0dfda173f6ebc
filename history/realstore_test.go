package history

import (
	"os"
	"testing"

	"github.com/regdiff/regdiff/internal/realstore"
	"github.com/regdiff/regdiff/internal/shareddata"
	"github.com/regdiff/regdiff/snapshots"
)

const ports = "service-names-port-numbers"

func TestMain(m *testing.M) { os.Exit(shareddata.Main(m)) }

// realStore returns the store built once per test binary from
// ../shared/data/iana-history.bundle (see package realstore) and the bundle
// versions of the port registry it holds, or skips when the data is absent.
func realStore(tb testing.TB) (*snapshots.Store, []shareddata.Version) {
	tb.Helper()
	dir, versions := realstore.Store(tb)
	s, err := snapshots.Open(dir)
	if err != nil {
		tb.Fatal(err)
	}
	return s, versions[ports]
}

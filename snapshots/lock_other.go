//go:build (!unix && !windows) || aix

package snapshots

import (
	"os"
	"path/filepath"
	"sync"
)

// On systems with no file lock regdiff can use (Plan 9, js/wasm, wasip1,
// and AIX, which has no flock)
// the lock keeps the writers of one process apart, and nothing more: two
// regdiff processes writing one store at once are not prevented there.
var (
	heldMu sync.Mutex
	held   = map[string]bool{} // lock files held, by absolute path
)

func tryLock(f *os.File) (bool, error) {
	p, err := filepath.Abs(f.Name())
	if err != nil {
		return false, err
	}
	heldMu.Lock()
	defer heldMu.Unlock()
	if held[p] {
		return false, nil
	}
	held[p] = true
	return true, nil
}

func unlockFile(f *os.File) {
	p, _ := filepath.Abs(f.Name())
	heldMu.Lock()
	delete(held, p)
	heldMu.Unlock()
}

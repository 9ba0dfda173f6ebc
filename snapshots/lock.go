package snapshots

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"time"
)

// Lock takes the store's write lock, waiting up to wait for another writer
// to finish. The lock is one the operating system holds on a file in the
// store (flock on Unix, LockFileEx on Windows), so it is released when a
// process dies, however it dies. Where the system has no such lock (see
// lock_other.go) it only keeps two writers of one process apart.
func (s *Store) Lock(ctx context.Context, wait time.Duration) (unlock func(), err error) {
	f, err := os.OpenFile(filepath.Join(s.dir, "regdiff.lock"), os.O_RDWR|os.O_CREATE, 0o644)
	if err != nil {
		return nil, fmt.Errorf("lock store %s: %w", s.dir, err)
	}
	deadline := time.Now().Add(wait)
	for {
		ok, err := tryLock(f)
		if err != nil {
			f.Close()
			return nil, fmt.Errorf("lock store %s: %w", s.dir, err)
		}
		if ok {
			// A lock won on a file no longer at its path (a store
			// removed and made again while this one waited) guards
			// nothing: say so rather than write into it.
			held, err1 := f.Stat()
			there, err2 := os.Stat(filepath.Join(s.dir, "regdiff.lock"))
			if err1 != nil || err2 != nil || !os.SameFile(held, there) {
				f.Close()
				return nil, fmt.Errorf("lock store %s: the store was removed while waiting for its lock", s.dir)
			}
			break
		}
		if time.Now().After(deadline) {
			f.Close()
			return nil, fmt.Errorf("%w (%s); try again later or raise --wait", ErrLocked, s.dir)
		}
		select {
		case <-ctx.Done():
			f.Close()
			return nil, ctx.Err()
		case <-time.After(50 * time.Millisecond):
		}
	}
	return func() {
		unlockFile(f)
		f.Close()
	}, nil
}

//go:build unix

package snapshots

import (
	"context"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"
)

// A FIFO, a device or a socket is refused up front: reading one blocks
// forever or never ends, holding the store's lock.
func TestCollectRefusesSpecialFiles(t *testing.T) {
	fifo := filepath.Join(t.TempDir(), "registry.xml")
	if err := syscall.Mkfifo(fifo, 0o644); err != nil {
		t.Skip("mkfifo:", err)
	}
	type result struct {
		inputs  []Input
		refused []Refusal
	}
	got := make(chan result, 1)
	go func() {
		in, ref, done, _ := Collect(context.Background(), []string{fifo, "/dev/zero"}, CollectOptions{})
		done()
		got <- result{in, ref}
	}()
	select {
	case r := <-got:
		if len(r.inputs) != 0 || len(r.refused) != 2 {
			t.Fatalf("inputs %d, refused %v; want both refused", len(r.inputs), r.refused)
		}
		for i, want := range []string{"a named pipe", "a device"} {
			if !strings.Contains(r.refused[i].Err.Error(), "not a regular file ("+want+")") {
				t.Errorf("refusal %q, want it to say %s", r.refused[i].Err, want)
			}
		}
	case <-time.After(20 * time.Second): // a hang guard, not a speed target
		t.Fatal("Collect blocked on a FIFO")
	}
}

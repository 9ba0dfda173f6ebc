package snapshots

import (
	"context"
	"errors"
	"os/exec"
	"path/filepath"
	"testing"

	"github.com/go-git/go-git/v5/plumbing"
)

// TestPushPacksChangedMidway: a push whose view of the packs was taken
// before they changed (a concurrent import drops its checkpoint packs, a
// fetch packs its loose objects or merges packs) may not find the store's
// commits where it looks; that is a reason to look again, never a remote
// holding history the store lacks.
func TestPushPacksChangedMidway(t *testing.T) {
	for _, tc := range []struct {
		name string
		// packed: the pushed version is in a pack before the view is
		// taken (the pack is then replaced); else it is loose (and then
		// packed, its loose copy removed).
		packed bool
	}{{"pack replaced", true}, {"loose objects packed", false}} {
		t.Run(tc.name, func(t *testing.T) {
			s := newStore(t)
			commit := func(v ov) {
				t.Helper()
				if _, err := s.Commit([]Prepared{v.prepare(t, s)}); err != nil {
					t.Fatal(err)
				}
			}
			commit(ov{name: "v1", date: "2019-01-01", recs: []string{"a"}})
			if tc.packed {
				if err := s.Pack(true); err != nil {
					t.Fatal(err)
				}
			}
			remote := filepath.Join(t.TempDir(), "remote.git")
			if out, err := exec.Command("git", "init", "-q", "--bare", remote).CombinedOutput(); err != nil {
				t.Fatalf("git init --bare: %v\n%s", err, out)
			}
			ctx := context.Background()
			if _, err := s.Push(ctx, remote, PushOptions{}); err != nil {
				t.Fatal(err)
			}
			commit(ov{name: "v2", date: "2020-01-01", recs: []string{"b"}})
			view := open(s.dir)
			// An object in no pack and not loose: the view lists the packs.
			if err := view.st.HasEncodedObject(plumbing.NewHash("01")); !errors.Is(err, plumbing.ErrObjectNotFound) {
				t.Fatalf("looking up a missing object: %v", err)
			}
			if err := s.Pack(true); err != nil {
				t.Fatal(err)
			}
			res, err := view.push(ctx, remote, PushOptions{})
			if err != nil && (errors.Is(err, ErrNonFastForward) || !vanished(err)) {
				t.Fatalf("push from a view of the packs before they changed: %v; want success or an error Push starts again on", err)
			}
			if err == nil && (len(res.Updated) == 0 || len(res.Refused) > 0) {
				t.Errorf("push from a view of the packs before they changed: %+v", res)
			}
			res, err = s.Push(ctx, remote, PushOptions{})
			if err != nil {
				t.Fatal(err)
			}
			if len(res.Refused) > 0 {
				t.Errorf("push after the packs changed: %+v", res)
			}
		})
	}
}

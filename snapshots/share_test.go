package snapshots_test

import (
	"bytes"
	"context"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"testing"

	"github.com/go-git/go-git/v5"
	"github.com/go-git/go-git/v5/config"
	"github.com/go-git/go-git/v5/plumbing/format/idxfile"
	"github.com/go-git/go-git/v5/plumbing/format/packfile"

	"github.com/regdiff/regdiff/internal/realstore"
	"github.com/regdiff/regdiff/snapshots"
)

// pushedRealStore pushes the shared bundle's store to a bare repository
// made by the git CLI.
func pushedRealStore(b *testing.B) string {
	b.Helper()
	dir, _ := realstore.Store(b)
	remote := filepath.Join(b.TempDir(), "remote.git")
	if out, err := exec.Command("git", "init", "-q", "--bare", remote).CombinedOutput(); err != nil {
		b.Fatalf("git init --bare: %v\n%s", err, out)
	}
	s, err := snapshots.Open(dir)
	if err != nil {
		b.Fatal(err)
	}
	if _, err := s.Push(context.Background(), remote, snapshots.PushOptions{}); err != nil {
		b.Fatal(err)
	}
	return remote
}

// BenchmarkClone clones the shared bundle's store from a bare repository
// on disk: the transfer, the verify and the rename. The sub-benchmarks
// measure, in the same run, a bare clone by the git CLI and by go-git
// alone (the transfer without regdiff's checks), and the verify alone.
func BenchmarkClone(b *testing.B) {
	remote := pushedRealStore(b)
	b.Run("regdiff", func(b *testing.B) {
		for i := 0; b.Loop(); i++ {
			dst := filepath.Join(b.TempDir(), "store")
			if _, err := snapshots.Clone(context.Background(), remote, dst, nil); err != nil {
				b.Fatal(err)
			}
		}
	})
	b.Run("git-clone-bare", func(b *testing.B) {
		for b.Loop() {
			dst := filepath.Join(b.TempDir(), "store")
			if out, err := exec.Command("git", "clone", "-q", "--bare", "--no-local", remote, dst).CombinedOutput(); err != nil {
				b.Fatalf("git clone: %v\n%s", err, out)
			}
		}
	})
	b.Run("go-git-clone-bare", func(b *testing.B) {
		for b.Loop() {
			dst := filepath.Join(b.TempDir(), "store")
			// Not PlainClone: the remote's HEAD names no branch.
			r, err := git.PlainInit(dst, true)
			if err != nil {
				b.Fatal(err)
			}
			rem, err := r.CreateRemote(&config.RemoteConfig{Name: "origin", URLs: []string{remote}})
			if err != nil {
				b.Fatal(err)
			}
			specs := []config.RefSpec{"+refs/heads/*:refs/heads/*", "+refs/tags/*:refs/tags/*", "+refs/regdiff/*:refs/regdiff/*"}
			if err := rem.Fetch(&git.FetchOptions{RefSpecs: specs, Tags: git.NoTags}); err != nil {
				b.Fatal(err)
			}
		}
	})
	b.Run("verify-only", func(b *testing.B) {
		dir, _ := realstore.Store(b)
		s, err := snapshots.Open(dir)
		if err != nil {
			b.Fatal(err)
		}
		for b.Loop() {
			if p, err := s.Verify(context.Background(), nil); err != nil || len(p) > 0 {
				b.Fatal(p, err)
			}
		}
	})
}

// BenchmarkPush pushes the shared bundle's store to an empty bare
// repository, against git push of the same refs by the CLI.
func BenchmarkPush(b *testing.B) {
	dir, _ := realstore.Store(b)
	fresh := func(b *testing.B) string {
		remote := filepath.Join(b.TempDir(), "remote.git")
		if out, err := exec.Command("git", "init", "-q", "--bare", remote).CombinedOutput(); err != nil {
			b.Fatalf("git init --bare: %v\n%s", err, out)
		}
		return remote
	}
	s, err := snapshots.Open(dir)
	if err != nil {
		b.Fatal(err)
	}
	b.Run("regdiff", func(b *testing.B) {
		for b.Loop() {
			b.StopTimer()
			remote := fresh(b)
			b.StartTimer()
			if _, err := s.Push(context.Background(), remote, snapshots.PushOptions{}); err != nil {
				b.Fatal(err)
			}
		}
	})
	b.Run("git-push", func(b *testing.B) {
		for b.Loop() {
			b.StopTimer()
			remote := fresh(b)
			b.StartTimer()
			cmd := exec.Command("git", "-C", dir, "push", "-q", remote, "refs/heads/*:refs/heads/*", "refs/tags/*:refs/tags/*", "refs/regdiff/*:refs/regdiff/*")
			cmd.Env = append(os.Environ(), "GIT_TERMINAL_PROMPT=0")
			if out, err := cmd.CombinedOutput(); err != nil {
				b.Fatalf("git push: %v\n%s", err, out)
			}
		}
	})
}

// BenchmarkIndexPack indexes the pack of the shared bundle's store, as a
// clone receives it (the pack of the bare repository it was pushed to),
// against go-git's parser and git index-pack of the same pack.
func BenchmarkIndexPack(b *testing.B) {
	dir := pushedRealStore(b)
	packs, _ := filepath.Glob(filepath.Join(dir, "objects", "pack", "*.pack"))
	if len(packs) != 1 {
		b.Fatalf("%d packs in the pushed store", len(packs))
	}
	pack, err := os.ReadFile(packs[0])
	if err != nil {
		b.Fatal(err)
	}
	b.Run("regdiff", func(b *testing.B) {
		for b.Loop() {
			if _, _, err := snapshots.IndexPack(pack, runtime.GOMAXPROCS(0)); err != nil {
				b.Fatal(err)
			}
		}
	})
	b.Run("go-git", func(b *testing.B) {
		for b.Loop() {
			p, err := packfile.NewParser(packfile.NewScanner(bytes.NewReader(pack)), new(idxfile.Writer))
			if err == nil {
				_, err = p.Parse()
			}
			if err != nil {
				b.Fatal(err)
			}
		}
	})
	b.Run("git-index-pack", func(b *testing.B) {
		for b.Loop() {
			out := filepath.Join(b.TempDir(), "p.idx")
			if o, err := exec.Command("git", "index-pack", "-o", out, packs[0]).CombinedOutput(); err != nil {
				b.Fatalf("git index-pack: %v: %s", err, o)
			}
		}
	})
}

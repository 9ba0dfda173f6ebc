package history

import (
	"context"
	"io"
	"os/exec"
	"path/filepath"
	"testing"

	"github.com/regdiff/regdiff/internal/shareddata"
	"github.com/regdiff/regdiff/snapshots"
)

// BenchmarkHistory253 times `regdiff history 253` minus process start, on
// the store built from the shared bundle: open the store (and the index),
// build the history over every version, write the text.
//
//   - warm-index: the index file already knows every version (the usual
//     case: each history or changelog run saves what it learned).
//   - no-index: Build straight on the store, decoding the blobs it needs.
//   - git-log-S: the baseline of issue 4, git's pickaxe over the raw XML
//     history in a clone of the bundle, timed in the same run.
func BenchmarkHistory253(b *testing.B) {
	s, _ := realStore(b)
	q, err := ParseQuery("253")
	if err != nil {
		b.Fatal(err)
	}
	run := func(b *testing.B, src func(*snapshots.Store) Source) {
		st, err := snapshots.Open(s.Dir())
		if err != nil {
			b.Fatal(err)
		}
		h, err := Build(context.Background(), src(st), ports, q)
		if err != nil {
			b.Fatal(err)
		}
		if err := WriteText(io.Discard, h, false); err != nil {
			b.Fatal(err)
		}
	}
	idx := filepath.Join(b.TempDir(), "history.idx")
	warm := func(st *snapshots.Store) Source {
		ix, err := OpenIndex(st, idx)
		if err != nil {
			b.Fatal(err)
		}
		return ix
	}
	// Warm the index once, as a first run would.
	ix, _ := OpenIndex(s, idx)
	if _, err := Build(context.Background(), ix, ports, q); err != nil {
		b.Fatal(err)
	}
	if err := ix.Save(); err != nil {
		b.Fatal(err)
	}
	b.Run("warm-index", func(b *testing.B) {
		b.ReportAllocs()
		for b.Loop() {
			run(b, warm)
		}
	})
	b.Run("no-index", func(b *testing.B) {
		b.ReportAllocs()
		for b.Loop() {
			run(b, func(st *snapshots.Store) Source { return st })
		}
	})
	b.Run("git-log-S", func(b *testing.B) {
		if _, err := exec.LookPath("git"); err != nil {
			b.Skip("git not installed")
		}
		clone := shareddata.Clone(b)
		for b.Loop() {
			// No version has <number>253</number> (253 is in the range
			// 249-255), so git finds nothing, after reading every version.
			if err := exec.Command("git", "-C", clone, "log", "-S<number>253</number>", "--format=%H", "main", "--", ports+".xml").Run(); err != nil {
				b.Fatalf("git log -S: %v", err)
			}
		}
	})
}

// BenchmarkValueHistory times a value query's history in registries other
// than ports, on a store of six registries of the mirror bundle (see
// valueStore), as BenchmarkHistory253 does for ports: warm-index with the
// index file knowing every version, no-index straight on the store. The
// targets are those of ports (≤ 150 ms); bench/run times the CLI.
func BenchmarkValueHistory(b *testing.B) {
	s := valueStore(b)
	for _, c := range []struct{ registry, value string }{
		{"media-types", "application/json"},
		{"tls-parameters", "0x13,0x01"},
		{"dns-parameters", "AAAA"},
		{"protocol-numbers", "6"},
	} {
		q, err := ValueQuery(c.value, "")
		if err != nil {
			b.Fatal(err)
		}
		idx := filepath.Join(b.TempDir(), "history.idx")
		ix, _ := OpenIndex(s, idx)
		if _, err := Build(context.Background(), ix, c.registry, q); err != nil {
			b.Fatal(err)
		}
		if err := ix.Save(); err != nil {
			b.Fatal(err)
		}
		for _, warm := range []bool{true, false} {
			name := c.registry + "/no-index"
			if warm {
				name = c.registry + "/warm-index"
			}
			b.Run(name, func(b *testing.B) {
				for b.Loop() {
					st, err := snapshots.Open(s.Dir())
					if err != nil {
						b.Fatal(err)
					}
					var src Source = st
					if warm {
						if src, err = OpenIndex(st, idx); err != nil {
							b.Fatal(err)
						}
					}
					h, err := Build(context.Background(), src, c.registry, q)
					if err != nil {
						b.Fatal(err)
					}
					if err := WriteText(io.Discard, h, false); err != nil {
						b.Fatal(err)
					}
				}
			})
		}
	}
}

package sqlexport_test

import (
	"context"
	"os"
	"path/filepath"
	"testing"

	"github.com/regdiff/regdiff/diff"
	"github.com/regdiff/regdiff/internal/realstore"
	"github.com/regdiff/regdiff/snapshots"
	"github.com/regdiff/regdiff/sqlexport"
)

func benchStore(b *testing.B) *snapshots.Store {
	dir, _ := realstore.Store(b)
	s, err := snapshots.Open(dir)
	if err != nil {
		b.Fatal(err)
	}
	return s
}

// BenchmarkExportSQLite is a fresh export of the shared bundle's store
// (issue 14: ≤ 60 s, database ≤ 100 MB, reported as MB). Its baseline, in
// the same run, is BenchmarkDiffEveryPair: the comparisons alone.
func BenchmarkExportSQLite(b *testing.B) {
	s := benchStore(b)
	dir := b.TempDir()
	var size int64
	for i := 0; b.Loop(); i++ {
		path := filepath.Join(dir, "iana.db")
		os.Remove(path)
		if _, err := sqlexport.Export(context.Background(), s, path, sqlexport.Options{}); err != nil {
			b.Fatal(err)
		}
		fi, err := os.Stat(path)
		if err != nil {
			b.Fatal(err)
		}
		size = fi.Size()
	}
	b.ReportMetric(float64(size)/1e6, "MB")
}

// BenchmarkExportSQLiteNothingNew is an export into a file that holds
// every version already.
func BenchmarkExportSQLiteNothingNew(b *testing.B) {
	s := benchStore(b)
	path := filepath.Join(b.TempDir(), "iana.db")
	if _, err := sqlexport.Export(context.Background(), s, path, sqlexport.Options{}); err != nil {
		b.Fatal(err)
	}
	for b.Loop() {
		if _, err := sqlexport.Export(context.Background(), s, path, sqlexport.Options{}); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkDiffEveryPair is diff.Between over every consecutive pair of
// every registry of the store: what an export computes before it writes.
func BenchmarkDiffEveryPair(b *testing.B) {
	s := benchStore(b)
	for b.Loop() {
		for _, reg := range realstore.Registries {
			vs, err := s.Versions(reg)
			if err != nil {
				b.Fatal(err)
			}
			for i := 1; i < len(vs); i++ {
				if _, err := diff.Between(s, vs[i-1], vs[i], diff.Filter{}); err != nil {
					b.Fatal(err)
				}
			}
		}
	}
}

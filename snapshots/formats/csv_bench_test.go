package formats

import (
	"os"
	"path/filepath"
	"testing"

	"github.com/regdiff/regdiff/internal/shareddata"
)

func BenchmarkParseCSV(b *testing.B) {
	data, err := os.ReadFile(filepath.Join(shareddata.Dir(b), "csv", "service-names-port-numbers_2023-10-26_seen-2023-11-14_8fe644f3.csv"))
	if err != nil {
		b.Fatal(err)
	}
	b.SetBytes(int64(len(data)))
	b.ReportAllocs()
	for b.Loop() {
		if _, err := ParseCSV(data); err != nil {
			b.Fatal(err)
		}
	}
}

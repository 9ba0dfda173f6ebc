package formats

import (
	"os"
	"path/filepath"
	"testing"

	"github.com/regdiff/regdiff/internal/shareddata"
)

func BenchmarkParseTextRendering(b *testing.B) {
	data, err := os.ReadFile(filepath.Join(shareddata.Dir(b), "legacy", "text-renderings", "service-names-port-numbers-2014-07-11.txt"))
	if err != nil {
		b.Fatal(err)
	}
	b.SetBytes(int64(len(data)))
	b.ReportAllocs()
	for b.Loop() {
		if _, err := ParseTextRendering(data); err != nil {
			b.Fatal(err)
		}
	}
}

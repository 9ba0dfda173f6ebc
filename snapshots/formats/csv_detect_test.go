package formats

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/regdiff/regdiff/internal/shareddata"
)

// TestLooksCSVAndTextRendering runs both detectors on the first 4 KiB of
// every shared file of every format (a sample of the bundle's XML
// versions) and of the test fixtures: each must say yes to its own format
// only.
func TestLooksCSVAndTextRendering(t *testing.T) {
	type file struct {
		name string
		data []byte
	}
	var files []file
	add := func(pattern string) {
		t.Helper()
		names, err := filepath.Glob(pattern)
		if err != nil {
			t.Fatal(err)
		}
		for _, n := range names {
			data, err := os.ReadFile(n)
			if err != nil {
				t.Fatal(err)
			}
			files = append(files, file{n, data})
		}
	}
	for _, p := range []string{"xml/*.xml", "xml/bad/*.xml", "csv/*.csv", "textrender/*.txt"} {
		add(filepath.Join("testdata", p))
	}
	root := shareddata.Dir(t)
	for _, p := range []string{"csv/*.csv", "legacy/*/*.txt"} {
		add(filepath.Join(root, p))
	}
	for _, reg := range []string{"service-names-port-numbers", "protocol-numbers"} {
		for _, v := range shareddata.Sample(shareddata.Versions(t, reg), 20) {
			files = append(files, file{v.Date + "/" + v.File, shareddata.Read(t, v)})
		}
	}
	var csvs, renderings int
	for _, f := range files {
		head := f.data[:min(len(f.data), 4096)]
		wantCSV := strings.HasSuffix(f.name, ".csv")
		wantText := strings.Contains(f.name, "text-renderings/") || strings.Contains(f.name, filepath.Join("testdata", "textrender"))
		if got := looksCSV(head); got != wantCSV {
			t.Errorf("%s: got looksCSV %v, want %v", f.name, got, wantCSV)
		}
		if got := looksTextRendering(head); got != wantText {
			t.Errorf("%s: got looksTextRendering %v, want %v", f.name, got, wantText)
		}
		if wantCSV {
			csvs++
		}
		if wantText {
			renderings++
		}
	}
	if csvs < 24+3 || renderings < 4+2 || len(files) < 60 {
		t.Errorf("got %d files, %d CSVs and %d renderings: shared data missing?", len(files), csvs, renderings)
	}
}

func TestLooksCSV(t *testing.T) {
	for _, tc := range []struct {
		name, head string
		want       bool
	}{
		{"2018 header", csvHead2018, true},
		{"2019 header", csvHead2019, true},
		{"CRLF", strings.ReplaceAll(csvHead2019, "\n", "\r\n"), true},
		{"byte order mark", "\ufeff" + csvHead2018, true},
		{"header cut by the 4 KiB limit", csvHead2018[:70], true},
		{"other CSV", "name,port,protocol\nssh,22,tcp\n", false},
		{"header not first", "\n" + csvHead2018, false},
		{"empty", "", false},
	} {
		t.Run(tc.name, func(t *testing.T) {
			if got := looksCSV([]byte(tc.head)); got != tc.want {
				t.Errorf("got %v, want %v", got, tc.want)
			}
		})
	}
}

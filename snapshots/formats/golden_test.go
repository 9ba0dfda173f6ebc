package formats

import (
	"bytes"
	"encoding/json"
	"errors"
	"flag"
	"os"
	"path/filepath"
	"testing"

	"github.com/regdiff/regdiff/snapshots/record"
)

var update = flag.Bool("update", false, "rewrite the golden files under testdata")

// checkGolden compares reg, as indented JSON, with the golden file,
// rewriting it with -update.
func checkGolden(t *testing.T, reg *record.Registry, golden string) {
	t.Helper()
	var buf bytes.Buffer
	enc := json.NewEncoder(&buf)
	enc.SetEscapeHTML(false)
	enc.SetIndent("", "\t")
	if err := enc.Encode(reg); err != nil {
		t.Fatal(err)
	}
	got := buf.Bytes()
	if *update {
		if err := os.WriteFile(golden, got, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	want, err := os.ReadFile(golden)
	if err != nil {
		t.Fatalf("%v (run go test -update to create it)", err)
	}
	if !bytes.Equal(got, want) {
		t.Errorf("got:\n%s\nwant (%s):\n%s", got, golden, want)
	}
}

// addFixtures seeds a fuzz target with the files under testdata matching
// each pattern; a pattern matching nothing is a mistake.
func addFixtures(f *testing.F, patterns ...string) {
	f.Helper()
	for _, pattern := range patterns {
		files, err := filepath.Glob(filepath.Join("testdata", pattern))
		if err != nil || len(files) == 0 {
			f.Fatalf("no fixtures match testdata/%s: %v", pattern, err)
		}
		for _, file := range files {
			data, err := os.ReadFile(file)
			if err != nil {
				f.Fatal(err)
			}
			f.Add(data)
		}
	}
}

// checkParseError fails unless err is a *ParseError naming a line of data.
func checkParseError(t *testing.T, err error, data []byte) {
	t.Helper()
	var pe *ParseError
	if !errors.As(err, &pe) || pe.Line < 1 || pe.Line > 1+bytes.Count(data, []byte{'\n'}) {
		t.Fatalf("got error %T %v, want a *ParseError with a line of the input", err, err)
	}
}

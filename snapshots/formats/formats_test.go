package formats

import (
	"bytes"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// Every row of the table is reached by a fixture of its format, and its
// parser stamps versions with the row's name, which is what the store
// records and what Carries and FoldsNames look up.
func TestTableNamesItsParsers(t *testing.T) {
	reached := map[string]int{}
	for _, pattern := range []string{"xml/*.xml", "csv/*.csv", "textrender/*.txt", "legacy/*/*.txt"} {
		files, _ := filepath.Glob(filepath.Join("testdata", pattern))
		if len(files) == 0 {
			t.Fatalf("no fixtures match testdata/%s", pattern)
		}
		for _, file := range files {
			data, err := os.ReadFile(file)
			if err != nil {
				t.Fatal(err)
			}
			reg, err := Parse(data)
			if err != nil {
				t.Errorf("%s: %v", file, err)
				continue
			}
			row, ok := Lookup(reg.Format)
			if !ok {
				t.Errorf("%s: parsed as format %q, which is no row of the table", file, reg.Format)
				continue
			}
			head := bytes.TrimLeft(data[:min(len(data), 4096)], "\ufeff \t\r\n")
			if !row.Looks(head) {
				t.Errorf("%s: parsed as %s, whose row does not recognize it", file, reg.Format)
			}
			reached[reg.Format]++
		}
	}
	for _, f := range All() {
		if reached[f.Name] == 0 {
			t.Errorf("no fixture is in format %s", f.Name)
		}
		if f.Title == "" || f.Looks == nil || f.Parse == nil {
			t.Errorf("row %s is incomplete", f.Name)
		}
	}
}

func TestCarries(t *testing.T) {
	tests := []struct {
		format, field string
		want          bool
	}{
		{"xml", "ipv6", true},
		{"csv", "assignee", true},
		{"csv", "ipv6", false},
		{"rfc", "registered", false},
		{"port-numbers", "registered", true},
		{"a format from later", "anything", true},
	}
	for _, tc := range tests {
		if got := Carries(tc.format, tc.field); got != tc.want {
			t.Errorf("Carries(%q, %q) = %v", tc.format, tc.field, got)
		}
	}
	if !FoldsNames("rfc") || FoldsNames("xml") || FoldsNames("unknown") {
		t.Error("FoldsNames: only the RFCs fold names")
	}
}

func TestUnknownFormatNamesEveryFormat(t *testing.T) {
	_, err := Parse([]byte("just some words\n"))
	if err == nil {
		t.Fatal("plain text parses")
	}
	for _, f := range All() {
		if !strings.Contains(err.Error(), f.Title) {
			t.Errorf("%q does not name %s", err, f.Title)
		}
	}
}

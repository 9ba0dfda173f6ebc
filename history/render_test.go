package history

import (
	"bytes"
	"encoding/json"
	"flag"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

var update = flag.Bool("update", false, "rewrite the golden files in testdata")

// TestGolden renders histories of the test store as text (plain and
// coloured) and JSON, and compares them with testdata/NAME.{txt,color.txt,json}.
func TestGolden(t *testing.T) {
	s := newStore(t, testVersions())
	for name, query := range map[string]string{
		"range-253":  "253",
		"mixed-tcp":  "249-255/tcp",
		"deregister": "2000",
		"rename":     "1000-1002/tcp",
		"name-new":   "new",
		"name-gone":  "gone",
		"name-ssh":   "SSH",
	} {
		t.Run(name, func(t *testing.T) {
			h := build(t, s, query)
			outputs := map[string]func(*bytes.Buffer) error{
				".txt":       func(b *bytes.Buffer) error { return WriteText(b, h, false) },
				".color.txt": func(b *bytes.Buffer) error { return WriteText(b, h, true) },
				".json":      func(b *bytes.Buffer) error { return WriteJSON(b, h) },
			}
			for ext, write := range outputs {
				var got bytes.Buffer
				if err := write(&got); err != nil {
					t.Fatal(err)
				}
				golden(t, filepath.Join("testdata", name+ext), got.Bytes())
			}
		})
	}
}

func golden(t *testing.T, path string, got []byte) {
	t.Helper()
	if *update {
		if err := os.WriteFile(path, got, 0o644); err != nil {
			t.Fatal(err)
		}
		return
	}
	want, err := os.ReadFile(path)
	if err != nil {
		t.Fatalf("%v (run go test -update to create it)", err)
	}
	if !bytes.Equal(got, want) {
		t.Errorf("%s: got\n%s\nwant\n%s", path, got, want)
	}
}

// TestJSONShape checks the JSON against the shape issue 4 documents, field
// by field, independently of the golden files.
func TestJSONShape(t *testing.T) {
	s := newStore(t, testVersions())
	var b bytes.Buffer
	if err := WriteJSON(&b, build(t, s, "253/tcp")); err != nil {
		t.Fatal(err)
	}
	var got struct {
		Query    *string `json:"query"`
		Registry *string `json:"registry"`
		Versions *int    `json:"versions"`
		Periods  []map[string]json.RawMessage
		Events   []map[string]json.RawMessage
	}
	dec := json.NewDecoder(&b)
	if err := dec.Decode(&got); err != nil {
		t.Fatal(err)
	}
	if got.Query == nil || *got.Query != "253/tcp" || got.Registry == nil || *got.Registry != ports || got.Versions == nil || *got.Versions != 5 {
		t.Errorf("got query %v, registry %v, versions %v; want 253/tcp, %s, 5", got.Query, got.Registry, got.Versions, ports)
	}
	if len(got.Periods) != 1 || len(got.Events) != 1 {
		t.Fatalf("got %d periods and %d events, want 1 and 1", len(got.Periods), len(got.Events))
	}
	for _, k := range []string{"protocol", "status", "from", "to", "versions", "records"} {
		if _, ok := got.Periods[0][k]; !ok {
			t.Errorf("period lacks %q: %v", k, got.Periods[0])
		}
	}
	var recs []map[string]any
	json.Unmarshal(got.Periods[0]["records"], &recs)
	if len(recs) != 1 {
		t.Fatalf("got records %v, want one", recs)
	}
	for k, want := range map[string]any{"name": "", "protocol": "", "number": "249-255", "description": "Reserved"} {
		if v, ok := recs[0][k]; !ok || v != want {
			t.Errorf("record %q: got %v (present %v), want %q", k, v, ok, want)
		}
	}
	for _, k := range []string{"version", "kind", "key", "fields"} {
		if _, ok := got.Events[0][k]; !ok {
			t.Errorf("event lacks %q: %v", k, got.Events[0])
		}
	}
	if f := string(got.Events[0]["fields"]); !strings.Contains(f, `"contact":{"from":"person:Jon_Postel","to":"person:IANA"}`) &&
		!strings.Contains(strings.Join(strings.Fields(f), ""), `"contact":{"from":"person:Jon_Postel","to":"person:IANA"}`) {
		t.Errorf("event fields = %s, want the contact change", f)
	}
}

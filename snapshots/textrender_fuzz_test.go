package snapshots

import (
	"bytes"
	"errors"
	"os"
	"path/filepath"
	"testing"
)

// FuzzParseTextRendering checks that ParseTextRendering never panics,
// fails only with a *ParseError naming a line of the input, and, when it
// accepts, gives one of the two registries with numbers that are numbers
// or ranges and a date or nothing as Updated.
func FuzzParseTextRendering(f *testing.F) {
	files, err := filepath.Glob(filepath.Join("testdata", "textrender", "*.txt"))
	if err != nil {
		f.Fatal(err)
	}
	for _, file := range files {
		data, err := os.ReadFile(file)
		if err != nil {
			f.Fatal(err)
		}
		f.Add(data)
	}
	f.Add([]byte(trServicesDoc([]string{"a b", "1", "tcp", "x y z\n\nw", "[A][B]", "[B]", "", "", "[[t]]"})))
	f.Add([]byte(trProtocolsDoc([]string{"1-2", "K", "P Q R", "Y", "[RFC1][Jon_Postel][x y]"})))
	f.Fuzz(func(t *testing.T, data []byte) {
		reg, err := ParseTextRendering(data)
		if err != nil {
			var pe *ParseError
			if !errors.As(err, &pe) || pe.Line < 1 || pe.Line > 1+bytes.Count(data, []byte{'\n'}) {
				t.Fatalf("got error %T %v, want a *ParseError with a line of the input", err, err)
			}
			return
		}
		checkAccepted(t, reg, "text-rendering")
		if reg.ID != "service-names-port-numbers" && reg.ID != "protocol-numbers" {
			t.Fatalf("got ID %q", reg.ID)
		}
		if len(reg.Records) == 0 {
			t.Fatal("accepted a table without records")
		}
	})
}

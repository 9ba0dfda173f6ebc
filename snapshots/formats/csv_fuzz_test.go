package formats

import (
	"bytes"
	"testing"

	"github.com/regdiff/regdiff/snapshots/record"
)

// FuzzParseCSV checks that ParseCSV never panics, fails only with a
// *ParseError naming a line of the input, and, when it accepts, gives
// numbers that are numbers or ranges, dates as Updated, text fields that
// are each Collapse of themselves, and the same
// result for the input with LF line ends turned to CRLF.
func FuzzParseCSV(f *testing.F) {
	addFixtures(f, "csv/*.csv")
	f.Add([]byte(csvHead2018 + "a,1,tcp,\"x\n\"\"y\",[A][B],[B],2001-02,,[RFC1][[t]],,,\n"))
	f.Add([]byte(csvHead2019 + "a,1-2,tcp,\"x,,,,,,,,\n"))
	f.Add([]byte(csvHead2019 + "\u00a0a,1,tcp,\"\f x\u00a0\v\",[ \u00a0A],[B\u2003],,,[\u00a0RFC1 ],,,\u3000\n"))
	f.Fuzz(func(t *testing.T, data []byte) {
		reg, err := ParseCSV(data)
		if err != nil {
			checkParseError(t, err, data)
			return
		}
		checkAccepted(t, reg, "csv")
		checkCollapsed(t, reg)
		if bytes.Contains(data, []byte{'\r'}) {
			return
		}
		crlf, err := ParseCSV(bytes.ReplaceAll(data, []byte("\n"), []byte("\r\n")))
		if err != nil {
			t.Fatalf("accepted with LF, refused with CRLF: %v", err)
		}
		if len(crlf.Records) != len(reg.Records) || crlf.Updated != reg.Updated {
			t.Fatalf("got %d records %q with CRLF, %d %q with LF", len(crlf.Records), crlf.Updated, len(reg.Records), reg.Updated)
		}
	})
}

// checkAccepted checks what every parse that succeeds must give.
func checkAccepted(t *testing.T, reg *record.Registry, format string) {
	t.Helper()
	if reg.Format != format || reg.ID == "" {
		t.Fatalf("got format %q id %q", reg.Format, reg.ID)
	}
	if reg.Updated != "" && !csvIsDate(reg.Updated) {
		t.Fatalf("got Updated %q", reg.Updated)
	}
	for i := range reg.Records {
		if n := reg.Records[i].Number; n != "" {
			if _, _, ok := record.ParseRange(n); !ok {
				t.Fatalf("record %d: number %q", i, n)
			}
		}
	}
}

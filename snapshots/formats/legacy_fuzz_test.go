package formats

import (
	"regexp"
	"strconv"
	"strings"
	"testing"

	"github.com/regdiff/regdiff/snapshots/record"
)

// legacyFuzz seeds a fuzz target with the fixtures of a format and checks,
// for any input, that the parser does not panic, fails only with a
// *ParseError giving a line, and accepts only well-formed records; and that
// the recognizers do not panic either.
func legacyFuzz(f *testing.F, parse func([]byte) (*record.Registry, error), max int, seeds ...string) {
	addFixtures(f, "legacy/*/*.txt")
	for _, s := range append(seeds, " \xa0", "#  \xa0\n", "\xa0 1/tcp", "x\r\n\f\n") {
		f.Add([]byte(s))
	}
	number := regexp.MustCompile(`^(0|[1-9]\d*)(?:-(0|[1-9]\d*))?$`)
	date := regexp.MustCompile(`^\d{4}-\d{2}(-\d{2})?$`)
	f.Fuzz(func(t *testing.T, data []byte) {
		head := data[:min(len(data), 4096)]
		looksPortNumbers(head)
		looksRFC(head)
		looksProtocolNumbersText(head)
		reg, err := parse(data)
		if err != nil {
			checkParseError(t, err, data)
			return
		}
		if len(reg.Records) == 0 {
			t.Fatal("got a registry without records, want an error")
		}
		if reg.Updated != "" && !date.MatchString(reg.Updated) {
			t.Fatalf("got updated %q, want a date", reg.Updated)
		}
		checkCollapsed(t, reg)
		for _, r := range reg.Records {
			g := number.FindStringSubmatch(r.Number)
			if g == nil {
				t.Fatalf("got number %q in %+v, want a number or range", r.Number, r)
			}
			for _, part := range g[1:] {
				if n, _ := strconv.Atoi(part); n > max {
					t.Fatalf("got number %q in %+v, want at most %d", r.Number, r, max)
				}
			}
			if strings.Trim(r.Protocol, "abcdefghijklmnopqrstuvwxyz") != "" {
				t.Fatalf("got protocol %q, want lower-case letters", r.Protocol)
			}
			if r.Registered != "" && !date.MatchString(r.Registered) {
				t.Fatalf("got registered %q, want a date", r.Registered)
			}
		}
	})
}

func FuzzParsePortNumbers(f *testing.F) {
	legacyFuzz(f, ParsePortNumbers, 65535,
		"(last updated 2004-01-08)\nfoo  1/tcp  x\n#  <a@b>\n#   a\n",
		"WELL KNOWN PORT NUMBERS\n\n#  1-2\n#  x <y> May 2004\n#  <z>\n")
}

func FuzzParseRFC(f *testing.F) {
	legacyFuzz(f, ParseRFC, 65535,
		"Decimal  Keyword  Description\n1  A  b  [1,X]\n2-3  c\n",
		"Request for Comments: 1\n          May 1990\n\nPORT NUMBERS\n\n x 1/tcp\n")
}

func FuzzParseProtocolNumbersText(f *testing.F) {
	legacyFuzz(f, ParseProtocolNumbersText, 255,
		"Decimal    Keyword     Protocol   References\n  1  A  B  [C][D,E]\n        more [F]\n")
}

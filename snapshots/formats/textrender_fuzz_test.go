package formats

import (
	"testing"
)

// FuzzParseTextRendering checks that ParseTextRendering never panics,
// fails only with a *ParseError naming a line of the input, and, when it
// accepts, gives one of the two registries with numbers that are numbers
// or ranges, a date or nothing as Updated, and text fields that are each
// Collapse of themselves.
func FuzzParseTextRendering(f *testing.F) {
	addFixtures(f, "textrender/*.txt")
	f.Add([]byte(trServicesDoc([]string{"a b", "1", "tcp", "x y z\n\nw", "[A][B]", "[B]", "", "", "[[t]]"})))
	f.Add([]byte(trProtocolsDoc([]string{"1-2", "K", "P Q R", "Y", "[RFC1][Jon_Postel][x y]"})))
	f.Add([]byte(trServicesDoc([]string{"a\u00a0b", "1", "tcp", "\u00a0x\fy\u00a0", "[\u00a0A]", "[B]", "", "", "[t\u2003]"})))
	f.Fuzz(func(t *testing.T, data []byte) {
		reg, err := ParseTextRendering(data)
		if err != nil {
			checkParseError(t, err, data)
			return
		}
		checkAccepted(t, reg, "text-rendering")
		checkCollapsed(t, reg)
		if reg.ID != "service-names-port-numbers" && reg.ID != "protocol-numbers" {
			t.Fatalf("got ID %q", reg.ID)
		}
		if len(reg.Records) == 0 {
			t.Fatal("accepted a table without records")
		}
	})
}

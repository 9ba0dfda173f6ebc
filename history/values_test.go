package history

import (
	"testing"

	"github.com/regdiff/regdiff/snapshots/record"
)

func TestValueCovers(t *testing.T) {
	tests := []struct {
		query string
		rec   record.Record
		want  bool
	}{
		{"6", record.Record{Number: "6", Name: "TCP"}, true},
		{"6", record.Record{Number: "5"}, false},
		{"150", record.Record{Number: "143-252", Description: "Unassigned"}, true},
		{"253", record.Record{Number: "143-252"}, false},
		{"0x00FF", record.Record{Number: "0x00FF"}, true},
		{"255", record.Record{Number: "0x00FF"}, true}, // the same number, written in decimal
		{"0x0100", record.Record{Number: "0x0003-0xfeff"}, true},
		{"0xff00", record.Record{Number: "0x0003-0xfeff"}, false},
		{"0x13,0x01", record.Record{Number: "0x13,0x01"}, true},
		{"0x13,0x01", record.Record{Number: "0x13,0x02"}, false},
		{"0x13,0x0A", record.Record{Number: "0x13,0x08-FF"}, true}, // the upper bound takes the lower's base
		{"0x14,0x0A", record.Record{Number: "0x13,0x08-FF"}, false},
		{"0x13", record.Record{Number: "0x13,0x01"}, false}, // a single number is not a pair
		{"0x00,0x1C", record.Record{Number: "{0x00, 0x1C-1D}"}, true},
		{"0x13,0x01", record.Record{Number: "0x01-55,*"}, true},
		{"0x56,0x01", record.Record{Number: "0x01-55,*"}, false},
		{"-300", record.Record{Number: "-65536..-262"}, true},
		{"-100", record.Record{Number: "-65536..-262"}, false},
		{"-7", record.Record{Number: "-7"}, true},
		{"40", record.Record{Number: "26 - 63"}, true},
		{"1.3.6.1.5", record.Record{Number: "1.3.6.1.5"}, true},
		{"1.3.6.1", record.Record{Number: "1.3.6.1.5"}, false},
		// Text keys, ignoring ASCII case.
		{"accept-language", record.Record{Number: "Accept-Language", Protocol: "mail"}, true},
		{"application/json", record.Record{Table: "application", Name: "json"}, true},
		{"application/json", record.Record{Table: "text", Name: "json"}, false},
		{"json", record.Record{Table: "application", Name: "json"}, true},
		{"AAAA", record.Record{Number: "28", Other: map[string]string{"type": "AAAA"}}, true},
		{"000/8", record.Record{Other: map[string]string{"prefix": "000/8"}}, true},
		// A record with no number or name is keyed by its other elements
		// and its description.
		{"EXPORTER-Channel-Binding", record.Record{Description: "EXPORTER-Channel-Binding"}, true},
		{"5", record.Record{Other: map[string]string{"bit": "5"}}, true},
		{"5", record.Record{Other: map[string]string{"bit": "0-4"}}, false},
		// A numbered record's description is no key: "Reserved" would
		// match every reserved record.
		{"Reserved", record.Record{Number: "0", Description: "Reserved"}, false},
		{"5", record.Record{Number: "7", Other: map[string]string{"length": "5"}}, false},
		{"1", record.Record{Name: "1"}, true}, // a number written as a name
		{"241.20", record.Record{Number: "241.{12-25}"}, true},
		{"257", record.Record{Number: "257 (0x0101)"}, true},
		{"3", record.Record{Number: "0x0003(deprecated)"}, true},
		{"28", record.Record{Description: "Reserved", Other: map[string]string{"size": "8-32"}}, false}, // a size is no code point
		{"0x0800", record.Record{Other: map[string]string{"type_decimal": "2048", "type_hex": "0800"}}, true},
		{"0x0105", record.Record{Other: map[string]string{"type_hex": "0101-01FF"}}, true},
		{"2048", record.Record{Other: map[string]string{"type_decimal": "2048"}}, true},
	}
	for _, tt := range tests {
		if got := newValueMatcher(tt.query).covers(&tt.rec); got != tt.want {
			t.Errorf("%q covers %+v = %v, want %v", tt.query, tt.rec, got, tt.want)
		}
	}
}

func TestHexTable(t *testing.T) {
	for _, tt := range []struct {
		keys []string
		want bool
	}{
		{[]string{"0001", "0021", "c021", "8021-80ff"}, true}, // ppp-numbers
		{[]string{"1", "22", "249-255"}, false},
		{[]string{"0x0001", "00ff"}, false}, // prefixed somewhere: prefixes are meant
		{[]string{"application/json"}, false},
		{[]string{"deadbeef-cafe"}, false}, // words of hex letters are text
		{[]string{"1", "add", "22"}, false},
		{[]string{"05DC"}, true},
		{[]string{"abc def"}, false},
	} {
		if got := hexTable(tt.keys); got != tt.want {
			t.Errorf("hexTable(%q) = %v, want %v", tt.keys, got, tt.want)
		}
	}
	m := newValueMatcher("0x0021")
	m.hex = map[string]bool{"ppp-numbers-1": true}
	if !m.covers(&record.Record{Table: "ppp-numbers-1", Number: "0021"}) || m.covers(&record.Record{Table: "ppp-numbers-1", Number: "0033"}) {
		t.Error("0x0021 in a table of unprefixed hex: want the key 0021, not 0033")
	}
	if !m.covers(&record.Record{Table: "other", Number: "33"}) {
		t.Error("0x0021 in a decimal table: want 33")
	}
}

func TestParseTuple(t *testing.T) {
	tests := []struct {
		in   string
		want tuple
		ok   bool
	}{
		{"22", tuple{{22, 22}}, true},
		{"249-255", tuple{{249, 255}}, true},
		{"0x0A", tuple{{10, 10}}, true},
		{"0x13,0x08-FF", tuple{{0x13, 0x13}, {8, 0xff}}, true},
		{"-65536..-262", tuple{{-65536, -262}}, true},
		{"1 to 5", tuple{{1, 5}}, true},
		{"5-1", nil, false},
		{"0x", nil, false},
		{"FF", nil, false}, // no base: not a number
		{"application/json", nil, false},
		{"", nil, false},
		{"1.3.6", tuple{{1, 1}, {3, 3}, {6, 6}}, true},
		{"0x1234567890abcdef01", nil, false}, // too long for 64 bits
	}
	for _, tt := range tests {
		got, ok := parseTuple(tt.in)
		if ok != tt.ok || ok && !equalTuple(got, tt.want) {
			t.Errorf("parseTuple(%q) = %v, %v; want %v, %v", tt.in, got, ok, tt.want, tt.ok)
		}
	}
}

func equalTuple(a, b tuple) bool {
	if len(a) != len(b) {
		return false
	}
	for i := range a {
		if a[i] != b[i] {
			return false
		}
	}
	return true
}

func TestCompareTables(t *testing.T) {
	in := []string{"tls-parameters-10", "", "tls-parameters-4", "tls-parameters-2", "alpn"}
	got := sortedTables(map[string]bool{in[0]: true, in[1]: true, in[2]: true, in[3]: true, in[4]: true})
	want := []string{"", "alpn", "tls-parameters-2", "tls-parameters-4", "tls-parameters-10"}
	for i := range want {
		if got[i] != want[i] {
			t.Fatalf("order %q, want %q", got, want)
		}
	}
}

func FuzzParseTuple(f *testing.F) {
	for _, s := range []string{"22", "0x13,0x08-FF", "-65536..-262", "{0x00, 0x1C-1D}", "1.3.6.1", "1 to 5", "-", "--1"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		tu, ok := parseTuple(s)
		if !ok {
			return
		}
		for _, sp := range tu {
			if sp.lo > sp.hi {
				t.Fatalf("parseTuple(%q) = %v: a span runs backwards", s, tu)
			}
		}
		// A tuple read from a key covers its own lower corner.
		lo := make(tuple, len(tu))
		for i, sp := range tu {
			lo[i] = span{sp.lo, sp.lo}
		}
		if !tu.overlaps(lo) {
			t.Fatalf("%q does not cover its own lower bound", s)
		}
	})
}

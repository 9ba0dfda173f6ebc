package snapshots

import (
	"encoding/json"
	"reflect"
	"slices"
	"testing"
	"unicode/utf8"

	"github.com/regdiff/regdiff/snapshots/record"
)

func TestAppendRecordJSON(t *testing.T) {
	tests := []record.Record{
		{},
		{Name: "ssh", Protocol: "tcp", Number: "22", Description: "The Secure Shell (SSH) Protocol", Refs: []string{"rfc:rfc4251"}},
		{Table: "t-1", Number: "0", Name: "HOPOPT", Other: map[string]string{"ipv6": "Y", "a": ""}},
		{Description: "quotes \" back\\slash <tag> & amp \u2028 line\nbreak \x01 tab\t", Note: "caf\xe9 invalid", Contact: []string{"person:A", "person:\"B\""}},
		{Assignee: []string{"person:IESG"}, Registered: "2012-07", Modified: "2021-10-01", Unauthorized: "x", ServiceCode: "1145656131"},
	}
	for _, r := range tests {
		t.Run(r.Name+r.Description, func(t *testing.T) { checkRecordJSON(t, r) })
	}
}

func checkRecordJSON(t *testing.T, r record.Record) {
	t.Helper()
	got := appendRecordJSON(nil, &r)
	var back, viaStd record.Record
	if err := json.Unmarshal(got, &back); err != nil {
		t.Fatalf("appendRecordJSON gave invalid JSON %s: %v", got, err)
	}
	std, _ := json.Marshal(&r)
	json.Unmarshal(std, &viaStd)
	if !reflect.DeepEqual(back, viaStd) {
		t.Errorf("round trip differs from encoding/json:\n got %+v\nwant %+v\n(%s)", back, viaStd, got)
	}
	// The fast reader gives what encoding/json gives, on our lines and on
	// encoding/json's own (which escape <, > and &).
	for _, line := range [][]byte{got, std} {
		var fast record.Record
		if !parseRecordJSON(string(line), &fast) {
			t.Errorf("parseRecordJSON refused %s", line)
			continue
		}
		if !reflect.DeepEqual(fast, viaStd) {
			t.Errorf("parseRecordJSON(%s):\n got %+v\nwant %+v", line, fast, viaStd)
		}
	}
}

func FuzzParseRecordJSON(f *testing.F) {
	f.Add([]byte(`{"name":"ssh","protocol":"tcp","number":"22","refs":["rfc:rfc4251"],"other":{"k":"v"}}`))
	f.Add([]byte(`{"description":"a\"b\u00e9\n"}`))
	f.Add([]byte(`{}`))
	f.Fuzz(func(t *testing.T, line []byte) {
		var fast, std record.Record
		if !parseRecordJSON(string(line), &fast) {
			return
		}
		if err := json.Unmarshal(line, &std); err != nil {
			t.Fatalf("parseRecordJSON accepted %q, encoding/json refuses it: %v", line, err)
		}
		if !reflect.DeepEqual(fast, std) {
			t.Fatalf("parseRecordJSON(%q) = %+v, encoding/json %+v", line, fast, std)
		}
	})
}

func FuzzAppendRecordJSON(f *testing.F) {
	f.Add("ssh", "tcp", "22", "desc <&>", "rfc:rfc1", "k", "v")
	f.Fuzz(func(t *testing.T, name, proto, num, desc, ref, k, v string) {
		checkRecordJSON(t, record.Record{Name: name, Protocol: proto, Number: num, Description: desc, Refs: []string{ref}, Other: map[string]string{k: v}})
	})
}

// TestEncodeRecordsOrder checks that the normalized files list records in
// Compare's order, whatever order they came in.
func TestEncodeRecordsOrder(t *testing.T) {
	var recs []record.Record
	for _, n := range []string{"80", "7", "249-255", "", "1000-1999", "22", "7", "1500", "x"} {
		for _, p := range []string{"udp", "", "tcp"} {
			recs = append(recs, record.Record{Number: n, Protocol: p, Name: "n" + n + p}, record.Record{Table: "t", Number: n, Protocol: p})
		}
	}
	files, err := encodeRecords(recs)
	if err != nil {
		t.Fatal(err)
	}
	for name, data := range files {
		got, err := decodeRecords(nil, name, data)
		if err != nil {
			t.Fatal(err)
		}
		want := append([]record.Record(nil), got...)
		slices.SortStableFunc(want, func(a, b record.Record) int { return record.Compare(&a, &b) })
		if !reflect.DeepEqual(got, want) {
			t.Errorf("%s is not in Compare order:\n got %v\nwant %v", name, got, want)
		}
	}
}

// appendJSONStringByByte is the escape written one byte at a time, as it
// was before runs were appended whole: the normalized files' bytes, and so
// their hashes in every store, must not change.
func appendJSONStringByByte(b []byte, s string) []byte {
	for i := 0; i < len(s); {
		c := s[i]
		if c < utf8.RuneSelf {
			switch {
			case c == '"' || c == '\\':
				b = append(b, '\\', c)
			case c == '\n':
				b = append(b, '\\', 'n')
			case c == '\r':
				b = append(b, '\\', 'r')
			case c == '\t':
				b = append(b, '\\', 't')
			case c < 0x20:
				b = append(b, '\\', 'u', '0', '0', hexDigits[c>>4], hexDigits[c&0xf])
			default:
				b = append(b, c)
			}
			i++
			continue
		}
		r, size := utf8.DecodeRuneInString(s[i:])
		switch {
		case r == utf8.RuneError && size == 1:
			b = append(b, `\ufffd`...)
		case r == '\u2028' || r == '\u2029':
			b = append(b, '\\', 'u', '2', '0', '2', hexDigits[r&0xf])
		default:
			b = append(b, s[i:i+size]...)
		}
		i += size
	}
	return b
}

func FuzzAppendJSONString(f *testing.F) {
	for _, s := range []string{"", "plain", "a\"b\\c\n\r\t\x01\x1f", "café \u2028\u2029 \xe9\xff end", "\xf0\x9f\x98", "é"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		got := appendJSONString([]byte("x"), s)
		want := appendJSONStringByByte([]byte("x"), s)
		if string(got) != string(want) {
			t.Fatalf("appendJSONString(%q) = %q, byte by byte %q", s, got, want)
		}
	})
}

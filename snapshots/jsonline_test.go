package snapshots

import (
	"encoding/json"
	"reflect"
	"testing"
)

func TestAppendRecordJSON(t *testing.T) {
	tests := []Record{
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

func checkRecordJSON(t *testing.T, r Record) {
	t.Helper()
	got := appendRecordJSON(nil, &r)
	var back, viaStd Record
	if err := json.Unmarshal(got, &back); err != nil {
		t.Fatalf("appendRecordJSON gave invalid JSON %s: %v", got, err)
	}
	std, _ := json.Marshal(&r)
	json.Unmarshal(std, &viaStd)
	if !reflect.DeepEqual(back, viaStd) {
		t.Errorf("round trip differs from encoding/json:\n got %+v\nwant %+v\n(%s)", back, viaStd, got)
	}
}

func FuzzAppendRecordJSON(f *testing.F) {
	f.Add("ssh", "tcp", "22", "desc <&>", "rfc:rfc1", "k", "v")
	f.Fuzz(func(t *testing.T, name, proto, num, desc, ref, k, v string) {
		checkRecordJSON(t, Record{Name: name, Protocol: proto, Number: num, Description: desc, Refs: []string{ref}, Other: map[string]string{k: v}})
	})
}

// TestEncodeRecordsOrder checks that the normalized files list records in
// Compare's order, whatever order they came in.
func TestEncodeRecordsOrder(t *testing.T) {
	var recs []Record
	for _, n := range []string{"80", "7", "249-255", "", "1000-1999", "22", "7", "1500", "x"} {
		for _, p := range []string{"udp", "", "tcp"} {
			recs = append(recs, Record{Number: n, Protocol: p, Name: "n" + n + p}, Record{Table: "t", Number: n, Protocol: p})
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
		want := append([]Record(nil), got...)
		Sort(want)
		if !reflect.DeepEqual(got, want) {
			t.Errorf("%s is not in Compare order:\n got %v\nwant %v", name, got, want)
		}
	}
}

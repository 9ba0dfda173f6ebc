package diff

import (
	"io"
	"reflect"
	"strings"
	"testing"

	"github.com/regdiff/regdiff/snapshots/record"
)

func coded(code, desc string) record.Record {
	return record.Record{Table: "t", Description: desc, Other: map[string]string{"code": code, "status": "active"}}
}

// Where name, protocol and number are empty, the element that identifies
// the table's records is found and the changes are keyed by it; where
// nothing does, records are keyed by content.
func TestInferredKeys(t *testing.T) {
	tests := []struct {
		name     string
		old, new []record.Record
		want     []string // kind and key
		keys     []TableKey
	}{
		{"by code: one changed, one inserted before it",
			[]record.Record{coded("0x01", "one"), coded("0x02", "two"), coded("0x03", "three")},
			[]record.Record{coded("0x01", "one"), coded("0x05", "five"), coded("0x02", "TWO"), coded("0x03", "three")},
			[]string{"added code=0x05", "changed code=0x02"},
			[]TableKey{{Table: "t", Elements: []string{"code"}}}},
		{"keyed by the description where the registry holds its label there",
			[]record.Record{{Table: "t", Description: "client finished", Other: map[string]string{"dtls": "Y"}}, {Table: "t", Description: "server finished", Other: map[string]string{"dtls": "Y"}}},
			[]record.Record{{Table: "t", Description: "client finished", Other: map[string]string{"dtls": "N"}}, {Table: "t", Description: "key update", Other: map[string]string{"dtls": "Y"}}, {Table: "t", Description: "server finished", Other: map[string]string{"dtls": "Y"}}},
			[]string{"added description=key update", "changed description=client finished"},
			[]TableKey{{Table: "t", Elements: []string{"description"}}}},
		{"nothing identifies: keyed by content",
			[]record.Record{{Table: "t", Note: "a"}, {Table: "t", Note: "b"}},
			[]record.Record{{Table: "t", Note: "a"}, {Table: "t", Note: "c"}, {Table: "t", Note: "b"}},
			[]string{"added #"},
			[]TableKey{{Table: "t", Elements: []string{}, Content: true}}},
		{"in a table with a few unnumbered rows, numbered records keep their key",
			[]record.Record{{Table: "t", Number: "1", Other: map[string]string{"status": "active"}}, {Table: "t", Other: map[string]string{"status": "n/a", "label": "note"}}},
			[]record.Record{{Table: "t", Number: "1", Other: map[string]string{"status": "deprecated"}}, {Table: "t", Other: map[string]string{"status": "n/a", "label": "note"}}},
			[]string{"changed "},
			[]TableKey{{Table: "t", Elements: []string{"label"}}}},
		{"numbered tables keep their key",
			[]record.Record{{Number: "1", Description: "a", Other: map[string]string{"code": "x"}}},
			[]record.Record{{Number: "1", Description: "b", Other: map[string]string{"code": "y"}}},
			[]string{"changed "},
			nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			res := Compare(tt.old, tt.new)
			var got []string
			for _, c := range res.Changes {
				x := c.Key.Extra
				if len(x) > 0 && x[0] == '#' {
					x = "#"
				}
				got = append(got, c.Kind+" "+x)
			}
			if !reflect.DeepEqual(got, tt.want) {
				t.Errorf("changes %q, want %q", got, tt.want)
			}
			if !reflect.DeepEqual(res.Keys, tt.keys) {
				t.Errorf("keys %+v, want %+v", res.Keys, tt.keys)
			}
		})
	}
}

// The key found is shown and said: in the changes, in a note of text and
// Markdown, and in JSON's keys and each key's extra.
func TestInferredKeysRendered(t *testing.T) {
	res := Compare(
		[]record.Record{coded("0x01", "one"), coded("0x02", "two")},
		[]record.Record{coded("0x01", "one"), coded("0x05", "five"), coded("0x02", "TWO")})
	res.Registry = "example"
	for _, tc := range []struct {
		name  string
		write func(io.Writer, *Result) error
		want  []string
	}{
		{"text", func(w io.Writer, r *Result) error { return WriteText(w, r, false) }, []string{"keyed by their own elements: t by code", "+ code=0x05  five", "~ code=0x02"}},
		{"markdown", WriteMarkdown, []string{"> **Note:** Records with no name or number keyed by their own elements: t by code.", "code=0x05"}},
		{"json", WriteJSON, []string{`"extra": "code=0x05"`, `"keys": [`, `"elements": [`}},
	} {
		var b strings.Builder
		if err := tc.write(&b, res); err != nil {
			t.Fatal(err)
		}
		for _, w := range tc.want {
			if !strings.Contains(b.String(), w) {
				t.Errorf("%s lacks %q:\n%s", tc.name, w, b.String())
			}
		}
	}
}

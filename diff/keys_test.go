package diff

import (
	"fmt"
	"io"
	"reflect"
	"slices"
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
// Markdown, and in JSON's keys and each key, by element.
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
		{"json", WriteJSON, []string{"\"key\": {\n        \"registry\": \"t\",\n        \"code\": \"0x05\"\n      }", `"keys": [`, `"elements": [`}},
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

// A table whose key structure changes between versions is diffed with a
// warning, its records paired by what both versions hold: every record
// that is in both versions is one changed record, never a removal and an
// addition.
func TestKeyStructureChange(t *testing.T) {
	const n = 40
	byCode := func(i int, name string) record.Record {
		r := record.Record{Table: "t", Name: name, Description: fmt.Sprintf("entry %d", i), Other: map[string]string{"code": fmt.Sprintf("0x%02x", i)}}
		return r
	}
	var codeOnly, codeAndName, codeAndKind []record.Record
	for i := range n {
		codeOnly = append(codeOnly, byCode(i, ""))
		codeAndName = append(codeAndName, byCode(i, fmt.Sprintf("name-%d", i)))
		k := byCode(i, "")
		k.Other["kind"] = "a"
		codeAndKind = append(codeAndKind, k)
	}
	// A code repeated under another kind: code alone no longer identifies.
	dup := byCode(1, "")
	dup.Other["kind"] = "b"
	codeAndKind = append(codeAndKind, dup)
	edited := slices.Clone(codeAndName)
	edited[7].Description = "entry seven"
	tests := []struct {
		name     string
		old, new []record.Record
		warning  string // "" for none
		added    int    // records of new truly not in old
		removed  int    // records shown as removed (and added again)
	}{
		{"a name appears", codeOnly, codeAndName, "t: the records' key changed between the versions (name in TO only); paired by code", 0, 0},
		{"a name disappears", codeAndName, codeOnly, "t: the records' key changed between the versions (name in FROM only); paired by code", 0, 0},
		{"a name appears, one record edited, one added", codeOnly, append(slices.Clone(edited), byCode(99, "new")), "name in TO only", 1, 0},
		{"a second element joins the key", codeOnly, codeAndKind, "kind in TO only", 1, 0},
		{"same structure: no warning", codeAndName, edited, "", 0, 0},
		// One record that gains a name is an assignment, as for ports: a
		// removal and an addition.
		{"one record gains a name: no warning", codeOnly[:1], codeAndName[:1], "", 1, 1},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			res := Compare(tt.old, tt.new)
			res.Registry = "example"
			ws := res.Warnings()
			switch {
			case tt.warning == "" && len(ws) > 0:
				t.Errorf("warnings %q, want none", ws)
			case tt.warning != "" && (len(ws) != 1 || !strings.Contains(ws[0], tt.warning)):
				t.Errorf("warnings %q, want one with %q", ws, tt.warning)
			}
			// Independently of the diff: the records of old and new
			// that differ as a whole, by code and kind.
			id := func(r *record.Record) string { return r.Other["code"] + "/" + r.Other["kind"] }
			whole := func(r *record.Record) string { return fmt.Sprintf("%+v", *r) }
			oldBy := map[string]*record.Record{}
			for i := range tt.old {
				oldBy[id(&tt.old[i])] = &tt.old[i]
			}
			differ := 0
			for i := range tt.new {
				if o := oldBy[id(&tt.new[i])]; o == nil || whole(o) != whole(&tt.new[i]) {
					differ++
				}
			}
			if len(res.Changes) != differ+tt.removed {
				t.Errorf("%d changes, want %d (records that differ)", len(res.Changes), differ)
			}
			added, removed := 0, 0
			for _, c := range res.Changes {
				switch c.Kind {
				case Added:
					added++
				case Removed:
					removed++
				case Changed:
					if c.Old.Other["code"] != c.New.Other["code"] {
						t.Errorf("changed pairs code %s with %s", c.Old.Other["code"], c.New.Other["code"])
					}
				default:
					t.Errorf("a %s change: %+v", c.Kind, c.Key)
				}
			}
			if added != tt.added || removed != tt.removed {
				t.Errorf("%d added and %d removed, want %d and %d", added, removed, tt.added, tt.removed)
			}
		})
	}
}

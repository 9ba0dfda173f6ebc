package changelog

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"strings"
	"testing"
)

// TestEmptyRange: Since == Until+1 is a window that holds no version. Build
// gives a changelog with no entries, and every writer a valid document that
// says so.
func TestEmptyRange(t *testing.T) {
	s := newStore(t, smallVersions())
	vs := versions(t, s)
	for _, r := range [][2]int{{0, -1}, {2, 1}, {len(vs), len(vs) - 1}} {
		t.Run(fmt.Sprintf("%d..%d", r[0], r[1]), func(t *testing.T) {
			c, err := Build(context.Background(), s, testRegistry, vs, Options{Since: r[0], Until: r[1]})
			if err != nil {
				t.Fatalf("Build(%d, %d): got error %v, want an empty changelog", r[0], r[1], err)
			}
			if len(c.Entries) != 0 || c.Series != nil || c.Title == "" || c.Registry != testRegistry {
				t.Fatalf("Build(%d, %d): got %+v, want no entries, no series, a title", r[0], r[1], c)
			}
			for _, w := range writers() {
				var buf bytes.Buffer
				if err := w.write(&buf, c); err != nil {
					t.Fatalf("%s: %v", w.name, err)
				}
				out := buf.String()
				switch w.name {
				case "json":
					var entries []json.RawMessage
					if err := json.Unmarshal(buf.Bytes(), &entries); err != nil || entries == nil || len(entries) != 0 {
						t.Errorf("json: got %q, want []", out)
					}
				case "atom":
					f := parseFeed(t, c, testFeed)
					if len(f.Entries) != 0 || len(f.Updated) != 1 || !rfc3339(f.Updated[0]) || len(f.ID) != 1 || len(f.Title) != 1 {
						t.Errorf("atom: got %+v, want a valid feed with no entries", f)
					}
				default:
					if !strings.Contains(out, "no versions in this range") || strings.Contains(out, "no port records") {
						t.Errorf("%s: got\n%s\nwant a document that says there are no versions in this range", w.name, out)
					}
				}
			}
		})
	}
	for _, r := range [][2]int{{3, 1}, {len(vs) + 1, len(vs)}, {0, -2}} {
		if _, err := Build(context.Background(), s, testRegistry, vs, Options{Since: r[0], Until: r[1]}); err == nil {
			t.Errorf("Build(%d, %d): got no error, want ErrRange", r[0], r[1])
		}
	}
}

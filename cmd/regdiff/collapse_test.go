package main

import (
	"bytes"
	"encoding/json"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"github.com/regdiff/regdiff/internal/shareddata"
)

// nbspEdit is a real registry file with one ASCII space inside one
// record's <description> replaced by a no-break space, and what that
// record is, read from the raw text (not with regdiff's parser).
type nbspEdit struct {
	data                   []byte
	name, protocol, number string
	from, to               string // the description before and after
}

var (
	xmlRecord = regexp.MustCompile(`(?s)<record\b[^>]*>.*?</record>`)
	xmlChild  = func(tag string) *regexp.Regexp {
		return regexp.MustCompile(`<` + tag + `>([^<&]*)</` + tag + `>`)
	}
	xmlName, xmlProtocol, xmlNumber, xmlDesc = xmlChild("name"), xmlChild("protocol"), xmlChild("number"), xmlChild("description")
)

// editNBSP picks the first record with a name, a protocol, a number and a
// one-line description of plain text (no entity, no markup) that has a
// space between two words and does not start with a word that decides a
// port's status, and writes the space as enc (the UTF-8 bytes or &#160;).
func editNBSP(t *testing.T, data []byte, enc string) nbspEdit {
	t.Helper()
	for _, loc := range xmlRecord.FindAllIndex(data, -1) {
		rec := data[loc[0]:loc[1]]
		n, p, num, d := xmlName.FindSubmatch(rec), xmlProtocol.FindSubmatch(rec), xmlNumber.FindSubmatch(rec), xmlDesc.FindSubmatchIndex(rec)
		if n == nil || p == nil || num == nil || d == nil {
			continue
		}
		desc := string(rec[d[2]:d[3]])
		i := strings.Index(desc, " ")
		lower := strings.ToLower(desc)
		if i <= 0 || i == len(desc)-1 || desc[i+1] == ' ' || strings.ContainsAny(desc, "\t\r\n") ||
			strings.HasPrefix(lower, "de") || strings.HasPrefix(lower, "re") || strings.HasPrefix(lower, "un") {
			continue
		}
		at := loc[0] + d[2] + i
		out := append(append(append([]byte{}, data[:at]...), enc...), data[at+1:]...)
		return nbspEdit{
			data: out, name: string(n[1]), protocol: string(p[1]), number: string(num[1]),
			from: desc, to: desc[:i] + "\u00a0" + desc[i+1:],
		}
	}
	t.Fatal("no record with a plain one-line description in the real file")
	return nbspEdit{}
}

// TestDiffNoBreakSpaceRealData checks, on a real version of the port
// registry, that a space turned into a no-break space is a change: diff
// reports that one record, changed in its description, and --exit-code
// exits 1.
func TestDiffNoBreakSpaceRealData(t *testing.T) {
	vs := shareddata.Versions(t, "service-names-port-numbers")
	v := vs[len(vs)-1]
	orig := shareddata.Read(t, v)
	for _, enc := range []string{"\u00a0", "&#160;", "&#xA0;"} {
		t.Run(strings.Trim(strings.ReplaceAll(enc, "\u00a0", "utf-8"), "&;"), func(t *testing.T) {
			e := editNBSP(t, orig, enc)
			if bytes.Equal(e.data, orig) {
				t.Fatal("the edit changed nothing")
			}
			dir := t.TempDir()
			a, b := filepath.Join(dir, "orig.xml"), filepath.Join(dir, "nbsp.xml")
			os.WriteFile(a, orig, 0o644)
			os.WriteFile(b, e.data, 0o644)
			c := newCLI(t)
			c.mustRun("import", a)
			c.mustRun("import", b)
			// Both versions have the same date, so name them by commit.
			var log []struct{ Version, Commit string }
			if err := json.Unmarshal([]byte(c.mustRun("log", "--json")), &log); err != nil {
				t.Fatal(err)
			}
			if len(log) != 2 {
				t.Fatalf("got %d versions stored, want 2 (the original and the edited file): %+v", len(log), log)
			}
			from, to := log[0].Commit, log[1].Commit
			if c.mustRun("show", from, "--raw") != string(orig) {
				from, to = to, from
			}
			if c.mustRun("show", to, "--raw") != string(e.data) {
				t.Fatalf("neither version %+v holds the edited file", log)
			}
			var res struct {
				Summary map[string]int
				Changes []struct {
					Kind   string
					Key    struct{ Name, Protocol, Number string }
					Fields map[string]struct{ From, To string }
				}
				Transitions []any
			}
			if err := json.Unmarshal([]byte(c.mustRun("diff", from, to, "--json")), &res); err != nil {
				t.Fatal(err)
			}
			if len(res.Changes) != 1 || len(res.Transitions) != 0 {
				t.Fatalf("got %d changes and %d transitions (summary %v), want 1 change and none", len(res.Changes), len(res.Transitions), res.Summary)
			}
			ch := res.Changes[0]
			if ch.Kind != "changed" || ch.Key.Name != e.name || ch.Key.Protocol != e.protocol || ch.Key.Number != e.number {
				t.Errorf("got %s %+v, want changed {%s %s %s}", ch.Kind, ch.Key, e.name, e.protocol, e.number)
			}
			if len(ch.Fields) != 1 || ch.Fields["description"].From != e.from || ch.Fields["description"].To != e.to {
				t.Errorf("got fields %q, want only description %q → %q", ch.Fields, e.from, e.to)
			}
			if code, out, errs := c.run("diff", from, to, "--exit-code"); code != exitDiffers {
				t.Errorf("diff --exit-code: got exit %d, want %d\n%s%s", code, exitDiffers, out, errs)
			}
		})
	}
}

package diff

import (
	"bytes"
	"encoding/json"
	"encoding/xml"
	"fmt"
	"maps"
	"regexp"
	"slices"
	"strings"
	"testing"

	"github.com/regdiff/regdiff/internal/shareddata"
	"github.com/regdiff/regdiff/snapshots/formats"
)

var (
	xrefText = regexp.MustCompile(`<xref(\s[^>]*[^/])>[^<]*</xref>`)
	xrefData = regexp.MustCompile(`\sdata\s*=\s*("[^"]+"|'[^']+')`)
)

// naiveTables reads a version with the naive reader of realdata_test.go
// and returns, per table (innermost registry id), the multiset of its
// records as whole canonical strings; ok is false for a file encoding/xml
// does not read.
//
// Two rules of regdiff's model (documented at formats.ParseXML) are applied
// to the raw XML first, so that the check is of the diff and not of them:
// an <xref> with a data attribute is its type and data, its text dropped
// (so a change of "Section 5.3" to "Section 4.3" in it is not seen: see
// the README's known limits), and an empty element (no text, no
// attributes) is no element.
func naiveTables(t testing.TB, data []byte) (map[string]map[string]int, bool) {
	data = xrefText.ReplaceAllFunc(data, func(x []byte) []byte {
		m := xrefText.FindSubmatch(x)
		if !xrefData.Match(m[1]) {
			return x
		}
		return append(append([]byte("<xref"), m[1]...), "/>"...)
	})
	var probe naiveRegistry
	if xml.Unmarshal(data, &probe) != nil {
		return nil, false
	}
	out := map[string]map[string]int{}
	for _, e := range naiveRead(t, data).entries {
		table, _, _ := strings.Cut(e.key, "|")
		if out[table] == nil {
			out[table] = map[string]int{}
		}
		parts := strings.Split(e.canon, "\x00")
		parts = slices.DeleteFunc(parts, func(p string) bool { return strings.HasSuffix(p, "()") && !strings.Contains(p[:len(p)-2], "(") })
		out[table][e.key+"\x00"+strings.Join(parts, "\x00")]++
	}
	return out, true
}

// onlyIn counts, per table, the records of a that b does not hold (as
// multisets).
func onlyIn(a, b map[string]map[string]int) map[string]int {
	out := map[string]int{}
	for table, recs := range a {
		for r, n := range recs {
			if d := n - b[table][r]; d > 0 {
				out[table] += d
			}
		}
	}
	return out
}

// TestEveryRegistryCrossCheck compares Compare with the naive reading on
// successive versions of every registry of the hourly mirror, whatever
// identifies their records: per table, the records only in the newer
// version must be exactly as many as the added, changed and renamed ones,
// and those only in the older version as the removed, changed and renamed
// ones. A key that paired unrelated records, or flipped between the two
// versions, shows as more changes than there are differing records.
func TestEveryRegistryCrossCheck(t *testing.T) {
	all := shareddata.MirrorVersions(t)
	paths := slices.DeleteFunc(slices.Sorted(maps.Keys(all)), func(p string) bool { return !strings.HasSuffix(p, ".xml") })
	const perFile = 3
	type pair struct{ path, a, b string }
	var pairs []pair
	var blobs []string
	for _, p := range paths {
		vs := all[p]
		for k := 1; k <= perFile && len(vs) > 1; k++ {
			i := max(1, k*len(vs)/(perFile+1))
			if n := len(pairs); n > 0 && pairs[n-1].path == p && pairs[n-1].b == vs[i].Blob {
				continue
			}
			pairs = append(pairs, pair{p, vs[i-1].Blob, vs[i].Blob})
			blobs = append(blobs, vs[i-1].Blob, vs[i].Blob)
		}
	}
	data := map[string][]byte{}
	shareddata.ReadBlobs(t, blobs, func(blob string, b []byte) { data[blob] = b })

	checked, inferred, failures := 0, 0, 0
	registries := map[string]bool{}
	for _, pr := range pairs {
		a, errA := formats.ParseXML(data[pr.a])
		b, errB := formats.ParseXML(data[pr.b])
		if errA != nil || errB != nil || a.ID != b.ID {
			continue // a malformed copy: refused on import, see snapshots
		}
		na, okA := naiveTables(t, data[pr.a])
		nb, okB := naiveTables(t, data[pr.b])
		if !okA || !okB {
			continue
		}
		res := Compare(a.Records, b.Records)
		gotNew, gotOld := map[string]int{}, map[string]int{}
		for _, c := range res.Changes {
			if c.New != nil {
				gotNew[c.New.Table]++
			}
			if c.Old != nil {
				gotOld[c.Old.Table]++
			}
		}
		wantNew, wantOld := onlyIn(nb, na), onlyIn(na, nb)
		if msg := jsonRegistries(t, res, data[pr.b], wantNew, wantOld); msg != "" {
			if failures++; failures <= 20 {
				t.Errorf("%s %s → %s: JSON: %s", a.ID, pr.a[:8], pr.b[:8], msg)
			}
		}
		checked++
		registries[a.ID] = true
		if len(res.Keys) > 0 {
			inferred++
		}
		if msg := sameCounts(gotNew, wantNew, "newer") + sameCounts(gotOld, wantOld, "older"); msg != "" {
			if failures++; failures <= 20 {
				t.Errorf("%s %s → %s: %s(keys %+v)", a.ID, pr.a[:8], pr.b[:8], msg, res.Keys)
			}
		}
	}
	if failures > 20 {
		t.Errorf("… %d pairs in all differ", failures)
	}
	if checked < len(pairs)*9/10 {
		t.Errorf("only %d of %d pairs could be checked", checked, len(pairs))
	}
	t.Logf("%d pairs of %d registries checked, %d with keys inferred beyond name, protocol and number", checked, len(registries), inferred)
}

// jsonRegistries checks the "registry" of each change's key in the JSON
// of res against the naive reading: the innermost <registry> holding the
// changed records (the root registry's id, read from the newer file, for
// records directly under it). A table's changes are at least as many as
// its records on either side that the other lacks, and at most as many as
// both together; a table with none has no change. Every key names
// something besides its registry.
func jsonRegistries(t testing.TB, res *Result, newer []byte, wantNew, wantOld map[string]int) string {
	var root naiveRegistry
	if err := xml.Unmarshal(newer, &root); err != nil {
		return err.Error()
	}
	r := *res
	r.Registry = root.ID
	var buf bytes.Buffer
	if err := WriteJSON(&buf, &r); err != nil {
		return err.Error()
	}
	var out struct {
		Changes []struct {
			Key map[string]string `json:"key"`
		} `json:"changes"`
	}
	if err := json.Unmarshal(buf.Bytes(), &out); err != nil {
		return err.Error()
	}
	got := map[string]int{}
	for _, c := range out.Changes {
		got[c.Key["registry"]]++
		if len(c.Key) < 2 {
			return fmt.Sprintf("key %v names nothing but its registry", c.Key)
		}
	}
	want := map[string][2]int{}
	for _, m := range []map[string]int{wantNew, wantOld} {
		for table := range m {
			id := table
			if id == "" {
				id = root.ID
			}
			want[id] = [2]int{max(wantNew[table], wantOld[table]), wantNew[table] + wantOld[table]}
		}
	}
	var msgs []string
	for id, n := range got {
		if w := want[id]; n < w[0] || n > w[1] {
			msgs = append(msgs, fmt.Sprintf("%d changes in registry %q, want %d to %d", n, id, w[0], w[1]))
		}
	}
	for id, w := range want {
		if got[id] == 0 && w[0] > 0 {
			msgs = append(msgs, fmt.Sprintf("no change in registry %q, want %d to %d", id, w[0], w[1]))
		}
	}
	slices.Sort(msgs)
	return strings.Join(msgs, "; ")
}

func sameCounts(got, want map[string]int, side string) string {
	var out []string
	tables := maps.Clone(got)
	maps.Copy(tables, want)
	for _, table := range slices.Sorted(maps.Keys(tables)) {
		if got[table] != want[table] {
			out = append(out, fmt.Sprintf("table %q: %d changed records of the %s version, %d differ from the other's; ", table, got[table], side, want[table]))
		}
	}
	return strings.Join(out, "")
}

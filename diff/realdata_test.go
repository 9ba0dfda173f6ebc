package diff

import (
	"encoding/xml"
	"fmt"
	"math/rand"
	"os"
	"runtime"
	"slices"
	"strconv"
	"strings"
	"sync"
	"testing"

	"github.com/regdiff/regdiff/internal/shareddata"
	"github.com/regdiff/regdiff/snapshots/formats"
	"github.com/regdiff/regdiff/snapshots/record"
)

// This file checks Compare against a second, deliberately simple
// computation on the real versions in ../shared/data: the raw XML is read
// with encoding/xml into plain structs, each record becomes a key and one
// canonical string of everything else, records are matched with nested
// loops over a map, and port status is computed port by port by painting
// every record over the ports it covers. Nothing here calls the diff
// package's own helpers, except to read Compare's result.

type naiveRegistry struct {
	ID      string          `xml:"id,attr"`
	Records []naiveRecord   `xml:"record"`
	Nested  []naiveRegistry `xml:"registry"`
}

type naiveRecord struct {
	Attrs []xml.Attr   `xml:",any,attr"`
	Kids  []naiveChild `xml:",any"`
}

type naiveChild struct {
	XMLName xml.Name
	Attrs   []xml.Attr `xml:",any,attr"`
	Inner   string     `xml:",innerxml"`
}

// naiveEntry is one record as the naive reader sees it.
type naiveEntry struct {
	key       string // table|name|protocol|number
	canon     string // every other child and attribute, sorted
	name      string
	protocol  string
	number    string
	desc      string
	tableSlot string // table|protocol|number, for renames
}

// naiveVersion is one version read naively.
type naiveVersion struct {
	entries []naiveEntry
	status  map[string][]Status // transport → status of each port
}

// naiveSpaces collapses ASCII white space, the only white space there is
// (a no-break space is text).
func naiveSpaces(s string) string {
	s = strings.ReplaceAll(s, "<br/>", " ")
	s = strings.ReplaceAll(s, "<br />", " ")
	return strings.Join(strings.FieldsFunc(s, func(r rune) bool { return strings.ContainsRune(" \t\n\r\f\v", r) }), " ")
}

func naiveRead(t testing.TB, data []byte) *naiveVersion {
	var root naiveRegistry
	if err := xml.Unmarshal(data, &root); err != nil {
		t.Fatalf("naive decode: %v", err)
	}
	v := &naiveVersion{}
	var walk func(reg naiveRegistry, table string)
	walk = func(reg naiveRegistry, table string) {
		for _, r := range reg.Records {
			var name, proto, number, value, desc string
			var rest []string
			for _, a := range r.Attrs {
				rest = append(rest, "@"+a.Name.Local+"="+naiveSpaces(a.Value))
			}
			for _, k := range r.Kids {
				text := naiveSpaces(k.Inner)
				switch k.XMLName.Local {
				case "name":
					name = text
					continue
				case "protocol":
					proto = text
					continue
				case "number":
					number = text
					continue
				case "value":
					value = text
					continue
				case "description":
					desc = text
				}
				var attrs []string
				for _, a := range k.Attrs {
					attrs = append(attrs, a.Name.Local+"="+naiveSpaces(a.Value))
				}
				sortStrings(attrs)
				rest = append(rest, k.XMLName.Local+"("+strings.Join(attrs, ",")+")"+text)
			}
			if number == "" {
				number = value
			} else if value != "" {
				rest = append(rest, "value()"+value)
			}
			sortStrings(rest)
			v.entries = append(v.entries, naiveEntry{
				key:   table + "|" + name + "|" + proto + "|" + number,
				canon: strings.Join(rest, "\x00"),
				name:  name, protocol: proto, number: number, desc: desc,
				tableSlot: table + "|" + proto + "|" + number,
			})
		}
		for _, n := range reg.Nested {
			walk(n, n.ID)
		}
	}
	walk(root, "")
	return v
}

func sortStrings(s []string) {
	for i := 1; i < len(s); i++ {
		for j := i; j > 0 && s[j] < s[j-1]; j-- {
			s[j], s[j-1] = s[j-1], s[j]
		}
	}
}

// naiveStatus paints each record's status over the ports it covers, the
// best (lowest) status winning, for one transport.
func naiveStatus(v *naiveVersion, transport string) []Status {
	ports := make([]Status, 65536)
	for _, e := range v.entries {
		if e.protocol != transport && e.protocol != "" {
			continue
		}
		lo, hi, ok := naiveRange(e.number)
		if !ok {
			continue
		}
		st := naiveRecordStatus(e)
		if st == 0 {
			continue
		}
		for p := lo; p <= hi && p <= 65535; p++ {
			if ports[p] == 0 || st < ports[p] {
				ports[p] = st
			}
		}
	}
	for p := range ports {
		if ports[p] == 0 {
			ports[p] = Unassigned
		}
	}
	return ports
}

func naiveRange(s string) (int, int, bool) {
	parts := strings.Split(s, "-")
	if len(parts) > 2 {
		return 0, 0, false
	}
	lo, err := strconv.Atoi(strings.TrimSpace(parts[0]))
	if err != nil || lo < 0 {
		return 0, 0, false
	}
	hi := lo
	if len(parts) == 2 {
		if hi, err = strconv.Atoi(strings.TrimSpace(parts[1])); err != nil || hi < lo {
			return 0, 0, false
		}
	}
	return lo, hi, true
}

func naiveRecordStatus(e naiveEntry) Status {
	d := strings.ToLower(e.desc)
	for _, p := range []string{"de-registered", "deregistered", "removed", "decommissioned", "deprecated"} {
		if strings.HasPrefix(d, p) {
			return Deregistered
		}
	}
	if e.name != "" {
		return Assigned
	}
	if strings.HasPrefix(d, "reserved") {
		return Reserved
	}
	if strings.HasPrefix(d, "unassigned") {
		return Unassigned
	}
	return 0
}

// naiveDiff lists the changes as "kind key" lines, renamed counted as
// removed plus added, and the number of renames.
func naiveDiff(a, b *naiveVersion) (lines []string, renames int) {
	olds := map[string][]naiveEntry{}
	for _, e := range a.entries {
		olds[e.key] = append(olds[e.key], e)
	}
	news := map[string][]naiveEntry{}
	for _, e := range b.entries {
		news[e.key] = append(news[e.key], e)
	}
	removedAt, addedAt := map[string]int{}, map[string]int{}
	for k, os := range olds {
		ns := news[k]
		for i := range os {
			switch {
			case i >= len(ns):
				lines = append(lines, "removed "+k)
				if os[i].name != "" && os[i].number != "" {
					removedAt[os[i].tableSlot]++
				}
			case os[i].canon != ns[i].canon:
				lines = append(lines, "changed "+k)
			}
		}
	}
	for k, ns := range news {
		for i := len(olds[k]); i < len(ns); i++ {
			lines = append(lines, "added "+k)
			if ns[i].name != "" && ns[i].number != "" {
				addedAt[ns[i].tableSlot]++
			}
		}
	}
	for slot, n := range removedAt {
		renames += min(n, addedAt[slot])
	}
	sortStrings(lines)
	return lines, renames
}

func keyLine(kind string, k record.Key) string {
	return kind + " " + k.Table + "|" + k.Name + "|" + k.Protocol + "|" + k.Number
}

// loaded is one version read both ways.
type loaded struct {
	v     shareddata.Version
	recs  []record.Record
	naive *naiveVersion
}

func load(t testing.TB, v shareddata.Version, ports bool) *loaded {
	data := shareddata.Read(t, v)
	reg, err := formats.ParseXML(data)
	if err != nil {
		t.Fatalf("ParseXML %s: %v", v.Date, err)
	}
	l := &loaded{v: v, recs: reg.Records, naive: naiveRead(t, data)}
	if ports {
		l.naive.status = map[string][]Status{}
		for _, tr := range Transports {
			l.naive.status[tr] = naiveStatus(l.naive, tr)
		}
	}
	return l
}

// checkPair compares Compare's result on a and b with the naive one and
// returns a description of the first difference, or "".
func checkPair(a, b *loaded, ports bool) string {
	res := Compare(a.recs, b.recs)
	if !slices.IsSortedFunc(res.Changes, func(x, y Change) int { return record.Compare(x.record(), y.record()) }) {
		return "changes are not in record order"
	}
	var got []string
	for _, c := range res.Changes {
		switch c.Kind {
		case Renamed:
			if c.OldKey.Name == "" || c.Key.Name == "" || c.OldKey.Name == c.Key.Name ||
				c.OldKey.Table != c.Key.Table || c.OldKey.Protocol != c.Key.Protocol || c.OldKey.Number != c.Key.Number || c.Key.Number == "" {
				return fmt.Sprintf("bad rename %+v → %+v", c.OldKey, c.Key)
			}
			got = append(got, keyLine(Removed, c.OldKey), keyLine(Added, c.Key))
		default:
			got = append(got, keyLine(c.Kind, c.Key))
		}
	}
	sortStrings(got)
	want, renames := naiveDiff(a.naive, b.naive)
	if !slices.Equal(got, want) {
		extra, missing := difference(got, want), difference(want, got)
		return fmt.Sprintf("changes differ: %d from Compare, %d naive; only in Compare %q; only naive %q",
			len(got), len(want), head(extra), head(missing))
	}
	if res.Renamed != renames {
		return fmt.Sprintf("renamed: got %d, naive %d", res.Renamed, renames)
	}
	if !ports {
		if len(res.Transitions) != 0 {
			return fmt.Sprintf("%d transitions in a registry without ports", len(res.Transitions))
		}
		return ""
	}
	for _, tr := range Transports {
		from, to := a.naive.status[tr], b.naive.status[tr]
		seen := make([]bool, 65536)
		prev := Transition{Hi: -2}
		for _, x := range res.Transitions {
			if x.Protocol != tr {
				continue
			}
			if x.Lo <= prev.Hi || (x.Lo == prev.Hi+1 && x.From == prev.From && x.To == prev.To) {
				return fmt.Sprintf("%s: transitions %+v and %+v overlap, are unordered or not maximal", tr, prev, x)
			}
			if x.Ports != portsText(x.Lo, x.Hi) {
				return fmt.Sprintf("%s: Ports %q for %d-%d", tr, x.Ports, x.Lo, x.Hi)
			}
			prev = x
			for p := x.Lo; p <= x.Hi; p++ {
				seen[p] = true
				if from[p] != x.From || to[p] != x.To {
					return fmt.Sprintf("%s %d: transition says %v → %v, naive %v → %v", tr, p, x.From, x.To, from[p], to[p])
				}
			}
		}
		for p := range 65536 {
			if from[p] != to[p] && !seen[p] {
				return fmt.Sprintf("%s %d: naive %v → %v missing from transitions", tr, p, from[p], to[p])
			}
		}
	}
	return ""
}

func difference(a, b []string) []string {
	count := map[string]int{}
	for _, s := range b {
		count[s]++
	}
	var out []string
	for _, s := range a {
		if count[s] > 0 {
			count[s]--
			continue
		}
		out = append(out, s)
	}
	return out
}

func head(s []string) []string { return s[:min(len(s), 5)] }

// pairs returns every consecutive pair of a sample of vs, then n random
// pairs at least a third of the history apart, with a fixed seed.
func pairs(vs []shareddata.Version, every, n int) [][2]shareddata.Version {
	var out [][2]shareddata.Version
	s := shareddata.Sample(vs, every)
	for i := 1; i < len(s); i++ {
		out = append(out, [2]shareddata.Version{s[i-1], s[i]})
	}
	rng := rand.New(rand.NewSource(3))
	for len(out) < len(s)-1+n {
		i, j := rng.Intn(len(vs)), rng.Intn(len(vs))
		if max(i-j, j-i) >= len(vs)/3 {
			out = append(out, [2]shareddata.Version{vs[i], vs[j]}) // either direction: reversed diffs too
		}
	}
	return out
}

func TestCrossCheckRealData(t *testing.T) {
	tests := []struct {
		registry     string
		ports        bool
		every, far   int // full run
		shortEvery   int
		shortFarther int
	}{
		{"service-names-port-numbers", true, 5, 25, 20, 6},
		{"protocol-numbers", false, 1, 10, 1, 4},
	}
	for _, tt := range tests {
		t.Run(tt.registry, func(t *testing.T) {
			vs := shareddata.Versions(t, tt.registry)
			every, far := tt.every, tt.far
			if testing.Short() {
				every, far = tt.shortEvery, tt.shortFarther
			}
			ps := pairs(vs, every, far)
			// Workers take contiguous runs of pairs, so that consecutive
			// pairs reuse the version they share.
			workers := min(runtime.GOMAXPROCS(0), 4)
			var wg sync.WaitGroup
			var mu sync.Mutex
			var failures []string
			checked := 0
			chunk := (len(ps) + workers - 1) / workers
			for w := 0; w < len(ps); w += chunk {
				wg.Add(1)
				go func(part [][2]shareddata.Version) {
					defer wg.Done()
					var last *loaded
					get := func(v shareddata.Version) *loaded {
						if last != nil && last.v.Commit == v.Commit {
							return last
						}
						return load(t, v, tt.ports)
					}
					for _, p := range part {
						a := get(p[0])
						b := get(p[1])
						last = b
						msg := checkPair(a, b, tt.ports)
						mu.Lock()
						checked++
						if msg != "" {
							failures = append(failures, p[0].Date+" → "+p[1].Date+": "+msg)
						}
						mu.Unlock()
					}
				}(ps[w:min(w+chunk, len(ps))])
			}
			wg.Wait()
			for _, f := range failures {
				t.Error(f)
			}
			t.Logf("%d pairs of %d versions checked against the naive computation", checked, len(vs))
		})
	}
}

// BenchmarkCompare diffs the last 2019 version with the newest one.
func BenchmarkCompare(b *testing.B) {
	vs := shareddata.Versions(b, "service-names-port-numbers")
	var v2019 shareddata.Version
	for _, v := range vs {
		if strings.HasPrefix(v.Date, "2019") {
			v2019 = v
		}
	}
	old, err := formats.ParseXML(shareddata.Read(b, v2019))
	if err != nil {
		b.Fatal(err)
	}
	new, err := formats.ParseXML(shareddata.Read(b, vs[len(vs)-1]))
	if err != nil {
		b.Fatal(err)
	}
	b.ReportAllocs()
	b.ResetTimer()
	var res *Result
	for b.Loop() {
		res = Compare(old.Records, new.Records)
	}
	b.StopTimer()
	b.ReportMetric(float64(len(old.Records)+len(new.Records)), "records")
	b.Logf("%s → %s: %+v, %d transitions", v2019.Date, vs[len(vs)-1].Date, res.Summary, len(res.Transitions))
}

// BenchmarkPortStatuses computes the port status of one real version.
func BenchmarkPortStatuses(b *testing.B) {
	vs := shareddata.Versions(b, "service-names-port-numbers")
	reg, err := formats.ParseXML(shareddata.Read(b, vs[len(vs)-1]))
	if err != nil {
		b.Fatal(err)
	}
	b.ReportAllocs()
	for b.Loop() {
		PortStatuses(reg.Records)
	}
}

// TestMain removes the shared clone and stores the tests made.
func TestMain(m *testing.M) { os.Exit(shareddata.Main(m)) }

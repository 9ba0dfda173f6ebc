package history

import (
	"context"
	"encoding/xml"
	"fmt"
	"math/rand/v2"
	"path/filepath"
	"runtime"
	"slices"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/regdiff/regdiff/internal/shareddata"
	"github.com/regdiff/regdiff/snapshots/record"
)

// The cross-check on real data: for many ports, ranges and names, the
// periods Build finds in the store built from the shared bundle must equal
// those computed here by brute force from the raw XML of every version,
// with a naive encoding/xml decoder and a naive status function that
// follows the rule of issue 3 (as diff's package documentation words it).
// Nothing here uses snapshots' parser, the store, or the diff package.

var (
	// Well-known corners, ports renamed or removed in the data, ports whose
	// status changed between the first and the last version (47, 61, 802,
	// 853, 914, 1302, 5683, 7878, 8077), and ports with De-registered,
	// Removed, Deprecated and (misspelt, so no status) Decomissioned records.
	fixedPorts = []int{0, 7, 22, 47, 51, 61, 80, 247, 248, 249, 253, 255, 443, 502, 585, 659, 802, 853, 914, 1023, 1024,
		1028, 1030, 1302, 1783, 1883, 2221, 2640, 2905, 3403, 3404, 5683, 7878, 8077, 8080, 49151, 49152, 65535}
	realRanges = [][2]int{{247, 255}, {1020, 1035}, {49140, 49160}}
	realNames  = []string{"ssh", "http", "www-http", "echo", "mqtt", "ibm-mqisdp", "la-maint", "iad1", "mbap", "asa-appl-proto", "sai_sentlm", "tibet-server", "worldwire", "HTTPS"}
)

// realPorts is the fixed ports plus 30 random ones (a fixed seed), two
// thirds of them where the registry is dense.
func realPorts() []int {
	r := rand.New(rand.NewPCG(4, 253))
	ps := slices.Clone(fixedPorts)
	for i := range 30 {
		if i%3 == 2 {
			ps = append(ps, r.IntN(65536))
		} else {
			ps = append(ps, r.IntN(12000))
		}
	}
	return ps
}

type naiveRegistry struct {
	Records []naiveRecord `xml:"record"`
}

type naiveRecord struct {
	Name        string `xml:"name"`
	Protocol    string `xml:"protocol"`
	Number      string `xml:"number"`
	Description string `xml:"description"`
}

func clean(s string) string { return strings.Join(strings.Fields(s), " ") }

// naiveRange parses "22" or "249-255".
func naiveRange(s string) (lo, hi int, ok bool) {
	a, b, isRange := strings.Cut(s, "-")
	lo, err1 := strconv.Atoi(strings.TrimSpace(a))
	hi, err2 := lo, error(nil)
	if isRange {
		hi, err2 = strconv.Atoi(strings.TrimSpace(b))
	}
	return lo, hi, err1 == nil && err2 == nil && lo >= 0 && hi >= lo
}

// naiveRecordStatus is the rule of issue 3, as documented in package diff.
func naiveRecordStatus(r naiveRecord) string {
	d := strings.ToLower(strings.TrimSpace(r.Description))
	for _, p := range []string{"de-registered", "deregistered", "removed", "decommissioned", "deprecated"} {
		if strings.HasPrefix(d, p) {
			return "Deregistered"
		}
	}
	switch {
	case clean(r.Name) != "":
		return "Assigned"
	case strings.HasPrefix(d, "reserved"):
		return "Reserved"
	case strings.HasPrefix(d, "unassigned"):
		return "Unassigned"
	}
	return ""
}

var statusOrder = []string{"Assigned", "Deregistered", "Reserved", "Unassigned"}

// best is the first status of statusOrder among sts, or Unassigned.
func best(sts []string) string {
	for _, s := range statusOrder {
		if slices.Contains(sts, s) {
			return s
		}
	}
	return "Unassigned"
}

func recKey(name, proto, number string) string {
	return clean(name) + "|" + clean(proto) + "|" + clean(number)
}

// portState is one port on one transport in one version.
type portState struct {
	status string
	keys   string // the covering records, sorted
}

// naiveVersion is what the brute force needs from one version.
type naiveVersion struct {
	ports map[int]map[string]portState // port → transport → state
	names map[string]map[string]string // name → "number/protocol" → status
}

func analyse(data []byte, ports []int) (*naiveVersion, error) {
	var reg naiveRegistry
	if err := xml.Unmarshal(data, &reg); err != nil {
		return nil, err
	}
	nv := &naiveVersion{ports: map[int]map[string]portState{}, names: map[string]map[string]string{}}
	type cover struct{ sts, keys []string }
	covers := map[int]map[string]*cover{}
	for _, p := range ports {
		covers[p] = map[string]*cover{}
		for _, t := range []string{"tcp", "udp", "sctp", "dccp"} {
			covers[p][t] = &cover{}
		}
	}
	for _, r := range reg.Records {
		proto, st := clean(r.Protocol), naiveRecordStatus(r)
		for _, n := range realNames {
			if strings.EqualFold(clean(r.Name), n) {
				if nv.names[n] == nil {
					nv.names[n] = map[string]string{}
				}
				slot := clean(r.Number) + "/" + proto
				nv.names[n][slot] = best([]string{nv.names[n][slot], st})
			}
		}
		lo, hi, ok := naiveRange(clean(r.Number))
		if !ok {
			continue
		}
		for _, p := range ports {
			if p < lo || p > hi {
				continue
			}
			for t, c := range covers[p] {
				if proto == "" || proto == t {
					c.sts = append(c.sts, st)
					c.keys = append(c.keys, recKey(r.Name, proto, r.Number))
				}
			}
		}
	}
	for p, byT := range covers {
		nv.ports[p] = map[string]portState{}
		for t, c := range byT {
			slices.Sort(c.keys)
			nv.ports[p][t] = portState{status: best(c.sts), keys: strings.Join(c.keys, "; ")}
		}
	}
	return nv, nil
}

// naiveAll analyses every bundle version, reading them one by one with git
// and decoding them on every core.
func naiveAll(t *testing.T, bvs []shareddata.Version, ports []int) []*naiveVersion {
	t.Helper()
	out := make([]*naiveVersion, len(bvs))
	errs := make([]error, len(bvs))
	type job struct {
		i    int
		data []byte
	}
	jobs := make(chan job, 2)
	var wg sync.WaitGroup
	for range max(1, runtime.GOMAXPROCS(0)) {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for j := range jobs {
				out[j.i], errs[j.i] = analyse(j.data, ports)
			}
		}()
	}
	for i, v := range bvs {
		jobs <- job{i, shareddata.Read(t, v)}
	}
	close(jobs)
	wg.Wait()
	for i, err := range errs {
		if err != nil {
			t.Fatalf("naive decode of %s (%s): %v", bvs[i].Date, bvs[i].Commit, err)
		}
	}
	return out
}

// runs turns one value per version into "VALUE FROM..TO (N)" runs.
func runs(names []string, values []string) []string {
	var out []string
	start := 0
	for i := 1; i <= len(values); i++ {
		if i == len(values) || values[i] != values[start] {
			out = append(out, fmt.Sprintf("%s %s..%s (%d)", values[start], names[start], names[i-1], i-start))
			start = i
		}
	}
	return out
}

func TestRealHistoryMatchesNaive(t *testing.T) {
	s, bvs := realStore(t)
	vs, err := s.Versions(ports)
	if err != nil {
		t.Fatal(err)
	}
	names := make([]string, len(vs))
	for i, v := range vs {
		names[i] = v.Name
	}
	queried := realPorts()
	all := slices.Clone(queried)
	for _, r := range realRanges {
		for p := r[0]; p <= r[1]; p++ {
			all = append(all, p)
		}
	}
	slices.Sort(all)
	all = slices.Compact(all)
	start := time.Now()
	naive := naiveAll(t, bvs, all)
	t.Logf("naive decoding of %d versions: %v", len(bvs), time.Since(start))
	ix := NewIndex(s)
	ctx := context.Background()

	// recordKeys gives a period's records in the naive form.
	recordKeys := func(recs []record.Record) string {
		var keys []string
		for _, r := range recs {
			keys = append(keys, recKey(r.Name, r.Protocol, r.Number))
		}
		slices.Sort(keys)
		return strings.Join(keys, "; ")
	}

	for _, p := range queried {
		t.Run(fmt.Sprintf("port %d", p), func(t *testing.T) {
			h, err := Build(ctx, ix, ports, Query{Lo: p, Hi: p})
			if err != nil {
				t.Fatal(err)
			}
			for _, proto := range []string{"tcp", "udp", "sctp", "dccp"} {
				statuses := make([]string, len(vs))
				for i, nv := range naive {
					statuses[i] = nv.ports[p][proto].status
				}
				want := runs(names, statuses)
				var got []string
				for _, pd := range h.Periods {
					if pd.Protocol == proto {
						got = append(got, fmt.Sprintf("%s %s..%s (%d)", pd.Status, pd.From, pd.To, pd.Versions))
						// The records are those of the period's last version.
						last := slices.Index(names, pd.To)
						if wk, gk := naive[last].ports[p][proto].keys, recordKeys(pd.Records); wk != gk {
							t.Errorf("%d/%s period ending %s: got records [%s], want [%s]", p, proto, pd.To, gk, wk)
						}
					}
				}
				if !slices.Equal(got, want) {
					t.Errorf("%d/%s periods:\ngot  %q\nwant %q", p, proto, got, want)
				}
				if len(want) > 1 {
					t.Logf("%d/%s: %d periods, %q …", p, proto, len(want), want[:2])
				}
			}
		})
	}

	// The ranges and names read the index as a later run would: saved
	// (its files mostly as deltas, made by the port queries) and opened.
	ix.path = filepath.Join(t.TempDir(), "history.idx")
	if err := ix.Save(); err != nil {
		t.Fatal(err)
	}
	if ix, err = OpenIndex(s, ix.path); err != nil {
		t.Fatal(err)
	}
	deltas := 0
	for _, b := range ix.blobs {
		if b.depth > 0 {
			deltas++
		}
	}
	if deltas == 0 {
		t.Error("the saved index holds no file as a delta; the checks below do not cover deltas")
	}

	for _, r := range realRanges {
		t.Run(fmt.Sprintf("range %d-%d", r[0], r[1]), func(t *testing.T) {
			h, err := Build(ctx, ix, ports, Query{Lo: r[0], Hi: r[1]})
			if err != nil {
				t.Fatal(err)
			}
			for _, proto := range []string{"tcp", "udp", "sctp", "dccp"} {
				states := make([]string, len(vs))
				for i, nv := range naive {
					// Run-length encode the range's statuses, as "mixed (a-b S, ...)".
					var parts []string
					start := r[0]
					for p := r[0]; p <= r[1]; p++ {
						if p == r[1] || nv.ports[p+1][proto].status != nv.ports[p][proto].status {
							parts = append(parts, portsText(start, p)+" "+nv.ports[p][proto].status)
							start = p + 1
						}
					}
					if len(parts) == 1 {
						states[i] = nv.ports[r[0]][proto].status
					} else {
						states[i] = "mixed (" + strings.Join(parts, ", ") + ")"
					}
				}
				want := runs(names, states)
				var got []string
				for _, pd := range h.Periods {
					if pd.Protocol == proto {
						got = append(got, fmt.Sprintf("%s %s..%s (%d)", statusText(&pd), pd.From, pd.To, pd.Versions))
					}
				}
				if !slices.Equal(got, want) {
					t.Errorf("%d-%d/%s periods:\ngot  %q\nwant %q", r[0], r[1], proto, got, want)
				}
				t.Logf("%d-%d/%s: %q", r[0], r[1], proto, got)
			}
		})
	}

	for _, name := range realNames {
		t.Run("name "+name, func(t *testing.T) {
			// Every slot the name ever held, with its status per version.
			slots := map[string][]string{}
			for i, nv := range naive {
				for slot, st := range nv.names[name] {
					if slots[slot] == nil {
						slots[slot] = make([]string, len(vs))
					}
					slots[slot][i] = st
				}
			}
			var want []string
			for slot, sts := range slots {
				for _, run := range runs(names, sts) {
					if !strings.HasPrefix(run, " ") { // "" = not held
						want = append(want, slot+" "+run)
					}
				}
			}
			slices.Sort(want)
			h, err := Build(ctx, ix, ports, Query{Name: name})
			if len(want) == 0 {
				if err == nil {
					t.Fatalf("got a history of %d periods for %s, want ErrNoSuchName", len(h.Periods), name)
				}
				t.Skipf("%s is in no version of this sample (%v)", name, err)
			}
			if err != nil {
				t.Fatal(err)
			}
			var got []string
			for _, pd := range h.Periods {
				got = append(got, fmt.Sprintf("%s/%s %s %s..%s (%d)", pd.Number, pd.Protocol, pd.Status, pd.From, pd.To, pd.Versions))
			}
			slices.Sort(got)
			if !slices.Equal(got, want) {
				t.Errorf("%s periods:\ngot  %q\nwant %q", name, got, want)
			}
			t.Logf("%s: %q", name, got)
		})
	}
}
